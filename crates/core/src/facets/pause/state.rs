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
    /// Paused until this time (0: not paused).
    pub until: u64,
    /// Whether governance ordered the current pause (a GUARDIAN cannot lift it).
    pub by_governance: bool,
    /// The end of the last pause a GUARDIAN ordered (as ordered, even if lifted early).
    pub guardian_ended: u64,
}

impl Value for Pause {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u64(self.until);
        out.put_u8(u8::from(self.by_governance));
        out.put_u64(self.guardian_ended);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let until = r.u64()?;
        let by_governance = match r.u8()? {
            0 => false,
            1 => true,
            _ => return Err(CodecError("a flag is 0 or 1")),
        };
        Ok(Pause { until, by_governance, guardian_ended: r.u64()? })
    }
}
