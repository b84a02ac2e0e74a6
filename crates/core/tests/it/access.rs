//! Roles: two-step timelocked grants, acceptance window, keeper exemption, revoke-all.

use hoard_core::{command::*, roles};

use crate::harness::*;

fn grant(c: &Chain, who: u32, role: roles::Role, to: u32) -> Command {
    Command::GrantRole(GrantRole {
        role: role.id(),
        account: addr(to),
        nonce: c.nonce(who),
        deadline: c.deadline(),
    })
}

fn accept(c: &Chain, who: u32, role: roles::Role) -> Command {
    Command::AcceptRole(AcceptRole { role: role.id(), nonce: c.nonce(who), deadline: c.deadline() })
}

#[test]
fn grants_wait_for_the_delay_and_expire() {
    let mut c = Chain::new();
    let cmd = grant(&c, ALICE, roles::MANAGER, BOB);
    c.rejected(ALICE, cmd, "access.unauthorized");
    let cmd = grant(&c, ADMIN, roles::MANAGER, BOB);
    c.ok(ADMIN, cmd);
    let cmd = accept(&c, BOB, roles::MANAGER);
    c.rejected(BOB, cmd, "access.grant_not_yet_acceptable");
    c.warp(2 * DAY);
    let cmd = accept(&c, BOB, roles::MANAGER);
    c.ok(BOB, cmd);
    assert!(c.engine.has_role(&roles::MANAGER.id(), &addr(BOB)));
    // A grant not accepted within the window lapses.
    let cmd = grant(&c, ADMIN, roles::TREASURY, CAROL);
    c.ok(ADMIN, cmd);
    c.warp(2 * DAY + 7 * DAY + 10);
    let cmd = accept(&c, CAROL, roles::TREASURY);
    c.rejected(CAROL, cmd, "access.grant_expired");
    // Accepting without a grant.
    let cmd = accept(&c, ALICE, roles::TREASURY);
    c.rejected(ALICE, cmd, "access.no_pending_grant");
}

#[test]
fn keeper_grants_need_no_delay() {
    let mut c = Chain::new();
    let cmd = grant(&c, ADMIN, roles::KEEPER, BOB);
    c.ok(ADMIN, cmd);
    let cmd = accept(&c, BOB, roles::KEEPER);
    c.ok(BOB, cmd);
    assert!(c.engine.has_role(&roles::KEEPER.id(), &addr(BOB)));
}

#[test]
fn revoke_all_clears_holders_and_pending_grants() {
    let mut c = Chain::new();
    for who in [ALICE, BOB] {
        let cmd = grant(&c, ADMIN, roles::KEEPER, who);
        c.ok(ADMIN, cmd);
        let cmd = accept(&c, who, roles::KEEPER);
        c.ok(who, cmd);
    }
    let cmd = grant(&c, ADMIN, roles::KEEPER, CAROL);
    c.ok(ADMIN, cmd);
    let cmd = Command::RevokeAll(RevokeAll {
        role: roles::KEEPER.id(),
        nonce: c.nonce(ADMIN),
        deadline: c.deadline(),
    });
    let r = c.ok(ADMIN, cmd);
    // Two revocations, the pending grant's cancellation (as visible as a manual cancel), the sum.
    let names: Vec<&str> = r.logs.iter().filter_map(|l| l.name()).collect();
    assert_eq!(names, ["RoleRevoked", "RoleRevoked", "RoleGrantCancelled", "RoleRevokedAll"]);
    assert_eq!(r.logs[2].topics[2], addr(CAROL).into_word(), "the cancelled grantee");
    assert!(!c.engine.has_role(&roles::KEEPER.id(), &addr(ALICE)));
    let cmd = accept(&c, CAROL, roles::KEEPER);
    c.rejected(CAROL, cmd, "access.no_pending_grant");
}

#[test]
fn revoke_renounce_and_delays() {
    let mut c = Chain::new();
    let cmd = Command::RevokeRole(RevokeRole {
        role: roles::GUARDIAN.id(),
        account: addr(GUARDIAN),
        nonce: c.nonce(ADMIN),
        deadline: c.deadline(),
    });
    c.ok(ADMIN, cmd);
    let cmd = Command::RenounceRole(RenounceRole {
        role: roles::ADMIN.id(),
        nonce: c.nonce(ADMIN),
        deadline: c.deadline(),
    });
    c.ok(ADMIN, cmd);
    let cmd = grant(&c, ADMIN, roles::KEEPER, BOB);
    c.rejected(ADMIN, cmd, "access.unauthorized");
    let cmd = Command::SetRoleDelays(SetRoleDelays {
        grantDelayS: 3600,
        acceptWindowS: 7 * DAY,
        nonce: c.nonce(GOV),
        deadline: c.deadline(),
    });
    c.rejected(GOV, cmd, "access.delays_out_of_range");
    let cmd = Command::SetRoleDelays(SetRoleDelays {
        grantDelayS: 5 * DAY,
        acceptWindowS: 7 * DAY,
        nonce: c.nonce(GOV),
        deadline: c.deadline(),
    });
    c.ok(GOV, cmd);
    let cmd = grant(&c, GOV, roles::MANAGER, BOB);
    c.ok(GOV, cmd);
    c.warp(4 * DAY);
    let cmd = accept(&c, BOB, roles::MANAGER);
    c.rejected(BOB, cmd, "access.grant_not_yet_acceptable");
    c.warp(DAY);
    let cmd = accept(&c, BOB, roles::MANAGER);
    c.ok(BOB, cmd);
}
