//! EVM-style event logs: topic0 = keccak of the event signature, indexed topics, ABI data, so
//! existing tooling decodes them.

use alloy_primitives::{Address, B256, keccak256};
use alloy_sol_types::SolEvent;

/// A facet's event: its name and Solidity-style signature (topic0 is the signature's keccak).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventInfo {
    /// Name.
    pub name: &'static str,
    /// Signature.
    pub signature: &'static str,
}

/// The [`EventInfo`] of each listed `sol!` event.
macro_rules! event_infos {
    ($($name:ident),* $(,)?) => {
        &[$($crate::event::EventInfo {
            name: stringify!($name),
            signature: <$name as alloy_sol_types::SolEvent>::SIGNATURE,
        }),*]
    };
}
pub(crate) use event_infos;

/// Re-exports every facet's events (`event::Transfer`, `event::Swap`, ...).
macro_rules! reexport_events {
    ($($facet:ident: [$($name:ident),* $(,)?];)*) => {
        $(pub use crate::facets::$facet::events::*;)*
    };
}
crate::facets::registry::every_facet!(reexport_events);
/// One log entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// Emitting contract address (the token for ERC-20 events, the diamond otherwise).
    pub address: Address,
    /// topic0 and indexed arguments.
    pub topics: Vec<B256>,
    /// ABI-encoded non-indexed arguments.
    pub data: Vec<u8>,
}

impl Log {
    /// Builds a log from a `sol!` event.
    pub fn new<E: SolEvent>(address: Address, event: &E) -> Log {
        let data = event.encode_log_data();
        Log { address, topics: data.topics().to_vec(), data: data.data.to_vec() }
    }

    /// Canonical encoding used for receipt hashes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.address.as_slice());
        out.push(self.topics.len() as u8);
        for t in &self.topics {
            out.extend_from_slice(t.as_slice());
        }
        out.extend_from_slice(&(self.data.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.data);
    }

    /// The event's name when it is one of the protocol's, for display.
    pub fn name(&self) -> Option<&'static str> {
        static NAMES: std::sync::OnceLock<std::collections::HashMap<B256, &'static str>> =
            std::sync::OnceLock::new();
        let names = NAMES.get_or_init(|| {
            crate::facets::registry::FACETS
                .iter()
                .flat_map(|f| f.events())
                .map(|e| (keccak256(e.signature.as_bytes()), e.name))
                .collect()
        });
        names.get(self.topics.first()?).copied()
    }
}
