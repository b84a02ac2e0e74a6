//! `hoard`: the one binary. Subcommands: node, keys, tx, query, reindex, verify, bench, btc, pool.
//!
//! Each subcommand lives in its own module with a clap `Args`/`Subcommand` type and a `run`
//! function; this file only dispatches.
use clap::{Parser, Subcommand};

mod bench;
mod btc;
mod http;
mod keys;
mod node_cmd;
mod pool;
mod query;
mod tx;

#[derive(Parser)]
#[command(name = "hoard", version, about = "Hoard protocol engine: node, wallet, custody tools")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    // Subcommand variants are added here, one line each, by the module that owns them.
    /// Run a node (`--dev` for a local devnet with demo accounts).
    Node(node_cmd::NodeArgs),
    /// Ethereum keystore files: new, import, list.
    Keys(keys::KeysArgs),
    /// Sign and submit a command.
    Tx(tx::TxArgs),
    /// Read the node's state.
    Query(query::QueryArgs),
    /// Replay the whole log, checking every signature and root.
    Verify(node_cmd::VerifyArgs),
    /// Rebuild the query tables from the log (node stopped).
    Reindex(node_cmd::ReindexArgs),
    /// Measure engine, signature, end-to-end and start-up performance.
    Bench(bench::BenchArgs),
    /// Concentrated-liquidity pools: replay and quote.
    Pool(pool::PoolArgs),
    /// Bitcoin custody: policies, descriptors, PSBTs, SPV.
    Btc(btc::BtcArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        // Colours only on a terminal: a log file or a pipe gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match cli.command {
        Command::Node(args) => node_cmd::run(args),
        Command::Keys(args) => keys::run(args),
        Command::Tx(args) => tx::run(args),
        Command::Query(args) => query::run(args),
        Command::Verify(args) => node_cmd::verify(args),
        Command::Reindex(args) => node_cmd::reindex(args),
        Command::Bench(args) => bench::run(args),
        Command::Pool(args) => pool::run(args),
        Command::Btc(args) => btc::run(args),
    }
}
