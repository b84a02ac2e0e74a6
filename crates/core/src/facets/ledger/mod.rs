//! The ledger: what the engine itself keeps for every chain, beside the facets. Each account's
//! next nonce (an account with nonce 0 has no entry) and the chain's clock: the genesis time,
//! from which protocol years count, and the height and time of the last block begun, so the
//! engine itself refuses a block that does not follow it or whose time goes backwards.

pub mod commands;
pub mod events;
pub mod state;

use alloy_primitives::Address;

use crate::state::State;

/// An account's next nonce.
pub fn nonce(state: &State, a: &Address) -> u64 {
    state.value(&state::NONCES, a)
}

/// Uses the account's nonce: the next command must carry the following one.
pub fn bump_nonce(state: &mut State, a: Address) {
    state.update(&state::NONCES, a, |n| *n += 1);
}

/// Block time of genesis.
pub fn genesis_time(state: &State) -> u64 {
    state.cell(&state::CHAIN).genesis_time
}

/// The chain's clock.
pub fn chain(state: &State) -> state::Chain {
    state.cell(&state::CHAIN)
}

/// Most tasks run in one block; the rest run in the next blocks, in order.
pub const TASKS_PER_BLOCK_MAX: usize = 64;

/// Schedules a task of `facet` at `due_s` (it runs in the first block at or after that time).
pub fn schedule(state: &mut State, due_s: u64, facet: u8, kind: u16, payload: Vec<u8>) {
    debug_assert!(payload.len() <= state::TASK_PAYLOAD_BYTES_MAX, "task payloads are small");
    let seq = state.cell(&state::TASK_SEQ);
    state.set_cell(&state::TASK_SEQ, seq + 1);
    state.put(&state::TASKS, (due_s, seq), state::Task { facet, kind, payload });
}

/// The tasks due at `now` that one block runs: the oldest first, at most
/// [`TASKS_PER_BLOCK_MAX`].
pub fn due_tasks(state: &State, now: u64) -> Vec<((u64, u64), state::Task)> {
    state
        .range(&state::TASKS, ..=(now, u64::MAX))
        .take(TASKS_PER_BLOCK_MAX)
        .map(|(k, t)| (*k, t.clone()))
        .collect()
}

/// When the next task is due.
pub fn next_due(state: &State) -> Option<u64> {
    state.range(&state::TASKS, ..).next().map(|((due, _), _)| *due)
}

/// The ledger, as a facet: its tables, and the node's own commands (system transactions run
/// through `Engine::execute_system`, never as a handler).
pub struct Definition;

impl super::Facet for Definition {
    super::facet_conventions!("ledger");
    fn implementations(&self) -> &'static [super::Implementation] {
        const SYSTEM: &[super::Implementation] = &[super::Implementation {
            immutable: true,
            ..super::Implementation::v1("system", &[], system_command)
        }];
        SYSTEM
    }
}

/// A system command reaching a handler: only the node makes them.
fn system_command(
    _ctx: &mut super::Ctx<'_>,
    _command: &crate::command::Command,
) -> crate::rejection::Outcome {
    Err(crate::rejection::Rejection::Unauthorized { needs: crate::rejection::Authority::TheNode })
}
