//! The state root: a sparse binary Merkle tree over the entries' key hashes, stored compressed.
//!
//! Each entry `(key, value)` sits at the path `key_hash = keccak(key)` (256 bits, most
//! significant bit first) of a binary tree of depth 256. A subtree holding no entry hashes to
//! zero; a subtree holding exactly one entry hashes to that entry's leaf
//! `keccak(0x00 || key_hash || keccak(value))`, wherever it sits; any other subtree hashes to
//! `keccak(0x01 || left || right)`. The root therefore depends only on the set of entries, and
//! the tree is stored with nodes only where two keys diverge: about `log2(N)` levels for `N`
//! random keys. A block's update rehashes the paths of the changed entries (shared near the
//! root), so it costs O(changed × log N) whatever the state's size.
//!
//! A proof ([`Proof`]) is the sibling hashes from the root down to where the entry's path ends,
//! and what is there: the entry's own leaf (inclusion), another entry's leaf whose key shares the
//! path, or nothing (absence). [`verify_entry_proof`] and [`verify_absence_proof`] check one with
//! nothing but keccak: about 32 bytes per level, under 1.5 KB at ten million entries.

use alloy_primitives::{Address, B256, U256, keccak256};

use crate::state::ChangeSet;

/// Bits of a key hash: the depth of the (uncompressed) tree.
pub const KEY_BITS: usize = 256;

#[derive(Clone, Debug)]
enum Node {
    Leaf { key_hash: B256, value_hash: B256, hash: B256 },
    Branch { left: Option<Box<Node>>, right: Option<Box<Node>>, hash: B256 },
}

impl Node {
    fn hash(&self) -> B256 {
        match self {
            Node::Leaf { hash, .. } | Node::Branch { hash, .. } => *hash,
        }
    }
}

fn child_hash(c: &Option<Box<Node>>) -> B256 {
    c.as_ref().map_or(B256::ZERO, |n| n.hash())
}

/// The bit of `h` at `depth` (0: the most significant bit of the first byte).
fn bit(h: &B256, depth: usize) -> bool {
    (h[depth / 8] >> (7 - depth % 8)) & 1 == 1
}

/// The leaf of an entry: `keccak(0x00 || key_hash || value_hash)`.
pub fn leaf_hash(key_hash: &B256, value_hash: &B256) -> B256 {
    let mut buf = [0u8; 65];
    buf[1..33].copy_from_slice(key_hash.as_slice());
    buf[33..].copy_from_slice(value_hash.as_slice());
    keccak256(buf)
}

/// An inner node: `keccak(0x01 || left || right)`.
pub fn branch_hash(left: &B256, right: &B256) -> B256 {
    let mut buf = [0u8; 65];
    buf[0] = 1;
    buf[1..33].copy_from_slice(left.as_slice());
    buf[33..].copy_from_slice(right.as_slice());
    keccak256(buf)
}

fn leaf(key_hash: B256, value_hash: B256) -> Box<Node> {
    Box::new(Node::Leaf { key_hash, value_hash, hash: leaf_hash(&key_hash, &value_hash) })
}

/// A subtree from two optional children: empty, a single leaf moved up, or a branch.
fn join(left: Option<Box<Node>>, right: Option<Box<Node>>) -> Option<Box<Node>> {
    match (left, right) {
        (None, None) => None,
        (Some(l), None) if matches!(*l, Node::Leaf { .. }) => Some(l),
        (None, Some(r)) if matches!(*r, Node::Leaf { .. }) => Some(r),
        (left, right) => {
            let hash = branch_hash(&child_hash(&left), &child_hash(&right));
            Some(Box::new(Node::Branch { left, right, hash }))
        }
    }
}

/// The subtree at `depth` of entries sorted by key hash, all sharing the path above.
fn build(depth: usize, entries: &[(B256, B256)]) -> Option<Box<Node>> {
    match entries {
        [] => None,
        [(k, v)] => Some(leaf(*k, *v)),
        _ => {
            debug_assert!(depth < KEY_BITS, "distinct key hashes part before the last bit");
            let split = entries.partition_point(|(k, _)| !bit(k, depth));
            join(build(depth + 1, &entries[..split]), build(depth + 1, &entries[split..]))
        }
    }
}

/// Applies `changes` (sorted by key hash; `None` deletes) to the subtree at `depth`.
fn update(
    node: Option<Box<Node>>,
    depth: usize,
    changes: &[(B256, Option<B256>)],
) -> Option<Box<Node>> {
    if changes.is_empty() {
        return node;
    }
    match node {
        None => {
            let entries: Vec<(B256, B256)> =
                changes.iter().filter_map(|(k, v)| v.map(|v| (*k, v))).collect();
            build(depth, &entries)
        }
        Some(n) => match *n {
            Node::Leaf { key_hash, value_hash, .. } => {
                // The leaf joins the changes unless they replace or delete it.
                let mut entries: Vec<(B256, B256)> =
                    changes.iter().filter_map(|(k, v)| v.map(|v| (*k, v))).collect();
                if !changes.iter().any(|(k, _)| *k == key_hash) {
                    let at = entries.partition_point(|(k, _)| *k < key_hash);
                    entries.insert(at, (key_hash, value_hash));
                }
                build(depth, &entries)
            }
            Node::Branch { left, right, .. } => {
                let split = changes.partition_point(|(k, _)| !bit(k, depth));
                join(
                    update(left, depth + 1, &changes[..split]),
                    update(right, depth + 1, &changes[split..]),
                )
            }
        },
    }
}

/// Incrementally maintained state commitment.
#[derive(Clone, Debug, Default)]
pub struct Commitment {
    root: Option<Box<Node>>,
}

/// What a proof's path ends at.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProofLeaf {
    /// The key hash of the entry there.
    pub key_hash: B256,
    /// The hash of its value.
    pub value_hash: B256,
}

/// A proof of one key against a state root: sibling hashes from the root down, and what the
/// path ends at (`None`: an empty subtree).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Proof {
    /// Siblings, the root's children first.
    pub siblings: Vec<B256>,
    /// The leaf where the path ends, if any.
    pub leaf: Option<ProofLeaf>,
}

impl Commitment {
    /// Builds the commitment of a full set of encoded `(key, value)` entries.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = (&'a [u8], &'a [u8])>) -> Self {
        let mut list: Vec<(B256, B256)> =
            entries.into_iter().map(|(k, v)| (keccak256(k), keccak256(v))).collect();
        list.sort_unstable_by_key(|e| e.0);
        Commitment { root: build(0, &list) }
    }

    /// The current root (zero for an empty state).
    pub fn root(&self) -> B256 {
        child_hash(&self.root)
    }

    /// Applies a block's changes and returns the new root.
    pub fn update(&mut self, changes: &ChangeSet) -> B256 {
        let mut list: Vec<(B256, Option<B256>)> = changes
            .entries
            .iter()
            .map(|c| (keccak256(&c.key), c.value.as_deref().map(keccak256)))
            .collect();
        list.sort_unstable_by_key(|e| e.0);
        list.dedup_by(|later, earlier| later.0 == earlier.0);
        self.root = update(self.root.take(), 0, &list);
        self.root()
    }

    /// The proof of the entry with these key bytes: of inclusion when it is present, of absence
    /// otherwise.
    pub fn prove_key(&self, key: &[u8]) -> Proof {
        let target = keccak256(key);
        let mut siblings = Vec::new();
        let mut node = self.root.as_deref();
        let mut depth = 0;
        loop {
            match node {
                None => return Proof { siblings, leaf: None },
                Some(Node::Leaf { key_hash, value_hash, .. }) => {
                    let leaf = ProofLeaf { key_hash: *key_hash, value_hash: *value_hash };
                    return Proof { siblings, leaf: Some(leaf) };
                }
                Some(Node::Branch { left, right, .. }) => {
                    let (next, other) =
                        if bit(&target, depth) { (right, left) } else { (left, right) };
                    siblings.push(child_hash(other));
                    node = next.as_deref();
                    depth += 1;
                }
            }
        }
    }

    /// The inclusion proof of an entry, if present.
    pub fn prove(&self, key: &[u8]) -> Option<Proof> {
        let proof = self.prove_key(key);
        let target = keccak256(key);
        proof.leaf.as_ref().is_some_and(|l| l.key_hash == target).then_some(proof)
    }
}

/// Folds a proof's siblings up from `bottom`, along `path`'s bits.
fn fold(path: &B256, bottom: B256, siblings: &[B256]) -> B256 {
    siblings.iter().enumerate().rev().fold(bottom, |h, (depth, sib)| {
        if bit(path, depth) { branch_hash(sib, &h) } else { branch_hash(&h, sib) }
    })
}

/// Verifies an inclusion proof of an encoded `(key, value)` entry.
pub fn verify_entry_proof(state_root: &B256, key: &[u8], value: &[u8], proof: &Proof) -> bool {
    let kh = keccak256(key);
    let vh = keccak256(value);
    if proof.siblings.len() > KEY_BITS {
        return false;
    }
    match &proof.leaf {
        Some(l) if l.key_hash == kh && l.value_hash == vh => {
            fold(&kh, leaf_hash(&kh, &vh), &proof.siblings) == *state_root
        }
        _ => false,
    }
}

/// Verifies a proof that no entry has these key bytes: the path ends in an empty subtree, or at
/// another entry whose key hash shares the path.
pub fn verify_absence_proof(state_root: &B256, key: &[u8], proof: &Proof) -> bool {
    let kh = keccak256(key);
    let depth = proof.siblings.len();
    if depth > KEY_BITS {
        return false;
    }
    let bottom = match &proof.leaf {
        None => B256::ZERO,
        Some(l) => {
            if l.key_hash == kh || (0..depth).any(|d| bit(&l.key_hash, d) != bit(&kh, d)) {
                return false;
            }
            leaf_hash(&l.key_hash, &l.value_hash)
        }
    };
    // An empty subtree is never a sibling's neighbour at the bottom of a real path except at
    // the root (an empty state) or beside a non-empty sibling.
    if proof.leaf.is_none() && depth > 0 && proof.siblings[depth - 1].is_zero() {
        return false;
    }
    fold(&kh, bottom, &proof.siblings) == *state_root
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

/// Verifies that `holder` held none of `token` under `state_root` (a zero balance is absent).
pub fn verify_zero_balance_proof(
    state_root: &B256,
    token: &Address,
    holder: &Address,
    proof: &Proof,
) -> bool {
    verify_absence_proof(state_root, &balance_key(token, holder), proof)
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
