//! The diamond's tables (facet 6): the selector registry, pending cuts and the cut timelock.

use alloy_primitives::Address;

use crate::{
    codec::{CodecError, Put, Reader},
    state::{Cell, Ordered, TableId, TableSpec, Value},
};

/// The diamond's facet number.
pub const FACET: u8 = 6;

/// `selector -> facet implementation address`.
pub const SELECTORS: Ordered<[u8; 4], Address> =
    Ordered::new(TableId::new(FACET, 0), "diamond.selectors");
/// `id -> pending cut`.
pub const CUTS: Ordered<u64, PendingCut> = Ordered::new(TableId::new(FACET, 1), "diamond.cuts");
/// The cut timelock and the next cut id.
pub const PARAMS: Cell<DiamondParams> = Cell::new(TableId::new(FACET, 2), "diamond.params");

/// Every table of the diamond.
pub static TABLES: &[&dyn TableSpec] = &[&SELECTORS, &CUTS, &PARAMS];

/// One cut of a pending diamond cut.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CutEntry {
    /// Target facet address (ignored for remove).
    pub facet: Address,
    /// 0 add, 1 replace, 2 remove.
    pub action: u8,
    /// Selectors affected.
    pub selectors: Vec<[u8; 4]>,
}

/// A proposed diamond cut waiting for its timelock.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PendingCut {
    /// Who proposed it.
    pub proposer: Address,
    /// Executable from this time.
    pub eta: u64,
    /// The cuts, applied in order.
    pub cuts: Vec<CutEntry>,
}

impl Value for PendingCut {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_address(&self.proposer);
        out.put_u64(self.eta);
        out.put_u32(self.cuts.len() as u32);
        for e in &self.cuts {
            out.put_address(&e.facet);
            out.put_u8(e.action);
            out.put_u32(e.selectors.len() as u32);
            for s in &e.selectors {
                out.extend_from_slice(s);
            }
        }
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let proposer = r.address()?;
        let eta = r.u64()?;
        let n = r.u32()? as usize;
        let mut cuts = Vec::with_capacity(n.min(256));
        for _ in 0..n {
            let facet = r.address()?;
            let action = r.u8()?;
            let m = r.u32()? as usize;
            let mut selectors = Vec::with_capacity(m.min(1024));
            for _ in 0..m {
                let b = r.take(4)?;
                selectors.push([b[0], b[1], b[2], b[3]]);
            }
            cuts.push(CutEntry { facet, action, selectors });
        }
        Ok(PendingCut { proposer, eta, cuts })
    }
}

/// The diamond's parameters and counter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DiamondParams {
    /// Timelock of diamond cuts.
    pub cut_delay_s: u64,
    /// The next cut id.
    pub next_cut_id: u64,
}

impl Value for DiamondParams {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u64(self.cut_delay_s);
        out.put_u64(self.next_cut_id);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(DiamondParams { cut_delay_s: r.u64()?, next_cut_id: r.u64()? })
    }
}
