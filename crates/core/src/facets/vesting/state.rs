//! The vesting facet's tables (facet 3).

use alloy_primitives::{Address, U256};

use crate::{
    codec::{CodecError, Put, Reader},
    state::{Cell, Ordered, TableId, TableSpec, Value},
};

/// The vesting facet's number.
pub const FACET: u8 = 3;

/// `id -> schedule`.
pub const SCHEDULES: Ordered<u64, Vesting> =
    Ordered::new(TableId::new(FACET, 0), "vesting.schedules");
/// The next schedule id.
pub const NEXT_ID: Cell<u64> = Cell::new(TableId::new(FACET, 1), "vesting.next_id");

/// Every table of the vesting facet.
pub static TABLES: &[&dyn TableSpec] = &[&SCHEDULES, &NEXT_ID];

/// A DFG vesting schedule: nothing before `start + cliff_s`, then linear from `start` to
/// `start + duration_s`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Vesting {
    /// Who may release.
    pub beneficiary: Address,
    /// Total amount locked.
    pub amount: U256,
    /// Start of vesting, unix seconds.
    pub start: u64,
    /// Cliff length from start.
    pub cliff_s: u64,
    /// Total duration from start.
    pub duration_s: u64,
    /// Already released.
    pub released: U256,
}

impl Value for Vesting {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_address(&self.beneficiary);
        out.put_u256(&self.amount);
        out.put_u64(self.start);
        out.put_u64(self.cliff_s);
        out.put_u64(self.duration_s);
        out.put_u256(&self.released);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Vesting {
            beneficiary: r.address()?,
            amount: r.u256()?,
            start: r.u64()?,
            cliff_s: r.u64()?,
            duration_s: r.u64()?,
            released: r.u256()?,
        })
    }
}
