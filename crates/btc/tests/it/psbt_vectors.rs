//! BIP-174 (and BIP-371) test vectors: valid PSBTs parse and round-trip, invalid ones are refused
//! with `btc.malformed_psbt`. Vectors in `vectors/bip174.txt`, source cited there.

use hoard_btc::bitcoin::psbt::Psbt;
use hoard_btc::parse_psbt;

const VECTORS: &str = include_str!("vectors/bip174.txt");

struct Vector<'a> {
    valid: bool,
    name: &'a str,
    data: &'a str,
}

fn vectors() -> Vec<Vector<'static>> {
    VECTORS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut p = l.split_whitespace();
            let valid = p.next().unwrap() == "valid";
            let _encoding = p.next().unwrap();
            let name = p.next().unwrap();
            let data = p.next().unwrap();
            Vector { valid, name, data }
        })
        .collect()
}

#[test]
fn bip174_valid_vectors_parse_and_round_trip() {
    let mut n = 0;
    for v in vectors().into_iter().filter(|v| v.valid) {
        let psbt = parse_psbt(v.data.as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let bytes = psbt.serialize();
        let again = Psbt::deserialize(&bytes).unwrap();
        assert_eq!(psbt, again, "{}", v.name);
        // The base64 form parses to the same PSBT.
        assert_eq!(parse_psbt(psbt.to_string().as_bytes()).unwrap(), psbt, "{}", v.name);
        n += 1;
    }
    assert!(n >= 10, "only {n} valid vectors");
}

#[test]
fn bip174_invalid_vectors_are_refused() {
    let mut n = 0;
    for v in vectors().into_iter().filter(|v| !v.valid) {
        let err = parse_psbt(v.data.as_bytes()).expect_err(v.name);
        assert_eq!(err.code(), "btc.malformed_psbt", "{}: {err}", v.name);
        n += 1;
    }
    assert!(n >= 15, "only {n} invalid vectors");
}

#[test]
fn garbage_is_malformed() {
    for bad in ["", "cHNidP8=", "not a psbt", "70736274ff", "70736274ff01"] {
        assert_eq!(parse_psbt(bad.as_bytes()).unwrap_err().code(), "btc.malformed_psbt", "{bad:?}");
    }
    assert_eq!(parse_psbt(b"psbt\xff\x00").unwrap_err().code(), "btc.malformed_psbt");
}

/// A PSBT cut short says so, in every encoding (it used to say "bitcoin consensus encoding
/// error").
#[test]
fn truncated_psbts_say_so() {
    let valid = vectors().into_iter().find(|v| v.valid).unwrap();
    let bytes = parse_psbt(valid.data.as_bytes()).unwrap().serialize();
    let cut = &bytes[..bytes.len() / 2];
    let hex_text = hex::encode(cut);
    let b64 = Psbt::deserialize(&bytes).unwrap().to_string();
    let b64_cut = &b64[..b64.len() / 2 / 4 * 4];
    for data in [cut, hex_text.as_bytes(), b64_cut.as_bytes()] {
        let e = parse_psbt(data).unwrap_err();
        assert_eq!(e.code(), "btc.malformed_psbt");
        assert_eq!(e.to_string(), "malformed PSBT: the PSBT is truncated: its data ends early");
    }
}
