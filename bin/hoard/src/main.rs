//! `hoard`: the one binary (node, keys, tx, query, btc, pool, bench).
use clap::Parser;

#[derive(Parser)]
#[command(name = "hoard", version, about = "Hoard protocol engine")]
struct Cli {}

fn main() -> anyhow::Result<()> {
    let _cli = Cli::parse();
    Ok(())
}
