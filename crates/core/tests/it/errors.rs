//! `docs/ERRORS.md` lists every code of the engine, generated from the code itself: a new or
//! renamed code fails this test until the table is regenerated
//! (`HOARD_WRITE_ERRORS=1 cargo test -p hoard-core --test it errors`).

use std::collections::BTreeSet;

use alloy_primitives::{Address, U256};
use hoard_core::rejection::{BlockInvalid, Rejection, TxInvalid};

const BEGIN: &str = "<!-- generated from crates/core/src/rejection.rs: begin -->";
const END: &str = "<!-- generated: end -->";

fn table(title: &str, rows: &[(&str, &str)]) -> String {
    let mut out = format!("### {title}\n\n| code | message |\n|---|---|\n");
    for (code, message) in rows {
        out.push_str(&format!("| `{code}` | {} |\n", message.replace('|', "\\|")));
    }
    out
}

fn generated() -> String {
    [
        table("Refused before inclusion (`TxInvalid`, never in a block)", TxInvalid::CODES),
        table("Rejected in a block (`Rejection`, recorded in the receipt)", Rejection::CODES),
        table("Blocks the engine will not open (`BlockInvalid`)", BlockInvalid::CODES),
    ]
    .join("\n")
}

#[test]
fn every_code_is_distinct_and_documented() {
    let all: Vec<&str> = TxInvalid::CODES
        .iter()
        .chain(Rejection::CODES)
        .chain(BlockInvalid::CODES)
        .map(|(c, _)| *c)
        .collect();
    let distinct: BTreeSet<&str> = all.iter().copied().collect();
    assert_eq!(distinct.len(), all.len(), "a code is used twice");
    for code in &all {
        let (area, name) = code.split_once('.').expect("codes are area.name");
        assert!(!area.is_empty() && !name.is_empty(), "{code}");
        assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'), "{code}");
    }
    // The lists name the codes the values give.
    let samples_tx = [
        TxInvalid::BadSignature,
        TxInvalid::WrongChain { expected: 1, got: 2 },
        TxInvalid::NonceReused { expected: 1, got: 0 },
        TxInvalid::NonceGap { expected: 1, got: 2 },
        TxInvalid::Expired { deadline: 1, now: 2 },
        TxInvalid::Malformed(String::new()),
        TxInvalid::UnknownSender { sender: Address::ZERO, why: String::new() },
        TxInvalid::SystemOnly("RunTasks"),
        TxInvalid::BadSystemTx(String::new()),
    ];
    let tx_codes: BTreeSet<&str> = samples_tx.iter().map(TxInvalid::code).collect();
    assert_eq!(tx_codes, TxInvalid::CODES.iter().map(|(c, _)| *c).collect());
    let samples_block = [
        BlockInvalid::WrongChain { height: 1, expected: 1, got: 2 },
        BlockInvalid::BadHeight { last: 1, got: 3 },
        BlockInvalid::TimeWentBack { height: 2, time_s: 1, last_time_s: 2 },
    ];
    let block_codes: BTreeSet<&str> = samples_block.iter().map(BlockInvalid::code).collect();
    assert_eq!(block_codes, BlockInvalid::CODES.iter().map(|(c, _)| *c).collect());

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ERRORS.md");
    let doc = std::fs::read_to_string(path).expect("docs/ERRORS.md");
    let (head, rest) = doc.split_once(BEGIN).expect("the begin marker");
    let (_, tail) = rest.split_once(END).expect("the end marker");
    let want = format!("{head}{BEGIN}\n\n{}\n{END}{tail}", generated());
    if std::env::var_os("HOARD_WRITE_ERRORS").is_some() {
        std::fs::write(path, &want).expect("write docs/ERRORS.md");
    }
    assert!(
        doc == want,
        "docs/ERRORS.md is not the table of the codes; regenerate it with \
         HOARD_WRITE_ERRORS=1 cargo test -p hoard-core --test it errors"
    );
}

#[test]
fn receipts_hash_the_code_and_fields_not_the_message() {
    use hoard_core::{Receipt, command::*};
    let tx = Tx::new(
        Address::repeat_byte(1),
        Command::Delegate(Delegate { delegatee: Address::ZERO, nonce: 0, deadline: 0 }),
        [0u8; 65],
    );
    let rejected = |r: Rejection| Receipt::new(&tx, Err(r), vec![]);
    let a = rejected(Rejection::InsufficientBalance { available: U256::ONE, needed: U256::MAX });
    let bytes = {
        let mut b = Vec::new();
        a.encode(&mut b);
        b
    };
    // The stored form holds the code and the numbers, not the sentence.
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("token.insufficient_balance"));
    assert!(!text.contains("insufficient balance:"), "no message in the receipt");
    let back = Receipt::decode(&bytes).expect("decodes");
    assert_eq!(back, a);
    assert_eq!(back.message().as_deref(), Some(a.message().expect("a message").as_str()));
    // Other fields, another hash.
    let b = rejected(Rejection::InsufficientBalance { available: U256::ZERO, needed: U256::MAX });
    assert_ne!(a.hash(), b.hash());
    // Every rejection with fields round-trips.
    for r in [
        Rejection::Unauthorized { needs: hoard_core::rejection::Authority::Minter },
        Rejection::UnknownSelector { selector: hoard_core::rejection::Selector([1, 2, 3, 4]) },
        Rejection::UnknownCutAction { action: 9 },
        Rejection::NotPaused,
        Rejection::AlreadyMember { role: hoard_core::roles::ADMIN.id(), account: Address::ZERO },
    ] {
        let receipt = rejected(r.clone());
        let mut b = Vec::new();
        receipt.encode(&mut b);
        assert_eq!(Receipt::decode(&b).expect("decodes").rejection, Some(r));
    }
    // An unknown code does not decode.
    let mut forged = bytes.clone();
    let at = forged.windows(5).position(|w| w == b"token").expect("code in bytes");
    forged[at] = b'x';
    assert!(Receipt::decode(&forged).is_err());
}
