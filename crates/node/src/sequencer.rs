//! The sequencer thread: orders commands into blocks and commits them durably.

use std::{
    sync::{Arc, atomic::Ordering, mpsc},
    time::Instant,
};

use hoard_core::{Engine, Env, Receipt, block, command::Tx};

use crate::{
    BLOCK_TXS_MAX, CommittedBlock, Head, NodeConfig, SNAPSHOT_EVERY_BLOCKS, SNAPSHOT_EVERY_TXS,
    Shared, Submission, TxOutcome, recovery::Recovered,
};

/// How often an idle sequencer checks for shutdown.
const IDLE_POLL: std::time::Duration = std::time::Duration::from_millis(50);

pub(crate) struct Sequencer {
    shared: Arc<Shared>,
    engine: Engine,
    head: Head,
    rx: mpsc::Receiver<Submission>,
    config: NodeConfig,
    txs_since_snapshot: u64,
    blocks_since_snapshot: u64,
    /// A block failed to commit: the working engine is ahead of the log and must never be
    /// snapshotted.
    failed: bool,
}

/// A submission waiting for its block to commit: outcomes by position, with the included ones
/// filled in after the commit.
struct Waiter {
    reply: tokio::sync::oneshot::Sender<Vec<TxOutcome>>,
    outcomes: Vec<Option<TxOutcome>>,
    /// (position in submission, index in block)
    included: Vec<(usize, usize)>,
}

#[derive(Default)]
struct Building {
    txs: Vec<Tx>,
    receipts: Vec<Receipt>,
    waiters: Vec<Waiter>,
}

impl Sequencer {
    pub(crate) fn new(
        shared: Arc<Shared>,
        r: Recovered,
        rx: mpsc::Receiver<Submission>,
        config: NodeConfig,
    ) -> Self {
        Sequencer {
            shared,
            engine: r.engine,
            head: r.head,
            rx,
            config,
            txs_since_snapshot: r.txs_since_snapshot,
            blocks_since_snapshot: r.blocks_since_snapshot,
            failed: false,
        }
    }

    pub(crate) fn run(mut self) {
        let mut carried: Option<Submission> = None;
        loop {
            let first = match carried.take() {
                Some(s) => Some(s),
                None => match self.rx.recv_timeout(IDLE_POLL) {
                    Ok(s) => Some(s),
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if self.shared.stop.load(Ordering::SeqCst) {
                            break;
                        }
                        // Without user commands, a block is made when a scheduled task is due.
                        let now = (self.config.clock)().max(self.head.time_s);
                        if self.engine.next_task_due().is_none_or(|due| due > now) {
                            continue;
                        }
                        None
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                },
            };
            let opened = Instant::now();
            let env = Env {
                chain_id: self.engine.chain_id(),
                height: self.head.height + 1,
                time_s: (self.config.clock)().max(self.head.time_s),
            };
            if let Err(e) = self.engine.begin_block(&env) {
                // The sequencer's own clock keeps time monotonic; a refusal is a bug, so stop
                // before building on it (fail-stop, like a failed commit).
                tracing::error!(error = %e, code = e.code(), "the engine refused to open a block");
                *self.shared.stop_reason.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(format!("the engine refused to open block {}: {e}", env.height));
                self.failed = true;
                self.shared.running.store(false, Ordering::SeqCst);
                if let Some(first) = first {
                    let _ = first
                        .reply
                        .send(first.txs.iter().map(|_| TxOutcome::Failed(e.to_string())).collect());
                }
                break;
            }
            let mut b = Building::default();
            // The block opens with the node's own transaction when tasks are due.
            if let Some(system) = self.engine.system_tx(&env) {
                match self.engine.execute_system(&env, &system) {
                    Ok(receipt) => {
                        b.txs.push(system);
                        b.receipts.push(receipt);
                    }
                    Err(e) => {
                        // The engine's own transaction for its own state: never refused.
                        tracing::error!(error = %e, "the engine refused its own system transaction");
                    }
                }
            }
            if let Some(first) = first {
                self.absorb(&env, first, &mut b);
                while b.txs.len() < BLOCK_TXS_MAX {
                    let left = self.config.block_interval.saturating_sub(opened.elapsed());
                    if left.is_zero() {
                        break;
                    }
                    match self.rx.recv_timeout(left) {
                        Ok(s) if b.txs.len() + s.txs.len() > BLOCK_TXS_MAX => {
                            carried = Some(s);
                            break;
                        }
                        Ok(s) => self.absorb(&env, s, &mut b),
                        Err(_) => break,
                    }
                }
            }
            if !self.commit(&env, b) {
                break;
            }
        }
        self.snapshot();
        self.shared.running.store(false, Ordering::SeqCst);
    }

    /// Executes a submission into the block being built.
    fn absorb(&mut self, env: &Env, s: Submission, b: &mut Building) {
        let mut w =
            Waiter { reply: s.reply, outcomes: vec![None; s.txs.len()], included: Vec::new() };
        let mut invalid = 0;
        for (pos, tx) in s.txs.into_iter().enumerate() {
            match self.engine.execute(env, &tx) {
                Ok(receipt) => {
                    w.included.push((pos, b.txs.len()));
                    b.txs.push(tx);
                    b.receipts.push(receipt);
                }
                Err(e) => {
                    invalid += 1;
                    w.outcomes[pos] = Some(TxOutcome::Invalid(e));
                }
            }
        }
        self.shared.metrics.invalid(invalid);
        b.waiters.push(w);
    }

    /// Seals and commits a block, then answers its submitters. Returns false if the sequencer
    /// must stop (a failed commit).
    fn commit(&mut self, env: &Env, b: Building) -> bool {
        if b.txs.is_empty() {
            // Empty blocks are not written; nothing changed in the engine.
            for w in b.waiters {
                let _ = w.reply.send(
                    w.outcomes
                        .into_iter()
                        .map(|o| o.unwrap_or(TxOutcome::Failed("not executed".into())))
                        .collect(),
                );
            }
            return true;
        }
        let rejected = b.receipts.iter().filter(|r| !r.success()).count() as u64;
        let sealed = block::seal(&mut self.engine, self.head.hash, env, b.txs, b.receipts);
        let write = crate::block_write(&sealed);
        let started = Instant::now();
        if let Err(e) = self.shared.store.append_blocks(std::slice::from_ref(&write)) {
            let cause = e.cause().unwrap_or_else(|| e.to_string());
            tracing::error!(
                error = %e,
                cause = %cause,
                height = env.height,
                "block commit failed; the sequencer stops. Nothing of this block was \
                 acknowledged; the log ends at block {}. Fix the cause and restart the node",
                self.head.height
            );
            *self.shared.stop_reason.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(format!("block {} could not be committed: {cause}", env.height));
            self.failed = true;
            // Stopped before anyone hears of the failure: no new submission is taken after it.
            self.shared.running.store(false, Ordering::SeqCst);
            for w in b.waiters {
                let msg =
                    "the node failed to commit the block; the command was not applied".to_string();
                let outcomes = w
                    .outcomes
                    .into_iter()
                    .map(|o| match o {
                        Some(TxOutcome::Invalid(e)) => TxOutcome::Invalid(e),
                        _ => TxOutcome::Failed(msg.clone()),
                    })
                    .collect();
                let _ = w.reply.send(outcomes);
            }
            return false;
        }
        let commit_ms = started.elapsed().as_millis() as u64;
        self.head = Head {
            height: sealed.header.height,
            hash: sealed.hash,
            time_s: sealed.header.time_s,
            state_root: sealed.header.state_root,
        };
        {
            let mut c = self.shared.committed.write().unwrap_or_else(|p| p.into_inner());
            let root = c.engine.apply_changes(&sealed.changes);
            debug_assert_eq!(root, sealed.header.state_root, "replica follows the sequencer");
            c.head = self.head;
        }
        {
            // The dry-run replica, if any, follows; one copied from the committed replica just
            // now may already hold this block.
            let mut scratch = self.shared.scratch.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(s) = scratch.as_mut()
                && s.head.height + 1 == self.head.height
            {
                s.engine.apply_changes(&sealed.changes);
                s.head = self.head;
            }
        }
        self.shared.metrics.block(sealed.txs.len() as u64, rejected, commit_ms);
        self.shared.metrics.set_head(self.head.height);
        let height = sealed.header.height;
        for mut w in b.waiters {
            for (pos, idx) in w.included {
                w.outcomes[pos] = Some(TxOutcome::Included {
                    receipt: sealed.receipts[idx].clone(),
                    height,
                    index: idx as u32,
                });
            }
            let _ = w.reply.send(
                w.outcomes
                    .into_iter()
                    .map(|o| o.unwrap_or(TxOutcome::Failed("not executed".into())))
                    .collect(),
            );
        }
        self.txs_since_snapshot += sealed.txs.len() as u64;
        self.blocks_since_snapshot += 1;
        let _ = self.shared.blocks.send(Arc::new(CommittedBlock {
            header: sealed.header,
            hash: sealed.hash,
            txs: sealed.txs,
            receipts: sealed.receipts,
        }));
        if self.txs_since_snapshot >= SNAPSHOT_EVERY_TXS
            || self.blocks_since_snapshot >= SNAPSHOT_EVERY_BLOCKS
        {
            self.snapshot();
        }
        true
    }

    /// Writes a snapshot of the working engine, which must hold exactly the committed state.
    fn snapshot(&mut self) {
        if self.txs_since_snapshot == 0 && self.blocks_since_snapshot == 0 {
            return;
        }
        // A snapshot holds committed state only: after a failed commit the working engine
        // contains a block that is not in the log.
        if self.failed || self.engine.state_root() != self.head.state_root {
            tracing::warn!(
                height = self.head.height,
                "no snapshot: the working state is not the committed state"
            );
            return;
        }
        let snap = hoard_store::SnapshotRecord {
            height: self.head.height,
            state_root: self.head.state_root.0,
            bytes: self.engine.state().encode_snapshot(),
        };
        match self.shared.store.put_snapshot(&snap) {
            Ok(()) => {
                self.txs_since_snapshot = 0;
                self.blocks_since_snapshot = 0;
            }
            Err(e) => tracing::warn!(
                error = %e,
                cause = e.cause().unwrap_or_default(),
                "snapshot failed; recovery will replay more blocks"
            ),
        }
    }
}
