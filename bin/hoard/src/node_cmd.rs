//! `hoard node`, `hoard verify`, `hoard reindex`: run, check and rebuild a chain.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use anyhow::{Context, bail};
use hoard_core::genesis::Genesis;
use hoard_node::{Node, NodeConfig, devnet};

/// Where a chain lives.
#[derive(clap::Args, Clone, Debug)]
pub struct ChainArgs {
    /// Devnet: demo accounts and keys, data in .hoard-dev unless --data-dir says otherwise.
    #[arg(long)]
    pub dev: bool,
    /// Data directory (genesis.json, hoard.sqlite, keys/).
    #[arg(long, env = "HOARD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database: a SQLite file path, or postgres://user@host:port/db. Default: <data-dir>/hoard.sqlite.
    #[arg(long, env = "HOARD_DATABASE")]
    pub database: Option<String>,
    /// Genesis file (JSON). Default: <data-dir>/genesis.json; with --dev it is created on first start.
    #[arg(long)]
    pub genesis: Option<PathBuf>,
}

/// A resolved chain location.
pub struct Chain {
    pub data_dir: PathBuf,
    pub database: String,
    pub genesis: Genesis,
}

impl ChainArgs {
    /// Resolves paths and loads (or, for a new devnet, creates) the genesis.
    pub fn resolve(&self) -> anyhow::Result<Chain> {
        let data_dir = match (&self.data_dir, self.dev) {
            (Some(d), _) => d.clone(),
            (None, true) => PathBuf::from(".hoard-dev"),
            (None, false) => bail!("give --data-dir (or --dev for a local devnet)"),
        };
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("cannot create {}", data_dir.display()))?;
        let genesis_path = self.genesis.clone().unwrap_or_else(|| data_dir.join("genesis.json"));
        if !genesis_path.exists() {
            if !self.dev {
                bail!(
                    "no genesis file at {} (give --genesis, or --dev for a devnet)",
                    genesis_path.display()
                );
            }
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
            let g = devnet::genesis(now);
            std::fs::write(&genesis_path, serde_json::to_string_pretty(&g)?)
                .with_context(|| format!("cannot write {}", genesis_path.display()))?;
        }
        let text = std::fs::read_to_string(&genesis_path)
            .with_context(|| format!("cannot read {}", genesis_path.display()))?;
        let genesis =
            Genesis::from_json(&text).with_context(|| format!("in {}", genesis_path.display()))?;
        let database = self
            .database
            .clone()
            .unwrap_or_else(|| data_dir.join("hoard.sqlite").to_string_lossy().into_owned());
        Ok(Chain { data_dir, database, genesis })
    }
}

/// `hoard node`.
#[derive(clap::Args, Debug)]
pub struct NodeArgs {
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Address for the API and dashboard.
    #[arg(long, default_value = "127.0.0.1:8645", env = "HOARD_LISTEN")]
    pub listen: SocketAddr,
    /// Accept a detected loss of acknowledged blocks (the storage lost a durable tail) and go on
    /// from the log's head. Only after deciding not to restore a backup.
    #[arg(long)]
    pub accept_lost_blocks: bool,
}

fn write_demo_keys(dir: &Path) -> anyhow::Result<()> {
    let keys = hoard_keystore::KeyDir::open(dir)?;
    let existing = keys.list()?;
    for a in devnet::accounts() {
        if existing.iter().any(|e| e.address == a.address.0.0) {
            continue;
        }
        keys.import_secret(
            &a.secret.secret_bytes(),
            devnet::KEYSTORE_PASSWORD,
            hoard_keystore::KdfParams::SCRYPT_LIGHT,
            std::time::SystemTime::now(),
        )?;
    }
    Ok(())
}

/// Runs the node until Ctrl-C.
pub fn run(args: NodeArgs) -> anyhow::Result<()> {
    let chain = args.chain.resolve()?;
    let store = hoard_store::open(&chain.database)
        .with_context(|| format!("cannot open the database {}", redact(&chain.database)))?;
    let started = std::time::Instant::now();
    let config =
        NodeConfig { accept_lost_blocks: args.accept_lost_blocks, ..NodeConfig::default() };
    let node = match Node::open(store, &chain.genesis, config) {
        Err(e) if args.chain.dev && e.code() == "node.wrong_chain" => bail!(
            "[{}] {e}. This devnet directory ({}) was made by another build of Hoard, whose \
             genesis state differs: delete it to start a fresh devnet, or give --data-dir \
             another directory",
            e.code(),
            chain.data_dir.display()
        ),
        r => r?,
    };
    let handle = node.handle();
    let head = handle.committed().head;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(args.listen))
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    println!(
        "Hoard node, chain {} ({}), head block {} (opened in {} ms)",
        chain.genesis.chain_id,
        if args.chain.dev { "devnet" } else { "network" },
        head.height,
        started.elapsed().as_millis()
    );
    println!("  dashboard  http://{addr}/");
    println!("  API        http://{addr}/v1   (OpenAPI: http://{addr}/v1/openapi.json)");
    println!("  database   {}", redact(&chain.database));
    if args.chain.dev {
        let keys = chain.data_dir.join("keys");
        write_demo_keys(&keys)?;
        println!();
        println!(
            "  DEVNET ONLY: the demo keys below are public knowledge; never use them elsewhere."
        );
        println!(
            "  Keystores in {} (password \"{}\"), or sign with --dev-key NAME:",
            keys.display(),
            devnet::KEYSTORE_PASSWORD
        );
        for a in devnet::accounts() {
            println!("    {:<11} {}  {}", a.name, a.address, a.role);
        }
        println!();
        println!(
            "  Try: hoard tx transfer --dev-key alice --token icy --to {} --amount 10",
            devnet::account("bob").map(|b| b.address.to_string()).unwrap_or_default()
        );
    }
    println!("Press Ctrl-C to stop (SIGTERM also stops gracefully).");
    let state = hoard_api::AppState::new(handle);
    runtime.block_on(hoard_api::serve(listener, state, shutdown_signal()))?;
    println!("stopping: finishing the current block and writing a snapshot");
    node.shutdown();
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM (what service managers send), so both stop gracefully.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Hides the password of a database URL.
pub fn redact(db: &str) -> String {
    match (db.find("://"), db.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &db[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &db[..s + 3], user, &db[at..]),
                None => db.to_string(),
            }
        }
        _ => db.to_string(),
    }
}

/// `hoard verify`.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub chain: ChainArgs,
}

/// Replays the whole log, re-verifying signatures and roots, and checks the database's
/// structure and projections. Prints the report as JSON; fails (exit status 1) when anything is
/// wrong, naming the first bad block.
pub fn verify(args: VerifyArgs) -> anyhow::Result<()> {
    let chain = args.chain.resolve()?;
    let store = hoard_store::open(&chain.database)?;
    let bar = progress_bar("verifying");
    let report = hoard_node::verify(store.as_ref(), &chain.genesis, |h, head| {
        bar.set_length(head);
        bar.set_position(h);
    })?;
    bar.finish_and_clear();
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({ "ok": report.ok, "report": report }))?
    );
    if !report.ok {
        let first = report.problems.iter().find(|p| p.height == report.first_bad_block);
        match (report.first_bad_block, first) {
            (Some(h), Some(p)) => {
                bail!("verify found problems; the first bad block is {h}: {}", p.what)
            }
            _ => bail!(
                "verify found problems: {}",
                report.problems.first().map(|p| p.what.as_str()).unwrap_or("")
            ),
        }
    }
    Ok(())
}

/// `hoard reindex`.
#[derive(clap::Args, Debug)]
pub struct ReindexArgs {
    #[command(flatten)]
    pub chain: ChainArgs,
}

/// Rebuilds the query tables from the log; refuses while a node writes the database. SQLite:
/// the whole database is rebuilt from its log into a new file that replaces it (damaged
/// projection pages cannot be cleared in place), the old file kept beside it. PostgreSQL: the
/// projections are cleared and rewritten in place.
pub fn reindex(args: ReindexArgs) -> anyhow::Result<()> {
    let chain = args.chain.resolve()?;
    let bar = progress_bar("reindexing");
    let show = |h, head| {
        bar.set_length(head);
        bar.set_position(h);
    };
    match hoard_store::Location::parse(&chain.database)? {
        hoard_store::Location::Postgres(url) => {
            let store = hoard_store::open(&url)?;
            let n = hoard_node::reindex(store.as_ref(), &chain.genesis, show)?;
            bar.finish_and_clear();
            println!("{}", serde_json::json!({ "ok": true, "blocks": n }));
        }
        hoard_store::Location::Sqlite(db) => {
            let Some(lock) = hoard_store::sqlite::SequencerLock::try_acquire(&db)? else {
                return Err(hoard_node::NodeError::Locked { backend: "sqlite" }.into());
            };
            let suffixed = |suffix: &str| {
                let mut p = db.as_os_str().to_owned();
                p.push(suffix);
                PathBuf::from(p)
            };
            let fresh = suffixed(".rebuild");
            for leftover in [
                fresh.clone(),
                suffixed(".rebuild-wal"),
                suffixed(".rebuild-shm"),
                hoard_store::witness_path(&fresh),
            ] {
                if leftover.exists() {
                    std::fs::remove_file(&leftover)
                        .with_context(|| format!("cannot remove {}", leftover.display()))?;
                }
            }
            let old = hoard_store::SqliteStore::open(&db)?;
            let new = hoard_store::SqliteStore::open(&fresh)?;
            let n = hoard_node::rebuild(&old, &new, &chain.genesis, show)?;
            new.close()?;
            drop(old);
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
            let kept = suffixed(&format!(".pre-reindex-{now}"));
            hoard_store::sqlite::replace_database(&db, &fresh, &kept)?;
            drop(lock);
            bar.finish_and_clear();
            println!(
                "{}",
                serde_json::json!({ "ok": true, "blocks": n, "previous_database": kept })
            );
            eprintln!(
                "the database was rebuilt from its log; the previous file is kept at {} (delete it \
                 once the node runs well)",
                kept.display()
            );
        }
    }
    Ok(())
}

/// A progress bar on stderr (hidden when stderr is not a terminal).
pub fn progress_bar(what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} blocks ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_string());
    bar
}
