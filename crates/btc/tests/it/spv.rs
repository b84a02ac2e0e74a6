//! SPV on real mainnet data (headers 822,528..826,559 and `gettxoutproof` outputs of block
//! 830,000, from shared/data/bitcoin) and proven balances on a synthetic regtest chain.

use hoard_btc::bitcoin::block::{Header, Version};
use hoard_btc::bitcoin::hashes::Hash;
use hoard_btc::bitcoin::pow::CompactTarget;
use hoard_btc::bitcoin::{Block, BlockHash, MerkleBlock, Network, Transaction, TxMerkleNode, Txid};
use hoard_btc::spv::{
    CONFIRMATIONS_DEFAULT, ProvenTransaction, decode_headers, decode_merkle_block, proven_balance,
    verify_merkle_block,
};
use hoard_btc::{Checkpoint, HeaderChain, Keychain};

use crate::common::{funding_tx, outsider, shared_data, wallet};

const FIRST_HEIGHT: u32 = 822_528;
const FIRST_HASH: &str = "000000000000000000001daacd23f9cb40c69ba923085618a5f9dbdd4d97e93a";
const LAST_HASH: &str = "000000000000000000026ab1b5e445f9320cf2ec3dc6720b501877d4e0b40eff";
const TX_830000_1: &str = "2bc71c20dfffddd8ceff89f7ab53650dd60e67cb9c6d06811167f4e7047f6fc9";

fn mainnet_headers() -> Option<Vec<Header>> {
    let bytes = shared_data("mainnet-headers-822528-826559.bin")?;
    Some(decode_headers(&bytes).unwrap())
}

fn chain_from(headers: &[Header], i: usize, period_start_time: Option<u32>) -> HeaderChain {
    HeaderChain::new(
        Network::Bitcoin,
        Checkpoint { height: FIRST_HEIGHT + i as u32, header: headers[i], period_start_time },
    )
}

#[test]
fn real_mainnet_headers_verify() {
    let Some(h) = mainnet_headers() else { return };
    assert_eq!(h.len(), 4032);
    assert_eq!(h[0].block_hash().to_string(), FIRST_HASH);
    let mut chain = chain_from(&h, 0, None);
    chain.extend(&h[1..]).unwrap();
    assert_eq!(chain.tip_height(), 826_559);
    assert_eq!(chain.tip_hash().to_string(), LAST_HASH);
    // The retarget at 824,544 changed the bits, and the chain accepted it.
    assert_ne!(h[2016].bits, h[2015].bits);
    let work =
        h[1..].iter().fold(hoard_btc::bitcoin::Work::from_be_bytes([0; 32]), |a, x| a + x.work());
    assert_eq!(chain.cumulative_work(), work);
    assert_eq!(chain.height_of(&h[3000].block_hash()), Some(FIRST_HEIGHT + 3000));
}

#[test]
fn tampered_headers_are_refused_and_leave_the_chain_unchanged() {
    let Some(h) = mainnet_headers() else { return };
    // Nonce changed: the hash no longer meets the target.
    let mut t = h.clone();
    t[100].nonce ^= 1;
    let mut chain = chain_from(&t, 0, None);
    let e = chain.extend(&t[1..]).unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().contains("822628")),
        ("btc.insufficient_work", true),
        "{e}"
    );
    assert_eq!(chain.tip_height(), FIRST_HEIGHT, "all or nothing");

    // Easier bits inside a period.
    let mut t = h.clone();
    t[500].bits = CompactTarget::from_consensus(0x1d00ffff);
    let e = chain_from(&t, 0, None).extend(&t[1..]).unwrap_err();
    assert_eq!(e.code(), "btc.bad_difficulty");

    // Wrong bits at the retarget height.
    let mut t = h.clone();
    t[2016].bits = t[2015].bits;
    let e = chain_from(&t, 0, None).extend(&t[1..]).unwrap_err();
    assert_eq!(e.code(), "btc.bad_difficulty", "{e}");

    // A missing header breaks the link.
    let mut t = h.clone();
    t.remove(50);
    let e = chain_from(&t, 0, None).extend(&t[1..]).unwrap_err();
    assert_eq!(e.code(), "btc.header_chain_broken");

    // A timestamp at or below the median of the previous eleven.
    let mut t = h.clone();
    t[300].time = t[290].time - 1;
    let e = chain_from(&t, 0, None).extend(&t[1..]).unwrap_err();
    assert!(matches!(e.code(), "btc.timestamp_too_old" | "btc.insufficient_work"), "{e}");
}

#[test]
fn mid_period_checkpoint_needs_the_period_start() {
    let Some(h) = mainnet_headers() else { return };
    let e = chain_from(&h, 10, None).extend(&h[11..]).unwrap_err();
    assert_eq!(e.code(), "btc.retarget_unverifiable");
    let mut chain = chain_from(&h, 10, Some(h[0].time));
    chain.extend(&h[11..]).unwrap();
    assert_eq!(chain.tip_hash().to_string(), LAST_HASH);
}

fn proof(n: u32) -> Option<MerkleBlock> {
    let bytes = shared_data(&format!("txoutproof-0830000-{n}.bin"))?;
    Some(decode_merkle_block(&bytes).unwrap())
}

#[test]
fn real_merkle_proofs_verify() {
    for n in [0u32, 1, 10, 100, 1000, 1850] {
        let Some(p) = proof(n) else { return };
        let m = verify_merkle_block(&p).unwrap();
        assert_eq!(m.len(), 1, "proof {n}");
        assert_eq!(m[0].1, n, "proof {n} proves position {n}");
        assert_eq!(p.txn.num_transactions(), 1851);
    }
    let p = proof(1).unwrap();
    let txid: Txid = TX_830000_1.parse().unwrap();
    assert_eq!(verify_merkle_block(&p).unwrap()[0].0, txid);
    // Against a chain: unknown until the block is in it.
    let unknown = HeaderChain::new(
        Network::Bitcoin,
        Checkpoint { height: 1, header: Header { nonce: 1, ..p.header }, period_start_time: None },
    );
    assert_eq!(unknown.verify_inclusion(&p, txid).unwrap_err().code(), "btc.unknown_block");
    let chain = HeaderChain::new(
        Network::Bitcoin,
        Checkpoint { height: 830_000, header: p.header, period_start_time: None },
    );
    let proven = chain.verify_inclusion(&p, txid).unwrap();
    assert_eq!((proven.height, proven.index), (830_000, 1));
    // The proof of index 1 does not prove the transaction at index 0.
    let other = verify_merkle_block(&proof(0).unwrap()).unwrap()[0].0;
    assert_eq!(chain.verify_inclusion(&p, other).unwrap_err().code(), "btc.tx_not_proven");
}

#[test]
fn tampered_merkle_proofs_are_refused() {
    let Some(bytes) = shared_data("txoutproof-0830000-1.bin") else { return };
    // Header 80 bytes, tx count 4, hash count varint 1, then the first 32-byte hash.
    let mut t = bytes.clone();
    t[80 + 4 + 1 + 5] ^= 0x01;
    let e = verify_merkle_block(&decode_merkle_block(&t).unwrap()).unwrap_err();
    assert_eq!(e.code(), "btc.invalid_merkle_proof");
    // Merkle root in the header changed.
    let mut t = bytes.clone();
    t[36 + 3] ^= 0x01;
    let e = verify_merkle_block(&decode_merkle_block(&t).unwrap()).unwrap_err();
    assert_eq!(e.code(), "btc.invalid_merkle_proof");
    // Truncated bytes.
    assert_eq!(
        decode_merkle_block(&bytes[..bytes.len() - 3]).unwrap_err().code(),
        "btc.invalid_merkle_proof"
    );
}

/// Proof bytes that end early, carry trailing bytes or are empty are refused naming the proof (a
/// truncated proof used to say "IO error").
#[test]
fn malformed_merkle_proofs_are_named() {
    let genesis = Header {
        version: Version::TWO,
        prev_blockhash: BlockHash::all_zeros(),
        merkle_root: TxMerkleNode::all_zeros(),
        time: 1_700_000_000,
        bits: CompactTarget::from_consensus(0x207fffff),
        nonce: 0,
    };
    let txs: Vec<Transaction> =
        (0..3).map(|i| funding_tx(outsider(Network::Regtest).script_pubkey(), 1, i)).collect();
    let b = mine(&genesis, txs);
    let txids: Vec<Txid> = b.txdata.iter().map(|t| t.compute_txid()).collect();
    let proof =
        MerkleBlock::from_header_txids_with_predicate(&b.header, &txids, |t| *t == txids[1]);
    let bytes = hoard_btc::bitcoin::consensus::serialize(&proof);
    assert_eq!(verify_merkle_block(&decode_merkle_block(&bytes).unwrap()).unwrap()[0].0, txids[1]);
    for cut in [1, 40, 80, 90, bytes.len() - 1] {
        let e = decode_merkle_block(&bytes[..cut]).unwrap_err();
        assert_eq!(e.code(), "btc.invalid_merkle_proof");
        assert_eq!(
            e.to_string(),
            format!("the Merkle proof is truncated: its {cut} bytes end before the proof does")
        );
    }
    let mut long = bytes.clone();
    long.extend_from_slice(&[0, 0]);
    let e = decode_merkle_block(&long).unwrap_err();
    assert!(e.to_string().starts_with("the Merkle proof is followed by 2 unexpected bytes"), "{e}");
    assert_eq!(decode_merkle_block(&[]).unwrap_err().to_string(), "the Merkle proof is empty");
    let e = decode_headers(&[0; 81]).unwrap_err();
    assert_eq!(e.code(), "btc.invalid_header");
    assert!(e.to_string().contains("81 bytes long, not a multiple of 80"), "{e}");
}

/// Mines a regtest block on `prev` with these transactions.
fn mine(prev: &Header, txs: Vec<Transaction>) -> Block {
    let mut block = Block {
        header: Header {
            version: Version::TWO,
            prev_blockhash: prev.block_hash(),
            merkle_root: TxMerkleNode::all_zeros(),
            time: prev.time + 600,
            bits: CompactTarget::from_consensus(0x207fffff),
            nonce: 0,
        },
        txdata: txs,
    };
    block.header.merkle_root = block.compute_merkle_root().unwrap();
    while block.header.validate_pow(block.header.target()).is_err() {
        block.header.nonce += 1;
    }
    block
}

#[test]
fn proven_balance_counts_deep_unspent_outputs_only() {
    let (w, _) = wallet("reserve", 2, 3);
    let mine_spk = |i| w.script_pubkey(Keychain::External, i).unwrap();
    let genesis = Header {
        version: Version::TWO,
        prev_blockhash: BlockHash::all_zeros(),
        merkle_root: TxMerkleNode::all_zeros(),
        time: 1_700_000_000,
        bits: CompactTarget::from_consensus(0x207fffff),
        nonce: 0,
    };
    let mut chain = HeaderChain::new(
        Network::Regtest,
        Checkpoint { height: 0, header: genesis, period_start_time: None },
    );
    let deposit_a = funding_tx(mine_spk(0), 70_000, 1);
    let deposit_b = funding_tx(mine_spk(1), 30_000, 2);
    let unrelated = funding_tx(outsider(Network::Regtest).script_pubkey(), 99_000, 3);
    // Block 1: deposit A and an unrelated payment. Block 5: deposit B. Block 8: A is spent.
    let mut spend_a = funding_tx(outsider(Network::Regtest).script_pubkey(), 69_000, 4);
    spend_a.input[0].previous_output =
        hoard_btc::bitcoin::OutPoint { txid: deposit_a.compute_txid(), vout: 0 };
    let mut blocks = Vec::new();
    let mut prev = genesis;
    for height in 1..=12u32 {
        let txs = match height {
            1 => vec![
                funding_tx(outsider(Network::Regtest).script_pubkey(), 1, 100),
                deposit_a.clone(),
                unrelated.clone(),
            ],
            5 => vec![
                funding_tx(outsider(Network::Regtest).script_pubkey(), 1, 105),
                deposit_b.clone(),
            ],
            8 => vec![
                funding_tx(outsider(Network::Regtest).script_pubkey(), 1, 108),
                spend_a.clone(),
            ],
            _ => vec![funding_tx(outsider(Network::Regtest).script_pubkey(), 1, 100 + height)],
        };
        let b = mine(&prev, txs);
        prev = b.header;
        blocks.push(b);
    }
    chain.extend(&blocks.iter().map(|b| b.header).collect::<Vec<_>>()).unwrap();
    let prove = |height: usize, tx: &Transaction| {
        let b = &blocks[height - 1];
        let txids: Vec<Txid> = b.txdata.iter().map(|t| t.compute_txid()).collect();
        let id = tx.compute_txid();
        ProvenTransaction {
            tx: tx.clone(),
            proof: MerkleBlock::from_header_txids_with_predicate(&b.header, &txids, |t| *t == id),
        }
    };
    let proven = vec![prove(1, &deposit_a), prove(5, &deposit_b), prove(1, &unrelated)];
    let is_mine = |s: &hoard_btc::bitcoin::Script| (0..5).any(|i| mine_spk(i).as_script() == s);
    // At height 7: A has 7 confirmations, B has 3 (< 6): only A counts.
    let at7 = proven_balance(&chain, is_mine, &proven, 7, CONFIRMATIONS_DEFAULT).unwrap();
    assert_eq!(at7.balance_sats, 70_000);
    assert_eq!(at7.too_shallow, vec![deposit_b.compute_txid()]);
    // At 12, with the spend of A proven: only B (8 confirmations) remains; the spend counts
    // although it has only 5 confirmations.
    let mut with_spend = proven.clone();
    with_spend.push(prove(8, &spend_a));
    let at12 = proven_balance(&chain, is_mine, &with_spend, 12, CONFIRMATIONS_DEFAULT).unwrap();
    assert_eq!(at12.balance_sats, 30_000);
    assert_eq!(at12.coins.len(), 1);
    // At 7 the spend (block 8) has not happened yet.
    assert_eq!(
        proven_balance(&chain, is_mine, &with_spend, 7, CONFIRMATIONS_DEFAULT)
            .unwrap()
            .balance_sats,
        70_000
    );
    // A proof for the wrong transaction, and a height above the tip, are refused.
    let mut wrong = prove(5, &deposit_b);
    wrong.tx = deposit_a.clone();
    assert_eq!(
        proven_balance(&chain, is_mine, &[wrong], 12, 6).unwrap_err().code(),
        "btc.tx_not_proven"
    );
    assert_eq!(
        proven_balance(&chain, is_mine, &proven, 13, 6).unwrap_err().code(),
        "btc.unknown_block"
    );
    // A header with more work claimed than done is refused on regtest too.
    let mut fake = mine(&prev, vec![unrelated.clone()]).header;
    fake.bits = CompactTarget::from_consensus(0x1d00ffff);
    assert!(chain.extend(&[fake]).is_err());
}
