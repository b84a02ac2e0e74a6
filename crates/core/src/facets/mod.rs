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

use crate::{env::Env, event::Log, state::State};

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
