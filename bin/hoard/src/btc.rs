//! `hoard btc ...`: Bitcoin custody from the command line. Every command prints JSON on stdout;
//! every refusal is one error whose text starts with its stable code, `[btc.<code>] message`: the
//! library's codes (`[btc.insufficient_funds] ...`), the chain sources' (`[chain.<code>] ...`),
//! and the CLI's own for arguments and files (`btc.usage`, `btc.read_failed`, ...). No refusal
//! wraps another in context: `main` prints its first line, and that line carries the code.
//!
//! Policies are JSON files (`hoard btc policy ... > vault.json`); `--devnet-wallet NAME` uses the
//! default treasury layout with deterministic devnet keys instead (never for real funds).
//! Private keys for `psbt sign` come from an environment variable or a file, never from argv.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use clap::{Args, Subcommand};
use hoard_btc::bitcoin::hex::{DisplayHex, FromHex};
use hoard_btc::bitcoin::{Amount, Network, Txid};
use hoard_btc::coin::{FeeTerms, Payee};
use hoard_btc::descriptor::{ChecksumRule, ParsedDescriptor, parse_descriptor};
use hoard_btc::psbt::{SpendPath, psbt_to_base64};
use hoard_btc::signer::devnet_treasury;
use hoard_btc::spv::{decode_headers, decode_merkle_block, verify_merkle_block};
use hoard_btc::utxo::plan_fee;
use hoard_btc::{
    BtcError, Checkpoint, Expectations, HeaderChain, Keychain, RecoveryPath, SignerKey, SignerSet,
    SoftwareSigner, SpendRequest, TreasuryLayout, UtxoManager, Wallet, WalletPolicy, combine_psbts,
    extract_tx, finalize_psbt, parse_address, parse_psbt, verify_psbt,
};
use hoard_chain::{
    ChainSource, CoreRpcClient, EsploraClient, HttpConfig, RpcEndpoint, check_network, wallet_utxos,
};
use serde_json::{Value, json};

/// Bitcoin custody: policies, descriptors, PSBTs, SPV.
#[derive(Args, Debug)]
pub struct BtcArgs {
    #[command(subcommand)]
    command: BtcCommand,
}

#[derive(Subcommand, Debug)]
enum BtcCommand {
    /// Build and validate a wallet policy (prints it as JSON), or show the default layout.
    Policy(PolicyArgs),
    /// Print a wallet's descriptors, or check a descriptor (`--check`).
    Descriptor {
        #[command(flatten)]
        wallet: WalletSel,
        /// Validate this descriptor text instead (checksum required).
        #[arg(long)]
        check: Option<String>,
    },
    /// Derive addresses.
    Addresses {
        #[command(flatten)]
        wallet: WalletSel,
        /// Change chain instead of receive chain.
        #[arg(long)]
        change: bool,
        /// First index.
        #[arg(long, default_value_t = 0)]
        from: u32,
        /// How many (at most 1000).
        #[arg(long, default_value_t = 10)]
        count: u32,
    },
    /// Validate an address for a network.
    Address {
        /// The address.
        address: String,
        /// Network in use.
        #[arg(long, default_value = "bitcoin")]
        network: Network,
    },
    /// PSBT lifecycle.
    #[command(subcommand)]
    Psbt(PsbtCommand),
    /// Header-chain verification.
    #[command(subcommand)]
    Headers(HeadersCommand),
    /// Merkle proof verification.
    #[command(subcommand)]
    Proof(ProofCommand),
    /// A wallet's coins and balance from a chain source (refused if the source serves another
    /// network's chain). Coins with fewer than --min-conf confirmations, and mempool coins, are
    /// listed and summed apart as `unconfirmed_or_shallow_sats`.
    Balance {
        #[command(flatten)]
        wallet: WalletSel,
        #[command(flatten)]
        source: SourceArgs,
        /// Addresses scanned per chain.
        #[arg(long, default_value_t = 20)]
        count: u32,
        /// Confirmations for a coin to count as confirmed.
        #[arg(long, default_value_t = 6)]
        min_conf: u32,
    },
}

#[derive(Args, Debug)]
struct PolicyArgs {
    /// Print the default treasury layout of the seed (wallets, thresholds, tier targets).
    #[arg(long)]
    default_layout: bool,
    /// With --default-layout: instantiate every wallet with devnet keys and print the policies.
    #[arg(long)]
    devnet: bool,
    /// Wallet name.
    #[arg(long, default_value = "wallet")]
    name: String,
    /// Network.
    #[arg(long, default_value = "bitcoin")]
    network: Network,
    /// Signatures required.
    #[arg(long, short = 'k')]
    threshold: Option<usize>,
    /// Signer keys `[fingerprint/path]xpub` (repeat).
    #[arg(long = "key")]
    keys: Vec<String>,
    /// Recovery path: relative timelock in blocks.
    #[arg(long)]
    recovery_older: Option<u32>,
    /// Recovery path: signatures required.
    #[arg(long)]
    recovery_threshold: Option<usize>,
    /// Recovery path keys (repeat).
    #[arg(long = "recovery-key")]
    recovery_keys: Vec<String>,
}

/// Which wallet: a policy file or a devnet wallet of the default layout.
#[derive(Args, Debug)]
struct WalletSel {
    /// Policy JSON file (from `hoard btc policy`).
    #[arg(long, conflicts_with = "devnet_wallet")]
    policy: Option<PathBuf>,
    /// A wallet of the default layout with devnet keys (e.g. vault-1).
    #[arg(long)]
    devnet_wallet: Option<String>,
    /// Network for --devnet-wallet.
    #[arg(long, default_value = "regtest")]
    devnet_network: Network,
}

#[derive(Args, Debug)]
struct SourceArgs {
    /// Esplora base URLs, tried in order (repeat).
    #[arg(long = "esplora")]
    esplora: Vec<String>,
    /// Bitcoin Core RPC URLs, tried in order (repeat).
    #[arg(long = "rpc")]
    rpc: Vec<String>,
    /// RPC user.
    #[arg(long, default_value = "")]
    rpc_user: String,
    /// Environment variable holding the RPC password.
    #[arg(long, default_value = "HOARD_BTC_RPC_PASSWORD")]
    rpc_password_env: String,
    /// Request timeout, milliseconds.
    #[arg(long, default_value_t = 10_000)]
    timeout_ms: u64,
}

#[derive(Subcommand, Debug)]
enum PsbtCommand {
    /// Select coins, reserve them (with --state) and build an unsigned PSBT.
    Create {
        #[command(flatten)]
        wallet: WalletSel,
        /// JSON file with the wallet's coins (a list of `Utxo`).
        #[arg(long)]
        utxos: Option<PathBuf>,
        /// UTXO-manager state file, read and written back (reservations persist).
        #[arg(long)]
        state: Option<PathBuf>,
        /// Spend id (e.g. the payout id); unique per state.
        #[arg(long)]
        id: String,
        /// Payee `ADDRESS:SATS` (repeat for a batch).
        #[arg(long = "to", required = true)]
        to: Vec<String>,
        /// Fee rate, sat/vB.
        #[arg(long)]
        fee_rate: u64,
        /// Maximum absolute fee, sats.
        #[arg(long)]
        max_fee: u64,
        /// Chain tip height (lock time and confirmation depth).
        #[arg(long)]
        tip: u32,
        /// Confirmations a coin needs.
        #[arg(long, default_value_t = 1)]
        min_conf: u32,
        /// Spend by the timelocked recovery path (only coins older than its timelock).
        #[arg(long)]
        recovery: bool,
    },
    /// Replace a spend of the state file by one paying a higher fee (BIP-125): same payees, every
    /// input of the current version (plus coins if needed), and a higher fee rate and fee than the
    /// current version really pays (Bitcoin Core's replacement rules 3, 4 and 6).
    Bump {
        #[command(flatten)]
        wallet: WalletSel,
        /// UTXO-manager state file holding the spend (from `psbt create --state`), written back.
        #[arg(long)]
        state: PathBuf,
        /// JSON file with more coins of the wallet (a list of `Utxo`), if the bump needs them.
        #[arg(long)]
        utxos: Option<PathBuf>,
        /// Id of the spend to bump.
        #[arg(long)]
        id: String,
        /// New fee rate, sat/vB.
        #[arg(long)]
        fee_rate: u64,
        /// Maximum absolute fee of the replacement, sats.
        #[arg(long)]
        max_fee: u64,
        /// Chain tip height (confirmation depth of added coins).
        #[arg(long)]
        tip: u32,
        /// Confirmations an added coin needs.
        #[arg(long, default_value_t = 1)]
        min_conf: u32,
    },
    /// Sign with a software key (master xprv/tprv from an env var or a file). The key must be of
    /// the wallet's network (with --policy/--devnet-wallet) and of the PSBT's (its global xpubs).
    Sign {
        /// PSBT file (base64, hex or binary); `-` for stdin.
        psbt: PathBuf,
        /// Environment variable holding the master key.
        #[arg(long, default_value = "HOARD_BTC_XPRV")]
        key_env: String,
        /// File holding the master key (instead of the env var).
        #[arg(long)]
        key_file: Option<PathBuf>,
        /// Verify against this wallet before signing (give --policy or --devnet-wallet).
        #[command(flatten)]
        wallet: WalletSel,
        /// With a wallet: the expected payees `ADDRESS:SATS` (repeat); signing is refused if
        /// the PSBT pays anything else.
        #[arg(long = "to")]
        to: Vec<String>,
        /// With a wallet: the maximum fee, sats.
        #[arg(long)]
        max_fee: Option<u64>,
    },
    /// Combine partially signed PSBTs of the same transaction.
    Combine {
        /// PSBT files.
        #[arg(required = true)]
        psbts: Vec<PathBuf>,
    },
    /// Finalize once the threshold is met, and extract the transaction.
    Finalize {
        #[command(flatten)]
        wallet: WalletSel,
        /// PSBT file.
        psbt: PathBuf,
    },
    /// Show what a PSBT does and who signed it (checks inputs belong to the wallet).
    Inspect {
        #[command(flatten)]
        wallet: WalletSel,
        /// PSBT file.
        psbt: PathBuf,
    },
    /// Verify a PSBT against the policy and the expected payees and fee bound, before signing.
    Verify {
        #[command(flatten)]
        wallet: WalletSel,
        /// PSBT file.
        psbt: PathBuf,
        /// Expected payee `ADDRESS:SATS` (repeat).
        #[arg(long = "to", required = true)]
        to: Vec<String>,
        /// Maximum fee, sats.
        #[arg(long)]
        max_fee: u64,
    },
}

#[derive(Subcommand, Debug)]
enum HeadersCommand {
    /// Verify concatenated 80-byte headers from a trusted checkpoint (the file's first header).
    Verify {
        /// File of raw headers.
        file: PathBuf,
        /// Height of the first header.
        #[arg(long)]
        height: u32,
        /// Network.
        #[arg(long, default_value = "bitcoin")]
        network: Network,
        /// Timestamp of the first block of the checkpoint's difficulty period, if the
        /// checkpoint is not at a multiple of 2016.
        #[arg(long)]
        period_start_time: Option<u32>,
    },
}

#[derive(Subcommand, Debug)]
enum ProofCommand {
    /// Verify a `gettxoutproof` (serialized MerkleBlock, binary or hex).
    Verify {
        /// Proof file.
        file: PathBuf,
        /// Transaction that must be proven.
        #[arg(long)]
        txid: Option<Txid>,
    },
}

/// Runs a `hoard btc` command.
pub fn run(args: BtcArgs) -> anyhow::Result<()> {
    let out = match args.command {
        BtcCommand::Policy(p) => policy(p)?,
        BtcCommand::Descriptor { wallet, check } => match check {
            Some(text) => {
                let network = wallet.devnet_network;
                match btc(parse_descriptor(&text, network, ChecksumRule::Required))? {
                    ParsedDescriptor::Miniscript { descriptor, .. } => {
                        json!({"valid": true, "descriptor": descriptor.to_string(), "type": format!("{:?}", descriptor.desc_type())})
                    }
                    ParsedDescriptor::Raw(s) | ParsedDescriptor::Addr(s) => {
                        json!({"valid": true, "script_pubkey": s.to_hex_string()})
                    }
                }
            }
            None => {
                let w = wallet.load()?;
                json!({
                    "name": w.policy().name(),
                    "network": w.network().to_string(),
                    "receive": btc(w.policy().descriptor_string(Keychain::External))?,
                    "change": btc(w.policy().descriptor_string(Keychain::Internal))?,
                })
            }
        },
        BtcCommand::Addresses { wallet, change, from, count } => {
            if count > 1000 {
                return Err(refuse(
                    "btc.usage",
                    format!("--count {count}: at most 1000 addresses"),
                ));
            }
            let w = wallet.load()?;
            let chain = if change { Keychain::Internal } else { Keychain::External };
            let list = (from..from.saturating_add(count))
                .map(|i| Ok(json!({"index": i, "address": btc(w.address(chain, i))?.to_string()})))
                .collect::<anyhow::Result<Vec<_>>>()?;
            json!({"wallet": w.policy().name(), "keychain": chain, "addresses": list})
        }
        BtcCommand::Address { address, network } => {
            let a = btc(parse_address(&address, network))?;
            json!({"valid": true, "address": a.to_string(), "type": a.address_type().map(|t| t.to_string()), "script_pubkey": a.script_pubkey().to_hex_string()})
        }
        BtcCommand::Psbt(cmd) => psbt(cmd)?,
        BtcCommand::Headers(HeadersCommand::Verify {
            file,
            height,
            network,
            period_start_time,
        }) => {
            let headers = btc(decode_headers(&read_bytes(&file)?))?;
            let (first, rest) = headers.split_first().ok_or_else(|| {
                btc_err(BtcError::InvalidHeader(format!(
                    "the headers file {} is empty: it must hold at least the checkpoint header \
                     (80 bytes)",
                    file.display()
                )))
            })?;
            let mut chain =
                HeaderChain::new(network, Checkpoint { height, header: *first, period_start_time });
            btc(chain.extend(rest))?;
            json!({
                "valid": true,
                "checkpoint_height": height,
                "checkpoint_hash": first.block_hash().to_string(),
                "tip_height": chain.tip_height(),
                "tip_hash": chain.tip_hash().to_string(),
                "headers": headers.len(),
                "work_after_checkpoint": format!("0x{}", chain.cumulative_work().to_be_bytes().to_lower_hex_string()),
            })
        }
        BtcCommand::Proof(ProofCommand::Verify { file, txid }) => {
            let proof = btc(decode_merkle_block(&read_bytes(&file)?))?;
            let matches = btc(verify_merkle_block(&proof))?;
            if let Some(t) = txid
                && !matches.iter().any(|(m, _)| *m == t)
            {
                return Err(btc_err(BtcError::TxNotProven(t.to_string())));
            }
            json!({
                "valid": true,
                "block_hash": proof.header.block_hash().to_string(),
                "merkle_root": proof.header.merkle_root.to_string(),
                "transactions_in_block": proof.txn.num_transactions(),
                "proven": matches.iter().map(|(t, i)| json!({"txid": t.to_string(), "index": i})).collect::<Vec<_>>(),
            })
        }
        BtcCommand::Balance { wallet, source, count, min_conf } => {
            let w = wallet.load()?;
            let src = source.open()?;
            check_network(src.as_ref(), w.network()).map_err(|e| anyhow!("[{}] {e}", e.code()))?;
            let tip = src.tip_height().map_err(|e| anyhow!("[{}] {e}", e.code()))?;
            let coins =
                wallet_utxos(src.as_ref(), &w, count).map_err(|e| anyhow!("[{}] {e}", e.code()))?;
            let mut confirmed = 0u64;
            let mut pending = 0u64;
            for c in &coins {
                if c.is_mature(tip, min_conf) {
                    confirmed += c.amount().to_sat();
                } else {
                    pending += c.amount().to_sat();
                }
            }
            json!({"wallet": w.policy().name(), "tip_height": tip, "min_confirmations": min_conf,
                   "confirmed_sats": confirmed, "unconfirmed_or_shallow_sats": pending, "coins": coins})
        }
    };
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

fn btc_err(e: BtcError) -> anyhow::Error {
    anyhow!("[{}] {e}", e.code())
}

/// A refusal of the CLI itself (arguments, files) in the same `[code] message` shape.
fn refuse(code: &'static str, message: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("[{code}] {message}")
}

fn read_failed(what: &str, path: &Path, e: std::io::Error) -> anyhow::Error {
    refuse("btc.read_failed", format!("cannot read the {what} {}: {e}", path.display()))
}

fn read_text(what: &str, path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).map_err(|e| read_failed(what, path, e))
}

fn btc<T>(r: hoard_btc::Result<T>) -> anyhow::Result<T> {
    r.map_err(btc_err)
}

fn read_bytes(path: &Path) -> anyhow::Result<Vec<u8>> {
    if path == Path::new("-") {
        use std::io::Read;
        let mut v = Vec::new();
        std::io::stdin().read_to_end(&mut v).map_err(|e| read_failed("input", path, e))?;
        return Ok(v);
    }
    let bytes = std::fs::read(path).map_err(|e| read_failed("file", path, e))?;
    // Hex text is accepted wherever binary is.
    let text = String::from_utf8_lossy(&bytes);
    let t = text.trim();
    if !t.is_empty()
        && t.len().is_multiple_of(2)
        && t.bytes().all(|b| b.is_ascii_hexdigit())
        && !t.starts_with("70736274ff")
    {
        return Vec::<u8>::from_hex(t).map_err(|e| {
            btc_err(BtcError::Encoding(format!("{} is not valid hex: {e}", path.display())))
        });
    }
    Ok(bytes)
}

fn read_psbt(path: &Path) -> anyhow::Result<hoard_btc::bitcoin::psbt::Psbt> {
    let bytes = if path == Path::new("-") {
        read_bytes(path)?
    } else {
        std::fs::read(path).map_err(|e| read_failed("PSBT file", path, e))?
    };
    btc(parse_psbt(&bytes))
}

fn payees(to: &[String], network: Network) -> anyhow::Result<Vec<Payee>> {
    to.iter()
        .map(|t| {
            let (addr, sats) = t.rsplit_once(':').ok_or_else(|| {
                refuse("btc.invalid_payee", format!("payee {t}: expected ADDRESS:SATS"))
            })?;
            let sats: u64 = sats.parse().map_err(|e| {
                refuse(
                    "btc.invalid_payee",
                    format!("payee {t}: the amount {sats} is not a whole number of sats ({e})"),
                )
            })?;
            Ok(Payee {
                script_pubkey: btc(parse_address(addr, network))?.script_pubkey(),
                amount: Amount::from_sat(sats),
            })
        })
        .collect()
}

impl WalletSel {
    fn load(&self) -> anyhow::Result<Wallet> {
        let policy = match (&self.policy, &self.devnet_wallet) {
            (Some(p), _) => {
                let text = read_text("policy file", p)?;
                match serde_json::from_str::<WalletPolicy>(&text) {
                    Ok(policy) => policy,
                    Err(e) => {
                        // One error, code first: `[btc.<code>] message (policy file PATH)`.
                        let refusal = policy_refusal(&text).unwrap_or_else(|| {
                            BtcError::InvalidPolicy(format!("the file is not a wallet policy: {e}"))
                        });
                        return Err(anyhow!(
                            "[{}] {refusal} (policy file {})",
                            refusal.code(),
                            p.display()
                        ));
                    }
                }
            }
            (None, Some(name)) => devnet_wallet(name, self.devnet_network)?.0,
            (None, None) => {
                return Err(refuse("btc.usage", "give --policy FILE or --devnet-wallet NAME"));
            }
        };
        btc(Wallet::new(policy))
    }
}

/// Why a policy file that does not deserialize is refused, as the library's coded error: serde
/// keeps only the message, so the well-formed parts are rebuilt through the validating
/// constructors (keys one by one, so a bad key keeps its own code). `None` when the file is not
/// even well-formed (serde's error says why).
fn policy_refusal(text: &str) -> Option<BtcError> {
    let v: Value = serde_json::from_str(text).ok()?;
    let name = v["name"].as_str()?.to_string();
    let network: Network = serde_json::from_value(v["network"].clone()).ok()?;
    let checked = (|| -> Option<hoard_btc::Result<WalletPolicy>> {
        let primary = match signer_set(&v["primary"])? {
            Ok(s) => s,
            Err(e) => return Some(Err(e)),
        };
        let recovery = match &v["recovery"] {
            Value::Null => None,
            r => {
                // A value beyond u32 is out of range like any other too-large timelock.
                let older = u32::try_from(r["older_blocks"].as_u64()?).unwrap_or(u32::MAX);
                let signers = match signer_set(&r["signers"])? {
                    Ok(s) => s,
                    Err(e) => return Some(Err(e)),
                };
                match RecoveryPath::new(older, signers) {
                    Ok(r) => Some(r),
                    Err(e) => return Some(Err(e)),
                }
            }
        };
        Some(WalletPolicy::new(name, network, primary, recovery))
    })()?;
    checked.err()
}

/// A signer set `{"threshold": k, "keys": [...]}` of a policy file, through the validating
/// constructors; `None` if its shape is wrong.
fn signer_set(v: &Value) -> Option<hoard_btc::Result<SignerSet>> {
    let threshold = usize::try_from(v["threshold"].as_u64()?).ok()?;
    let texts = v["keys"].as_array()?.iter().map(Value::as_str).collect::<Option<Vec<_>>>()?;
    let keys = texts.into_iter().map(str::parse::<SignerKey>).collect::<hoard_btc::Result<_>>();
    Some(keys.and_then(|keys| SignerSet::new(threshold, keys)))
}

fn devnet_wallet(
    name: &str,
    network: Network,
) -> anyhow::Result<(WalletPolicy, Vec<SoftwareSigner>)> {
    btc(devnet_treasury(network))?.into_iter().find(|(p, _)| p.name() == name).ok_or_else(|| {
        let names: Vec<String> =
            TreasuryLayout::dwarves_default().wallets.into_iter().map(|w| w.name).collect();
        refuse(
            "btc.unknown_wallet",
            format!("no wallet {name} in the default layout (it has {})", names.join(", ")),
        )
    })
}

impl SourceArgs {
    fn open(&self) -> anyhow::Result<Box<dyn ChainSource>> {
        let cfg = HttpConfig { timeout_ms: self.timeout_ms, ..HttpConfig::default() };
        let chain_err = |e: hoard_chain::ChainError| anyhow!("[{}] {e}", e.code());
        match (self.esplora.is_empty(), self.rpc.is_empty()) {
            (false, true) => {
                Ok(Box::new(EsploraClient::new(self.esplora.clone(), cfg).map_err(chain_err)?))
            }
            (true, false) => {
                let password = std::env::var(&self.rpc_password_env).unwrap_or_default();
                let eps = self
                    .rpc
                    .iter()
                    .map(|u| RpcEndpoint {
                        url: u.clone(),
                        user: self.rpc_user.clone(),
                        password: password.clone(),
                    })
                    .collect();
                Ok(Box::new(CoreRpcClient::new(eps, cfg).map_err(chain_err)?))
            }
            _ => Err(refuse("btc.usage", "give either --esplora URL(s) or --rpc URL(s)")),
        }
    }
}

fn policy(p: PolicyArgs) -> anyhow::Result<Value> {
    if p.default_layout {
        let layout = TreasuryLayout::dwarves_default();
        btc(layout.validate())?;
        if !p.devnet {
            return Ok(serde_json::to_value(layout)?);
        }
        let wallets = btc(devnet_treasury(p.network))?
            .into_iter()
            .map(|(policy, signers)| {
                Ok(json!({
                    "policy": policy,
                    "receive_descriptor": btc(policy.descriptor_string(Keychain::External))?,
                    "signer_fingerprints": signers.iter().map(|s| s.fingerprint().to_string()).collect::<Vec<_>>(),
                }))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        return Ok(json!({"layout": layout, "devnet_wallets": wallets}));
    }
    let k = p
        .threshold
        .ok_or_else(|| refuse("btc.usage", "--threshold is required (or --default-layout)"))?;
    let keys =
        p.keys.iter().map(|s| btc(s.parse::<SignerKey>())).collect::<anyhow::Result<Vec<_>>>()?;
    let primary = btc(SignerSet::new(k, keys))?;
    let recovery = match p.recovery_older {
        None => None,
        Some(older) => {
            let m = p.recovery_threshold.ok_or_else(|| {
                refuse("btc.usage", "--recovery-threshold is required with --recovery-older")
            })?;
            let rk = p
                .recovery_keys
                .iter()
                .map(|s| btc(s.parse::<SignerKey>()))
                .collect::<anyhow::Result<Vec<_>>>()?;
            Some(btc(RecoveryPath::new(older, btc(SignerSet::new(m, rk))?))?)
        }
    };
    let policy = btc(WalletPolicy::new(p.name, p.network, primary, recovery))?;
    Ok(serde_json::to_value(policy)?)
}

fn psbt(cmd: PsbtCommand) -> anyhow::Result<Value> {
    Ok(match cmd {
        PsbtCommand::Create {
            wallet,
            utxos,
            state,
            id,
            to,
            fee_rate,
            max_fee,
            tip,
            min_conf,
            recovery,
        } => {
            let w = wallet.load()?;
            let mut manager = match &state {
                Some(p) if p.exists() => read_state(p)?,
                _ => UtxoManager::new(),
            };
            if let Some(u) = &utxos {
                add_coins(&mut manager, u)?;
            }
            let request = SpendRequest {
                payees: payees(&to, w.network())?,
                fee: FeeTerms { rate_sat_vb: fee_rate, max_fee: Amount::from_sat(max_fee) },
                path: if recovery { SpendPath::Recovery } else { SpendPath::Primary },
            };
            let psbt = btc(manager.create_spend(&w, &id, &request, tip, min_conf))?;
            let report = btc(verify_psbt(
                &w,
                &psbt,
                &Expectations { payees: Some(request.payees), max_fee: Some(request.fee.max_fee) },
            ))?;
            if let Some(p) = &state {
                write_atomic(p, &serde_json::to_string_pretty(&manager)?)?;
            }
            json!({"id": id, "psbt": psbt_to_base64(&psbt), "report": report})
        }
        PsbtCommand::Bump { wallet, state, utxos, id, fee_rate, max_fee, tip, min_conf } => {
            let w = wallet.load()?;
            let mut manager = read_state(&state)?;
            if let Some(u) = &utxos {
                add_coins(&mut manager, u)?;
            }
            let original = manager
                .spend(&id)
                .map(|s| s.current().clone())
                .ok_or_else(|| btc_err(BtcError::UnknownSpend(id.clone())))?;
            let fee = FeeTerms { rate_sat_vb: fee_rate, max_fee: Amount::from_sat(max_fee) };
            let psbt = btc(manager.bump_fee(&w, &id, fee, tip, min_conf))?;
            let report = btc(verify_psbt(
                &w,
                &psbt,
                &Expectations {
                    payees: Some(original.plan.payees.clone()),
                    max_fee: Some(fee.max_fee),
                },
            ))?;
            write_atomic(&state, &serde_json::to_string_pretty(&manager)?)?;
            json!({
                "id": id,
                "replaces": original.txid.to_string(),
                "original_fee_sats": btc(plan_fee(&original.plan))?.to_sat(),
                "psbt": psbt_to_base64(&psbt),
                "report": report,
            })
        }
        PsbtCommand::Sign { psbt, key_env, key_file, wallet, to, max_fee } => {
            let key = match key_file {
                Some(f) => read_text("key file", &f)?,
                None => std::env::var(&key_env).map_err(|e| {
                    let why = match e {
                        std::env::VarError::NotPresent => "is not set",
                        std::env::VarError::NotUnicode(_) => "is not valid text",
                    };
                    refuse(
                        "btc.key_unavailable",
                        format!(
                            "environment variable {key_env} {why}: put the master key in it or \
                             give --key-file"
                        ),
                    )
                })?,
            };
            let signer: SoftwareSigner = btc(key.parse())?;
            let mut p = read_psbt(&psbt)?;
            let (verified, report) = if wallet.policy.is_some() || wallet.devnet_wallet.is_some() {
                let w = wallet.load()?;
                let expect = Expectations {
                    payees: if to.is_empty() { None } else { Some(payees(&to, w.network())?) },
                    max_fee: max_fee.map(Amount::from_sat),
                };
                let verified = btc(verify_psbt(&w, &p, &expect))?;
                (Some(verified), btc(signer.sign_for(&w, &mut p))?)
            } else {
                (None, btc(signer.sign(&mut p))?)
            };
            json!({
                "psbt": psbt_to_base64(&p),
                "signer": report.signer.to_string(),
                "inputs_signed": report.inputs_signed,
                "verified_before_signing": verified,
            })
        }
        PsbtCommand::Combine { psbts } => {
            let list = psbts.iter().map(|p| read_psbt(p)).collect::<anyhow::Result<Vec<_>>>()?;
            json!({"psbt": psbt_to_base64(&btc(combine_psbts(list))?)})
        }
        PsbtCommand::Finalize { wallet, psbt } => {
            let w = wallet.load()?;
            let mut p = read_psbt(&psbt)?;
            btc(finalize_psbt(&w, &mut p))?;
            let tx = btc(extract_tx(&p))?;
            json!({"txid": tx.compute_txid().to_string(), "vsize": tx.vsize(), "tx_hex": hoard_btc::bitcoin::consensus::encode::serialize_hex(&tx), "psbt": psbt_to_base64(&p)})
        }
        PsbtCommand::Inspect { wallet, psbt } => {
            let w = wallet.load()?;
            serde_json::to_value(btc(verify_psbt(
                &w,
                &read_psbt(&psbt)?,
                &Expectations::default(),
            ))?)?
        }
        PsbtCommand::Verify { wallet, psbt, to, max_fee } => {
            let w = wallet.load()?;
            let expect = Expectations {
                payees: Some(payees(&to, w.network())?),
                max_fee: Some(Amount::from_sat(max_fee)),
            };
            serde_json::to_value(btc(verify_psbt(&w, &read_psbt(&psbt)?, &expect))?)?
        }
    })
}

/// The UTXO-manager state of a state file.
fn read_state(path: &Path) -> anyhow::Result<UtxoManager> {
    serde_json::from_str(&read_text("state file", path)?).map_err(|e| {
        refuse(
            "btc.invalid_state",
            format!("the state file {} is not a UTXO-manager state: {e}", path.display()),
        )
    })
}

/// Adds the coins of a coins file (a JSON list of `Utxo`) to the manager.
fn add_coins(manager: &mut UtxoManager, path: &Path) -> anyhow::Result<()> {
    let list: Vec<hoard_btc::Utxo> = serde_json::from_str(&read_text("coins file", path)?)
        .map_err(|e| {
            refuse(
                "btc.invalid_utxos",
                format!("the coins file {} is not a list of coins: {e}", path.display()),
            )
        })?;
    for c in list {
        manager.insert_coin(c);
    }
    Ok(())
}

fn write_atomic(path: &Path, text: &str) -> anyhow::Result<()> {
    let failed = |e: std::io::Error| {
        refuse("btc.write_failed", format!("cannot write {}: {e}", path.display()))
    };
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(failed)?;
    std::fs::rename(&tmp, path).map_err(failed)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hoard_btc::bitcoin::{
        OutPoint, ScriptBuf, Sequence, Transaction, TxIn, TxOut, Witness, absolute, transaction,
    };

    fn sel(name: &str) -> WalletSel {
        WalletSel {
            policy: None,
            devnet_wallet: Some(name.into()),
            devnet_network: Network::Regtest,
        }
    }

    /// A confirmed coin of `w` at receive index `index`, from a made-up funding transaction.
    fn funding_coin(w: &Wallet, index: u32, sats: u64, salt: u32) -> hoard_btc::Utxo {
        let spk = w.script_pubkey(Keychain::External, index).unwrap();
        let funding = Transaction {
            version: transaction::Version::TWO,
            lock_time: absolute::LockTime::from_consensus(salt),
            input: vec![TxIn {
                previous_output: OutPoint::null(),
                script_sig: ScriptBuf::new(),
                sequence: Sequence::MAX,
                witness: Witness::new(),
            }],
            output: vec![TxOut { value: Amount::from_sat(sats), script_pubkey: spk }],
        };
        hoard_btc::Utxo {
            outpoint: OutPoint { txid: funding.compute_txid(), vout: 0 },
            txout: funding.output[0].clone(),
            keychain: Keychain::External,
            index,
            confirmation_height: Some(10),
            prev_tx: None,
        }
    }

    /// `psbt bump` replaces a spend of the state file and writes the state back; a rate that is
    /// not above what the current version really pays is refused with its code first. The bumped
    /// PSBT is signed, but not by the mainnet twin of a signer's key (same seed, other network).
    #[test]
    fn cli_psbt_bump_and_signing_network() {
        let dir = std::env::temp_dir().join(format!("hoard-btc-cli-bump-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (policy, signers) = devnet_wallet("trading", Network::Regtest).unwrap();
        let w = Wallet::new(policy).unwrap();
        let utxos = dir.join("utxos.json");
        let coins = vec![funding_coin(&w, 0, 30_000, 1)];
        std::fs::write(&utxos, serde_json::to_string(&coins).unwrap()).unwrap();
        let state = dir.join("state.json");
        let payee = w.address(Keychain::External, 9).unwrap().to_string();
        let created = psbt(PsbtCommand::Create {
            wallet: sel("trading"),
            utxos: Some(utxos.clone()),
            state: Some(state.clone()),
            id: "payout-b".into(),
            to: vec![format!("{payee}:20000")],
            fee_rate: 2,
            max_fee: 5_000,
            tip: 20,
            min_conf: 1,
            recovery: false,
        })
        .unwrap();
        let original_txid = created["report"]["txid"].as_str().unwrap().to_string();
        let original_fee = created["report"]["fee_sats"].as_u64().unwrap();
        // A second coin arrives after the spend was created.
        let more = dir.join("more.json");
        std::fs::write(
            &more,
            serde_json::to_string(&vec![funding_coin(&w, 1, 40_000, 2)]).unwrap(),
        )
        .unwrap();
        let bump = |rate: u64, id: &str| {
            psbt(PsbtCommand::Bump {
                wallet: sel("trading"),
                state: state.clone(),
                utxos: Some(more.clone()),
                id: id.into(),
                fee_rate: rate,
                max_fee: 20_000,
                tip: 20,
                min_conf: 1,
            })
        };
        let low = bump(2, "payout-b").unwrap_err().to_string();
        assert!(low.starts_with("[btc.fee_bump_rate_too_low] fee bump too low"), "{low}");
        assert!(!low.contains('\n'), "one line: {low}");
        let unknown = bump(9, "payout-x").unwrap_err().to_string();
        assert!(unknown.starts_with("[btc.unknown_spend] "), "{unknown}");
        let bumped = bump(9, "payout-b").unwrap();
        assert_eq!(bumped["replaces"], json!(original_txid));
        assert_eq!(bumped["original_fee_sats"], json!(original_fee));
        let report = &bumped["report"];
        let (fee, vsize) =
            (report["fee_sats"].as_u64().unwrap(), report["estimated_vsize"].as_u64().unwrap());
        assert!(fee >= original_fee + vsize, "{fee} vs {original_fee} + {vsize}");
        assert!(report["fee_rate_sat_vb"].as_u64().unwrap() >= 9);
        assert_ne!(report["txid"], json!(original_txid));
        // The state file was written back: the spend has two versions, and the bump is current.
        let saved = read_state(&state).unwrap();
        let rec = saved.spend("payout-b").unwrap();
        assert_eq!(rec.versions.len(), 2);
        assert_eq!(json!(rec.current().txid.to_string()), report["txid"]);
        let bumped_file = dir.join("bumped.psbt");
        std::fs::write(&bumped_file, bumped["psbt"].as_str().unwrap()).unwrap();
        // Signing: the mainnet twin of signer 0 is refused, with and without the wallet.
        let twin = hoard_btc::bitcoin::bip32::Xpriv {
            network: hoard_btc::bitcoin::NetworkKind::Main,
            ..*signers[0].master()
        };
        let twin_key = dir.join("twin.key");
        std::fs::write(&twin_key, twin.to_string()).unwrap();
        let right_key = dir.join("right.key");
        std::fs::write(&right_key, signers[0].master().to_string()).unwrap();
        let sign = |key: &Path, wallet: WalletSel| {
            psbt(PsbtCommand::Sign {
                psbt: bumped_file.clone(),
                key_env: "UNUSED".into(),
                key_file: Some(key.to_path_buf()),
                wallet,
                to: vec![],
                max_fee: None,
            })
        };
        let no_wallet =
            || WalletSel { policy: None, devnet_wallet: None, devnet_network: Network::Regtest };
        for wallet in [sel("trading"), no_wallet()] {
            let e = sign(&twin_key, wallet).unwrap_err().to_string();
            assert!(e.starts_with("[btc.key_network_mismatch] key "), "{e}");
        }
        let signed = sign(&right_key, no_wallet()).unwrap();
        let inputs = report["inputs"].as_array().unwrap().len();
        assert_eq!(signed["inputs_signed"], json!((0..inputs).collect::<Vec<_>>()));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The CLI flow of a 2-of-3 hot wallet: create with reservation state, sign twice through key
    /// files, combine, finalize; a second create with the same id is refused.
    #[test]
    fn cli_psbt_flow() {
        let dir = std::env::temp_dir().join(format!("hoard-btc-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (policy, signers) = devnet_wallet("trading", Network::Regtest).unwrap();
        let w = Wallet::new(policy).unwrap();
        let spk = w.script_pubkey(Keychain::External, 0).unwrap();
        let funding = Transaction {
            version: transaction::Version::TWO,
            lock_time: absolute::LockTime::ZERO,
            input: vec![TxIn {
                previous_output: OutPoint::null(),
                script_sig: ScriptBuf::new(),
                sequence: Sequence::MAX,
                witness: Witness::new(),
            }],
            output: vec![TxOut { value: Amount::from_sat(50_000), script_pubkey: spk }],
        };
        let coin = hoard_btc::Utxo {
            outpoint: OutPoint { txid: funding.compute_txid(), vout: 0 },
            txout: funding.output[0].clone(),
            keychain: Keychain::External,
            index: 0,
            confirmation_height: Some(10),
            prev_tx: None,
        };
        let utxos = dir.join("utxos.json");
        std::fs::write(&utxos, serde_json::to_string(&vec![coin]).unwrap()).unwrap();
        let state = dir.join("state.json");
        let payee = w.address(Keychain::External, 5).unwrap().to_string();
        let create = |id: &str| {
            psbt(PsbtCommand::Create {
                wallet: sel("trading"),
                utxos: Some(utxos.clone()),
                state: Some(state.clone()),
                id: id.into(),
                to: vec![format!("{payee}:20000")],
                fee_rate: 2,
                max_fee: 5_000,
                tip: 20,
                min_conf: 1,
                recovery: false,
            })
        };
        let created = create("payout-7").unwrap();
        let unsigned = dir.join("unsigned.psbt");
        std::fs::write(&unsigned, created["psbt"].as_str().unwrap()).unwrap();
        // The coin is reserved in the state file: a second payout cannot take it.
        let again = create("payout-8").unwrap_err().to_string();
        assert!(again.contains("btc.insufficient_funds"), "{again}");
        let mut parts = Vec::new();
        for (i, s) in signers.iter().take(2).enumerate() {
            let key = dir.join(format!("key{i}"));
            std::fs::write(&key, s.master().to_string()).unwrap();
            let out = psbt(PsbtCommand::Sign {
                psbt: unsigned.clone(),
                key_env: "UNUSED".into(),
                key_file: Some(key.clone()),
                wallet: sel("trading"),
                to: vec![format!("{payee}:20000")],
                max_fee: Some(5_000),
            })
            .unwrap();
            let part = dir.join(format!("part{i}.psbt"));
            std::fs::write(&part, out["psbt"].as_str().unwrap()).unwrap();
            parts.push(part);
        }
        let refused = psbt(PsbtCommand::Sign {
            psbt: unsigned.clone(),
            key_env: "UNUSED".into(),
            key_file: Some(dir.join("key0")),
            wallet: sel("trading"),
            to: vec![format!("{payee}:21000")],
            max_fee: Some(5_000),
        })
        .unwrap_err()
        .to_string();
        assert!(refused.contains("btc.policy_violation"), "{refused}");
        let one = psbt(PsbtCommand::Finalize { wallet: sel("trading"), psbt: parts[0].clone() })
            .unwrap_err()
            .to_string();
        assert!(one.contains("btc.threshold_not_met"), "{one}");
        let combined = psbt(PsbtCommand::Combine { psbts: parts.clone() }).unwrap();
        let both = dir.join("both.psbt");
        std::fs::write(&both, combined["psbt"].as_str().unwrap()).unwrap();
        let report = psbt(PsbtCommand::Verify {
            wallet: sel("trading"),
            psbt: both.clone(),
            to: vec![format!("{payee}:20000")],
            max_fee: 5_000,
        })
        .unwrap();
        assert_eq!(report["ready_to_finalize"], json!(true));
        let done = psbt(PsbtCommand::Finalize { wallet: sel("trading"), psbt: both }).unwrap();
        assert_eq!(done["txid"].as_str().unwrap().len(), 64);
        // Wrong network payee is refused with its code.
        let bad = psbt(PsbtCommand::Verify {
            wallet: sel("trading"),
            psbt: unsigned,
            to: vec!["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4:20000".into()],
            max_fee: 5_000,
        })
        .unwrap_err()
        .to_string();
        assert!(bad.contains("btc.address_wrong_network"), "{bad}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
