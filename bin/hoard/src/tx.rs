//! `hoard tx`: build, sign (EIP-712) and submit every command, with friendly subcommands for the
//! common ones and a generic form by type name with JSON arguments.

use alloy_primitives::{Address, hex};
use anyhow::{Context, bail};
use hoard_core::{
    command::{Command, SignedCommand, domain},
    roles,
};
use hoard_primitives::parse_units;
use serde_json::{Value, json};

use crate::{http::Client, keys::KeyDirArgs};

/// Who signs.
#[derive(clap::Args, Debug)]
pub struct SignerArgs {
    /// Sign with a devnet demo key by name (alice, bob, admin, ...). DEVNET ONLY.
    #[arg(long, conflicts_with = "from", global = true)]
    pub dev_key: Option<String>,
    /// Sign with this address's keystore.
    #[arg(long, global = true)]
    pub from: Option<String>,
    #[command(flatten)]
    pub keys: KeyDirArgs,
}

impl SignerArgs {
    fn secret(&self) -> anyhow::Result<secp256k1::SecretKey> {
        if let Some(name) = &self.dev_key {
            return hoard_node::devnet::account(name)
                .map(|a| a.secret)
                .with_context(|| format!("no devnet account {name:?} (try alice, bob, carol, dave, admin, governance, treasury, minter)"));
        }
        let Some(from) = &self.from else {
            bail!("give --from ADDRESS (a key in the keystore) or --dev-key NAME")
        };
        let address = hoard_keystore::parse_address(from)?;
        let dir = self.keys.open()?;
        let secret = dir.load(&address, &self.keys.password()?)?;
        Ok(secp256k1::SecretKey::from_slice(&secret[..])?)
    }
}

/// `hoard tx`.
#[derive(clap::Args, Debug)]
pub struct TxArgs {
    #[command(flatten)]
    signer: SignerArgs,
    /// Node URL.
    #[arg(long, default_value = "http://127.0.0.1:8645", env = "HOARD_NODE", global = true)]
    node: String,
    /// Seconds until the command expires.
    #[arg(long, default_value_t = 3600, global = true)]
    deadline_s: u64,
    /// Dry-run (`/v1/call`): nothing is kept.
    #[arg(long, global = true)]
    dry_run: bool,
    /// Return once queued instead of waiting for the durable commit.
    #[arg(long, global = true)]
    no_wait: bool,
    /// Print the signed command instead of sending it.
    #[arg(long, global = true)]
    print_only: bool,
    /// Make governance execute the command (`actAsGovernance`): for the governance steward
    /// only, until the governance facet's proposals do it (on the devnet: --dev-key governance).
    #[arg(long, global = true)]
    as_governance: bool,
    #[command(subcommand)]
    cmd: TxCommand,
}

#[derive(clap::Subcommand, Debug)]
enum TxCommand {
    /// Transfer an asset (ICY, DFG, or a bridged asset such as USDC).
    Transfer {
        #[arg(long)]
        token: String,
        #[arg(long)]
        to: String,
        /// Whole tokens (decimals allowed).
        #[arg(long)]
        amount: String,
    },
    /// Approve a spender.
    Approve {
        #[arg(long)]
        token: String,
        #[arg(long)]
        spender: String,
        #[arg(long)]
        amount: String,
    },
    /// Spend an allowance.
    TransferFrom {
        #[arg(long)]
        token: String,
        #[arg(long = "owner")]
        owner: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        amount: String,
    },
    /// Draw from an asset's faucet (devnets).
    Drip {
        /// The asset (a symbol such as usdc, or its 0x address).
        #[arg(long)]
        token: String,
    },
    /// Burn ICY with a reason.
    Burn {
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Mint ICY (registered minters).
    Mint {
        #[arg(long)]
        to: String,
        #[arg(long)]
        amount: String,
    },
    /// Delegate DFG voting power.
    Delegate {
        #[arg(long)]
        to: String,
    },
    /// Release vested DFG.
    Release {
        #[arg(long)]
        schedule: u64,
    },
    /// Propose a role grant.
    GrantRole {
        #[arg(long)]
        role: String,
        #[arg(long)]
        account: String,
    },
    /// Accept a role grant.
    AcceptRole {
        #[arg(long)]
        role: String,
    },
    /// Revoke a role.
    RevokeRole {
        #[arg(long)]
        role: String,
        #[arg(long)]
        account: String,
    },
    /// Pause the protocol.
    Pause {
        #[arg(long)]
        duration_s: u64,
    },
    /// End a pause.
    Unpause,
    /// Any command by EIP-712 type name, with its message as JSON (nonce and deadline are
    /// filled in). Example: hoard tx send Delegate '{"delegatee":"0x..."}'
    Send {
        /// EIP-712 type name (see `hoard query types`).
        type_name: String,
        /// The message fields as a JSON object.
        json: String,
    },
}

fn amount(s: &str) -> anyhow::Result<String> {
    amount_of(s, 18)
}

fn amount_of(s: &str, decimals: u8) -> anyhow::Result<String> {
    parse_units(s, decimals)
        .map(|v| v.to_string())
        .with_context(|| format!("{s:?} is not an amount (decimal, at most {decimals} decimals)"))
}

/// An address, or on the devnet a demo account's name (`alice`, `bob`, ...).
pub fn address(s: &str, devnet: bool) -> anyhow::Result<Address> {
    if let Ok(a) = s.parse() {
        return Ok(a);
    }
    if devnet && let Some(a) = hoard_node::devnet::account(&s.to_ascii_lowercase()) {
        return Ok(a.address);
    }
    let names: Vec<&str> = hoard_node::devnet::accounts().iter().map(|a| a.name).collect();
    if devnet {
        bail!(
            "{s:?} is neither an address (0x and 40 hex digits) nor a demo account ({})",
            names.join(", ")
        )
    }
    bail!("{s:?} is not an address (0x and 40 hex digits)")
}

fn role(s: &str) -> anyhow::Result<String> {
    roles::by_name(s).map(|r| r.id().to_string()).with_context(|| format!("unknown role {s:?}"))
}

/// Runs `hoard tx`.
pub fn run(args: TxArgs) -> anyhow::Result<()> {
    let client = Client::new(&args.node)?;
    let (s, chain) = client.get("/v1/chain")?;
    if s != 200 {
        bail!("the node did not answer /v1/chain: {chain}");
    }
    let devnet = chain["chain_id"].as_u64() == Some(hoard_node::devnet::DEVNET_CHAIN_ID);
    let address = |s: &str| address(s, devnet);
    let (_, listed) = client.get("/v1/assets")?;
    let assets: Vec<(String, String, u8)> = listed["assets"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|a| {
                    Some((
                        a["symbol"].as_str()?.to_string(),
                        a["address"].as_str()?.to_string(),
                        u8::try_from(a["decimals"].as_u64()?).ok()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    // A token by symbol (any letter case) or address, with its decimals.
    let token_of = |t: &str| -> anyhow::Result<(String, u8)> {
        let found = assets.iter().find(|(symbol, address, _)| {
            symbol.eq_ignore_ascii_case(t) || address.eq_ignore_ascii_case(t)
        });
        match found {
            Some((_, address, decimals)) => Ok((address.clone(), *decimals)),
            None => {
                let mut symbols: Vec<String> = assets.iter().map(|a| a.0.to_lowercase()).collect();
                symbols.sort();
                bail!(
                    "unknown token {t:?}: give one of {} or a registered asset's 0x address",
                    symbols.join(", ")
                )
            }
        }
    };
    let token = |t: &str| token_of(t).map(|(a, _)| a);
    let amount_in = |t: &str, a: &str| token_of(t).and_then(|(_, d)| amount_of(a, d));
    let (ty, mut msg): (&str, Value) = match &args.cmd {
        TxCommand::Transfer { token: t, to, amount: a } => (
            "Transfer",
            json!({ "token": token(t)?, "to": address(to)?, "amount": amount_in(t, a)? }),
        ),
        TxCommand::Approve { token: t, spender, amount: a } => (
            "Approve",
            json!({ "token": token(t)?, "spender": address(spender)?, "amount": amount_in(t, a)? }),
        ),
        TxCommand::TransferFrom { token: t, owner, to, amount: a } => (
            "TransferFrom",
            json!({ "token": token(t)?, "from": address(owner)?, "to": address(to)?, "amount": amount_in(t, a)? }),
        ),
        TxCommand::Drip { token: t } => ("Drip", json!({ "asset": token(t)? })),
        TxCommand::Burn { amount: a, reason } => {
            ("Burn", json!({ "amount": amount(a)?, "reason": reason }))
        }
        TxCommand::Mint { to, amount: a } => {
            ("Mint", json!({ "to": address(to)?, "amount": amount(a)? }))
        }
        TxCommand::Delegate { to } => ("Delegate", json!({ "delegatee": address(to)? })),
        TxCommand::Release { schedule } => ("ReleaseVested", json!({ "scheduleId": schedule })),
        TxCommand::GrantRole { role: r, account } => {
            ("GrantRole", json!({ "role": role(r)?, "account": address(account)? }))
        }
        TxCommand::AcceptRole { role: r } => ("AcceptRole", json!({ "role": role(r)? })),
        TxCommand::RevokeRole { role: r, account } => {
            ("RevokeRole", json!({ "role": role(r)?, "account": address(account)? }))
        }
        TxCommand::Pause { duration_s } => ("Pause", json!({ "durationS": duration_s })),
        TxCommand::Unpause => ("Unpause", json!({})),
        TxCommand::Send { type_name, json: j } => {
            let v: Value = serde_json::from_str(j).context("the message must be a JSON object")?;
            (type_name.as_str(), v)
        }
    };
    let secret = args.signer.secret()?;
    let sender = hoard_core::command::address_of_secret(&secret);
    let (_, account) = client.get(&format!("/v1/accounts/{sender}"))?;
    let nonce = account["nonce"].as_u64().context("cannot read the sender's nonce")?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let obj = msg.as_object_mut().context("the message must be a JSON object")?;
    obj.insert("nonce".into(), json!(nonce));
    obj.insert("deadline".into(), json!(now + args.deadline_s));
    let mut command = Command::from_json(ty, msg.clone()).map_err(|e| anyhow::anyhow!("{e}"))?;
    if args.as_governance {
        command = hoard_core::facets::governance::wrap(&command, nonce, now + args.deadline_s);
    }
    let chain_id = chain["chain_id"].as_u64().context("chain id")?;
    let diamond: Address = chain["diamond"].as_str().context("diamond")?.parse()?;
    let signed = SignedCommand::sign(command.clone(), &domain(chain_id, diamond), &secret);
    let body = json!({
        "type": command.name(),
        "message": command.to_json(),
        "signature": hex::encode_prefixed(signed.signature),
        "chainId": chain_id,
        "verifyingContract": diamond,
    });
    if args.print_only {
        println!("{}", serde_json::to_string_pretty(&body)?);
        return Ok(());
    }
    let path = if args.dry_run {
        "/v1/call".to_string()
    } else if args.no_wait {
        "/v1/tx?wait=false".to_string()
    } else {
        "/v1/tx".to_string()
    };
    let (status, answer) = client.post(&path, &body)?;
    println!("{}", serde_json::to_string_pretty(&answer)?);
    if status >= 400 {
        let error = &answer["error"];
        let message = error["message_display"].as_str().or(error["message"].as_str()).unwrap_or("");
        bail!("[{}] {message} (HTTP {status})", error["code"].as_str().unwrap_or("error"));
    }
    Ok(())
}
