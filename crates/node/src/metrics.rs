//! Counters the API renders in Prometheus text format.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Upper bounds (milliseconds) of the commit-latency histogram buckets.
pub const COMMIT_MS_BUCKETS: [u64; 10] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];

/// Node counters.
#[derive(Debug, Default)]
pub struct Metrics {
    blocks: AtomicU64,
    txs_included: AtomicU64,
    txs_rejected: AtomicU64,
    txs_invalid: AtomicU64,
    head: AtomicU64,
    commit_ms_buckets: [AtomicU64; COMMIT_MS_BUCKETS.len()],
    commit_ms_sum: AtomicU64,
    commit_count: AtomicU64,
}

impl Metrics {
    pub(crate) fn set_head(&self, h: u64) {
        self.head.store(h, Relaxed);
    }
    pub(crate) fn block(&self, included: u64, rejected: u64, commit_ms: u64) {
        self.blocks.fetch_add(1, Relaxed);
        self.txs_included.fetch_add(included, Relaxed);
        self.txs_rejected.fetch_add(rejected, Relaxed);
        for (i, b) in COMMIT_MS_BUCKETS.iter().enumerate() {
            if commit_ms <= *b {
                self.commit_ms_buckets[i].fetch_add(1, Relaxed);
            }
        }
        self.commit_ms_sum.fetch_add(commit_ms, Relaxed);
        self.commit_count.fetch_add(1, Relaxed);
    }
    pub(crate) fn invalid(&self, n: u64) {
        self.txs_invalid.fetch_add(n, Relaxed);
    }

    /// Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, v: u64, kind: &str| {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}\n"));
        };
        counter("hoard_blocks_total", "Blocks committed.", self.blocks.load(Relaxed), "counter");
        counter(
            "hoard_txs_included_total",
            "Commands included in committed blocks.",
            self.txs_included.load(Relaxed),
            "counter",
        );
        counter(
            "hoard_txs_rejected_total",
            "Included commands whose receipt is a rejection.",
            self.txs_rejected.load(Relaxed),
            "counter",
        );
        counter(
            "hoard_txs_invalid_total",
            "Commands refused before inclusion (nonce, deadline).",
            self.txs_invalid.load(Relaxed),
            "counter",
        );
        counter(
            "hoard_head_height",
            "Height of the newest committed block.",
            self.head.load(Relaxed),
            "gauge",
        );
        out.push_str("# HELP hoard_commit_ms Block commit latency in milliseconds.\n# TYPE hoard_commit_ms histogram\n");
        for (i, b) in COMMIT_MS_BUCKETS.iter().enumerate() {
            out.push_str(&format!(
                "hoard_commit_ms_bucket{{le=\"{b}\"}} {}\n",
                self.commit_ms_buckets[i].load(Relaxed)
            ));
        }
        let count = self.commit_count.load(Relaxed);
        out.push_str(&format!("hoard_commit_ms_bucket{{le=\"+Inf\"}} {count}\n"));
        out.push_str(&format!(
            "hoard_commit_ms_sum {}\nhoard_commit_ms_count {count}\n",
            self.commit_ms_sum.load(Relaxed)
        ));
        out
    }
}
