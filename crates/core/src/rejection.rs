//! Typed rejections: a command that breaks a rule gets one of these, with a stable code.
//!
//! Codes are part of the public API (clients match on them): never rename one, only add.

use alloy_primitives::U256;

/// Why a signed command was refused before execution (it is never included in a block).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TxInvalid {
    /// The signature does not parse, is malleable (high s) or does not recover a key.
    #[error("the signature is not a valid secp256k1 signature over this command")]
    BadSignature,
    /// The envelope names another chain.
    #[error("the command was signed for chain {got}, this network is chain {expected}")]
    WrongChain {
        /// This network's chain id.
        expected: u64,
        /// The chain id in the command.
        got: u64,
    },
    /// The nonce was already used.
    #[error("nonce {got} was already used; the next nonce of this account is {expected}")]
    NonceReused {
        /// The account's next nonce.
        expected: u64,
        /// The nonce in the command.
        got: u64,
    },
    /// The nonce skips ahead of the account's next nonce.
    #[error("nonce {got} skips ahead; the next nonce of this account is {expected}")]
    NonceGap {
        /// The account's next nonce.
        expected: u64,
        /// The nonce in the command.
        got: u64,
    },
    /// The deadline has passed.
    #[error("the command's deadline {deadline} has passed (block time {now})")]
    Expired {
        /// The command's deadline, unix seconds.
        deadline: u64,
        /// The block time, unix seconds.
        now: u64,
    },
    /// The command type is unknown or its body does not decode.
    #[error("malformed command: {0}")]
    Malformed(String),
    /// The recovered signer has no state on this chain and the command cannot do anything for
    /// an empty account: almost always a signature made for another domain (chain id or
    /// verifying contract), which recovers some unrelated address. Refused before inclusion, so
    /// nothing is stored for the phantom address and the same signed command may still apply
    /// later (once the account exists, within its deadline).
    #[error(
        "signature does not match any known account for this domain (check chainId and \
         verifyingContract): it recovers {sender}, which has no state on this chain, and {why}"
    )]
    UnknownSender {
        /// The address the signature recovers.
        sender: alloy_primitives::Address,
        /// Why the command cannot be admitted for an empty account.
        why: String,
    },
}

impl TxInvalid {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            TxInvalid::BadSignature => "tx.bad_signature",
            TxInvalid::WrongChain { .. } => "tx.wrong_chain",
            TxInvalid::NonceReused { .. } => "tx.nonce_reused",
            TxInvalid::NonceGap { .. } => "tx.nonce_gap",
            TxInvalid::Expired { .. } => "tx.expired",
            TxInvalid::Malformed(_) => "tx.malformed",
            TxInvalid::UnknownSender { .. } => "tx.unknown_sender",
        }
    }
}

/// Why the engine refuses to open a block: it must follow the last block of the same chain, at
/// the same time or later.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BlockInvalid {
    /// The block names another chain.
    #[error("block {height} is for chain {got}; this engine runs chain {expected}")]
    WrongChain {
        /// The block's height.
        height: u64,
        /// This engine's chain id.
        expected: u64,
        /// The block's chain id.
        got: u64,
    },
    /// The block does not follow the last block.
    #[error("block {got} does not follow block {last}")]
    BadHeight {
        /// The last block begun.
        last: u64,
        /// The block's height.
        got: u64,
    },
    /// The block's time is before the last block's.
    #[error(
        "block {height} has time {time_s}, before the previous block's time {last_time_s}: \
         block time never goes backwards"
    )]
    TimeWentBack {
        /// The block's height.
        height: u64,
        /// The block's time.
        time_s: u64,
        /// The last block's time.
        last_time_s: u64,
    },
}

impl BlockInvalid {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            BlockInvalid::WrongChain { .. } => "block.wrong_chain",
            BlockInvalid::BadHeight { .. } => "block.bad_height",
            BlockInvalid::TimeWentBack { .. } => "block.time_went_back",
        }
    }
}

/// Why an included command did not apply. The state is left exactly as before, except the
/// sender's nonce, which records that the signed message was used (it can never be replayed).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Balance too low.
    #[error("insufficient balance: has {available}, needs {needed}")]
    InsufficientBalance {
        /// What the account holds.
        available: U256,
        /// What the command needs.
        needed: U256,
    },
    /// Allowance too low.
    #[error("insufficient allowance: approved {available}, needs {needed}")]
    InsufficientAllowance {
        /// The current allowance.
        available: U256,
        /// What the command needs.
        needed: U256,
    },
    /// The caller lacks the role or authority.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// Minting would exceed the hard cap.
    #[error("minting {amount} would exceed the supply cap of {cap}")]
    CapExceeded {
        /// Requested amount.
        amount: U256,
        /// The hard cap.
        cap: U256,
    },
    /// Minting would exceed the yearly inflation limit.
    #[error(
        "minting {amount} would exceed this protocol year's inflation limit ({remaining} left)"
    )]
    InflationExceeded {
        /// Requested amount.
        amount: U256,
        /// What is left of this year's limit.
        remaining: U256,
    },
    /// Minting beyond the minter's own allowance.
    #[error("minting {amount} exceeds the minter's remaining allowance of {remaining}")]
    MinterAllowanceExceeded {
        /// Requested amount.
        amount: U256,
        /// The minter's remaining allowance.
        remaining: U256,
    },
    /// The protocol is paused.
    #[error("the protocol is paused until {until}")]
    Paused {
        /// Unix seconds when the pause ends.
        until: u64,
    },
    /// A GUARDIAN may not pause again so soon after its last pause.
    #[error(
        "a GUARDIAN may pause again from {from} (the last guardian pause ended at {ended}); a \
         longer or renewed pause needs governance"
    )]
    GuardianPauseCoolingDown {
        /// When the previous guardian pause ended (or ends).
        ended: u64,
        /// When a guardian may pause again.
        from: u64,
    },
    /// The protocol is already paused, and only governance may pause over a pause.
    #[error("already paused until {until}; a longer pause needs governance")]
    AlreadyPaused {
        /// When the current pause ends.
        until: u64,
    },
    /// Governance paused the protocol; a GUARDIAN cannot lift that pause.
    #[error("governance paused the protocol until {until}; only governance can lift that pause")]
    PausedByGovernance {
        /// When the pause ends.
        until: u64,
    },
    /// The protocol is not paused.
    #[error("the protocol is not paused")]
    NotPaused,
    /// The selector was removed from the diamond.
    #[error("function {0} is not registered in the diamond")]
    UnknownSelector(String),
    /// A parameter is outside its allowed range or otherwise invalid.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// The referenced object does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The object is not in a state that allows the operation (too early, too late, already done).
    #[error("not allowed now: {0}")]
    WrongState(String),
    /// A diamond cut would register a selector twice or touch an immutable selector.
    #[error("diamond cut refused: {0}")]
    CutRefused(String),
    /// Nothing to release or claim.
    #[error("nothing to release")]
    NothingToRelease,
}

impl Rejection {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::InsufficientBalance { .. } => "token.insufficient_balance",
            Rejection::InsufficientAllowance { .. } => "token.insufficient_allowance",
            Rejection::Unauthorized(_) => "access.unauthorized",
            Rejection::CapExceeded { .. } => "icy.cap_exceeded",
            Rejection::InflationExceeded { .. } => "icy.inflation_exceeded",
            Rejection::MinterAllowanceExceeded { .. } => "icy.minter_allowance_exceeded",
            Rejection::Paused { .. } => "pause.paused",
            Rejection::GuardianPauseCoolingDown { .. } => "pause.guardian_cooling_down",
            Rejection::AlreadyPaused { .. } => "pause.already_paused",
            Rejection::PausedByGovernance { .. } => "pause.set_by_governance",
            Rejection::NotPaused => "pause.not_paused",
            Rejection::UnknownSelector(_) => "diamond.unknown_selector",
            Rejection::InvalidParameter(_) => "param.invalid",
            Rejection::NotFound(_) => "state.not_found",
            Rejection::WrongState(_) => "state.wrong_state",
            Rejection::CutRefused(_) => "diamond.cut_refused",
            Rejection::NothingToRelease => "vesting.nothing_to_release",
        }
    }
}

/// Most characters of client input that a message quotes back.
pub const ECHO_CHARS_MAX: usize = 64;

/// Quotes client input for a message, cut to [`ECHO_CHARS_MAX`] characters with an ellipsis
/// and the full length, so a huge input is never echoed back in full.
pub fn echo(input: &str) -> String {
    match input.char_indices().nth(ECHO_CHARS_MAX) {
        None => format!("{input:?}"),
        Some((cut, _)) => {
            format!("{:?}… ({} characters)", &input[..cut], input.chars().count())
        }
    }
}

/// Convenience alias for facet handlers.
pub type Outcome = Result<(), Rejection>;
