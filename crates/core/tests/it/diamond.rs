//! Diamond: loupe, cuts behind a timelock, collisions and immutable selectors refused.

use alloy_primitives::{Address, FixedBytes};
use hoard_core::{
    command::*,
    facets::diamond::{ACTION_ADD, ACTION_REMOVE, ACTION_REPLACE, builtin_facets},
};

use crate::{harness::*, token::transfer};

fn cut(c: &Chain, who: u32, facet: Address, action: u8, sigs: &[&str]) -> Command {
    Command::ProposeCut(ProposeCut {
        cuts: vec![FacetCut {
            facetAddress: facet,
            action,
            functionSelectors: sigs.iter().map(|s| FixedBytes(selector(s))).collect(),
        }],
        nonce: c.nonce(who),
        deadline: c.deadline(),
    })
}

fn exec(c: &Chain, who: u32, id: u64) -> Command {
    Command::ExecuteCut(ExecuteCut { cutId: id, nonce: c.nonce(who), deadline: c.deadline() })
}

#[test]
fn loupe_lists_every_builtin_facet() {
    let c = Chain::new();
    let facets = c.engine.facets();
    assert_eq!(facets.len(), builtin_facets().len());
    let transfer_sel = selector("transfer(address,address,uint256)");
    let token_facet = builtin_facets().iter().find(|f| f.name == "token").expect("token facet");
    assert_eq!(c.engine.facet_address(&transfer_sel), Some(token_facet.address));
    // No selector is served twice.
    let total: usize = facets.iter().map(|(_, s)| s.len()).sum();
    assert_eq!(total, c.engine.selectors().len());
}

#[test]
fn removing_a_selector_waits_for_the_timelock_then_disables_the_command() {
    let mut c = Chain::new();
    let cmd = cut(&c, ADMIN, Address::ZERO, ACTION_REMOVE, &["transfer(address,address,uint256)"]);
    c.rejected(ADMIN, cmd, "access.unauthorized");
    let cmd = cut(&c, GOV, Address::ZERO, ACTION_REMOVE, &["transfer(address,address,uint256)"]);
    c.ok(GOV, cmd);
    let cmd = exec(&c, GOV, 0);
    c.rejected(GOV, cmd, "diamond.cut_timelocked");
    c.warp(7 * DAY);
    let cmd = exec(&c, GOV, 0);
    c.ok(GOV, cmd);
    let icy = c.engine.addresses().icy;
    let cmd = transfer(&c, ALICE, icy, addr(BOB), tokens(1));
    c.rejected(ALICE, cmd, "diamond.unknown_selector");
    // Add it back.
    let token_facet =
        builtin_facets().iter().find(|f| f.name == "token").expect("token facet").address;
    let cmd = cut(&c, GOV, token_facet, ACTION_ADD, &["transfer(address,address,uint256)"]);
    c.ok(GOV, cmd);
    c.warp(7 * DAY);
    let cmd = exec(&c, GOV, 1);
    c.ok(GOV, cmd);
    let cmd = transfer(&c, ALICE, icy, addr(BOB), tokens(1));
    c.ok(ALICE, cmd);
}

#[test]
fn collisions_foreign_selectors_and_immutable_selectors_are_refused() {
    let mut c = Chain::new();
    let token_facet = builtin_facets().iter().find(|f| f.name == "token").expect("token").address;
    let votes_facet = builtin_facets().iter().find(|f| f.name == "votes").expect("votes").address;
    // Adding a registered selector: collision.
    let cmd = cut(&c, GOV, token_facet, ACTION_ADD, &["transfer(address,address,uint256)"]);
    c.rejected(GOV, cmd, "diamond.selector_registered");
    // Pointing a selector at a facet that does not implement it.
    let cmd = cut(&c, GOV, votes_facet, ACTION_REPLACE, &["transfer(address,address,uint256)"]);
    c.rejected(GOV, cmd, "diamond.facet_lacks_selector");
    // Replacing with the same facet.
    let cmd = cut(&c, GOV, token_facet, ACTION_REPLACE, &["transfer(address,address,uint256)"]);
    c.rejected(GOV, cmd, "diamond.same_facet");
    // The cut and loupe functions are immutable.
    let cmd =
        cut(&c, GOV, Address::ZERO, ACTION_REMOVE, &["diamondCut((address,uint8,bytes4[])[])"]);
    c.rejected(GOV, cmd, "diamond.selector_immutable");
    let cmd = cut(&c, GOV, Address::ZERO, ACTION_REMOVE, &["facets()"]);
    c.rejected(GOV, cmd, "diamond.selector_immutable");
    // Unknown facet address.
    let cmd = cut(&c, GOV, Address::repeat_byte(9), ACTION_ADD, &["nothing()"]);
    c.rejected(GOV, cmd, "diamond.unknown_facet");
}

#[test]
fn cuts_expire_and_can_be_cancelled_by_the_guardian() {
    let mut c = Chain::new();
    let cmd = cut(&c, GOV, Address::ZERO, ACTION_REMOVE, &["burn(uint256,string)"]);
    c.ok(GOV, cmd);
    c.warp(7 * DAY + 14 * DAY + 1);
    let cmd = exec(&c, GOV, 0);
    c.rejected(GOV, cmd, "diamond.cut_expired");
    let cmd =
        Command::CancelCut(CancelCut { cutId: 0, nonce: c.nonce(ALICE), deadline: c.deadline() });
    c.rejected(ALICE, cmd, "access.unauthorized");
    let cmd = Command::CancelCut(CancelCut {
        cutId: 0,
        nonce: c.nonce(GUARDIAN),
        deadline: c.deadline(),
    });
    c.ok(GUARDIAN, cmd);
    assert!(c.engine.pending_cuts().is_empty());
}
