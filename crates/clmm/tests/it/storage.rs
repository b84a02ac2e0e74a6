//! The pool over its storage trait: a second storage written here (B-tree maps that drop default
//! values, as an engine's canonical tables do, and journal every write), driven side by side with
//! the in-memory default by random operation sequences; and the exact entries a swap writes, and
//! that a refused operation writes none.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};

use alloy_primitives::{Address, I256, U256};
use hoard_clmm::algebra::{Timepoint, VolatilityState};
use hoard_clmm::math::tick_math::{MAX_SQRT_RATIO, MIN_SQRT_RATIO, get_sqrt_ratio_at_tick};
use hoard_clmm::oracle::Observation;
use hoard_clmm::tick::TickInfo;
use hoard_clmm::{
    ClmmError, MemoryStorage, Pool, PoolConfig, PoolState, PoolStorage, PoolStorageMut,
    PositionInfo, PositionKey, ProtocolFee,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::common::encode_price_sqrt;

/// One storage entry, as an engine would key it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Entry {
    State,
    Tick(i32),
    Word(i16),
    Position(PositionKey),
    Observation(u16),
    Volatility,
    Timepoint(u16),
}

/// B-tree maps holding only non-default values, a journal of every write, and a read counter.
#[derive(Debug, Clone, Default)]
struct TestStorage {
    state: PoolState,
    ticks: BTreeMap<i32, TickInfo>,
    words: BTreeMap<i16, U256>,
    positions: BTreeMap<PositionKey, PositionInfo>,
    observations: BTreeMap<u16, Observation>,
    volatility: VolatilityState,
    timepoints: BTreeMap<u16, Timepoint>,
    writes: Vec<Entry>,
    reads: Cell<u64>,
}

impl TestStorage {
    fn read(&self) {
        self.reads.set(self.reads.get() + 1);
    }

    /// Stores `v` under `k`, or removes `k` if `v` is the default.
    fn put<K: Ord, V: Default + PartialEq>(map: &mut BTreeMap<K, V>, k: K, v: V) {
        if v == V::default() {
            map.remove(&k);
        } else {
            map.insert(k, v);
        }
    }

    /// The distinct entries written since the journal was last cleared.
    fn written(&self) -> BTreeSet<Entry> {
        self.writes.iter().copied().collect()
    }
}

impl PoolStorage for TestStorage {
    fn state(&self) -> &PoolState {
        self.read();
        &self.state
    }
    fn tick(&self, tick: i32) -> Option<&TickInfo> {
        self.read();
        self.ticks.get(&tick)
    }
    fn bitmap_word(&self, word_pos: i16) -> U256 {
        self.read();
        self.words.get(&word_pos).copied().unwrap_or_default()
    }
    fn position(&self, key: &PositionKey) -> Option<&PositionInfo> {
        self.read();
        self.positions.get(key)
    }
    fn observation(&self, index: u16) -> Observation {
        self.read();
        self.observations.get(&index).copied().unwrap_or_default()
    }
    fn volatility_state(&self) -> VolatilityState {
        self.read();
        self.volatility
    }
    fn timepoint(&self, index: u16) -> Timepoint {
        self.read();
        self.timepoints.get(&index).copied().unwrap_or_default()
    }
}

impl PoolStorageMut for TestStorage {
    fn set_state(&mut self, state: PoolState) {
        self.writes.push(Entry::State);
        self.state = state;
    }
    fn set_tick(&mut self, tick: i32, info: TickInfo) {
        self.writes.push(Entry::Tick(tick));
        Self::put(&mut self.ticks, tick, info);
    }
    fn set_bitmap_word(&mut self, word_pos: i16, word: U256) {
        self.writes.push(Entry::Word(word_pos));
        Self::put(&mut self.words, word_pos, word);
    }
    fn set_position(&mut self, key: PositionKey, info: PositionInfo) {
        self.writes.push(Entry::Position(key));
        Self::put(&mut self.positions, key, info);
    }
    fn set_observation(&mut self, index: u16, observation: Observation) {
        self.writes.push(Entry::Observation(index));
        Self::put(&mut self.observations, index, observation);
    }
    fn set_volatility_state(&mut self, state: VolatilityState) {
        self.writes.push(Entry::Volatility);
        self.volatility = state;
    }
    fn set_timepoint(&mut self, index: u16, timepoint: Timepoint) {
        self.writes.push(Entry::Timepoint(index));
        Self::put(&mut self.timepoints, index, timepoint);
    }
}

fn owner(o: u8) -> Address {
    Address::repeat_byte(0x40 + o)
}

fn configs() -> Vec<PoolConfig> {
    vec![
        PoolConfig::uniswap_v3(3000).unwrap(),
        PoolConfig::uniswap_v3(500).unwrap(),
        PoolConfig::pancake_v3(2500).unwrap(),
        PoolConfig::algebra_integral(),
        PoolConfig::uniswap_v4(3000, 60, false).unwrap(),
        PoolConfig::uniswap_v4(500, 10, true).unwrap(),
    ]
}

/// Every entry of the two storages and what the pools' accessors report agree.
fn check_same_state(
    a: &Pool<MemoryStorage>,
    b: &Pool<TestStorage>,
    time: u32,
) -> Result<(), TestCaseError> {
    let (sa, sb) = (a.storage(), b.storage());
    prop_assert_eq!(sa.state(), sb.state());
    prop_assert_eq!(a.ticks_sorted(), sb.ticks.clone().into_iter().collect::<Vec<_>>());
    let positions: Vec<_> =
        a.positions_sorted().into_iter().filter(|(_, p)| *p != PositionInfo::default()).collect();
    prop_assert_eq!(positions, sb.positions.clone().into_iter().collect::<Vec<_>>());
    prop_assert_eq!(a.bitmap().nonzero_words(), sb.words.clone().into_iter().collect::<Vec<_>>());
    let allocated = sa.observations().allocated();
    for i in 0..allocated {
        let i = u16::try_from(i).unwrap();
        prop_assert_eq!(sa.observation(i), sb.observation(i), "observation {}", i);
    }
    prop_assert!(sb.observations.keys().all(|&i| usize::from(i) < allocated));
    prop_assert_eq!(sa.volatility_state(), sb.volatility_state());
    prop_assert_eq!(
        a.volatility_oracle().written_timepoints(),
        sb.timepoints.clone().into_iter().collect::<Vec<_>>()
    );
    // Through the pools' own reads.
    prop_assert_eq!(a.slot0(), b.slot0());
    prop_assert_eq!(a.balances(), b.balances());
    prop_assert_eq!(a.fee(), b.fee());
    prop_assert_eq!(a.current_fee(time), b.current_fee(time));
    prop_assert_eq!(a.volatility(time), b.volatility(time));
    prop_assert_eq!(a.observe(time, &[0, 1, 7, 40]), b.observe(time, &[0, 1, 7, 40]));
    for (t, _) in a.ticks_sorted() {
        prop_assert_eq!(a.tick_info(t), b.tick_info(t));
        prop_assert_eq!(a.is_tick_flagged(t), b.is_tick_flagged(t));
    }
    Ok(())
}

#[derive(Clone, Debug)]
enum Op {
    Initialize(i32),
    Mint { owner: u8, lower: i32, width: i32, exp: u32, pay: Pay },
    FullRangeMint(u32),
    Burn { owner: u8, pick: usize, frac: u8 },
    BurnTooMuch(u8, usize),
    Collect { owner: u8, pick: usize, small: bool },
    Swap { zero_for_one: bool, exp: u32, exact_in: bool, limit: Option<i32>, pay: Pay },
    BadLimitSwap(bool),
    ZeroSwap,
    Grow(u16),
    SetFeeProtocol(u32),
    CollectProtocol,
}

/// What a callback pays: exactly the amount owed, one unit less (refused), or more (kept).
#[derive(Clone, Copy, Debug)]
enum Pay {
    Exact,
    Less,
    More,
}

fn pay() -> impl Strategy<Value = Pay> {
    prop_oneof![6 => Just(Pay::Exact), 1 => Just(Pay::Less), 1 => Just(Pay::More)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (-30i32..30).prop_map(Op::Initialize),
        8 => (0u8..3, -6i32..6, -1i32..6, 8u32..22, pay())
            .prop_map(|(owner, lower, width, exp, pay)| Op::Mint { owner, lower, width, exp, pay }),
        1 => (12u32..19).prop_map(Op::FullRangeMint),
        3 => (0u8..3, any::<usize>(), 1u8..=3)
            .prop_map(|(owner, pick, frac)| Op::Burn { owner, pick, frac }),
        1 => (0u8..3, any::<usize>()).prop_map(|(o, p)| Op::BurnTooMuch(o, p)),
        2 => (0u8..3, any::<usize>(), any::<bool>())
            .prop_map(|(owner, pick, small)| Op::Collect { owner, pick, small }),
        10 => (any::<bool>(), 2u32..23, any::<bool>(), proptest::option::weighted(0.8, 1i32..1500), pay())
            .prop_map(|(zero_for_one, exp, exact_in, limit, pay)| Op::Swap {
                zero_for_one,
                exp,
                exact_in,
                limit,
                pay
            }),
        1 => any::<bool>().prop_map(Op::BadLimitSwap),
        1 => Just(Op::ZeroSwap),
        1 => (1u16..12).prop_map(Op::Grow),
        1 => prop_oneof![Just(0u32), Just(4), Just(100), Just(2000), Just(5000)]
            .prop_map(Op::SetFeeProtocol),
        1 => Just(Op::CollectProtocol),
    ]
}

/// Counts over a whole run, to check that the interesting cases were driven.
#[derive(Default)]
struct Seen {
    swaps_crossing_two: u32,
    failures: u32,
    successes: u32,
}

/// Applies `op` to both pools; results must be identical, and a refusal must write nothing.
fn step(
    a: &mut Pool<MemoryStorage>,
    b: &mut Pool<TestStorage>,
    op: &Op,
    time: u32,
    seen: &mut Seen,
) -> Result<(), TestCaseError> {
    let spacing = a.config().tick_spacing;
    let writes_before = b.storage().writes.len();
    let positions_of = |p: &Pool<MemoryStorage>, o: u8| -> Vec<(PositionKey, PositionInfo)> {
        p.positions_sorted().into_iter().filter(|(k, _)| k.owner == owner(o)).collect()
    };
    let ok: bool = match *op {
        Op::Initialize(t) => {
            let price = get_sqrt_ratio_at_tick(t * spacing / 2).unwrap() + U256::from(7u8);
            let (ra, rb) = (a.initialize(price, time), b.initialize(price, time));
            prop_assert_eq!(&ra, &rb);
            ra.is_ok()
        }
        Op::Mint { owner: o, lower, width, exp, pay } => {
            // Ranges around the current tick, so that swaps cross them.
            let base = a.tick().div_euclid(spacing) + lower;
            let (lo, hi) = (base * spacing, (base + width) * spacing);
            let amount = 10u128.pow(exp) + 13;
            let paid = match (pay, a.clone().mint(owner(o), lo, hi, amount, time)) {
                (Pay::Exact, _) | (_, Err(_)) => None,
                (Pay::Less, Ok((a0, a1))) if a0 > U256::ZERO => Some((a0 - U256::ONE, a1)),
                (Pay::Less, Ok((a0, a1))) => Some((a0, a1.saturating_sub(U256::ONE))),
                (Pay::More, Ok((a0, a1))) => Some((a0 + U256::from(3u8), a1 + U256::from(5u8))),
            };
            let ra = a.mint_paid(owner(o), lo, hi, amount, paid, time);
            let rb = b.mint_paid(owner(o), lo, hi, amount, paid, time);
            prop_assert_eq!(&ra, &rb);
            ra.is_ok()
        }
        Op::FullRangeMint(exp) => {
            let (lo, hi) = ((-887_272 / spacing) * spacing, (887_272 / spacing) * spacing);
            let ra = a.mint(owner(9), lo, hi, 10u128.pow(exp), time);
            prop_assert_eq!(&ra, &b.mint(owner(9), lo, hi, 10u128.pow(exp), time));
            ra.is_ok()
        }
        Op::Burn { owner: o, pick, frac } => {
            let ps: Vec<_> =
                positions_of(a, o).into_iter().filter(|(_, p)| p.liquidity > 0).collect();
            let (k, amount) = match ps.get(pick % ps.len().max(1)) {
                Some((k, p)) => (*k, p.liquidity / u128::from(frac)),
                // A poke of a position that does not exist: NP.
                None => {
                    (PositionKey { owner: owner(o), tick_lower: -spacing, tick_upper: spacing }, 0)
                }
            };
            let ra = a.burn(k.owner, k.tick_lower, k.tick_upper, amount, time);
            prop_assert_eq!(&ra, &b.burn(k.owner, k.tick_lower, k.tick_upper, amount, time));
            ra.is_ok()
        }
        Op::BurnTooMuch(o, pick) => {
            let ps = positions_of(a, o);
            let Some((k, p)) = ps.get(pick % ps.len().max(1)).cloned() else {
                return Ok(());
            };
            let amount = p.liquidity + 1;
            let ra = a.burn(k.owner, k.tick_lower, k.tick_upper, amount, time);
            prop_assert_eq!(&ra, &b.burn(k.owner, k.tick_lower, k.tick_upper, amount, time));
            ra.is_ok()
        }
        Op::Collect { owner: o, pick, small } => {
            let ps = positions_of(a, o);
            let k = ps.get(pick % ps.len().max(1)).map_or(
                PositionKey { owner: owner(o), tick_lower: 0, tick_upper: spacing },
                |(k, _)| *k,
            );
            let (r0, r1) = if small { (7, 3) } else { (u128::MAX, u128::MAX) };
            let ra = a.collect(k.owner, k.tick_lower, k.tick_upper, r0, r1);
            prop_assert_eq!(&ra, &b.collect(k.owner, k.tick_lower, k.tick_upper, r0, r1));
            ra.is_ok()
        }
        Op::Swap { zero_for_one, exp, exact_in, limit, pay } => {
            let m = I256::try_from(10i128.pow(exp) + 11).unwrap();
            let amount = if exact_in { m } else { -m };
            let limit = match limit {
                Some(d) => {
                    let t = (a.tick() + if zero_for_one { -d } else { d }).clamp(-880_000, 880_000);
                    get_sqrt_ratio_at_tick(t).unwrap()
                }
                None if zero_for_one => MIN_SQRT_RATIO + U256::ONE,
                None => MAX_SQRT_RATIO - U256::ONE,
            };
            let quote = a.quote(zero_for_one, amount, limit, time);
            prop_assert_eq!(&quote, &b.quote(zero_for_one, amount, limit, time));
            let paid = match (pay, &quote) {
                (Pay::Exact, _) | (_, Err(_)) => None,
                (pay, Ok(q)) => {
                    let owed = if zero_for_one { q.amount0 } else { q.amount1 };
                    let owed = if owed.is_negative() { U256::ZERO } else { owed.into_raw() };
                    match pay {
                        Pay::Less => Some(owed.saturating_sub(U256::ONE)),
                        _ => Some(owed + U256::from(9u8)),
                    }
                }
            };
            let ra = a.swap_paid(zero_for_one, amount, limit, paid, time);
            prop_assert_eq!(&ra, &b.swap_paid(zero_for_one, amount, limit, paid, time));
            if let Ok(r) = &ra {
                prop_assert_eq!(Ok(r), quote.as_ref(), "a swap does what its quote says");
                if r.ticks_crossed >= 2 {
                    seen.swaps_crossing_two += 1;
                }
            }
            ra.is_ok()
        }
        Op::BadLimitSwap(z) => {
            let price = a.sqrt_price_x96();
            let amount = I256::try_from(1000).unwrap();
            let ra = a.swap(z, amount, price, time);
            prop_assert_eq!(&ra, &b.swap(z, amount, price, time));
            ra.is_ok()
        }
        Op::ZeroSwap => {
            let ra = a.swap(true, I256::ZERO, MIN_SQRT_RATIO + U256::ONE, time);
            prop_assert_eq!(&ra, &b.swap(true, I256::ZERO, MIN_SQRT_RATIO + U256::ONE, time));
            ra.is_ok()
        }
        Op::Grow(n) => {
            let next = a.slot0().observation_cardinality_next.saturating_add(n);
            let ra = a.increase_observation_cardinality_next(next);
            prop_assert_eq!(&ra, &b.increase_observation_cardinality_next(next));
            ra.is_ok()
        }
        Op::SetFeeProtocol(n) => {
            let fp = ProtocolFee { token0: n, token1: n };
            let ra = a.set_fee_protocol(fp);
            prop_assert_eq!(&ra, &b.set_fee_protocol(fp));
            ra.is_ok()
        }
        Op::CollectProtocol => {
            let ra = a.collect_protocol(u128::MAX, 1000);
            prop_assert_eq!(&ra, &b.collect_protocol(u128::MAX, 1000));
            ra.is_ok()
        }
    };
    if ok {
        seen.successes += 1;
    } else {
        seen.failures += 1;
        prop_assert_eq!(
            &b.storage().writes[writes_before..],
            &[][..],
            "a refused {:?} wrote entries",
            op
        );
    }
    check_same_state(a, b, time)
}

/// Random sequences of initialize / mint / burn / collect / swap (exact input and output, with
/// and without price limits, underpaid and overpaid callbacks), ring growth and protocol fees,
/// with failing operations among them, on every flavour: the in-memory pool and the pool over
/// [`TestStorage`] give identical results and identical state after every step, and refusals
/// write nothing.
#[test]
fn memory_and_btree_storages_agree_on_random_sequences() {
    let mut runner =
        TestRunner::new(Config { cases: 800, failure_persistence: None, ..Config::default() });
    let seen = std::cell::RefCell::new(Seen::default());
    let strategy = (
        0usize..6,
        proptest::bool::weighted(0.8),
        proptest::collection::vec((op(), 0u32..40), 1..60),
    );
    runner
        .run(&strategy, |(config, start_initialized, ops)| {
            let config = configs()[config];
            let mut a = Pool::new(config);
            let mut b = Pool::create(config, TestStorage::default());
            let mut time = 1_000u32;
            let mut guard = seen.borrow_mut();
            let seen = &mut *guard;
            if start_initialized {
                step(&mut a, &mut b, &Op::Initialize(1), time, seen)?;
                step(&mut a, &mut b, &Op::FullRangeMint(15), time, seen)?;
            }
            for (op, dt) in &ops {
                time += dt;
                step(&mut a, &mut b, op, time, seen)?;
            }
            Ok(())
        })
        .unwrap();
    let seen = seen.into_inner();
    println!(
        "{} successes, {} refusals, {} swaps crossing two or more initialized ticks",
        seen.successes, seen.failures, seen.swaps_crossing_two
    );
    assert!(
        seen.swaps_crossing_two >= 300,
        "only {} swaps crossed two ticks",
        seen.swaps_crossing_two
    );
    assert!(seen.failures >= 1000, "only {} refusals", seen.failures);
    assert!(seen.successes >= 2000, "only {} successes", seen.successes);
}

const T0: u32 = 10_000;

/// A pool at tick 0 with positions around it: ticks -180, -120, -60, 60, 120, 180, 600, 660 and
/// the full range are initialized; the ring may hold 4 observations.
fn pool_around_zero(config: PoolConfig) -> Pool<TestStorage> {
    let mut p = Pool::create(config, TestStorage::default());
    p.initialize(encode_price_sqrt(1, 1), T0).unwrap();
    p.increase_observation_cardinality_next(4).unwrap();
    let s = config.tick_spacing;
    assert_eq!(s, 60);
    let l = 10u128.pow(18);
    p.mint(owner(0), (-887_272 / s) * s, (887_272 / s) * s, l, T0).unwrap();
    for (lo, hi) in [(-60, 60), (120, 180), (600, 660), (-180, -120)] {
        p.mint(owner(1), lo, hi, l, T0).unwrap();
    }
    p
}

#[test]
fn swap_crossing_two_ticks_writes_only_the_entries_it_touched() {
    for config in [
        PoolConfig::uniswap_v3(3000).unwrap(),
        PoolConfig::algebra_integral(),
        PoolConfig::uniswap_v4(3000, 60, false).unwrap(),
    ] {
        let p = pool_around_zero(config);
        let mut reference = Pool::new(config);
        // The same history in memory, to compare the outcome.
        reference.initialize(encode_price_sqrt(1, 1), T0).unwrap();
        reference.increase_observation_cardinality_next(4).unwrap();
        reference.mint(owner(0), -887_220, 887_220, 10u128.pow(18), T0).unwrap();
        for (lo, hi) in [(-60, 60), (120, 180), (600, 660), (-180, -120)] {
            reference.mint(owner(1), lo, hi, 10u128.pow(18), T0).unwrap();
        }
        let before = p.storage().clone();
        // Upward from tick 0 to a limit at tick 150: crosses 60 and 120, stops before 180.
        let limit = get_sqrt_ratio_at_tick(150).unwrap();
        let amount = I256::try_from(10i128.pow(20)).unwrap();
        let time = T0 + 12;
        // Borrowed storage, as an engine lends its tables to a pool for one command.
        let mut storage = p.into_storage();
        storage.writes.clear();
        let r = Pool::with_storage(config, &mut storage).swap(false, amount, limit, time).unwrap();
        assert_eq!(r, reference.swap(false, amount, limit, time).unwrap(), "{config:?}");
        assert_eq!((r.ticks_crossed, r.tick, r.sqrt_price_x96), (2, 150, limit), "{config:?}");
        let mut expected: BTreeSet<Entry> =
            [Entry::State, Entry::Tick(60), Entry::Tick(120), Entry::Observation(1)].into();
        if matches!(config.fee_mode, hoard_clmm::FeeMode::Adaptive(_)) {
            expected.extend([Entry::Timepoint(1), Entry::Volatility]);
        }
        assert_eq!(storage.written(), expected, "{config:?}");
        assert_eq!(storage.writes.len(), expected.len(), "each entry written once: {config:?}");
        // Everything else is untouched.
        assert_eq!(storage.words, before.words);
        assert_eq!(storage.positions, before.positions);
        for (t, info) in &before.ticks {
            if *t != 60 && *t != 120 {
                assert_eq!(storage.ticks.get(t), Some(info), "tick {t}");
            }
        }
        assert_eq!(storage.ticks.len(), before.ticks.len());
        let observations: Vec<_> = storage.observations.keys().copied().collect();
        assert_eq!(observations, vec![0, 1, 2, 3], "slot 1 written, 2 and 3 as grown");
        assert_eq!(storage.observations[&0], before.observations[&0]);
        // The written entries are those of the in-memory pool.
        assert_eq!(&storage.state, reference.storage().state());
        for t in [60, 120] {
            assert_eq!(storage.ticks.get(&t), reference.tick_info(t));
        }
        assert_eq!(storage.observations[&1], reference.storage().observation(1));
        // A second swap in the same block writes no new observation (one per block).
        storage.writes.clear();
        let back = get_sqrt_ratio_at_tick(100).unwrap();
        Pool::with_storage(config, &mut storage).swap(true, amount, back, time).unwrap();
        // It crosses 120 back; Algebra writes no second timepoint in a block either.
        let expected: BTreeSet<Entry> = [Entry::State, Entry::Tick(120)].into();
        assert_eq!(storage.written(), expected, "{config:?}");
    }
}

/// Runs `f` on the pool and checks that it was refused with `err` and wrote nothing.
fn refused<T: std::fmt::Debug>(
    p: &mut Pool<TestStorage>,
    err: ClmmError,
    f: impl FnOnce(&mut Pool<TestStorage>) -> Result<T, ClmmError>,
) {
    let before = p.storage().clone();
    let n = before.writes.len();
    let r = f(p);
    assert_eq!(r.unwrap_err(), err);
    assert_eq!(&p.storage().writes[n..], &[][..], "{err:?} wrote entries");
    let s = p.storage();
    assert_eq!(
        (&s.state, &s.ticks, &s.words, &s.positions, &s.observations, &s.timepoints),
        (
            &before.state,
            &before.ticks,
            &before.words,
            &before.positions,
            &before.observations,
            &before.timepoints
        )
    );
}

#[test]
fn refused_operations_write_nothing() {
    let up = MAX_SQRT_RATIO - U256::ONE;
    let down = MIN_SQRT_RATIO + U256::ONE;
    let amount = I256::try_from(10i128.pow(15)).unwrap();

    // Before initialize: a Uniswap V3 pool is locked (LOK) and writes nothing.
    let config = PoolConfig::uniswap_v3(3000).unwrap();
    let mut fresh = Pool::create(config, TestStorage::default());
    assert_eq!(fresh.storage().written(), [Entry::State].into(), "create writes the record");
    let lok = ClmmError::NotInitialized;
    refused(&mut fresh, lok.clone(), |p| p.mint(owner(0), -60, 60, 1000, T0));
    refused(&mut fresh, lok.clone(), |p| p.burn(owner(0), -60, 60, 0, T0));
    refused(&mut fresh, lok.clone(), |p| p.collect(owner(0), -60, 60, 1, 1));
    refused(&mut fresh, lok.clone(), |p| p.swap(true, amount, down, T0));
    refused(&mut fresh, lok.clone(), |p| p.set_fee_protocol(ProtocolFee::default()));
    refused(&mut fresh, lok.clone(), |p| p.collect_protocol(1, 1));
    refused(&mut fresh, lok, |p| p.increase_observation_cardinality_next(5));
    refused(&mut fresh, ClmmError::SqrtPriceOutOfRange, |p| p.initialize(U256::from(5u8), T0));

    for config in [PoolConfig::uniswap_v3(3000).unwrap(), PoolConfig::algebra_integral()] {
        let mut p = pool_around_zero(config);
        let t = T0 + 30;
        refused(&mut p, ClmmError::AlreadyInitialized, |p| {
            p.initialize(encode_price_sqrt(1, 1), t)
        });
        // Swaps: AS, SPL (both sides), IIA.
        refused(&mut p, ClmmError::ZeroAmount("swap amount (AS)"), |p| {
            p.swap(true, I256::ZERO, down, t)
        });
        let price = p.sqrt_price_x96();
        refused(&mut p, ClmmError::PriceLimitInvalid, |p| p.swap(true, amount, price, t));
        refused(&mut p, ClmmError::PriceLimitInvalid, |p| p.swap(false, amount, MAX_SQRT_RATIO, t));
        let owed = p.quote(false, amount, up, t).unwrap().amount1.into_raw();
        refused(&mut p, ClmmError::InsufficientPayment("IIA"), |p| {
            p.swap_paid(false, amount, up, Some(owed - U256::ONE), t)
        });
        // Mints: TLU, TLM, TUM, LO, M0, M1, zero liquidity.
        refused(&mut p, ClmmError::TickLowerNotBelowUpper { lower: 60, upper: 60 }, |p| {
            p.mint(owner(2), 60, 60, 1, t)
        });
        refused(&mut p, ClmmError::TickLowerTooLow(-887_280), |p| {
            p.mint(owner(2), -887_280, 60, 1, t)
        });
        refused(&mut p, ClmmError::TickUpperTooHigh(887_280), |p| {
            p.mint(owner(2), 60, 887_280, 1, t)
        });
        let cap = hoard_clmm::tick::max_liquidity_per_tick(60);
        refused(&mut p, ClmmError::LiquidityOverflowPerTick, |p| p.mint(owner(2), -60, 60, cap, t));
        refused(&mut p, ClmmError::ZeroAmount("mint liquidity"), |p| {
            p.mint(owner(2), -60, 60, 0, t)
        });
        let (a0, a1) = p.clone().mint(owner(2), -120, 120, 10u128.pow(18), t).unwrap();
        refused(&mut p, ClmmError::InsufficientPayment("M0"), |p| {
            p.mint_paid(owner(2), -120, 120, 10u128.pow(18), Some((a0 - U256::ONE, a1)), t)
        });
        refused(&mut p, ClmmError::InsufficientPayment("M1"), |p| {
            p.mint_paid(owner(2), -120, 120, 10u128.pow(18), Some((a0, a1 - U256::ONE)), t)
        });
        // Burns: LS (more than held), NP (poke of nothing).
        refused(&mut p, ClmmError::LiquiditySub, |p| {
            p.burn(owner(1), -60, 60, 10u128.pow(18) + 1, t)
        });
        refused(&mut p, ClmmError::NoPosition, |p| p.burn(owner(3), -60, 60, 0, t));
        // Owner actions.
        refused(&mut p, ClmmError::InvalidProtocolFee, |p| {
            p.set_fee_protocol(ProtocolFee { token0: 3, token1: 3000 })
        });
        refused(&mut p, ClmmError::NotDynamicFee, |p| p.set_dynamic_fee(100));
        // Bootstrap calls: an unaligned seed, and an adoption whose position would overflow
        // (which used to leave its seeded ticks behind).
        refused(&mut p, ClmmError::TickNotSpaced { tick: 61, spacing: 60 }, |p| {
            p.seed_tick(61, 5, t)
        });
        refused(&mut p, ClmmError::TickNotSpaced { tick: 61, spacing: 60 }, |p| {
            p.unseed_tick(61, None, true)
        });
        p.adopt_position(owner(1), 240, 300, 5, t).unwrap();
        refused(&mut p, ClmmError::LiquidityAdd, |p| {
            p.adopt_position(owner(1), 240, 300, u128::MAX, t)
        });
        refused(&mut p, ClmmError::NoPosition, |p| {
            p.move_position_liquidity(
                PositionKey { owner: owner(3), tick_lower: -60, tick_upper: 60 },
                owner(4),
                1,
            )
        });
        // Reads write nothing, and the pool still works.
        let n = p.storage().writes.len();
        p.quote(true, amount, down, t).unwrap();
        p.observe(t, &[0, 10]).unwrap();
        let _ = (p.volatility(t), p.current_fee(t), p.twap_tick(t, 10));
        assert_eq!(p.storage().writes.len(), n);
        assert!(p.storage().reads.get() > 0);
        p.swap(true, amount, down, t).unwrap();
    }
}
