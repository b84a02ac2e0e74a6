//! Origins, module accounts and internal calls.
//!
//! Every handler knows who it runs for ([`Origin`]): a user (the verified EIP-712 signer), a
//! module (a facet acting for the protocol through an internal call) or the system (the node's
//! own transactions). Protocol-owned accounts are [`Module`] accounts, derived per module
//! (`keccak256("hoard.module.<name>")[12..]`, so no key can sign for them) and owned by one
//! facet: only that facet, or an internal call made as that module, can move what they hold.
//!
//! An internal call ([`Ctx::call_as`]) executes a command as a module account inside a nested
//! checkpoint, without nonce or deadline, all or nothing: if it is rejected, its writes and logs
//! are undone and the caller decides what to do with the rejection. Governance executing a
//! proposal's actions, treasury payments and escrows use it.

use alloy_primitives::Address;

use super::{Ctx, derived_address};
use crate::{
    command::Command,
    rejection::{Outcome, Rejection},
};

#[cfg(test)]
mod tests;

/// Facet numbers (see `registry.rs`) of the facets to come that own module accounts.
pub mod owners {
    /// The governance facet.
    pub const GOVERNANCE: u8 = super::super::governance::state::FACET;
    /// The treasury facet.
    pub const TREASURY: u8 = 8;
    /// The rewards facet.
    pub const REWARDS: u8 = 9;
    /// The backing facet (floor, buybacks, redemption).
    pub const BACKING: u8 = 10;
    /// The facet number reserved for test modules.
    pub const TEST: u8 = 250;
}

/// Most nested internal calls.
pub const CALL_DEPTH_MAX: u8 = 4;

/// Who a command runs for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A user: the verified signer of the command.
    User,
    /// A module acting for the protocol through an internal call.
    Module(Module),
    /// The node itself (system transactions).
    System,
}

/// A protocol module that owns an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Module {
    /// Governance: owns the parameters and the diamond, executes proposals.
    Governance,
    /// The treasury.
    Treasury,
    /// The contributor rewards pool.
    RewardsPool,
    /// Unvested DFG (never delegates, so unvested tokens do not vote).
    VestingEscrow,
    /// ICY bought back, waiting to be burned.
    BuybackEscrow,
    /// Redemption payouts.
    RedemptionEscrow,
    /// A module for tests of the mechanism (owned by facet [`owners::TEST`]).
    Test,
    /// The reserves of every pool.
    Pools,
}

impl Module {
    /// Every module.
    pub const ALL: [Module; 8] = [
        Module::Governance,
        Module::Treasury,
        Module::RewardsPool,
        Module::VestingEscrow,
        Module::BuybackEscrow,
        Module::RedemptionEscrow,
        Module::Test,
        Module::Pools,
    ];

    /// Its stable name.
    pub fn name(self) -> &'static str {
        match self {
            Module::Governance => "governance",
            Module::Treasury => "treasury",
            Module::RewardsPool => "rewards_pool",
            Module::VestingEscrow => "vesting_escrow",
            Module::BuybackEscrow => "buyback_escrow",
            Module::RedemptionEscrow => "redemption_escrow",
            Module::Test => "test",
            Module::Pools => "pools",
        }
    }

    /// Its account: `keccak256("hoard.module.<name>")[12..]` (computed once).
    pub fn account(self) -> Address {
        Module::accounts()[self as usize]
    }

    /// Every module's account, in [`Module::ALL`] order.
    fn accounts() -> &'static [Address; 8] {
        static ACCOUNTS: std::sync::OnceLock<[Address; 8]> = std::sync::OnceLock::new();
        ACCOUNTS.get_or_init(|| {
            Module::ALL.map(|m| derived_address(&format!("hoard.module.{}", m.name())))
        })
    }

    /// The number of the facet that owns it.
    pub fn owner(self) -> u8 {
        match self {
            Module::Governance => owners::GOVERNANCE,
            Module::Treasury => owners::TREASURY,
            Module::RewardsPool => owners::REWARDS,
            Module::VestingEscrow => super::vesting::state::FACET,
            Module::BuybackEscrow | Module::RedemptionEscrow => owners::BACKING,
            Module::Test => owners::TEST,
            Module::Pools => super::pools::state::FACET,
        }
    }

    /// The module whose account this is.
    pub fn of(account: &Address) -> Option<Module> {
        let accounts = Module::accounts();
        Module::ALL.into_iter().find(|m| accounts[*m as usize] == *account)
    }
}

impl Ctx<'_> {
    /// Whether this handler may move what `module`'s account holds: it runs in the module's
    /// owning facet, or in an internal call made as the module.
    pub fn may_move_for(&self, module: Module) -> bool {
        self.facet == module.owner() || self.origin == Origin::Module(module)
    }

    /// Refuses to move tokens out of a module account for anyone but its owner.
    pub fn check_may_debit(&self, account: &Address) -> Outcome {
        match Module::of(account) {
            Some(m) if !self.may_move_for(m) => {
                Err(Rejection::ModuleAccountProtected { account: *account })
            }
            _ => Ok(()),
        }
    }

    /// Executes `command` as `module`'s account, inside a nested checkpoint: no nonce, no
    /// deadline, all or nothing. Only the facet that owns the module may act as it. On a
    /// rejection, the call's writes and logs are undone and the rejection is returned.
    pub fn call_as(&mut self, module: Module, command: &Command) -> Outcome {
        if self.facet != module.owner() {
            return Err(Rejection::NotModuleOwner { module: module.account() });
        }
        if self.depth >= CALL_DEPTH_MAX {
            return Err(Rejection::CallTooDeep { max: CALL_DEPTH_MAX.into() });
        }
        let checkpoint = self.state.checkpoint();
        let logs = self.logs.len();
        let outcome = {
            let mut inner = Ctx {
                state: &mut *self.state,
                env: self.env,
                sender: module.account(),
                logs: &mut *self.logs,
                addrs: self.addrs,
                origin: Origin::Module(module),
                facet: command.info().facet,
                depth: self.depth + 1,
            };
            crate::engine::dispatch(&mut inner, command)
        };
        if outcome.is_err() {
            self.state.revert(checkpoint);
            self.logs.truncate(logs);
        }
        outcome
    }
}
