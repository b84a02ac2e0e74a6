//! The execution environment: everything the engine knows about "now". Set by the sequencer,
//! recorded in the block header, never read from a clock.

/// Block context for one command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Env {
    /// The network's chain id (EIP-712 domain).
    pub chain_id: u64,
    /// Height of the block being built.
    pub height: u64,
    /// Block time, unix seconds; non-decreasing from block to block.
    pub time_s: u64,
}
