//! `hoard`: the one binary. Subcommands: node, keys, tx, query, reindex, verify, bench, btc, pool.
//!
//! Each subcommand lives in its own module with a clap `Args`/`Subcommand` type and a `run`
//! function; this file only dispatches.
use clap::{Parser, Subcommand};

mod btc;
mod pool;

#[derive(Parser)]
#[command(name = "hoard", version, about = "Hoard protocol engine: node, wallet, custody tools")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    // Subcommand variants are added here, one line each, by the module that owns them.
    /// Concentrated-liquidity pools: replay and quote.
    Pool(pool::PoolArgs),
    /// Bitcoin custody: policies, descriptors, PSBTs, SPV.
    Btc(btc::BtcArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Pool(args) => pool::run(args),
        Command::Btc(args) => btc::run(args),
    }
}
