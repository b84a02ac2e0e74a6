//! Typed rejections: a command that breaks a rule gets one of these, with a stable code.
//!
//! Codes are part of the public API (clients match on them): never rename one, only add.

use alloy_primitives::{Address, B256, U256};

use crate::codec::{CodecError, Put, Reader};

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
    /// A system command (made only by the node) came signed by a user.
    #[error("{0} is a system command: only the node makes it")]
    SystemOnly(&'static str),
    /// A system transaction that is not the one the engine would make for this block.
    #[error("system transaction refused: {0}")]
    BadSystemTx(String),
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
    /// Every code with what it means, for `docs/ERRORS.md`.
    pub const CODES: &'static [(&'static str, &'static str)] = &[
        ("tx.bad_signature", "the signature is not a valid secp256k1 signature over this command"),
        ("tx.wrong_chain", "the command was signed for another chain id"),
        ("tx.nonce_reused", "the nonce was already used"),
        ("tx.nonce_gap", "the nonce skips ahead of the account's next nonce"),
        ("tx.expired", "the command's deadline has passed"),
        ("tx.malformed", "the command type is unknown or its body does not decode"),
        ("tx.system_only", "a system command (made only by the node) came signed by a user"),
        (
            "tx.bad_system_tx",
            "a system transaction that is not the one the engine would make for its block",
        ),
        (
            "tx.unknown_sender",
            "the signature recovers an address with no state, for which the command would do nothing (almost always a signature for another domain)",
        ),
    ];

    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            TxInvalid::BadSignature => "tx.bad_signature",
            TxInvalid::WrongChain { .. } => "tx.wrong_chain",
            TxInvalid::NonceReused { .. } => "tx.nonce_reused",
            TxInvalid::NonceGap { .. } => "tx.nonce_gap",
            TxInvalid::Expired { .. } => "tx.expired",
            TxInvalid::Malformed(_) => "tx.malformed",
            TxInvalid::SystemOnly(_) => "tx.system_only",
            TxInvalid::BadSystemTx(_) => "tx.bad_system_tx",
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
    /// Every code with what it means, for `docs/ERRORS.md`.
    pub const CODES: &'static [(&'static str, &'static str)] = &[
        ("block.wrong_chain", "the block names another chain"),
        ("block.bad_height", "the block does not follow the last block"),
        ("block.time_went_back", "the block's time is before the last block's time"),
    ];

    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            BlockInvalid::WrongChain { .. } => "block.wrong_chain",
            BlockInvalid::BadHeight { .. } => "block.bad_height",
            BlockInvalid::TimeWentBack { .. } => "block.time_went_back",
        }
    }
}

/// What a command needed that its sender lacks (the parameter of `access.unauthorized`). The
/// names are stable: they are hashed into receipts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Authority {
    /// The governance account.
    Governance,
    /// The ADMIN role or governance.
    AdminOrGovernance,
    /// The GUARDIAN role or governance.
    GuardianOrGovernance,
    /// The MINTER role.
    Minter,
    /// The schedule's beneficiary.
    Beneficiary,
    /// Any account but the vesting escrow (which never delegates).
    NotTheEscrow,
    /// The governance steward.
    Steward,
    /// The node itself (system transactions).
    TheNode,
}

impl Authority {
    const ALL: [Authority; 8] = [
        Authority::Governance,
        Authority::AdminOrGovernance,
        Authority::GuardianOrGovernance,
        Authority::Minter,
        Authority::Beneficiary,
        Authority::NotTheEscrow,
        Authority::Steward,
        Authority::TheNode,
    ];

    /// Its stable name.
    pub fn name(self) -> &'static str {
        match self {
            Authority::Governance => "governance",
            Authority::AdminOrGovernance => "admin_or_governance",
            Authority::GuardianOrGovernance => "guardian_or_governance",
            Authority::Minter => "minter",
            Authority::Beneficiary => "beneficiary",
            Authority::NotTheEscrow => "not_the_escrow",
            Authority::Steward => "steward",
            Authority::TheNode => "the_node",
        }
    }
}

impl std::fmt::Display for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Authority::Governance => "only governance may do this",
            Authority::AdminOrGovernance => "this needs the ADMIN role or governance",
            Authority::GuardianOrGovernance => "this needs the GUARDIAN role or governance",
            Authority::Minter => "minting ICY needs the MINTER role",
            Authority::Beneficiary => "only the beneficiary releases a vesting schedule",
            Authority::NotTheEscrow => "the vesting escrow never delegates",
            Authority::Steward => "only the governance steward may act for governance",
            Authority::TheNode => "only the node runs system commands",
        })
    }
}

/// A 4-byte function selector; shown with its function's signature when the diamond knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selector(pub [u8; 4]);

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hex = alloy_primitives::hex::encode_prefixed(self.0);
        match crate::command::COMMANDS
            .iter()
            .find(|c| crate::command::selector(c.signature) == self.0)
        {
            Some(c) => write!(f, "{} ({hex})", c.signature),
            None => f.write_str(&hex),
        }
    }
}

/// Why a pool refused an operation: the pool library's error, by a stable number (its name and
/// the contract's revert code in the message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolReason(pub u8);

/// The pool errors by number: name and what it means (the contracts' revert code in brackets).
pub const POOL_REASONS: &[&str] = &[
    "tick out of range (T)",
    "sqrt price out of range (R)",
    "tick lower must be below tick upper (TLU)",
    "tick lower below MIN_TICK (TLM)",
    "tick upper above MAX_TICK (TUM)",
    "tick not a multiple of the tick spacing",
    "zero amount",
    "position has no liquidity (NP)",
    "liquidity underflow (LS)",
    "liquidity overflow (LA)",
    "tick liquidity above the per-tick maximum (LO)",
    "sqrt price limit invalid (SPL)",
    "pool already initialized (AI)",
    "pool not initialized (LOK)",
    "observation too old (OLD)",
    "tick not initialized",
    "mul_div overflow or division by zero",
    "arithmetic overflow",
    "sqrt price is zero (P)",
    "liquidity is zero (L)",
    "output amount exceeds the virtual reserves",
    "fee and tick spacing not allowed for this flavour",
    "paid less than owed",
    "invalid protocol fee setting",
    "unauthorized",
    "pool does not have a dynamic fee",
    "pool already exists",
    "pool not found",
    "currency not settled",
    "manager locked",
    "currencies out of order or equal",
    "volatility oracle target is too old",
    "volatility oracle already initialized",
    "unreadable input",
];

impl std::fmt::Display for PoolReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(POOL_REASONS.get(self.0 as usize).copied().unwrap_or("unknown pool error"))
    }
}

/// A value a rejection carries: encoded canonically into the receipt.
trait Param: Sized {
    fn put(&self, out: &mut Vec<u8>);
    fn get(r: &mut Reader<'_>) -> Result<Self, CodecError>;
}

impl Param for U256 {
    fn put(&self, out: &mut Vec<u8>) {
        out.put_u256(self);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        r.u256()
    }
}
impl Param for u64 {
    fn put(&self, out: &mut Vec<u8>) {
        out.put_u64(*self);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        r.u64()
    }
}
impl Param for u8 {
    fn put(&self, out: &mut Vec<u8>) {
        out.put_u8(*self);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        r.u8()
    }
}
impl Param for Address {
    fn put(&self, out: &mut Vec<u8>) {
        out.put_address(self);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        r.address()
    }
}
impl Param for B256 {
    fn put(&self, out: &mut Vec<u8>) {
        out.put_b256(self);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        r.b256()
    }
}
impl Param for Selector {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let b = r.take(4)?;
        Ok(Selector([b[0], b[1], b[2], b[3]]))
    }
}
impl Param for PoolReason {
    fn put(&self, out: &mut Vec<u8>) {
        out.put_u8(self.0);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(PoolReason(r.u8()?))
    }
}
impl Param for Authority {
    fn put(&self, out: &mut Vec<u8>) {
        out.put_bytes(self.name().as_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let name = r.bytes()?;
        Authority::ALL
            .into_iter()
            .find(|a| a.name().as_bytes() == name)
            .ok_or(CodecError("unknown authority"))
    }
}

/// Declares every rejection once: its variant, fields, stable code and message. Generates the
/// enum, `code()`, the table of codes, and the canonical encoding of code and fields that
/// receipts hash (the message is rendered from them, never stored).
macro_rules! rejections {
    ($(
        $(#[$meta:meta])*
        $name:ident $({ $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)? })? = $code:literal, $msg:literal;
    )*) => {
        /// Why an included command did not apply. The state is left exactly as before, except
        /// the sender's nonce, which records that the signed message was used (it can never be
        /// replayed). Every rejection has its own stable code; `docs/ERRORS.md` lists them.
        #[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
        pub enum Rejection {
            $(
                $(#[$meta])*
                #[error($msg)]
                $name $({ $( $(#[$fmeta])* $field: $ty ),* })?,
            )*
        }

        impl Rejection {
            /// Every rejection's stable code and message template, in declaration order.
            pub const CODES: &'static [(&'static str, &'static str)] = &[$( ($code, $msg) ),*];

            /// Stable machine-readable code.
            pub fn code(&self) -> &'static str {
                match self {
                    $( Rejection::$name { .. } => $code, )*
                }
            }

            /// Canonical encoding: the code, then the fields in order.
            pub fn encode(&self, out: &mut Vec<u8>) {
                out.put_bytes(self.code().as_bytes());
                match self {
                    $( Rejection::$name $({ $($field),* })? => { $($( Param::put($field, out); )*)? } )*
                }
            }

            /// Decodes [`Rejection::encode`].
            pub fn decode(r: &mut Reader<'_>) -> Result<Rejection, CodecError> {
                let code = r.bytes()?;
                $(
                    if code == $code.as_bytes() {
                        return Ok(Rejection::$name $({ $($field: <$ty as Param>::get(r)?),* })?);
                    }
                )*
                Err(CodecError("unknown rejection code"))
            }
        }
    };
}

rejections! {
    /// Balance too low.
    InsufficientBalance {
        /// What the account holds.
        available: U256,
        /// What the command needs.
        needed: U256,
    } = "token.insufficient_balance", "insufficient balance: has {available}, needs {needed}";
    /// Allowance too low.
    InsufficientAllowance {
        /// The current allowance.
        available: U256,
        /// What the command needs.
        needed: U256,
    } = "token.insufficient_allowance", "insufficient allowance: approved {available}, needs {needed}";
    /// The address is not one of the ledger's tokens.
    UnknownToken {
        /// The address given.
        token: Address,
    } = "token.unknown", "{token} is not a Hoard token";
    /// Tokens cannot be sent or minted to the zero address.
    ToZeroAddress = "token.to_zero_address", "tokens cannot be sent or minted to the zero address";
    /// The zero address cannot be approved.
    ApproveZeroAddress = "token.approve_zero_address", "the zero address cannot be approved as a spender";
    /// A symbol or decimals an asset cannot have.
    BadAsset {
        /// The decimals given.
        decimals: u64,
        /// The most decimals.
        max: u64,
    } = "token.bad_asset", "an asset has a symbol of 1 to 11 upper-case letters or digits and at most {max} decimals (got {decimals})";
    /// An asset with that symbol is registered.
    AssetRegistered {
        /// Its address.
        token: Address,
    } = "token.asset_registered", "the asset {token} is already registered";
    /// The asset has no faucet.
    NoFaucet {
        /// The asset.
        token: Address,
    } = "token.no_faucet", "the asset {token} has no faucet on this chain";
    /// The account drew from the faucet too recently.
    FaucetCoolingDown {
        /// When it may draw again.
        from: u64,
    } = "token.faucet_cooling_down", "the faucet gives again from {from}";
    /// An amount that must be positive is zero.
    ZeroAmount = "token.zero_amount", "the amount must be positive";
    /// A burn reason longer than allowed.
    BurnReasonTooLong {
        /// Its length in bytes.
        bytes: u64,
        /// The limit.
        max: u64,
    } = "token.burn_reason_too_long", "the burn reason is {bytes} bytes, at most {max}";
    /// The caller lacks the role or authority.
    Unauthorized {
        /// What it needed.
        needs: Authority,
    } = "access.unauthorized", "unauthorized: {needs}";
    /// Minting would exceed the hard cap.
    CapExceeded {
        /// Requested amount.
        amount: U256,
        /// The hard cap.
        cap: U256,
    } = "icy.cap_exceeded", "minting {amount} would exceed the supply cap of {cap}";
    /// Minting would exceed the yearly inflation limit.
    InflationExceeded {
        /// Requested amount.
        amount: U256,
        /// What is left of this year's limit.
        remaining: U256,
    } = "icy.inflation_exceeded", "minting {amount} would exceed this protocol year's inflation limit ({remaining} left)";
    /// Minting beyond the minter's own allowance.
    MinterAllowanceExceeded {
        /// Requested amount.
        amount: U256,
        /// The minter's remaining allowance.
        remaining: U256,
    } = "icy.minter_allowance_exceeded", "minting {amount} exceeds the minter's remaining allowance of {remaining}";
    /// The zero address cannot be a minter.
    MinterZeroAddress = "icy.minter_zero_address", "the zero address cannot be a minter";
    /// An inflation limit outside its bounds.
    InflationOutOfRange {
        /// Requested, basis points.
        bps: u64,
        /// Lowest allowed.
        min: u64,
        /// Highest allowed.
        max: u64,
    } = "icy.inflation_out_of_range", "the inflation limit must be {min}-{max} bps, got {bps}";
    /// A transfer burn above its bound.
    TransferBurnTooHigh {
        /// Requested, basis points.
        bps: u64,
        /// Highest allowed.
        max: u64,
    } = "icy.transfer_burn_too_high", "the transfer burn must be at most {max} bps, got {bps}";
    /// Too many excluded accounts.
    TooManyExcluded {
        /// How many were given.
        count: u64,
        /// The limit.
        max: u64,
    } = "icy.too_many_excluded", "{count} excluded accounts, at most {max}";
    /// The excluded accounts repeat one or include the zero address.
    ExcludedNotDistinct = "icy.excluded_not_distinct", "excluded accounts must be distinct and non-zero";
    /// The protocol is paused.
    Paused {
        /// Unix seconds when the pause ends.
        until: u64,
    } = "pause.paused", "the protocol is paused until {until}";
    /// A pause duration outside its bounds.
    PauseDurationOutOfRange {
        /// Requested, seconds.
        duration_s: u64,
        /// The longest this caller may order.
        max_s: u64,
    } = "pause.duration_out_of_range", "a pause lasts 1 s to {max_s} s for this caller, not {duration_s} s";
    /// A GUARDIAN may not pause again so soon after its last pause.
    GuardianPauseCoolingDown {
        /// When the previous guardian pause ended (or ends).
        ended: u64,
        /// When a guardian may pause again.
        from: u64,
    } = "pause.guardian_cooling_down", "a GUARDIAN may pause again from {from} (the last guardian pause ended at {ended}); a longer or renewed pause needs governance";
    /// The protocol is already paused, and only governance may pause over a pause.
    AlreadyPaused {
        /// When the current pause ends.
        until: u64,
    } = "pause.already_paused", "already paused until {until}; a longer pause needs governance";
    /// Governance paused the protocol; a GUARDIAN cannot lift that pause.
    PausedByGovernance {
        /// When the pause ends.
        until: u64,
    } = "pause.set_by_governance", "governance paused the protocol until {until}; only governance can lift that pause";
    /// The protocol is not paused.
    NotPaused = "pause.not_paused", "the protocol is not paused";
    /// Tokens of a module account move only by its owning facet or as the module.
    ModuleAccountProtected {
        /// The module account.
        account: Address,
    } = "module.account_protected", "{account} is a protocol module account: only its own module moves what it holds";
    /// A facet tried to act as a module it does not own.
    NotModuleOwner {
        /// The module account.
        module: Address,
    } = "module.not_owner", "only the module's own facet may act as {module}";
    /// Internal calls nested too deep.
    CallTooDeep {
        /// The limit.
        max: u64,
    } = "module.call_too_deep", "internal calls nest at most {max} deep";
    /// A governance action that is not a command this build knows.
    BadAction {
        /// The command type given.
        command_type: u64,
    } = "governance.bad_action", "the governance action is not a well-formed command of type {command_type}";
    /// A governance action that is itself a governance-facet command.
    NestedAction = "governance.nested_action", "a governance action cannot be another governance command";
    /// A scheduled task of a kind its facet does not know.
    UnknownTask {
        /// The facet.
        facet: u64,
        /// The task kind.
        kind: u64,
    } = "task.unknown", "facet {facet} has no task of kind {kind}";
    /// The pool refused the operation (the contract would revert).
    PoolRefused {
        /// The pool.
        pool: u64,
        /// Why.
        reason: PoolReason,
    } = "pools.refused", "pool {pool} refused the operation: {reason}";
    /// No pool with that id.
    PoolNotFound {
        /// The id given.
        pool: u64,
    } = "pools.not_found", "no pool {pool}";
    /// A pool's tokens must be two distinct registered assets, the lower address first.
    BadPoolTokens {
        /// Token 0 given.
        token0: Address,
        /// Token 1 given.
        token1: Address,
    } = "pools.bad_tokens", "a pool trades two distinct registered assets, the lower address first (got {token0} and {token1})";
    /// The amounts moved are outside the command's bounds.
    SlippageExceeded {
        /// What the pool asked or gave.
        amount: U256,
        /// The command's bound.
        bound: U256,
    } = "pools.slippage", "the pool would move {amount}, beyond the command's bound of {bound}";
    /// Already delegated to that address.
    AlreadyDelegated {
        /// The current delegate.
        delegate: Address,
    } = "votes.already_delegated", "already delegated to {delegate}";
    /// A schedule without a beneficiary or amount.
    VestingEmpty = "vesting.empty", "a vesting schedule needs a beneficiary and a positive amount";
    /// A schedule whose duration or cliff is out of bounds.
    VestingBadDuration {
        /// Requested duration, seconds.
        duration_s: u64,
        /// Requested cliff, seconds.
        cliff_s: u64,
        /// The longest duration.
        max_s: u64,
    } = "vesting.bad_duration", "a vesting schedule lasts 1 s to {max_s} s with its cliff within it, not {duration_s} s with a {cliff_s} s cliff";
    /// No such schedule.
    VestingNotFound {
        /// The id given.
        id: u64,
    } = "vesting.not_found", "no vesting schedule {id}";
    /// Nothing to release or claim.
    NothingToRelease = "vesting.nothing_to_release", "nothing to release";
    /// Not a role this protocol knows.
    UnknownRole {
        /// The role id given.
        role: B256,
    } = "access.unknown_role", "unknown role {role}";
    /// Roles cannot be granted to the zero address.
    GrantToZeroAddress = "access.grant_to_zero_address", "a role cannot be granted to the zero address";
    /// The account already holds the role.
    AlreadyMember {
        /// The role.
        role: B256,
        /// The account.
        account: Address,
    } = "access.already_member", "{account} already holds role {role}";
    /// The account does not hold the role.
    NotMember {
        /// The role.
        role: B256,
        /// The account.
        account: Address,
    } = "access.not_member", "{account} does not hold role {role}";
    /// No pending grant of the role for the account.
    NoPendingGrant {
        /// The role.
        role: B256,
        /// The account.
        account: Address,
    } = "access.no_pending_grant", "no pending grant of role {role} for {account}";
    /// The grant's delay is not over.
    GrantNotYetAcceptable {
        /// From when it can be accepted.
        from: u64,
    } = "access.grant_not_yet_acceptable", "the grant can be accepted from {from}";
    /// The grant lapsed.
    GrantExpired {
        /// When it expired.
        at: u64,
    } = "access.grant_expired", "the grant expired at {at}";
    /// Role delays outside their bounds.
    RoleDelaysOutOfRange {
        /// Requested grant delay, seconds.
        grant_delay_s: u64,
        /// Requested acceptance window, seconds.
        accept_window_s: u64,
    } = "access.delays_out_of_range", "the grant delay and the acceptance window must each be 1 to 30 days (got {grant_delay_s} s and {accept_window_s} s)";
    /// The selector is not registered in the diamond.
    UnknownSelector {
        /// The selector.
        selector: Selector,
    } = "diamond.unknown_selector", "function {selector} is not registered in the diamond";
    /// A cut with no entries or selectors, or too many.
    CutSize {
        /// Entries in the cut.
        entries: u64,
        /// Selectors in the cut.
        selectors: u64,
    } = "diamond.cut_size", "a cut has 1 to 32 entries touching 1 to 256 selectors, not {entries} entries and {selectors} selectors";
    /// The cut and loupe selectors never change.
    SelectorImmutable {
        /// The selector.
        selector: Selector,
    } = "diamond.selector_immutable", "selector {selector} is immutable";
    /// No compiled facet implementation at the address.
    UnknownFacet {
        /// The address given.
        facet: Address,
    } = "diamond.unknown_facet", "no facet implementation at {facet}";
    /// The facet does not implement the selector.
    FacetLacksSelector {
        /// The facet.
        facet: Address,
        /// The selector.
        selector: Selector,
    } = "diamond.facet_lacks_selector", "facet {facet} does not implement {selector}";
    /// An add of a selector that is registered.
    SelectorRegistered {
        /// The selector.
        selector: Selector,
    } = "diamond.selector_registered", "selector {selector} is already registered";
    /// A replace or remove of a selector that is not registered.
    SelectorNotRegistered {
        /// The selector.
        selector: Selector,
    } = "diamond.selector_not_registered", "selector {selector} is not registered";
    /// A replace that would change nothing.
    SameFacet {
        /// The selector.
        selector: Selector,
    } = "diamond.same_facet", "selector {selector} already points to that facet";
    /// A remove cut must name the zero facet address.
    RemoveNamesFacet = "diamond.remove_names_facet", "a remove cut must name the zero facet address";
    /// A cut action other than add, replace, remove.
    UnknownCutAction {
        /// The action given.
        action: u8,
    } = "diamond.unknown_cut_action", "unknown cut action {action} (0 add, 1 replace, 2 remove)";
    /// No such pending cut.
    CutNotFound {
        /// The id given.
        id: u64,
    } = "diamond.cut_not_found", "no pending diamond cut {id}";
    /// The cut's timelock is not over.
    CutTimelocked {
        /// From when it can be executed.
        eta: u64,
    } = "diamond.cut_timelocked", "the cut's timelock ends at {eta}";
    /// The cut was not executed within its grace period.
    CutExpired {
        /// Its eta.
        eta: u64,
    } = "diamond.cut_expired", "the cut (executable from {eta}) expired; propose it again";
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
