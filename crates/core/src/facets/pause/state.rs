//! The pause facet's tables (facet 5).

use crate::{
    codec::{CodecError, Put, Reader},
    state::{Cell, TableId, TableSpec, Value},
};

/// The pause facet's number.
pub const FACET: u8 = 5;

/// The protocol pause.
pub const PAUSE: Cell<Pause> = Cell::new(TableId::new(FACET, 0), "pause.pause");

/// Every table of the pause facet.
pub static TABLES: &[&dyn TableSpec] = &[&PAUSE];

/// The protocol pause.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pause {
    /// Paused until this time (0: never paused).
    pub until: u64,
}

impl Value for Pause {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u64(self.until);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Pause { until: r.u64()? })
    }
}
