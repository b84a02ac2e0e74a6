//! The one error type of `hoard-btc`: every refusal has a stable machine-readable code.

use bitcoin::{Amount, OutPoint};

/// Result alias of this crate.
pub type Result<T, E = BtcError> = core::result::Result<T, E>;

/// Everything the custody library can refuse. `code()` gives a stable identifier (API clients and
/// the node's rejections key on it); the `Display` text is for humans and may change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BtcError {
    // ----- policies and keys -----
    /// A threshold of zero signatures.
    #[error("threshold must be at least 1")]
    ThresholdZero,
    /// More signatures required than keys exist.
    #[error("threshold {k} is larger than the number of keys {n}")]
    ThresholdTooHigh {
        /// Required signatures.
        k: usize,
        /// Keys in the set.
        n: usize,
    },
    /// More keys than a `wsh` multisig may hold.
    #[error("{n} keys in one signer set, at most {max} are allowed")]
    TooManyKeys {
        /// Keys given.
        n: usize,
        /// The limit.
        max: usize,
    },
    /// The same key appears twice (in one path or across the primary and recovery paths).
    #[error("duplicate key in policy: {0}")]
    DuplicateKey(String),
    /// A relative timelock outside the accepted range.
    #[error("timelock of {blocks} blocks is out of range ({min}..={max} blocks)")]
    TimelockOutOfRange {
        /// Value given.
        blocks: u32,
        /// Smallest accepted value.
        min: u32,
        /// Largest accepted value.
        max: u32,
    },
    /// Keys of mainnet and test networks mixed in one policy.
    #[error("keys of different networks mixed in one policy")]
    MixedNetworks,
    /// A key of another network than the policy's, or a signing key of another network than
    /// the wallet or PSBT it signs.
    #[error("key {key} is not for network {network}")]
    KeyNetworkMismatch {
        /// The key.
        key: String,
        /// The network of the policy or wallet, or the networks of the PSBT's keys.
        network: String,
    },
    /// A PSBT that does not show which network it is for (no global xpubs) signed without a
    /// wallet: the signing key's network cannot be checked.
    #[error("{0}")]
    NetworkUnknown(String),
    /// A key expression that does not parse or lacks origin information.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// A wallet or layout definition that is inconsistent.
    #[error("invalid policy: {0}")]
    InvalidPolicy(String),

    // ----- descriptors and addresses -----
    /// A descriptor that does not parse or is not sane.
    #[error("invalid descriptor: {0}")]
    InvalidDescriptor(String),
    /// Hardened derivation below an extended public key (`xpub/0/*h`, `xpub/1h/*`): a public
    /// key cannot derive hardened children.
    #[error("{0}")]
    HardenedFromXpub(String),
    /// A descriptor checksum that is missing where required, malformed or wrong.
    #[error("bad descriptor checksum: {0}")]
    DescriptorChecksum(String),
    /// A string that is not an address.
    #[error("invalid address: {0}")]
    InvalidAddress(String),
    /// An address whose base58, bech32 or bech32m checksum does not match (a mistyped or
    /// changed character).
    #[error("the address {address} has an invalid {encoding} checksum")]
    AddressChecksum {
        /// The address as given.
        address: String,
        /// `base58`, `bech32` or `bech32m`.
        encoding: &'static str,
    },
    /// A valid address of another network.
    #[error("address {address} is not valid on {network}")]
    AddressWrongNetwork {
        /// The address as given.
        address: String,
        /// The network in use.
        network: String,
    },
    /// A valid address of a type Hoard does not pay to (future witness versions).
    #[error("unsupported address type: {0}")]
    AddressUnsupported(String),

    // ----- spends -----
    /// A spend without payees.
    #[error("a spend needs at least one payee")]
    NoPayees,
    /// More outputs than one batch may carry.
    #[error("{n} payees in one spend, at most {max}")]
    TooManyPayees {
        /// Payees given.
        n: usize,
        /// The limit.
        max: usize,
    },
    /// An output below the dust limit of its script.
    #[error("output of {amount} is below the dust limit {min}")]
    DustOutput {
        /// The amount.
        amount: Amount,
        /// The dust limit of that script.
        min: Amount,
    },
    /// A fee rate of zero or above the sanity cap.
    #[error("fee rate {sat_per_vb} sat/vB is out of range 1..={max}")]
    InvalidFeeRate {
        /// Rate given.
        sat_per_vb: u64,
        /// The cap.
        max: u64,
    },
    /// Not enough confirmed, unreserved coins.
    #[error("insufficient funds: need {needed}, have {available} confirmed and unreserved")]
    InsufficientFunds {
        /// Payees plus the fee at the requested rate.
        needed: Amount,
        /// What could be selected.
        available: Amount,
    },
    /// The fee would exceed the caller's maximum absolute fee.
    #[error("fee {fee} is above the maximum {max}")]
    FeeAboveMaximum {
        /// The fee the spend would pay.
        fee: Amount,
        /// The maximum allowed.
        max: Amount,
    },
    /// A replacement that does not pay enough more than the original (BIP-125 rules 3 and 4):
    /// at least the original's fee plus the incremental relay fee for its own size.
    #[error(
        "fee bump too low: the replacement would pay {new_fee}, it must pay at least {min_fee} \
         (the original's fee plus 1 sat/vB of the replacement's size)"
    )]
    FeeBumpTooLow {
        /// Fee of the replacement.
        new_fee: Amount,
        /// Smallest acceptable fee.
        min_fee: Amount,
    },
    /// A replacement whose fee rate is not above the fee rate the original really pays (Bitcoin
    /// Core's replacement rule 6); rates in sat per 1000 vB.
    #[error(
        "fee bump too low: the replacement's fee rate {} sat/vB is not above the {} sat/vB the \
         original really pays (its fee over its size, change that went to the fee included); \
         ask for at least {min_sat_vb} sat/vB",
        milli(*new_sat_kvb),
        milli(*original_sat_kvb)
    )]
    FeeBumpRateTooLow {
        /// Fee rate of the replacement, sat/kvB (rounded down).
        new_sat_kvb: u64,
        /// Fee rate the original pays, sat/kvB (rounded down).
        original_sat_kvb: u64,
        /// Smallest whole rate in sat/vB that is above the original's.
        min_sat_vb: u64,
    },
    /// A spend id that already exists: a retry must not create a second payment.
    #[error("spend {0} already exists")]
    SpendExists(String),
    /// A spend id that is not known.
    #[error("unknown spend {0}")]
    UnknownSpend(String),
    /// An operation not allowed in the spend's current status.
    #[error("spend {id} is {status}: {action} is not allowed")]
    SpendStatus {
        /// The spend.
        id: String,
        /// Its status.
        status: String,
        /// What was attempted.
        action: &'static str,
    },
    /// A coin that is already reserved by a live spend.
    #[error("coin {outpoint} is reserved by spend {spend}")]
    CoinReserved {
        /// The coin.
        outpoint: OutPoint,
        /// The spend holding it.
        spend: String,
    },

    // ----- PSBTs -----
    /// Bytes or text that are not a valid PSBT.
    #[error("malformed PSBT: {0}")]
    MalformedPsbt(String),
    /// An input that does not belong to the wallet.
    #[error("input {index} does not belong to this wallet: {reason}")]
    ForeignInput {
        /// Input index.
        index: usize,
        /// Why.
        reason: String,
    },
    /// An input without the UTXO data needed to check amounts and sign.
    #[error("input {0} has no witness UTXO")]
    MissingUtxo(usize),
    /// A PSBT that does not match what the policy or the caller expects.
    #[error("PSBT violates the policy: {0}")]
    PolicyViolation(String),
    /// PSBTs of different transactions passed to combine.
    #[error("PSBTs are for different transactions: {0}")]
    PsbtMismatch(String),
    /// The signing key is not part of the wallet or signed nothing.
    #[error("signer {0} holds no key of this PSBT's inputs")]
    SignerNotInPolicy(String),
    /// A signing failure from the library.
    #[error("signing failed: {0}")]
    SigningFailed(String),
    /// Fewer valid signatures than the threshold.
    #[error("input {input}: {have} valid signatures, {need} required")]
    ThresholdNotMet {
        /// Input index.
        input: usize,
        /// Valid signatures present.
        have: usize,
        /// Required.
        need: usize,
    },
    /// The finalizer failed although the threshold looked met.
    #[error("finalize failed: {0}")]
    FinalizeFailed(String),
    /// Extraction of a PSBT that is not fully finalized, or whose scripts fail.
    #[error("cannot extract: {0}")]
    ExtractFailed(String),

    // ----- SPV -----
    /// Header bytes that do not decode (the text says what is wrong).
    #[error("{0}")]
    InvalidHeader(String),
    /// A header whose previous-block hash is not the previous header.
    #[error("header at height {height} does not link to its predecessor")]
    HeaderChainBroken {
        /// Height of the offending header.
        height: u32,
    },
    /// A header whose hash is above its target, or whose target is above the network's limit.
    #[error("header at height {height} has insufficient proof of work")]
    InsufficientWork {
        /// Height of the offending header.
        height: u32,
    },
    /// A header whose difficulty bits break the retarget rules.
    #[error("header at height {height}: difficulty bits {got:#010x}, expected {expected:#010x}")]
    BadDifficulty {
        /// Height.
        height: u32,
        /// Bits in the header.
        got: u32,
        /// Bits the rules require.
        expected: u32,
    },
    /// A retarget that cannot be checked because the first header of the period is unknown.
    #[error("retarget at height {height} cannot be verified: start of period unknown")]
    RetargetUnverifiable {
        /// Height.
        height: u32,
    },
    /// A header timestamp not above the median of the previous eleven.
    #[error("header at height {height} has a timestamp not above the median time past")]
    TimestampTooOld {
        /// Height.
        height: u32,
    },
    /// A Merkle proof that does not decode or does not verify (the text says which).
    #[error("{0}")]
    InvalidMerkleProof(String),
    /// A transaction that the proof does not include.
    #[error("transaction {0} is not proven by this proof")]
    TxNotProven(String),
    /// A block that is not in the verified header chain.
    #[error("block {0} is not in the verified header chain")]
    UnknownBlock(String),

    /// Hex, base64 or consensus encoding that does not decode.
    #[error("encoding error: {0}")]
    Encoding(String),
}

impl BtcError {
    /// Stable code of this error, `btc.<snake_case>`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ThresholdZero => "btc.threshold_zero",
            Self::ThresholdTooHigh { .. } => "btc.threshold_too_high",
            Self::TooManyKeys { .. } => "btc.too_many_keys",
            Self::DuplicateKey(_) => "btc.duplicate_key",
            Self::TimelockOutOfRange { .. } => "btc.timelock_out_of_range",
            Self::MixedNetworks => "btc.mixed_networks",
            Self::KeyNetworkMismatch { .. } => "btc.key_network_mismatch",
            Self::InvalidKey(_) => "btc.invalid_key",
            Self::InvalidPolicy(_) => "btc.invalid_policy",
            Self::NetworkUnknown(_) => "btc.network_unknown",
            Self::InvalidDescriptor(_) => "btc.invalid_descriptor",
            Self::HardenedFromXpub(_) => "btc.hardened_from_xpub",
            Self::DescriptorChecksum(_) => "btc.descriptor_checksum",
            Self::InvalidAddress(_) => "btc.invalid_address",
            Self::AddressChecksum { .. } => "btc.address_checksum",
            Self::AddressWrongNetwork { .. } => "btc.address_wrong_network",
            Self::AddressUnsupported(_) => "btc.address_unsupported",
            Self::NoPayees => "btc.no_payees",
            Self::TooManyPayees { .. } => "btc.too_many_payees",
            Self::DustOutput { .. } => "btc.dust_output",
            Self::InvalidFeeRate { .. } => "btc.invalid_fee_rate",
            Self::InsufficientFunds { .. } => "btc.insufficient_funds",
            Self::FeeAboveMaximum { .. } => "btc.fee_above_maximum",
            Self::FeeBumpTooLow { .. } => "btc.fee_bump_too_low",
            Self::FeeBumpRateTooLow { .. } => "btc.fee_bump_rate_too_low",
            Self::SpendExists(_) => "btc.spend_exists",
            Self::UnknownSpend(_) => "btc.unknown_spend",
            Self::SpendStatus { .. } => "btc.spend_status",
            Self::CoinReserved { .. } => "btc.coin_reserved",
            Self::MalformedPsbt(_) => "btc.malformed_psbt",
            Self::ForeignInput { .. } => "btc.foreign_input",
            Self::MissingUtxo(_) => "btc.missing_utxo",
            Self::PolicyViolation(_) => "btc.policy_violation",
            Self::PsbtMismatch(_) => "btc.psbt_mismatch",
            Self::SignerNotInPolicy(_) => "btc.signer_not_in_policy",
            Self::SigningFailed(_) => "btc.signing_failed",
            Self::ThresholdNotMet { .. } => "btc.threshold_not_met",
            Self::FinalizeFailed(_) => "btc.finalize_failed",
            Self::ExtractFailed(_) => "btc.extract_failed",
            Self::InvalidHeader(_) => "btc.invalid_header",
            Self::HeaderChainBroken { .. } => "btc.header_chain_broken",
            Self::InsufficientWork { .. } => "btc.insufficient_work",
            Self::BadDifficulty { .. } => "btc.bad_difficulty",
            Self::RetargetUnverifiable { .. } => "btc.retarget_unverifiable",
            Self::TimestampTooOld { .. } => "btc.timestamp_too_old",
            Self::InvalidMerkleProof(_) => "btc.invalid_merkle_proof",
            Self::TxNotProven(_) => "btc.tx_not_proven",
            Self::UnknownBlock(_) => "btc.unknown_block",
            Self::Encoding(_) => "btc.encoding",
        }
    }
}

/// A value in thousandths as a decimal with three places (`4082` -> `4.082`).
fn milli(v: u64) -> String {
    format!("{}.{:03}", v / 1000, v % 1000)
}

/// An error with its chain of sources, `outer: inner: innermost` (libraries that use
/// `write_err!` show only the outermost text in `Display`).
pub(crate) fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let inner = s.to_string();
        if !text.ends_with(&inner) {
            text.push_str(": ");
            text.push_str(&inner);
        }
        source = s.source();
    }
    text
}
