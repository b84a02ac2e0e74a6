//! Governance is a module: its account (`Module::Governance`) is derived, has no key, and owns
//! the protocol's parameters and the diamond; every governance action is an internal call made
//! as that module. Proposals, votes and the timelock (SPEC 3.5) come with the governance issue;
//! until then a **steward** named in the genesis may make governance execute a command
//! (`actAsGovernance`), each use recorded with a `GovernanceActed` event, and may end the
//! stewardship for good (`endStewardship`, also open to governance itself).

pub mod commands;
pub mod events;
pub mod state;

use alloy_primitives::Address;

use self::state::STEWARD;
use super::{
    Ctx,
    modules::{Module, Origin},
};
use crate::{
    command::{self, Command},
    event,
    rejection::{Authority, Outcome, Rejection},
    state::State,
};

/// The governance account.
pub fn account() -> Address {
    Module::Governance.account()
}

/// The steward (zero: none, or the stewardship ended).
pub fn steward(state: &State) -> Address {
    state.cell(&STEWARD)
}

/// `actAsGovernance(commandType, command)`: the steward makes governance execute one command
/// (its ABI encoding, as in the log; its nonce and deadline fields are ignored), all or
/// nothing.
pub fn act(ctx: &mut Ctx<'_>, c: &command::ActAsGovernance) -> Outcome {
    let steward = steward(ctx.state);
    if steward == Address::ZERO || ctx.sender != steward || ctx.origin != Origin::User {
        return Err(Rejection::Unauthorized { needs: Authority::Steward });
    }
    let inner = Command::decode(c.commandType, &c.command)
        .map_err(|_| Rejection::BadAction { command_type: c.commandType.into() })?;
    if inner.info().facet == state::FACET {
        return Err(Rejection::NestedAction);
    }
    ctx.emit(ctx.addrs.diamond, event::GovernanceActed { steward, commandType: c.commandType });
    ctx.call_as(Module::Governance, &inner)
}

/// `endStewardship()`: the steward, or governance itself, ends the stewardship; nobody can act
/// for governance again but the governance facet's proposals.
pub fn end_stewardship(ctx: &mut Ctx<'_>, _c: &command::EndStewardship) -> Outcome {
    let steward = steward(ctx.state);
    let allowed = (steward != Address::ZERO && ctx.sender == steward) || ctx.is_governance();
    if !allowed {
        return Err(Rejection::Unauthorized { needs: Authority::Steward });
    }
    ctx.state.delete(&STEWARD, &());
    ctx.emit(ctx.addrs.diamond, event::StewardshipEnded { steward });
    Ok(())
}

/// The `ActAsGovernance` command that makes governance execute `inner` (its nonce and
/// deadline are ignored), for the steward to sign with its own nonce and deadline.
pub fn wrap(inner: &Command, nonce: u64, deadline: u64) -> Command {
    Command::ActAsGovernance(command::ActAsGovernance {
        commandType: inner.type_id(),
        command: inner.abi_encode().into(),
        nonce,
        deadline,
    })
}

/// The governance facet.
pub struct Definition;

/// Version 1.
const IMPLEMENTATIONS: &[super::Implementation] =
    &[super::Implementation::v1("governance", VIEWS, execute)];

/// The views of version 1.
const VIEWS: &[&str] = &["governanceSteward()"];

impl super::Facet for Definition {
    super::facet_conventions!("governance");
    fn implementations(&self) -> &'static [super::Implementation] {
        IMPLEMENTATIONS
    }
}

/// Version 1's handler of each command.
fn execute(ctx: &mut Ctx<'_>, command: &crate::command::Command) -> Outcome {
    use crate::command::Command;
    match command {
        Command::ActAsGovernance(c) => act(ctx, c),
        Command::EndStewardship(c) => end_stewardship(ctx, c),
        other => super::no_commands(ctx, other),
    }
}
