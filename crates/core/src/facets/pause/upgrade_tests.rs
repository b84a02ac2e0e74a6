//! A diamond cut to version 2 of a facet is a real upgrade: it activates in the block the cut
//! executes in, and replay from genesis reproduces version 1's behaviour before it and
//! version 2's after.

use alloy_primitives::{Address, B256, FixedBytes};
use secp256k1::SecretKey;

use crate::{
    Engine, Env, Receipt,
    block::{self, SealedBlock},
    command::{
        Command, ExecuteCut, FacetCut, Pause, ProposeCut, SignedCommand, address_of_secret,
        selector,
    },
    facets::{diamond, governance},
    genesis::{Allocation, DfgGenesis, Genesis, IcyGenesis, ParamsGenesis, RoleGenesis},
};

const T0: u64 = 1_767_225_600;
const HOUR: u64 = 3600;
const DAY: u64 = 24 * HOUR;

fn key(i: u8) -> SecretKey {
    SecretKey::from_slice(&[i; 32]).expect("a valid key")
}

struct Chain {
    engine: Engine,
    blocks: Vec<SealedBlock>,
    time_s: u64,
}

impl Chain {
    fn new() -> (Chain, Genesis) {
        let (steward, guardian) = (address_of_secret(&key(1)), address_of_secret(&key(2)));
        let g = Genesis {
            chain_id: 31337,
            timestamp: T0,
            diamond: Address::repeat_byte(0xd1),
            steward,
            icy: IcyGenesis {
                allocations: vec![Allocation {
                    account: steward,
                    amount: "1000".into(),
                    delegate: None,
                }],
                inflation_bps: 300,
                transfer_burn_bps: 0,
                minters: vec![],
                excluded: vec![],
            },
            dfg: DfgGenesis {
                allocations: vec![Allocation {
                    account: guardian,
                    amount: "10000000".into(),
                    delegate: None,
                }],
                vesting: vec![],
            },
            roles: vec![RoleGenesis { role: "GUARDIAN".into(), account: guardian }],
            assets: vec![],
            pools: vec![],
            params: ParamsGenesis::default(),
        };
        (Chain { engine: g.build().expect("genesis"), blocks: vec![], time_s: T0 + 1 }, g)
    }

    /// Signs and runs one command in its own block (after the block's due tasks).
    fn run(&mut self, signer: u8, command: Command) -> Receipt {
        let tx = SignedCommand::sign(command, self.engine.domain(), &key(signer))
            .verify(self.engine.domain())
            .expect("verifies");
        let height = self.blocks.len() as u64 + 1;
        let env = Env { chain_id: 31337, height, time_s: self.time_s };
        self.engine.begin_block(&env).expect("next block");
        let (mut txs, mut receipts) = (vec![], vec![]);
        if let Some(system) = self.engine.system_tx(&env) {
            receipts.push(self.engine.execute_system(&env, &system).expect("own"));
            txs.push(system);
        }
        let r = self.engine.execute(&env, &tx).expect("includable");
        txs.push(tx);
        receipts.push(r.clone());
        let parent = self.blocks.last().map_or(B256::ZERO, |b| b.hash);
        let sealed = block::seal(&mut self.engine, parent, &env, txs, receipts);
        self.blocks.push(sealed);
        self.time_s += 1;
        r
    }

    fn nonce(&self, signer: u8) -> u64 {
        self.engine.nonce(&address_of_secret(&key(signer)))
    }

    fn pause(&mut self, hours: u64) -> Receipt {
        let cmd = Command::Pause(Pause {
            durationS: hours * HOUR,
            nonce: self.nonce(2),
            deadline: u64::MAX,
        });
        self.run(2, cmd)
    }

    /// The steward makes governance execute `inner`.
    fn govern(&mut self, inner: Command) -> Receipt {
        let cmd = governance::wrap(&inner, self.nonce(1), u64::MAX);
        self.run(1, cmd)
    }
}

#[test]
fn a_cut_to_version_2_upgrades_from_its_block_and_replay_reproduces_both_versions() {
    let (mut c, genesis) = Chain::new();
    let v1 = diamond::builtin_facets().iter().find(|f| f.name == "pause" && f.version == 1);
    let v2 = diamond::builtin_facets().iter().find(|f| f.name == "pause" && f.version == 2);
    let (v1, v2) = (v1.expect("v1"), v2.expect("v2"));
    assert_eq!(c.engine.facet_address(&selector("pause(uint64)")), Some(v1.address));
    // Version 1: a guardian pauses for 60 hours.
    assert!(c.pause(60).success());
    // Governance points every pause selector at version 2; it waits out the timelock.
    let cut = Command::ProposeCut(ProposeCut {
        cuts: vec![FacetCut {
            facetAddress: v2.address,
            action: diamond::ACTION_REPLACE,
            functionSelectors: v1.selectors().into_iter().map(FixedBytes::from).collect(),
        }],
        nonce: 0,
        deadline: 0,
    });
    assert!(c.govern(cut).success());
    c.time_s += diamond::CUT_DELAY_S_DEFAULT + 60 * HOUR;
    assert!(
        c.govern(Command::ExecuteCut(ExecuteCut { cutId: 0, nonce: 0, deadline: 0 })).success()
    );
    let upgraded_at = c.blocks.len() as u64;
    assert_eq!(c.engine.facet_address(&selector("pause(uint64)")), Some(v2.address));
    // Version 2: the same 60-hour guardian pause is refused; 40 hours is fine.
    c.time_s += 7 * DAY;
    let r = c.pause(60);
    assert_eq!(r.code(), Some("pause.duration_out_of_range"), "{:?}", r.message());
    assert!(r.message().is_some_and(|m| m.contains("172800 s")), "{:?}", r.message());
    assert!(c.pause(40).success());
    // Replay from genesis: every block, before and after the cut, reproduces its roots.
    let mut replay = genesis.build().expect("genesis");
    let mut parent = B256::ZERO;
    for b in &c.blocks {
        let sealed = block::replay_block(&mut replay, parent, &b.header, b.txs.clone(), true)
            .expect("replays");
        assert_eq!(sealed.receipts, b.receipts, "block {}", b.header.height);
        parent = sealed.hash;
    }
    assert_eq!(replay.state_root(), c.engine.state_root());
    assert!(upgraded_at > 2);
}
