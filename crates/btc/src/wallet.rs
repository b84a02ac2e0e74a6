//! A watch-only view of a [`WalletPolicy`]: derived scripts and addresses, and recognition of the
//! wallet's own coins and change from BIP-32 derivation data.

use std::collections::BTreeMap;

use bitcoin::bip32::{ChildNumber, DerivationPath, Fingerprint, KeySource};
use bitcoin::secp256k1::PublicKey;
use bitcoin::{Address, Network, Script, ScriptBuf, Weight};
use miniscript::Descriptor;
use miniscript::descriptor::{DefiniteDescriptorKey, DescriptorPublicKey};

use crate::error::{BtcError, Result};
use crate::policy::{Keychain, SignerKey, WalletPolicy};

/// Largest derivation index the wallet derives (unhardened BIP-32 indexes are below 2^31).
pub const DERIVATION_INDEX_MAX: u32 = (1 << 31) - 1;
/// Default number of addresses per chain scanned when matching scripts (BIP-44's gap limit).
pub const LOOKAHEAD_DEFAULT: u32 = 20;

/// A wallet: its policy and the two descriptors derived from it.
#[derive(Debug, Clone)]
pub struct Wallet {
    policy: WalletPolicy,
    external: Descriptor<DescriptorPublicKey>,
    internal: Descriptor<DescriptorPublicKey>,
    input_weight: Weight,
}

impl Wallet {
    /// Builds the wallet of a validated policy.
    pub fn new(policy: WalletPolicy) -> Result<Self> {
        let external = policy.descriptor(Keychain::External)?;
        let internal = policy.descriptor(Keychain::Internal)?;
        let satisfy = external
            .max_weight_to_satisfy()
            .map_err(|e| BtcError::InvalidDescriptor(e.to_string()))?;
        // outpoint (36) + empty scriptSig length (1) + sequence (4), non-witness bytes count 4x.
        let input_weight = Weight::from_non_witness_data_size(41) + satisfy;
        Ok(Self { policy, external, internal, input_weight })
    }

    /// The policy.
    pub fn policy(&self) -> &WalletPolicy {
        &self.policy
    }

    /// The network.
    pub fn network(&self) -> Network {
        self.policy.network()
    }

    /// Descriptor of a chain (with wildcard).
    pub fn descriptor(&self, keychain: Keychain) -> &Descriptor<DescriptorPublicKey> {
        match keychain {
            Keychain::External => &self.external,
            Keychain::Internal => &self.internal,
        }
    }

    /// Upper bound of the weight one input of this wallet adds to a transaction, satisfied by the
    /// largest satisfaction of the descriptor.
    pub fn input_weight(&self) -> Weight {
        self.input_weight
    }

    /// The definite descriptor at `index` of a chain.
    pub fn derive(
        &self,
        keychain: Keychain,
        index: u32,
    ) -> Result<Descriptor<DefiniteDescriptorKey>> {
        if index > DERIVATION_INDEX_MAX {
            return Err(BtcError::InvalidDescriptor(format!(
                "derivation index {index} is hardened"
            )));
        }
        self.descriptor(keychain)
            .at_derivation_index(index)
            .map_err(|e| BtcError::InvalidDescriptor(e.to_string()))
    }

    /// The descriptor at `index` with every key derived once to a concrete public key (cheap
    /// to turn into scripts; `sortedmulti` would otherwise re-derive keys while sorting).
    fn derive_keys(
        &self,
        keychain: Keychain,
        index: u32,
    ) -> Result<Descriptor<bitcoin::PublicKey>> {
        if index > DERIVATION_INDEX_MAX {
            return Err(BtcError::InvalidDescriptor(format!(
                "derivation index {index} is hardened"
            )));
        }
        self.descriptor(keychain)
            .derived_descriptor(secp256k1::SECP256K1, index)
            .map_err(|e| BtcError::InvalidDescriptor(e.to_string()))
    }

    /// Output script at `index` of a chain.
    pub fn script_pubkey(&self, keychain: Keychain, index: u32) -> Result<ScriptBuf> {
        Ok(self.derive_keys(keychain, index)?.script_pubkey())
    }

    /// Witness script at `index` of a chain.
    pub fn witness_script(&self, keychain: Keychain, index: u32) -> Result<ScriptBuf> {
        self.derive_keys(keychain, index)?
            .explicit_script()
            .map_err(|e| BtcError::InvalidDescriptor(e.to_string()))
    }

    /// Address at `index` of a chain.
    pub fn address(&self, keychain: Keychain, index: u32) -> Result<Address> {
        self.derive_keys(keychain, index)?
            .address(self.network())
            .map_err(|e| BtcError::InvalidDescriptor(e.to_string()))
    }

    /// Scripts of indexes `0..count` of both chains, for matching chain data.
    pub fn script_index(&self, count: u32) -> Result<BTreeMap<ScriptBuf, (Keychain, u32)>> {
        let mut out = BTreeMap::new();
        for keychain in [Keychain::External, Keychain::Internal] {
            for i in 0..count {
                out.insert(self.script_pubkey(keychain, i)?, (keychain, i));
            }
        }
        Ok(out)
    }

    /// The signer key of the policy with this master fingerprint and origin path prefix.
    fn key_for_source(&self, source: &KeySource) -> Option<(&SignerKey, Keychain, u32)> {
        let (fp, path) = source;
        self.policy.all_keys().find_map(|k| {
            if k.fingerprint != *fp {
                return None;
            }
            let (chain, index) = split_suffix(&k.path, path)?;
            Some((k, chain, index))
        })
    }

    /// Finds which (chain, index) of this wallet produced `script_pubkey`, using BIP-32
    /// derivations that a PSBT carries, and proves it by re-deriving the script. Claims that do not
    /// re-derive to `script_pubkey` are ignored.
    pub fn recognise(
        &self,
        script_pubkey: &Script,
        derivations: &BTreeMap<PublicKey, KeySource>,
    ) -> Option<(Keychain, u32)> {
        let mut tried = Vec::new();
        for source in derivations.values() {
            if let Some((_, chain, index)) = self.key_for_source(source) {
                if tried.contains(&(chain, index)) {
                    continue;
                }
                tried.push((chain, index));
                if self.script_pubkey(chain, index).ok().as_deref() == Some(script_pubkey) {
                    return Some((chain, index));
                }
            }
        }
        None
    }

    /// Which signer (by master fingerprint) owns a public key, according to a PSBT's derivations.
    pub fn signer_of(
        &self,
        pk: &PublicKey,
        derivations: &BTreeMap<PublicKey, KeySource>,
    ) -> Option<Fingerprint> {
        let source = derivations.get(pk)?;
        let (key, _, _) = self.key_for_source(source)?;
        Some(key.fingerprint)
    }
}

/// If `full` is `origin/chain/index` with chain 0 or 1 and an unhardened index, returns them.
fn split_suffix(origin: &DerivationPath, full: &DerivationPath) -> Option<(Keychain, u32)> {
    let o: &[ChildNumber] = origin.as_ref();
    let f: &[ChildNumber] = full.as_ref();
    if f.len() != o.len() + 2 || !f.starts_with(o) {
        return None;
    }
    match (f[o.len()], f[o.len() + 1]) {
        (ChildNumber::Normal { index: c }, ChildNumber::Normal { index }) => {
            Some((Keychain::from_index(c)?, index))
        }
        _ => None,
    }
}
