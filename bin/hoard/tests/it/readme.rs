//! The README's examples, run exactly as written (the lines of its "Using the devnet" block)
//! against a devnet node started as the quickstart says, in a fresh directory.

use std::{
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::support::free_port;

/// The shell lines of the README's "Using the devnet" code block, comments removed.
fn devnet_examples() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let section = readme.split("## Using the devnet").nth(1).expect("the section exists");
    let block = section.split("```sh").nth(1).and_then(|b| b.split("```").next()).expect("a block");
    block
        .lines()
        .map(|l| l.split(" #").next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn shell(line: &str, dir: &Path, env: &[(&str, String)]) -> std::process::Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_hoard")).parent().expect("bin dir").to_owned();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut c = Command::new("sh");
    c.args(["-c", line]).current_dir(dir).env("PATH", path);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("sh runs")
}

#[test]
fn the_readme_devnet_examples_run_as_written() {
    let lines = devnet_examples();
    assert!(lines.len() >= 5, "{lines:?}");
    assert!(lines.iter().all(|l| l.starts_with("hoard ")), "{lines:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let env = [
        ("HOARD_LISTEN", format!("127.0.0.1:{port}")),
        ("HOARD_NODE", format!("http://127.0.0.1:{port}")),
        ("HOARD_PASSWORD", "correct horse battery staple".to_string()),
        ("HOARD_KEYS_DIR", dir.path().join("my-keys").display().to_string()),
    ];
    // The quickstart's node (`hoard node --dev`, here on a free port through HOARD_LISTEN).
    let mut node = Command::new(env!("CARGO_BIN_EXE_hoard"));
    node.args(["node", "--dev"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in &env {
        node.env(k, v);
    }
    let mut node = node.spawn().expect("the node starts");
    let t = Instant::now();
    let health = |p| crate::support::request(p, "GET", "/healthz", None);
    while health(port).is_none_or(|(s, _)| s != 200) {
        assert!(t.elapsed() < Duration::from_secs(30), "the devnet node did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    for line in &lines {
        let out = shell(line, dir.path(), &env);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "`{line}` failed: {}\n{stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        if line.starts_with("hoard tx transfer") {
            let v: serde_json::Value = serde_json::from_str(&stdout).expect("json receipt");
            assert_eq!(v["receipt"]["success"], true, "{v}");
        }
        if line.starts_with("hoard query account") {
            let v: serde_json::Value = serde_json::from_str(&stdout).expect("json account");
            assert!(v["icy"].as_str().is_some_and(|b| b.ends_with("10000000000000000000")), "{v}");
        }
        if line.starts_with("hoard keys new") {
            let v: serde_json::Value = serde_json::from_str(&stdout).expect("json key");
            assert!(v["address"].as_str().is_some_and(|a| a.starts_with("0x") && a.len() == 42));
        }
    }
    let _ = node.kill();
    let _ = node.wait();
}
