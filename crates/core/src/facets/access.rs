//! Access control and pause (SPEC 3.6): roles with two-step, timelocked grants that must be
//! accepted within a window (KEEPER grants need no delay), revocation, emergency revoke-all, and
//! the protocol pause (GUARDIAN up to 72 hours, governance up to 30 days).

use alloy_primitives::Address;
use hoard_primitives::DAY_S;

use super::Ctx;
use crate::{
    command, event,
    rejection::{Outcome, Rejection},
    roles,
    state::{PendingGrant, StateKey, StateValue},
};

/// Grant delay bounds (SPEC 3.6: 1-30 days).
pub const GRANT_DELAY_S_MIN: u64 = DAY_S;
/// Upper bound of the grant delay.
pub const GRANT_DELAY_S_MAX: u64 = 30 * DAY_S;
/// Acceptance window bounds.
pub const ACCEPT_WINDOW_S_MIN: u64 = DAY_S;
/// Upper bound of the acceptance window.
pub const ACCEPT_WINDOW_S_MAX: u64 = 30 * DAY_S;
/// Longest pause a GUARDIAN can order.
pub const GUARDIAN_PAUSE_S_MAX: u64 = 72 * 3600;
/// Longest pause governance can order.
pub const GOVERNANCE_PAUSE_S_MAX: u64 = 30 * DAY_S;

fn require_admin(ctx: &Ctx<'_>) -> Outcome {
    if ctx.is_governance() || ctx.state.has_role(&roles::ADMIN.id(), &ctx.sender) {
        Ok(())
    } else {
        Err(Rejection::Unauthorized("this needs the ADMIN role or governance"))
    }
}

fn known_role(id: &alloy_primitives::B256) -> Result<roles::Role, Rejection> {
    roles::by_id(id).ok_or_else(|| Rejection::InvalidParameter(format!("unknown role {id}")))
}

/// `grantRole(role, account)`: proposes a grant.
pub fn grant(ctx: &mut Ctx<'_>, c: &command::GrantRole) -> Outcome {
    require_admin(ctx)?;
    let role = known_role(&c.role)?;
    if c.account == Address::ZERO {
        return Err(Rejection::InvalidParameter("cannot grant a role to the zero address".into()));
    }
    if ctx.state.has_role(&c.role, &c.account) {
        return Err(Rejection::WrongState(format!("{} already holds {}", c.account, role.0)));
    }
    let g = ctx.state.globals();
    let delay = if role == roles::KEEPER { 0 } else { g.role_grant_delay_s };
    let acceptable_at = ctx.env.time_s + delay;
    let expires_at = acceptable_at + g.role_accept_window_s;
    let grant = PendingGrant { acceptable_at, expires_at };
    ctx.state.put(StateKey::Grant(c.role, c.account), Some(StateValue::Grant(grant)));
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
    let Some(g) = ctx.state.grants().get(&(c.role, ctx.sender)).copied() else {
        return Err(Rejection::NotFound("no pending grant of this role for the sender".into()));
    };
    let now = ctx.env.time_s;
    if now < g.acceptable_at {
        return Err(Rejection::WrongState(format!(
            "the grant can be accepted from {}",
            g.acceptable_at
        )));
    }
    if now > g.expires_at {
        return Err(Rejection::WrongState(format!("the grant expired at {}", g.expires_at)));
    }
    ctx.state.put(StateKey::Grant(c.role, ctx.sender), None);
    ctx.state.put(StateKey::Role(c.role, ctx.sender), Some(StateValue::Member));
    ctx.emit(
        ctx.addrs.diamond,
        event::RoleGranted { role: c.role, account: ctx.sender, sender: ctx.sender },
    );
    Ok(())
}

/// `cancelGrant(role, account)`.
pub fn cancel_grant(ctx: &mut Ctx<'_>, c: &command::CancelGrant) -> Outcome {
    require_admin(ctx)?;
    if !ctx.state.grants().contains_key(&(c.role, c.account)) {
        return Err(Rejection::NotFound("no such pending grant".into()));
    }
    ctx.state.put(StateKey::Grant(c.role, c.account), None);
    ctx.emit(
        ctx.addrs.diamond,
        event::RoleGrantCancelled { role: c.role, account: c.account, sender: ctx.sender },
    );
    Ok(())
}

/// `revokeRole(role, account)`.
pub fn revoke(ctx: &mut Ctx<'_>, c: &command::RevokeRole) -> Outcome {
    require_admin(ctx)?;
    if !ctx.state.has_role(&c.role, &c.account) {
        return Err(Rejection::NotFound("the account does not hold this role".into()));
    }
    ctx.state.put(StateKey::Role(c.role, c.account), None);
    ctx.emit(
        ctx.addrs.diamond,
        event::RoleRevoked { role: c.role, account: c.account, sender: ctx.sender },
    );
    Ok(())
}

/// `renounceRole(role)`.
pub fn renounce(ctx: &mut Ctx<'_>, c: &command::RenounceRole) -> Outcome {
    if !ctx.state.has_role(&c.role, &ctx.sender) {
        return Err(Rejection::NotFound("the sender does not hold this role".into()));
    }
    ctx.state.put(StateKey::Role(c.role, ctx.sender), None);
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
    let members: Vec<Address> =
        ctx.state.roles().get(&c.role).map(|m| m.iter().copied().collect()).unwrap_or_default();
    let pending: Vec<Address> =
        ctx.state.grants().keys().filter(|(r, _)| *r == c.role).map(|(_, a)| *a).collect();
    for a in &members {
        ctx.state.put(StateKey::Role(c.role, *a), None);
        ctx.emit(
            ctx.addrs.diamond,
            event::RoleRevoked { role: c.role, account: *a, sender: ctx.sender },
        );
    }
    for a in pending {
        ctx.state.put(StateKey::Grant(c.role, a), None);
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
        return Err(Rejection::Unauthorized("role delays are set by governance"));
    }
    if !(GRANT_DELAY_S_MIN..=GRANT_DELAY_S_MAX).contains(&c.grantDelayS)
        || !(ACCEPT_WINDOW_S_MIN..=ACCEPT_WINDOW_S_MAX).contains(&c.acceptWindowS)
    {
        return Err(Rejection::InvalidParameter(
            "grant delay and acceptance window must be 1 to 30 days".into(),
        ));
    }
    let mut g = ctx.state.globals().clone();
    g.role_grant_delay_s = c.grantDelayS;
    g.role_accept_window_s = c.acceptWindowS;
    ctx.state.put_globals(g);
    ctx.emit(
        ctx.addrs.diamond,
        event::RoleDelaysSet { grantDelayS: c.grantDelayS, acceptWindowS: c.acceptWindowS },
    );
    Ok(())
}

/// `pause(durationS)`.
pub fn pause(ctx: &mut Ctx<'_>, c: &command::Pause) -> Outcome {
    let now = ctx.env.time_s;
    let paused = ctx.state.globals().paused_until > now;
    let max = if ctx.is_governance() {
        GOVERNANCE_PAUSE_S_MAX
    } else if ctx.state.has_role(&roles::GUARDIAN.id(), &ctx.sender) {
        if paused {
            return Err(Rejection::WrongState(
                "already paused; a longer pause needs governance".into(),
            ));
        }
        GUARDIAN_PAUSE_S_MAX
    } else {
        return Err(Rejection::Unauthorized("pausing needs GUARDIAN or governance"));
    };
    if c.durationS == 0 || c.durationS > max {
        return Err(Rejection::InvalidParameter(format!("pause duration must be 1 s to {max} s")));
    }
    let until = now + c.durationS;
    let mut g = ctx.state.globals().clone();
    g.paused_until = until;
    ctx.state.put_globals(g);
    ctx.emit(ctx.addrs.diamond, event::Paused { account: ctx.sender, until });
    Ok(())
}

/// `unpause()`.
pub fn unpause(ctx: &mut Ctx<'_>, _c: &command::Unpause) -> Outcome {
    if !ctx.is_governance() && !ctx.state.has_role(&roles::GUARDIAN.id(), &ctx.sender) {
        return Err(Rejection::Unauthorized("unpausing needs GUARDIAN or governance"));
    }
    if ctx.state.globals().paused_until <= ctx.env.time_s {
        return Err(Rejection::WrongState("the protocol is not paused".into()));
    }
    let mut g = ctx.state.globals().clone();
    g.paused_until = 0;
    ctx.state.put_globals(g);
    ctx.emit(ctx.addrs.diamond, event::Unpaused { account: ctx.sender });
    Ok(())
}
