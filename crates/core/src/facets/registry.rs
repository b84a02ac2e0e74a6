//! The one registry of facets. A facet is a folder under `facets/` (its `state.rs`,
//! `commands.rs`, `events.rs` and a `Definition` implementing [`Facet`]) plus its line in
//! [`every_facet!`]; everything else (the command enum, the diamond's implementations and
//! selectors, the tables, event names) is built from here.

use super::Facet;
use crate::state::{TableId, TableSpec};

/// Every facet in number order, each with the command types its `commands.rs` declares. Facet
/// numbers 8 (treasury), 9 (rewards) and 10 (backing) are reserved for the facets that will own
/// those module accounts.
macro_rules! every_facet {
    ($then:ident) => {
        $then! {
            ledger: [RunTasks];
            token: [Transfer, Approve, TransferFrom, Burn, Mint, SetMinter, SetIcyParams, SetExcludedAccounts, RegisterAsset, Drip];
            votes: [Delegate];
            vesting: [CreateVesting, ReleaseVested];
            access: [GrantRole, AcceptRole, CancelGrant, RevokeRole, RenounceRole, RevokeAll, SetRoleDelays];
            pause: [Pause, Unpause];
            diamond: [ProposeCut, ExecuteCut, CancelCut];
            governance: [ActAsGovernance, EndStewardship];
            pools: [CreatePool, AddLiquidity, RemoveLiquidity, CollectFees, Swap];
        }
    };
}
pub(crate) use every_facet;

macro_rules! facet_list {
    ($($facet:ident: [$($name:ident),* $(,)?];)*) => {
        /// Every facet, in number order.
        pub static FACETS: &[&dyn Facet] = &[$(&super::$facet::Definition),*];
    };
}
every_facet!(facet_list);

/// The facet with this number.
pub fn facet(number: u8) -> Option<&'static dyn Facet> {
    FACETS.iter().copied().find(|f| f.number() == number)
}

/// The table with this id.
pub fn table(id: TableId) -> Option<&'static dyn TableSpec> {
    facet(id.facet)?.tables().iter().copied().find(|t| t.id() == id)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::command::COMMANDS;

    #[test]
    fn facets_are_numbered_once_in_order_and_own_their_tables() {
        let numbers: Vec<u8> = FACETS.iter().map(|f| f.number()).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
        let mut seen = BTreeSet::new();
        for f in FACETS {
            for t in f.tables() {
                assert_eq!(t.id().facet, f.number(), "{} in facet {}", t.name(), f.name());
                assert!(t.name().starts_with(&format!("{}.", f.name())), "{}", t.name());
                assert!(seen.insert(t.id()), "table id {} used twice", t.id());
                assert_eq!(table(t.id()).map(|s| s.name()), Some(t.name()));
            }
        }
    }

    #[test]
    fn command_type_ids_selectors_and_event_names_are_unique() {
        let ids: BTreeSet<u16> = COMMANDS.iter().map(|c| c.type_id).collect();
        assert_eq!(ids.len(), COMMANDS.len());
        let selectors: BTreeSet<[u8; 4]> = COMMANDS.iter().map(|c| c.selector()).collect();
        assert_eq!(selectors.len(), COMMANDS.len());
        for c in COMMANDS {
            assert!(facet(c.facet).is_some(), "{} names facet {}", c.name, c.facet);
        }
        let events: Vec<_> = FACETS.iter().flat_map(|f| f.events()).collect();
        let names: BTreeSet<_> = events.iter().map(|e| e.name).collect();
        assert_eq!(names.len(), events.len(), "an event name is declared twice");
    }

    #[test]
    fn every_facet_has_a_first_version_serving_its_commands() {
        for f in FACETS {
            let first = f.implementations().first().expect("an implementation");
            assert_eq!(first.version, 1, "{}", f.name());
            let has_commands = COMMANDS.iter().any(|c| c.facet == f.number());
            let served = f.implementations().iter().any(|i| i.version == 1 && i.serves_commands);
            assert_eq!(has_commands, served, "{}", f.name());
        }
    }
}
