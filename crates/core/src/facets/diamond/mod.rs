//! The diamond (EIP-2535 in spirit): a registry from 4-byte selectors to facets, loupe queries,
//! and cuts (add, replace, remove) that wait out a timelock and are owned by governance.
//!
//! Facets are compiled into the engine; a facet address names one compiled implementation
//! (`keccak256("hoard.facet.<name>.v<version>")[12..]`). A cut can only point selectors at an
//! implementation that provides them. The cut and loupe selectors are immutable, as EIP-2535
//! recommends, so governance can never lock itself out of the diamond.

use std::{collections::BTreeMap, sync::OnceLock};

use alloy_primitives::Address;
use hoard_primitives::DAY_S;

pub mod commands;
pub mod events;
pub mod state;

use self::state::{CUTS, PARAMS, SELECTORS};
pub use self::state::{CutEntry, DiamondParams, PendingCut};
use super::{Ctx, access, derived_address};
use crate::{
    command::{self, COMMANDS, selector},
    event,
    rejection::{Authority, Outcome, Rejection, Selector},
    roles,
    state::State,
};

/// The selector registry.
pub fn selectors(state: &State) -> BTreeMap<[u8; 4], Address> {
    state.iter(&SELECTORS).map(|(s, f)| (*s, *f)).collect()
}

/// The facet serving a selector.
pub fn facet_of(state: &State, sel: &[u8; 4]) -> Option<Address> {
    state.get(&SELECTORS, sel).copied()
}

/// Pending cuts by id.
pub fn pending_cuts(state: &State) -> impl Iterator<Item = (u64, &PendingCut)> {
    state.iter(&CUTS).map(|(id, c)| (*id, c))
}

/// The diamond's parameters.
pub fn params(state: &State) -> DiamondParams {
    state.cell(&PARAMS)
}

/// Default cut timelock (a CONSTITUTIONAL change: 7 days).
pub const CUT_DELAY_S_DEFAULT: u64 = 7 * DAY_S;
/// Shortest cut timelock a chain may have (the CONSTITUTIONAL timelock).
pub const CUT_DELAY_S_MIN: u64 = 7 * DAY_S;
/// Longest cut timelock.
pub const CUT_DELAY_S_MAX: u64 = 30 * DAY_S;
/// A cut not executed within this grace period after its eta expires.
pub const CUT_GRACE_S: u64 = 14 * DAY_S;
/// Most cut entries in one proposal.
pub const CUT_ENTRIES_MAX: usize = 32;
/// Most selectors in one proposal.
pub const CUT_SELECTORS_MAX: usize = 256;

/// EIP-2535 cut actions.
pub const ACTION_ADD: u8 = 0;
/// Replace.
pub const ACTION_REPLACE: u8 = 1;
/// Remove.
pub const ACTION_REMOVE: u8 = 2;

/// A compiled facet implementation, as the diamond sees it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FacetImpl {
    /// Name.
    pub name: &'static str,
    /// Implementation version.
    pub version: u32,
    /// The number of the facet it implements.
    pub facet: u8,
    /// Its address.
    pub address: Address,
    /// Solidity-style signatures of its commands and views.
    pub functions: Vec<&'static str>,
    /// Whether it serves its facet's commands.
    pub serves_commands: bool,
    /// Whether its selectors can never be cut.
    pub immutable: bool,
    /// Its handler of the commands routed to it.
    #[serde(skip)]
    pub execute: super::Execute,
}

impl FacetImpl {
    /// Selectors of every function.
    pub fn selectors(&self) -> Vec<[u8; 4]> {
        self.functions.iter().map(|f| selector(f)).collect()
    }
    /// Whether it provides `sel`.
    pub fn provides(&self, sel: &[u8; 4]) -> bool {
        self.functions.iter().any(|f| selector(f) == *sel)
    }
}

/// Every compiled facet implementation, from the facet registry: version 1 of each facet,
/// registered at genesis, and any later version a cut may point selectors at (an upgrade from
/// the block the cut executes in; replay runs each block with the version registered then).
pub fn builtin_facets() -> &'static [FacetImpl] {
    static FACETS: OnceLock<Vec<FacetImpl>> = OnceLock::new();
    FACETS.get_or_init(|| {
        super::registry::FACETS
            .iter()
            .flat_map(|f| f.implementations().iter().map(move |i| (f.number(), i)))
            .map(|(facet, i)| {
                let mut functions: Vec<&'static str> = if i.serves_commands {
                    COMMANDS.iter().filter(|c| c.facet == facet).map(|c| c.signature).collect()
                } else {
                    Vec::new()
                };
                functions.extend_from_slice(i.views);
                FacetImpl {
                    name: i.name,
                    version: i.version,
                    facet,
                    address: derived_address(&format!("hoard.facet.{}.v{}", i.name, i.version)),
                    functions,
                    serves_commands: i.serves_commands,
                    immutable: i.immutable,
                    execute: i.execute,
                }
            })
            .collect()
    })
}

/// The implementation at an address.
pub fn facet_at(address: &Address) -> Option<&'static FacetImpl> {
    builtin_facets().iter().find(|f| f.address == *address)
}

fn immutable(sel: &[u8; 4]) -> bool {
    builtin_facets().iter().filter(|f| f.immutable).any(|f| f.provides(sel))
}

/// The registry at genesis: every selector of version 1 of every built-in facet.
pub fn genesis_selectors() -> BTreeMap<[u8; 4], Address> {
    builtin_facets()
        .iter()
        .filter(|f| f.version == 1)
        .flat_map(|f| f.selectors().into_iter().map(move |s| (s, f.address)))
        .collect()
}

/// Applies cuts to a copy of the registry, refusing collisions and immutable selectors.
pub fn apply_cuts(
    registry: &BTreeMap<[u8; 4], Address>,
    cuts: &[CutEntry],
) -> Result<BTreeMap<[u8; 4], Address>, Rejection> {
    let total: usize = cuts.iter().map(|c| c.selectors.len()).sum();
    if cuts.is_empty() || cuts.len() > CUT_ENTRIES_MAX || total == 0 || total > CUT_SELECTORS_MAX {
        return Err(Rejection::CutSize { entries: cuts.len() as u64, selectors: total as u64 });
    }
    let mut reg = registry.clone();
    for cut in cuts {
        for sel in &cut.selectors {
            let selector = Selector(*sel);
            if immutable(sel) {
                return Err(Rejection::SelectorImmutable { selector });
            }
            match cut.action {
                ACTION_ADD | ACTION_REPLACE => {
                    let Some(facet) = facet_at(&cut.facet) else {
                        return Err(Rejection::UnknownFacet { facet: cut.facet });
                    };
                    if !facet.provides(sel) {
                        return Err(Rejection::FacetLacksSelector {
                            facet: facet.address,
                            selector,
                        });
                    }
                    let current = reg.get(sel).copied();
                    match (cut.action, current) {
                        (ACTION_ADD, Some(_)) => {
                            return Err(Rejection::SelectorRegistered { selector });
                        }
                        (ACTION_REPLACE, None) => {
                            return Err(Rejection::SelectorNotRegistered { selector });
                        }
                        (ACTION_REPLACE, Some(f)) if f == cut.facet => {
                            return Err(Rejection::SameFacet { selector });
                        }
                        _ => {}
                    }
                    reg.insert(*sel, cut.facet);
                }
                ACTION_REMOVE => {
                    if cut.facet != Address::ZERO {
                        return Err(Rejection::RemoveNamesFacet);
                    }
                    if reg.remove(sel).is_none() {
                        return Err(Rejection::SelectorNotRegistered { selector });
                    }
                }
                action => return Err(Rejection::UnknownCutAction { action }),
            }
        }
    }
    Ok(reg)
}

/// `diamondCut(cuts)`: governance proposes; executable after the timelock.
pub fn propose(ctx: &mut Ctx<'_>, c: &command::ProposeCut) -> Outcome {
    if !ctx.is_governance() {
        return Err(Rejection::Unauthorized { needs: Authority::Governance });
    }
    let cuts: Vec<CutEntry> = c
        .cuts
        .iter()
        .map(|fc| CutEntry {
            facet: fc.facetAddress,
            action: fc.action,
            selectors: fc.functionSelectors.iter().map(|s| s.0).collect(),
        })
        .collect();
    apply_cuts(&selectors(ctx.state), &cuts)?;
    let p = params(ctx.state);
    let id = p.next_cut_id;
    let eta = ctx.env.time_s + p.cut_delay_s;
    ctx.state.set_cell(&PARAMS, DiamondParams { next_cut_id: id + 1, ..p });
    ctx.state.put(&CUTS, id, PendingCut { proposer: ctx.sender, eta, cuts });
    ctx.emit(ctx.addrs.diamond, event::CutProposed { cutId: id, sender: ctx.sender, eta });
    Ok(())
}

/// `executeCut(cutId)`.
pub fn execute(ctx: &mut Ctx<'_>, c: &command::ExecuteCut) -> Outcome {
    if !ctx.is_governance() {
        return Err(Rejection::Unauthorized { needs: Authority::Governance });
    }
    let Some(cut) = ctx.state.get(&CUTS, &c.cutId).cloned() else {
        return Err(Rejection::CutNotFound { id: c.cutId });
    };
    let now = ctx.env.time_s;
    if now < cut.eta {
        return Err(Rejection::CutTimelocked { eta: cut.eta });
    }
    if now > cut.eta + CUT_GRACE_S {
        return Err(Rejection::CutExpired { eta: cut.eta });
    }
    let old = selectors(ctx.state);
    let new = apply_cuts(&old, &cut.cuts)?;
    let mut changed = 0u32;
    for (sel, facet) in &old {
        if new.get(sel) != Some(facet) {
            changed += 1;
            match new.get(sel) {
                Some(f) => ctx.state.put(&SELECTORS, *sel, *f),
                None => ctx.state.delete(&SELECTORS, sel),
            }
        }
    }
    for (sel, facet) in &new {
        if !old.contains_key(sel) {
            changed += 1;
            ctx.state.put(&SELECTORS, *sel, *facet);
        }
    }
    ctx.state.delete(&CUTS, &c.cutId);
    ctx.emit(ctx.addrs.diamond, event::DiamondCut { cutId: c.cutId, selectorsChanged: changed });
    Ok(())
}

/// `cancelCut(cutId)`: governance or GUARDIAN.
pub fn cancel(ctx: &mut Ctx<'_>, c: &command::CancelCut) -> Outcome {
    if !ctx.is_governance() && !access::has_role(ctx.state, &roles::GUARDIAN.id(), &ctx.sender) {
        return Err(Rejection::Unauthorized { needs: Authority::GuardianOrGovernance });
    }
    if !ctx.state.contains(&CUTS, &c.cutId) {
        return Err(Rejection::CutNotFound { id: c.cutId });
    }
    ctx.state.delete(&CUTS, &c.cutId);
    ctx.emit(ctx.addrs.diamond, event::CutCancelled { cutId: c.cutId, sender: ctx.sender });
    Ok(())
}

/// Loupe: `facets()` as (facet address, selectors) pairs, from the registry.
pub fn loupe_facets(registry: &BTreeMap<[u8; 4], Address>) -> Vec<(Address, Vec<[u8; 4]>)> {
    let mut by_facet: BTreeMap<Address, Vec<[u8; 4]>> = BTreeMap::new();
    for (sel, facet) in registry {
        by_facet.entry(*facet).or_default().push(*sel);
    }
    by_facet.into_iter().collect()
}

/// The diamond facet: the cut (immutable, governance's) and the loupe (immutable, views only).
pub struct Definition;

impl super::Facet for Definition {
    super::facet_conventions!("diamond");
    fn implementations(&self) -> &'static [super::Implementation] {
        const CUT_AND_LOUPE: &[super::Implementation] = &[
            super::Implementation {
                immutable: true,
                ..super::Implementation::v1("diamondCut", &[], execute_command)
            },
            super::Implementation {
                serves_commands: false,
                immutable: true,
                ..super::Implementation::v1(
                    "diamondLoupe",
                    &[
                        "facets()",
                        "facetFunctionSelectors(address)",
                        "facetAddresses()",
                        "facetAddress(bytes4)",
                    ],
                    super::no_commands,
                )
            },
        ];
        CUT_AND_LOUPE
    }
}

/// Version 1's handler of each command.
fn execute_command(ctx: &mut Ctx<'_>, command: &command::Command) -> Outcome {
    use crate::command::Command;
    match command {
        Command::ProposeCut(c) => propose(ctx, c),
        Command::ExecuteCut(c) => execute(ctx, c),
        Command::CancelCut(c) => cancel(ctx, c),
        other => super::no_commands(ctx, other),
    }
}
