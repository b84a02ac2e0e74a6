//! Assets beside ICY and DFG: registered at genesis or by governance at derived addresses, with
//! ERC-20 transfer, approve and transferFrom and their events, and a devnet faucet.

use alloy_primitives::{Address, U256};
use hoard_core::{command::*, facets::token};

use crate::harness::*;

fn usdc() -> Address {
    token::asset_address("USDC")
}

fn units(n: u64) -> U256 {
    U256::from(n) * U256::from(1_000_000u64)
}

#[test]
fn genesis_assets_sit_at_derived_addresses_with_their_supply() {
    let c = Chain::new();
    let assets = c.engine.assets();
    let symbols: Vec<&str> = assets.iter().map(|(_, a, _)| a.symbol.as_str()).collect();
    assert_eq!(symbols.len(), 3);
    for s in ["ICY", "DFG", "USDC"] {
        assert!(symbols.contains(&s), "{symbols:?}");
    }
    let (_, asset, supply) = assets.iter().find(|(a, _, _)| *a == usdc()).expect("USDC");
    assert_eq!(asset.decimals, 6);
    assert_eq!(supply.total, units(6_000_000));
    assert_eq!(c.engine.asset_balance(&usdc(), &addr(ALICE)), units(1_000_000));
    assert_eq!(usdc(), Address::from_slice(&alloy_primitives::keccak256("hoard.asset.USDC")[12..]));
}

#[test]
fn erc20_commands_work_for_every_asset() {
    let mut c = Chain::new();
    let cmd = Command::Transfer(Transfer {
        token: usdc(),
        to: addr(BOB),
        amount: units(250),
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    let r = c.ok(ALICE, cmd);
    assert_eq!(r.logs.len(), 1);
    assert_eq!(r.logs[0].address, usdc(), "events come from the asset's address");
    assert_eq!(r.logs[0].name(), Some("Transfer"));
    assert_eq!(c.engine.asset_balance(&usdc(), &addr(BOB)), units(250));
    let cmd = Command::Approve(Approve {
        token: usdc(),
        spender: addr(CAROL),
        amount: units(100),
        nonce: c.nonce(BOB),
        deadline: c.deadline(),
    });
    c.ok(BOB, cmd);
    let cmd = Command::TransferFrom(TransferFrom {
        token: usdc(),
        from: addr(BOB),
        to: addr(CAROL),
        amount: units(101),
        nonce: c.nonce(CAROL),
        deadline: c.deadline(),
    });
    c.rejected(CAROL, cmd, "token.insufficient_allowance");
    let cmd = Command::TransferFrom(TransferFrom {
        token: usdc(),
        from: addr(BOB),
        to: addr(CAROL),
        amount: units(100),
        nonce: c.nonce(CAROL),
        deadline: c.deadline(),
    });
    c.ok(CAROL, cmd);
    assert_eq!(c.engine.asset_balance(&usdc(), &addr(CAROL)), units(100));
    // An address that is not a registered asset.
    let cmd = Command::Transfer(Transfer {
        token: token::asset_address("NOPE"),
        to: addr(BOB),
        amount: U256::ONE,
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    c.rejected(ALICE, cmd, "token.unknown");
}

#[test]
fn the_faucet_gives_once_per_interval_even_to_a_fresh_account() {
    let mut c = Chain::new();
    let fresh = 777;
    let drip = |c: &Chain, who: u32| {
        Command::Drip(Drip { asset: usdc(), nonce: c.nonce(who), deadline: c.deadline() })
    };
    // A fresh account's first command may be a drip: it changes state.
    let r = c.ok(fresh, drip(&c, fresh));
    assert_eq!(r.logs[0].topics[1], Address::ZERO.into_word(), "minted");
    assert_eq!(c.engine.asset_balance(&usdc(), &addr(fresh)), units(100));
    let cmd = drip(&c, fresh);
    c.rejected(fresh, cmd, "token.faucet_cooling_down");
    c.warp(DAY);
    c.ok(fresh, drip(&c, fresh));
    assert_eq!(c.engine.asset_balance(&usdc(), &addr(fresh)), units(200));
    let supply = c.engine.assets().into_iter().find(|(a, _, _)| *a == usdc()).expect("USDC").2;
    assert_eq!(supply.total, units(6_000_200), "the faucet's tokens are in the supply");
    // ICY has no faucet.
    let cmd = Command::Drip(Drip {
        asset: c.engine.addresses().icy,
        nonce: c.nonce(ALICE),
        deadline: c.deadline(),
    });
    c.rejected(ALICE, cmd, "token.no_faucet");
}

#[test]
fn governance_registers_assets_once() {
    let mut c = Chain::new();
    let register = |c: &Chain, who: u32, symbol: &str, decimals: u8| {
        Command::RegisterAsset(RegisterAsset {
            symbol: symbol.into(),
            decimals,
            nonce: c.nonce(who),
            deadline: c.deadline(),
        })
    };
    let cmd = register(&c, ALICE, "WETH", 18);
    c.rejected(ALICE, cmd, "access.unauthorized");
    let r = c.ok(GOV, register(&c, GOV, "WETH", 18));
    assert!(r.logs.iter().any(|l| l.name() == Some("AssetRegistered")));
    let weth = token::asset_address("WETH");
    assert_eq!(c.engine.asset(&weth).map(|a| a.decimals), Some(18));
    let cmd = register(&c, GOV, "WETH", 18);
    c.rejected(GOV, cmd, "token.asset_registered");
    for (symbol, decimals) in [("weth", 18), ("", 6), ("TOOLONGSYMBOL", 6), ("X", 37)] {
        let cmd = register(&c, GOV, symbol, decimals);
        c.rejected(GOV, cmd, "token.bad_asset");
    }
}
