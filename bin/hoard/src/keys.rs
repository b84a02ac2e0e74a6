//! `hoard keys`: Ethereum keystore v3 files (geth, MetaMask exports, eth-account).

use std::path::PathBuf;

use alloy_primitives::Address;
use anyhow::{Context, bail};
use hoard_keystore::{KdfParams, KeyDir};

/// Where keys live and how to unlock them.
#[derive(clap::Args, Clone, Debug)]
pub struct KeyDirArgs {
    /// Keystore directory. Default: ~/.hoard/keys.
    #[arg(long, env = "HOARD_KEYS_DIR", global = true)]
    pub keys_dir: Option<PathBuf>,
    /// File holding the password (first line). Otherwise $HOARD_PASSWORD, otherwise a prompt
    /// (not echoed).
    #[arg(long, global = true)]
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

    /// The password of an existing key: from the file, `$HOARD_PASSWORD`, or a prompt on the
    /// terminal that does not echo.
    pub fn password(&self) -> anyhow::Result<String> {
        match self.given_password()? {
            Some(p) => Ok(p),
            None => Ok(rpassword::prompt_password("password: ")
                .context("cannot read a password from the terminal (use --password-file)")?),
        }
    }

    /// The password for a new key: never empty; typed twice when it comes from the prompt.
    pub fn new_password(&self) -> anyhow::Result<String> {
        let password = match self.given_password()? {
            Some(p) => p,
            None => {
                let first = rpassword::prompt_password("new password: ")
                    .context("cannot read a password from the terminal (use --password-file)")?;
                let again = rpassword::prompt_password("repeat the password: ")
                    .context("cannot read a password from the terminal")?;
                if first != again {
                    bail!("the two passwords differ; nothing was written");
                }
                first
            }
        };
        if password.is_empty() {
            bail!("an empty password would leave the key unprotected; choose one");
        }
        Ok(password)
    }

    fn given_password(&self) -> anyhow::Result<Option<String>> {
        if let Some(f) = &self.password_file {
            let text = std::fs::read_to_string(f)
                .with_context(|| format!("cannot read {}", f.display()))?;
            return Ok(Some(text.lines().next().unwrap_or("").to_string()));
        }
        Ok(std::env::var("HOARD_PASSWORD").ok())
    }
}

/// An address as people and wallets write it: 0x and the EIP-55 checksum.
fn shown(address: &[u8; 20]) -> String {
    Address::from(*address).to_string()
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
            let pw = args.dir.new_password()?;
            let e = dir.new_key(&pw, kdf(light), now)?;
            println!("{}", serde_json::json!({ "address": shown(&e.address), "file": e.path }));
        }
        KeysCommand::Import { hex, file, light } => {
            let e = match (hex, file) {
                (Some(h), _) => dir.import_hex(&h, &args.dir.new_password()?, kdf(light), now)?,
                (None, Some(f)) => {
                    let pw = args.dir.password()?;
                    let ks = hoard_keystore::read_key_file(&f)?;
                    let secret = hoard_keystore::decrypt(&ks, &pw)?;
                    dir.import_secret(&secret, &pw, kdf(light), now)?
                }
                (None, None) => anyhow::bail!("give --hex or --file"),
            };
            println!("{}", serde_json::json!({ "address": shown(&e.address), "file": e.path }));
        }
        KeysCommand::List => {
            let list: Vec<_> = dir
                .list()?
                .into_iter()
                .map(|e| serde_json::json!({ "address": shown(&e.address), "file": e.path }))
                .collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
    }
    Ok(())
}
