//! DFG vesting schedules (SPEC 3.2): tokens sit in the vesting escrow (which never delegates, so
//! unvested tokens do not vote); nothing vests before the cliff, then linearly from `start` to
//! `start + duration`; the beneficiary releases what has vested.

use alloy_primitives::{Address, U256};
use hoard_primitives::{Rounding, mul_div};

pub mod commands;
pub mod events;
pub mod state;

pub use self::state::Vesting;
use self::state::{NEXT_ID, SCHEDULES};
use super::{Ctx, token};
use crate::{
    command, event,
    rejection::{Authority, Outcome, Rejection},
    state::State,
};

/// A schedule by id.
pub fn schedule(state: &State, id: u64) -> Option<&Vesting> {
    state.get(&SCHEDULES, &id)
}

/// Every schedule of a beneficiary, by id.
pub fn schedules_of<'a>(
    state: &'a State,
    beneficiary: &'a Address,
) -> impl Iterator<Item = (u64, &'a Vesting)> + 'a {
    state
        .iter(&SCHEDULES)
        .filter(move |(_, v)| v.beneficiary == *beneficiary)
        .map(|(id, v)| (*id, v))
}

/// Longest vesting duration: 10 years.
pub const VESTING_DURATION_S_MAX: u64 = 10 * hoard_primitives::YEAR_S;

/// Amount vested at time `t`, rounded down (in the protocol's favour).
pub fn vested_at(v: &Vesting, t: u64) -> U256 {
    if t < v.start.saturating_add(v.cliff_s) {
        return U256::ZERO;
    }
    let elapsed = t - v.start;
    if elapsed >= v.duration_s {
        return v.amount;
    }
    mul_div(v.amount, U256::from(elapsed), U256::from(v.duration_s), Rounding::Down)
        .expect("invariant: elapsed < duration so the result is below amount")
}

/// What the beneficiary could release at time `t`.
pub fn releasable_at(v: &Vesting, t: u64) -> U256 {
    vested_at(v, t).saturating_sub(v.released)
}

/// Checks schedule parameters.
pub fn validate(
    beneficiary: Address,
    amount: U256,
    cliff_s: u64,
    duration_s: u64,
) -> Result<(), Rejection> {
    if beneficiary == Address::ZERO || amount.is_zero() {
        return Err(Rejection::VestingEmpty);
    }
    if duration_s == 0 || duration_s > VESTING_DURATION_S_MAX || cliff_s > duration_s {
        return Err(Rejection::VestingBadDuration {
            duration_s,
            cliff_s,
            max_s: VESTING_DURATION_S_MAX,
        });
    }
    Ok(())
}

/// `createVesting(...)`: locks the sender's DFG in the escrow.
pub fn create(ctx: &mut Ctx<'_>, c: &command::CreateVesting) -> Outcome {
    validate(c.beneficiary, c.amount, c.cliffS, c.durationS)?;
    let escrow = ctx.addrs.vesting_escrow;
    token::move_tokens(ctx, ctx.addrs.dfg, ctx.sender, escrow, c.amount)?;
    add_schedule(
        ctx,
        Vesting {
            beneficiary: c.beneficiary,
            amount: c.amount,
            start: c.start,
            cliff_s: c.cliffS,
            duration_s: c.durationS,
            released: U256::ZERO,
        },
    );
    Ok(())
}

/// Records a schedule (its tokens already in the escrow) and emits its event.
pub fn add_schedule(ctx: &mut Ctx<'_>, v: Vesting) -> u64 {
    let id = ctx.state.cell(&NEXT_ID);
    ctx.state.set_cell(&NEXT_ID, id + 1);
    ctx.emit(
        ctx.addrs.diamond,
        event::VestingCreated {
            scheduleId: id,
            beneficiary: v.beneficiary,
            amount: v.amount,
            start: v.start,
            cliffS: v.cliff_s,
            durationS: v.duration_s,
        },
    );
    ctx.state.put(&SCHEDULES, id, v);
    id
}

/// `release(scheduleId)`: the beneficiary takes what has vested.
pub fn release(ctx: &mut Ctx<'_>, c: &command::ReleaseVested) -> Outcome {
    let Some(mut v) = schedule(ctx.state, c.scheduleId).cloned() else {
        return Err(Rejection::VestingNotFound { id: c.scheduleId });
    };
    if v.beneficiary != ctx.sender {
        return Err(Rejection::Unauthorized { needs: Authority::Beneficiary });
    }
    let amount = releasable_at(&v, ctx.env.time_s);
    if amount.is_zero() {
        return Err(Rejection::NothingToRelease);
    }
    v.released += amount;
    debug_assert!(v.released <= v.amount, "vesting never releases more than the amount");
    let beneficiary = v.beneficiary;
    ctx.state.put(&SCHEDULES, c.scheduleId, v);
    let escrow = ctx.addrs.vesting_escrow;
    token::move_tokens(ctx, ctx.addrs.dfg, escrow, beneficiary, amount)?;
    ctx.emit(
        ctx.addrs.diamond,
        event::VestingReleased { scheduleId: c.scheduleId, beneficiary, amount },
    );
    Ok(())
}

/// The vesting facet.
pub struct Definition;

/// Version 1.
const IMPLEMENTATIONS: &[super::Implementation] =
    &[super::Implementation::v1("vesting", VIEWS, execute)];

/// The views of version 1.
const VIEWS: &[&str] = &["vestingSchedule(uint64)", "releasable(uint64)"];

impl super::Facet for Definition {
    super::facet_conventions!("vesting");
    fn implementations(&self) -> &'static [super::Implementation] {
        IMPLEMENTATIONS
    }
}

/// Version 1's handler of each command.
fn execute(ctx: &mut Ctx<'_>, command: &crate::command::Command) -> Outcome {
    use crate::command::Command;
    match command {
        Command::CreateVesting(c) => create(ctx, c),
        Command::ReleaseVested(c) => release(ctx, c),
        other => super::no_commands(ctx, other),
    }
}
