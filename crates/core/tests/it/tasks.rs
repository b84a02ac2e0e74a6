//! Scheduled tasks and system transactions: a facet schedules work in state; the block at or
//! after its time opens with the node's `runTasks` transaction, which runs the due tasks in
//! order, at most a limit per block; replay checks it like any command.

use hoard_core::{block, command::*, facets::ledger::TASKS_PER_BLOCK_MAX, rejection::TxInvalid};

use crate::harness::*;

fn pause(c: &Chain, who: u32, s: u64) -> Command {
    Command::Pause(Pause { durationS: s, nonce: c.nonce(who), deadline: c.deadline() })
}

fn names(r: &hoard_core::Receipt) -> Vec<&'static str> {
    r.logs.iter().filter_map(|l| l.name()).collect()
}

#[test]
fn a_pause_schedules_its_end_which_runs_in_a_block_without_user_commands() {
    let mut c = Chain::new();
    let cmd = pause(&c, GUARDIAN, 3600);
    c.ok(GUARDIAN, cmd);
    let until = c.engine.paused_until();
    assert_eq!(c.engine.next_task_due(), Some(until));
    // Before its time nothing is due.
    assert!(c.run_due_tasks().is_none());
    // At its time a block of the system transaction alone runs it.
    c.time_s = until;
    let r = c.run_due_tasks().expect("due");
    assert_eq!(r.command, "RunTasks");
    assert_eq!(r.sender, alloy_primitives::Address::ZERO);
    assert_eq!(names(&r), ["PauseEnded"]);
    assert_eq!(c.engine.next_task_due(), None);
    let last = c.blocks.last().expect("the block");
    assert_eq!(last.txs.len(), 1, "no user command in it");
    // A pause lifted early ends without the event.
    let cmd = pause(&c, GOV, 3600);
    c.ok(GOV, cmd);
    let cmd = Command::Unpause(Unpause { nonce: c.nonce(GOV), deadline: c.deadline() });
    c.ok(GOV, cmd);
    c.warp(3600);
    let r = c.run_due_tasks().expect("due");
    assert!(names(&r).is_empty(), "{:?}", names(&r));
}

#[test]
fn at_most_a_limit_of_tasks_run_per_block_the_rest_in_the_next() {
    let mut c = Chain::new();
    let n = TASKS_PER_BLOCK_MAX + 3;
    for i in 0..n {
        let cmd = pause(&c, GOV, 3600 + i as u64);
        c.ok(GOV, cmd);
    }
    c.warp(10 * 3600);
    let first = c.run_due_tasks().expect("due");
    let Some(Command::RunTasks(run)) = c.blocks.last().map(|b| b.txs[0].command.clone()) else {
        panic!("a runTasks block");
    };
    assert_eq!(run.count as usize, TASKS_PER_BLOCK_MAX);
    // Only the last pause's end is its own (the others were replaced): one event in all.
    let second = c.run_due_tasks().expect("the rest");
    let Some(Command::RunTasks(run)) = c.blocks.last().map(|b| b.txs[0].command.clone()) else {
        panic!("a runTasks block");
    };
    assert_eq!(run.count, 3);
    assert_eq!(names(&first).len() + names(&second).len(), 1);
    assert!(c.run_due_tasks().is_none());
}

#[test]
fn system_transactions_are_the_nodes_own_and_replay_checks_them() {
    let mut c = Chain::new();
    let cmd = pause(&c, GUARDIAN, 60);
    c.ok(GUARDIAN, cmd);
    c.warp(60);
    let env = c.env();
    let system = c.engine.system_tx(&env).expect("due");
    // A user cannot send one: as a command it is refused before inclusion.
    let mut as_user = system.clone();
    as_user.sender = addr(ALICE);
    c.engine.begin_block(&env).expect("next");
    assert!(matches!(c.engine.execute(&env, &system), Err(TxInvalid::SystemOnly(_))));
    // One that is not the engine's own for this block is refused.
    let forged = |height: u64, count: u32| {
        Tx::new(
            alloy_primitives::Address::ZERO,
            Command::RunTasks(RunTasks { height, count, nonce: 0, deadline: 0 }),
            [0u8; 65],
        )
    };
    for bad in [forged(env.height, 2), forged(env.height + 1, 1), as_user] {
        let err = c.engine.execute_system(&env, &bad).expect_err("refused");
        assert_eq!(err.code(), "tx.bad_system_tx", "{err}");
    }
    let r = c.engine.execute_system(&env, &system).expect("its own");
    assert_eq!(r.logs.len(), 1);
    let sealed = block::seal(&mut c.engine, c.parent, &env, vec![system], vec![r]);
    c.parent = sealed.hash;
    c.height += 1;
    c.blocks.push(sealed);
    // Replay from genesis reproduces every root, system transactions included; a block whose
    // system transaction is dropped does not replay.
    let mut replay = genesis().build().expect("genesis");
    let mut parent = alloy_primitives::B256::ZERO;
    for b in &c.blocks {
        parent = block::replay_block(&mut replay, parent, &b.header, b.txs.clone(), true)
            .expect("replays")
            .hash;
    }
    assert_eq!(replay.state_root(), c.engine.state_root());
    let mut replay = genesis().build().expect("genesis");
    let mut parent = alloy_primitives::B256::ZERO;
    let (last, rest) = c.blocks.split_last().expect("blocks");
    for b in rest {
        parent = block::replay_block(&mut replay, parent, &b.header, b.txs.clone(), true)
            .expect("replays")
            .hash;
    }
    let err = block::replay_block(&mut replay, parent, &last.header, vec![], true)
        .expect_err("tasks must run");
    assert!(matches!(err, block::ReplayError::RootMismatch { .. }), "{err}");
}
