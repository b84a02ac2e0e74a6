//! The protocol pause (SPEC 3.6): a GUARDIAN may pause for up to 72 hours, governance for up
//! to 30 days; while paused, every command that moves tokens is refused.

pub mod state;

use self::state::PAUSE;
pub use self::state::Pause;
use super::{Ctx, access};
use crate::{
    command, event,
    rejection::{Outcome, Rejection},
    roles,
    state::State,
};

/// Longest pause a GUARDIAN can order.
pub const GUARDIAN_PAUSE_S_MAX: u64 = 72 * 3600;
/// Longest pause governance can order.
pub const GOVERNANCE_PAUSE_S_MAX: u64 = 30 * hoard_primitives::DAY_S;

/// Until when the protocol is paused (0: never paused; a past time: no longer paused).
pub fn paused_until(state: &State) -> u64 {
    state.cell(&PAUSE).until
}

/// `pause(durationS)`.
pub fn pause(ctx: &mut Ctx<'_>, c: &command::Pause) -> Outcome {
    let now = ctx.env.time_s;
    let paused = paused_until(ctx.state) > now;
    let max = if ctx.is_governance() {
        GOVERNANCE_PAUSE_S_MAX
    } else if access::has_role(ctx.state, &roles::GUARDIAN.id(), &ctx.sender) {
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
    ctx.state.set_cell(&PAUSE, Pause { until });
    ctx.emit(ctx.addrs.diamond, event::Paused { account: ctx.sender, until });
    Ok(())
}

/// `unpause()`.
pub fn unpause(ctx: &mut Ctx<'_>, _c: &command::Unpause) -> Outcome {
    if !ctx.is_governance() && !access::has_role(ctx.state, &roles::GUARDIAN.id(), &ctx.sender) {
        return Err(Rejection::Unauthorized("unpausing needs GUARDIAN or governance"));
    }
    if paused_until(ctx.state) <= ctx.env.time_s {
        return Err(Rejection::WrongState("the protocol is not paused".into()));
    }
    ctx.state.set_cell(&PAUSE, Pause { until: 0 });
    ctx.emit(ctx.addrs.diamond, event::Unpaused { account: ctx.sender });
    Ok(())
}
