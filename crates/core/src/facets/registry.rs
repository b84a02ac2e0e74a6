//! The one registry of facets and their tables. A facet's number is its `state::FACET`; adding
//! a facet adds its line here.

use crate::state::{TableId, TableSpec};

use super::{access, diamond, governance, ledger, pause, pools, token, vesting, votes};

/// Every facet's tables, by facet number.
pub static FACET_TABLES: &[(&str, &[&dyn TableSpec])] = &[
    ("ledger", ledger::state::TABLES),
    ("token", token::state::TABLES),
    ("votes", votes::state::TABLES),
    ("vesting", vesting::state::TABLES),
    ("access", access::state::TABLES),
    ("pause", pause::state::TABLES),
    ("diamond", diamond::state::TABLES),
    ("governance", governance::state::TABLES),
    // 8 treasury, 9 rewards, 10 backing: reserved for the facets that will own module accounts.
    ("treasury", &[]),
    ("rewards", &[]),
    ("backing", &[]),
    ("pools", pools::state::TABLES),
];

/// The table with this id.
pub fn table(id: TableId) -> Option<&'static dyn TableSpec> {
    let (_, tables) = FACET_TABLES.get(id.facet as usize)?;
    tables.iter().copied().find(|t| t.id() == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_sits_under_its_facet_number_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (facet, (name, tables)) in FACET_TABLES.iter().enumerate() {
            for t in *tables {
                assert_eq!(t.id().facet as usize, facet, "{} in facet {name}", t.name());
                assert!(t.name().starts_with(&format!("{name}.")), "{} in {name}", t.name());
                assert!(seen.insert(t.id()), "table id {} used twice", t.id());
                assert_eq!(table(t.id()).map(|s| s.name()), Some(t.name()));
            }
        }
    }
}
