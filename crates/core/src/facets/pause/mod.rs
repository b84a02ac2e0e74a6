//! The protocol pause (SPEC 3.6): a GUARDIAN may pause for up to 72 hours, governance for up
//! to 30 days; while paused, every command that moves tokens is refused.

pub mod commands;
pub mod events;
pub mod state;

use self::state::PAUSE;
pub use self::state::Pause;
use super::{Ctx, access};
use crate::{
    command, event,
    rejection::{Authority, Outcome, Rejection},
    roles,
    state::State,
};

/// Longest pause a GUARDIAN can order.
pub const GUARDIAN_PAUSE_S_MAX: u64 = 72 * 3600;
/// How long after the end of its last pause a GUARDIAN must wait to pause again.
pub const GUARDIAN_PAUSE_COOLDOWN_S: u64 = 7 * hoard_primitives::DAY_S;
/// Longest pause governance can order.
pub const GOVERNANCE_PAUSE_S_MAX: u64 = 30 * hoard_primitives::DAY_S;

/// Until when the protocol is paused (0: never paused; a past time: no longer paused).
pub fn paused_until(state: &State) -> u64 {
    state.cell(&PAUSE).until
}

/// `pause(durationS)`: governance for up to 30 days, over a pause or not; a GUARDIAN for up to
/// 72 hours, only when not paused and not within a week of the end of its last pause, so
/// guardians alone can never keep the protocol paused (at most 72 hours in every 10 days); a
/// longer pause needs governance.
pub fn pause(ctx: &mut Ctx<'_>, c: &command::Pause) -> Outcome {
    let now = ctx.env.time_s;
    let p = ctx.state.cell(&PAUSE);
    let paused = p.until > now;
    let governance = ctx.is_governance();
    let max = if governance {
        GOVERNANCE_PAUSE_S_MAX
    } else if access::has_role(ctx.state, &roles::GUARDIAN.id(), &ctx.sender) {
        if paused {
            return Err(Rejection::AlreadyPaused { until: p.until });
        }
        let from = p.guardian_ended.saturating_add(GUARDIAN_PAUSE_COOLDOWN_S);
        if p.guardian_ended > 0 && now < from {
            return Err(Rejection::GuardianPauseCoolingDown { ended: p.guardian_ended, from });
        }
        GUARDIAN_PAUSE_S_MAX
    } else {
        return Err(Rejection::Unauthorized { needs: Authority::GuardianOrGovernance });
    };
    if c.durationS == 0 || c.durationS > max {
        return Err(Rejection::PauseDurationOutOfRange { duration_s: c.durationS, max_s: max });
    }
    let until = now + c.durationS;
    let next = if governance {
        Pause { until, by_governance: true, ..p }
    } else {
        Pause { until, by_governance: false, guardian_ended: until }
    };
    ctx.state.set_cell(&PAUSE, next);
    ctx.emit(ctx.addrs.diamond, event::Paused { account: ctx.sender, until });
    super::ledger::schedule(
        ctx.state,
        until,
        state::FACET,
        TASK_PAUSE_ENDS,
        until.to_be_bytes().to_vec(),
    );
    Ok(())
}

/// The task that marks the end of a pause at its time.
pub const TASK_PAUSE_ENDS: u16 = 1;

/// Runs a pause task: when the pause that scheduled it ends as ordered (not lifted early nor
/// replaced), a `PauseEnded` event says so.
fn run_task(ctx: &mut Ctx<'_>, kind: u16, payload: &[u8]) -> Outcome {
    let until = match (kind, <[u8; 8]>::try_from(payload)) {
        (TASK_PAUSE_ENDS, Ok(b)) => u64::from_be_bytes(b),
        _ => return Err(Rejection::UnknownTask { facet: state::FACET.into(), kind: kind.into() }),
    };
    if paused_until(ctx.state) == until {
        ctx.emit(ctx.addrs.diamond, event::PauseEnded { until });
    }
    Ok(())
}

/// `unpause()`: governance lifts any pause; a GUARDIAN only a guardian's.
pub fn unpause(ctx: &mut Ctx<'_>, _c: &command::Unpause) -> Outcome {
    let governance = ctx.is_governance();
    if !governance && !access::has_role(ctx.state, &roles::GUARDIAN.id(), &ctx.sender) {
        return Err(Rejection::Unauthorized { needs: Authority::GuardianOrGovernance });
    }
    let p = ctx.state.cell(&PAUSE);
    if p.until <= ctx.env.time_s {
        return Err(Rejection::NotPaused);
    }
    if p.by_governance && !governance {
        return Err(Rejection::PausedByGovernance { until: p.until });
    }
    ctx.state.set_cell(&PAUSE, Pause { until: 0, by_governance: false, ..p });
    ctx.emit(ctx.addrs.diamond, event::Unpaused { account: ctx.sender });
    Ok(())
}

/// A second version of the pause facet, compiled for the upgrade test only: a GUARDIAN may
/// pause for 48 hours instead of 72. A cut pointing the pause selectors at it is an upgrade
/// from the block the cut executes in.
#[cfg(test)]
pub(crate) mod v2 {
    use super::*;
    use crate::command::Command;

    /// The GUARDIAN's longest pause in this version.
    pub const GUARDIAN_PAUSE_S_MAX_V2: u64 = 48 * 3600;

    /// The handler of version 2.
    pub fn execute(ctx: &mut Ctx<'_>, command: &Command) -> Outcome {
        match command {
            Command::Pause(c) if !ctx.is_governance() && c.durationS > GUARDIAN_PAUSE_S_MAX_V2 => {
                Err(Rejection::PauseDurationOutOfRange {
                    duration_s: c.durationS,
                    max_s: GUARDIAN_PAUSE_S_MAX_V2,
                })
            }
            _ => super::execute(ctx, command),
        }
    }
}

#[cfg(test)]
mod upgrade_tests;

/// The pause facet.
pub struct Definition;

const V1: super::Implementation = super::Implementation::v1("pause", &["paused()"], execute);

impl super::Facet for Definition {
    super::facet_conventions!("pause");
    fn implementations(&self) -> &'static [super::Implementation] {
        #[cfg(not(test))]
        const VERSIONS: &[super::Implementation] = &[V1];
        #[cfg(test)]
        const VERSIONS: &[super::Implementation] =
            &[V1, super::Implementation { version: 2, execute: v2::execute, ..V1 }];
        VERSIONS
    }
    fn run_task(&self, ctx: &mut Ctx<'_>, kind: u16, payload: &[u8]) -> Outcome {
        run_task(ctx, kind, payload)
    }
}

/// Version 1's handler of each command.
fn execute(ctx: &mut Ctx<'_>, command: &crate::command::Command) -> Outcome {
    use crate::command::Command;
    match command {
        Command::Pause(c) => pause(ctx, c),
        Command::Unpause(c) => unpause(ctx, c),
        other => super::no_commands(ctx, other),
    }
}
