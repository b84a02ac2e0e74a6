//! Shared fixtures: devnet signers, wallets, funding coins.

use std::str::FromStr;

use hoard_btc::bitcoin::hashes::Hash;
use hoard_btc::bitcoin::{
    Address, Amount, CompressedPublicKey, Network, OutPoint, ScriptBuf, Sequence, Transaction,
    TxIn, TxOut, Txid, Witness, absolute, transaction,
};
use hoard_btc::{Keychain, SoftwareSigner, Utxo, Wallet, WalletPolicy};

pub const NET: Network = Network::Regtest;

/// `n` deterministic signers for a wallet name.
pub fn signers(name: &str, n: u32) -> Vec<SoftwareSigner> {
    (0..n).map(|i| SoftwareSigner::devnet(NET, name, i).unwrap()).collect()
}

/// A k-of-n wallet and its signers.
pub fn wallet(name: &str, k: usize, n: u32) -> (Wallet, Vec<SoftwareSigner>) {
    let s = signers(name, n);
    let keys = s.iter().map(|s| s.signer_key(0).unwrap()).collect();
    let policy = WalletPolicy::multisig(name, NET, k, keys).unwrap();
    (Wallet::new(policy).unwrap(), s)
}

/// A funding transaction paying `amount` to the wallet's receive address `index`, confirmed at
/// `height` (or unconfirmed), as a coin with its previous transaction.
pub fn coin(wallet: &Wallet, index: u32, amount: u64, height: Option<u32>, salt: u32) -> Utxo {
    let spk = wallet.script_pubkey(Keychain::External, index).unwrap();
    let prev = funding_tx(spk, amount, salt);
    Utxo {
        outpoint: OutPoint { txid: prev.compute_txid(), vout: 0 },
        txout: prev.output[0].clone(),
        keychain: Keychain::External,
        index,
        confirmation_height: height,
        prev_tx: Some(prev),
    }
}

/// A transaction from a made-up outpoint (distinct per `salt`) paying `amount` to `spk`.
pub fn funding_tx(spk: ScriptBuf, amount: u64, salt: u32) -> Transaction {
    let mut seed = [0u8; 32];
    seed[..4].copy_from_slice(&salt.to_le_bytes());
    Transaction {
        version: transaction::Version::TWO,
        lock_time: absolute::LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint { txid: Txid::from_byte_array(seed), vout: 0 },
            script_sig: ScriptBuf::new(),
            sequence: Sequence::MAX,
            witness: Witness::new(),
        }],
        output: vec![TxOut { value: Amount::from_sat(amount), script_pubkey: spk }],
    }
}

/// A payee address outside every test wallet (P2WPKH of the secp256k1 generator point).
pub fn outsider(network: Network) -> Address {
    let pk = CompressedPublicKey::from_str(
        "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    )
    .unwrap();
    Address::p2wpkh(&pk, network)
}

/// Path of a file of the shared Bitcoin test data, if present.
pub fn shared_data(name: &str) -> Option<Vec<u8>> {
    let path =
        format!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/bitcoin/{}"), name);
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(_) => {
            // Written to the stderr handle, which libtest does not capture, so a skip is always visible.
            let _ = std::io::Write::write_fmt(
                &mut std::io::stderr(),
                format_args!(
                    "skipped: {}: {path} not found\n",
                    std::thread::current().name().unwrap_or("a test")
                ),
            );
            None
        }
    }
}
