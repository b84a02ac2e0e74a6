//! A pool on the engine's journaled tables gives exactly the results of the bare pool: random
//! sequences of initialize, mint, burn, collect and swap on a `MemoryStorage` pool and on an
//! `EngineStorage` pool of every flavour (about 60% of the operations apply, the rest are
//! refused); a refused operation leaves the state as before; a rejected command's pool writes
//! revert with the journal; entries round-trip through snapshots; the `observe` view answers what
//! the bare pool's `observe` answers, its `OLD` included.

use alloy_primitives::{Address, I256, U256};
use hoard_clmm::{Flavour, Pool, PoolConfig, PoolStorage, math::tick_math};
use proptest::prelude::*;

use super::storage::{EngineStorage, EngineView};
use crate::state::State;

#[derive(Clone, Debug)]
enum Op {
    Mint { who: u8, lower: i32, width: i32, liquidity: u128 },
    Burn { who: u8, lower: i32, width: i32, liquidity: u128 },
    Collect { who: u8, lower: i32, width: i32 },
    Swap { zero_for_one: bool, amount: i64, exact_in: bool },
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0u8..3;
    let lower = -20i32..20;
    let width = 1i32..10;
    prop_oneof![
        (who.clone(), lower.clone(), width.clone(), 1u128..1_000_000_000_000_000_000u128)
            .prop_map(|(who, lower, width, liquidity)| Op::Mint { who, lower, width, liquidity }),
        (who.clone(), lower.clone(), width.clone(), 1u128..1_000_000_000_000_000_000u128)
            .prop_map(|(who, lower, width, liquidity)| Op::Burn { who, lower, width, liquidity }),
        (who, lower, width).prop_map(|(who, lower, width)| Op::Collect { who, lower, width }),
        (any::<bool>(), 1i64..1_000_000_000_000_000_000i64, any::<bool>()).prop_map(
            |(zero_for_one, amount, exact_in)| Op::Swap { zero_for_one, amount, exact_in }
        ),
    ]
}

fn configs() -> Vec<PoolConfig> {
    vec![
        PoolConfig::new(Flavour::UniswapV3, 3000, 60).expect("v3"),
        PoolConfig::new(Flavour::PancakeV3, 2500, 50).expect("pancake"),
        PoolConfig::new(Flavour::AlgebraIntegral, 0, 60).expect("algebra"),
        PoolConfig::new(Flavour::UniswapV4, 3000, 60).expect("v4"),
    ]
}

/// Applies one operation; the result as text, to compare both pools' answers exactly.
fn apply<S: hoard_clmm::PoolStorageMut>(pool: &mut Pool<S>, op: &Op, time: u32) -> String {
    let spacing = pool.config().tick_spacing;
    let owner = |who: u8| Address::repeat_byte(who + 1);
    let range = |lower: i32, width: i32| (lower * spacing, (lower + width) * spacing);
    match *op {
        Op::Mint { who, lower, width, liquidity } => {
            let (l, u) = range(lower, width);
            format!("{:?}", pool.mint(owner(who), l, u, liquidity, time))
        }
        Op::Burn { who, lower, width, liquidity } => {
            let (l, u) = range(lower, width);
            format!("{:?}", pool.burn(owner(who), l, u, liquidity, time))
        }
        Op::Collect { who, lower, width } => {
            let (l, u) = range(lower, width);
            format!("{:?}", pool.collect(owner(who), l, u, u128::MAX, u128::MAX))
        }
        Op::Swap { zero_for_one, amount, exact_in } => {
            let a = I256::try_from(amount).expect("fits");
            let amount = if exact_in { a } else { -a };
            let limit = if zero_for_one {
                tick_math::MIN_SQRT_RATIO + U256::ONE
            } else {
                tick_math::MAX_SQRT_RATIO - U256::ONE
            };
            format!("{:?}", pool.swap(zero_for_one, amount, limit, time))
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn engine_tables_give_the_bare_pools_results(
        flavour in 0usize..4,
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        let config = configs()[flavour];
        let mut bare = Pool::new(config);
        let mut state = State::default();
        let price = U256::from(1u8) << 96;
        let mut time = 1_000u32;
        prop_assert_eq!(
            format!("{:?}", bare.initialize(price, time)),
            format!("{:?}", Pool::create(config, EngineStorage { state: &mut state, pool: 7 })
                .initialize(price, time))
        );
        state.commit_journal();
        for op in &ops {
            time += 13;
            let expected = apply(&mut bare, op, time);
            let before = state.encoded_entries();
            let checkpoint = state.checkpoint();
            let got = {
                let mut pool = Pool::with_storage(config, EngineStorage { state: &mut state, pool: 7 });
                apply(&mut pool, op, time)
            };
            prop_assert_eq!(&got, &expected, "{:?}", op);

            if got.starts_with("Err") {
                // A refused operation writes nothing.
                prop_assert_eq!(state.checkpoint(), checkpoint);
                prop_assert_eq!(state.encoded_entries(), before);
            }
            state.commit_journal();
            // The observable state is the bare pool's.
            let view = Pool::with_storage(config, EngineView { state: &state, pool: 7 });
            prop_assert_eq!(view.slot0(), bare.slot0());
            prop_assert_eq!(view.liquidity(), bare.liquidity());
            prop_assert_eq!(view.balances(), bare.balances());
            prop_assert_eq!(view.fee_growth_global_x128(), bare.fee_growth_global_x128());
            prop_assert_eq!(view.protocol_fees(), bare.protocol_fees());
            prop_assert_eq!(view.storage().state(), bare.storage().state());
        }
        // Every entry survives a snapshot.
        let back = State::decode_snapshot(&state.encode_snapshot()).expect("decodes");
        prop_assert_eq!(back.encoded_entries(), state.encoded_entries());
    }
}

#[test]
fn a_swaps_writes_revert_with_the_journal() {
    let config = configs()[0];
    let mut state = State::default();
    {
        let mut pool = Pool::create(config, EngineStorage { state: &mut state, pool: 1 });
        pool.initialize(U256::from(1u8) << 96, 1).expect("initialize");
        pool.mint(Address::repeat_byte(1), -600, 600, 10u128.pow(18), 1).expect("mint");
    }
    state.commit_journal();
    let before = state.encoded_entries();
    let checkpoint = state.checkpoint();
    {
        let mut pool = Pool::with_storage(config, EngineStorage { state: &mut state, pool: 1 });
        let limit = tick_math::MIN_SQRT_RATIO + U256::ONE;
        pool.swap(true, I256::try_from(10i64.pow(15)).expect("fits"), limit, 2).expect("swap");
    }
    assert!(state.changed_since(checkpoint), "the swap wrote");
    // The command around it is rejected: its pool writes go with it.
    state.revert(checkpoint);
    assert_eq!(state.encoded_entries(), before);
}

/// Pool 7 of `configs()[flavour]` in `state`, registered so that the facet's views see it.
fn register(state: &mut State, flavour: usize) {
    let config = configs()[flavour];
    let meta = super::state::PoolMeta {
        token0: Address::repeat_byte(0xa0),
        token1: Address::repeat_byte(0xb0),
        flavour: flavour as u8,
        fee: config.fee,
        tick_spacing: config.tick_spacing,
    };
    assert_eq!(super::config_of(&meta), Some(config), "the meta names the config");
    state.put(&super::state::POOLS, 7, meta);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The `observe` view over the engine's tables answers what the bare pool's `observe`
    /// answers (ring grown or not, interpolated, extrapolated), and its `OLD` names the first
    /// `secondsAgo` out of reach and the largest in reach, both checked against the bare pool.
    #[test]
    fn the_observe_view_is_the_bare_pools_observe(
        flavour in 0usize..4,
        grow in 1u16..40,
        ops in proptest::collection::vec((op(), 1u32..90), 1..30),
        later in 0u32..200,
        per_mille in proptest::collection::vec(0u32..1_100, 1..8),
    ) {
        let config = configs()[flavour];
        let mut bare = Pool::new(config);
        let mut state = State::default();
        register(&mut state, flavour);
        let price = U256::from(1u8) << 96;
        let mut time = 1_000u32;
        bare.initialize(price, time).expect("initialize");
        {
            let mut pool = Pool::create(config, EngineStorage { state: &mut state, pool: 7 });
            pool.initialize(price, time).expect("initialize");
            pool.increase_observation_cardinality_next(grow).expect("grow");
        }
        bare.increase_observation_cardinality_next(grow).expect("grow");
        for (op, step) in &ops {
            time += step;
            let expected = apply(&mut bare, op, time);
            let got = {
                let mut pool =
                    Pool::with_storage(config, EngineStorage { state: &mut state, pool: 7 });
                apply(&mut pool, op, time)
            };
            prop_assert_eq!(got, expected);
            state.commit_journal();
        }
        let now = time + later;
        // Probes across the pool's life (per mille of it), a few before its creation.
        let probes: Vec<u32> = per_mille.iter().map(|m| (now - 1_000) * m / 1_000).collect();
        let got = super::observe(&state, 7, now, &probes);
        match bare.observe(now, &probes) {
            Ok((ticks, spls)) => {
                let o = got.expect("the bare pool answers");
                prop_assert_eq!(&o.tick_cumulatives, &ticks);
                prop_assert_eq!(&o.seconds_per_liquidity_cumulative_x128s, &spls);
                prop_assert_eq!(o.cardinality, bare.slot0().observation_cardinality);
                prop_assert!(probes.iter().all(|p| *p <= o.seconds_ago_max));
            }
            Err(hoard_clmm::ClmmError::ObservationTooOld) => {
                let Err(super::ObserveError::TooOld { seconds_ago, seconds_ago_max, .. }) = got
                else {
                    return Err(TestCaseError::fail(format!("not OLD: {got:?}")));
                };
                let first = probes.iter().copied().find(|p| bare.observe(now, &[*p]).is_err());
                prop_assert_eq!(Some(seconds_ago), first);
                prop_assert!(bare.observe(now, &[seconds_ago_max]).is_ok());
                prop_assert_eq!(
                    bare.observe(now, &[seconds_ago_max + 1]),
                    Err(hoard_clmm::ClmmError::ObservationTooOld)
                );
            }
            Err(e) => return Err(TestCaseError::fail(format!("unexpected {e}"))),
        }
    }
}

#[test]
fn observe_refuses_unknown_pools_and_too_many_values() {
    let mut state = State::default();
    assert_eq!(super::observe(&state, 7, 10, &[0]), Err(super::ObserveError::NotFound { pool: 7 }));
    register(&mut state, 0);
    Pool::create(configs()[0], EngineStorage { state: &mut state, pool: 7 })
        .initialize(U256::from(1u8) << 96, 100)
        .expect("initialize");
    // One observation, written at 100: at 160, 60 seconds back is the limit.
    let o = super::observe(&state, 7, 160, &[0, 60]).expect("in reach");
    assert_eq!((o.cardinality, o.cardinality_next, o.seconds_ago_max), (1, 1, 60));
    assert_eq!(o.tick_cumulatives, vec![0, 0], "tick 0 since time 100");
    let old = super::observe(&state, 7, 160, &[0, 61, 62]).expect_err("61 is too old");
    assert_eq!(
        old,
        super::ObserveError::TooOld {
            pool: 7,
            seconds_ago: 61,
            seconds_ago_max: 60,
            cardinality: 1
        }
    );
    assert!(old.to_string().starts_with("OLD: secondsAgo 61"), "{old}");
    let many = vec![0u32; super::OBSERVE_SECONDS_AGOS_MAX + 1];
    assert!(matches!(
        super::observe(&state, 7, 160, &many),
        Err(super::ObserveError::TooMany { .. })
    ));
}
