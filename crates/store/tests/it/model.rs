//! Model-based property test: random sequences of appends (some of them invalid), reindexes,
//! snapshots and queries must give the same answers from the backend as from the in-memory
//! reference model of `hoard_store::conformance::Model`.

use proptest::prelude::*;

use hoard_store::conformance::{Model, fixtures};
use hoard_store::{EventFilter, Hash32, SnapshotRecord, Store, pad_address};

#[derive(Debug, Clone)]
enum Fault {
    None,
    WrongParent,
    SkipHeight,
    RowOfOtherHeight,
}

#[derive(Debug, Clone)]
enum Op {
    Append { blocks: usize, txs: u32, events: u32, seed: u64, fault: Fault, fault_at: usize },
    Events { filter: EventFilter, descending: bool, limit: usize },
    TxsBySender { sender: usize, limit: usize },
    RecentBlocks { before: Option<u64>, limit: usize },
    Reindex,
    Snapshot { height: u64 },
}

fn topic_choice() -> impl Strategy<Value = Hash32> + Clone {
    prop_oneof![
        (0..3usize).prop_map(|i| fixtures::SIGNATURES[i]),
        (0..5usize).prop_map(|i| pad_address(&fixtures::SENDERS[i])),
    ]
}

fn filter() -> impl Strategy<Value = EventFilter> {
    let height = proptest::option::weighted(0.3, 0..14u64);
    let set = || proptest::option::weighted(0.3, proptest::collection::vec(topic_choice(), 0..3));
    (
        height.clone(),
        height,
        proptest::collection::vec((0..4usize).prop_map(|i| fixtures::CONTRACTS[i]), 0..3),
        [set(), set(), set(), set()],
        proptest::option::weighted(0.2, (0..5usize).prop_map(|i| fixtures::SENDERS[i])),
    )
        .prop_map(|(from_height, to_height, addresses, topics, account)| EventFilter {
            from_height,
            to_height,
            addresses,
            topics,
            account,
        })
}

fn op() -> impl Strategy<Value = Op> {
    let fault = prop_oneof![
        6 => Just(Fault::None),
        1 => Just(Fault::WrongParent),
        1 => Just(Fault::SkipHeight),
        1 => Just(Fault::RowOfOtherHeight),
    ];
    prop_oneof![
        4 => (1..4usize, 0..8u32, 0..4u32, any::<u64>(), fault, 0..4usize).prop_map(
            |(blocks, txs, events, seed, fault, fault_at)| Op::Append {
                blocks, txs, events, seed, fault, fault_at
            }
        ),
        4 => (filter(), any::<bool>(), 1..12usize)
            .prop_map(|(filter, descending, limit)| Op::Events { filter, descending, limit }),
        1 => (0..5usize, 1..6usize).prop_map(|(sender, limit)| Op::TxsBySender { sender, limit }),
        1 => (proptest::option::of(0..16u64), 1..6usize)
            .prop_map(|(before, limit)| Op::RecentBlocks { before, limit }),
        1 => Just(Op::Reindex),
        2 => (0..20u64).prop_map(|height| Op::Snapshot { height }),
    ]
}

/// Applies `ops` to the store and the model, comparing every answer.
fn run(store: &dyn Store, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut model = Model::default();
    for op in ops {
        match op {
            Op::Append { blocks, txs, events, seed, fault, fault_at } => {
                let mut batch = fixtures::chain_after(model.head(), *blocks, *txs, *events, *seed);
                let at = fault_at % batch.len();
                match fault {
                    Fault::None => {}
                    Fault::WrongParent => batch[at].block.parent_hash = [0xfe; 32],
                    Fault::SkipHeight => batch[at].block.height += 1,
                    Fault::RowOfOtherHeight => match batch[at].txs.first_mut() {
                        Some(tx) => tx.height += 100,
                        None => batch[at].block.height += 1,
                    },
                }
                let accepted = store.append_blocks(&batch).is_ok();
                prop_assert_eq!(accepted, model.append(&batch), "acceptance of {:?}", fault);
                prop_assert_eq!(store.head().expect("head"), model.head());
            }
            Op::Events { filter, descending, limit } => {
                let mut cursor = None;
                loop {
                    let got = store.events(filter, cursor, *descending, *limit).expect("events");
                    let want = model.events(filter, cursor, *descending, *limit);
                    prop_assert_eq!(&got, &want, "events page for {:?}", filter);
                    match got.1 {
                        Some(next) => cursor = Some(next),
                        None => break,
                    }
                }
            }
            Op::TxsBySender { sender, limit } => {
                let sender = fixtures::SENDERS[*sender];
                let mut before = None;
                loop {
                    let got = store.txs_by_sender(&sender, before, *limit).expect("txs");
                    prop_assert_eq!(&got, &model.txs_by_sender(&sender, before, *limit));
                    match got.last() {
                        Some(last) => before = Some((last.height, last.index)),
                        None => break,
                    }
                }
            }
            Op::RecentBlocks { before, limit } => {
                let got = store.recent_blocks(*before, *limit).expect("recent");
                prop_assert_eq!(got, model.recent_blocks(*before, *limit));
            }
            Op::Reindex => {
                store.clear_projections().expect("clear");
                let txs: Vec<_> = model.txs.values().cloned().collect();
                let events: Vec<_> = model.events.values().cloned().collect();
                store.write_projections(&txs, &events).expect("write projections");
                model.snapshots.clear();
                prop_assert_eq!(store.latest_snapshot().expect("snapshot"), None);
            }
            Op::Snapshot { height } => {
                let snapshot = SnapshotRecord {
                    height: *height,
                    state_root: [*height as u8; 32],
                    bytes: vec![1],
                };
                store.put_snapshot(&snapshot).expect("snapshot");
                model.snapshots.insert(*height, snapshot);
                while model.snapshots.len() > hoard_store::SNAPSHOTS_KEPT {
                    model.snapshots.pop_first();
                }
                let heights: Vec<u64> = model.snapshots.keys().rev().copied().collect();
                prop_assert_eq!(store.snapshot_heights().expect("heights"), heights);
                prop_assert_eq!(
                    store.latest_snapshot().expect("latest"),
                    model.snapshots.values().next_back().cloned()
                );
            }
        }
    }
    hoard_store::conformance::assert_same_answers(store, &model);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn sqlite_agrees_with_the_model(ops in proptest::collection::vec(op(), 1..24)) {
        let store = super::sqlite::temp_store();
        run(&*store, &ops)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn postgres_agrees_with_the_model(ops in proptest::collection::vec(op(), 1..24)) {
        // Without the variable this prints the skip line once per case and checks nothing.
        let Some(store) = super::postgres::temp_store() else { return Ok(()) };
        run(store.as_ref(), &ops)?;
    }
}
