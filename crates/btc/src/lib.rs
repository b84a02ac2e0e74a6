//! `hoard-btc`: the Bitcoin custody library of Hoard. Pure and sans-IO: no network, no clock, no
//! threads; chain facts come in as arguments (see the sibling crate `hoard-chain`).
//!
//! # Design
//! - [`policy`]: a validated [`WalletPolicy`] (k-of-n signers, optional `older(n)` recovery path)
//!   produces `wsh` miniscript descriptors with key origins and checksums; the seed's default
//!   treasury layout is [`TreasuryLayout::dwarves_default`].
//! - [`wallet`]: derived scripts and addresses, recognition of the wallet's own scripts from
//!   BIP-32 derivations (always re-derived, never trusted).
//! - [`address`], [`descriptor`]: validation of user input (addresses per network, BIP-380
//!   descriptors including `raw()` and `addr()`).
//! - [`coin`]: coins and deterministic coin selection (confirmed only, no dust change, fee rate
//!   and maximum absolute fee).
//! - [`psbt`]: the BIP-174 lifecycle: create, verify against the policy, sign (software keys of
//!   the wallet's and the PSBT's network only), combine, finalize when the threshold of *valid*
//!   signatures is met, extract.
//! - [`utxo`]: the UTXO manager that reserves coins before signing and bumps fees by re-spending
//!   the same inputs (BIP-125), so a payout is never paid twice; a bump beats the fee and fee rate
//!   the original really pays (Bitcoin Core's replacement rules).
//! - [`spv`]: header chains from a checkpoint (linkage, proof of work, mainnet retargets,
//!   median time past, cumulative work), Merkle proofs, proven reserve balances.
//! - [`signer`]: software signers for tests and the devnet.
//!
//! # Invariants
//! - A PSBT input counts as the wallet's only if its script re-derives from the policy.
//! - No outpoint is reserved by two live spends; fee bumps keep payees and inputs.
//! - Unconfirmed coins are never selected; change below the dust limit is never created.
//! - Every refusal is a [`BtcError`] with a stable [`BtcError::code`].
#![deny(clippy::float_arithmetic)]
#![warn(missing_docs)]

pub mod address;
pub mod coin;
pub mod descriptor;
pub mod error;
pub mod policy;
pub mod psbt;
pub mod signer;
pub mod spv;
pub mod utxo;
pub mod wallet;

pub use bitcoin;
pub use miniscript;

pub use address::parse_address;
pub use coin::{FeeTerms, Payee, Utxo};
pub use error::{BtcError, Result};
pub use policy::{
    Keychain, RecoveryPath, SignerKey, SignerSet, Tier, TreasuryLayout, WalletPolicy,
};
pub use psbt::{
    Expectations, PsbtReport, SpendPlan, build_psbt, combine_psbts, extract_tx, finalize_psbt,
    parse_psbt, sign_psbt, sign_psbt_for_wallet, signature_status, verify_psbt,
};
pub use signer::SoftwareSigner;
pub use spv::{Checkpoint, HeaderChain};
pub use utxo::{ChangeSet, SpendRequest, SpendStatus, UtxoManager};
pub use wallet::Wallet;
