//! The diamond's facets: one folder per facet, each with its own tables (`state.rs`) and a set
//! of pure handlers over [`Ctx`].
//!
//! A handler checks everything it needs, writes through the journaled [`State`], and emits logs.
//! If it returns a rejection the engine reverts the journal, so a handler may fail after writing.
//! A facet reads another facet's state only through that facet's public functions.

pub mod access;
pub mod diamond;
pub mod governance;
pub mod ledger;
pub mod modules;
pub mod pause;
pub mod pools;
pub mod registry;
pub mod token;
pub mod vesting;
pub mod votes;

use alloy_primitives::Address;

use crate::{
    command::Command,
    env::Env,
    event::{EventInfo, Log},
    rejection::{Outcome, Rejection},
    state::{State, TableSpec},
};

/// A facet: what it owns and what it does. Each facet's folder has a unit struct `Definition`
/// implementing this, and one line in `every_facet!` (`facets/registry.rs`).
pub trait Facet: Sync {
    /// Its number: the first byte of its tables' ids (`state::FACET`), never reused.
    fn number(&self) -> u8;
    /// Its name, the prefix of its tables' names.
    fn name(&self) -> &'static str;
    /// Its tables.
    fn tables(&self) -> &'static [&'static dyn TableSpec];
    /// The events it emits.
    fn events(&self) -> &'static [EventInfo];
    /// The implementations the diamond may route its selectors to: version 1 (registered at
    /// genesis) first, then any later version a cut may switch to.
    fn implementations(&self) -> &'static [Implementation];
    /// Runs at the start of every block, once its time is known, before any transaction. For
    /// bookkeeping that cannot fail and emits nothing (what can fail or emit belongs in a
    /// scheduled task); its writes go into the block's change set.
    fn begin_block(&self, _state: &mut State, _env: &Env) {}
    /// Runs one of its scheduled tasks (system origin, in a nested checkpoint).
    fn run_task(&self, _ctx: &mut Ctx<'_>, kind: u16, _payload: &[u8]) -> Outcome {
        Err(Rejection::UnknownTask { facet: self.number().into(), kind: kind.into() })
    }
}

/// The parts of [`Facet`] that every facet declares the same way, by the layout of its folder:
/// its number and tables from its `state.rs`, its events from its `events.rs`. Used inside
/// `impl Facet for Definition` with the facet's name.
macro_rules! facet_conventions {
    ($name:literal) => {
        fn number(&self) -> u8 {
            state::FACET
        }
        fn name(&self) -> &'static str {
            $name
        }
        fn tables(&self) -> &'static [&'static dyn $crate::state::TableSpec] {
            state::TABLES
        }
        fn events(&self) -> &'static [$crate::event::EventInfo] {
            events::EVENTS
        }
    };
}
pub(crate) use facet_conventions;

/// A handler of the commands routed to an implementation.
pub type Execute = fn(&mut Ctx<'_>, &Command) -> Outcome;

/// One compiled implementation of a facet; its diamond address is
/// `keccak256("hoard.facet.<name>.v<version>")[12..]`.
#[derive(Clone, Copy, Debug)]
pub struct Implementation {
    /// Name in the diamond (a facet may have several, such as the cut and the loupe).
    pub name: &'static str,
    /// Version.
    pub version: u32,
    /// Whether it serves its facet's commands (otherwise views only).
    pub serves_commands: bool,
    /// Signatures of its views.
    pub views: &'static [&'static str],
    /// Whether its selectors can never be cut (the cut, the loupe, the node's own commands).
    pub immutable: bool,
    /// Its handler.
    pub execute: Execute,
}

impl Implementation {
    /// Version 1 of a facet serving its commands and these views.
    pub const fn v1(name: &'static str, views: &'static [&'static str], execute: Execute) -> Self {
        Implementation { name, version: 1, serves_commands: true, views, immutable: false, execute }
    }
}

/// The handler of an implementation that serves no commands.
pub fn no_commands(_ctx: &mut Ctx<'_>, command: &Command) -> Outcome {
    Err(Rejection::UnknownSelector { selector: crate::rejection::Selector(command.selector()) })
}

/// Addresses fixed for the life of a chain.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Addresses {
    /// The diamond (EIP-712 `verifyingContract`, emitter of non-token events).
    pub diamond: Address,
    /// The ICY token (emitter of ICY's ERC-20 events).
    pub icy: Address,
    /// The DFG token (emitter of DFG's ERC-20 events).
    pub dfg: Address,
    /// Holds unvested DFG; never delegates, so unvested tokens do not vote.
    pub vesting_escrow: Address,
}

impl Addresses {
    /// The well-known addresses of a chain with this diamond: tokens and escrow are derived as
    /// `keccak256("hoard.<name>")[12..]` so every node computes the same ones.
    pub fn new(diamond: Address) -> Addresses {
        Addresses {
            diamond,
            icy: derived_address("hoard.token.ICY"),
            dfg: derived_address("hoard.token.DFG"),
            vesting_escrow: modules::Module::VestingEscrow.account(),
        }
    }
}

/// `keccak256(label)[12..]` as an address.
pub fn derived_address(label: &str) -> Address {
    Address::from_slice(&alloy_primitives::keccak256(label.as_bytes())[12..])
}

/// What a handler sees.
pub struct Ctx<'a> {
    /// The state (journaled).
    pub state: &'a mut State,
    /// Block context.
    pub env: &'a Env,
    /// The verified signer.
    pub sender: Address,
    /// Logs emitted so far by this command.
    pub logs: &'a mut Vec<Log>,
    /// Well-known addresses.
    pub addrs: &'a Addresses,
    /// Who the command runs for.
    pub origin: modules::Origin,
    /// The number of the facet whose handler runs.
    pub facet: u8,
    /// How many internal calls deep this is (0: the command itself).
    pub depth: u8,
}

impl Ctx<'_> {
    /// Emits a log from `address`.
    pub fn emit<E: alloy_sol_types::SolEvent>(&mut self, address: Address, event: E) {
        self.logs.push(Log::new(address, &event));
    }

    /// Whether the command runs for governance: an internal call made as the governance
    /// module (its account has no key, so no signed command is ever governance's own).
    pub fn is_governance(&self) -> bool {
        self.origin == modules::Origin::Module(modules::Module::Governance)
    }
}
