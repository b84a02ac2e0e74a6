//! `hoard keys`: Ethereum keystore v3 files (geth, MetaMask exports, eth-account).

use std::path::PathBuf;

use anyhow::Context;
use hoard_keystore::{KdfParams, KeyDir, address_hex};

/// Where keys live and how to unlock them.
#[derive(clap::Args, Clone, Debug)]
pub struct KeyDirArgs {
    /// Keystore directory. Default: ~/.hoard/keys.
    #[arg(long, env = "HOARD_KEYS_DIR")]
    pub keys_dir: Option<PathBuf>,
    /// File holding the password (first line). Otherwise $HOARD_PASSWORD, otherwise a prompt.
    #[arg(long)]
    pub password_file: Option<PathBuf>,
}

impl KeyDirArgs {
    /// Opens the directory.
    pub fn open(&self) -> anyhow::Result<KeyDir> {
        let dir = match &self.keys_dir {
            Some(d) => d.clone(),
            None => PathBuf::from(std::env::var("HOME").context("set --keys-dir or HOME")?)
                .join(".hoard")
                .join("keys"),
        };
        Ok(KeyDir::open(dir)?)
    }

    /// The password.
    pub fn password(&self) -> anyhow::Result<String> {
        if let Some(f) = &self.password_file {
            let text = std::fs::read_to_string(f)
                .with_context(|| format!("cannot read {}", f.display()))?;
            return Ok(text.lines().next().unwrap_or("").to_string());
        }
        if let Ok(p) = std::env::var("HOARD_PASSWORD") {
            return Ok(p);
        }
        eprint!("password: ");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

/// `hoard keys`.
#[derive(clap::Args, Debug)]
pub struct KeysArgs {
    #[command(flatten)]
    dir: KeyDirArgs,
    #[command(subcommand)]
    cmd: KeysCommand,
}

#[derive(clap::Subcommand, Debug)]
enum KeysCommand {
    /// Create a new random key.
    New {
        /// Light scrypt parameters (fast, weaker; for tests and devnets).
        #[arg(long)]
        light: bool,
    },
    /// Import a key: a hex private key, or an existing keystore file.
    Import {
        /// Hex private key (32 bytes).
        #[arg(long, conflicts_with = "file")]
        hex: Option<String>,
        /// A keystore v3 file (copied after checking the password).
        #[arg(long)]
        file: Option<PathBuf>,
        /// Light scrypt parameters.
        #[arg(long)]
        light: bool,
    },
    /// List the keys and their addresses.
    List,
}

/// Runs `hoard keys`.
pub fn run(args: KeysArgs) -> anyhow::Result<()> {
    let dir = args.dir.open()?;
    let kdf =
        |light: bool| if light { KdfParams::SCRYPT_LIGHT } else { KdfParams::SCRYPT_STANDARD };
    let now = std::time::SystemTime::now();
    match args.cmd {
        KeysCommand::New { light } => {
            let pw = args.dir.password()?;
            let e = dir.new_key(&pw, kdf(light), now)?;
            println!(
                "{}",
                serde_json::json!({ "address": address_hex(&e.address), "file": e.path })
            );
        }
        KeysCommand::Import { hex, file, light } => {
            let pw = args.dir.password()?;
            let e = match (hex, file) {
                (Some(h), _) => dir.import_hex(&h, &pw, kdf(light), now)?,
                (None, Some(f)) => {
                    let ks = hoard_keystore::read_key_file(&f)?;
                    let secret = hoard_keystore::decrypt(&ks, &pw)?;
                    dir.import_secret(&secret, &pw, kdf(light), now)?
                }
                (None, None) => anyhow::bail!("give --hex or --file"),
            };
            println!(
                "{}",
                serde_json::json!({ "address": address_hex(&e.address), "file": e.path })
            );
        }
        KeysCommand::List => {
            let list: Vec<_> = dir
                .list()?
                .into_iter()
                .map(|e| serde_json::json!({ "address": address_hex(&e.address), "file": e.path }))
                .collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
    }
    Ok(())
}
