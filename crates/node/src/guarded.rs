//! The store as the node uses it: every call passes through [`GuardedStore`], which latches the
//! first sign of a damaged database (from the sequencer, a recovery read, an API query or the
//! start-up integrity check) so that `/healthz` turns red and says why, instead of the node
//! answering 500 for some queries while claiming to be healthy.

use std::sync::Mutex;

use hoard_store::{
    Addr20, BlockRecord, BlockWrite, EventCursor, EventFilter, EventRecord, Hash32, Result,
    SnapshotRecord, Store, StoreError, TxRecord,
};

/// Longest damage description kept.
const DAMAGE_TEXT_MAX: usize = 512;

/// A store that remembers the first damage it saw.
pub struct GuardedStore {
    inner: Box<dyn Store>,
    damage: Mutex<Option<String>>,
}

impl GuardedStore {
    /// Wraps a store.
    pub fn new(inner: Box<dyn Store>) -> GuardedStore {
        GuardedStore { inner, damage: Mutex::new(None) }
    }

    /// The first damage seen, if any.
    pub fn damage(&self) -> Option<String> {
        self.damage.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Records damage found by a check (keeps the first).
    pub(crate) fn report_damage(&self, what: String) {
        let mut d = self.damage.lock().unwrap_or_else(|p| p.into_inner());
        if d.is_none() {
            let mut what = what;
            if what.len() > DAMAGE_TEXT_MAX {
                let mut cut = DAMAGE_TEXT_MAX;
                while !what.is_char_boundary(cut) {
                    cut -= 1;
                }
                what.truncate(cut);
            }
            tracing::error!(
                damage = %what,
                "the database is damaged: run `hoard verify` to see which blocks, `hoard reindex` \
                 to rebuild the query tables from the log, or restore a backup"
            );
            *d = Some(what);
        }
    }

    fn note<T>(&self, r: Result<T>) -> Result<T> {
        if let Err(e @ (StoreError::Damaged { .. } | StoreError::Corrupt { .. })) = &r {
            self.report_damage(e.to_string());
        }
        r
    }
}

impl Store for GuardedStore {
    fn append_blocks(&self, blocks: &[BlockWrite]) -> Result<()> {
        self.note(self.inner.append_blocks(blocks))
    }
    fn head(&self) -> Result<Option<(u64, Hash32)>> {
        self.note(self.inner.head())
    }
    fn block(&self, height: u64) -> Result<Option<BlockRecord>> {
        self.note(self.inner.block(height))
    }
    fn block_by_hash(&self, hash: &Hash32) -> Result<Option<BlockRecord>> {
        self.note(self.inner.block_by_hash(hash))
    }
    fn blocks_from(&self, from: u64, limit: usize) -> Result<Vec<BlockRecord>> {
        self.note(self.inner.blocks_from(from, limit))
    }
    fn recent_blocks(&self, before: Option<u64>, limit: usize) -> Result<Vec<BlockRecord>> {
        self.note(self.inner.recent_blocks(before, limit))
    }
    fn tx(&self, hash: &Hash32) -> Result<Option<TxRecord>> {
        self.note(self.inner.tx(hash))
    }
    fn txs_in_block(&self, height: u64) -> Result<Vec<TxRecord>> {
        self.note(self.inner.txs_in_block(height))
    }
    fn txs_by_sender(
        &self,
        sender: &Addr20,
        before: Option<(u64, u32)>,
        limit: usize,
    ) -> Result<Vec<TxRecord>> {
        self.note(self.inner.txs_by_sender(sender, before, limit))
    }
    fn events(
        &self,
        filter: &EventFilter,
        after: Option<EventCursor>,
        descending: bool,
        limit: usize,
    ) -> Result<(Vec<EventRecord>, Option<EventCursor>)> {
        self.note(self.inner.events(filter, after, descending, limit))
    }
    fn put_snapshot(&self, snapshot: &SnapshotRecord) -> Result<()> {
        self.note(self.inner.put_snapshot(snapshot))
    }
    fn latest_snapshot(&self) -> Result<Option<SnapshotRecord>> {
        self.note(self.inner.latest_snapshot())
    }
    fn snapshot_heights(&self) -> Result<Vec<u64>> {
        self.note(self.inner.snapshot_heights())
    }
    fn snapshot(&self, height: u64) -> Result<Option<SnapshotRecord>> {
        self.note(self.inner.snapshot(height))
    }
    fn set_aside_snapshot(&self, height: u64, reason: &str) -> Result<()> {
        self.note(self.inner.set_aside_snapshot(height, reason))
    }
    fn acknowledged_head(&self) -> Result<Option<(u64, Hash32)>> {
        self.note(self.inner.acknowledged_head())
    }
    fn reset_acknowledged_head(&self) -> Result<()> {
        self.note(self.inner.reset_acknowledged_head())
    }
    fn integrity_check(&self) -> Result<Vec<String>> {
        self.note(self.inner.integrity_check())
    }
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.note(self.inner.meta(key))
    }
    fn set_meta(&self, key: &str, value: &[u8]) -> Result<()> {
        self.note(self.inner.set_meta(key, value))
    }
    fn clear_projections(&self) -> Result<()> {
        self.note(self.inner.clear_projections())
    }
    fn write_projections(&self, txs: &[TxRecord], events: &[EventRecord]) -> Result<()> {
        self.note(self.inner.write_projections(txs, events))
    }
    fn try_lock_sequencer(&self) -> Result<bool> {
        self.note(self.inner.try_lock_sequencer())
    }
    fn backend_name(&self) -> &'static str {
        self.inner.backend_name()
    }
}
