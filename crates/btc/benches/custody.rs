//! Throughput of the custody operations that run often: header verification, address
//! derivation, PSBT creation, signing, finalization, Merkle proof verification.
//! Run: `cargo bench -p hoard-btc --bench custody` (prints one line per measurement).
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use hoard_btc::bitcoin::hashes::Hash;
use hoard_btc::bitcoin::{
    Amount, Network, OutPoint, ScriptBuf, Sequence, Transaction, TxIn, TxOut, Txid, Witness,
    absolute, transaction,
};
use hoard_btc::coin::{FeeTerms, Payee};
use hoard_btc::spv::{decode_headers, decode_merkle_block, verify_merkle_block};
use hoard_btc::{
    Checkpoint, HeaderChain, Keychain, SoftwareSigner, SpendRequest, Utxo, UtxoManager, Wallet,
    WalletPolicy, extract_tx, finalize_psbt,
};

fn report(what: &str, n: u64, start: Instant) {
    let secs = start.elapsed().as_secs_f64();
    println!("{what}: {n} in {:.3} s = {:.0}/s", secs, n as f64 / secs);
}

fn data(name: &str) -> Option<Vec<u8>> {
    std::fs::read(format!(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/bitcoin/{}"),
        name
    ))
    .ok()
}

fn main() {
    if let Some(bytes) = data("mainnet-headers-822528-826559.bin") {
        let headers = decode_headers(&bytes).unwrap();
        let rounds = 5u64;
        let start = Instant::now();
        for _ in 0..rounds {
            let mut c = HeaderChain::new(
                Network::Bitcoin,
                Checkpoint { height: 822_528, header: headers[0], period_start_time: None },
            );
            c.extend(&headers[1..]).unwrap();
        }
        report("mainnet headers verified", rounds * (headers.len() as u64 - 1), start);
    } else {
        println!("skipped headers: shared/data/bitcoin not found");
    }
    if let Some(bytes) = data("txoutproof-0830000-1000.bin") {
        let n = 2_000u64;
        let start = Instant::now();
        for _ in 0..n {
            verify_merkle_block(&decode_merkle_block(&bytes).unwrap()).unwrap();
        }
        report("merkle proofs (1851-tx block) decoded and verified", n, start);
    }

    let signers: Vec<SoftwareSigner> =
        (0..7).map(|i| SoftwareSigner::devnet(Network::Regtest, "bench", i).unwrap()).collect();
    let keys = signers.iter().map(|s| s.signer_key(0).unwrap()).collect();
    let w =
        Wallet::new(WalletPolicy::multisig("bench", Network::Regtest, 5, keys).unwrap()).unwrap();

    let n = 500u64;
    let start = Instant::now();
    for i in 0..n as u32 {
        w.address(Keychain::External, i).unwrap();
    }
    report("5-of-7 addresses derived", n, start);

    let coins: Vec<Utxo> = (0..2u32)
        .map(|i| {
            let spk = w.script_pubkey(Keychain::External, i).unwrap();
            let prev = Transaction {
                version: transaction::Version::TWO,
                lock_time: absolute::LockTime::ZERO,
                input: vec![TxIn {
                    previous_output: OutPoint {
                        txid: Txid::from_byte_array([i as u8 + 1; 32]),
                        vout: 0,
                    },
                    script_sig: ScriptBuf::new(),
                    sequence: Sequence::MAX,
                    witness: Witness::new(),
                }],
                output: vec![TxOut { value: Amount::from_sat(60_000), script_pubkey: spk }],
            };
            Utxo {
                outpoint: OutPoint { txid: prev.compute_txid(), vout: 0 },
                txout: prev.output[0].clone(),
                keychain: Keychain::External,
                index: i,
                confirmation_height: Some(1),
                prev_tx: Some(prev),
            }
        })
        .collect();
    let request = SpendRequest {
        payees: vec![Payee {
            script_pubkey: w.script_pubkey(Keychain::External, 99).unwrap(),
            amount: Amount::from_sat(100_000),
        }],
        fee: FeeTerms { rate_sat_vb: 2, max_fee: Amount::from_sat(10_000) },
        path: Default::default(),
    };
    let rounds = 200u64;
    let start = Instant::now();
    let mut psbt = None;
    for r in 0..rounds {
        let mut m = UtxoManager::new();
        m.apply_utxos(coins.clone());
        psbt = Some(m.create_spend(&w, &format!("s{r}"), &request, 10, 1).unwrap());
    }
    report("2-input 5-of-7 PSBTs created (selection + PSBT + derivations)", rounds, start);
    let psbt = psbt.unwrap();

    let rounds = 100u64;
    let start = Instant::now();
    let mut signed = psbt.clone();
    for r in 0..rounds {
        let mut p = psbt.clone();
        signers[(r % 7) as usize].sign(&mut p).unwrap();
        if r == 0 {
            signed = p;
        }
    }
    report("input signatures (one signer, 2 inputs per PSBT)", rounds * 2, start);

    for s in &signers[1..5] {
        s.sign(&mut signed).unwrap();
    }
    let rounds = 100u64;
    let start = Instant::now();
    for _ in 0..rounds {
        let mut p = signed.clone();
        finalize_psbt(&w, &mut p).unwrap();
        extract_tx(&p).unwrap();
    }
    report("5-of-7 2-input PSBTs verified, finalized and extracted", rounds, start);
}
