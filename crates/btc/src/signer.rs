//! Software signers: a BIP-32 master key that signs PSBTs. For tests and the devnet only; real
//! treasury keys live in hardware signers, which sign the same PSBTs.

use core::fmt;
use core::str::FromStr;

use bitcoin::bip32::{ChildNumber, DerivationPath, Fingerprint, Xpriv, Xpub};
use bitcoin::hashes::{Hash, sha256};
use bitcoin::psbt::Psbt;
use bitcoin::{Network, NetworkKind};

use crate::error::{BtcError, Result};
use crate::policy::{SignerKey, TreasuryLayout, WalletPolicy};
use crate::psbt::{SignReport, sign_psbt, sign_psbt_for_wallet};
use crate::wallet::Wallet;

/// A software signer holding a master extended private key.
#[derive(Clone)]
pub struct SoftwareSigner {
    master: Xpriv,
}

impl fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SoftwareSigner({})", self.fingerprint())
    }
}

impl SoftwareSigner {
    /// From a master key.
    pub fn new(master: Xpriv) -> Self {
        Self { master }
    }

    /// From a BIP-32 seed (16 to 64 bytes).
    pub fn from_seed(network: Network, seed: &[u8]) -> Result<Self> {
        Xpriv::new_master(network, seed)
            .map(Self::new)
            .map_err(|e| BtcError::InvalidKey(e.to_string()))
    }

    /// A deterministic devnet signer: the seed is SHA-256 of a label. Never for real funds.
    pub fn devnet(network: Network, wallet: &str, signer_index: u32) -> Result<Self> {
        let label = format!("hoard devnet signer/{wallet}/{signer_index}");
        Self::from_seed(network, sha256::Hash::hash(label.as_bytes()).as_byte_array())
    }

    /// Master fingerprint.
    pub fn fingerprint(&self) -> Fingerprint {
        self.master.fingerprint(secp256k1::SECP256K1)
    }

    /// The master key (tests and devnet tooling only).
    pub fn master(&self) -> &Xpriv {
        &self.master
    }

    /// BIP-48 account path for `wsh` multisig: `m/48'/coin'/account'/2'`.
    pub fn account_path(&self, account: u32) -> Result<DerivationPath> {
        let coin = match self.master.network {
            NetworkKind::Main => 0,
            NetworkKind::Test => 1,
        };
        [48, coin, account, 2]
            .into_iter()
            .map(|i| {
                ChildNumber::from_hardened_idx(i).map_err(|e| BtcError::InvalidKey(e.to_string()))
            })
            .collect::<Result<Vec<_>>>()
            .map(DerivationPath::from)
    }

    /// The account key with origin, to put in a policy.
    pub fn signer_key(&self, account: u32) -> Result<SignerKey> {
        let secp = secp256k1::SECP256K1;
        let path = self.account_path(account)?;
        let xprv = self
            .master
            .derive_priv(secp, &path)
            .map_err(|e| BtcError::InvalidKey(e.to_string()))?;
        Ok(SignerKey { fingerprint: self.fingerprint(), path, xpub: Xpub::from_priv(secp, &xprv) })
    }

    /// Signs what it can of a PSBT whose global xpubs show its network (see [`sign_psbt`]).
    pub fn sign(&self, psbt: &mut Psbt) -> Result<SignReport> {
        sign_psbt(psbt, &self.master)
    }

    /// Signs what it can of a PSBT of `wallet`, refusing if this key is of another network than
    /// the wallet (see [`sign_psbt_for_wallet`]).
    pub fn sign_for(&self, wallet: &Wallet, psbt: &mut Psbt) -> Result<SignReport> {
        sign_psbt_for_wallet(wallet, psbt, &self.master)
    }
}

impl FromStr for SoftwareSigner {
    type Err = BtcError;

    /// Parses a master `xprv`/`tprv`.
    fn from_str(s: &str) -> Result<Self> {
        let master = Xpriv::from_str(s.trim()).map_err(|e| {
            BtcError::InvalidKey(format!(
                "the signing key is not an extended private key (xprv/tprv): {}",
                crate::error::describe(&e)
            ))
        })?;
        if master.depth != 0 {
            return Err(BtcError::InvalidKey(format!(
                "the signing key is at depth {}: a master key (depth 0) is required",
                master.depth
            )));
        }
        Ok(Self::new(master))
    }
}

/// The default treasury layout with deterministic devnet signers: each wallet's policy and its
/// signers (account 0 of each).
pub fn devnet_treasury(network: Network) -> Result<Vec<(WalletPolicy, Vec<SoftwareSigner>)>> {
    let layout = TreasuryLayout::dwarves_default();
    let mut signers_of = Vec::new();
    let policies = layout.policies(network, |w| {
        let signers = (0..w.signers as u32)
            .map(|i| SoftwareSigner::devnet(network, &w.name, i))
            .collect::<Result<Vec<_>>>()?;
        let keys = signers.iter().map(|s| s.signer_key(0)).collect::<Result<Vec<_>>>()?;
        signers_of.push(signers);
        Ok(keys)
    })?;
    Ok(policies.into_iter().zip(signers_of).collect())
}
