//! `hoard query`: read the node's JSON API.

use crate::http::Client;

/// `hoard query`.
#[derive(clap::Args, Debug)]
pub struct QueryArgs {
    /// Node URL.
    #[arg(long, default_value = "http://127.0.0.1:8645", env = "HOARD_NODE", global = true)]
    node: String,
    #[command(subcommand)]
    what: Query,
}

#[derive(clap::Subcommand, Debug)]
enum Query {
    /// Chain id, genesis, addresses, head.
    Chain,
    /// An account's balances, nonce, votes, vesting, roles.
    Account { address: String },
    /// ICY and DFG supply figures.
    Tokens,
    /// A block by height or hash.
    Block { id: String },
    /// Recent blocks.
    Blocks {
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// A transaction receipt.
    Tx { hash: String },
    /// Events (eth_getLogs-style filters).
    Events {
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        topic0: Option<String>,
        #[arg(long)]
        cursor: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Diamond facets (loupe).
    Facets,
    /// EIP-712 types.
    Types,
    /// Balance proof of an account against the head's state root.
    Proof { address: String },
}

/// Runs `hoard query`.
pub fn run(args: QueryArgs) -> anyhow::Result<()> {
    let c = Client::new(&args.node)?;
    // On the devnet, demo names stand for their addresses.
    let resolve = |who: String| -> anyhow::Result<String> {
        if who.starts_with("0x") {
            return Ok(who);
        }
        let (_, chain) = c.get("/v1/chain")?;
        let devnet = chain["chain_id"].as_u64() == Some(hoard_node::devnet::DEVNET_CHAIN_ID);
        Ok(crate::tx::address(&who, devnet)?.to_string())
    };
    let path = match args.what {
        Query::Chain => "/v1/chain".to_string(),
        Query::Account { address } => format!("/v1/accounts/{}", resolve(address)?),
        Query::Tokens => "/v1/tokens".into(),
        Query::Block { id } => format!("/v1/blocks/{id}"),
        Query::Blocks { limit } => format!("/v1/blocks?limit={limit}"),
        Query::Tx { hash } => format!("/v1/txs/{hash}"),
        Query::Events { account, address, topic0, cursor, limit } => {
            let mut q = vec![format!("limit={limit}")];
            for (k, v) in
                [("account", account), ("address", address), ("topic0", topic0), ("cursor", cursor)]
            {
                if let Some(v) = v {
                    q.push(format!("{k}={v}"));
                }
            }
            format!("/v1/events?{}", q.join("&"))
        }
        Query::Facets => "/v1/facets".into(),
        Query::Types => "/v1/eip712/types".into(),
        Query::Proof { address } => format!("/v1/proofs/balance/{}", resolve(address)?),
    };
    let (status, body) = c.get(&path)?;
    println!("{}", serde_json::to_string_pretty(&body)?);
    if status >= 400 {
        anyhow::bail!("the node answered {status}");
    }
    Ok(())
}
