//! `GET /v1/stream`: server-sent events of committed blocks and their logs, from one bounded
//! buffer per [`crate::AppState`].
//!
//! One task (started by the first subscriber) is the node's only broadcast consumer for the
//! API: it copies each committed block's header fields and logs into a ring bounded in bytes
//! ([`SseConfig::buffer_bytes_max`], each block's size estimated once from its logs) and in
//! blocks ([`SseConfig::buffer_blocks_max`]). Each client has a cursor into the ring and renders
//! one event at a time as it consumes them, so a stalled client holds at most one block, and
//! the ring's memory does not depend on the number or speed of clients.
//!
//! Events: `block` (id `"<height>"`, data `{height, hash, time_s, time_iso, tx_count,
//! state_root}`), then one `log` per log of the block (id `"<height>-<log index in the block>"`,
//! data as in `/v1/events`). A client resumes right after an id with the `Last-Event-ID` header
//! (what `EventSource` sends when it reconnects) or from a block with `?from_height=`; blocks no
//! longer in the ring are read back from the store, at most [`SseConfig::backfill_blocks_max`] of
//! them. A client that falls behind the ring, or asks for more than that, gets a final `lagged`
//! event without an id (so `EventSource` keeps its last id) whose data names the block to resume
//! from, and the stream ends.

use std::{
    collections::VecDeque,
    convert::Infallible,
    sync::{
        Arc, Mutex, OnceLock, Weak,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use alloy_primitives::B256;
use axum::{
    extract::State,
    http::HeaderMap,
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use hoard_core::{Receipt, block::Header, event::Log};
use hoard_node::{CommittedBlock, NodeHandle};
use serde_json::json;
use tokio::sync::{broadcast, watch};

use crate::{
    ApiError, ApiResult, AppState,
    error::{ApiQuery, echo},
};

/// Bytes of blocks the ring holds (estimated; see [`StreamBlock::bytes`]).
pub const SSE_BUFFER_BYTES_MAX: usize = 64 * 1024 * 1024;
/// Blocks the ring holds.
pub const SSE_BUFFER_BLOCKS_MAX: usize = 4_096;
/// Blocks older than the ring that a resuming client may have read back from the store.
pub const SSE_BACKFILL_BLOCKS_MAX: u64 = 1_024;
/// Interval of keep-alive comments on an otherwise quiet stream.
pub const SSE_KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Settings of the ring.
#[derive(Clone, Debug)]
pub struct SseConfig {
    /// Bytes of blocks held.
    pub buffer_bytes_max: usize,
    /// Blocks held.
    pub buffer_blocks_max: usize,
    /// Blocks a resuming client may have read back from the store.
    pub backfill_blocks_max: u64,
}

impl Default for SseConfig {
    fn default() -> Self {
        SseConfig {
            buffer_bytes_max: SSE_BUFFER_BYTES_MAX,
            buffer_blocks_max: SSE_BUFFER_BLOCKS_MAX,
            backfill_blocks_max: SSE_BACKFILL_BLOCKS_MAX,
        }
    }
}

/// What a stream needs of one block.
#[derive(Debug)]
pub struct StreamBlock {
    height: u64,
    hash: B256,
    time_s: u64,
    tx_count: u32,
    state_root: B256,
    logs: Vec<StreamLog>,
    bytes: usize,
}

#[derive(Debug)]
struct StreamLog {
    tx_hash: B256,
    tx_index: u32,
    log: Log,
}

impl StreamBlock {
    fn new(header: &Header, hash: B256, receipts: &[Receipt]) -> StreamBlock {
        let logs: Vec<StreamLog> = receipts
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                r.logs.iter().map(move |l| StreamLog {
                    tx_hash: r.tx_hash,
                    tx_index: i as u32,
                    log: l.clone(),
                })
            })
            .collect();
        let bytes = std::mem::size_of::<StreamBlock>()
            + logs
                .iter()
                .map(|l| {
                    std::mem::size_of::<StreamLog>() + l.log.topics.len() * 32 + l.log.data.len()
                })
                .sum::<usize>();
        StreamBlock {
            height: header.height,
            hash,
            time_s: header.time_s,
            tx_count: header.tx_count,
            state_root: header.state_root,
            logs,
            bytes,
        }
    }

    fn from_committed(b: &CommittedBlock) -> StreamBlock {
        StreamBlock::new(&b.header, b.hash, &b.receipts)
    }

    /// Estimated memory: the block's fixed part plus each log with its topics and data.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Reads a committed block back from the store; `None` when there is no block there.
    fn load(node: &NodeHandle, height: u64) -> Result<Option<StreamBlock>, String> {
        let store = node.store();
        let Some(rec) = store.block(height).map_err(|e| e.to_string())? else {
            return Ok(None);
        };
        let header = Header::decode(&rec.header).map_err(|e| format!("block {height}: {e}"))?;
        let receipts = store
            .txs_in_block(height)
            .map_err(|e| e.to_string())?
            .iter()
            .map(|t| Receipt::decode(&t.receipt))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("block {height} receipts: {e}"))?;
        Ok(Some(StreamBlock::new(&header, B256::from(rec.hash), &receipts)))
    }

    /// Part `part` of the block as an event: 0 is the block, `k` its log `k - 1`.
    fn event(&self, part: u64) -> Option<Event> {
        if part == 0 {
            let data = json!({ "height": self.height, "hash": self.hash, "time_s": self.time_s, "time_iso": crate::display::iso_time(self.time_s), "tx_count": self.tx_count, "state_root": self.state_root });
            return Some(
                Event::default().id(self.height.to_string()).event("block").data(data.to_string()),
            );
        }
        let index = usize::try_from(part - 1).ok()?;
        let l = self.logs.get(index)?;
        let mut v = crate::v1::log_json(&l.log);
        v["height"] = json!(self.height);
        v["tx_hash"] = json!(l.tx_hash);
        v["tx_index"] = json!(l.tx_index);
        v["log_index"] = json!(index);
        Some(
            Event::default()
                .id(format!("{}-{index}", self.height))
                .event("log")
                .data(v.to_string()),
        )
    }
}

/// Figures of the ring, for tests and operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingStats {
    /// Blocks held.
    pub blocks: usize,
    /// Their estimated bytes.
    pub bytes: usize,
    /// The most bytes ever held at once.
    pub bytes_peak: usize,
    /// Height of the oldest block held (`next_height` when empty).
    pub first_height: u64,
    /// Height of the next block expected.
    pub next_height: u64,
}

struct Ring {
    blocks: VecDeque<Arc<StreamBlock>>,
    bytes: usize,
    bytes_peak: usize,
    next_height: u64,
}

impl Ring {
    fn first_height(&self) -> u64 {
        self.next_height - self.blocks.len() as u64
    }

    /// Appends a block, evicting the oldest ones to stay within both bounds. A block that
    /// does not follow the newest one (the task missed blocks) restarts the ring at it, so the
    /// ring's heights are always contiguous; a block larger than the whole ring leaves it empty.
    fn push(&mut self, block: StreamBlock, config: &SseConfig) {
        if block.height < self.next_height {
            return;
        }
        if block.height > self.next_height {
            self.blocks.clear();
            self.bytes = 0;
        }
        self.next_height = block.height.saturating_add(1);
        let size = block.bytes;
        while self.bytes + size > config.buffer_bytes_max
            || self.blocks.len() >= config.buffer_blocks_max
        {
            let Some(oldest) = self.blocks.pop_front() else { break };
            self.bytes -= oldest.bytes;
        }
        if size <= config.buffer_bytes_max {
            self.bytes += size;
            self.blocks.push_back(Arc::new(block));
        } else {
            self.blocks.clear();
            self.bytes = 0;
        }
        self.bytes_peak = self.bytes_peak.max(self.bytes);
    }

    fn lookup(&self, height: u64) -> Lookup {
        let first = self.first_height();
        if height >= self.next_height {
            Lookup::NotYet
        } else if height < first {
            Lookup::Gone { first }
        } else {
            let i = usize::try_from(height - first).expect("invariant: within the ring's length");
            Lookup::Found(Arc::clone(&self.blocks[i]))
        }
    }
}

/// The buffer of recent blocks behind `/v1/stream`.
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    node: NodeHandle,
    config: SseConfig,
    ring: Mutex<Ring>,
    /// Carries `next_height`; wakes waiting streams when a block arrives or the hub closes.
    wake: watch::Sender<u64>,
    started: OnceLock<()>,
    closed: AtomicBool,
}

impl Hub {
    /// A hub over `node`'s committed blocks (its task starts with the first subscriber).
    pub fn new(node: NodeHandle, config: SseConfig) -> Hub {
        let config = SseConfig { buffer_blocks_max: config.buffer_blocks_max.max(1), ..config };
        Hub {
            inner: Arc::new(Inner {
                node,
                config,
                ring: Mutex::new(Ring {
                    blocks: VecDeque::new(),
                    bytes: 0,
                    bytes_peak: 0,
                    next_height: 0,
                }),
                wake: watch::Sender::new(0),
                started: OnceLock::new(),
                closed: AtomicBool::new(false),
            }),
        }
    }

    /// Subscribes to the node and spawns the task filling the ring, once. Must run inside a
    /// tokio runtime.
    fn start(&self) {
        self.inner.started.get_or_init(|| {
            let rx = self.inner.node.subscribe();
            let head = self.inner.node.committed().head.height;
            self.inner.lock().next_height = head.saturating_add(1);
            tokio::spawn(fill(Arc::downgrade(&self.inner), rx));
        });
    }

    /// The ring's figures.
    pub fn stats(&self) -> RingStats {
        let ring = self.inner.lock();
        RingStats {
            blocks: ring.blocks.len(),
            bytes: ring.bytes,
            bytes_peak: ring.bytes_peak,
            first_height: ring.first_height(),
            next_height: ring.next_height,
        }
    }

    /// Ends every stream (at shutdown); the ring takes no more blocks.
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        self.inner.wake.send_modify(|_| {});
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, block: StreamBlock) {
        let next = {
            let mut ring = self.lock();
            ring.push(block, &self.config);
            ring.next_height
        };
        self.wake.send_replace(next);
    }

    fn lookup(&self, height: u64) -> Lookup {
        self.lock().lookup(height)
    }
}

enum Lookup {
    Found(Arc<StreamBlock>),
    NotYet,
    Gone { first: u64 },
}

/// The hub's task: the node's committed blocks into the ring, until the hub is dropped or closed.
async fn fill(hub: Weak<Inner>, mut rx: broadcast::Receiver<Arc<CommittedBlock>>) {
    loop {
        let block = match rx.recv().await {
            Ok(b) => b,
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "the SSE buffer missed blocks; streams past the gap get `lagged`"
                );
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        let Some(inner) = hub.upgrade() else { return };
        if inner.closed.load(Ordering::SeqCst) {
            return;
        }
        inner.push(StreamBlock::from_committed(&block));
    }
}

/// A position in the event sequence: `part` 0 of a height is its block event, `k` its log
/// `k - 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Block height.
    pub height: u64,
    /// Part of the block.
    pub part: u64,
}

/// The position right after the event with this id (`"<height>"` or `"<height>-<log>"`).
pub fn after_event_id(id: &str) -> ApiResult<Position> {
    let bad = || {
        ApiError::bad_request(
            "api.bad_event_id",
            format!(
                "Last-Event-ID {} is not an id of this stream (\"<height>\" or \"<height>-<log index>\")",
                echo(id)
            ),
        )
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match id.split_once('-') {
        None if digits(id) => Ok(Position { height: id.parse().map_err(|_| bad())?, part: 1 }),
        Some((h, l)) if digits(h) && digits(l) => {
            let height = h.parse().map_err(|_| bad())?;
            let log: u32 = l.parse().map_err(|_| bad())?;
            Ok(Position { height, part: u64::from(log) + 2 })
        }
        _ => Err(bad()),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct StreamQuery {
    from_height: Option<u64>,
}

/// `GET /v1/stream`.
pub(crate) async fn stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<StreamQuery>,
) -> ApiResult<Response> {
    let last_id = match headers.get("last-event-id") {
        None => None,
        Some(v) => Some(v.to_str().map_err(|_| {
            ApiError::bad_request("api.bad_event_id", "Last-Event-ID is not visible ASCII")
        })?),
    }
    .filter(|s| !s.is_empty());
    let start = match last_id {
        Some(id) => Some(after_event_id(id)?),
        None => q.from_height.map(|height| Position { height, part: 0 }),
    };
    let reader = state.sse.reader(start);
    let events = futures_util::stream::unfold(reader, |mut r| async move {
        r.next_event().await.map(|e| (Ok::<Event, Infallible>(e), r))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(SSE_KEEP_ALIVE)).into_response())
}

impl Hub {
    /// A reader from `start` (the next block to come when `None`).
    pub fn reader(&self, start: Option<Position>) -> Reader {
        self.start();
        let (first, next) = {
            let ring = self.inner.lock();
            (ring.first_height(), ring.next_height)
        };
        let at = start.unwrap_or(Position { height: next, part: 0 });
        let behind = first.saturating_sub(at.height);
        let (backfill_until, too_far) = if behind == 0 {
            (0, false)
        } else if behind <= self.inner.config.backfill_blocks_max {
            (first, false)
        } else {
            (0, true)
        };
        Reader {
            hub: Arc::clone(&self.inner),
            wake: self.inner.wake.subscribe(),
            at,
            backfill_until,
            too_far,
            current: None,
            done: false,
        }
    }
}

/// One client's cursor.
pub struct Reader {
    hub: Arc<Inner>,
    wake: watch::Receiver<u64>,
    at: Position,
    /// Heights below this one may be read from the store (the resume phase).
    backfill_until: u64,
    /// The requested resume point was older than the backfill allows.
    too_far: bool,
    /// The block being sent.
    current: Option<Arc<StreamBlock>>,
    done: bool,
}

impl Reader {
    /// The next event; `None` when the stream ends.
    pub async fn next_event(&mut self) -> Option<Event> {
        loop {
            if self.done || self.hub.closed.load(Ordering::SeqCst) {
                return None;
            }
            if let Some(block) = &self.current {
                if let Some(event) = block.event(self.at.part) {
                    self.at.part += 1;
                    return Some(event);
                }
                self.current = None;
                self.at = Position { height: self.at.height.saturating_add(1), part: 0 };
                continue;
            }
            self.wake.borrow_and_update();
            match self.hub.lookup(self.at.height) {
                Lookup::Found(block) => self.current = Some(block),
                Lookup::NotYet => {
                    if self.wake.changed().await.is_err() {
                        return None;
                    }
                }
                Lookup::Gone { first } if self.at.height < self.backfill_until => {
                    let (node, height) = (self.hub.node.clone(), self.at.height);
                    match tokio::task::spawn_blocking(move || StreamBlock::load(&node, height))
                        .await
                    {
                        Ok(Ok(Some(block))) => self.current = Some(Arc::new(block)),
                        Ok(Ok(None)) => {
                            // No block at this height (below the first one): skip it.
                            self.at = Position { height: height.saturating_add(1), part: 0 };
                        }
                        Ok(Err(detail)) => return Some(self.fail(&detail, first)),
                        Err(e) => return Some(self.fail(&e.to_string(), first)),
                    }
                }
                Lookup::Gone { first } => {
                    self.done = true;
                    return Some(self.lagged(first));
                }
            }
        }
    }

    /// The final event of a client that cannot be served from where it is.
    fn lagged(&self, first: u64) -> Event {
        let reason = if self.too_far {
            format!(
                "the resume point is more than {} blocks older than the server's buffer",
                self.hub.config.backfill_blocks_max
            )
        } else {
            "the client read more slowly than blocks were committed and fell behind the server's buffer".to_string()
        };
        let data = json!({
            "resume_from_height": self.at.height,
            "oldest_buffered_height": first,
            "reason": reason,
            "hint": format!(
                "reconnect with Last-Event-ID (or ?from_height={}) to resume; the server replays up to {} blocks older than its buffer, read anything older from /v1/blocks and /v1/events",
                self.at.height, self.hub.config.backfill_blocks_max
            ),
        });
        Event::default().event("lagged").data(data.to_string())
    }

    /// The final event when the store cannot be read.
    fn fail(&mut self, detail: &str, first: u64) -> Event {
        self.done = true;
        let err = ApiError::internal(format!("SSE backfill of block {}: {detail}", self.at.height));
        let mut data = err.body();
        data["resume_from_height"] = json!(self.at.height);
        data["oldest_buffered_height"] = json!(first);
        Event::default().event("error").data(data.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(height: u64, bytes: usize) -> StreamBlock {
        StreamBlock {
            height,
            hash: B256::ZERO,
            time_s: 0,
            tx_count: 0,
            state_root: B256::ZERO,
            logs: Vec::new(),
            bytes,
        }
    }

    fn ring(next_height: u64) -> Ring {
        Ring { blocks: VecDeque::new(), bytes: 0, bytes_peak: 0, next_height }
    }

    fn heights(r: &Ring) -> Vec<u64> {
        r.blocks.iter().map(|b| b.height).collect()
    }

    #[test]
    fn ring_stays_within_bytes_and_blocks_and_contiguous() {
        let config =
            SseConfig { buffer_bytes_max: 1_000, buffer_blocks_max: 4, backfill_blocks_max: 0 };
        let mut r = ring(10);
        // Varied sizes: the byte bound evicts before the count bound.
        for (i, size) in [300, 300, 300, 50, 500, 10, 10, 10, 10, 999, 1].into_iter().enumerate() {
            r.push(block(10 + i as u64, size), &config);
            assert!(r.bytes <= 1_000 && r.blocks.len() <= 4, "{i}: {} bytes", r.bytes);
            assert_eq!(r.bytes, r.blocks.iter().map(|b| b.bytes).sum::<usize>());
            assert_eq!(r.next_height, 11 + i as u64);
            let h = heights(&r);
            assert!(h.windows(2).all(|w| w[1] == w[0] + 1), "{h:?}");
            assert_eq!(h.last(), Some(&(10 + i as u64)));
        }
        assert_eq!(heights(&r), vec![19, 20]);
        assert_eq!(r.bytes_peak, 1_000);
        // Old and repeated blocks are ignored.
        r.push(block(15, 1), &config);
        r.push(block(20, 1), &config);
        assert_eq!((heights(&r), r.next_height), (vec![19, 20], 21));
        // A gap restarts the ring at the new block.
        r.push(block(25, 5), &config);
        assert_eq!((heights(&r), r.bytes, r.first_height()), (vec![25], 5, 25));
        // A block larger than the ring leaves it empty, and nothing is lost silently.
        r.push(block(26, 1_001), &config);
        assert_eq!((heights(&r), r.bytes, r.first_height(), r.next_height), (vec![], 0, 27, 27));
        assert!(matches!(r.lookup(26), Lookup::Gone { first: 27 }));
        assert!(matches!(r.lookup(27), Lookup::NotYet));
        r.push(block(27, 7), &config);
        assert!(matches!(r.lookup(27), Lookup::Found(b) if b.height == 27));
    }

    #[test]
    fn event_ids_resume_right_after() {
        assert_eq!(after_event_id("12"), Ok(Position { height: 12, part: 1 }));
        assert_eq!(after_event_id("12-0"), Ok(Position { height: 12, part: 2 }));
        assert_eq!(
            after_event_id(&format!("{}-{}", u64::MAX, u32::MAX)),
            Ok(Position { height: u64::MAX, part: u64::from(u32::MAX) + 2 })
        );
        for bad in ["", "-1", "1-", "+1", "1-2-3", "x", "18446744073709551616", "1-4294967296"] {
            assert_eq!(after_event_id(bad).map_err(|e| e.code), Err("api.bad_event_id"), "{bad}");
        }
        let long = after_event_id(&"9".repeat(100_000)).expect_err("too long");
        assert!(long.message.len() < 300, "{}", long.message);
    }
}
