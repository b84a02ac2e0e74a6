//! The token facet's tables (facet 1): balances and allowances of every token by its address,
//! supplies, and ICY's parameters, yearly mint counter, minters and excluded sets.

use alloy_primitives::{Address, U256};

use crate::{
    codec::{CodecError, Put, Reader},
    state::{Cell, Ordered, Table, TableId, TableSpec, Value},
};

/// The token facet's number.
pub const FACET: u8 = 1;

/// `(token, holder) -> balance`.
pub const BALANCES: Table<(Address, Address), U256> =
    Table::new(TableId::new(FACET, 0), "token.balances");
/// `(token, owner, spender) -> allowance`.
pub const ALLOWANCES: Table<(Address, Address, Address), U256> =
    Table::new(TableId::new(FACET, 1), "token.allowances");
/// `token -> supply`.
pub const SUPPLY: Ordered<Address, Supply> = Ordered::new(TableId::new(FACET, 2), "token.supply");
/// ICY's parameters.
pub const ICY_PARAMS: Cell<IcyParams> = Cell::new(TableId::new(FACET, 3), "token.icy_params");
/// What ICY minted in the current protocol year.
pub const ICY_YEAR: Cell<IcyYear> = Cell::new(TableId::new(FACET, 4), "token.icy_year");
/// `minter -> remaining ICY allowance`.
pub const MINTERS: Ordered<Address, U256> = Ordered::new(TableId::new(FACET, 5), "token.minters");
/// `version -> excluded (protocol-owned) accounts`.
pub const EXCLUDED: Ordered<u32, Vec<Address>> =
    Ordered::new(TableId::new(FACET, 6), "token.excluded");
/// The current version of the excluded set.
pub const EXCLUDED_VERSION: Cell<u32> = Cell::new(TableId::new(FACET, 7), "token.excluded_version");
/// `asset -> what it is`: every token the ledger holds (ICY and DFG included).
pub const ASSETS: Ordered<Address, Asset> = Ordered::new(TableId::new(FACET, 8), "token.assets");
/// `asset -> faucet` (devnets only: set at genesis).
pub const FAUCETS: Ordered<Address, Faucet> = Ordered::new(TableId::new(FACET, 9), "token.faucets");
/// `(asset, account) -> time of its last drip`.
pub const DRIPS: Table<(Address, Address), u64> =
    Table::new(TableId::new(FACET, 10), "token.drips");

/// Every table of the token facet.
pub static TABLES: &[&dyn TableSpec] = &[
    &BALANCES,
    &ALLOWANCES,
    &SUPPLY,
    &ICY_PARAMS,
    &ICY_YEAR,
    &MINTERS,
    &EXCLUDED,
    &EXCLUDED_VERSION,
    &ASSETS,
    &FAUCETS,
    &DRIPS,
];

/// Longest asset symbol, bytes.
pub const SYMBOL_BYTES_MAX: usize = 11;

/// A registered asset.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Asset {
    /// Its symbol (`USDC`): 1 to 11 upper-case letters or digits.
    pub symbol: String,
    /// Decimals of its base unit.
    pub decimals: u8,
}

impl Value for Asset {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_bytes(self.symbol.as_bytes());
        out.put_u8(self.decimals);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let symbol = String::from_utf8(r.bytes()?.to_vec()).map_err(|_| CodecError("bad utf-8"))?;
        Ok(Asset { symbol, decimals: r.u8()? })
    }
}

/// A devnet faucet: `amount` base units per drip, at most one drip per `interval_s` per account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Faucet {
    /// Base units per drip.
    pub amount: U256,
    /// Seconds between two drips of one account.
    pub interval_s: u64,
}

impl Value for Faucet {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u256(&self.amount);
        out.put_u64(self.interval_s);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Faucet { amount: r.u256()?, interval_s: r.u64()? })
    }
}

/// A token's supply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Supply {
    /// Total supply.
    pub total: U256,
    /// Burned so far (out of `total` already).
    pub burned: U256,
}

impl Value for Supply {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u256(&self.total);
        out.put_u256(&self.burned);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Supply { total: r.u256()?, burned: r.u256()? })
    }
}

/// ICY's parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct IcyParams {
    /// Hard cap.
    pub max_supply: U256,
    /// Yearly inflation limit, basis points of the year-start supply.
    pub inflation_bps: u16,
    /// Burn on transfer, basis points.
    pub transfer_burn_bps: u16,
}

impl Value for IcyParams {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u256(&self.max_supply);
        out.put_u16(self.inflation_bps);
        out.put_u16(self.transfer_burn_bps);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(IcyParams {
            max_supply: r.u256()?,
            inflation_bps: r.u16()?,
            transfer_burn_bps: r.u16()?,
        })
    }
}

/// ICY minted in one protocol year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct IcyYear {
    /// Index of the protocol year (0 from genesis).
    pub index: u64,
    /// Supply at the start of that year.
    pub start_supply: U256,
    /// Minted during that year.
    pub minted: U256,
}

impl Value for IcyYear {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u64(self.index);
        out.put_u256(&self.start_supply);
        out.put_u256(&self.minted);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(IcyYear { index: r.u64()?, start_supply: r.u256()?, minted: r.u256()? })
    }
}
