//! Access control (SPEC 3.6): roles with two-step, timelocked grants that must be accepted
//! within a window (KEEPER grants need no delay), revocation and emergency revoke-all.

pub mod commands;
pub mod events;
pub mod state;

use alloy_primitives::{Address, B256};
use hoard_primitives::DAY_S;

use self::state::{DELAYS, GRANTS, MEMBERS};
pub use self::state::{PendingGrant, RoleDelays};
use super::Ctx;
use crate::{
    command, event,
    rejection::{Authority, Outcome, Rejection},
    roles,
    state::State,
};

/// Whether an account holds a role.
pub fn has_role(state: &State, role: &B256, a: &Address) -> bool {
    state.contains(&MEMBERS, &(*role, *a))
}

/// Every holder of a role, in address order.
pub fn members(state: &State, role: &B256) -> Vec<Address> {
    state
        .range(&MEMBERS, (*role, Address::ZERO)..=(*role, Address::repeat_byte(0xff)))
        .map(|((_, a), _)| *a)
        .collect()
}

/// Whether an account holds or has pending any role, or is the governance steward: for the
/// admission rule.
pub fn is_named(state: &State, a: &Address) -> bool {
    *a == super::governance::steward(state)
        || state.iter(&MEMBERS).any(|((_, m), _)| m == a)
        || state.iter(&GRANTS).any(|((_, g), _)| g == a)
}

/// A pending grant.
pub fn pending_grant(state: &State, role: &B256, a: &Address) -> Option<PendingGrant> {
    state.get(&GRANTS, &(*role, *a)).copied()
}

/// Every pending grant of a role, in address order.
pub fn pending_grants(state: &State, role: &B256) -> Vec<(Address, PendingGrant)> {
    state
        .range(&GRANTS, (*role, Address::ZERO)..=(*role, Address::repeat_byte(0xff)))
        .map(|((_, a), g)| (*a, *g))
        .collect()
}

/// The grant delays.
pub fn delays(state: &State) -> RoleDelays {
    state.cell(&DELAYS)
}

/// Grant delay bounds (SPEC 3.6: 1-30 days).
pub const GRANT_DELAY_S_MIN: u64 = DAY_S;
/// Upper bound of the grant delay.
pub const GRANT_DELAY_S_MAX: u64 = 30 * DAY_S;
/// Acceptance window bounds.
pub const ACCEPT_WINDOW_S_MIN: u64 = DAY_S;
/// Upper bound of the acceptance window.
pub const ACCEPT_WINDOW_S_MAX: u64 = 30 * DAY_S;

fn require_admin(ctx: &Ctx<'_>) -> Outcome {
    if ctx.is_governance() || has_role(ctx.state, &roles::ADMIN.id(), &ctx.sender) {
        Ok(())
    } else {
        Err(Rejection::Unauthorized { needs: Authority::AdminOrGovernance })
    }
}

fn known_role(id: &alloy_primitives::B256) -> Result<roles::Role, Rejection> {
    roles::by_id(id).ok_or(Rejection::UnknownRole { role: *id })
}

/// `grantRole(role, account)`: proposes a grant.
pub fn grant(ctx: &mut Ctx<'_>, c: &command::GrantRole) -> Outcome {
    require_admin(ctx)?;
    let role = known_role(&c.role)?;
    if c.account == Address::ZERO {
        return Err(Rejection::GrantToZeroAddress);
    }
    if has_role(ctx.state, &c.role, &c.account) {
        return Err(Rejection::AlreadyMember { role: c.role, account: c.account });
    }
    let d = delays(ctx.state);
    let delay = if role == roles::KEEPER { 0 } else { d.grant_delay_s };
    let acceptable_at = ctx.env.time_s + delay;
    let expires_at = acceptable_at + d.accept_window_s;
    let grant = PendingGrant { acceptable_at, expires_at };
    ctx.state.put(&GRANTS, (c.role, c.account), grant);
    ctx.emit(
        ctx.addrs.diamond,
        event::RoleGrantProposed {
            role: c.role,
            account: c.account,
            sender: ctx.sender,
            acceptableAt: acceptable_at,
            expiresAt: expires_at,
        },
    );
    Ok(())
}

/// `acceptRole(role)`: the grantee accepts within the window.
pub fn accept(ctx: &mut Ctx<'_>, c: &command::AcceptRole) -> Outcome {
    let Some(g) = pending_grant(ctx.state, &c.role, &ctx.sender) else {
        return Err(Rejection::NoPendingGrant { role: c.role, account: ctx.sender });
    };
    let now = ctx.env.time_s;
    if now < g.acceptable_at {
        return Err(Rejection::GrantNotYetAcceptable { from: g.acceptable_at });
    }
    if now > g.expires_at {
        return Err(Rejection::GrantExpired { at: g.expires_at });
    }
    ctx.state.delete(&GRANTS, &(c.role, ctx.sender));
    ctx.state.put(&MEMBERS, (c.role, ctx.sender), true);
    ctx.emit(
        ctx.addrs.diamond,
        event::RoleGranted { role: c.role, account: ctx.sender, sender: ctx.sender },
    );
    Ok(())
}

/// `cancelGrant(role, account)`.
pub fn cancel_grant(ctx: &mut Ctx<'_>, c: &command::CancelGrant) -> Outcome {
    require_admin(ctx)?;
    if pending_grant(ctx.state, &c.role, &c.account).is_none() {
        return Err(Rejection::NoPendingGrant { role: c.role, account: c.account });
    }
    ctx.state.delete(&GRANTS, &(c.role, c.account));
    ctx.emit(
        ctx.addrs.diamond,
        event::RoleGrantCancelled { role: c.role, account: c.account, sender: ctx.sender },
    );
    Ok(())
}

/// `revokeRole(role, account)`.
pub fn revoke(ctx: &mut Ctx<'_>, c: &command::RevokeRole) -> Outcome {
    require_admin(ctx)?;
    if !has_role(ctx.state, &c.role, &c.account) {
        return Err(Rejection::NotMember { role: c.role, account: c.account });
    }
    ctx.state.delete(&MEMBERS, &(c.role, c.account));
    ctx.emit(
        ctx.addrs.diamond,
        event::RoleRevoked { role: c.role, account: c.account, sender: ctx.sender },
    );
    Ok(())
}

/// `renounceRole(role)`.
pub fn renounce(ctx: &mut Ctx<'_>, c: &command::RenounceRole) -> Outcome {
    if !has_role(ctx.state, &c.role, &ctx.sender) {
        return Err(Rejection::NotMember { role: c.role, account: ctx.sender });
    }
    ctx.state.delete(&MEMBERS, &(c.role, ctx.sender));
    ctx.emit(
        ctx.addrs.diamond,
        event::RoleRevoked { role: c.role, account: ctx.sender, sender: ctx.sender },
    );
    Ok(())
}

/// `revokeAll(role)`: every holder and every pending grant of the role.
pub fn revoke_all(ctx: &mut Ctx<'_>, c: &command::RevokeAll) -> Outcome {
    require_admin(ctx)?;
    known_role(&c.role)?;
    let members = members(ctx.state, &c.role);
    let pending = pending_grants(ctx.state, &c.role);
    for a in &members {
        ctx.state.delete(&MEMBERS, &(c.role, *a));
        ctx.emit(
            ctx.addrs.diamond,
            event::RoleRevoked { role: c.role, account: *a, sender: ctx.sender },
        );
    }
    // A pending grant is cancelled as visibly as one cancelled by hand.
    for (a, _) in pending {
        ctx.state.delete(&GRANTS, &(c.role, a));
        ctx.emit(
            ctx.addrs.diamond,
            event::RoleGrantCancelled { role: c.role, account: a, sender: ctx.sender },
        );
    }
    ctx.emit(
        ctx.addrs.diamond,
        event::RoleRevokedAll { role: c.role, sender: ctx.sender, count: members.len() as u32 },
    );
    Ok(())
}

/// `setRoleDelays(grantDelayS, acceptWindowS)`: governance only.
pub fn set_delays(ctx: &mut Ctx<'_>, c: &command::SetRoleDelays) -> Outcome {
    if !ctx.is_governance() {
        return Err(Rejection::Unauthorized { needs: Authority::Governance });
    }
    if !(GRANT_DELAY_S_MIN..=GRANT_DELAY_S_MAX).contains(&c.grantDelayS)
        || !(ACCEPT_WINDOW_S_MIN..=ACCEPT_WINDOW_S_MAX).contains(&c.acceptWindowS)
    {
        return Err(Rejection::RoleDelaysOutOfRange {
            grant_delay_s: c.grantDelayS,
            accept_window_s: c.acceptWindowS,
        });
    }
    ctx.state.set_cell(
        &DELAYS,
        RoleDelays { grant_delay_s: c.grantDelayS, accept_window_s: c.acceptWindowS },
    );
    ctx.emit(
        ctx.addrs.diamond,
        event::RoleDelaysSet { grantDelayS: c.grantDelayS, acceptWindowS: c.acceptWindowS },
    );
    Ok(())
}

/// The access facet.
pub struct Definition;

/// Version 1.
const IMPLEMENTATIONS: &[super::Implementation] =
    &[super::Implementation::v1("access", VIEWS, execute)];

/// The views of version 1.
const VIEWS: &[&str] = &["hasRole(bytes32,address)", "pendingGrant(bytes32,address)"];

impl super::Facet for Definition {
    super::facet_conventions!("access");
    fn implementations(&self) -> &'static [super::Implementation] {
        IMPLEMENTATIONS
    }
}

/// Version 1's handler of each command.
fn execute(ctx: &mut Ctx<'_>, command: &crate::command::Command) -> Outcome {
    use crate::command::Command;
    match command {
        Command::GrantRole(c) => grant(ctx, c),
        Command::AcceptRole(c) => accept(ctx, c),
        Command::CancelGrant(c) => cancel_grant(ctx, c),
        Command::RevokeRole(c) => revoke(ctx, c),
        Command::RenounceRole(c) => renounce(ctx, c),
        Command::RevokeAll(c) => revoke_all(ctx, c),
        Command::SetRoleDelays(c) => set_delays(ctx, c),
        other => super::no_commands(ctx, other),
    }
}
