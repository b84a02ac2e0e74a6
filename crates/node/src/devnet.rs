//! The devnet: a self-contained chain with demo accounts whose keys are derived from public
//! labels (`keccak256("hoard devnet <name>")`). DEVNET ONLY: anyone can recompute these keys.

use alloy_primitives::{Address, keccak256};
use hoard_core::{
    command::address_of_secret,
    facets::derived_address,
    genesis::{
        Allocation, AssetGenesis, DfgGenesis, FaucetGenesis, Genesis, IcyGenesis, MinterGenesis,
        ParamsGenesis, PoolGenesis, PositionGenesis, RoleGenesis, VestingGenesis,
    },
};

const DAY_S: u64 = 86_400;
use secp256k1::SecretKey;

/// Password of the demo keystores that `hoard node --dev` writes (devnet only).
pub const KEYSTORE_PASSWORD: &str = "devnet";

/// Devnet chain id (the usual local-development id).
pub const DEVNET_CHAIN_ID: u64 = 31337;

/// A demo account.
#[derive(Clone, Debug)]
pub struct DemoAccount {
    /// Short name.
    pub name: &'static str,
    /// What it is for.
    pub role: &'static str,
    /// Its secret key (public knowledge: devnet only).
    pub secret: SecretKey,
    /// Its address.
    pub address: Address,
}

/// Demo account names and purposes, in a fixed order.
pub const DEMO: [(&str, &str); 8] = [
    (
        "governance",
        "governance steward (makes the keyless governance module act: hoard tx --as-governance)",
    ),
    ("admin", "ADMIN and GUARDIAN roles"),
    ("treasury", "protocol treasury (excluded from circulating supply)"),
    ("minter", "registered ICY minter (rewards)"),
    ("alice", "user, self-delegated DFG, team vesting"),
    ("bob", "user, self-delegated DFG, contributor vesting"),
    ("carol", "user"),
    ("dave", "user"),
];

/// The demo accounts (derived once).
pub fn accounts() -> &'static [DemoAccount] {
    static ACCOUNTS: std::sync::OnceLock<Vec<DemoAccount>> = std::sync::OnceLock::new();
    ACCOUNTS.get_or_init(|| {
        DEMO.iter()
            .map(|(name, role)| {
                let secret = SecretKey::from_slice(keccak256(format!("hoard devnet {name}").as_bytes()).as_slice())
                    .expect("invariant: keccak output is a valid secp256k1 key with overwhelming probability");
                DemoAccount { name, role, address: address_of_secret(&secret), secret }
            })
            .collect()
    })
}

/// A demo account by name.
pub fn account(name: &str) -> Option<DemoAccount> {
    accounts().iter().find(|a| a.name == name).cloned()
}

/// The devnet diamond address.
pub fn diamond() -> Address {
    derived_address("hoard.devnet.diamond")
}

/// The devnet genesis at `timestamp`: ICY 100M and DFG 10M with the SPEC's default DFG
/// allocation (team 20% and early contributors 15% vested, community treasury 25%, liquidity
/// 10%, partners 10% vested, public 20%).
pub fn genesis(timestamp: u64) -> Genesis {
    let a = |n: &str| account(n).expect("invariant: demo name exists").address;
    let alloc = |who: Address, amount: &str, delegate: Option<Address>| Allocation {
        account: who,
        amount: amount.into(),
        delegate,
    };
    let year = 365 * 86_400;
    let month = year / 12;
    let vest = |who: Address, amount: &str, cliff: u64, duration: u64| VestingGenesis {
        beneficiary: who,
        amount: amount.into(),
        start: timestamp,
        cliff_s: cliff,
        duration_s: duration,
    };
    let liquidity = derived_address("hoard.devnet.liquidity");
    Genesis {
        chain_id: DEVNET_CHAIN_ID,
        timestamp,
        diamond: diamond(),
        steward: a("governance"),
        icy: IcyGenesis {
            allocations: vec![
                alloc(a("treasury"), "59000000", None),
                // The devnet's market maker: it funds the ICY/USDC pool.
                alloc(liquidity, "1000000", None),
                alloc(a("minter"), "10000000", None),
                alloc(a("alice"), "10000000", None),
                alloc(a("bob"), "10000000", None),
                alloc(a("carol"), "5000000", None),
                alloc(a("dave"), "5000000", None),
            ],
            inflation_bps: 300,
            transfer_burn_bps: 0,
            minters: vec![MinterGenesis { account: a("minter"), allowance: "3000000".into() }],
            excluded: vec![a("treasury"), a("minter")],
        },
        dfg: DfgGenesis {
            allocations: vec![
                alloc(a("treasury"), "2500000", None),
                alloc(liquidity, "1000000", None),
                alloc(a("alice"), "500000", Some(a("alice"))),
                alloc(a("bob"), "500000", Some(a("bob"))),
                alloc(a("carol"), "500000", Some(a("carol"))),
                alloc(a("dave"), "500000", None),
            ],
            vesting: vec![
                vest(a("alice"), "2000000", 12 * month, 48 * month),
                vest(a("bob"), "1500000", 6 * month, 24 * month),
                vest(a("carol"), "1000000", 6 * month, 24 * month),
            ],
        },
        roles: vec![
            RoleGenesis { role: "ADMIN".into(), account: a("admin") },
            RoleGenesis { role: "GUARDIAN".into(), account: a("admin") },
            RoleGenesis { role: "MINTER".into(), account: a("minter") },
        ],
        assets: devnet_assets(&a),
        pools: devnet_pools(a("treasury"), liquidity),
        params: ParamsGenesis::default(),
    }
}

/// The devnet's pools, so that buybacks, vaults and users have real DEXs: ICY/USDC (Uniswap V3,
/// 0.3%) at 1.5 USDC per ICY, and WBTC/USDC in the four flavours at 60,000 USDC per WBTC, each
/// with a position of about 1,000,000 USDC on the USDC side within ±20% of the price: the
/// devnet's market maker's in ICY/USDC, the treasury's in the others.
fn devnet_pools(treasury: Address, market_maker: Address) -> Vec<PoolGenesis> {
    let asset_address = |symbol: &str| match symbol {
        "ICY" => hoard_core::facets::Addresses::new(diamond()).icy,
        "DFG" => hoard_core::facets::Addresses::new(diamond()).dfg,
        other => hoard_core::facets::token::asset_address(other),
    };
    // Prices in base units of token1 per base unit of token0 (tokens ordered by address),
    // turned into ticks; floats are fine here, outside the engine: the result is an integer
    // tick, and the engine's exact math takes over from it.
    let pool = |owner: Address,
                a: &str,
                b: &str,
                decimals: (i32, i32),
                usdc_per_a: f64,
                flavour: &str,
                fee: u32,
                spacing: i32| {
        let (da, db) = decimals;
        // Price of `a` in `b` base units: usdc_per_a * 10^db / 10^da (b is USDC).
        let mut price = usdc_per_a * 10f64.powi(db - da);
        let a_first = asset_address(a) < asset_address(b);
        if !a_first {
            price = 1.0 / price;
        }
        let tick_of = |p: f64| (p.ln() / 1.0001f64.ln()).round() as i32;
        let align = |t: i32| t.div_euclid(spacing) * spacing;
        let tick = tick_of(price);
        let (lower, upper) = (align(tick_of(price * 0.8)), align(tick_of(price * 1.2)) + spacing);
        // Liquidity for about 1,000,000 USDC (base units 10^12) on the USDC side.
        let sqrt = |t: i32| 1.0001f64.powf(f64::from(t) / 2.0);
        let usdc = 1e12;
        let liquidity = if a_first {
            // USDC is token1: amount1 = L (sqrt(p) - sqrt(p_lower)).
            usdc / (sqrt(tick) - sqrt(lower))
        } else {
            // USDC is token0: amount0 = L (1/sqrt(p) - 1/sqrt(p_upper)).
            usdc / (1.0 / sqrt(tick) - 1.0 / sqrt(upper))
        };
        PoolGenesis {
            asset_a: a.into(),
            asset_b: b.into(),
            flavour: flavour.into(),
            fee,
            tick_spacing: spacing,
            tick,
            positions: vec![PositionGenesis {
                owner,
                tick_lower: lower,
                tick_upper: upper,
                liquidity: format!("{}", liquidity.floor() as u128),
            }],
        }
    };
    vec![
        pool(market_maker, "ICY", "USDC", (18, 6), 1.5, "uniswap_v3", 3000, 60),
        pool(treasury, "WBTC", "USDC", (8, 6), 60_000.0, "uniswap_v3", 3000, 60),
        pool(treasury, "WBTC", "USDC", (8, 6), 60_000.0, "pancake_v3", 2500, 50),
        pool(treasury, "WBTC", "USDC", (8, 6), 60_000.0, "algebra_integral", 0, 60),
        pool(treasury, "WBTC", "USDC", (8, 6), 60_000.0, "uniswap_v4", 3000, 60),
    ]
}

/// The devnet's bridged assets (USDC 6 decimals, WBTC 8, WETH 18), held by the demo accounts,
/// each with a faucet any account may draw from once a day (`hoard tx drip --token usdc`).
fn devnet_assets(a: &dyn Fn(&str) -> Address) -> Vec<AssetGenesis> {
    let asset = |symbol: &str, decimals: u8, each: &str, treasury: &str, drip: &str| AssetGenesis {
        symbol: symbol.into(),
        decimals,
        allocations: ["alice", "bob", "carol", "dave"]
            .iter()
            .map(|n| Allocation { account: a(n), amount: each.into(), delegate: None })
            .chain(std::iter::once(Allocation {
                account: a("treasury"),
                amount: treasury.into(),
                delegate: None,
            }))
            .chain((symbol == "USDC").then(|| Allocation {
                account: derived_address("hoard.devnet.liquidity"),
                amount: "2000000".into(),
                delegate: None,
            }))
            .collect(),
        faucet: Some(FaucetGenesis { amount: drip.into(), interval_s: DAY_S }),
    };
    vec![
        asset("USDC", 6, "1000000", "50000000", "10000"),
        asset("WBTC", 8, "20", "500", "0.1"),
        asset("WETH", 18, "500", "10000", "1"),
    ]
}
