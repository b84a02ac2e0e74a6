//! The state root: a fixed-depth binary Merkle tree over 2^16 buckets of state entries.
//!
//! Each entry `(key, value)` becomes a leaf `keccak(0x00 || key || value)` filed under
//! `key_hash = keccak(key)` in the bucket given by the first two bytes of `key_hash`. A bucket's
//! hash is `keccak(0x01 || key_hash_1 || leaf_1 || ...)` over its entries in `key_hash` order
//! (zero for an empty bucket); an inner node is `keccak(0x02 || left || right)`, zero when both
//! children are zero. Updating a block's changes costs one bucket rehash and 16 node hashes per
//! changed bucket, whatever the size of the state. An inclusion proof is the entry's bucket (its
//! `(key_hash, leaf)` pairs) plus 16 sibling hashes; [`verify_entry_proof`] checks one with
//! nothing but keccak.
//!
//! Keys and values are the canonical bytes of [`crate::state`]: a key is
//! `facet || table || key fields`, a value its table's encoding.

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, U256, keccak256};

use crate::state::ChangeSet;

/// Tree depth: 2^16 buckets.
pub const DEPTH: usize = 16;
const BUCKETS: usize = 1 << DEPTH;

/// Incrementally maintained state commitment.
#[derive(Clone, Debug)]
pub struct Commitment {
    buckets: Vec<BTreeMap<B256, B256>>,
    /// levels[0] = bucket hashes, levels[DEPTH] = [root].
    levels: Vec<Vec<B256>>,
}

impl Default for Commitment {
    fn default() -> Self {
        let levels = (0..=DEPTH).map(|l| vec![B256::ZERO; BUCKETS >> l]).collect();
        Commitment { buckets: vec![BTreeMap::new(); BUCKETS], levels }
    }
}

/// The leaf of an entry.
pub fn leaf_hash(key: &[u8], value: &[u8]) -> B256 {
    let mut buf = Vec::with_capacity(1 + key.len() + value.len());
    buf.push(0u8);
    buf.extend_from_slice(key);
    buf.extend_from_slice(value);
    keccak256(&buf)
}

fn bucket_of(key_hash: &B256) -> usize {
    ((key_hash[0] as usize) << 8) | key_hash[1] as usize
}

fn bucket_hash(entries: &BTreeMap<B256, B256>) -> B256 {
    hash_bucket_pairs(entries.iter().map(|(k, v)| (*k, *v)))
}

fn hash_bucket_pairs(pairs: impl Iterator<Item = (B256, B256)>) -> B256 {
    let mut buf = vec![1u8];
    let mut any = false;
    for (k, v) in pairs {
        any = true;
        buf.extend_from_slice(k.as_slice());
        buf.extend_from_slice(v.as_slice());
    }
    if any { keccak256(&buf) } else { B256::ZERO }
}

fn node_hash(left: &B256, right: &B256) -> B256 {
    if left.is_zero() && right.is_zero() {
        return B256::ZERO;
    }
    let mut buf = [0u8; 65];
    buf[0] = 2;
    buf[1..33].copy_from_slice(left.as_slice());
    buf[33..].copy_from_slice(right.as_slice());
    keccak256(buf)
}

impl Commitment {
    /// Builds the commitment of a full set of encoded `(key, value)` entries.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = (&'a [u8], &'a [u8])>) -> Self {
        let mut c = Commitment::default();
        let mut touched = Vec::new();
        for (k, v) in entries {
            let kh = keccak256(k);
            let b = bucket_of(&kh);
            c.buckets[b].insert(kh, leaf_hash(k, v));
            touched.push(b);
        }
        c.rehash(touched);
        c
    }

    /// The current root.
    pub fn root(&self) -> B256 {
        self.levels[DEPTH][0]
    }

    /// Applies a block's changes and returns the new root.
    pub fn update(&mut self, changes: &ChangeSet) -> B256 {
        let mut touched = Vec::with_capacity(changes.entries.len());
        for c in &changes.entries {
            let kh = keccak256(&c.key);
            let b = bucket_of(&kh);
            match &c.value {
                Some(v) => {
                    self.buckets[b].insert(kh, leaf_hash(&c.key, v));
                }
                None => {
                    self.buckets[b].remove(&kh);
                }
            }
            touched.push(b);
        }
        self.rehash(touched);
        self.root()
    }

    fn rehash(&mut self, mut touched: Vec<usize>) {
        touched.sort_unstable();
        touched.dedup();
        for &b in &touched {
            self.levels[0][b] = bucket_hash(&self.buckets[b]);
        }
        for level in 1..=DEPTH {
            let mut parents: Vec<usize> = touched.iter().map(|i| i >> 1).collect();
            parents.dedup();
            for &p in &parents {
                let h =
                    node_hash(&self.levels[level - 1][2 * p], &self.levels[level - 1][2 * p + 1]);
                self.levels[level][p] = h;
            }
            touched = parents;
        }
    }

    /// The inclusion proof of the entry with these key bytes, if present.
    pub fn prove(&self, key: &[u8]) -> Option<Proof> {
        let kh = keccak256(key);
        let b = bucket_of(&kh);
        if !self.buckets[b].contains_key(&kh) {
            return None;
        }
        let bucket = self.buckets[b].iter().map(|(k, v)| (*k, *v)).collect();
        let mut siblings = Vec::with_capacity(DEPTH);
        let mut idx = b;
        for level in 0..DEPTH {
            siblings.push(self.levels[level][idx ^ 1]);
            idx >>= 1;
        }
        Some(Proof { bucket, siblings })
    }
}

/// An inclusion proof of one entry against a state root.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Proof {
    /// Every `(key_hash, leaf)` pair of the entry's bucket, in key-hash order.
    pub bucket: Vec<(B256, B256)>,
    /// Sibling hashes from the bucket level up to just below the root.
    pub siblings: Vec<B256>,
}

/// The key bytes of a token balance entry: `0x01 0x00 || token || holder` (the token facet's
/// balances table).
pub fn balance_key(token: &Address, holder: &Address) -> Vec<u8> {
    let mut k = Vec::with_capacity(42);
    k.extend_from_slice(&crate::facets::token::state::BALANCES.id.prefix());
    k.extend_from_slice(token.as_slice());
    k.extend_from_slice(holder.as_slice());
    k
}

/// Verifies that `holder` held exactly `balance` (non-zero) of `token` under `state_root`.
///
/// Independent of the engine: it needs only keccak and the encodings documented above (key:
/// `0x01 0x00 || token || holder`; value: the balance as 32 bytes big-endian).
pub fn verify_balance_proof(
    state_root: &B256,
    token: &Address,
    holder: &Address,
    balance: &U256,
    proof: &Proof,
) -> bool {
    verify_entry_proof(state_root, &balance_key(token, holder), &balance.to_be_bytes::<32>(), proof)
}

/// Verifies an inclusion proof of an encoded `(key, value)` entry.
pub fn verify_entry_proof(state_root: &B256, key: &[u8], value: &[u8], proof: &Proof) -> bool {
    if proof.siblings.len() != DEPTH {
        return false;
    }
    let kh = keccak256(key);
    let leaf = leaf_hash(key, value);
    // The bucket must list our entry, be strictly sorted, and hold only keys of this bucket.
    if !proof.bucket.iter().any(|(k, v)| *k == kh && *v == leaf) {
        return false;
    }
    let b = bucket_of(&kh);
    let sorted = proof.bucket.windows(2).all(|w| w[0].0 < w[1].0);
    if !sorted || proof.bucket.iter().any(|(k, _)| bucket_of(k) != b) {
        return false;
    }
    let mut h = hash_bucket_pairs(proof.bucket.iter().copied());
    let mut idx = b;
    for sib in &proof.siblings {
        h = if idx & 1 == 0 { node_hash(&h, sib) } else { node_hash(sib, &h) };
        idx >>= 1;
    }
    h == *state_root
}

/// Binary Merkle root of a list of hashes (transactions, receipts): pairs hash as
/// `keccak(left || right)`, an odd last node is carried up unchanged, the empty list is zero.
pub fn merkle_root(leaves: &[B256]) -> B256 {
    if leaves.is_empty() {
        return B256::ZERO;
    }
    let mut level = leaves.to_vec();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [l, r] => {
                    let mut buf = [0u8; 64];
                    buf[..32].copy_from_slice(l.as_slice());
                    buf[32..].copy_from_slice(r.as_slice());
                    keccak256(buf)
                }
                [single] => *single,
                _ => unreachable!("chunks(2) yields one or two"),
            })
            .collect();
    }
    level[0]
}
