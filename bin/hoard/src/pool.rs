//! `hoard pool`: concentrated-liquidity pools (crates/clmm): replay a recorded history, quote a
//! single swap.

use std::path::PathBuf;

use anyhow::{Context, bail};
use hoard_clmm::alloy_primitives::{self, I256, U256};
use hoard_clmm::math::tick_math::{MAX_SQRT_RATIO, MIN_SQRT_RATIO, get_sqrt_ratio_at_tick};
use hoard_clmm::{Flavour, Pool, PoolConfig};

/// Concentrated-liquidity pools: replay and quote.
#[derive(clap::Args)]
pub struct PoolArgs {
    #[command(subcommand)]
    command: PoolCommand,
}

#[derive(clap::Subcommand)]
enum PoolCommand {
    /// Replay a pool's events (CSV of demeter-fetch's layout, or JSON Lines) and print the final
    /// state and the divergence report as JSON.
    Replay {
        /// The event file.
        file: PathBuf,
        /// Flavour: uniswap_v3, pancake_v3, algebra_integral, uniswap_v4.
        #[arg(long, default_value = "uniswap_v3")]
        flavour: String,
        /// Fee in hundredths of a bip.
        #[arg(long, default_value_t = 500)]
        fee: u32,
        /// Tick spacing (defaults to the flavour's spacing for the fee).
        #[arg(long)]
        tick_spacing: Option<i32>,
        /// Print at most this many divergences.
        #[arg(long, default_value_t = 20)]
        divergences: usize,
    },
    /// Quote one swap on a pool with one full-range position (or a position over a range).
    Quote {
        /// Flavour: uniswap_v3, pancake_v3, algebra_integral, uniswap_v4.
        #[arg(long, default_value = "uniswap_v3")]
        flavour: String,
        /// Fee in hundredths of a bip.
        #[arg(long, default_value_t = 3000)]
        fee: u32,
        /// Tick spacing (defaults to the flavour's spacing for the fee).
        #[arg(long)]
        tick_spacing: Option<i32>,
        /// Starting sqrt price Q64.96 (decimal); default: the price of `--tick`.
        #[arg(long)]
        sqrt_price_x96: Option<String>,
        /// Starting tick when no sqrt price is given.
        #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
        tick: i32,
        /// Liquidity of the position (decimal).
        #[arg(long)]
        liquidity: String,
        /// Position lower tick (default: the lowest usable tick).
        #[arg(long, allow_hyphen_values = true)]
        lower: Option<i32>,
        /// Position upper tick (default: the highest usable tick).
        #[arg(long, allow_hyphen_values = true)]
        upper: Option<i32>,
        /// Swap token0 for token1 (price down); otherwise token1 for token0.
        #[arg(long)]
        zero_for_one: bool,
        /// Amount: positive = exact input, negative = exact output (decimal).
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// Optional sqrt price limit (decimal).
        #[arg(long)]
        limit: Option<String>,
    },
}

fn flavour_of(name: &str) -> anyhow::Result<Flavour> {
    Ok(match name {
        "uniswap_v3" => Flavour::UniswapV3,
        "pancake_v3" => Flavour::PancakeV3,
        "algebra_integral" => Flavour::AlgebraIntegral,
        "uniswap_v4" => Flavour::UniswapV4,
        other => bail!("unknown flavour {other:?}"),
    })
}

fn config(flavour: &str, fee: u32, spacing: Option<i32>) -> anyhow::Result<PoolConfig> {
    let f = flavour_of(flavour)?;
    let c = match (f, spacing) {
        (Flavour::UniswapV3, None) => PoolConfig::uniswap_v3(fee)?,
        (Flavour::PancakeV3, None) => PoolConfig::pancake_v3(fee)?,
        (Flavour::AlgebraIntegral, None) => PoolConfig::algebra_integral(),
        (Flavour::UniswapV4, None) => bail!("uniswap_v4 needs --tick-spacing"),
        (f, Some(s)) => PoolConfig::new(f, fee, s)?,
    };
    Ok(c)
}

fn dec(s: &str) -> anyhow::Result<U256> {
    U256::from_str_radix(s.trim(), 10).with_context(|| format!("bad decimal {s:?}"))
}

/// Runs `hoard pool`.
pub fn run(args: PoolArgs) -> anyhow::Result<()> {
    match args.command {
        PoolCommand::Replay { file, flavour, fee, tick_spacing, divergences } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let events = hoard_clmm::replay::parse_events(&text)?;
            let mut outcome =
                hoard_clmm::replay::replay(config(&flavour, fee, tick_spacing)?, &events)?;
            outcome.report.divergences.truncate(divergences);
            println!("{}", serde_json::to_string_pretty(&outcome)?);
        }
        PoolCommand::Quote {
            flavour,
            fee,
            tick_spacing,
            sqrt_price_x96,
            tick,
            liquidity,
            lower,
            upper,
            zero_for_one,
            amount,
            limit,
        } => {
            let cfg = config(&flavour, fee, tick_spacing)?;
            let spacing = cfg.tick_spacing;
            let mut pool = Pool::new(cfg);
            let price = match sqrt_price_x96 {
                Some(p) => dec(&p)?,
                None => get_sqrt_ratio_at_tick(tick)?,
            };
            pool.initialize(price, 0)?;
            let liquidity: u128 = liquidity.trim().parse().context("bad liquidity")?;
            let lo = lower.unwrap_or((hoard_clmm::math::tick_math::MIN_TICK / spacing) * spacing);
            let hi = upper.unwrap_or((hoard_clmm::math::tick_math::MAX_TICK / spacing) * spacing);
            pool.mint(alloy_primitives::Address::ZERO, lo, hi, liquidity, 0)?;
            let amount = I256::from_dec_str(amount.trim()).context("bad amount")?;
            let limit = match limit {
                Some(l) => dec(&l)?,
                None if zero_for_one => MIN_SQRT_RATIO + U256::ONE,
                None => MAX_SQRT_RATIO - U256::ONE,
            };
            let r = pool.quote(zero_for_one, amount, limit, 0)?;
            let out = serde_json::json!({
                "amount0": r.amount0.to_string(),
                "amount1": r.amount1.to_string(),
                "sqrt_price_x96": r.sqrt_price_x96.to_string(),
                "tick": r.tick,
                "liquidity": r.liquidity.to_string(),
                "fee_pips": r.fee_pips,
                "fee_amount": r.fee_amount.to_string(),
                "ticks_crossed": r.ticks_crossed,
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_by_flavour_name() {
        assert_eq!(config("uniswap_v3", 500, None).unwrap().tick_spacing, 10);
        assert_eq!(config("pancake_v3", 2500, None).unwrap().tick_spacing, 50);
        assert_eq!(config("algebra_integral", 0, None).unwrap().tick_spacing, 60);
        assert_eq!(config("uniswap_v4", 1234, Some(7)).unwrap().fee, 1234);
        assert!(config("uniswap_v4", 1234, None).is_err());
        assert!(config("uniswap_v3", 2500, None).is_err());
        assert!(config("sushiswap", 500, None).is_err());
    }

    #[test]
    fn quote_and_replay_run() {
        let quote = PoolArgs {
            command: PoolCommand::Quote {
                flavour: "uniswap_v3".into(),
                fee: 3000,
                tick_spacing: None,
                sqrt_price_x96: None,
                tick: 0,
                liquidity: "1000000000000000000".into(),
                lower: None,
                upper: None,
                zero_for_one: true,
                amount: "1000000000000000".into(),
                limit: None,
            },
        };
        run(quote).unwrap();
        let dir = std::env::temp_dir().join(format!("hoard-pool-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("events.jsonl");
        std::fs::write(
            &file,
            "{\"type\":\"initialize\",\"time\":1,\"sqrt_price_x96\":\"79228162514264337593543950336\"}\n\
             {\"type\":\"mint\",\"time\":1,\"owner\":\"0x1111111111111111111111111111111111111111\",\"tick_lower\":-600,\"tick_upper\":600,\"amount\":\"1000000000000000000\",\"amount0\":\"0\",\"amount1\":\"0\"}\n",
        )
        .unwrap();
        let replay = PoolArgs {
            command: PoolCommand::Replay {
                file: file.clone(),
                flavour: "uniswap_v3".into(),
                fee: 3000,
                tick_spacing: None,
                divergences: 5,
            },
        };
        run(replay).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
