//! Every error has a stable, unique `btc.*` code.

use std::collections::BTreeSet;

use hoard_btc::BtcError;
use hoard_btc::bitcoin::{Amount, OutPoint};

#[test]
fn codes_are_unique_and_namespaced() {
    let a = Amount::from_sat(1);
    let all = vec![
        BtcError::ThresholdZero,
        BtcError::ThresholdTooHigh { k: 2, n: 1 },
        BtcError::TooManyKeys { n: 21, max: 20 },
        BtcError::DuplicateKey(String::new()),
        BtcError::TimelockOutOfRange { blocks: 0, min: 1, max: 2 },
        BtcError::MixedNetworks,
        BtcError::KeyNetworkMismatch { key: String::new(), network: String::new() },
        BtcError::NetworkUnknown("x".into()),
        BtcError::InvalidKey(String::new()),
        BtcError::InvalidPolicy(String::new()),
        BtcError::InvalidDescriptor(String::new()),
        BtcError::HardenedFromXpub("x".into()),
        BtcError::DescriptorChecksum(String::new()),
        BtcError::InvalidAddress(String::new()),
        BtcError::AddressChecksum { address: String::new(), encoding: "bech32" },
        BtcError::AddressWrongNetwork { address: String::new(), network: String::new() },
        BtcError::AddressUnsupported(String::new()),
        BtcError::NoPayees,
        BtcError::TooManyPayees { n: 1, max: 0 },
        BtcError::DustOutput { amount: a, min: a },
        BtcError::InvalidFeeRate { sat_per_vb: 0, max: 1 },
        BtcError::InsufficientFunds { needed: a, available: a },
        BtcError::FeeAboveMaximum { fee: a, max: a },
        BtcError::FeeBumpTooLow { new_fee: a, min_fee: a },
        BtcError::FeeBumpRateTooLow { new_sat_kvb: 1, original_sat_kvb: 2, min_sat_vb: 3 },
        BtcError::SpendExists(String::new()),
        BtcError::UnknownSpend(String::new()),
        BtcError::SpendStatus { id: String::new(), status: String::new(), action: "x" },
        BtcError::CoinReserved { outpoint: OutPoint::null(), spend: String::new() },
        BtcError::MalformedPsbt(String::new()),
        BtcError::ForeignInput { index: 0, reason: String::new() },
        BtcError::MissingUtxo(0),
        BtcError::PolicyViolation(String::new()),
        BtcError::PsbtMismatch(String::new()),
        BtcError::SignerNotInPolicy(String::new()),
        BtcError::SigningFailed(String::new()),
        BtcError::ThresholdNotMet { input: 0, have: 0, need: 1 },
        BtcError::FinalizeFailed(String::new()),
        BtcError::ExtractFailed(String::new()),
        BtcError::InvalidHeader("x".into()),
        BtcError::HeaderChainBroken { height: 0 },
        BtcError::InsufficientWork { height: 0 },
        BtcError::BadDifficulty { height: 0, got: 0, expected: 0 },
        BtcError::RetargetUnverifiable { height: 0 },
        BtcError::TimestampTooOld { height: 0 },
        BtcError::InvalidMerkleProof("x".into()),
        BtcError::TxNotProven(String::new()),
        BtcError::UnknownBlock(String::new()),
        BtcError::Encoding(String::new()),
    ];
    let codes: BTreeSet<&str> = all.iter().map(BtcError::code).collect();
    assert_eq!(codes.len(), all.len(), "codes are unique");
    for c in codes {
        assert!(
            c.starts_with("btc.") && c[4..].chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'),
            "{c}"
        );
    }
    for e in &all {
        assert!(!e.to_string().is_empty());
    }
}
