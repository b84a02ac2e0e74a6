//! Uniswap V4 style singleton: many pools in one manager, flash accounting of currency deltas.
//!
//! A caller opens a session with [`PoolManager::unlock`]; inside it, `modify_liquidity` and
//! `swap` record what the caller owes or is owed per currency (V4's `BalanceDelta`: negative =
//! owed by the caller, positive = owed to the caller), and `settle` / `take` pay and withdraw.
//! The session must close with every delta at zero (`CurrencyNotSettled`), otherwise the whole
//! session is rolled back. Reserves are held per currency across all pools.
//!
//! Pools are [`Pool`]s of the [`Flavour::UniswapV4`] flavour: any fee below 100%, any spacing
//! 1..=32767, and the dynamic-fee flag that lets the pool's owner set the fee. Differences from
//! V4 kept on purpose are listed in docs/CLMM.md (no hooks, fees accrued as in V3 and credited to
//! the caller on every liquidity change).
//!
//! The protocol fee is v4-core's, exactly (Uniswap/v4-core `src/libraries/ProtocolFeeLibrary.sol`
//! and `Pool.swap` in `src/libraries/Pool.sol`): pips per direction packed in a `uint24` (12 bits
//! each, at most 1,000 = 0.1%), a swap fee of `protocolFee + lpFee - protocolFee * lpFee / 10^6`
//! (division rounded up) and, per swap step, `(amountIn + feeAmount) * protocolFee / 10^6` to the
//! protocol (the whole step fee when the LP fee is 0), the rest to the LPs' fee growth.

use alloy_primitives::map::HashMap;
use alloy_primitives::{Address, B256, I256, U256, keccak256};

use crate::error::{ClmmError, Result};
use crate::flavour::{Flavour, PoolConfig};
use crate::pool::{Pool, SwapResult};

/// `ProtocolFeeLibrary.MAX_PROTOCOL_FEE`: 1,000 pips (0.1%) per direction.
pub const MAX_PROTOCOL_FEE: u16 = 1000;
/// `LPFeeLibrary.MAX_LP_FEE`: 100% in pips.
pub const MAX_LP_FEE: u32 = 1_000_000;
/// `ProtocolFeeLibrary.PIPS_DENOMINATOR`.
pub const PIPS_DENOMINATOR: u64 = 1_000_000;

/// `ProtocolFeeLibrary.getZeroForOneFee`: the low 12 bits of a packed protocol fee.
pub fn get_zero_for_one_fee(packed: u32) -> u16 {
    (packed & 0xfff) as u16
}

/// `ProtocolFeeLibrary.getOneForZeroFee`: the packed `uint24` shifted right by 12 bits.
pub fn get_one_for_zero_fee(packed: u32) -> u16 {
    ((packed & 0xff_ffff) >> 12) as u16
}

/// `ProtocolFeeLibrary.isValidProtocolFee`: both directions at most [`MAX_PROTOCOL_FEE`] (and the
/// value a `uint24`).
pub fn is_valid_protocol_fee(packed: u32) -> bool {
    packed <= 0xff_ffff
        && get_zero_for_one_fee(packed) <= MAX_PROTOCOL_FEE
        && get_one_for_zero_fee(packed) <= MAX_PROTOCOL_FEE
}

/// `ProtocolFeeLibrary.calculateSwapFee`: the rate a swap pays when the protocol takes
/// `protocol_fee` pips of the input first and the LPs `lp_fee` of the rest:
/// `protocolFee + lpFee - ceil(protocolFee * lpFee / 10^6)` (rounded in the LPs' favour). The
/// arguments are masked to `uint16` / `uint24` as the assembly does.
pub fn calculate_swap_fee(protocol_fee: u16, lp_fee: u32) -> u32 {
    let p = u64::from(protocol_fee);
    let l = u64::from(lp_fee & 0xff_ffff);
    let product = p * l;
    let rounded_up = product / PIPS_DENOMINATOR + u64::from(product % PIPS_DENOMINATOR > 0);
    (p + l - rounded_up) as u32
}

/// Identifies a V4 pool: currencies (sorted), fee, spacing and the dynamic-fee flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct PoolKey {
    /// The lower currency address.
    pub currency0: Address,
    /// The higher currency address.
    pub currency1: Address,
    /// Fee in pips (ignored when `dynamic_fee`).
    pub fee: u32,
    /// Tick spacing.
    pub tick_spacing: i32,
    /// Dynamic-fee flag.
    pub dynamic_fee: bool,
}

impl PoolKey {
    /// The pool id: keccak-256 of the key's fields (a stable 32-byte identifier).
    pub fn id(&self) -> B256 {
        let mut buf = Vec::with_capacity(20 * 2 + 4 + 4 + 1);
        buf.extend_from_slice(self.currency0.as_slice());
        buf.extend_from_slice(self.currency1.as_slice());
        buf.extend_from_slice(&self.fee.to_be_bytes());
        buf.extend_from_slice(&self.tick_spacing.to_be_bytes());
        buf.push(u8::from(self.dynamic_fee));
        keccak256(buf)
    }
}

/// Per-currency deltas of a session (negative = owed by the caller).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deltas(HashMap<Address, I256>);

impl Deltas {
    fn add(&mut self, currency: Address, delta: I256) {
        let e = self.0.entry(currency).or_insert(I256::ZERO);
        *e += delta;
    }
    /// The delta of a currency.
    pub fn get(&self, currency: Address) -> I256 {
        self.0.get(&currency).copied().unwrap_or(I256::ZERO)
    }
    fn all_zero(&self) -> bool {
        self.0.values().all(|d| d.is_zero())
    }
}

/// The singleton.
#[derive(Debug, Clone, Default)]
pub struct PoolManager {
    pools: HashMap<B256, (PoolKey, Address, Pool)>,
    reserves: HashMap<Address, U256>,
    deltas: Deltas,
    unlocked: bool,
    protocol_fee_controller: Option<Address>,
}

/// The session handle passed to [`PoolManager::unlock`]'s closure.
pub struct Session<'a> {
    manager: &'a mut PoolManager,
}

impl PoolManager {
    /// An empty manager.
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates a pool owned by `owner` at `sqrt_price_x96` (`initialize`).
    pub fn initialize(
        &mut self,
        key: PoolKey,
        owner: Address,
        sqrt_price_x96: U256,
        time: u32,
    ) -> Result<B256> {
        if key.currency0 >= key.currency1 {
            return Err(ClmmError::CurrenciesOutOfOrder);
        }
        let id = key.id();
        if self.pools.contains_key(&id) {
            return Err(ClmmError::PoolAlreadyExists);
        }
        let config = PoolConfig::uniswap_v4(key.fee, key.tick_spacing, key.dynamic_fee)?;
        let mut pool = Pool::new(config);
        pool.initialize(sqrt_price_x96, time)?;
        self.pools.insert(id, (key, owner, pool));
        Ok(id)
    }

    /// A pool by id.
    pub fn pool(&self, id: B256) -> Option<&Pool> {
        self.pools.get(&id).map(|(_, _, p)| p)
    }

    /// Tokens held for a currency across all pools.
    pub fn reserve(&self, currency: Address) -> U256 {
        self.reserves.get(&currency).copied().unwrap_or(U256::ZERO)
    }

    /// Sets the fee of a dynamic-fee pool; only its owner may.
    pub fn update_dynamic_fee(&mut self, id: B256, caller: Address, fee: u32) -> Result<()> {
        let (_, owner, pool) = self.pools.get_mut(&id).ok_or(ClmmError::PoolNotFound)?;
        if *owner != caller {
            return Err(ClmmError::Unauthorized("only the pool owner sets a dynamic fee"));
        }
        pool.set_dynamic_fee(fee)
    }

    /// Sets who may set protocol fees (`setProtocolFeeController`, an owner action in v4-core).
    pub fn set_protocol_fee_controller(&mut self, controller: Address) {
        self.protocol_fee_controller = Some(controller);
    }

    /// Sets a pool's protocol fee from the packed `uint24` form (`setProtocolFee`): only the
    /// protocol fee controller may (`InvalidCaller`), and the value must pass
    /// `isValidProtocolFee` (`ProtocolFeeTooLarge`).
    pub fn set_protocol_fee(&mut self, id: B256, caller: Address, packed: u32) -> Result<()> {
        if self.protocol_fee_controller != Some(caller) {
            return Err(ClmmError::Unauthorized("only the protocol fee controller"));
        }
        let fee = crate::flavour::ProtocolFee::from_v4_packed(packed)?;
        let (_, _, pool) = self.pools.get_mut(&id).ok_or(ClmmError::PoolNotFound)?;
        pool.set_fee_protocol(fee)
    }

    /// Protocol fees accrued in `currency` across all pools (`protocolFeesAccrued`).
    pub fn protocol_fees_accrued(&self, currency: Address) -> U256 {
        self.pools.values().fold(U256::ZERO, |acc, (key, _, pool)| {
            let (f0, f1) = pool.protocol_fees();
            let mut acc = acc;
            if key.currency0 == currency {
                acc += U256::from(f0);
            }
            if key.currency1 == currency {
                acc += U256::from(f1);
            }
            acc
        })
    }

    /// Runs `f` in a session; the session's effects are kept only if `f` succeeds and every
    /// currency delta is zero at the end.
    pub fn unlock<R>(&mut self, f: impl FnOnce(&mut Session<'_>) -> Result<R>) -> Result<R> {
        if self.unlocked {
            return Err(ClmmError::ManagerLocked("already unlocked"));
        }
        let saved = self.clone();
        self.unlocked = true;
        let out = f(&mut Session { manager: self });
        let settled = self.deltas.all_zero();
        self.unlocked = false;
        match out {
            Ok(r) if settled => {
                self.deltas = Deltas::default();
                Ok(r)
            }
            Ok(_) => {
                *self = saved;
                Err(ClmmError::CurrencyNotSettled)
            }
            Err(e) => {
                *self = saved;
                Err(e)
            }
        }
    }
}

impl Session<'_> {
    fn entry(&mut self, id: B256) -> Result<&mut (PoolKey, Address, Pool)> {
        self.manager.pools.get_mut(&id).ok_or(ClmmError::PoolNotFound)
    }

    /// Adds (`liquidity_delta > 0`) or removes liquidity of `owner` and credits the position's
    /// fees; returns the caller's delta (token0, token1), negative = owed by the caller.
    pub fn modify_liquidity(
        &mut self,
        id: B256,
        owner: Address,
        tick_lower: i32,
        tick_upper: i32,
        liquidity_delta: i128,
        time: u32,
    ) -> Result<(I256, I256)> {
        let (key, _, pool) = self.entry(id)?;
        let key = *key;
        let (d0, d1) = if liquidity_delta > 0 {
            let (a0, a1) =
                pool.mint(owner, tick_lower, tick_upper, liquidity_delta.unsigned_abs(), time)?;
            (-I256::from_raw(a0), -I256::from_raw(a1))
        } else {
            pool.burn(owner, tick_lower, tick_upper, liquidity_delta.unsigned_abs(), time)?;
            (I256::ZERO, I256::ZERO)
        };
        // Principal of a burn and all accrued fees go to the caller's delta at once.
        let (c0, c1) = pool.collect(owner, tick_lower, tick_upper, u128::MAX, u128::MAX)?;
        let d0 = d0 + I256::from_raw(U256::from(c0));
        let d1 = d1 + I256::from_raw(U256::from(c1));
        self.account(key, d0, d1)?;
        Ok((d0, d1))
    }

    /// Swaps with V4's sign convention: `amount_specified` negative = exact input, positive =
    /// exact output; returns the caller's delta (token0, token1) and the pool-side result.
    pub fn swap(
        &mut self,
        id: B256,
        zero_for_one: bool,
        amount_specified: I256,
        sqrt_price_limit_x96: U256,
        time: u32,
    ) -> Result<(I256, I256, SwapResult)> {
        let (key, _, pool) = self.entry(id)?;
        let key = *key;
        let r = pool.swap(zero_for_one, -amount_specified, sqrt_price_limit_x96, time)?;
        let (d0, d1) = (-r.amount0, -r.amount1);
        self.account(key, d0, d1)?;
        Ok((d0, d1, r))
    }

    /// Pays `amount` of `currency` to the manager (`settle`).
    pub fn settle(&mut self, currency: Address, amount: U256) -> Result<()> {
        let r = self.manager.reserves.entry(currency).or_insert(U256::ZERO);
        *r = r.checked_add(amount).ok_or(ClmmError::Overflow("reserve"))?;
        self.manager.deltas.add(currency, I256::from_raw(amount));
        Ok(())
    }

    /// Withdraws `amount` of `currency` from the manager (`take`).
    pub fn take(&mut self, currency: Address, amount: U256) -> Result<()> {
        let r = self.manager.reserves.entry(currency).or_insert(U256::ZERO);
        *r = r.checked_sub(amount).ok_or(ClmmError::InsufficientReserves)?;
        self.manager.deltas.add(currency, -I256::from_raw(amount));
        Ok(())
    }

    /// The caller's current delta of `currency`.
    pub fn delta(&self, currency: Address) -> I256 {
        self.manager.deltas.get(currency)
    }

    fn account(&mut self, key: PoolKey, d0: I256, d1: I256) -> Result<()> {
        self.manager.deltas.add(key.currency0, d0);
        self.manager.deltas.add(key.currency1, d1);
        Ok(())
    }
}

impl Flavour {
    /// Whether this flavour lives in a singleton manager.
    pub fn is_singleton(self) -> bool {
        matches!(self, Flavour::UniswapV4)
    }
}
