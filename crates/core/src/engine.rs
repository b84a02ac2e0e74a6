//! The engine: executes verified commands against the state, atomically, and ends blocks with a
//! change set and a state root.

use alloy_primitives::{Address, B256, keccak256};
use alloy_sol_types::Eip712Domain;

use crate::{
    codec::{CodecError, Put, Reader},
    command::{self, Command, Tx},
    commitment::{Commitment, Proof},
    env::Env,
    event::Log,
    facets::{Addresses, Ctx, access, diamond, ledger, pause, token, votes},
    rejection::{BlockInvalid, Outcome, Rejection, TxInvalid},
    state::{ChangeSet, State},
};

/// The result of one included command.
///
/// A rejection is kept as its typed value: the receipt's encoding (hashed into the block's
/// receipts root) holds its stable code and structured fields, never its human message, so the
/// message can improve without changing any block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The transaction.
    pub tx_hash: B256,
    /// Its sender.
    pub sender: Address,
    /// Command type name.
    pub command: String,
    /// Why it did not apply (`None`: it applied).
    pub rejection: Option<Rejection>,
    /// Logs (empty when rejected).
    pub logs: Vec<Log>,
}

impl Receipt {
    /// The receipt of `tx` with this outcome.
    pub fn new(tx: &Tx, outcome: Outcome, logs: Vec<Log>) -> Receipt {
        Receipt {
            tx_hash: tx.hash,
            sender: tx.sender,
            command: tx.command.name().to_string(),
            rejection: outcome.err(),
            logs,
        }
    }

    /// Whether the command applied.
    pub fn success(&self) -> bool {
        self.rejection.is_none()
    }

    /// The rejection's stable code.
    pub fn code(&self) -> Option<&'static str> {
        self.rejection.as_ref().map(Rejection::code)
    }

    /// The rejection's message, rendered from its code and fields.
    pub fn message(&self) -> Option<String> {
        self.rejection.as_ref().map(Rejection::to_string)
    }

    /// Canonical encoding (hashed into the receipts root, stored by the node): tx hash, sender,
    /// command name, then `0` or `1 || rejection code || its fields`, then the logs.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.put_b256(&self.tx_hash);
        out.put_address(&self.sender);
        out.put_bytes(self.command.as_bytes());
        match &self.rejection {
            None => out.put_u8(0),
            Some(r) => {
                out.put_u8(1);
                r.encode(out);
            }
        }
        out.put_u32(self.logs.len() as u32);
        for l in &self.logs {
            out.put_address(&l.address);
            out.put_u8(l.topics.len() as u8);
            for t in &l.topics {
                out.put_b256(t);
            }
            out.put_bytes(&l.data);
        }
    }

    /// Decodes [`Receipt::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Receipt, CodecError> {
        let mut r = Reader::new(bytes);
        let tx_hash = r.b256()?;
        let sender = r.address()?;
        let command =
            String::from_utf8(r.bytes()?.to_vec()).map_err(|_| CodecError("bad utf-8"))?;
        let rejection = match r.u8()? {
            0 => None,
            1 => Some(Rejection::decode(&mut r)?),
            _ => return Err(CodecError("bad receipt outcome")),
        };
        let n = r.u32()? as usize;
        let mut logs = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            let address = r.address()?;
            let t = r.u8()? as usize;
            let mut topics = Vec::with_capacity(t);
            for _ in 0..t {
                topics.push(r.b256()?);
            }
            logs.push(Log { address, topics, data: r.bytes()?.to_vec() });
        }
        r.finish()?;
        Ok(Receipt { tx_hash, sender, command, rejection, logs })
    }

    /// keccak256 of the encoding.
    pub fn hash(&self) -> B256 {
        let mut buf = Vec::with_capacity(256);
        self.encode(&mut buf);
        keccak256(&buf)
    }
}

/// The deterministic state machine of one chain.
#[derive(Clone, Debug)]
pub struct Engine {
    chain_id: u64,
    addrs: Addresses,
    domain: Eip712Domain,
    state: State,
    /// The state commitment; `None` in simulation mode, where every root is zero.
    commitment: Option<Commitment>,
    /// The block begun and not yet sealed.
    open: Option<Env>,
}

impl Engine {
    /// An engine over an existing state (genesis or snapshot); builds the commitment.
    pub fn new(chain_id: u64, diamond: Address, state: State) -> Engine {
        let entries = state.encoded_entries();
        let commitment =
            Commitment::from_entries(entries.iter().map(|(k, v)| (k.as_slice(), v.as_slice())));
        Engine {
            chain_id,
            addrs: Addresses::new(diamond),
            domain: command::domain(chain_id, diamond),
            state,
            commitment: Some(commitment),
            open: None,
        }
    }

    /// The same engine without a state commitment (simulation mode): every state root is zero,
    /// proofs are empty, and building, cloning and sealing skip all hashing of the state.
    pub fn without_commitment(mut self) -> Engine {
        self.commitment = None;
        self
    }

    /// An engine over `state` without a state commitment (simulation mode).
    pub fn new_uncommitted(chain_id: u64, diamond: Address, state: State) -> Engine {
        Engine {
            chain_id,
            addrs: Addresses::new(diamond),
            domain: command::domain(chain_id, diamond),
            state,
            commitment: None,
            open: None,
        }
    }

    /// Whether the engine keeps a state commitment.
    pub fn has_commitment(&self) -> bool {
        self.commitment.is_some()
    }

    /// Chain id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }
    /// Well-known addresses.
    pub fn addresses(&self) -> &Addresses {
        &self.addrs
    }
    /// The EIP-712 domain commands are signed for.
    pub fn domain(&self) -> &Eip712Domain {
        &self.domain
    }
    /// The state.
    pub fn state(&self) -> &State {
        &self.state
    }
    /// Runs `f` as a handler of facet `facet` for a user `sender` in the block of `env`, as
    /// if dispatched to it: its writes are kept when it applies and undone when it is
    /// rejected. For tests of module mechanisms that no command exposes yet.
    #[cfg(test)]
    pub(crate) fn run_handler(
        &mut self,
        env: &Env,
        sender: Address,
        facet: u8,
        f: impl FnOnce(&mut Ctx<'_>) -> Outcome,
    ) -> (Outcome, Vec<Log>) {
        let checkpoint = self.state.checkpoint();
        let mut logs = Vec::new();
        let outcome = {
            let mut ctx = Ctx {
                state: &mut self.state,
                env,
                sender,
                logs: &mut logs,
                addrs: &self.addrs,
                origin: crate::facets::modules::Origin::User,
                facet,
                depth: 0,
            };
            f(&mut ctx)
        };
        if outcome.is_err() {
            self.state.revert(checkpoint);
            logs.clear();
        }
        self.state.commit_journal();
        (outcome, logs)
    }

    /// The current state root.
    pub fn state_root(&self) -> B256 {
        self.commitment.as_ref().map_or(B256::ZERO, Commitment::root)
    }
    /// Inclusion proof of the state entry with these key bytes against [`Engine::state_root`].
    pub fn prove(&self, key: &[u8]) -> Option<Proof> {
        self.commitment.as_ref()?.prove(key)
    }

    /// Proof of the state entry with these key bytes: of inclusion when present, of absence
    /// otherwise.
    pub fn prove_key(&self, key: &[u8]) -> Proof {
        self.commitment
            .as_ref()
            .map_or(Proof { siblings: vec![], leaf: None }, |c| c.prove_key(key))
    }

    /// Inclusion proof of a non-zero token balance.
    pub fn prove_balance(&self, token: &Address, holder: &Address) -> Option<Proof> {
        self.prove(&crate::commitment::balance_key(token, holder))
    }

    /// Proof of a balance, zero or not: inclusion of the entry, or its absence.
    pub fn prove_balance_or_zero(&self, token: &Address, holder: &Address) -> Proof {
        self.prove_key(&crate::commitment::balance_key(token, holder))
    }

    /// Whether the address has any state of its own: a nonce, an ICY or DFG balance, a
    /// delegate, a minter allowance, a role or pending grant, or being the governance account.
    /// Cheap: a handful of lookups (roles and pending grants are few, set by privileged
    /// accounts only).
    pub fn is_known(&self, a: &Address) -> bool {
        let s = &self.state;
        ledger::nonce(s, a) > 0
            || !token::balance(s, &self.addrs.icy, a).is_zero()
            || !token::balance(s, &self.addrs.dfg, a).is_zero()
            || votes::delegate_of(s, a) != Address::ZERO
            || token::minter_allowance(s, a).is_some()
            || access::is_named(s, a)
    }

    /// Opens the block of `env`: it must be the next height of this chain, at the last block's
    /// time or later. The clock is state (`ledger.chain`, written when the block is sealed), so
    /// replay refuses a block whose time goes backwards exactly as the sequencer would. A block
    /// begun and never sealed (every command refused) leaves nothing: the next `begin_block`
    /// replaces it.
    pub fn begin_block(&mut self, env: &Env) -> Result<(), BlockInvalid> {
        let chain = ledger::chain(&self.state);
        if env.chain_id != self.chain_id {
            return Err(BlockInvalid::WrongChain {
                height: env.height,
                expected: self.chain_id,
                got: env.chain_id,
            });
        }
        if env.height != chain.height + 1 {
            return Err(BlockInvalid::BadHeight { last: chain.height, got: env.height });
        }
        if env.time_s < chain.time_s {
            return Err(BlockInvalid::TimeWentBack {
                height: env.height,
                time_s: env.time_s,
                last_time_s: chain.time_s,
            });
        }
        for facet in crate::facets::registry::FACETS {
            facet.begin_block(&mut self.state, env);
        }
        self.open = Some(*env);
        Ok(())
    }

    /// When the next scheduled task is due (the sequencer makes a block then, even without
    /// user commands).
    pub fn next_task_due(&self) -> Option<u64> {
        ledger::next_due(&self.state)
    }

    /// The system transaction the block of `env` opens with, if tasks are due at its time:
    /// `runTasks(height, count)`, unsigned, from the zero address.
    pub fn system_tx(&self, env: &Env) -> Option<Tx> {
        let count = ledger::due_tasks(&self.state, env.time_s).len();
        (count > 0).then(|| {
            let command = Command::RunTasks(command::RunTasks {
                height: env.height,
                count: count as u32,
                nonce: 0,
                deadline: 0,
            });
            Tx::new(Address::ZERO, command, [0u8; 65])
        })
    }

    /// Executes a system transaction of the block of `env`: it must be exactly the one the
    /// engine makes ([`Engine::system_tx`]). Each due task runs in its facet with the system
    /// origin, in a nested checkpoint: a task that fails is dropped, its writes undone, and a
    /// `TaskFailed` event says why; the others run.
    pub fn execute_system(&mut self, env: &Env, tx: &Tx) -> Result<Receipt, TxInvalid> {
        let Command::RunTasks(c) = &tx.command else {
            return Err(TxInvalid::BadSystemTx(format!(
                "{} is not a system command",
                tx.command.name()
            )));
        };
        if tx.sender != Address::ZERO || tx.signature != [0u8; 65] {
            return Err(TxInvalid::BadSystemTx(
                "a system transaction is unsigned, from the zero address".into(),
            ));
        }
        let due = ledger::due_tasks(&self.state, env.time_s);
        if c.height != env.height || c.count as usize != due.len() || due.is_empty() {
            return Err(TxInvalid::BadSystemTx(format!(
                "runTasks(height {}, count {}) in block {}, where {} tasks are due",
                c.height,
                c.count,
                env.height,
                due.len()
            )));
        }
        let mut logs = Vec::new();
        for (key, task) in due {
            self.state.delete(&ledger::state::TASKS, &key);
            let checkpoint = self.state.checkpoint();
            let before = logs.len();
            let outcome = {
                let mut ctx = Ctx {
                    state: &mut self.state,
                    env,
                    sender: Address::ZERO,
                    logs: &mut logs,
                    addrs: &self.addrs,
                    origin: crate::facets::modules::Origin::System,
                    facet: task.facet,
                    depth: 0,
                };
                run_task(&mut ctx, &task)
            };
            if let Err(r) = outcome {
                self.state.revert(checkpoint);
                logs.truncate(before);
                logs.push(Log::new(
                    self.addrs.diamond,
                    &crate::event::TaskFailed {
                        facet: task.facet,
                        kind: task.kind,
                        code: r.code().to_string(),
                    },
                ));
            }
        }
        self.state.commit_journal();
        Ok(Receipt::new(tx, Ok(()), logs))
    }

    /// Envelope checks that decide whether a command can be included at all: nonce and deadline.
    pub fn check(&self, env: &Env, tx: &Tx) -> Result<(), TxInvalid> {
        let expected = ledger::nonce(&self.state, &tx.sender);
        let got = tx.command.nonce();
        if got < expected {
            return Err(TxInvalid::NonceReused { expected, got });
        }
        if got > expected {
            return Err(TxInvalid::NonceGap { expected, got });
        }
        let deadline = tx.command.deadline();
        if env.time_s > deadline {
            return Err(TxInvalid::Expired { deadline, now: env.time_s });
        }
        Ok(())
    }

    /// Executes one command: either it applies entirely, or it is rejected and only the sender's
    /// nonce moves. Envelope failures return `Err` and change nothing.
    ///
    /// Admission of a sender without state: a signature made for another domain recovers some
    /// unrelated address, and a ledger without fees must not store an entry for every such
    /// phantom. A sender with no account entry is admitted only with nonce 0 and a command that
    /// applies and changes some state; otherwise the command is refused before inclusion
    /// ([`TxInvalid::UnknownSender`]) and nothing changes.
    pub fn execute(&mut self, env: &Env, tx: &Tx) -> Result<Receipt, TxInvalid> {
        if tx.command.info().is_system() {
            return Err(TxInvalid::SystemOnly(tx.command.name()));
        }
        let known = self.is_known(&tx.sender);
        if !known && tx.command.nonce() != 0 {
            return Err(TxInvalid::UnknownSender {
                sender: tx.sender,
                why: format!(
                    "its nonce is {}, but an account's first command has nonce 0",
                    tx.command.nonce()
                ),
            });
        }
        self.check(env, tx)?;
        let checkpoint = self.state.checkpoint();
        let (outcome, logs) = self.run(env, tx);
        if !known {
            let why = match &outcome {
                Err(r) => Some(format!("for it the command would be rejected ({}: {r})", r.code())),
                Ok(()) if !self.state.changed_since(checkpoint) => {
                    Some("for it the command would change nothing".to_string())
                }
                Ok(()) => None,
            };
            if let Some(why) = why {
                self.state.revert(checkpoint);
                return Err(TxInvalid::UnknownSender { sender: tx.sender, why });
            }
        }
        if outcome.is_err() {
            self.state.revert(checkpoint);
        }
        ledger::bump_nonce(&mut self.state, tx.sender);
        self.state.commit_journal();
        Ok(Receipt::new(tx, outcome, logs))
    }

    /// Runs a command and undoes it from the journal (`/v1/call`): the receipt it would get now,
    /// with nothing kept, at the cost of the entries it touches (no copy of the state).
    pub fn simulate(&mut self, env: &Env, tx: &Tx) -> Result<Receipt, TxInvalid> {
        self.check(env, tx)?;
        let checkpoint = self.state.checkpoint();
        let (outcome, logs) = self.run(env, tx);
        self.state.revert(checkpoint);
        Ok(Receipt::new(tx, outcome, logs))
    }

    /// Dispatches a command; its writes stay in the journal for the caller to keep or revert.
    /// Logs are dropped when the command is rejected.
    fn run(&mut self, env: &Env, tx: &Tx) -> (Outcome, Vec<Log>) {
        let mut logs = Vec::new();
        let outcome = {
            let mut ctx = Ctx {
                state: &mut self.state,
                env,
                sender: tx.sender,
                logs: &mut logs,
                addrs: &self.addrs,
                origin: crate::facets::modules::Origin::User,
                facet: tx.command.info().facet,
                depth: 0,
            };
            dispatch(&mut ctx, &tx.command)
        };
        if outcome.is_err() {
            logs.clear();
        }
        (outcome, logs)
    }

    /// Ends the block of `env`, begun with [`Engine::begin_block`] (genesis, height 0, is
    /// never begun): records its height and time in the chain's clock, and returns the change
    /// set and the new state root.
    pub fn finish_block(&mut self, env: &Env) -> (ChangeSet, B256) {
        if env.height > 0 {
            let open = self.open.take();
            assert_eq!(open.as_ref(), Some(env), "invariant: a block is begun before it is sealed");
            let chain = ledger::chain(&self.state);
            self.state.set_cell(
                &ledger::state::CHAIN,
                ledger::state::Chain { height: env.height, time_s: env.time_s, ..chain },
            );
            self.state.commit_journal();
        }
        let changes = self.state.take_changes();
        let root = self.commitment.as_mut().map_or(B256::ZERO, |c| c.update(&changes));
        (changes, root)
    }

    /// Applies a change set produced by another engine on the same chain (the committed replica
    /// the API reads), returning the new state root.
    pub fn apply_changes(&mut self, changes: &ChangeSet) -> B256 {
        self.state
            .apply(changes)
            .expect("invariant: a change set comes from an engine of the same build and chain");
        self.commitment.as_mut().map_or(B256::ZERO, |c| c.update(changes))
    }
}

/// Runs a scheduled task in its facet.
fn run_task(ctx: &mut Ctx<'_>, task: &ledger::state::Task) -> Outcome {
    match crate::facets::registry::facet(task.facet) {
        Some(facet) => facet.run_task(ctx, task.kind, &task.payload),
        None => Err(Rejection::UnknownTask { facet: task.facet.into(), kind: task.kind.into() }),
    }
}

/// Dispatches a command through the diamond's selector registry to its facet's handler (the
/// pause applies to internal calls too).
pub(crate) fn dispatch(ctx: &mut Ctx<'_>, command: &Command) -> Outcome {
    let info = command.info();
    let sel = command.selector();
    // The implementation the registry points the selector at: a cut to another version of a
    // facet changes which handler runs from the block it is executed in.
    let Some(implementation) = diamond::facet_of(ctx.state, &sel)
        .as_ref()
        .and_then(diamond::facet_at)
        .filter(|f| f.facet == info.facet && f.serves_commands)
    else {
        return Err(Rejection::UnknownSelector { selector: crate::rejection::Selector(sel) });
    };
    let paused_until = pause::paused_until(ctx.state);
    if info.pausable && paused_until > ctx.env.time_s {
        return Err(Rejection::Paused { until: paused_until });
    }
    (implementation.execute)(ctx, command)
}
