//! Interoperability: a PSBT created by Hoard is signed by an independent implementation (the
//! pure-Python `embit`), and the result is combined and finalized by Hoard. Skips when
//! `python3` or `embit` is missing (install with `.ci/setup-btc.sh`).

use std::process::Command;

use hoard_btc::{combine_psbts, extract_tx, finalize_psbt, parse_psbt, signature_status};

use crate::common::{coin, wallet};
use crate::psbt_flow::{consensus_verify, request};

const SIGN_PY: &str = r#"
import sys
from embit.psbt import PSBT
from embit import bip32
psbt = PSBT.from_string(sys.argv[1])
root = bip32.HDKey.from_string(sys.argv[2])
n = psbt.sign_with(root)
if n == 0:
    sys.exit("embit signed nothing")
print(psbt.to_string())
"#;

fn embit_available() -> bool {
    Command::new("python3")
        .args(["-c", "import embit"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn psbt_signed_by_embit_finalizes_in_hoard() {
    if !embit_available() {
        // Written to the stderr handle, which libtest does not capture, so a skip is always visible.
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!(
                "skipped: {}: python3 with embit not found (run .ci/setup-btc.sh)\n",
                std::thread::current().name().unwrap_or("a test")
            ),
        );
        return;
    }
    let (w, signers) = wallet("interop", 3, 5);
    let mut m = hoard_btc::UtxoManager::new();
    m.apply_utxos(vec![coin(&w, 0, 90_000, Some(10), 7), coin(&w, 3, 40_000, Some(11), 8)]);
    let psbt = m.create_spend(&w, "interop", &request(100_000, 4), 50, 1).unwrap();
    let prevouts: Vec<_> = psbt.inputs.iter().map(|i| i.witness_utxo.clone().unwrap()).collect();

    // Two signatures from embit, one from Hoard.
    let mut parts = Vec::new();
    for s in &signers[1..3] {
        let out = Command::new("python3")
            .args(["-c", SIGN_PY, &psbt.to_string(), &s.master().to_string()])
            .output()
            .unwrap();
        assert!(out.status.success(), "embit failed: {}", String::from_utf8_lossy(&out.stderr));
        let signed = parse_psbt(String::from_utf8(out.stdout).unwrap().trim().as_bytes()).unwrap();
        parts.push(signed);
    }
    let st = signature_status(&w, &combine_psbts(parts.clone()).unwrap()).unwrap();
    for input in &st {
        let mut got = input.primary_signers.clone();
        got.sort();
        let mut want = vec![signers[1].fingerprint(), signers[2].fingerprint()];
        want.sort();
        assert_eq!(got, want, "embit's signatures verify and are attributed to their signers");
    }
    let mut mine = psbt.clone();
    signers[4].sign(&mut mine).unwrap();
    parts.push(mine);
    let mut all = combine_psbts(parts).unwrap();
    finalize_psbt(&w, &mut all).unwrap();
    let tx = extract_tx(&all).unwrap();
    consensus_verify(&tx, &prevouts);
}
