//! A small chain for tests: known keys, a genesis, and helpers to sign and run commands with
//! explicit block times.

use alloy_primitives::{Address, U256, keccak256};
use hoard_core::{
    Engine, Env, Receipt,
    block::{self, SealedBlock},
    command::{Command, SignedCommand, Tx, address_of_secret},
    genesis::{
        Allocation, AssetGenesis, DfgGenesis, FaucetGenesis, Genesis, IcyGenesis, MinterGenesis,
        ParamsGenesis, RoleGenesis, VestingGenesis,
    },
    rejection::TxInvalid,
};
use secp256k1::SecretKey;

pub const CHAIN_ID: u64 = 31337;
pub const T0: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z
pub const DAY: u64 = 86_400;

pub fn key(i: u32) -> SecretKey {
    SecretKey::from_slice(keccak256(format!("hoard test key {i}").as_bytes()).as_slice())
        .expect("valid key")
}

pub fn addr(i: u32) -> Address {
    address_of_secret(&key(i))
}

pub fn tokens(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18u8))
}

pub fn diamond() -> Address {
    Address::repeat_byte(0xd1)
}

/// Named participants.
pub const GOV: u32 = 0;
pub const ADMIN: u32 = 1;
pub const GUARDIAN: u32 = 2;
pub const MINTER: u32 = 3;
pub const ALICE: u32 = 4;
pub const BOB: u32 = 5;
pub const CAROL: u32 = 6;
pub const TREASURY: u32 = 7;

pub fn genesis() -> Genesis {
    let alloc = |i: u32, n: &str| Allocation { account: addr(i), amount: n.into(), delegate: None };
    let dalloc = |i: u32, n: &str, d: u32| Allocation {
        account: addr(i),
        amount: n.into(),
        delegate: Some(addr(d)),
    };
    Genesis {
        chain_id: CHAIN_ID,
        timestamp: T0,
        diamond: diamond(),
        steward: addr(GOV),
        icy: IcyGenesis {
            allocations: vec![
                alloc(ALICE, "1000000"),
                alloc(BOB, "1000000"),
                alloc(TREASURY, "98000000"),
            ],
            inflation_bps: 300,
            transfer_burn_bps: 0,
            minters: vec![MinterGenesis { account: addr(MINTER), allowance: "5000000".into() }],
            excluded: vec![addr(TREASURY)],
        },
        dfg: DfgGenesis {
            allocations: vec![
                dalloc(ALICE, "1000000", ALICE),
                dalloc(BOB, "500000", BOB),
                alloc(CAROL, "500000"),
                alloc(TREASURY, "6000000"),
            ],
            vesting: vec![VestingGenesis {
                beneficiary: addr(CAROL),
                amount: "2000000".into(),
                start: T0,
                cliff_s: 365 * DAY,
                duration_s: 4 * 365 * DAY,
            }],
        },
        roles: vec![
            RoleGenesis { role: "ADMIN".into(), account: addr(ADMIN) },
            RoleGenesis { role: "GUARDIAN".into(), account: addr(GUARDIAN) },
        ],
        assets: vec![AssetGenesis {
            symbol: "USDC".into(),
            decimals: 6,
            allocations: vec![alloc(ALICE, "1000000"), alloc(TREASURY, "5000000")],
            faucet: Some(FaucetGenesis { amount: "100".into(), interval_s: DAY }),
        }],
        pools: vec![],
        params: ParamsGenesis::default(),
    }
}

/// An engine plus a clock and a block height.
pub struct Chain {
    pub engine: Engine,
    pub time_s: u64,
    pub height: u64,
    pub parent: alloy_primitives::B256,
    pub blocks: Vec<SealedBlock>,
    /// Receipts of the system transactions the blocks opened with.
    pub system_receipts: Vec<Receipt>,
}

impl Chain {
    pub fn new() -> Chain {
        Chain::from_genesis(&genesis())
    }

    pub fn from_genesis(g: &Genesis) -> Chain {
        let engine = g.build().expect("valid genesis");
        Chain {
            engine,
            time_s: g.timestamp,
            height: 0,
            parent: alloy_primitives::B256::ZERO,
            blocks: vec![],
            system_receipts: vec![],
        }
    }

    pub fn env(&self) -> Env {
        Env { chain_id: CHAIN_ID, height: self.height + 1, time_s: self.time_s }
    }

    pub fn warp(&mut self, seconds: u64) {
        self.time_s += seconds;
    }

    /// Signs `command` as `who`. The governance steward (`GOV`) acts for governance: its
    /// commands are wrapped in `actAsGovernance` (governance itself has no key), unless they are
    /// already governance-facet commands.
    pub fn sign(&self, who: u32, command: Command) -> Tx {
        let command =
            if who == GOV && command.info().facet != hoard_core::facets::governance::state::FACET {
                hoard_core::facets::governance::wrap(&command, command.nonce(), command.deadline())
            } else {
                command
            };
        SignedCommand::sign(command, self.engine.domain(), &key(who))
            .verify(self.engine.domain())
            .expect("own signature verifies")
    }

    pub fn nonce(&self, who: u32) -> u64 {
        self.engine.nonce(&addr(who))
    }

    pub fn deadline(&self) -> u64 {
        self.time_s + 3600
    }

    /// Runs one command in its own block; returns the receipt.
    pub fn run(&mut self, who: u32, command: Command) -> Receipt {
        self.try_run(who, command).expect("includable")
    }

    pub fn try_run(&mut self, who: u32, command: Command) -> Result<Receipt, TxInvalid> {
        let tx = self.sign(who, command);
        self.run_tx(tx)
    }

    /// Runs an already signed transaction in its own block, after the block's system
    /// transaction when tasks are due (as the node does).
    pub fn run_tx(&mut self, tx: Tx) -> Result<Receipt, TxInvalid> {
        let env = self.env();
        self.engine.begin_block(&env).expect("the harness's blocks follow each other");
        let (mut txs, mut receipts) = (Vec::new(), Vec::new());
        if let Some(system) = self.engine.system_tx(&env) {
            let r = self.engine.execute_system(&env, &system).expect("the engine's own system tx");
            self.system_receipts.push(r.clone());
            txs.push(system);
            receipts.push(r);
        }
        let r = match self.engine.execute(&env, &tx) {
            Ok(r) => r,
            Err(e) => {
                // Refused: the block holds only the system transaction, if any.
                if !txs.is_empty() {
                    let sealed = block::seal(&mut self.engine, self.parent, &env, txs, receipts);
                    self.parent = sealed.hash;
                    self.height += 1;
                    self.blocks.push(sealed);
                }
                return Err(e);
            }
        };
        txs.push(tx);
        receipts.push(r.clone());
        let sealed = block::seal(&mut self.engine, self.parent, &env, txs, receipts);
        self.parent = sealed.hash;
        self.height += 1;
        self.blocks.push(sealed);
        self.time_s += 1;
        Ok(r)
    }

    pub fn ok(&mut self, who: u32, command: Command) -> Receipt {
        let r = self.run(who, command);
        assert!(r.success(), "expected success, got {:?}: {:?}", r.code(), r.message());
        r
    }

    /// Makes a block with only the system transaction when tasks are due (as the node does
    /// without user traffic); returns its receipt.
    pub fn run_due_tasks(&mut self) -> Option<Receipt> {
        let env = self.env();
        let system = self.engine.system_tx(&env)?;
        self.engine.begin_block(&env).expect("the harness's blocks follow each other");
        let r = self.engine.execute_system(&env, &system).expect("the engine's own system tx");
        let sealed =
            block::seal(&mut self.engine, self.parent, &env, vec![system], vec![r.clone()]);
        self.parent = sealed.hash;
        self.height += 1;
        self.blocks.push(sealed);
        self.system_receipts.push(r.clone());
        Some(r)
    }

    pub fn rejected(&mut self, who: u32, command: Command, code: &str) -> Receipt {
        // Due tasks run first, in a block of their own: "nothing changed" is about the command.
        self.run_due_tasks();
        let root_before = self.engine.state_root();
        let nonce_before = self.nonce(who);
        let snapshot_before = state_without_nonce(&self.engine, addr(who));
        let r = self.run(who, command);
        assert!(!r.success(), "expected rejection {code}, command succeeded");
        assert_eq!(r.code(), Some(code), "message: {:?}", r.message());
        assert!(r.logs.is_empty());
        // Nothing changed but the nonce.
        assert_eq!(self.nonce(who), nonce_before + 1);
        assert_eq!(state_without_nonce(&self.engine, addr(who)), snapshot_before);
        assert_ne!(self.engine.state_root(), root_before, "the nonce is part of the state");
        r
    }
}

/// Every state entry except the given account's nonce and the chain's clock (which every block
/// moves), for "nothing changed" checks.
pub fn state_without_nonce(engine: &Engine, who: Address) -> Vec<String> {
    let mut nonce_key = hoard_core::facets::ledger::state::NONCES.id.prefix().to_vec();
    nonce_key.extend_from_slice(who.as_slice());
    let clock_key = hoard_core::facets::ledger::state::CHAIN.id.prefix().to_vec();
    engine
        .state()
        .encoded_entries()
        .into_iter()
        .filter(|(k, _)| *k != nonce_key && *k != clock_key)
        .map(|(k, v)| {
            format!("{} = {}", alloy_primitives::hex::encode(k), alloy_primitives::hex::encode(v))
        })
        .collect()
}
