//! Top holders of ICY and DFG, ranked once per committed head and cached.
//!
//! A node may hold a million accounts, so no request sorts them. The first request after the
//! head moved scans the committed accounts once (a read of the committed view, O(accounts ×
//! log [`HOLDERS_RANKED_MAX`]) with a bounded heap) and keeps the top [`HOLDERS_RANKED_MAX`] of
//! each token; every other request at that head reads the cached ranking. Concurrent requests
//! wait for the one scan instead of each doing it, and no scan happens while nobody asks.
//!
//! Pages use a keyset cursor, `<balance in base units>:<address>` of the last row shown: the
//! next page starts strictly after that key in the current ranking (balance descending, then
//! address ascending), so a page never repeats or skips a holder whose balance did not change,
//! even when the ranking was rebuilt between two pages.

use std::{
    cmp::Reverse,
    collections::BinaryHeap,
    sync::{Arc, Mutex},
};

use alloy_primitives::{Address, U256};
use hoard_core::facets::token::TokenId;
use hoard_node::NodeHandle;

/// Holders ranked per token; pages beyond this rank are not served.
pub const HOLDERS_RANKED_MAX: usize = 10_000;

/// One holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holder {
    /// The account.
    pub address: Address,
    /// Its balance, base units.
    pub balance: U256,
}

/// The ranking key: balance descending, then address ascending.
type Key = (Reverse<U256>, Address);

fn key(h: &Holder) -> Key {
    (Reverse(h.balance), h.address)
}

/// One token's ranking at one block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranking {
    /// Total supply at that block.
    pub supply: U256,
    /// Accounts with a nonzero balance.
    pub holders: usize,
    /// The top holders in rank order, at most [`HOLDERS_RANKED_MAX`].
    pub top: Vec<Holder>,
}

impl Ranking {
    /// Index in [`Ranking::top`] of the first holder strictly after the cursor (0 without one).
    pub fn start_after(&self, cursor: Option<&Holder>) -> usize {
        match cursor {
            None => 0,
            Some(c) => {
                let k = key(c);
                self.top.partition_point(|h| key(h) <= k)
            }
        }
    }
}

/// Both tokens' rankings at one committed block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rankings {
    /// Height of the block they describe.
    pub height: u64,
    /// ICY holders.
    pub icy: Ranking,
    /// DFG holders.
    pub dfg: Ranking,
}

impl Rankings {
    /// The ranking of a token.
    pub fn of(&self, token: TokenId) -> &Ranking {
        match token {
            TokenId::Icy => &self.icy,
            TokenId::Dfg => &self.dfg,
        }
    }
}

/// The cache: the rankings of the newest head anyone asked about.
#[derive(Debug, Default)]
pub struct HoldersCache {
    latest: Mutex<Option<Arc<Rankings>>>,
}

impl HoldersCache {
    /// The rankings at the committed head, computed now if the head moved since the last
    /// computation. Blocking (it may scan every account): call it off the async workers.
    pub fn get(&self, node: &NodeHandle) -> Arc<Rankings> {
        let mut latest = self.latest.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let head = node.committed().head.height;
        if let Some(r) = latest.as_ref().filter(|r| r.height == head) {
            return Arc::clone(r);
        }
        let rankings = Arc::new(rank(node, HOLDERS_RANKED_MAX));
        *latest = Some(Arc::clone(&rankings));
        rankings
    }
}

/// Ranks every account of the committed view, keeping the top `max` per token.
fn rank(node: &NodeHandle, max: usize) -> Rankings {
    let c = node.committed();
    let mut icy = Top::new(max);
    let mut dfg = Top::new(max);
    for (address, balance) in c.engine.holders(TokenId::Icy) {
        icy.offer(Holder { address, balance });
    }
    for (address, balance) in c.engine.holders(TokenId::Dfg) {
        dfg.offer(Holder { address, balance });
    }
    Rankings {
        height: c.head.height,
        icy: icy.finish(c.engine.total_supply(TokenId::Icy)),
        dfg: dfg.finish(c.engine.total_supply(TokenId::Dfg)),
    }
}

/// The best `max` holders seen so far (a max-heap on the ranking key, so that its top is the
/// worst kept holder) and the count of nonzero balances.
struct Top {
    max: usize,
    heap: BinaryHeap<Key>,
    holders: usize,
}

impl Top {
    fn new(max: usize) -> Top {
        Top { max, heap: BinaryHeap::with_capacity(max.min(1024) + 1), holders: 0 }
    }

    fn offer(&mut self, h: Holder) {
        if h.balance.is_zero() {
            return;
        }
        self.holders += 1;
        let k = key(&h);
        if self.heap.len() < self.max {
            self.heap.push(k);
        } else if self.heap.peek().is_some_and(|worst| k < *worst) {
            self.heap.pop();
            self.heap.push(k);
        }
    }

    fn finish(self, supply: U256) -> Ranking {
        let top = self
            .heap
            .into_sorted_vec()
            .into_iter()
            .map(|(Reverse(balance), address)| Holder { address, balance })
            .collect();
        Ranking { supply, holders: self.holders, top }
    }
}

/// The text of a cursor: `<balance>:<address>`.
pub fn cursor_text(h: &Holder) -> String {
    format!("{}:{:#x}", h.balance, h.address)
}

/// Parses a cursor made by [`cursor_text`].
pub fn parse_cursor(text: &str) -> Option<Holder> {
    let (balance, address) = text.split_once(':')?;
    if balance.is_empty() || balance.len() > 78 || !balance.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let balance = U256::from_str_radix(balance, 10).ok()?;
    let address = address.parse::<Address>().ok()?;
    Some(Holder { address, balance })
}

/// The token named by `icy` or `dfg` (any letter case).
pub fn parse_token(text: &str) -> Option<TokenId> {
    if text.eq_ignore_ascii_case("icy") {
        Some(TokenId::Icy)
    } else if text.eq_ignore_ascii_case("dfg") {
        Some(TokenId::Dfg)
    } else {
        None
    }
}

/// A token's symbol.
pub fn symbol(token: TokenId) -> &'static str {
    match token {
        TokenId::Icy => "ICY",
        TokenId::Dfg => "DFG",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(byte: u8, balance: u64) -> Holder {
        Holder { address: Address::repeat_byte(byte), balance: U256::from(balance) }
    }

    #[test]
    fn keeps_the_best_in_rank_order_and_counts_every_holder() {
        let mut top = Top::new(3);
        for holder in [h(1, 5), h(2, 0), h(3, 9), h(4, 5), h(5, 1), h(6, 7), h(7, 5)] {
            top.offer(holder);
        }
        let r = top.finish(U256::from(100u8));
        assert_eq!(r.holders, 6, "zero balances are not holders");
        // 9, 7, then the smallest address of the three tied at 5.
        assert_eq!(r.top, vec![h(3, 9), h(6, 7), h(1, 5)]);
    }

    #[test]
    fn a_cursor_resumes_strictly_after_its_key() {
        let r = Ranking {
            supply: U256::from(100u8),
            holders: 4,
            top: vec![h(3, 9), h(1, 5), h(4, 5), h(5, 1)],
        };
        assert_eq!(r.start_after(None), 0);
        assert_eq!(r.start_after(Some(&h(1, 5))), 2);
        assert_eq!(r.start_after(Some(&h(5, 1))), 4);
        // A key no longer in the ranking (its balance changed) resumes at its place.
        assert_eq!(r.start_after(Some(&h(2, 5))), 2);
        assert_eq!(r.start_after(Some(&h(9, 100))), 0);
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = h(0xab, 12_345);
        assert_eq!(parse_cursor(&cursor_text(&c)), Some(c));
        for bad in
            ["", ":", "12", "x:0x00", "-1:0xabababababababababababababababababababab", "1:0x12"]
        {
            assert_eq!(parse_cursor(bad), None, "{bad:?}");
        }
        assert_eq!(parse_cursor(&format!("{}:{:#x}", "9".repeat(79), c.address)), None);
        assert_eq!(parse_token("ICY"), Some(TokenId::Icy));
        assert_eq!(parse_token("dfg"), Some(TokenId::Dfg));
        assert_eq!(parse_token("btc"), None);
    }
}
