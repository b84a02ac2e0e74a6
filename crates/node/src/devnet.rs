//! The devnet: a self-contained chain with demo accounts whose keys are derived from public
//! labels (`keccak256("hoard devnet <name>")`). DEVNET ONLY: anyone can recompute these keys.

use alloy_primitives::{Address, keccak256};
use hoard_core::{
    command::address_of_secret,
    facets::derived_address,
    genesis::{
        Allocation, AssetGenesis, DfgGenesis, FaucetGenesis, Genesis, IcyGenesis, MinterGenesis,
        ParamsGenesis, RoleGenesis, VestingGenesis,
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
                alloc(a("treasury"), "60000000", None),
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
        params: ParamsGenesis::default(),
    }
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
            .collect(),
        faucet: Some(FaucetGenesis { amount: drip.into(), interval_s: DAY_S }),
    };
    vec![
        asset("USDC", 6, "1000000", "50000000", "10000"),
        asset("WBTC", 8, "20", "500", "0.1"),
        asset("WETH", 18, "500", "10000", "1"),
    ]
}
