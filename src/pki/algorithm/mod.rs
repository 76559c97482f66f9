//! Signature algorithms as notation and Go's `crypto/x509` see them.
//!
//! Two families live here:
//!
//! * the six envelope algorithms of the Notary Project ([`SignatureAlgorithm`]): the one a leaf
//!   key *requires* ([`SignatureAlgorithm::for_key`], notation-core-go's `ExtractKeySpec` rules)
//!   and the envelope signature checks of the JWS ([`verify_jws_signature`], golang-jwt v4
//!   semantics) and COSE ([`verify_cose_signature`], go-cose semantics) formats;
//! * X.509-style signatures named by an `AlgorithmIdentifier` ([`verify_x509_signature`]), used
//!   for certificates, CRLs, OCSP responses and CMS signer infos, with Go's `CheckSignature`
//!   rules (SHA-1 allowed, MD5 refused) or, via [`Sha1Policy::Reject`], `CheckSignatureFrom`'s.
//!
//! Error texts are Go's, because notation prints them inside its own messages.
//!
//! Written by hand rather than with `x509-verify`: that crate has no RSASSA-PSS, and notation
//! needs one table spanning JWS names, COSE ids and OIDs plus its key-size rules anyway.
//!
//! The envelope checks are in [`envelope`], the X.509-style ones in [`x509`]; both run on
//! AWS-LC where it checks exactly as Go does (`super::verify_backend`) and fall back to the
//! RustCrypto checks of `rustcrypto` for the keys and parameters AWS-LC does not take.

mod envelope;
mod rustcrypto;
mod x509;

pub use super::key::{PublicKey, PublicKeyError};
pub use envelope::{
    verify_cose_signature, verify_jws_signature, CoseSignatureError, JwsSignatureError,
};
pub use x509::{verify_x509_signature, verify_x509_signature_with, Sha1Policy, X509SignatureError};

use const_oid::ObjectIdentifier;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256, Sha384, Sha512};
use spki::SubjectPublicKeyInfoOwned;

/// OIDs of the public key and signature algorithms handled here.
mod oid {
    use const_oid::ObjectIdentifier;

    pub(super) const RSASSA_PSS: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
    pub(super) const MD5_WITH_RSA: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.4");
    pub(super) const SHA1_WITH_RSA: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
    pub(super) const SHA256_WITH_RSA: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
    pub(super) const SHA384_WITH_RSA: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
    pub(super) const SHA512_WITH_RSA: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
    pub(super) const ECDSA_WITH_SHA1: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");
    pub(super) const ECDSA_WITH_SHA256: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
    pub(super) const ECDSA_WITH_SHA384: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
    pub(super) const ECDSA_WITH_SHA512: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
    pub(super) const DSA_WITH_SHA1: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.10040.4.3");
    pub(super) const SHA256: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub(super) const SHA384: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
    pub(super) const SHA512: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
    pub(super) const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
}

/// A hash function used by a signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlgorithm {
    /// SHA-1 (only in X.509-style signatures where Go still accepts it).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
            HashAlgorithm::Sha256 => Sha256::digest(data).to_vec(),
            HashAlgorithm::Sha384 => Sha384::digest(data).to_vec(),
            HashAlgorithm::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// The SHA-2 hash `oid` names; SHA-1 is not one of them (Go refuses it inside PSS).
    fn sha2_from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match *oid {
            oid::SHA256 => Some(HashAlgorithm::Sha256),
            oid::SHA384 => Some(HashAlgorithm::Sha384),
            oid::SHA512 => Some(HashAlgorithm::Sha512),
            _ => None,
        }
    }
}

/// The Notary Project envelope signature algorithms (notation-core-go `signature.Algorithm`).
///
/// The discriminants are notation's integer values (`AlgorithmPS256 = 1` …), which some of its
/// messages print with `%v`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSASSA-PSS with SHA-256 (RSA 2048).
    Ps256 = 1,
    /// RSASSA-PSS with SHA-384 (RSA 3072).
    Ps384 = 2,
    /// RSASSA-PSS with SHA-512 (RSA 4096).
    Ps512 = 3,
    /// ECDSA on P-256 with SHA-256.
    Es256 = 4,
    /// ECDSA on P-384 with SHA-384.
    Es384 = 5,
    /// ECDSA on P-521 with SHA-512.
    Es512 = 6,
}

impl SignatureAlgorithm {
    /// All six, in notation's numeric order.
    pub const ALL: [SignatureAlgorithm; 6] = [
        SignatureAlgorithm::Ps256,
        SignatureAlgorithm::Ps384,
        SignatureAlgorithm::Ps512,
        SignatureAlgorithm::Es256,
        SignatureAlgorithm::Es384,
        SignatureAlgorithm::Es512,
    ];

    /// notation's integer value (1..=6), as printed by `%v` in its messages.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The JWS `alg` name (`PS256` …).
    pub fn jws_name(self) -> &'static str {
        match self {
            SignatureAlgorithm::Ps256 => "PS256",
            SignatureAlgorithm::Ps384 => "PS384",
            SignatureAlgorithm::Ps512 => "PS512",
            SignatureAlgorithm::Es256 => "ES256",
            SignatureAlgorithm::Es384 => "ES384",
            SignatureAlgorithm::Es512 => "ES512",
        }
    }

    /// The COSE algorithm id (RFC 9053 / RFC 8230).
    pub fn cose_id(self) -> i64 {
        match self {
            SignatureAlgorithm::Ps256 => -37,
            SignatureAlgorithm::Ps384 => -38,
            SignatureAlgorithm::Ps512 => -39,
            SignatureAlgorithm::Es256 => -7,
            SignatureAlgorithm::Es384 => -35,
            SignatureAlgorithm::Es512 => -36,
        }
    }

    /// The name notation's `inspect` prints (`RSASSA-PSS-SHA-256`, `ECDSA-SHA-256` …).
    pub fn display_name(self) -> &'static str {
        match self {
            SignatureAlgorithm::Ps256 => "RSASSA-PSS-SHA-256",
            SignatureAlgorithm::Ps384 => "RSASSA-PSS-SHA-384",
            SignatureAlgorithm::Ps512 => "RSASSA-PSS-SHA-512",
            SignatureAlgorithm::Es256 => "ECDSA-SHA-256",
            SignatureAlgorithm::Es384 => "ECDSA-SHA-384",
            SignatureAlgorithm::Es512 => "ECDSA-SHA-512",
        }
    }

    /// From a JWS `alg` name (exact, case-sensitive, as golang-jwt's method registry).
    pub fn from_jws_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.jws_name() == name)
    }

    /// From a COSE algorithm id.
    pub fn from_cose_id(id: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.cose_id() == id)
    }

    /// The hash function of the algorithm.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            SignatureAlgorithm::Ps256 | SignatureAlgorithm::Es256 => HashAlgorithm::Sha256,
            SignatureAlgorithm::Ps384 | SignatureAlgorithm::Es384 => HashAlgorithm::Sha384,
            SignatureAlgorithm::Ps512 | SignatureAlgorithm::Es512 => HashAlgorithm::Sha512,
        }
    }

    /// True for the RSASSA-PSS algorithms.
    pub fn is_rsa(self) -> bool {
        matches!(
            self,
            SignatureAlgorithm::Ps256 | SignatureAlgorithm::Ps384 | SignatureAlgorithm::Ps512
        )
    }

    /// The algorithm a signing key requires (notation-core-go `ExtractKeySpec` +
    /// `KeySpec.SignatureAlgorithm`): RSA of 2048/3072/4096 bits (modulus bytes × 8), or a
    /// P-256/P-384/P-521 key.
    pub fn for_key(key: &PublicKey) -> Result<Self, KeySpecError> {
        match key {
            PublicKey::Rsa(rsa) => match rsa.size() * 8 {
                2048 => Ok(SignatureAlgorithm::Ps256),
                3072 => Ok(SignatureAlgorithm::Ps384),
                4096 => Ok(SignatureAlgorithm::Ps512),
                bits => Err(KeySpecError::RsaKeySize(bits)),
            },
            PublicKey::P256(_) => Ok(SignatureAlgorithm::Es256),
            PublicKey::P384(_) => Ok(SignatureAlgorithm::Es384),
            PublicKey::P521(_) => Ok(SignatureAlgorithm::Es512),
            PublicKey::EcdsaUnsupportedCurve { bits } => Err(KeySpecError::EcdsaKeySize(*bits)),
            PublicKey::Other { .. } => Err(KeySpecError::UnsupportedKeyType),
        }
    }

    /// [`SignatureAlgorithm::for_key`] straight from a SubjectPublicKeyInfo.
    pub fn for_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, KeySpecError> {
        match PublicKey::from_spki(spki) {
            Ok(key) => Self::for_key(&key),
            Err(_) => Err(KeySpecError::UnsupportedKeyType),
        }
    }
}

/// notation-core-go's `UnsupportedSigningKeyError` texts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeySpecError {
    /// RSA modulus of another size.
    #[error("rsa key size {0} bits is not supported")]
    RsaKeySize(usize),
    /// An EC curve Go knows but notation does not (P-224).
    #[error("ecdsa key size {0} bits is not supported")]
    EcdsaKeySize(usize),
    /// Ed25519, DSA, anything else.
    #[error("unsupported public key type")]
    UnsupportedKeyType,
}

#[cfg(test)]
mod tests;
