//! `hoard bench`: the performance targets of the foundation, measured.
//!
//! - `engine`: ICY transfers applied per second (signatures already checked), and with block
//!   sealing (state root, transaction and receipt roots);
//! - `signatures`: EIP-712 signature recoveries per second, one core and all cores;
//! - `e2e`: signed transfers per second through the HTTP API with durable commit (SQLite by
//!   default, PostgreSQL with --database), with p50/p99 acknowledgement latency;
//! - `startup`: node start-up time with N committed transactions;
//! - `pool`: concentrated-liquidity swap steps, full swaps with tick crossings, and replayed
//!   mainnet events per second (crates/clmm).

use std::time::{Duration, Instant};

use alloy_primitives::{Address, U256, hex};
use anyhow::Context;
use hoard_core::{
    Env, block,
    command::{Command, SignedCommand, Transfer, Tx},
};
use hoard_node::{Node, NodeConfig, TxOutcome, devnet};
use serde_json::json;

/// `hoard bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: Bench,
}

#[derive(clap::Subcommand, Debug)]
enum Bench {
    /// Engine apply rate of ICY transfers.
    Engine {
        #[arg(long, default_value_t = 1_000_000)]
        transfers: usize,
    },
    /// Signature verification rate.
    Signatures {
        #[arg(long, default_value_t = 20_000)]
        count: usize,
    },
    /// Signed transfers through HTTP with durable commit.
    E2e {
        /// Database (default: a temporary SQLite file).
        #[arg(long)]
        database: Option<String>,
        #[arg(long, default_value_t = 60_000)]
        transfers: usize,
        /// Commands per batch request.
        #[arg(long, default_value_t = 500)]
        batch: usize,
        /// Concurrent clients (each signs as its own demo account).
        #[arg(long, default_value_t = 4)]
        clients: usize,
    },
    /// Pools: swap steps, full swaps and replayed events per second (one core).
    Pool {
        /// Events file to replay (CSV or JSON Lines), USDC/WETH 0.05% layout by default.
        #[arg(long)]
        events: Option<std::path::PathBuf>,
        #[arg(long, default_value_t = 2_000_000)]
        steps: u64,
        #[arg(long, default_value_t = 200_000)]
        swaps: u64,
        #[arg(long, default_value_t = 100)]
        replays: u32,
    },
    /// The state commitment: building it over N entries, updating it for 1,000 changed
    /// entries, and the size of a proof; the devnet genesis built and cloned without it.
    Commitment {
        #[arg(long, default_value_t = 10_000_000)]
        entries: usize,
    },
    /// Node start-up time over a log of N committed transactions.
    Startup {
        #[arg(long)]
        database: Option<String>,
        #[arg(long, default_value_t = 1_000_000)]
        transfers: usize,
    },
}

/// Runs `hoard bench`.
pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    let report = match args.what {
        Bench::Engine { transfers } => engine(transfers)?,
        Bench::Signatures { count } => signatures(count)?,
        Bench::E2e { database, transfers, batch, clients } => {
            e2e(database, transfers, batch, clients)?
        }
        Bench::Startup { database, transfers } => startup(database, transfers)?,
        Bench::Commitment { entries } => commitment(entries)?,
        Bench::Pool { events, steps, swaps, replays } => pool(events, steps, swaps, replays)?,
    };
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

const T0: u64 = 1_767_225_600;

fn commitment(n: usize) -> anyhow::Result<serde_json::Value> {
    use hoard_core::{
        commitment::{Commitment, balance_key, verify_entry_proof},
        state::{Change, ChangeSet},
    };
    let token = Address::repeat_byte(0xaa);
    let holder = |i: usize| {
        let mut a = [0u8; 20];
        a[12..].copy_from_slice(&(i as u64).to_be_bytes());
        Address::from(a)
    };
    let value = |i: usize| U256::from(i as u64 + 1).to_be_bytes::<32>().to_vec();
    let entries: Vec<(Vec<u8>, Vec<u8>)> =
        (0..n).map(|i| (balance_key(&token, &holder(i)), value(i))).collect();
    let t = Instant::now();
    let mut c = Commitment::from_entries(entries.iter().map(|(k, v)| (k.as_slice(), v.as_slice())));
    let build = t.elapsed();
    drop(entries);
    // 1,000 changed entries: 900 balances changed, 100 new holders, spread over the state.
    let step = (n / 900).max(1);
    let mut changes: Vec<Change> =
        (0..900)
            .map(|j| Change {
                key: balance_key(&token, &holder((j * step) % n)),
                value: Some(value(j + 7)),
            })
            .chain((0..100).map(|j| Change {
                key: balance_key(&token, &holder(n + j)),
                value: Some(value(j)),
            }))
            .collect();
    changes.sort_by(|a, b| a.key.cmp(&b.key));
    let set = ChangeSet { entries: changes };
    let t = Instant::now();
    let root = c.update(&set);
    let update = t.elapsed();
    let key = balance_key(&token, &holder(n / 2));
    let proof = c.prove_key(&key);
    anyhow::ensure!(verify_entry_proof(&root, &key, &value(n / 2), &proof), "the proof verifies");
    let proof_bytes = 32 * proof.siblings.len() + 64;
    // The devnet genesis without the commitment (simulation mode).
    let genesis = devnet::genesis(T0);
    let t = Instant::now();
    let engine = genesis.build_uncommitted()?;
    let genesis_build = t.elapsed();
    let t = Instant::now();
    let copy = engine.clone();
    let clone = t.elapsed();
    anyhow::ensure!(copy.state_root().is_zero(), "no commitment");
    Ok(json!({
        "bench": "commitment",
        "entries": n,
        "build_s": build.as_secs_f64(),
        "update_1000_changes_ms": update.as_secs_f64() * 1e3,
        "proof_siblings": proof.siblings.len(),
        "proof_bytes": proof_bytes,
        "uncommitted_devnet_genesis_build_ms": genesis_build.as_secs_f64() * 1e3,
        "uncommitted_engine_clone_ms": clone.as_secs_f64() * 1e3,
    }))
}

fn transfer(icy: Address, to: Address, nonce: u64) -> Command {
    Command::Transfer(Transfer {
        token: icy,
        to,
        amount: U256::from(1_000u64),
        nonce,
        deadline: u64::MAX,
    })
}

fn recipient(i: usize) -> Address {
    let mut b = [0u8; 20];
    b[0] = 0xee;
    b[12..20].copy_from_slice(&((i % 10_000) as u64).to_be_bytes());
    Address::from(b)
}

fn rate(n: usize, d: Duration) -> u64 {
    (n as u128 * 1_000_000 / d.as_micros().max(1)) as u64
}

fn engine(n: usize) -> anyhow::Result<serde_json::Value> {
    let genesis = devnet::genesis(T0);
    let mut engine = genesis.build()?;
    let alice = devnet::account("alice").context("alice")?.address;
    let icy = engine.addresses().icy;
    let txs: Vec<Tx> =
        (0..n).map(|i| Tx::new(alice, transfer(icy, recipient(i), i as u64), [0u8; 65])).collect();
    let (mut apply, mut seal) = (Duration::ZERO, Duration::ZERO);
    let mut parent = alloy_primitives::B256::ZERO;
    for (b, chunk) in txs.chunks(hoard_node::BLOCK_TXS_MAX).enumerate() {
        let env = Env { chain_id: genesis.chain_id, height: b as u64 + 1, time_s: T0 + b as u64 };
        engine.begin_block(&env).map_err(|e| anyhow::anyhow!("{e}"))?;
        let t = Instant::now();
        let mut receipts = Vec::with_capacity(chunk.len());
        for tx in chunk {
            let r = engine.execute(&env, tx).map_err(|e| anyhow::anyhow!("{e}"))?;
            receipts.push(r);
        }
        apply += t.elapsed();
        let t = Instant::now();
        let sealed = block::seal(&mut engine, parent, &env, chunk.to_vec(), receipts);
        seal += t.elapsed();
        parent = sealed.hash;
    }
    anyhow::ensure!(engine.nonce(&alice) == n as u64, "every transfer applied");
    Ok(json!({
        "bench": "engine",
        "transfers": n,
        "apply_per_s": rate(n, apply),
        "apply_and_seal_per_s": rate(n, apply + seal),
        "apply_s": apply.as_secs_f64(),
        "seal_s": seal.as_secs_f64(),
    }))
}

fn signatures(n: usize) -> anyhow::Result<serde_json::Value> {
    let genesis = devnet::genesis(T0);
    let engine = genesis.build()?;
    let key = devnet::account("alice").context("alice")?.secret;
    let domain = engine.domain().clone();
    let icy = engine.addresses().icy;
    let signed: Vec<SignedCommand> = (0..n)
        .map(|i| SignedCommand::sign(transfer(icy, recipient(i), i as u64), &domain, &key))
        .collect();
    let t = Instant::now();
    for s in &signed {
        s.clone().verify(&domain).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let one = t.elapsed();
    let cores = std::thread::available_parallelism().map(|c| c.get()).unwrap_or(1);
    let t = Instant::now();
    std::thread::scope(|scope| {
        for part in signed.chunks(n.div_ceil(cores)) {
            let domain = &domain;
            scope.spawn(move || part.iter().all(|s| s.clone().verify(domain).is_ok()));
        }
    });
    let all = t.elapsed();
    Ok(
        json!({ "bench": "signatures", "count": n, "verify_per_s_one_core": rate(n, one), "cores": cores, "verify_per_s_all_cores": rate(n, all) }),
    )
}

fn open_node(
    database: Option<String>,
) -> anyhow::Result<(Node, hoard_core::genesis::Genesis, Option<tempfile::TempDir>)> {
    let (db, dir) = match database {
        Some(d) => (d, None),
        None => {
            let dir = tempfile::tempdir()?;
            (dir.path().join("bench.sqlite").to_string_lossy().into_owned(), Some(dir))
        }
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let genesis = devnet::genesis(now);
    let store = hoard_store::open(&db)?;
    let node = Node::open(store, &genesis, NodeConfig::default())?;
    Ok((node, genesis, dir))
}

fn e2e(
    database: Option<String>,
    n: usize,
    batch: usize,
    clients: usize,
) -> anyhow::Result<serde_json::Value> {
    let backend = if database.as_deref().is_some_and(|d| d.starts_with("postgres")) {
        "postgresql"
    } else {
        "sqlite"
    };
    let (node, _genesis, _dir) = open_node(database)?;
    let handle = node.handle();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let state = hoard_api::AppState::new(handle.clone());
    runtime.spawn(hoard_api::serve(listener, state, async move {
        let _ = stop_rx.await;
    }));
    // Senders with ICY: each client signs as its own account, so nonces never collide.
    let names = ["alice", "bob", "carol", "dave", "treasury", "minter"];
    let clients = clients.clamp(1, names.len());
    let (domain, icy) = {
        let c = handle.committed();
        (c.engine.domain().clone(), c.engine.addresses().icy)
    };
    let per_client = n / clients;
    eprintln!("signing {} transfers...", per_client * clients);
    let bodies: Vec<Vec<String>> = names[..clients]
        .iter()
        .map(|name| {
            let key = devnet::account(name).map(|a| a.secret).context("demo")?;
            let cmds: Vec<serde_json::Value> = (0..per_client)
                .map(|i| {
                    let cmd = transfer(icy, recipient(i), i as u64);
                    let s = SignedCommand::sign(cmd.clone(), &domain, &key);
                    json!({ "type": "Transfer", "message": cmd.to_json(), "signature": hex::encode_prefixed(s.signature) })
                })
                .collect();
            Ok(cmds.chunks(batch).map(|c| json!({ "commands": c }).to_string()).collect())
        })
        .collect::<anyhow::Result<_>>()?;
    eprintln!("sending...");
    let started = Instant::now();
    let latencies: Vec<Vec<Duration>> = std::thread::scope(|scope| {
        let joins: Vec<_> = bodies
            .iter()
            .map(|batches| {
                scope.spawn(move || -> anyhow::Result<Vec<Duration>> {
                    let client = crate::http::Client::new(&format!("http://{addr}"))?;
                    let mut lat = Vec::with_capacity(batches.len());
                    for body in batches {
                        let t = Instant::now();
                        let v: serde_json::Value = serde_json::from_str(body)?;
                        let (status, answer) = client.post("/v1/txs", &v)?;
                        anyhow::ensure!(status == 200, "batch refused: {answer}");
                        let n = v["commands"].as_array().map_or(0, Vec::len) as u64;
                        anyhow::ensure!(
                            answer["committed"].as_u64() == Some(n),
                            "not all committed: {answer}"
                        );
                        lat.push(t.elapsed());
                    }
                    Ok(lat)
                })
            })
            .collect();
        joins
            .into_iter()
            .map(|j| j.join().map_err(|_| anyhow::anyhow!("client panicked"))?)
            .collect::<anyhow::Result<Vec<_>>>()
    })?;
    let elapsed = started.elapsed();
    let mut all: Vec<Duration> = latencies.into_iter().flatten().collect();
    all.sort();
    let pct = |p: usize| {
        all.get((all.len() * p / 100).min(all.len().saturating_sub(1))).map_or(0, |d| d.as_millis())
    };
    let total = per_client * clients;
    let _ = stop_tx.send(());
    drop(runtime);
    node.shutdown();
    Ok(json!({
        "bench": "e2e", "backend": backend, "transfers": total, "batch": batch, "clients": clients,
        "transfers_per_s": rate(total, elapsed),
        "ack_latency_ms_p50": pct(50), "ack_latency_ms_p99": pct(99),
        "elapsed_s": elapsed.as_secs_f64(),
    }))
}

fn startup(database: Option<String>, n: usize) -> anyhow::Result<serde_json::Value> {
    let (db, _dir) = match database {
        Some(d) => (d, None),
        None => {
            let dir = tempfile::tempdir()?;
            (dir.path().join("startup.sqlite").to_string_lossy().into_owned(), Some(dir))
        }
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let genesis = devnet::genesis(now);
    {
        // Fill the log through the sequencer (signatures are not re-checked at start-up, so the
        // filler skips signing; `hoard verify` would reject this throwaway log).
        let node = Node::open(hoard_store::open(&db)?, &genesis, NodeConfig::default())?;
        let h = node.handle();
        let alice = devnet::account("alice").context("alice")?.address;
        let icy = h.committed().engine.addresses().icy;
        eprintln!("committing {n} transfers...");
        let mut nonce = 0u64;
        let mut pending = std::collections::VecDeque::new();
        while (nonce as usize) < n {
            let k = (n - nonce as usize).min(hoard_node::BLOCK_TXS_MAX);
            let txs: Vec<Tx> = (0..k)
                .map(|i| Tx::new(alice, transfer(icy, recipient(i), nonce + i as u64), [0u8; 65]))
                .collect();
            nonce += k as u64;
            loop {
                match h.submit(txs.clone()) {
                    Ok(rx) => {
                        pending.push_back(rx);
                        break;
                    }
                    Err(hoard_node::NodeError::Overloaded) => {
                        if let Some(rx) = pending.pop_front() {
                            let _ = rx.blocking_recv();
                        }
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            while pending.len() > 8 {
                if let Some(rx) = pending.pop_front() {
                    let out = rx.blocking_recv()?;
                    anyhow::ensure!(
                        out.iter().all(|o| matches!(o, TxOutcome::Included { .. })),
                        "filler transfers must commit"
                    );
                }
            }
        }
        for rx in pending {
            rx.blocking_recv()?;
        }
        // Kill-like stop: drop without the shutdown snapshot would be unfair to a real node,
        // which snapshots periodically; we keep the periodic snapshots and skip the final one.
        std::mem::forget(node);
    }
    let t = Instant::now();
    let node = Node::open(hoard_store::open(&db)?, &genesis, NodeConfig::default())?;
    let open = t.elapsed();
    let head = node.handle().committed().head.height;
    let nonce =
        node.handle().committed().engine.nonce(&devnet::account("alice").context("alice")?.address);
    anyhow::ensure!(nonce == n as u64, "state recovered ({nonce} of {n})");
    Ok(
        json!({ "bench": "startup", "committed_transactions": n, "head_height": head, "startup_s": open.as_secs_f64() }),
    )
}

fn pool(
    events: Option<std::path::PathBuf>,
    steps: u64,
    swaps: u64,
    replays: u32,
) -> anyhow::Result<serde_json::Value> {
    use hoard_clmm::bench;
    let t = Instant::now();
    let checksum = bench::swap_steps(steps);
    let steps_time = t.elapsed();
    let mut pool = bench::crossing_pool(200);
    let t = Instant::now();
    let crossed = bench::full_swaps(&mut pool, swaps);
    let swaps_time = t.elapsed();
    let mut report = json!({
        "bench": "pool",
        "swap_steps_per_s": rate(steps as usize, steps_time),
        "full_swaps_per_s": rate(swaps as usize, swaps_time),
        "ticks_crossed_per_swap": crossed as f64 / swaps.max(1) as f64,
        "checksum": checksum.to_string(),
    });
    let path = events.unwrap_or_else(|| {
        std::path::PathBuf::from(
            "../shared/data/uniswap-v3/ethereum-usdc-weth-500-2024-01-05.events.csv",
        )
    });
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let events = hoard_clmm::replay::parse_events(&text)?;
            let config = hoard_clmm::flavour::PoolConfig::uniswap_v3(500)?;
            let t = Instant::now();
            let mut exact = 0;
            for _ in 0..replays {
                exact = bench::replay(config, &events);
            }
            let total = events.len() * replays as usize;
            report["replayed_events_per_s"] = json!(rate(total, t.elapsed()));
            report["replay_events"] = json!(events.len());
            report["replay_swaps_exact"] = json!(exact);
        }
        Err(_) => {
            report["replay"] =
                json!(format!("skipped: {} not found (give --events FILE)", path.display()))
        }
    }
    Ok(report)
}
