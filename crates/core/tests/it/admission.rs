//! Admission of senders without state, and the parsing of JSON messages: the adversarial cases
//! of hostile clients (signatures made for another domain, random signatures, malformed
//! amounts and addresses).

use alloy_primitives::{Address, U256, keccak256};
use hoard_core::{
    command::{Approve, Command, SignedCommand, Transfer, domain},
    rejection::TxInvalid,
};
use serde_json::json;

use crate::harness::*;

fn transfer(c: &Chain, to: Address, amount: U256, nonce: u64) -> Command {
    Command::Transfer(Transfer {
        token: c.engine.addresses().icy,
        to,
        amount,
        nonce,
        deadline: c.deadline(),
    })
}

fn unknown_sender(r: Result<hoard_core::Receipt, TxInvalid>) -> (Address, String) {
    match r {
        Err(TxInvalid::UnknownSender { sender, why }) => (sender, why),
        other => panic!("expected tx.unknown_sender, got {other:?}"),
    }
}

#[test]
fn a_signature_for_another_domain_is_refused_with_a_message_naming_the_domain() {
    let mut c = Chain::new();
    let root = c.engine.state_root();
    let accounts = c.engine.state().encoded_entries().len();
    let cmd = transfer(&c, addr(BOB), tokens(1), c.nonce(ALICE));
    let env = c.env();
    // Another chain id, another verifying contract: each recovers an unrelated address.
    for other in [domain(CHAIN_ID + 1, diamond()), domain(CHAIN_ID, Address::repeat_byte(0xee))] {
        let tx = SignedCommand::sign(cmd.clone(), &other, &key(ALICE))
            .verify(c.engine.domain())
            .expect("recovers some address");
        assert_ne!(tx.sender, addr(ALICE));
        let err = c.engine.execute(&env, &tx).expect_err("refused at admission");
        assert_eq!(err.code(), "tx.unknown_sender");
        let message = err.to_string();
        assert!(message.contains("check chainId and verifyingContract"), "{message}");
        assert!(message.contains(&tx.sender.to_string()), "names the recovered address");
        assert!(message.contains("token.insufficient_balance"), "{message}");
    }
    // v flipped: recovers the other candidate key.
    let mut signed = SignedCommand::sign(cmd, c.engine.domain(), &key(ALICE));
    signed.signature[64] = if signed.signature[64] == 27 { 28 } else { 27 };
    let tx = signed.verify(c.engine.domain()).expect("recovers");
    assert_ne!(tx.sender, addr(ALICE));
    unknown_sender(c.engine.execute(&env, &tx));
    assert_eq!(c.engine.state_root(), root, "nothing stored for phantoms");
    assert_eq!(c.engine.state().encoded_entries().len(), accounts);
    assert!(c.engine.is_known(&addr(ALICE)));
}

#[test]
fn random_signatures_on_zero_transfers_store_nothing() {
    let mut c = Chain::new();
    let root = c.engine.state_root();
    let env = c.env();
    c.engine.begin_block(&env).expect("the next block");
    let mut recovered = 0;
    for i in 0..300u32 {
        let cmd = transfer(&c, addr(BOB), U256::ZERO, 0);
        let mut signature = [0u8; 65];
        signature[..32].copy_from_slice(keccak256(format!("r{i}")).as_slice());
        // A low s, so the signature parses (high s is refused before recovery).
        signature[32] = 0x10;
        signature[33..64].copy_from_slice(&keccak256(format!("s{i}"))[..31]);
        signature[64] = 27 + (i % 2) as u8;
        let Ok(tx) = (SignedCommand { command: cmd, signature }).verify(c.engine.domain()) else {
            continue;
        };
        recovered += 1;
        let (sender, why) = unknown_sender(c.engine.execute(&env, &tx));
        assert_eq!(sender, tx.sender);
        assert!(why.contains("change nothing"), "{why}");
    }
    assert!(recovered > 100, "most random (r, s) recover a key: {recovered}");
    assert_eq!(c.engine.state_root(), root);
    // The block's change set holds the chain's clock and nothing of the 300 phantoms.
    let changes = c.engine.finish_block(&env).0;
    let keys: Vec<&[u8]> = changes.entries.iter().map(|e| e.key.as_slice()).collect();
    let clock = hoard_core::facets::ledger::state::CHAIN.id.prefix();
    assert_eq!(keys, [clock.as_slice()], "only the clock changed");
}

#[test]
fn an_unknown_sender_needs_nonce_zero() {
    let mut c = Chain::new();
    let fresh = 900;
    let tx = c.sign(fresh, transfer(&c, addr(BOB), U256::ZERO, 5));
    let (_, why) = unknown_sender(c.engine.execute(&c.env(), &tx));
    assert!(why.contains("nonce is 5"), "{why}");
}

#[test]
fn a_refused_command_applies_later_once_the_account_exists() {
    let mut c = Chain::new();
    let fresh = 901;
    let early = c.sign(fresh, transfer(&c, addr(BOB), tokens(3), 0));
    unknown_sender(c.engine.execute(&c.env(), &early));
    assert!(!c.engine.is_known(&addr(fresh)));
    // Funded, the very same signed command applies, once.
    c.ok(ALICE, transfer(&c, addr(fresh), tokens(10), c.nonce(ALICE)));
    let env = c.env();
    let r = c.engine.execute(&env, &early).expect("admitted now");
    assert!(r.success(), "{:?}", r.message());
    assert_eq!(
        c.engine.balance_of(hoard_core::facets::token::TokenId::Icy, &addr(fresh)),
        tokens(7)
    );
    assert_eq!(
        c.engine.execute(&env, &early).map_err(|e| e.code()).err(),
        Some("tx.nonce_reused"),
        "never twice"
    );
}

#[test]
fn a_fresh_account_may_act_when_its_command_changes_state() {
    let mut c = Chain::new();
    let fresh = 902;
    let cmd = Command::Approve(Approve {
        token: c.engine.addresses().icy,
        spender: addr(BOB),
        amount: tokens(5),
        nonce: 0,
        deadline: c.deadline(),
    });
    let r = c.run(fresh, cmd);
    assert!(r.success());
    assert!(c.engine.is_known(&addr(fresh)));
    // Once known, a rejected command is included with its rejection like any other.
    let r = c.run(fresh, transfer(&c, addr(BOB), tokens(1), 1));
    assert_eq!(r.code(), Some("token.insufficient_balance"));
}

#[test]
fn role_holders_without_balances_are_known() {
    let c = Chain::new();
    for who in [GOV, ADMIN, GUARDIAN, MINTER] {
        assert!(c.engine.is_known(&addr(who)), "participant {who}");
    }
    assert!(!c.engine.is_known(&Address::repeat_byte(0x42)));
}

// ----- JSON messages -----

fn parse(ty: &str, message: serde_json::Value) -> Result<Command, String> {
    Command::from_json(ty, message).map_err(|e| e.to_string())
}

fn transfer_json(amount: serde_json::Value) -> serde_json::Value {
    json!({
        "token": format!("{:#x}", Address::repeat_byte(1)),
        "to": format!("{:#x}", Address::repeat_byte(2)),
        "amount": amount,
        "nonce": 0,
        "deadline": "0x10",
    })
}

#[test]
fn amounts_accept_numbers_decimal_and_hex_strings_only() {
    let amount = |v| match parse("Transfer", transfer_json(v)) {
        Ok(Command::Transfer(t)) => Ok(t.amount),
        Ok(other) => panic!("{other:?}"),
        Err(e) => Err(e),
    };
    assert_eq!(amount(json!(12)), Ok(U256::from(12)));
    assert_eq!(amount(json!("1000000000000000000")), Ok(tokens(1)));
    assert_eq!(amount(json!("0xde0b6b3a7640000")), Ok(tokens(1)));
    assert_eq!(amount(json!(U256::MAX.to_string())), Ok(U256::MAX));
    for (bad, says) in [
        (json!(""), "an empty string is not a number"),
        (json!("0x"), "expected a decimal string"),
        (json!("-1"), "expected a decimal string"),
        (json!("1.5"), "expected a decimal string"),
        (json!(" 1"), "expected a decimal string"),
        (json!(1.5), "not a whole number"),
        (json!(-3), "not a whole number"),
        (json!(true), "expected a number"),
        (json!(format!("{}0", U256::MAX)), "larger than 2^256-1"),
    ] {
        let e = amount(bad.clone()).expect_err("refused");
        assert!(e.contains("field `amount` (uint256)"), "{bad}: {e}");
        assert!(e.contains(says), "{bad}: {e}");
        assert!(!e.contains("32 byte"), "{e}");
    }
    // Small integers: range checked, hex accepted.
    let mut m = transfer_json(json!("1"));
    m["nonce"] = json!("18446744073709551616");
    let e = parse("Transfer", m).expect_err("nonce overflows u64");
    assert!(e.contains("field `nonce` (uint64)") && e.contains("does not fit in 64 bits"), "{e}");
}

#[test]
fn address_and_field_errors_name_the_field() {
    let mut m = transfer_json(json!("1"));
    m["to"] = json!("0x1234");
    let e = parse("Transfer", m).expect_err("short address");
    assert!(e.contains("field `to`") && e.contains("20-byte hex address"), "{e}");
    let mut m = transfer_json(json!("1"));
    m.as_object_mut().expect("object").remove("token");
    let e = parse("Transfer", m).expect_err("missing");
    assert!(e.contains("missing field `token` (address)"), "{e}");
    let mut m = transfer_json(json!("1"));
    m["ammount"] = json!("1");
    let e = parse("Transfer", m).expect_err("typo");
    assert!(e.contains("unknown field \"ammount\""), "{e}");
    // Nested structs and arrays name their path.
    let e = parse(
        "ProposeCut",
        json!({ "cuts": [{ "facetAddress": format!("{:#x}", Address::ZERO), "action": 0,
                           "functionSelectors": ["0x1234"] }], "nonce": 0, "deadline": 1 }),
    )
    .expect_err("short selector");
    assert!(e.contains("field `cuts[0].functionSelectors[0]`") && e.contains("4 bytes"), "{e}");
}

#[test]
fn echoed_input_is_capped() {
    let huge = "T".repeat(100_000);
    let e = parse(&huge, json!({})).expect_err("unknown type");
    assert!(e.len() < 300, "message of {} bytes", e.len());
    assert!(e.contains("100000 characters"), "{e}");
    let mut m = transfer_json(json!("1"));
    m["to"] = json!("0x".to_string() + &"a".repeat(50_000));
    let e = parse("Transfer", m).expect_err("long address");
    assert!(e.len() < 300, "message of {} bytes", e.len());
}

#[test]
fn to_json_writes_decimal_amounts_and_round_trips() {
    let cmd = Command::Transfer(Transfer {
        token: Address::repeat_byte(1),
        to: Address::repeat_byte(2),
        amount: tokens(10),
        nonce: 3,
        deadline: 99,
    });
    let v = cmd.to_json();
    assert_eq!(v["amount"], json!("10000000000000000000"));
    assert_eq!(v["nonce"], json!(3));
    assert_eq!(Command::from_json("Transfer", v).expect("round trip"), cmd);
}

#[test]
fn signed_integers_accept_numbers_and_decimal_strings_within_their_width() {
    let message = |lower: serde_json::Value| {
        json!({
            "pool": 0, "tickLower": lower, "tickUpper": 60, "liquidity": "1",
            "amount0Max": "1", "amount1Max": "1", "nonce": 0, "deadline": 0,
        })
    };
    for ok in [json!(-60), json!("-60"), json!("0x3c"), json!(8_388_607)] {
        let r = Command::from_json("AddLiquidity", message(ok.clone()));
        assert!(r.is_ok(), "{ok}: {r:?}");
    }
    for bad in
        [json!(8_388_608), json!("-8388609"), json!("-0x3c"), json!("ten"), json!(1.5), json!("")]
    {
        let err = Command::from_json("AddLiquidity", message(bad.clone())).expect_err("refused");
        assert!(err.to_string().contains("tickLower"), "{bad}: {err}");
    }
    // int256 amounts of a swap, negative for exact output.
    let swap = |amount: serde_json::Value| {
        json!({ "pool": 0, "zeroForOne": true, "amountSpecified": amount,
                "sqrtPriceLimitX96": "4295128740", "amountLimit": "0", "nonce": 0, "deadline": 0 })
    };
    let c = Command::from_json("Swap", swap(json!("-1000000000000000000000"))).expect("parses");
    let Command::Swap(s) = &c else { panic!("a swap") };
    assert_eq!(s.amountSpecified.to_string(), "-1000000000000000000000");
    // It prints as it parses.
    assert_eq!(Command::from_json("Swap", c.to_json()).expect("round trip"), c);
}
