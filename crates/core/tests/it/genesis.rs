//! Genesis files: parsed, validated completely, refused with a clear message.

use hoard_core::genesis::{Genesis, GenesisError};

use crate::harness::*;

fn refused(g: &Genesis) -> String {
    match g.build() {
        Err(GenesisError::Invalid(m)) => m,
        Err(e) => e.to_string(),
        Ok(_) => panic!("genesis should be refused"),
    }
}

#[test]
fn json_round_trip_builds_the_same_state() {
    let g = genesis();
    let text = serde_json::to_string_pretty(&g).expect("serializes");
    let parsed = Genesis::from_json(&text).expect("parses");
    assert_eq!(parsed, g);
    assert_eq!(
        parsed.build().expect("builds").state_root(),
        g.build().expect("builds").state_root()
    );
}

#[test]
fn bad_files_are_refused_with_reasons() {
    assert!(Genesis::from_json("{").is_err());
    let mut text: serde_json::Value = serde_json::to_value(genesis()).expect("json");
    text["surprise"] = serde_json::json!(1);
    let err = Genesis::from_json(&text.to_string()).expect_err("unknown field refused");
    assert!(err.to_string().contains("surprise"), "{err}");

    let mut g = genesis();
    g.dfg.allocations[0].amount = "1000001".into();
    assert!(refused(&g).contains("10000000 DFG"));

    let mut g = genesis();
    g.icy.allocations[0].amount = "1.2.3".into();
    assert!(matches!(g.build(), Err(GenesisError::BadAmount { .. })));

    let mut g = genesis();
    g.icy.allocations[0].amount = "2000000000".into();
    assert!(refused(&g).contains("cap"));

    let mut g = genesis();
    g.roles[0].role = "EMPEROR".into();
    assert!(refused(&g).contains("unknown role"));

    let mut g = genesis();
    g.icy.inflation_bps = 900;
    assert!(refused(&g).contains("inflation"));

    let mut g = genesis();
    g.dfg.vesting[0].cliff_s = g.dfg.vesting[0].duration_s + 1;
    assert!(refused(&g).contains("vesting"));

    let mut g = genesis();
    g.icy.excluded = vec![addr(TREASURY), addr(TREASURY)];
    assert!(refused(&g).contains("excluded"));

    let mut g = genesis();
    g.chain_id = 0;
    assert!(refused(&g).contains("chain_id"));
}
