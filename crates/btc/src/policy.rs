//! Wallet policies: validated k-of-n signer sets with an optional timelocked recovery path, the
//! `wsh` descriptors they produce, and the default treasury layout of the Dwarves+ seed.

use core::fmt;
use core::str::FromStr;
use std::collections::BTreeSet;

use bitcoin::bip32::{DerivationPath, Fingerprint, Xpub};
use bitcoin::{Network, NetworkKind};
use miniscript::Descriptor;
use miniscript::descriptor::{DescriptorPublicKey, DescriptorXKey, Wildcard};
use serde::{Deserialize, Serialize};

use crate::error::{BtcError, Result};

/// Most keys one `multi`/`sortedmulti` may hold under `wsh` (BIP-383, Bitcoin Core's limit).
pub const KEYS_MAX: usize = 20;
/// Smallest relative timelock of a recovery path, in blocks.
pub const TIMELOCK_BLOCKS_MIN: u32 = 1;
/// Largest relative timelock of a recovery path, in blocks (BIP-68 height locks are 16 bits).
pub const TIMELOCK_BLOCKS_MAX: u32 = 0xFFFF;
/// Longest wallet name.
pub const NAME_LEN_MAX: usize = 64;

/// Receive (external) or change (internal) chain of a wallet: the `/0/*` and `/1/*` derivations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Keychain {
    /// Addresses handed out to payers: `.../0/*`.
    External,
    /// Change addresses: `.../1/*`.
    Internal,
}

impl Keychain {
    /// The BIP-32 child number of this chain below the account key.
    pub fn index(self) -> u32 {
        match self {
            Self::External => 0,
            Self::Internal => 1,
        }
    }

    /// The chain for a child number, if it is 0 or 1.
    pub fn from_index(index: u32) -> Option<Self> {
        match index {
            0 => Some(Self::External),
            1 => Some(Self::Internal),
            _ => None,
        }
    }
}

/// One signer's account key with its origin: `[fingerprint/path]xpub`.
///
/// The fingerprint is the signer's master key fingerprint and the path leads from the master to
/// the account key (BIP-48 `m/48'/coin'/account'/2'` for `wsh` multisig), so that any signer,
/// software or hardware, finds its key from the PSBT's BIP-32 derivations.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SignerKey {
    /// Master key fingerprint of the signer.
    pub fingerprint: Fingerprint,
    /// Path from the master key to `xpub`.
    pub path: DerivationPath,
    /// The account extended public key.
    pub xpub: Xpub,
}

impl SignerKey {
    /// The descriptor key for one chain: `[fp/path]xpub/<chain>/*`.
    pub fn descriptor_key(&self, keychain: Keychain) -> DescriptorPublicKey {
        DescriptorPublicKey::XPub(DescriptorXKey {
            origin: Some((self.fingerprint, self.path.clone())),
            xkey: self.xpub,
            derivation_path: DerivationPath::from(vec![bitcoin::bip32::ChildNumber::Normal {
                index: keychain.index(),
            }]),
            wildcard: Wildcard::Unhardened,
        })
    }

    /// Network kind of the extended key (mainnet or any test network).
    pub fn network_kind(&self) -> NetworkKind {
        self.xpub.network
    }
}

impl fmt::Display for SignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "[{}]{}", self.fingerprint, self.xpub)
        } else {
            write!(f, "[{}/{}]{}", self.fingerprint, self.path, self.xpub)
        }
    }
}

impl FromStr for SignerKey {
    type Err = BtcError;

    fn from_str(s: &str) -> Result<Self> {
        let key = DescriptorPublicKey::from_str(s.trim())
            .map_err(|e| BtcError::InvalidKey(format!("{s}: {e}")))?;
        match key {
            DescriptorPublicKey::XPub(x) => {
                let (fingerprint, path) = x.origin.ok_or_else(|| {
                    BtcError::InvalidKey(format!("{s}: origin [fingerprint/path] is required"))
                })?;
                if !x.derivation_path.is_empty() || x.wildcard != Wildcard::None {
                    return Err(BtcError::InvalidKey(format!(
                        "{s}: give the account key without /chain/* suffix"
                    )));
                }
                Ok(Self { fingerprint, path, xpub: x.xkey })
            }
            _ => Err(BtcError::InvalidKey(format!(
                "{s}: an extended public key (xpub/tpub) is required"
            ))),
        }
    }
}

impl Serialize for SignerKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SignerKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// k of the keys must sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerSet {
    threshold: usize,
    keys: Vec<SignerKey>,
}

impl SignerSet {
    /// A validated signer set: `1 <= k <= n <= KEYS_MAX`, no duplicate keys.
    pub fn new(threshold: usize, keys: Vec<SignerKey>) -> Result<Self> {
        if threshold == 0 {
            return Err(BtcError::ThresholdZero);
        }
        if keys.len() > KEYS_MAX {
            return Err(BtcError::TooManyKeys { n: keys.len(), max: KEYS_MAX });
        }
        if threshold > keys.len() {
            return Err(BtcError::ThresholdTooHigh { k: threshold, n: keys.len() });
        }
        check_unique(keys.iter())?;
        Ok(Self { threshold, keys })
    }

    /// Required signatures.
    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// The keys, in the order given.
    pub fn keys(&self) -> &[SignerKey] {
        &self.keys
    }
}

/// A second spending path that becomes available `older_blocks` after a coin confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryPath {
    older_blocks: u32,
    signers: SignerSet,
}

impl RecoveryPath {
    /// A validated recovery path (`older(n)` with `n` in `TIMELOCK_BLOCKS_MIN..=MAX`).
    pub fn new(older_blocks: u32, signers: SignerSet) -> Result<Self> {
        if !(TIMELOCK_BLOCKS_MIN..=TIMELOCK_BLOCKS_MAX).contains(&older_blocks) {
            return Err(BtcError::TimelockOutOfRange {
                blocks: older_blocks,
                min: TIMELOCK_BLOCKS_MIN,
                max: TIMELOCK_BLOCKS_MAX,
            });
        }
        Ok(Self { older_blocks, signers })
    }

    /// The relative timelock in blocks.
    pub fn older_blocks(&self) -> u32 {
        self.older_blocks
    }

    /// Who signs on this path.
    pub fn signers(&self) -> &SignerSet {
        &self.signers
    }
}

/// A validated wallet policy: a network, a primary k-of-n signer set and an optional timelocked
/// recovery path. Construct with [`WalletPolicy::new`]; once built it always yields a sane
/// `wsh` descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WalletPolicy {
    name: String,
    network: Network,
    primary: SignerSet,
    recovery: Option<RecoveryPath>,
}

#[derive(Deserialize)]
struct WalletPolicyRaw {
    name: String,
    network: Network,
    primary: SignerSet,
    recovery: Option<RecoveryPath>,
}

impl<'de> Deserialize<'de> for WalletPolicy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        let raw = WalletPolicyRaw::deserialize(d)?;
        // Re-validate: a stored policy is input like any other.
        let primary = SignerSet::new(raw.primary.threshold, raw.primary.keys)
            .map_err(serde::de::Error::custom)?;
        let recovery = match raw.recovery {
            Some(r) => Some(
                RecoveryPath::new(
                    r.older_blocks,
                    SignerSet::new(r.signers.threshold, r.signers.keys)
                        .map_err(serde::de::Error::custom)?,
                )
                .map_err(serde::de::Error::custom)?,
            ),
            None => None,
        };
        WalletPolicy::new(raw.name, raw.network, primary, recovery)
            .map_err(serde::de::Error::custom)
    }
}

impl WalletPolicy {
    /// Validates and builds a policy. Refuses keys of another network than `network`, keys of
    /// mixed networks, keys shared between the primary and recovery paths, and empty or overlong
    /// names.
    pub fn new(
        name: impl Into<String>,
        network: Network,
        primary: SignerSet,
        recovery: Option<RecoveryPath>,
    ) -> Result<Self> {
        let name = name.into();
        if name.is_empty() || name.len() > NAME_LEN_MAX {
            return Err(BtcError::InvalidPolicy(format!(
                "wallet name must be 1..={NAME_LEN_MAX} bytes"
            )));
        }
        let all: Vec<&SignerKey> = primary
            .keys
            .iter()
            .chain(recovery.iter().flat_map(|r| r.signers.keys.iter()))
            .collect();
        check_unique(all.iter().copied())?;
        let kinds: BTreeSet<bool> =
            all.iter().map(|k| k.network_kind() == NetworkKind::Main).collect();
        if kinds.len() > 1 {
            return Err(BtcError::MixedNetworks);
        }
        let want = NetworkKind::from(network);
        if let Some(bad) = all.iter().find(|k| k.network_kind() != want) {
            return Err(BtcError::KeyNetworkMismatch {
                key: bad.to_string(),
                network: network.to_string(),
            });
        }
        let policy = Self { name, network, primary, recovery };
        // The descriptor must be sane miniscript (resource limits, no repeated keys).
        policy.descriptor(Keychain::External)?;
        Ok(policy)
    }

    /// A plain k-of-n policy without recovery path.
    pub fn multisig(
        name: impl Into<String>,
        network: Network,
        threshold: usize,
        keys: Vec<SignerKey>,
    ) -> Result<Self> {
        Self::new(name, network, SignerSet::new(threshold, keys)?, None)
    }

    /// Wallet name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The network whose addresses this wallet uses.
    pub fn network(&self) -> Network {
        self.network
    }

    /// The primary signer set.
    pub fn primary(&self) -> &SignerSet {
        &self.primary
    }

    /// The recovery path, if any.
    pub fn recovery(&self) -> Option<&RecoveryPath> {
        self.recovery.as_ref()
    }

    /// Every key of the policy, primary first.
    pub fn all_keys(&self) -> impl Iterator<Item = &SignerKey> {
        self.primary.keys.iter().chain(self.recovery.iter().flat_map(|r| r.signers.keys.iter()))
    }

    /// The descriptor of one chain, e.g. `wsh(sortedmulti(5,[fp/48'/0'/0'/2']xpub.../0/*,...))`.
    ///
    /// Without recovery path: `wsh(sortedmulti(k,...))` (BIP-383, order-independent). With one:
    /// `wsh(or_d(multi(k,...),and_v(v:multi(m,...),older(n))))`, keys sorted by their text so the
    /// descriptor does not depend on the order keys were listed in.
    pub fn descriptor(&self, keychain: Keychain) -> Result<Descriptor<DescriptorPublicKey>> {
        let keys = |set: &SignerSet, sort: bool| {
            let mut ks: Vec<String> =
                set.keys.iter().map(|k| k.descriptor_key(keychain).to_string()).collect();
            if sort {
                ks.sort();
            }
            ks.join(",")
        };
        let text = match &self.recovery {
            None => format!(
                "wsh(sortedmulti({},{}))",
                self.primary.threshold,
                keys(&self.primary, false)
            ),
            Some(r) => format!(
                "wsh(or_d(multi({},{}),and_v(v:multi({},{}),older({}))))",
                self.primary.threshold,
                keys(&self.primary, true),
                r.signers.threshold,
                keys(&r.signers, true),
                r.older_blocks
            ),
        };
        let desc = Descriptor::<DescriptorPublicKey>::from_str(&text)
            .map_err(|e| BtcError::InvalidDescriptor(e.to_string()))?;
        desc.sanity_check().map_err(|e| BtcError::InvalidDescriptor(e.to_string()))?;
        Ok(desc)
    }

    /// The descriptor of one chain as text with its BIP-380 checksum (`...#abcdefgh`).
    pub fn descriptor_string(&self, keychain: Keychain) -> Result<String> {
        Ok(self.descriptor(keychain)?.to_string())
    }
}

fn check_unique<'a>(keys: impl Iterator<Item = &'a SignerKey>) -> Result<()> {
    let mut seen_xpub = BTreeSet::new();
    for k in keys {
        // Two entries with the same public key material are the same signer, whatever the
        // origin claims.
        if !seen_xpub.insert(k.xpub.public_key.serialize()) {
            return Err(BtcError::DuplicateKey(k.to_string()));
        }
    }
    Ok(())
}

/// Treasury tier of a wallet (SPEC 3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Cold storage.
    Cold,
    /// Operational wallets.
    Operational,
    /// Hot wallets.
    Hot,
}

/// One wallet of a layout: name and k-of-n shape, keys supplied when instantiated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletSpec {
    /// Wallet name (unique in the layout).
    pub name: String,
    /// Tier it belongs to.
    pub tier: Tier,
    /// Required signatures.
    pub threshold: usize,
    /// Number of signers.
    pub signers: usize,
    /// What the wallet is for.
    pub purpose: String,
}

/// A tier's share of the treasury's BTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierTarget {
    /// The tier.
    pub tier: Tier,
    /// Target share in basis points of the BTC holdings.
    pub target_bps: u16,
}

/// A treasury layout: wallets and tier targets. [`TreasuryLayout::dwarves_default`] is the seed's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreasuryLayout {
    /// Tier targets, summing to 10,000 bps.
    pub tiers: Vec<TierTarget>,
    /// The wallets.
    pub wallets: Vec<WalletSpec>,
}

impl TreasuryLayout {
    /// The default layout of the Dwarves+ seed ("Bitcoin custody and security infrastructure"):
    /// cold 80% (Vault 1 and Vault 2 5-of-7, Emergency vault 7-of-7), operational 15% (DCA,
    /// rebalancing, liquidity 3-of-5), hot 5% (trading and emergency 2-of-3).
    pub fn dwarves_default() -> Self {
        let w = |name: &str, tier, threshold, signers, purpose: &str| WalletSpec {
            name: name.to_string(),
            tier,
            threshold,
            signers,
            purpose: purpose.to_string(),
        };
        Self {
            tiers: vec![
                TierTarget { tier: Tier::Cold, target_bps: 8_000 },
                TierTarget { tier: Tier::Operational, target_bps: 1_500 },
                TierTarget { tier: Tier::Hot, target_bps: 500 },
            ],
            wallets: vec![
                w("vault-1", Tier::Cold, 5, 7, "long-term holdings"),
                w("vault-2", Tier::Cold, 5, 7, "strategic reserve"),
                w("emergency-vault", Tier::Cold, 7, 7, "emergency only"),
                w("dca", Tier::Operational, 3, 5, "monthly purchases"),
                w("rebalancing", Tier::Operational, 3, 5, "portfolio management"),
                w("liquidity", Tier::Operational, 3, 5, "buyback operations"),
                w("trading", Tier::Hot, 2, 3, "active management"),
                w("hot-emergency", Tier::Hot, 2, 3, "crisis response"),
            ],
        }
    }

    /// Checks the layout: targets sum to 10,000 bps, each tier has a target, names unique,
    /// thresholds valid.
    pub fn validate(&self) -> Result<()> {
        let sum: u32 = self.tiers.iter().map(|t| u32::from(t.target_bps)).sum();
        if sum != 10_000 {
            return Err(BtcError::InvalidPolicy(format!(
                "tier targets sum to {sum} bps, not 10000"
            )));
        }
        let mut names = BTreeSet::new();
        for w in &self.wallets {
            if !names.insert(w.name.as_str()) {
                return Err(BtcError::InvalidPolicy(format!("wallet name {} used twice", w.name)));
            }
            if !self.tiers.iter().any(|t| t.tier == w.tier) {
                return Err(BtcError::InvalidPolicy(format!(
                    "wallet {} has a tier without target",
                    w.name
                )));
            }
            if w.threshold == 0 {
                return Err(BtcError::ThresholdZero);
            }
            if w.threshold > w.signers {
                return Err(BtcError::ThresholdTooHigh { k: w.threshold, n: w.signers });
            }
        }
        Ok(())
    }

    /// Builds one policy per wallet with the keys `keys_for` returns for it.
    pub fn policies(
        &self,
        network: Network,
        mut keys_for: impl FnMut(&WalletSpec) -> Result<Vec<SignerKey>>,
    ) -> Result<Vec<WalletPolicy>> {
        self.validate()?;
        self.wallets
            .iter()
            .map(|w| {
                let keys = keys_for(w)?;
                if keys.len() != w.signers {
                    return Err(BtcError::InvalidPolicy(format!(
                        "wallet {} needs {} keys, got {}",
                        w.name,
                        w.signers,
                        keys.len()
                    )));
                }
                WalletPolicy::multisig(w.name.clone(), network, w.threshold, keys)
            })
            .collect()
    }
}
