//! A new user's path through the CLI: options in either place, names for addresses on the
//! devnet, errors that say what to do, and keys created with a password typed twice and never
//! echoed.

use std::process::Stdio;

use crate::support::{NodeProcess, hoard};

fn run(args: &[&str]) -> (bool, String, String) {
    let out = hoard().args(args).stdin(Stdio::null()).output().expect("hoard runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn options_go_before_or_after_the_subcommand_and_names_stand_for_addresses() {
    let (ok, help, _) = run(&["tx", "transfer", "--help"]);
    assert!(ok);
    for option in ["--dev-key", "--node", "--from", "--keys-dir", "--print-only"] {
        assert!(help.contains(option), "`hoard tx transfer --help` lists {option}:\n{help}");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start(dir.path());
    let url = node.url();
    // After the subcommand, with a demo name as the recipient.
    let (ok, out, err) = run(&[
        "tx",
        "transfer",
        "--dev-key",
        "alice",
        "--token",
        "icy",
        "--to",
        "bob",
        "--amount",
        "10",
        "--node",
        &url,
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["receipt"]["success"], true, "{v}");
    let (ok, out, err) = run(&["query", "account", "bob", "--node", &url]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v["address"],
        serde_json::json!(hoard_node::devnet::account("bob").expect("bob").address)
    );
    // A token that is not there names the choices; a name that is not a demo account says so.
    let (ok, _, err) = run(&[
        "tx",
        "--node",
        &url,
        "--dev-key",
        "alice",
        "transfer",
        "--token",
        "usdt",
        "--to",
        "bob",
        "--amount",
        "1",
    ]);
    assert!(!ok);
    assert!(
        err.contains(
            "unknown token \"usdt\": give one of dfg, icy, usdc, wbtc, weth or a registered asset's 0x address"
        ),
        "{err}"
    );
    // Bridged assets by symbol, with their own decimals: 1.5 USDC is 1,500,000 base units.
    let (ok, out, err) = run(&[
        "tx",
        "--node",
        &url,
        "--dev-key",
        "alice",
        "transfer",
        "--token",
        "USDC",
        "--to",
        "bob",
        "--amount",
        "1.5",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["receipt"]["logs"][0]["name"], "Transfer", "{v}");
    let (ok, _, err) = run(&[
        "tx",
        "--node",
        &url,
        "--dev-key",
        "alice",
        "--print-only",
        "transfer",
        "--token",
        "usdc",
        "--to",
        "bob",
        "--amount",
        "1.0000001",
    ]);
    assert!(!ok);
    assert!(err.contains("at most 6 decimals"), "{err}");
    // The faucet gives once a day.
    let (ok, _, err) = run(&["tx", "--node", &url, "--dev-key", "dave", "drip", "--token", "wbtc"]);
    assert!(ok, "{err}");
    let (ok, _, err) = run(&["tx", "--node", &url, "--dev-key", "dave", "drip", "--token", "wbtc"]);
    assert!(!ok);
    assert!(err.contains("[token.faucet_cooling_down]"), "{err}");
    let (ok, _, err) = run(&[
        "tx",
        "--node",
        &url,
        "--dev-key",
        "alice",
        "transfer",
        "--token",
        "icy",
        "--to",
        "zed",
        "--amount",
        "1",
    ]);
    assert!(!ok);
    assert!(err.contains("neither an address") && err.contains("alice"), "{err}");
}

#[test]
fn errors_say_what_to_do() {
    let (ok, _, err) = run(&["query", "--node", "http://127.0.0.1:1", "chain"]);
    assert!(!ok);
    assert!(err.contains("is `hoard node` running there?"), "{err}");
    assert!(!err.contains("chromedriver"), "{err}");
    let dir = tempfile::tempdir().expect("tempdir");
    let (ok, _, err) = run(&[
        "node",
        "--dev",
        "--data-dir",
        &dir.path().display().to_string(),
        "--database",
        "postgress://user@localhost/hoard",
    ]);
    assert!(!ok);
    assert!(err.contains("unknown database URL scheme"), "{err}");
    assert!(!dir.path().join("postgress:").exists(), "no file was created for the typo");
}

#[test]
fn logs_written_to_a_file_carry_no_colour_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = std::fs::File::create(dir.path().join("node.log")).expect("log file");
    let port = crate::support::free_port();
    let mut child = hoard()
        .env("RUST_LOG", "info")
        .args(["node", "--dev", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(dir.path().join("data"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("starts");
    let t = std::time::Instant::now();
    let path = dir.path().join("node.log");
    while !std::fs::read_to_string(&path).is_ok_and(|l| l.contains("integrity check")) {
        assert!(t.elapsed() < std::time::Duration::from_secs(30), "the node logged nothing");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&path).expect("log");
    assert!(!text.contains('\u{1b}'), "ANSI escapes in a log file: {text:?}");
}

#[test]
fn keys_new_refuses_an_empty_password_and_prints_a_checksummed_address() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = dir.path().join("keys").display().to_string();
    let out = hoard()
        .env("HOARD_PASSWORD", "")
        .args(["keys", "new", "--light", "--keys-dir", &keys])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty password"));
    let out = hoard()
        .env("HOARD_PASSWORD", "pw")
        .args(["keys", "new", "--light", "--keys-dir", &keys])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let address = v["address"].as_str().expect("address");
    let parsed: alloy_primitives::Address = address.parse().expect("an address");
    assert_eq!(address, parsed.to_checksum(None), "0x and the EIP-55 checksum");
}

/// At a terminal (a pseudo-terminal driven by Python's `pty`): the password is asked twice,
/// never echoed, and two different passwords write nothing.
#[test]
fn keys_new_asks_twice_at_a_terminal_without_echo() {
    if !std::process::Command::new("python3")
        .args(["-c", "import pty"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        crate::support::skip("python3 with pty not available");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = dir.path().join("keys");
    let script = r#"
import os, pty, sys, time
bin, keys, first, second = sys.argv[1:5]
pid, fd = pty.fork()
if pid == 0:
    os.environ.pop("HOARD_PASSWORD", None)
    os.execv(bin, [bin, "keys", "new", "--light", "--keys-dir", keys])
out = b""
def read_until(marker):
    global out
    deadline = time.time() + 20
    while marker not in out and time.time() < deadline:
        try:
            out += os.read(fd, 1024)
        except OSError:
            break
# After each prompt, give the program a moment to turn echo off, as a person typing would.
read_until(b"new password: ")
time.sleep(0.3)
os.write(fd, first.encode() + b"\n")
read_until(b"repeat the password: ")
time.sleep(0.3)
os.write(fd, second.encode() + b"\n")
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let drive = |first: &str, second: &str| {
        let out = std::process::Command::new("python3")
            .args(["-c", script, env!("CARGO_BIN_EXE_hoard")])
            .arg(&keys)
            .args([first, second])
            .output()
            .expect("python runs");
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (ok, text) = drive("s3cret-one", "s3cret-two");
    assert!(!ok, "{text}");
    assert!(text.contains("the two passwords differ"), "{text}");
    assert!(!text.contains("s3cret"), "the password was echoed: {text}");
    assert!(!keys.exists() || std::fs::read_dir(&keys).expect("dir").next().is_none());
    let (ok, text) = drive("s3cret-one", "s3cret-one");
    assert!(ok, "{text}");
    assert!(!text.contains("s3cret"), "the password was echoed: {text}");
    assert!(text.contains("\"address\":\"0x"), "{text}");
}
