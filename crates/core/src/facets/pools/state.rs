//! The pools facet's tables (facet 11): every piece of every pool's state is its own entry, so
//! a swap journals only what it touches and a block's change set carries only what changed.
//! The pool logic is `hoard_clmm`'s, reading and writing through [`super::storage`].

use alloy_primitives::{Address, U256};
use hoard_clmm::{
    PoolState, PositionInfo, PositionKey, ProtocolFee, Slot0, algebra::Timepoint,
    algebra::VolatilityState, oracle::Observation, tick::TickInfo,
};

use crate::{
    codec::{CodecError, Put, Reader},
    state::{Cell, Key, Ordered, Table, TableId, TableSpec, Value},
};

/// The pools facet's number.
pub const FACET: u8 = 11;

/// `pool -> its configuration and tokens`.
pub const POOLS: Ordered<u32, PoolMeta> = Ordered::new(TableId::new(FACET, 0), "pools.pools");
/// `pool -> scalar state (slot0, fee, fee growth, protocol fees, liquidity, balances)`.
pub const STATE: Table<u32, PoolState> = Table::new(TableId::new(FACET, 1), "pools.state");
/// `(pool, tick) -> tick`.
pub const TICKS: Table<(u32, i32), TickInfo> = Table::new(TableId::new(FACET, 2), "pools.ticks");
/// `(pool, word position) -> bitmap word of initialized ticks`.
pub const WORDS: Table<(u32, i16), U256> = Table::new(TableId::new(FACET, 3), "pools.words");
/// `(pool, position) -> position`.
pub const POSITIONS: Table<(u32, PositionKey), PositionInfo> =
    Table::new(TableId::new(FACET, 4), "pools.positions");
/// `(pool, index) -> oracle observation`.
pub const OBSERVATIONS: Table<(u32, u16), Observation> =
    Table::new(TableId::new(FACET, 5), "pools.observations");
/// `pool -> Algebra volatility oracle bookkeeping`.
pub const VOLATILITY: Table<u32, VolatilityState> =
    Table::new(TableId::new(FACET, 6), "pools.volatility");
/// `(pool, index) -> Algebra timepoint`.
pub const TIMEPOINTS: Table<(u32, u16), Timepoint> =
    Table::new(TableId::new(FACET, 7), "pools.timepoints");
/// The next pool id.
pub const NEXT_POOL: Cell<u32> = Cell::new(TableId::new(FACET, 8), "pools.next_pool");

/// Every table of the pools facet.
pub static TABLES: &[&dyn TableSpec] = &[
    &POOLS,
    &STATE,
    &TICKS,
    &WORDS,
    &POSITIONS,
    &OBSERVATIONS,
    &VOLATILITY,
    &TIMEPOINTS,
    &NEXT_POOL,
];

/// A pool's configuration and tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PoolMeta {
    /// Token 0 (the lower address).
    pub token0: Address,
    /// Token 1.
    pub token1: Address,
    /// Flavour: 0 Uniswap V3, 1 PancakeSwap V3, 2 Algebra Integral, 3 Uniswap V4.
    pub flavour: u8,
    /// Fee in pips (the flavour's tier, or the V4 fee).
    pub fee: u32,
    /// Tick spacing.
    pub tick_spacing: i32,
}

// ----- key encodings: signed integers keep their order (sign bit flipped, big-endian) -----

impl Key for i32 {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.put_u32((*self as u32) ^ 0x8000_0000);
    }
    fn decode_key(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok((r.u32()? ^ 0x8000_0000) as i32)
    }
}

impl Key for i16 {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.put_u16((*self as u16) ^ 0x8000);
    }
    fn decode_key(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok((r.u16()? ^ 0x8000) as i16)
    }
}

impl Key for PositionKey {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.put_address(&self.owner);
        self.tick_lower.encode_key(out);
        self.tick_upper.encode_key(out);
    }
    fn decode_key(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(PositionKey {
            owner: r.address()?,
            tick_lower: i32::decode_key(r)?,
            tick_upper: i32::decode_key(r)?,
        })
    }
}

// ----- value encodings -----

fn put_u128(out: &mut Vec<u8>, v: u128) {
    out.extend_from_slice(&v.to_be_bytes());
}
fn u128_of(r: &mut Reader<'_>) -> Result<u128, CodecError> {
    let b = r.take(16)?;
    let mut a = [0u8; 16];
    a.copy_from_slice(b);
    Ok(u128::from_be_bytes(a))
}
fn put_i64(out: &mut Vec<u8>, v: i64) {
    out.put_u64(v as u64);
}
fn i64_of(r: &mut Reader<'_>) -> Result<i64, CodecError> {
    Ok(r.u64()? as i64)
}
fn put_bool(out: &mut Vec<u8>, v: bool) {
    out.put_u8(u8::from(v));
}
fn bool_of(r: &mut Reader<'_>) -> Result<bool, CodecError> {
    match r.u8()? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(CodecError("a flag is 0 or 1")),
    }
}

impl Value for PoolMeta {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_address(&self.token0);
        out.put_address(&self.token1);
        out.put_u8(self.flavour);
        out.put_u32(self.fee);
        out.put_u32(self.tick_spacing as u32);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(PoolMeta {
            token0: r.address()?,
            token1: r.address()?,
            flavour: r.u8()?,
            fee: r.u32()?,
            tick_spacing: r.u32()? as i32,
        })
    }
}

impl Value for PoolState {
    fn encode_value(&self, out: &mut Vec<u8>) {
        let s = &self.slot0;
        out.put_u256(&s.sqrt_price_x96);
        out.put_u32(s.tick as u32);
        out.put_u16(s.observation_index);
        out.put_u16(s.observation_cardinality);
        out.put_u16(s.observation_cardinality_next);
        out.put_u32(s.fee_protocol.token0);
        out.put_u32(s.fee_protocol.token1);
        put_bool(out, s.initialized);
        out.put_u32(self.fee);
        out.put_u256(&self.fee_growth_global0_x128);
        out.put_u256(&self.fee_growth_global1_x128);
        put_u128(out, self.protocol_fees0);
        put_u128(out, self.protocol_fees1);
        put_u128(out, self.liquidity);
        out.put_u256(&self.balance0);
        out.put_u256(&self.balance1);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let slot0 = Slot0 {
            sqrt_price_x96: r.u256()?,
            tick: r.u32()? as i32,
            observation_index: r.u16()?,
            observation_cardinality: r.u16()?,
            observation_cardinality_next: r.u16()?,
            fee_protocol: ProtocolFee { token0: r.u32()?, token1: r.u32()? },
            initialized: bool_of(r)?,
        };
        Ok(PoolState {
            slot0,
            fee: r.u32()?,
            fee_growth_global0_x128: r.u256()?,
            fee_growth_global1_x128: r.u256()?,
            protocol_fees0: u128_of(r)?,
            protocol_fees1: u128_of(r)?,
            liquidity: u128_of(r)?,
            balance0: r.u256()?,
            balance1: r.u256()?,
        })
    }
}

impl Value for TickInfo {
    fn encode_value(&self, out: &mut Vec<u8>) {
        put_u128(out, self.liquidity_gross);
        put_u128(out, self.liquidity_net as u128);
        out.put_u256(&self.fee_growth_outside0_x128);
        out.put_u256(&self.fee_growth_outside1_x128);
        put_i64(out, self.tick_cumulative_outside);
        out.put_u256(&self.seconds_per_liquidity_outside_x128);
        out.put_u32(self.seconds_outside);
        put_bool(out, self.initialized);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(TickInfo {
            liquidity_gross: u128_of(r)?,
            liquidity_net: u128_of(r)? as i128,
            fee_growth_outside0_x128: r.u256()?,
            fee_growth_outside1_x128: r.u256()?,
            tick_cumulative_outside: i64_of(r)?,
            seconds_per_liquidity_outside_x128: r.u256()?,
            seconds_outside: r.u32()?,
            initialized: bool_of(r)?,
        })
    }
}

impl Value for PositionInfo {
    fn encode_value(&self, out: &mut Vec<u8>) {
        put_u128(out, self.liquidity);
        out.put_u256(&self.fee_growth_inside0_last_x128);
        out.put_u256(&self.fee_growth_inside1_last_x128);
        put_u128(out, self.tokens_owed0);
        put_u128(out, self.tokens_owed1);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(PositionInfo {
            liquidity: u128_of(r)?,
            fee_growth_inside0_last_x128: r.u256()?,
            fee_growth_inside1_last_x128: r.u256()?,
            tokens_owed0: u128_of(r)?,
            tokens_owed1: u128_of(r)?,
        })
    }
}

impl Value for Observation {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u32(self.block_timestamp);
        put_i64(out, self.tick_cumulative);
        out.put_u256(&self.seconds_per_liquidity_cumulative_x128);
        put_bool(out, self.initialized);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Observation {
            block_timestamp: r.u32()?,
            tick_cumulative: i64_of(r)?,
            seconds_per_liquidity_cumulative_x128: r.u256()?,
            initialized: bool_of(r)?,
        })
    }
}

impl Value for VolatilityState {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u16(self.index);
        out.put_u32(self.last_timestamp);
        put_bool(out, self.initialized);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(VolatilityState { index: r.u16()?, last_timestamp: r.u32()?, initialized: bool_of(r)? })
    }
}

impl Value for Timepoint {
    fn encode_value(&self, out: &mut Vec<u8>) {
        put_bool(out, self.initialized);
        out.put_u32(self.block_timestamp);
        put_i64(out, self.tick_cumulative);
        put_u128(out, self.volatility_cumulative);
        out.put_u32(self.tick as u32);
        out.put_u32(self.average_tick as u32);
        out.put_u16(self.window_start_index);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Timepoint {
            initialized: bool_of(r)?,
            block_timestamp: r.u32()?,
            tick_cumulative: i64_of(r)?,
            volatility_cumulative: u128_of(r)?,
            tick: r.u32()? as i32,
            average_tick: r.u32()? as i32,
            window_start_index: r.u16()?,
        })
    }
}
