//! A small synthetic regtest chain with a deposit to a `hoard-btc` wallet.

use bitcoin::block::{Header, Version};
use bitcoin::hashes::Hash;
use bitcoin::pow::CompactTarget;
use bitcoin::{
    Amount, Block, BlockHash, Network, OutPoint, ScriptBuf, Sequence, Transaction, TxIn,
    TxMerkleNode, TxOut, Txid, Witness, absolute, transaction,
};
use hoard_btc::{Keychain, SoftwareSigner, Wallet, WalletPolicy};

pub struct Fixture {
    /// blocks[h] is at height h.
    pub blocks: Vec<Block>,
    pub wallet: Wallet,
    pub deposit: Transaction,
    pub deposit_height: u32,
}

fn tx(salt: u8, spk: ScriptBuf, sats: u64) -> Transaction {
    Transaction {
        version: transaction::Version::TWO,
        lock_time: absolute::LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint { txid: Txid::from_byte_array([salt; 32]), vout: 0 },
            script_sig: ScriptBuf::new(),
            sequence: Sequence::MAX,
            witness: Witness::new(),
        }],
        output: vec![TxOut { value: Amount::from_sat(sats), script_pubkey: spk }],
    }
}

fn mine(prev: BlockHash, time: u32, txdata: Vec<Transaction>) -> Block {
    let mut b = Block {
        header: Header {
            version: Version::TWO,
            prev_blockhash: prev,
            merkle_root: TxMerkleNode::all_zeros(),
            time,
            bits: CompactTarget::from_consensus(0x207fffff),
            nonce: 0,
        },
        txdata,
    };
    b.header.merkle_root = b.compute_merkle_root().unwrap();
    while b.header.validate_pow(b.header.target()).is_err() {
        b.header.nonce += 1;
    }
    b
}

pub fn fixture() -> Fixture {
    let keys = (0..3)
        .map(|i| {
            SoftwareSigner::devnet(Network::Regtest, "chain-test", i)
                .unwrap()
                .signer_key(0)
                .unwrap()
        })
        .collect();
    let wallet =
        Wallet::new(WalletPolicy::multisig("chain-test", Network::Regtest, 2, keys).unwrap())
            .unwrap();
    let spk = wallet.script_pubkey(Keychain::External, 1).unwrap();
    let deposit = tx(9, spk, 70_000);
    let other = ScriptBuf::from_hex("0014751e76e8199196d454941c45d1b3a323f1433bd6").unwrap();
    let mut blocks = Vec::new();
    let mut prev = BlockHash::all_zeros();
    for h in 0..8u32 {
        let mut txs = vec![tx(h as u8 + 100, other.clone(), 50)];
        if h == 3 {
            txs.push(deposit.clone());
        }
        let b = mine(prev, 1_700_000_000 + h * 600, txs);
        prev = b.block_hash();
        blocks.push(b);
    }
    Fixture { blocks, wallet, deposit, deposit_height: 3 }
}

pub fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}
