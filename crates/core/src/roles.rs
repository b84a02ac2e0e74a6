//! Protocol roles (SPEC 3.6). A role's id is keccak256 of its name, as in OpenZeppelin's
//! AccessControl.

use alloy_primitives::{B256, keccak256};

/// A named role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Role(pub &'static str);

impl Role {
    /// keccak256 of the name.
    pub fn id(&self) -> B256 {
        keccak256(self.0.as_bytes())
    }
}

/// Creates vaults, grants roles, registers minters.
pub const ADMIN: Role = Role("ADMIN");
/// Sets pools, scores, weights, caps.
pub const MANAGER: Role = Role("MANAGER");
/// Runs keepers (grants need no delay).
pub const KEEPER: Role = Role("KEEPER");
/// Collects fees, deposits revenue.
pub const TREASURY: Role = Role("TREASURY");
/// Mints within allowances (minters are also registered with an allowance).
pub const MINTER: Role = Role("MINTER");
/// Signs oracle reports.
pub const REPORTER: Role = Role("REPORTER");
/// Signs treasury operations.
pub const SIGNER: Role = Role("SIGNER");
/// Pauses for up to 72 hours, cancels cuts.
pub const GUARDIAN: Role = Role("GUARDIAN");

/// Every role.
pub const ALL: [Role; 8] = [ADMIN, MANAGER, KEEPER, TREASURY, MINTER, REPORTER, SIGNER, GUARDIAN];

/// The role with this id.
pub fn by_id(id: &B256) -> Option<Role> {
    ALL.into_iter().find(|r| r.id() == *id)
}

/// The role with this name (case-insensitive).
pub fn by_name(name: &str) -> Option<Role> {
    ALL.into_iter().find(|r| r.0.eq_ignore_ascii_case(name))
}
