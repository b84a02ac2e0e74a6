//! The conformance suite: one function per behaviour of [`Store`], run on every backend.
//!
//! Each function takes a fresh, empty store (or a factory that opens the same store again, for
//! reopen tests) and panics with a message when the backend misbehaves. [`fixtures`] builds
//! deterministic chains of blocks; [`Model`] is a simple in-memory reference that answers the
//! same queries, so most checks compare the backend with the model over many queries.
//!
//! Enabled by the `conformance` cargo feature.

use std::collections::{BTreeMap, HashSet};

use crate::{
    APPEND_BLOCKS_MAX, Addr20, BLOCKS_FROM_MAX, BlockRecord, BlockWrite, EVENTS_PAGE_MAX,
    EventCursor, EventFilter, EventRecord, Hash32, RECENT_BLOCKS_MAX, SNAPSHOTS_KEPT,
    SnapshotRecord, Store, TXS_PAGE_MAX, TxRecord, pad_address,
};

/// Deterministic test data.
pub mod fixtures {
    use super::*;

    /// Accounts that send transactions and appear in event topics.
    pub const SENDERS: [Addr20; 5] = [[0xa1; 20], [0xa2; 20], [0xa3; 20], [0xa4; 20], [0xa5; 20]];
    /// Contract addresses that emit events.
    pub const CONTRACTS: [Addr20; 4] = [[0xc1; 20], [0xc2; 20], [0xc3; 20], [0xc4; 20]];
    /// Event signatures (topic0 values).
    pub const SIGNATURES: [Hash32; 3] = [[0xe1; 32], [0xe2; 32], [0xe3; 32]];

    /// SplitMix64: a tiny deterministic generator, enough for test data.
    #[derive(Debug, Clone)]
    pub struct Rng(pub u64);

    impl Rng {
        pub fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        /// A value in `0..n` (n > 0).
        pub fn below(&mut self, n: u64) -> u64 {
            self.next_u64() % n
        }
    }

    /// A distinct 32-byte value for each `(tag, a, b)`.
    pub fn hash(tag: u8, a: u64, b: u64) -> Hash32 {
        let mut out = [tag; 32];
        out[1..9].copy_from_slice(&a.to_be_bytes());
        out[9..17].copy_from_slice(&b.to_be_bytes());
        out
    }

    /// The header the fixtures write: height, tx count and event count, so that a reader can
    /// check that it sees a block together with all its rows.
    pub fn header(height: u64, txs: u32, events: u32) -> Vec<u8> {
        let mut header = height.to_be_bytes().to_vec();
        header.extend_from_slice(&txs.to_be_bytes());
        header.extend_from_slice(&events.to_be_bytes());
        header
    }

    /// Decodes [`header`]: `(height, txs, events)`.
    pub fn parse_header(header: &[u8]) -> Option<(u64, u32, u32)> {
        Some((
            u64::from_be_bytes(header.get(0..8)?.try_into().ok()?),
            u32::from_be_bytes(header.get(8..12)?.try_into().ok()?),
            u32::from_be_bytes(header.get(12..16)?.try_into().ok()?),
        ))
    }

    /// One block at `height` on top of `parent` with `txs` transactions and up to
    /// `events_max_per_tx` events each (0 to 4 topics drawn from the constants above), all
    /// derived from `seed`.
    pub fn block_write(
        height: u64,
        parent: Hash32,
        txs: u32,
        events_max_per_tx: u32,
        seed: u64,
    ) -> BlockWrite {
        let mut rng = Rng(seed ^ height.wrapping_mul(0x1000_0000_01b3));
        let block_hash = hash(0xb0, height, seed);
        let mut tx_records = Vec::with_capacity(txs as usize);
        let mut events = Vec::new();
        for index in 0..txs {
            let tx_hash = hash(0x70, height, (seed << 20) ^ u64::from(index));
            let success = rng.below(4) != 0;
            tx_records.push(TxRecord {
                hash: tx_hash,
                height,
                index,
                sender: SENDERS[rng.below(5) as usize],
                success,
                code: (!success).then(|| "token.insufficient_balance".to_owned()),
                receipt: rng.next_u64().to_be_bytes().repeat(1 + rng.below(8) as usize),
            });
            let count = if events_max_per_tx == 0 {
                0
            } else {
                rng.below(u64::from(events_max_per_tx) + 1)
            };
            for _ in 0..count {
                let topic_count = rng.below(5) as usize;
                let mut topics = Vec::with_capacity(topic_count);
                for position in 0..topic_count {
                    topics.push(if position == 0 {
                        SIGNATURES[rng.below(3) as usize]
                    } else if rng.below(6) == 0 {
                        hash(0x77, rng.next_u64(), 0)
                    } else {
                        pad_address(&SENDERS[rng.below(5) as usize])
                    });
                }
                let log_index = u32::try_from(events.len()).expect("fixture: few events");
                events.push(EventRecord {
                    height,
                    tx_index: index,
                    log_index,
                    tx_hash,
                    address: CONTRACTS[rng.below(4) as usize],
                    topics,
                    data: rng.next_u64().to_le_bytes().repeat(rng.below(4) as usize),
                });
            }
        }
        let event_count = u32::try_from(events.len()).expect("fixture: few events");
        BlockWrite {
            block: BlockRecord {
                height,
                hash: block_hash,
                parent_hash: parent,
                timestamp: 1_700_000_000 + height * 2,
                tx_count: txs,
                header: header(height, txs, event_count),
                body: vec![(height % 251) as u8; 16 + 64 * txs as usize],
            },
            txs: tx_records,
            events,
        }
    }

    /// `blocks` blocks extending `head` (or starting at height 1 on an empty store).
    pub fn chain_after(
        head: Option<(u64, Hash32)>,
        blocks: usize,
        txs: u32,
        events_max_per_tx: u32,
        seed: u64,
    ) -> Vec<BlockWrite> {
        let (mut height, mut parent) = match head {
            Some((height, hash)) => (height + 1, hash),
            None => (1, [0; 32]),
        };
        let mut out = Vec::with_capacity(blocks);
        for _ in 0..blocks {
            let write = block_write(height, parent, txs, events_max_per_tx, seed);
            parent = write.block.hash;
            height += 1;
            out.push(write);
        }
        out
    }

    /// Filters that exercise every condition alone and combined, against fixture data.
    pub fn sample_filters(max_height: u64) -> Vec<EventFilter> {
        let mut filters = vec![EventFilter::default()];
        for contract in CONTRACTS {
            filters.push(EventFilter { addresses: vec![contract], ..EventFilter::default() });
        }
        filters.push(EventFilter {
            addresses: vec![CONTRACTS[0], CONTRACTS[2]],
            ..EventFilter::default()
        });
        for position in 0..4 {
            let candidates: Vec<Hash32> = if position == 0 {
                SIGNATURES.to_vec()
            } else {
                SENDERS.iter().map(pad_address).collect()
            };
            for candidate in &candidates {
                let mut filter = EventFilter::default();
                filter.topics[position] = Some(vec![*candidate]);
                filters.push(filter);
            }
            let mut or_set = EventFilter::default();
            or_set.topics[position] = Some(vec![candidates[0], candidates[1]]);
            filters.push(or_set);
            let mut empty_set = EventFilter::default();
            empty_set.topics[position] = Some(Vec::new());
            filters.push(empty_set);
        }
        for sender in SENDERS {
            filters.push(EventFilter { account: Some(sender), ..EventFilter::default() });
        }
        let mid = max_height / 2;
        filters.push(EventFilter { from_height: Some(mid), ..EventFilter::default() });
        filters.push(EventFilter { to_height: Some(mid), ..EventFilter::default() });
        filters.push(EventFilter {
            from_height: Some(mid),
            to_height: Some(mid),
            ..EventFilter::default()
        });
        filters.push(EventFilter {
            from_height: Some(mid + 1),
            to_height: Some(mid),
            ..EventFilter::default()
        });
        filters.push(EventFilter {
            from_height: Some(2),
            to_height: Some(max_height.saturating_sub(1)),
            addresses: vec![CONTRACTS[1], CONTRACTS[3]],
            topics: [Some(vec![SIGNATURES[0], SIGNATURES[2]]), None, None, None],
            account: Some(SENDERS[1]),
        });
        filters.push(EventFilter {
            topics: [
                Some(vec![SIGNATURES[1]]),
                Some(vec![pad_address(&SENDERS[0]), pad_address(&SENDERS[3])]),
                Some(SENDERS.iter().map(pad_address).collect()),
                None,
            ],
            ..EventFilter::default()
        });
        filters
    }
}

/// An in-memory reference store with the semantics documented on [`Store`].
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub blocks: BTreeMap<u64, BlockRecord>,
    pub txs: BTreeMap<(u64, u32), TxRecord>,
    pub events: BTreeMap<(u64, u32), EventRecord>,
    pub snapshots: BTreeMap<u64, SnapshotRecord>,
    pub meta: BTreeMap<String, Vec<u8>>,
}

impl Model {
    pub fn head(&self) -> Option<(u64, Hash32)> {
        self.blocks.last_key_value().map(|(h, b)| (*h, b.hash))
    }

    /// Applies an append if the backend would accept it; returns whether it did.
    pub fn append(&mut self, blocks: &[BlockWrite]) -> bool {
        if crate::check_batch(blocks).is_err() {
            return false;
        }
        if let Some(first) = blocks.first()
            && crate::check_extends(self.head(), &first.block).is_err()
        {
            return false;
        }
        let mut hashes: HashSet<Hash32> = self.blocks.values().map(|b| b.hash).collect();
        if !blocks.iter().all(|w| hashes.insert(w.block.hash)) {
            return false;
        }
        for write in blocks {
            self.blocks.insert(write.block.height, write.block.clone());
            self.insert_rows(&write.txs, &write.events);
        }
        true
    }

    pub fn insert_rows(&mut self, txs: &[TxRecord], events: &[EventRecord]) {
        for tx in txs {
            self.txs.insert((tx.height, tx.index), tx.clone());
        }
        for event in events {
            self.events.insert((event.height, event.log_index), event.clone());
        }
    }

    pub fn tx(&self, hash: &Hash32) -> Option<TxRecord> {
        self.txs.values().find(|tx| tx.hash == *hash).cloned()
    }

    pub fn txs_by_sender(
        &self,
        sender: &Addr20,
        before: Option<(u64, u32)>,
        limit: usize,
    ) -> Vec<TxRecord> {
        let limit = crate::clamp_limit(limit, TXS_PAGE_MAX);
        self.txs
            .iter()
            .rev()
            .filter(|(key, tx)| before.is_none_or(|b| **key < b) && tx.sender == *sender)
            .map(|(_, tx)| tx.clone())
            .take(limit)
            .collect()
    }

    pub fn recent_blocks(&self, before: Option<u64>, limit: usize) -> Vec<BlockRecord> {
        let limit = crate::clamp_limit(limit, RECENT_BLOCKS_MAX);
        self.blocks
            .values()
            .rev()
            .filter(|b| before.is_none_or(|before| b.height < before))
            .take(limit)
            .cloned()
            .collect()
    }

    pub fn events(
        &self,
        filter: &EventFilter,
        after: Option<EventCursor>,
        descending: bool,
        limit: usize,
    ) -> (Vec<EventRecord>, Option<EventCursor>) {
        let limit = crate::clamp_limit(limit, EVENTS_PAGE_MAX);
        let key = |e: &EventRecord| EventCursor { height: e.height, log_index: e.log_index };
        let matching = self.events.values().filter(|e| filter.matches(e));
        let after_cursor = |e: &&EventRecord| match after {
            None => true,
            Some(c) if descending => key(e) < c,
            Some(c) => key(e) > c,
        };
        let mut page: Vec<EventRecord> = if descending {
            matching.rev().filter(after_cursor).take(limit + 1).cloned().collect()
        } else {
            matching.filter(after_cursor).take(limit + 1).cloned().collect()
        };
        let next = if page.len() > limit {
            page.truncate(limit);
            page.last().map(key)
        } else {
            None
        };
        (page, next)
    }

    /// Every matching event, ascending.
    pub fn all_events(&self, filter: &EventFilter) -> Vec<EventRecord> {
        self.events.values().filter(|e| filter.matches(e)).cloned().collect()
    }
}

/// Appends `blocks` to both the store and the model, panicking if the store refuses.
pub fn append_both(store: &dyn Store, model: &mut Model, blocks: &[BlockWrite]) {
    store.append_blocks(blocks).expect("append of a valid chain succeeds");
    assert!(model.append(blocks), "the model accepts a valid chain");
}

/// Reads every page of `filter` from the store (page size `limit`), checking the cursor
/// contract on the way: full pages until the last, no duplicates, strict order.
pub fn collect_pages(
    store: &dyn Store,
    filter: &EventFilter,
    descending: bool,
    limit: usize,
) -> Vec<EventRecord> {
    let mut out: Vec<EventRecord> = Vec::new();
    let mut cursor = None;
    for _ in 0..100_000 {
        let (page, next) = store.events(filter, cursor, descending, limit).expect("events query");
        assert!(page.len() <= limit.max(1), "a page is never longer than its limit");
        if next.is_some() {
            assert_eq!(page.len(), limit.max(1), "only the last page may be short");
            let last = page.last().expect("a page with a next cursor is not empty");
            assert_eq!(next, Some(EventCursor { height: last.height, log_index: last.log_index }));
        }
        out.extend(page);
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let keys: Vec<(u64, u32)> = out.iter().map(|e| (e.height, e.log_index)).collect();
    let ordered = keys.windows(2).all(|w| if descending { w[0] > w[1] } else { w[0] < w[1] });
    assert!(ordered, "pages are strictly ordered with no duplicates");
    out
}

fn expect_code<T: std::fmt::Debug>(result: crate::Result<T>, code: &str, what: &str) {
    match result {
        Err(err) => assert_eq!(err.code(), code, "{what}: wrong error {err}"),
        Ok(value) => panic!("{what}: expected {code}, got Ok({value:?})"),
    }
}

/// Checks that the store answers exactly like the model: head, every block, every transaction,
/// and every sample filter.
pub fn assert_same_answers(store: &dyn Store, model: &Model) {
    assert_eq!(store.head().expect("head"), model.head(), "head");
    for (height, block) in &model.blocks {
        assert_eq!(store.block(*height).expect("block").as_ref(), Some(block), "block {height}");
        assert_eq!(store.block_by_hash(&block.hash).expect("block by hash").as_ref(), Some(block));
        let expected: Vec<TxRecord> =
            model.txs.range((*height, 0)..=(*height, u32::MAX)).map(|(_, t)| t.clone()).collect();
        assert_eq!(store.txs_in_block(*height).expect("txs in block"), expected, "txs {height}");
    }
    for tx in model.txs.values() {
        assert_eq!(store.tx(&tx.hash).expect("tx"), model.tx(&tx.hash), "tx by hash");
    }
    for sender in fixtures::SENDERS {
        assert_eq!(
            store.txs_by_sender(&sender, None, TXS_PAGE_MAX).expect("txs by sender"),
            model.txs_by_sender(&sender, None, TXS_PAGE_MAX),
            "txs by sender"
        );
    }
    let max_height = model.head().map_or(0, |(h, _)| h);
    for filter in fixtures::sample_filters(max_height) {
        assert_eq!(
            collect_pages(store, &filter, false, EVENTS_PAGE_MAX),
            model.all_events(&filter),
            "events for {filter:?}"
        );
    }
}

/// An empty store answers every query with nothing.
pub fn empty_store(store: &dyn Store) {
    assert_eq!(store.head().expect("head"), None);
    assert_eq!(store.block(0).expect("block"), None);
    assert_eq!(store.block(1).expect("block"), None);
    assert_eq!(store.block(u64::MAX).expect("block"), None);
    assert_eq!(store.block_by_hash(&[7; 32]).expect("block by hash"), None);
    assert!(store.blocks_from(0, 10).expect("blocks_from").is_empty());
    assert!(store.recent_blocks(None, 10).expect("recent").is_empty());
    assert_eq!(store.tx(&[7; 32]).expect("tx"), None);
    assert!(store.txs_in_block(1).expect("txs").is_empty());
    assert!(store.txs_by_sender(&[1; 20], None, 10).expect("by sender").is_empty());
    assert_eq!(
        store.events(&EventFilter::default(), None, false, 10).expect("events"),
        (vec![], None)
    );
    assert_eq!(store.latest_snapshot().expect("snapshot"), None);
    assert!(store.snapshot_heights().expect("snapshots").is_empty());
    assert_eq!(store.meta("genesis").expect("meta"), None);
    store.append_blocks(&[]).expect("an empty append is a no-op");
    assert_eq!(store.head().expect("head"), None);
    assert!(!store.backend_name().is_empty());
}

/// Appended blocks and their rows read back identically, through every accessor.
pub fn append_and_read_back(store: &dyn Store) {
    let mut model = Model::default();
    let first = fixtures::chain_after(None, 1, 12, 3, 1);
    append_both(store, &mut model, &first);
    let more = fixtures::chain_after(model.head(), 4, 12, 3, 1);
    append_both(store, &mut model, &more);
    assert_eq!(store.head().expect("head"), Some((5, more[3].block.hash)));
    let written = store.txs_in_block(3).expect("txs");
    assert_eq!(written.len(), 12, "all transactions of block 3 are there");
    assert!(written.iter().any(|t| !t.success && t.code.is_some()), "a rejection is kept");
    let block2 = store.block(2).expect("block").expect("block 2 exists");
    assert_eq!(block2, more[0].block);
    assert_eq!(store.block_by_hash(&more[0].block.hash).expect("by hash"), Some(block2));
    let replay = store.blocks_from(2, 10).expect("blocks_from");
    assert_eq!(replay.iter().map(|b| b.height).collect::<Vec<_>>(), vec![2, 3, 4, 5]);
    assert_eq!(store.blocks_from(4, 1).expect("blocks_from").len(), 1);
    assert!(store.blocks_from(6, 10).expect("blocks_from").is_empty());
    let events_of_4 =
        EventFilter { from_height: Some(4), to_height: Some(4), ..Default::default() };
    assert_eq!(collect_pages(store, &events_of_4, false, 1000), more[2].events);
    assert_same_answers(store, &model);
}

/// The first block of an empty store must have height 0 or 1.
pub fn first_block_height(store: &dyn Store) {
    let high = fixtures::block_write(2, [0; 32], 1, 1, 2);
    expect_code(store.append_blocks(&[high]), "store.conflict", "first block at height 2");
    assert_eq!(store.head().expect("head"), None, "nothing written");
    let genesis = fixtures::block_write(0, [0; 32], 1, 1, 2);
    store.append_blocks(std::slice::from_ref(&genesis)).expect("height 0 is a valid first block");
    let next = fixtures::block_write(1, genesis.block.hash, 1, 1, 2);
    store.append_blocks(&[next]).expect("height 1 follows height 0");
    assert_eq!(store.head().expect("head").map(|h| h.0), Some(1));
}

/// A block whose height is not head + 1 is refused and nothing is written.
pub fn conflict_wrong_height(store: &dyn Store) {
    let mut model = Model::default();
    append_both(store, &mut model, &fixtures::chain_after(None, 2, 3, 2, 3));
    let (head, hash) = model.head().expect("head");
    let skip = fixtures::block_write(head + 2, hash, 3, 2, 3);
    expect_code(store.append_blocks(&[skip]), "store.conflict", "height head + 2");
    let again = fixtures::block_write(head, hash, 3, 2, 4);
    expect_code(store.append_blocks(&[again]), "store.conflict", "height head again");
    assert_eq!(store.block(head + 2).expect("block"), None);
    assert_same_answers(store, &model);
}

/// A block whose parent hash is not the head's hash is refused and nothing is written.
pub fn conflict_wrong_parent(store: &dyn Store) {
    let mut model = Model::default();
    append_both(store, &mut model, &fixtures::chain_after(None, 2, 3, 2, 5));
    let (head, _) = model.head().expect("head");
    let fork = fixtures::block_write(head + 1, [0xee; 32], 3, 2, 5);
    let fork_tx = fork.txs[0].hash;
    expect_code(store.append_blocks(&[fork]), "store.conflict", "wrong parent");
    assert_eq!(store.block(head + 1).expect("block"), None);
    assert_eq!(store.tx(&fork_tx).expect("tx"), None);
    // A block that reuses an existing block's hash at the right height is refused too.
    let mut duplicate = fixtures::block_write(head + 1, model.head().expect("head").1, 1, 0, 5);
    duplicate.block.hash = model.blocks[&1].hash;
    expect_code(store.append_blocks(&[duplicate]), "store.conflict", "duplicate hash");
    assert_same_answers(store, &model);
}

/// A multi-block append whose second block is bad writes nothing at all, not even the first.
pub fn conflict_is_atomic(store: &dyn Store) {
    let mut model = Model::default();
    append_both(store, &mut model, &fixtures::chain_after(None, 1, 3, 2, 6));
    let mut batch = fixtures::chain_after(model.head(), 3, 4, 3, 6);
    batch[1].block.parent_hash = [0xdd; 32];
    let first_tx = batch[0].txs[0].hash;
    expect_code(store.append_blocks(&batch), "store.conflict", "bad second block");
    assert_eq!(store.block(2).expect("block"), None, "the good first block is not written");
    assert_eq!(store.tx(&first_tx).expect("tx"), None, "nor its transactions");
    let mut bad_rows = fixtures::chain_after(model.head(), 2, 4, 3, 6);
    bad_rows[1].txs[0].height = 99;
    expect_code(store.append_blocks(&bad_rows), "store.invalid", "row of another height");
    assert_same_answers(store, &model);
    // The valid chain still appends afterwards.
    let chain = fixtures::chain_after(model.head(), 3, 4, 3, 6);
    append_both(store, &mut model, &chain);
    assert_same_answers(store, &model);
}

/// Malformed rows and oversized batches are refused and nothing is written.
pub fn invalid_input_refused(store: &dyn Store) {
    let mut model = Model::default();
    append_both(store, &mut model, &fixtures::chain_after(None, 1, 2, 2, 7));
    let mut five_topics = fixtures::chain_after(model.head(), 1, 2, 2, 7);
    five_topics[0].events.push(EventRecord {
        height: 2,
        tx_index: 0,
        log_index: 999,
        tx_hash: [1; 32],
        address: [1; 20],
        topics: vec![[1; 32]; 5],
        data: vec![],
    });
    expect_code(store.append_blocks(&five_topics), "store.invalid", "five topics");
    let mut duplicate_log = fixtures::chain_after(model.head(), 1, 4, 3, 7);
    let mut copy = duplicate_log[0].events.first().cloned().expect("fixture has events");
    copy.data = vec![1, 2, 3];
    duplicate_log[0].events.push(copy);
    expect_code(store.append_blocks(&duplicate_log), "store.invalid", "duplicate log index");
    let mut duplicate_tx = fixtures::chain_after(model.head(), 1, 3, 0, 7);
    duplicate_tx[0].txs[2].index = 0;
    expect_code(store.append_blocks(&duplicate_tx), "store.invalid", "duplicate tx index");
    let too_many = fixtures::chain_after(model.head(), APPEND_BLOCKS_MAX + 1, 0, 0, 7);
    expect_code(store.append_blocks(&too_many), "store.invalid", "too many blocks");
    let mut gap = fixtures::chain_after(model.head(), 2, 1, 0, 7);
    gap[1].block.height += 1;
    expect_code(store.append_blocks(&gap), "store.conflict", "gap inside the batch");
    expect_code(store.set_meta("", b"x"), "store.invalid", "empty meta key");
    let bad_filter = EventFilter { addresses: vec![[0; 20]; 257], ..EventFilter::default() };
    expect_code(store.events(&bad_filter, None, false, 10), "store.invalid", "huge filter");
    assert_same_answers(store, &model);
}

fn filter_data(store: &dyn Store, seed: u64) -> Model {
    let mut model = Model::default();
    append_both(store, &mut model, &fixtures::chain_after(None, 4, 25, 3, seed));
    let chain = fixtures::chain_after(model.head(), 4, 25, 3, seed + 1);
    append_both(store, &mut model, &chain);
    model
}

/// Compares one filter with the model; returns how many events matched.
fn check_filter(store: &dyn Store, model: &Model, filter: &EventFilter) -> usize {
    let expected = model.all_events(filter);
    assert_eq!(collect_pages(store, filter, false, EVENTS_PAGE_MAX), expected, "{filter:?}");
    expected.len()
}

/// Filtering by contract address (one or several).
pub fn filter_by_address(store: &dyn Store) {
    let model = filter_data(store, 10);
    let total = model.events.len();
    let one = EventFilter { addresses: vec![fixtures::CONTRACTS[0]], ..Default::default() };
    let found = collect_pages(store, &one, false, EVENTS_PAGE_MAX);
    assert!(!found.is_empty() && found.len() < total, "one address selects a strict subset");
    assert!(found.iter().all(|e| e.address == fixtures::CONTRACTS[0]));
    let mut sum = 0;
    for contract in fixtures::CONTRACTS {
        sum +=
            check_filter(store, &model, &EventFilter { addresses: vec![contract], ..one.clone() });
    }
    assert_eq!(sum, total, "the four contracts partition the events");
    let two = EventFilter { addresses: fixtures::CONTRACTS[..2].to_vec(), ..Default::default() };
    check_filter(store, &model, &two);
    let nobody = EventFilter { addresses: vec![[0x99; 20]], ..Default::default() };
    assert_eq!(check_filter(store, &model, &nobody), 0);
}

/// Filtering on each topic position, including events with fewer topics than the position.
pub fn filter_by_topic_positions(store: &dyn Store) {
    let model = filter_data(store, 20);
    for position in 0..4 {
        let candidate = if position == 0 {
            fixtures::SIGNATURES[1]
        } else {
            pad_address(&fixtures::SENDERS[2])
        };
        let mut filter = EventFilter::default();
        filter.topics[position] = Some(vec![candidate]);
        let found = collect_pages(store, &filter, false, EVENTS_PAGE_MAX);
        assert!(!found.is_empty(), "topic{position} matches some fixture events");
        assert!(found.iter().all(|e| e.topics.get(position) == Some(&candidate)));
        check_filter(store, &model, &filter);
        // Empty sets and None are wildcards.
        filter.topics[position] = Some(Vec::new());
        assert_eq!(check_filter(store, &model, &filter), model.events.len());
    }
}

/// OR-sets within a position, AND across positions and with the address.
pub fn filter_or_sets(store: &dyn Store) {
    let model = filter_data(store, 30);
    let one = EventFilter {
        topics: [Some(vec![fixtures::SIGNATURES[0]]), None, None, None],
        ..Default::default()
    };
    let either = EventFilter {
        topics: [Some(vec![fixtures::SIGNATURES[0], fixtures::SIGNATURES[1]]), None, None, None],
        ..Default::default()
    };
    let a = check_filter(store, &model, &one);
    let b = check_filter(store, &model, &either);
    assert!(b > a && a > 0, "a larger OR-set matches more");
    for filter in fixtures::sample_filters(model.head().map_or(0, |h| h.0)) {
        check_filter(store, &model, &filter);
    }
}

/// `account` matches topic1, topic2 or topic3 equal to the padded address, never topic0.
pub fn filter_by_account(store: &dyn Store) {
    let mut model = filter_data(store, 40);
    let account = fixtures::SENDERS[4];
    let padded = pad_address(&account);
    // An event whose only match is in topic0 must not count.
    let mut extra = fixtures::chain_after(model.head(), 1, 1, 0, 41);
    let (height, tx_hash) = (extra[0].block.height, extra[0].txs[0].hash);
    extra[0].events.push(EventRecord {
        height,
        tx_index: 0,
        log_index: 0,
        tx_hash,
        address: fixtures::CONTRACTS[0],
        topics: vec![padded],
        data: vec![],
    });
    append_both(store, &mut model, &extra);
    let filter = EventFilter { account: Some(account), ..Default::default() };
    let found = collect_pages(store, &filter, false, EVENTS_PAGE_MAX);
    assert!(!found.is_empty());
    assert!(found.iter().all(|e| e.topics.iter().skip(1).any(|t| *t == padded)));
    for position in 1..4 {
        assert!(
            found.iter().any(|e| e.topics.get(position) == Some(&padded)),
            "the account is found in topic{position}"
        );
    }
    check_filter(store, &model, &filter);
}

/// Inclusive height bounds, open bounds, and an empty range.
pub fn filter_by_height_range(store: &dyn Store) {
    let model = filter_data(store, 50);
    let range = EventFilter { from_height: Some(3), to_height: Some(5), ..Default::default() };
    let found = collect_pages(store, &range, false, EVENTS_PAGE_MAX);
    assert!(found.iter().all(|e| (3..=5).contains(&e.height)));
    assert!(found.iter().any(|e| e.height == 3) && found.iter().any(|e| e.height == 5));
    check_filter(store, &model, &range);
    check_filter(store, &model, &EventFilter { from_height: Some(7), ..Default::default() });
    check_filter(store, &model, &EventFilter { to_height: Some(2), ..Default::default() });
    let empty = EventFilter { from_height: Some(5), to_height: Some(4), ..Default::default() };
    assert_eq!(check_filter(store, &model, &empty), 0);
    // Bounds beyond any storable height are no error: nothing is above them, everything below.
    let beyond = EventFilter { from_height: Some(u64::MAX), ..Default::default() };
    assert_eq!(check_filter(store, &model, &beyond), 0);
    let unbounded =
        EventFilter { from_height: Some(6), to_height: Some(u64::MAX), ..Default::default() };
    let found = check_filter(store, &model, &unbounded);
    assert!(
        found > 0
            && found
                == check_filter(
                    store,
                    &model,
                    &EventFilter { from_height: Some(6), ..Default::default() }
                )
    );
}

fn pagination(store: &dyn Store, descending: bool) {
    let model = filter_data(store, 60);
    for filter in fixtures::sample_filters(model.head().map_or(0, |h| h.0)) {
        let mut expected = model.all_events(&filter);
        if descending {
            expected.reverse();
        }
        for limit in [1, 3, 7, 64] {
            let got = collect_pages(store, &filter, descending, limit);
            assert_eq!(got, expected, "pages of {limit} for {filter:?}");
        }
    }
    // A cursor taken from the model's pages gives the same next page.
    let all = EventFilter::default();
    let (_, cursor) = model.events(&all, None, descending, 5);
    assert!(cursor.is_some());
    assert_eq!(
        store.events(&all, cursor, descending, 5).expect("events"),
        model.events(&all, cursor, descending, 5)
    );
}

/// Ascending pages concatenate to the full ordered result, with no duplicates or gaps.
pub fn pagination_ascending(store: &dyn Store) {
    pagination(store, false);
}

/// Descending pages concatenate to the full result in reverse order.
pub fn pagination_descending(store: &dyn Store) {
    pagination(store, true);
}

/// Limits above the `*_MAX` constants are clamped, and a zero limit means one.
pub fn page_limits_clamp(store: &dyn Store) {
    let mut model = Model::default();
    let mut many_events = fixtures::chain_after(None, 1, 1, 0, 70);
    let tx_hash = many_events[0].txs[0].hash;
    for log_index in 0..(EVENTS_PAGE_MAX as u32 + 5) {
        many_events[0].events.push(EventRecord {
            height: 1,
            tx_index: 0,
            log_index,
            tx_hash,
            address: [3; 20],
            topics: vec![],
            data: vec![],
        });
    }
    append_both(store, &mut model, &many_events);
    let (page, next) =
        store.events(&EventFilter::default(), None, false, usize::MAX).expect("events");
    assert_eq!(page.len(), EVENTS_PAGE_MAX);
    assert!(next.is_some());
    let (page, _) = store.events(&EventFilter::default(), None, false, 0).expect("events");
    assert_eq!(page.len(), 1, "limit 0 is clamped to 1");
    let blocks = BLOCKS_FROM_MAX.max(RECENT_BLOCKS_MAX) + 10;
    let chain = fixtures::chain_after(model.head(), blocks, 0, 0, 70);
    append_both(store, &mut model, &chain);
    assert_eq!(store.blocks_from(0, usize::MAX).expect("blocks").len(), BLOCKS_FROM_MAX);
    assert_eq!(store.recent_blocks(None, usize::MAX).expect("recent").len(), RECENT_BLOCKS_MAX);
    assert_eq!(store.blocks_from(0, 0).expect("blocks").len(), 1);
}

/// `recent_blocks` is newest first and `before` is exclusive; `blocks_from` is ascending.
pub fn recent_blocks_order(store: &dyn Store) {
    let mut model = Model::default();
    append_both(store, &mut model, &fixtures::chain_after(None, 12, 1, 0, 80));
    let recent = store.recent_blocks(None, 5).expect("recent");
    assert_eq!(recent.iter().map(|b| b.height).collect::<Vec<_>>(), vec![12, 11, 10, 9, 8]);
    let before = store.recent_blocks(Some(8), 5).expect("recent");
    assert_eq!(before.iter().map(|b| b.height).collect::<Vec<_>>(), vec![7, 6, 5, 4, 3]);
    let tail = store.recent_blocks(Some(3), 5).expect("recent");
    assert_eq!(tail.iter().map(|b| b.height).collect::<Vec<_>>(), vec![2, 1]);
    assert!(store.recent_blocks(Some(1), 5).expect("recent").is_empty());
    assert_eq!(store.recent_blocks(Some(100), 3).expect("recent"), model.recent_blocks(None, 3));
    let replay = store.blocks_from(5, 4).expect("blocks_from");
    assert_eq!(replay.iter().map(|b| b.height).collect::<Vec<_>>(), vec![5, 6, 7, 8]);
}

/// `txs_by_sender` is newest first by (height, index), and its cursor is exclusive.
pub fn txs_by_sender_order(store: &dyn Store) {
    let mut model = Model::default();
    append_both(store, &mut model, &fixtures::chain_after(None, 6, 15, 0, 90));
    for sender in fixtures::SENDERS {
        let all = model.txs_by_sender(&sender, None, TXS_PAGE_MAX);
        assert!(all.len() > 3, "fixture gives each sender several transactions");
        let mut paged = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.txs_by_sender(&sender, cursor, 4).expect("txs by sender");
            assert!(page.len() <= 4);
            let Some(last) = page.last() else { break };
            cursor = Some((last.height, last.index));
            paged.extend(page);
        }
        assert_eq!(paged, all, "pages of 4 for {sender:?}");
        let keys: Vec<(u64, u32)> = paged.iter().map(|t| (t.height, t.index)).collect();
        assert!(keys.windows(2).all(|w| w[0] > w[1]), "strictly newest first");
        assert!(paged.iter().all(|t| t.sender == sender));
    }
    assert!(store.txs_by_sender(&[0x42; 20], None, 10).expect("none").is_empty());
}

/// Snapshots: the newest [`SNAPSHOTS_KEPT`] are kept, a same-height put replaces.
pub fn snapshots_keep_n(store: &dyn Store) {
    let snapshot = |height: u64, tag: u8| SnapshotRecord {
        height,
        state_root: [tag; 32],
        bytes: vec![tag; 1000 + height as usize],
    };
    for height in [10, 20, 30, 40, 50] {
        store.put_snapshot(&snapshot(height, height as u8)).expect("put snapshot");
    }
    assert_eq!(store.latest_snapshot().expect("latest"), Some(snapshot(50, 50)));
    let kept: Vec<u64> = [50, 40, 30, 20, 10].into_iter().take(SNAPSHOTS_KEPT).collect();
    assert_eq!(store.snapshot_heights().expect("heights"), kept);
    store.put_snapshot(&snapshot(50, 99)).expect("replace");
    assert_eq!(store.latest_snapshot().expect("latest"), Some(snapshot(50, 99)));
    assert_eq!(store.snapshot_heights().expect("heights"), kept);
    store.put_snapshot(&snapshot(5, 5)).expect("an older snapshot");
    assert_eq!(store.snapshot_heights().expect("heights"), kept, "an older one is pruned");
}

/// Snapshots by height, and setting one aside: recovery no longer sees it, the others stay.
pub fn snapshots_set_aside(store: &dyn Store) {
    let snapshot =
        |height: u64| SnapshotRecord { height, state_root: [height as u8; 32], bytes: vec![7; 99] };
    for height in [10, 20] {
        store.put_snapshot(&snapshot(height)).expect("put snapshot");
    }
    assert_eq!(store.snapshot(10).expect("read"), Some(snapshot(10)));
    assert_eq!(store.snapshot(15).expect("read"), None);
    assert_eq!(store.snapshot(u64::MAX).expect("read"), None);
    store.set_aside_snapshot(20, "does not match its block").expect("set aside");
    assert_eq!(store.snapshot(20).expect("read"), None);
    assert_eq!(store.latest_snapshot().expect("latest"), Some(snapshot(10)));
    assert_eq!(store.snapshot_heights().expect("heights"), vec![10]);
    store.set_aside_snapshot(20, "again").expect("setting aside a missing one is a no-op");
    for height in 30..40 {
        store.put_snapshot(&snapshot(height)).expect("put snapshot");
        store.set_aside_snapshot(height, "pruned after a few").expect("set aside");
    }
    assert_eq!(store.snapshot_heights().expect("heights"), vec![10]);
}

/// Meta values round-trip, overwrite and may be empty or binary.
pub fn meta_round_trip(store: &dyn Store) {
    assert_eq!(store.meta("chain_id").expect("meta"), None);
    store.set_meta("chain_id", &7u64.to_be_bytes()).expect("set");
    store.set_meta("genesis", &[0, 255, 1]).expect("set");
    store.set_meta("empty", &[]).expect("set");
    assert_eq!(store.meta("chain_id").expect("meta"), Some(7u64.to_be_bytes().to_vec()));
    store.set_meta("chain_id", &8u64.to_be_bytes()).expect("overwrite");
    assert_eq!(store.meta("chain_id").expect("meta"), Some(8u64.to_be_bytes().to_vec()));
    assert_eq!(store.meta("genesis").expect("meta"), Some(vec![0, 255, 1]));
    assert_eq!(store.meta("empty").expect("meta"), Some(vec![]));
    expect_code(store.meta(&"k".repeat(129)), "store.invalid", "long key");
}

/// `clear_projections` then `write_projections` reproduces every query answer; the log and the
/// meta survive; rows above the head or duplicates are refused.
pub fn reindex_reproduces(store: &dyn Store) {
    let mut model = Model::default();
    append_both(store, &mut model, &fixtures::chain_after(None, 6, 20, 3, 100));
    store.set_meta("genesis", b"g").expect("meta");
    store
        .put_snapshot(&SnapshotRecord { height: 6, state_root: [6; 32], bytes: vec![6] })
        .expect("snap");
    assert_same_answers(store, &model);

    store.clear_projections().expect("clear");
    assert_eq!(store.head().expect("head"), model.head(), "the log is kept");
    assert_eq!(store.blocks_from(0, 100).expect("blocks").len(), 6);
    assert_eq!(store.meta("genesis").expect("meta"), Some(b"g".to_vec()), "meta is kept");
    assert_eq!(store.latest_snapshot().expect("snapshot"), None, "snapshots are dropped");
    assert!(store.txs_in_block(3).expect("txs").is_empty());
    assert_eq!(store.events(&EventFilter::default(), None, false, 10).expect("events").0, vec![]);

    let txs: Vec<TxRecord> = model.txs.values().cloned().collect();
    let events: Vec<EventRecord> = model.events.values().cloned().collect();
    let mut above = txs[0].clone();
    above.height = 7;
    expect_code(store.write_projections(&[above], &[]), "store.invalid", "row above head");
    let (first_txs, rest_txs) = txs.split_at(txs.len() / 2);
    store.write_projections(first_txs, &events).expect("write projections");
    expect_code(store.write_projections(&rest_txs[..1], &events[..1]), "store.invalid", "dup");
    store.write_projections(rest_txs, &[]).expect("write the rest");
    assert_same_answers(store, &model);
}

/// Everything written survives closing and reopening the store, and appends continue.
pub fn durability_across_reopen(open: &dyn Fn() -> Box<dyn Store>) {
    let mut model = Model::default();
    {
        let store = open();
        append_both(store.as_ref(), &mut model, &fixtures::chain_after(None, 5, 10, 2, 110));
        store.set_meta("chain_id", b"31337").expect("meta");
        store
            .put_snapshot(&SnapshotRecord { height: 5, state_root: [5; 32], bytes: vec![5; 64] })
            .expect("snap");
    }
    let store = open();
    assert_same_answers(store.as_ref(), &model);
    assert_eq!(store.meta("chain_id").expect("meta"), Some(b"31337".to_vec()));
    assert_eq!(store.latest_snapshot().expect("snap").map(|s| s.height), Some(5));
    let chain = fixtures::chain_after(model.head(), 2, 10, 2, 111);
    append_both(store.as_ref(), &mut model, &chain);
    drop(store);
    assert_same_answers(open().as_ref(), &model);
}

/// Readers on other threads always see whole blocks (a block with all its rows) and a head
/// that never goes back, while a writer appends.
pub fn concurrent_readers(store: &dyn Store) {
    const BLOCKS: usize = 40;
    const READERS: usize = 3;
    let done = std::sync::atomic::AtomicBool::new(false);
    let chain = fixtures::chain_after(None, BLOCKS, 20, 2, 120);
    std::thread::scope(|scope| {
        let readers: Vec<_> = (0..READERS)
            .map(|_| {
                scope.spawn(|| {
                    let mut last_head = 0;
                    let mut checked = 0usize;
                    loop {
                        let finished = done.load(std::sync::atomic::Ordering::Acquire);
                        if let Some((height, hash)) = store.head().expect("head") {
                            assert!(height >= last_head, "the head never goes back");
                            last_head = height;
                            let block = store.block(height).expect("block").expect("head block");
                            assert_eq!(block.hash, hash);
                            let (_, txs, events) =
                                fixtures::parse_header(&block.header).expect("fixture header");
                            let rows = store.txs_in_block(height).expect("txs");
                            assert_eq!(rows.len(), txs as usize, "all txs visible with the block");
                            let filter = EventFilter {
                                from_height: Some(height),
                                to_height: Some(height),
                                ..Default::default()
                            };
                            let seen = collect_pages(store, &filter, false, EVENTS_PAGE_MAX);
                            assert_eq!(seen.len(), events as usize, "all events visible");
                            checked += 1;
                        }
                        if finished {
                            return (last_head, checked);
                        }
                    }
                })
            })
            .collect();
        for write in &chain {
            store.append_blocks(std::slice::from_ref(write)).expect("append");
        }
        done.store(true, std::sync::atomic::Ordering::Release);
        for reader in readers {
            let (last_head, checked) = reader.join().expect("reader thread");
            assert_eq!(last_head, BLOCKS as u64, "readers see the final head");
            assert!(checked > 0);
        }
    });
}

/// Only one store at a time holds the sequencer lock; it is re-entrant for its holder and
/// released when the holder is dropped.
pub fn sequencer_lock(open: &dyn Fn() -> Box<dyn Store>) {
    let first = open();
    let second = open();
    assert!(first.try_lock_sequencer().expect("lock"), "the first store takes the lock");
    assert!(first.try_lock_sequencer().expect("lock"), "the holder keeps it");
    assert!(!second.try_lock_sequencer().expect("lock"), "a second store cannot take it");
    drop(first);
    let mut taken = false;
    for _ in 0..50 {
        if second.try_lock_sequencer().expect("lock") {
            taken = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(taken, "the lock is free once its holder is gone");
}

/// Fault injection for SQLite files: what a disk or a crash does to them, for the fault tests of
/// this crate, the node and the binary.
pub mod faults {
    use std::path::{Path, PathBuf};

    /// SQLite's WAL header and frame header sizes (https://www.sqlite.org/fileformat.html, "WAL
    /// file format").
    const WAL_HEADER_BYTES: u64 = 32;
    const WAL_FRAME_HEADER_BYTES: u64 = 24;

    fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
        let mut s = p.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    }

    /// Copies what a kill -9 leaves on disk of the database `db` (its file, its write-ahead
    /// log and its acknowledged-head record) to `to`, while the store may still be open.
    pub fn crash_image(db: &Path, to: &Path) {
        std::fs::copy(db, to).expect("fault: copy the database file");
        for suffix in ["-wal", ".acked-head"] {
            let from = with_suffix(db, suffix);
            if from.exists() {
                std::fs::copy(&from, with_suffix(to, suffix)).expect("fault: copy a side file");
            }
        }
    }

    /// Damages the last frame of the write-ahead log of `db` (one byte of its page image), as a
    /// torn write of the disk would: SQLite's recovery then stops before the last commit.
    /// Returns false when there is no WAL frame to damage.
    pub fn damage_last_wal_frame(db: &Path) -> bool {
        let wal = with_suffix(db, "-wal");
        let Ok(mut bytes) = std::fs::read(&wal) else { return false };
        if bytes.len() < WAL_HEADER_BYTES as usize {
            return false;
        }
        let page_size = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as u64;
        let frame = WAL_FRAME_HEADER_BYTES + page_size;
        let frames = (bytes.len() as u64 - WAL_HEADER_BYTES) / frame;
        if frames == 0 {
            return false;
        }
        let last = WAL_HEADER_BYTES + (frames - 1) * frame;
        let at = (last + WAL_FRAME_HEADER_BYTES + page_size / 2) as usize;
        bytes[at] ^= 0xff;
        std::fs::write(&wal, &bytes).expect("fault: write the damaged WAL");
        true
    }

    /// Overwrites one leaf page in the middle of `table`'s b-tree in the (closed, checkpointed)
    /// database file `db` with garbage: a damaged sector under live data. Returns the page
    /// number.
    pub fn damage_table_page(db: &Path, table: &str) -> u32 {
        let mut bytes = std::fs::read(db).expect("fault: read the database file");
        let page_size = match u16::from_be_bytes([bytes[16], bytes[17]]) {
            1 => 65_536usize,
            n => n as usize,
        };
        let root = {
            let conn = rusqlite::Connection::open_with_flags(
                db,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .expect("fault: open the database");
            let root: i64 = conn
                .query_row(
                    "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [table],
                    |r| r.get(0),
                )
                .expect("fault: the table exists");
            root as u32
        };
        // Walk down the middle child of each interior page to a leaf.
        let mut page = root;
        loop {
            let base = (page as usize - 1) * page_size;
            let header = if page == 1 { base + 100 } else { base };
            let kind = bytes[header];
            if kind == 0x0a || kind == 0x0d {
                break; // a leaf (index or table b-tree)
            }
            assert!(kind == 0x02 || kind == 0x05, "fault: page {page} is a b-tree page ({kind})");
            let cells = u16::from_be_bytes([bytes[header + 3], bytes[header + 4]]) as usize;
            assert!(cells > 0, "fault: an interior page has cells");
            let pointer_at = header + 12 + 2 * (cells / 2);
            let cell = u16::from_be_bytes([bytes[pointer_at], bytes[pointer_at + 1]]) as usize;
            let child = base + cell;
            page = u32::from_be_bytes([
                bytes[child],
                bytes[child + 1],
                bytes[child + 2],
                bytes[child + 3],
            ]);
        }
        assert_ne!(page, root, "fault: the table spans more than one page");
        let base = (page as usize - 1) * page_size;
        for (i, b) in bytes[base..base + page_size].iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37) ^ 0x5a;
        }
        std::fs::write(db, &bytes).expect("fault: write the damaged database");
        page
    }
}
