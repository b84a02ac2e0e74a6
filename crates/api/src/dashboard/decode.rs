//! Decoding of the protocol's event logs into what a reader wants to see in a table row: the
//! event's name, the accounts it moves from and to, an amount, and a short detail.

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolEvent;
use hoard_core::{event, event::Log, roles};

/// One log, decoded for display.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Decoded {
    /// The event's name, `None` when it is not one of the protocol's.
    pub(crate) name: Option<&'static str>,
    /// The account the event is from (sender, owner, delegator), when indexed.
    pub(crate) from: Option<Address>,
    /// The account the event is to (recipient, spender, beneficiary, delegate), when indexed.
    pub(crate) to: Option<Address>,
    /// The amount it moves or sets, in base units of an 18-decimal token.
    pub(crate) amount: Option<U256>,
    /// The token of `amount` when the emitter does not say it (vesting is always DFG).
    pub(crate) unit: Option<&'static str>,
    /// Anything else worth a few words (burn reason, schedule id, role name), unescaped.
    pub(crate) detail: Option<String>,
}

/// Builds a [`Log`] from its stored form.
pub(crate) fn log_of(address: [u8; 20], topics: &[[u8; 32]], data: &[u8]) -> Log {
    Log {
        address: Address::from(address),
        topics: topics.iter().map(|t| B256::from(*t)).collect(),
        data: data.to_vec(),
    }
}

fn role_name(id: &B256) -> String {
    roles::by_id(id).map(|r| r.0.to_string()).unwrap_or_else(|| format!("role {id:#x}"))
}

fn nonzero(a: Address) -> Option<Address> {
    (a != Address::ZERO).then_some(a)
}

/// Decodes a log; logs that are not the protocol's (or do not decode) keep only their name.
pub(crate) fn decode(log: &Log) -> Decoded {
    let name = log.name();
    let mut d = Decoded { name, ..Decoded::default() };
    let topics = log.topics.iter().copied();
    let data = log.data.as_slice();
    match name {
        Some("Transfer") => {
            if let Ok(e) = event::Transfer::decode_raw_log(topics, data) {
                d.from = Some(e.from);
                d.to = Some(e.to);
                d.amount = Some(e.value);
                d.detail = match (e.from == Address::ZERO, e.to == Address::ZERO) {
                    (true, _) => Some("mint".into()),
                    (_, true) => Some("burn".into()),
                    _ => None,
                };
            }
        }
        Some("Approval") => {
            if let Ok(e) = event::Approval::decode_raw_log(topics, data) {
                d.from = Some(e.owner);
                d.to = Some(e.spender);
                d.amount = Some(e.value);
            }
        }
        Some("Burned") => {
            if let Ok(e) = event::Burned::decode_raw_log(topics, data) {
                d.from = Some(e.from);
                d.amount = Some(e.amount);
                d.detail = Some(e.reason);
            }
        }
        Some("MinterSet") => {
            if let Ok(e) = event::MinterSet::decode_raw_log(topics, data) {
                d.to = Some(e.minter);
                d.amount = Some(e.allowance);
                d.detail = Some("minter allowance".into());
            }
        }
        Some("DelegateChanged") => {
            if let Ok(e) = event::DelegateChanged::decode_raw_log(topics, data) {
                d.from = Some(e.delegator);
                d.to = nonzero(e.toDelegate);
                d.detail = Some(match nonzero(e.fromDelegate) {
                    Some(old) => format!("was {}", old.to_checksum(None)),
                    None => "first delegation".into(),
                });
            }
        }
        Some("DelegateVotesChanged") => {
            if let Ok(e) = event::DelegateVotesChanged::decode_raw_log(topics, data) {
                d.to = Some(e.delegate);
                d.amount = Some(e.newVotes);
                d.unit = Some("DFG");
                d.detail = Some("new voting power".into());
            }
        }
        Some("VestingCreated") => {
            if let Ok(e) = event::VestingCreated::decode_raw_log(topics, data) {
                d.to = Some(e.beneficiary);
                d.amount = Some(e.amount);
                d.unit = Some("DFG");
                d.detail = Some(format!("schedule #{}", e.scheduleId));
            }
        }
        Some("VestingReleased") => {
            if let Ok(e) = event::VestingReleased::decode_raw_log(topics, data) {
                d.to = Some(e.beneficiary);
                d.amount = Some(e.amount);
                d.unit = Some("DFG");
                d.detail = Some(format!("schedule #{}", e.scheduleId));
            }
        }
        Some("RoleGrantProposed") => {
            if let Ok(e) = event::RoleGrantProposed::decode_raw_log(topics, data) {
                d.from = Some(e.sender);
                d.to = Some(e.account);
                d.detail = Some(role_name(&e.role));
            }
        }
        Some("RoleGrantCancelled") => {
            if let Ok(e) = event::RoleGrantCancelled::decode_raw_log(topics, data) {
                d.from = Some(e.sender);
                d.to = Some(e.account);
                d.detail = Some(role_name(&e.role));
            }
        }
        Some("RoleGranted") => {
            if let Ok(e) = event::RoleGranted::decode_raw_log(topics, data) {
                d.from = Some(e.sender);
                d.to = Some(e.account);
                d.detail = Some(role_name(&e.role));
            }
        }
        Some("RoleRevoked") => {
            if let Ok(e) = event::RoleRevoked::decode_raw_log(topics, data) {
                d.from = Some(e.sender);
                d.to = Some(e.account);
                d.detail = Some(role_name(&e.role));
            }
        }
        Some("RoleRevokedAll") => {
            if let Ok(e) = event::RoleRevokedAll::decode_raw_log(topics, data) {
                d.from = Some(e.sender);
                d.detail = Some(format!("{} from {} holders", role_name(&e.role), e.count));
            }
        }
        Some("Paused") => {
            if let Ok(e) = event::Paused::decode_raw_log(topics, data) {
                d.from = Some(e.account);
                d.detail = Some(format!("until {}", super::render::iso_time(e.until)));
            }
        }
        Some("Unpaused") => {
            if let Ok(e) = event::Unpaused::decode_raw_log(topics, data) {
                d.from = Some(e.account);
            }
        }
        Some("CutProposed") => {
            if let Ok(e) = event::CutProposed::decode_raw_log(topics, data) {
                d.from = Some(e.sender);
                d.detail = Some(format!(
                    "cut #{} executable from {}",
                    e.cutId,
                    super::render::iso_time(e.eta)
                ));
            }
        }
        Some("DiamondCut") => {
            if let Ok(e) = event::DiamondCut::decode_raw_log(topics, data) {
                d.detail = Some(format!("cut #{}, {} selectors", e.cutId, e.selectorsChanged));
            }
        }
        Some("CutCancelled") => {
            if let Ok(e) = event::CutCancelled::decode_raw_log(topics, data) {
                d.from = Some(e.sender);
                d.detail = Some(format!("cut #{}", e.cutId));
            }
        }
        Some("ExcludedAccountsSet") => {
            if let Ok(e) = event::ExcludedAccountsSet::decode_raw_log(topics, data) {
                d.detail = Some(format!("version {}, {} accounts", e.version, e.accounts.len()));
            }
        }
        Some("IcyParamsSet") => {
            if let Ok(e) = event::IcyParamsSet::decode_raw_log(topics, data) {
                d.detail = Some(format!(
                    "inflation {} bps, transfer burn {} bps",
                    e.inflationBps, e.transferBurnBps
                ));
            }
        }
        Some("RoleDelaysSet") => {
            if let Ok(e) = event::RoleDelaysSet::decode_raw_log(topics, data) {
                d.detail =
                    Some(format!("grant delay {} s, window {} s", e.grantDelayS, e.acceptWindowS));
            }
        }
        _ => {}
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_transfer_and_a_burn_reason() {
        let token = Address::repeat_byte(0x11);
        let from = Address::repeat_byte(0x22);
        let to = Address::repeat_byte(0x33);
        let log = Log::new(token, &event::Transfer { from, to, value: U256::from(7u8) });
        let d = decode(&log);
        assert_eq!(d.name, Some("Transfer"));
        assert_eq!((d.from, d.to, d.amount), (Some(from), Some(to), Some(U256::from(7u8))));

        let log = Log::new(
            token,
            &event::Burned { from, amount: U256::from(5u8), reason: "<b>why</b>".into() },
        );
        let d = decode(&log);
        assert_eq!(d.name, Some("Burned"));
        assert_eq!(d.detail.as_deref(), Some("<b>why</b>"));
    }

    #[test]
    fn unknown_or_garbled_logs_decode_to_nothing() {
        let log = Log { address: Address::ZERO, topics: vec![B256::repeat_byte(9)], data: vec![] };
        assert_eq!(decode(&log), Decoded::default());
        // A Transfer signature with its indexed topics missing: named, nothing else.
        let mut log = Log::new(
            Address::ZERO,
            &event::Transfer { from: Address::ZERO, to: Address::ZERO, value: U256::ZERO },
        );
        log.topics.truncate(1);
        let d = decode(&log);
        assert_eq!(d.name, Some("Transfer"));
        assert_eq!((d.from, d.amount), (None, None));
    }
}
