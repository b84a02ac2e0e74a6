//! The access facet's tables (facet 4): role members, pending grants and the grant delays.

use alloy_primitives::{Address, B256};

use crate::{
    codec::{CodecError, Put, Reader},
    state::{Cell, Ordered, TableId, TableSpec, Value},
};

/// The access facet's number.
pub const FACET: u8 = 4;

/// `(role, account) -> member`.
pub const MEMBERS: Ordered<(B256, Address), bool> =
    Ordered::new(TableId::new(FACET, 0), "access.members");
/// `(role, account) -> pending grant`.
pub const GRANTS: Ordered<(B256, Address), PendingGrant> =
    Ordered::new(TableId::new(FACET, 1), "access.grants");
/// Delay before a grant can be accepted, and the window to accept it.
pub const DELAYS: Cell<RoleDelays> = Cell::new(TableId::new(FACET, 2), "access.delays");

/// Every table of the access facet.
pub static TABLES: &[&dyn TableSpec] = &[&MEMBERS, &GRANTS, &DELAYS];

/// A pending two-step role grant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PendingGrant {
    /// From this time the account can accept.
    pub acceptable_at: u64,
    /// After this time the grant lapses.
    pub expires_at: u64,
}

impl Value for PendingGrant {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u64(self.acceptable_at);
        out.put_u64(self.expires_at);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(PendingGrant { acceptable_at: r.u64()?, expires_at: r.u64()? })
    }
}

/// The grant delays.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RoleDelays {
    /// Delay before a role grant can be accepted.
    pub grant_delay_s: u64,
    /// Window to accept a grant once acceptable.
    pub accept_window_s: u64,
}

impl Value for RoleDelays {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u64(self.grant_delay_s);
        out.put_u64(self.accept_window_s);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(RoleDelays { grant_delay_s: r.u64()?, accept_window_s: r.u64()? })
    }
}
