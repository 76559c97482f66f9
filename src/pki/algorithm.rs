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

use const_oid::ObjectIdentifier;
use der::Decode;
use ecdsa::signature::hazmat::PrehashVerifier;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

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

use super::key::go_rsa_key_check;
pub use super::key::{PublicKey, PublicKeyError};

// ---------------------------------------------------------------------------------------------
// Envelope signatures
// ---------------------------------------------------------------------------------------------

/// Why a JWS signature check failed, worded as golang-jwt v4 words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsSignatureError {
    /// PS* with a non-RSA key (golang-jwt `ErrInvalidKey`).
    #[error("key is invalid")]
    InvalidKey,
    /// ES* with a non-ECDSA key (golang-jwt `ErrInvalidKeyType`).
    #[error("key is of invalid type")]
    InvalidKeyType,
    /// A key Go's `crypto/rsa` refuses to verify with (even modulus or exponent, ...).
    #[error("{0}")]
    RsaKey(String),
    /// RSASSA-PSS check failed (Go `rsa.ErrVerification`).
    #[error("crypto/rsa: verification error")]
    Rsa,
    /// ECDSA check failed, including a signature of the wrong length.
    #[error("crypto/ecdsa: verification error")]
    Ecdsa,
}

/// Verify a JWS signature as golang-jwt v4 does: PS* use RSASSA-PSS with the salt length
/// detected from the signature (`PSSSaltLengthAuto`), ES* need raw `r‖s` of exactly twice the
/// algorithm's key size (32/48/66 bytes), with the hash of the algorithm and the curve of the
/// key, which golang-jwt does not compare.
pub fn verify_jws_signature(
    alg: SignatureAlgorithm,
    key: &PublicKey,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<(), JwsSignatureError> {
    let digest = alg.hash().digest(signing_input);
    if alg.is_rsa() {
        let PublicKey::Rsa(rsa) = key else {
            return Err(JwsSignatureError::InvalidKey);
        };
        go_rsa_key_check(rsa).map_err(JwsSignatureError::RsaKey)?;
        return rsa_pss_verify_auto_salt(rsa, alg.hash(), &digest, signature)
            .map_err(|()| JwsSignatureError::Rsa);
    }
    if !key.is_ecdsa() {
        return Err(JwsSignatureError::InvalidKeyType);
    }
    let half = match alg {
        SignatureAlgorithm::Es256 => 32,
        SignatureAlgorithm::Es384 => 48,
        _ => 66,
    };
    if signature.len() != 2 * half {
        return Err(JwsSignatureError::Ecdsa);
    }
    let (r, s) = signature.split_at(half);
    if ecdsa_verify_raw(key, &digest, r, s) {
        Ok(())
    } else {
        Err(JwsSignatureError::Ecdsa)
    }
}

/// Why a COSE signature check failed, worded as go-cose v1.3 words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoseSignatureError {
    /// go-cose `ErrVerification`.
    #[error("verification error")]
    Verification,
}

/// Verify a COSE signature as go-cose does with a verifier built for `alg` (which notation
/// derives from the leaf key, so the key already fits): PS* with salt length = hash length,
/// ES* raw `r‖s` whose length must be twice the curve's byte size.
pub fn verify_cose_signature(
    alg: SignatureAlgorithm,
    key: &PublicKey,
    to_be_signed: &[u8],
    signature: &[u8],
) -> Result<(), CoseSignatureError> {
    let digest = alg.hash().digest(to_be_signed);
    let ok = match key {
        PublicKey::Rsa(rsa) if alg.is_rsa() => {
            rsa_pss_verify_strict(rsa, alg.hash(), &digest, signature)
        }
        PublicKey::P256(_) | PublicKey::P384(_) | PublicKey::P521(_) if !alg.is_rsa() => {
            let half = match key {
                PublicKey::P256(_) => 32,
                PublicKey::P384(_) => 48,
                _ => 66,
            };
            signature.len() == 2 * half && {
                let (r, s) = signature.split_at(half);
                ecdsa_verify_raw(key, &digest, r, s)
            }
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(CoseSignatureError::Verification)
    }
}

/// ECDSA check of a prehashed message with big-endian `r` and `s` of any length (Go's
/// `ecdsa.Verify(pub, hash, r, s)`): values that do not fit the key's scalar field fail.
fn ecdsa_verify_raw(key: &PublicKey, digest: &[u8], r: &[u8], s: &[u8]) -> bool {
    fn fit(value: &[u8], size: usize) -> Option<Vec<u8>> {
        let start = value.iter().position(|b| *b != 0).unwrap_or(value.len());
        let trimmed = value.get(start..)?;
        if trimmed.len() > size {
            return None;
        }
        let mut out = vec![0u8; size - trimmed.len()];
        out.extend_from_slice(trimmed);
        Some(out)
    }
    // Go turns a digest shorter than the curve order into an integer as is; RustCrypto refuses
    // digests under half the field size, so pad with leading zeros (same integer).
    let padded = |size: usize| {
        let min = size.div_ceil(2);
        let mut d = vec![0u8; min.saturating_sub(digest.len())];
        d.extend_from_slice(digest);
        d
    };
    macro_rules! check {
        ($curve:ident, $vk:expr, $size:expr) => {{
            let digest = padded($size);
            let (Some(r), Some(s)) = (fit(r, $size), fit(s, $size)) else {
                return false;
            };
            let mut rs = r;
            rs.extend_from_slice(&s);
            match $curve::ecdsa::Signature::from_slice(&rs) {
                Ok(sig) => $vk.verify_prehash(&digest, &sig).is_ok(),
                Err(_) => false,
            }
        }};
    }
    match key {
        PublicKey::P256(vk) => check!(p256, vk, 32),
        PublicKey::P384(vk) => check!(p384, vk, 48),
        PublicKey::P521(vk) => check!(p521, vk, 66),
        _ => false,
    }
}

/// RSASSA-PSS with salt length = hash length (Go `PSSSaltLengthEqualsHash`), via the rsa crate.
fn rsa_pss_verify_strict(
    key: &RsaPublicKey,
    hash: HashAlgorithm,
    digest: &[u8],
    sig: &[u8],
) -> bool {
    let scheme = match hash {
        HashAlgorithm::Sha1 => rsa::Pss::new::<sha1::Sha1>(),
        HashAlgorithm::Sha256 => rsa::Pss::new::<Sha256>(),
        HashAlgorithm::Sha384 => rsa::Pss::new::<Sha384>(),
        HashAlgorithm::Sha512 => rsa::Pss::new::<Sha512>(),
    };
    key.verify(scheme, digest, sig).is_ok()
}

/// RSASSA-PSS with the salt length read from the encoded message (Go `PSSSaltLengthAuto`, which
/// golang-jwt uses for PS*). The rsa crate only verifies a known salt length, so the
/// EMSA-PSS-VERIFY steps (RFC 8017 §9.1.2) are written out here.
fn rsa_pss_verify_auto_salt(
    key: &RsaPublicKey,
    hash: HashAlgorithm,
    digest: &[u8],
    sig: &[u8],
) -> Result<(), ()> {
    let k = key.size();
    if sig.len() != k {
        return Err(());
    }
    let s = BigUint::from_bytes_be(sig);
    if &s >= key.n() {
        return Err(());
    }
    let m = s.modpow(key.e(), key.n());
    let em_bits = key.n().bits().checked_sub(1).ok_or(())?;
    let em_len = em_bits.div_ceil(8);
    let mut em = m.to_bytes_be();
    // Encode to the modulus size, then strip leading zero bytes down to emLen (as Go does).
    let mut full = vec![0u8; k.checked_sub(em.len()).ok_or(())?];
    full.append(&mut em);
    let cut = k.checked_sub(em_len).ok_or(())?;
    let (lead, em) = full.split_at_mut(cut);
    if lead.iter().any(|b| *b != 0) {
        return Err(());
    }
    let h_len = hash.output_len();
    if em_len < h_len + 2 || em.last() != Some(&0xbc) {
        return Err(());
    }
    let bit_mask: u8 = 0xff >> (8 * em_len - em_bits);
    if em.first().map(|b| b & !bit_mask) != Some(0) {
        return Err(());
    }
    let db_len = em_len - h_len - 1;
    let (db, rest) = em.split_at_mut(db_len);
    let h = rest.get(..h_len).ok_or(())?.to_vec();
    let mask = mgf1(hash, &h, db_len);
    for (d, m) in db.iter_mut().zip(mask) {
        *d ^= m;
    }
    if let Some(first) = db.first_mut() {
        *first &= bit_mask;
    }
    let ps_len = db.iter().position(|b| *b != 0).ok_or(())?;
    if db.get(ps_len) != Some(&0x01) {
        return Err(());
    }
    let salt = db.get(ps_len + 1..).ok_or(())?;
    let mut m_prime = vec![0u8; 8];
    m_prime.extend_from_slice(digest);
    m_prime.extend_from_slice(salt);
    if hash.digest(&m_prime) == h {
        Ok(())
    } else {
        Err(())
    }
}

/// MGF1 (RFC 8017 B.2.1).
fn mgf1(hash: HashAlgorithm, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + hash.output_len());
    let mut counter: u32 = 0;
    while out.len() < len {
        let mut input = seed.to_vec();
        input.extend_from_slice(&counter.to_be_bytes());
        out.extend_from_slice(&hash.digest(&input));
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

// ---------------------------------------------------------------------------------------------
// X.509-style signatures
// ---------------------------------------------------------------------------------------------

/// Whether SHA-1 signatures are accepted: Go's `Certificate.CheckSignature` (CRLs, OCSP, CMS and
/// a lone self-signed certificate) allows them, `CheckSignatureFrom` (chain links) does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sha1Policy {
    /// Accept SHA-1 (`CheckSignature`).
    Allow,
    /// Refuse SHA-1 with `insecure algorithm` (`CheckSignatureFrom`).
    Reject,
}

/// Why an X.509-style signature did not verify, worded as Go's `crypto/x509`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum X509SignatureError {
    /// Unknown algorithm or parameters (`x509.ErrUnsupportedAlgorithm`).
    #[error("x509: cannot verify signature: algorithm unimplemented")]
    Unsupported,
    /// MD5 always, SHA-1 where refused (`x509.InsecureAlgorithmError`).
    #[error("x509: cannot verify signature: insecure algorithm {0}")]
    Insecure(&'static str),
    /// The algorithm names another key type.
    #[error("x509: signature algorithm specifies an {expected} public key, but have public key of type {actual}")]
    KeyMismatch {
        /// Go's name of the key algorithm the signature algorithm needs.
        expected: &'static str,
        /// Go's `%T` of the key at hand.
        actual: &'static str,
    },
    /// The issuer key cannot be parsed.
    #[error("{0}")]
    Key(PublicKeyError),
    /// A key Go's `crypto/rsa` refuses to verify with (even modulus or exponent, ...).
    #[error("{0}")]
    RsaKey(String),
    /// RSA check failed.
    #[error("crypto/rsa: verification error")]
    Rsa,
    /// ECDSA check failed.
    #[error("x509: ECDSA verification failure")]
    Ecdsa,
}

/// How an `AlgorithmIdentifier` signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum X509Scheme {
    RsaPkcs1(HashAlgorithm),
    RsaPss(HashAlgorithm),
    Ecdsa(HashAlgorithm),
}

/// Go's `SignatureAlgorithm.String()` for the algorithms Go refuses as insecure.
fn insecure_name(alg: &AlgorithmIdentifierOwned) -> Option<&'static str> {
    match alg.oid {
        // Go knows MD2-RSA but has no hash for it: "algorithm unimplemented", not "insecure".
        oid::MD5_WITH_RSA => Some("MD5-RSA"),
        _ => None,
    }
}

fn sha1_name(alg: &AlgorithmIdentifierOwned) -> Option<&'static str> {
    match alg.oid {
        oid::SHA1_WITH_RSA => Some("SHA1-RSA"),
        oid::ECDSA_WITH_SHA1 => Some("ECDSA-SHA1"),
        oid::DSA_WITH_SHA1 => Some("DSA-SHA1"),
        _ => None,
    }
}

/// Go accepts RSASSA-PSS only with MGF1 over the same SHA-2 hash, salt = hash length and the
/// default trailer; anything else is an unknown algorithm.
fn pss_hash(alg: &AlgorithmIdentifierOwned) -> Option<HashAlgorithm> {
    let params = alg.parameters.as_ref()?;
    let params: rsa::pkcs1::RsaPssParams<'_> = params.decode_as().ok()?;
    let hash = HashAlgorithm::sha2_from_oid(&params.hash.oid)?;
    if params.mask_gen.oid != oid::MGF1 {
        return None;
    }
    let mgf_hash = params.mask_gen.parameters.as_ref()?;
    if HashAlgorithm::sha2_from_oid(&mgf_hash.oid)? != hash {
        return None;
    }
    if usize::from(params.salt_len) != hash.output_len() {
        return None;
    }
    if params.trailer_field != rsa::pkcs1::TrailerField::BC {
        return None;
    }
    Some(hash)
}

fn x509_scheme(alg: &AlgorithmIdentifierOwned) -> Option<X509Scheme> {
    Some(match alg.oid {
        oid::SHA1_WITH_RSA => X509Scheme::RsaPkcs1(HashAlgorithm::Sha1),
        oid::SHA256_WITH_RSA => X509Scheme::RsaPkcs1(HashAlgorithm::Sha256),
        oid::SHA384_WITH_RSA => X509Scheme::RsaPkcs1(HashAlgorithm::Sha384),
        oid::SHA512_WITH_RSA => X509Scheme::RsaPkcs1(HashAlgorithm::Sha512),
        oid::RSASSA_PSS => X509Scheme::RsaPss(pss_hash(alg)?),
        oid::ECDSA_WITH_SHA1 => X509Scheme::Ecdsa(HashAlgorithm::Sha1),
        oid::ECDSA_WITH_SHA256 => X509Scheme::Ecdsa(HashAlgorithm::Sha256),
        oid::ECDSA_WITH_SHA384 => X509Scheme::Ecdsa(HashAlgorithm::Sha384),
        oid::ECDSA_WITH_SHA512 => X509Scheme::Ecdsa(HashAlgorithm::Sha512),
        _ => return None,
    })
}

/// Verify a certificate, CRL, OCSP or CMS signature the way Go's `Certificate.CheckSignature`
/// does: the hash is the one the algorithm identifier names (never the curve's), SHA-1 is
/// accepted, MD5 is not. For chain links use [`verify_x509_signature_with`] and
/// [`Sha1Policy::Reject`].
pub fn verify_x509_signature(
    algorithm: &AlgorithmIdentifierOwned,
    issuer_spki: &SubjectPublicKeyInfoOwned,
    signed: &[u8],
    signature: &[u8],
) -> Result<(), X509SignatureError> {
    verify_x509_signature_with(algorithm, issuer_spki, signed, signature, Sha1Policy::Allow)
}

/// [`verify_x509_signature`] with an explicit SHA-1 policy.
pub fn verify_x509_signature_with(
    algorithm: &AlgorithmIdentifierOwned,
    issuer_spki: &SubjectPublicKeyInfoOwned,
    signed: &[u8],
    signature: &[u8],
    sha1: Sha1Policy,
) -> Result<(), X509SignatureError> {
    if let Some(name) = insecure_name(algorithm) {
        return Err(X509SignatureError::Insecure(name));
    }
    if let (Some(name), Sha1Policy::Reject) = (sha1_name(algorithm), sha1) {
        return Err(X509SignatureError::Insecure(name));
    }
    let scheme = x509_scheme(algorithm).ok_or(X509SignatureError::Unsupported)?;
    let key = PublicKey::from_spki(issuer_spki).map_err(X509SignatureError::Key)?;
    if let PublicKey::Other { go_type: "<nil>" } = key {
        // Go leaves keys of unknown algorithms nil, and a nil key verifies nothing.
        return Err(X509SignatureError::Unsupported);
    }
    match scheme {
        X509Scheme::RsaPkcs1(hash) | X509Scheme::RsaPss(hash) => {
            let PublicKey::Rsa(rsa) = &key else {
                return Err(X509SignatureError::KeyMismatch {
                    expected: "RSA",
                    actual: key.go_type(),
                });
            };
            go_rsa_key_check(rsa).map_err(X509SignatureError::RsaKey)?;
            let digest = hash.digest(signed);
            let ok = match scheme {
                X509Scheme::RsaPss(_) => rsa_pss_verify_strict(rsa, hash, &digest, signature),
                _ => {
                    let padding = match hash {
                        HashAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                        HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
                        HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
                        HashAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
                    };
                    rsa.verify(padding, &digest, signature).is_ok()
                }
            };
            ok.then_some(()).ok_or(X509SignatureError::Rsa)
        }
        X509Scheme::Ecdsa(hash) => {
            if !key.is_ecdsa() {
                return Err(X509SignatureError::KeyMismatch {
                    expected: "ECDSA",
                    actual: key.go_type(),
                });
            }
            let digest = hash.digest(signed);
            let (r, s) = parse_der_ecdsa_signature(signature).ok_or(X509SignatureError::Ecdsa)?;
            ecdsa_verify_raw(&key, &digest, &r, &s)
                .then_some(())
                .ok_or(X509SignatureError::Ecdsa)
        }
    }
}

/// `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`, positive and minimally encoded,
/// nothing after it (Go's `ecdsa.VerifyASN1` parser).
fn parse_der_ecdsa_signature(sig: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut reader = der::SliceReader::new(sig).ok()?;
    let pair = der::Reader::sequence(&mut reader, |seq| {
        let r = der::asn1::UintRef::decode(seq)?;
        let s = der::asn1::UintRef::decode(seq)?;
        Ok((r.as_bytes().to_vec(), s.as_bytes().to_vec()))
    })
    .ok()?;
    der::Reader::finish(reader, pair).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Key OIDs the tests build SPKIs with (key parsing itself lives in `pki::key`).
    mod key_oid {
        use const_oid::ObjectIdentifier;
        pub(super) const EC_PUBLIC_KEY: ObjectIdentifier =
            ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
        pub(super) const DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");
        pub(super) const SECP256R1: ObjectIdentifier =
            ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
        pub(super) const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
        pub(super) const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
    }
    use der::asn1::BitString;
    use der::Encode;
    use ecdsa::signature::hazmat::PrehashSigner;
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
    use rsa::RsaPrivateKey;

    fn key_pem(name: &str) -> String {
        let path = format!("{}/fixtures/keys/{name}.pem", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap()
    }

    fn rsa_key(name: &str) -> RsaPrivateKey {
        RsaPrivateKey::from_pkcs8_pem(&key_pem(name)).unwrap()
    }

    fn rsa_spki(key: &RsaPrivateKey) -> SubjectPublicKeyInfoOwned {
        let der = key.to_public_key().to_public_key_der().unwrap();
        SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).unwrap()
    }

    fn ec_spki(curve: ObjectIdentifier, point: &[u8]) -> SubjectPublicKeyInfoOwned {
        SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: key_oid::EC_PUBLIC_KEY,
                parameters: Some(der::Any::from_der(&curve.to_der().unwrap()).unwrap()),
            },
            subject_public_key: BitString::from_bytes(point).unwrap(),
        }
    }

    fn spki_of_pem(name: &str) -> SubjectPublicKeyInfoOwned {
        // Private key PEM -> PrivateKeyInfo; the public key comes from the matching typed key.
        match name {
            n if n.starts_with("rsa") => rsa_spki(&rsa_key(n)),
            n if n.starts_with("p256") => {
                let sk = p256::SecretKey::from_pkcs8_pem(&key_pem(n)).unwrap();
                ec_spki(key_oid::SECP256R1, sk.public_key().to_sec1_bytes().as_ref())
            }
            n if n.starts_with("p384") => {
                let sk = p384::SecretKey::from_pkcs8_pem(&key_pem(n)).unwrap();
                ec_spki(key_oid::SECP384R1, sk.public_key().to_sec1_bytes().as_ref())
            }
            n if n.starts_with("p521") => {
                let sk = p521::SecretKey::from_pkcs8_pem(&key_pem(n)).unwrap();
                ec_spki(key_oid::SECP521R1, sk.public_key().to_sec1_bytes().as_ref())
            }
            // The RustCrypto stack here has no P-224 or Ed25519 arithmetic: the public keys of
            // these fixtures as `openssl pkey -pubout -outform der` writes them.
            "p224-leaf" => SubjectPublicKeyInfoOwned::from_der(&hex::decode(
                "304e301006072a8648ce3d020106052b81040021033a000443e584311408c2901c45dfeab3f0dcc9926fcd4a536be151c8f7e0af38955e48839233cdf9e429826f6ee8499ef539c8b9c66f5e2f3b1ba5",
            ).unwrap())
            .unwrap(),
            "ed25519-leaf" => SubjectPublicKeyInfoOwned::from_der(&hex::decode(
                "302a300506032b6570032100672db92d646434db542a9479280601ee0f64208288f61fecd711927aea8872de",
            ).unwrap())
            .unwrap(),
            n => panic!("no public key for {n}"),
        }
    }

    #[test]
    fn names_ids_and_numbers_follow_notation() {
        let table = [
            ("PS256", -37, 1),
            ("PS384", -38, 2),
            ("PS512", -39, 3),
            ("ES256", -7, 4),
            ("ES384", -35, 5),
            ("ES512", -36, 6),
        ];
        for (alg, (name, id, n)) in SignatureAlgorithm::ALL.into_iter().zip(table) {
            assert_eq!(alg.jws_name(), name);
            assert_eq!(alg.cose_id(), id);
            assert_eq!(alg.number(), n);
            assert_eq!(SignatureAlgorithm::from_jws_name(name), Some(alg));
            assert_eq!(SignatureAlgorithm::from_cose_id(id), Some(alg));
        }
        assert_eq!(SignatureAlgorithm::from_jws_name("ps256"), None);
        assert_eq!(SignatureAlgorithm::from_jws_name("RS256"), None);
        assert_eq!(SignatureAlgorithm::from_cose_id(-8), None);
    }

    #[test]
    fn key_rules_pick_the_algorithm_or_reject_with_notations_text() {
        let cases = [
            ("rsa2048-leaf", Ok(SignatureAlgorithm::Ps256)),
            ("rsa3072-leaf", Ok(SignatureAlgorithm::Ps384)),
            ("rsa4096-leaf", Ok(SignatureAlgorithm::Ps512)),
            ("p256-leaf", Ok(SignatureAlgorithm::Es256)),
            ("p384-leaf", Ok(SignatureAlgorithm::Es384)),
            ("p521-leaf", Ok(SignatureAlgorithm::Es512)),
            (
                "rsa1024-leaf",
                Err("rsa key size 1024 bits is not supported"),
            ),
            ("p224-leaf", Err("ecdsa key size 224 bits is not supported")),
            ("ed25519-leaf", Err("unsupported public key type")),
        ];
        for (name, want) in cases {
            let got = SignatureAlgorithm::for_spki(&spki_of_pem(name)).map_err(|e| e.to_string());
            assert_eq!(got, want.map_err(str::to_string), "{name}");
        }
    }

    #[test]
    fn rsa_size_counts_modulus_bytes() {
        // A 2047-bit modulus occupies 256 bytes, so notation counts it as 2048.
        let mut rng = rand::thread_rng();
        let key = RsaPrivateKey::new(&mut rng, 2047).unwrap();
        assert_eq!(
            SignatureAlgorithm::for_spki(&rsa_spki(&key)),
            Ok(SignatureAlgorithm::Ps256)
        );
    }

    fn pss_sign(key: &RsaPrivateKey, hash: HashAlgorithm, msg: &[u8], salt: usize) -> Vec<u8> {
        let mut rng = rand::thread_rng();
        let digest = hash.digest(msg);
        let scheme = match hash {
            HashAlgorithm::Sha256 => rsa::Pss::new_with_salt::<Sha256>(salt),
            HashAlgorithm::Sha384 => rsa::Pss::new_with_salt::<Sha384>(salt),
            HashAlgorithm::Sha512 => rsa::Pss::new_with_salt::<Sha512>(salt),
            HashAlgorithm::Sha1 => rsa::Pss::new_with_salt::<sha1::Sha1>(salt),
        };
        key.sign_with_rng(&mut rng, scheme, &digest).unwrap()
    }

    #[test]
    fn jws_pss_accepts_any_salt_cose_pss_only_hash_length() {
        let cases = [
            ("rsa2048-leaf", SignatureAlgorithm::Ps256),
            ("rsa3072-leaf", SignatureAlgorithm::Ps384),
            ("rsa4096-leaf", SignatureAlgorithm::Ps512),
        ];
        for (name, alg) in cases {
            let key = rsa_key(name);
            let public = PublicKey::from_spki(&rsa_spki(&key)).unwrap();
            let msg = b"protected.payload";
            let h = alg.hash().output_len();
            let max_salt = key.size() - h - 2;
            for salt in [h, 0, 20, max_salt] {
                let sig = pss_sign(&key, alg.hash(), msg, salt);
                assert_eq!(
                    verify_jws_signature(alg, &public, msg, &sig),
                    Ok(()),
                    "{name} salt {salt}"
                );
                let cose = verify_cose_signature(alg, &public, msg, &sig);
                assert_eq!(cose.is_ok(), salt == h, "{name} salt {salt}");
                // The same signature under the ECDSA algorithm of the same hash is refused.
                let ecdsa = match alg {
                    SignatureAlgorithm::Ps256 => SignatureAlgorithm::Es256,
                    SignatureAlgorithm::Ps384 => SignatureAlgorithm::Es384,
                    _ => SignatureAlgorithm::Es512,
                };
                assert!(verify_cose_signature(ecdsa, &public, msg, &sig).is_err());
                assert!(verify_jws_signature(ecdsa, &public, msg, &sig).is_err());
                let mut tampered = sig.clone();
                tampered[10] ^= 1;
                assert_eq!(
                    verify_jws_signature(alg, &public, msg, &tampered)
                        .unwrap_err()
                        .to_string(),
                    "crypto/rsa: verification error"
                );
                assert!(verify_jws_signature(alg, &public, b"protected.payloaD", &sig).is_err());
            }
            // Truncated and overlong signatures.
            let sig = pss_sign(&key, alg.hash(), msg, h);
            assert!(verify_jws_signature(alg, &public, msg, &sig[1..]).is_err());
            assert!(
                verify_jws_signature(alg, &public, msg, &[sig.clone(), vec![0]].concat()).is_err()
            );
            assert!(verify_jws_signature(alg, &public, msg, &[]).is_err());
            assert!(verify_cose_signature(alg, &public, msg, &[]).is_err());
        }
    }

    fn ec_sign(name: &str, hash: HashAlgorithm, msg: &[u8]) -> (PublicKey, Vec<u8>, Vec<u8>) {
        let digest = hash.digest(msg);
        let spki = spki_of_pem(name);
        let pk = PublicKey::from_spki(&spki).unwrap();
        let (raw, der) = if name.starts_with("p256") {
            let sk = p256::ecdsa::SigningKey::from_pkcs8_pem(&key_pem(name)).unwrap();
            let sig: p256::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
            (sig.to_bytes().to_vec(), sig.to_der().as_bytes().to_vec())
        } else if name.starts_with("p384") {
            let sk = p384::ecdsa::SigningKey::from_pkcs8_pem(&key_pem(name)).unwrap();
            let sig: p384::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
            (sig.to_bytes().to_vec(), sig.to_der().as_bytes().to_vec())
        } else {
            let secret = p521::SecretKey::from_pkcs8_pem(&key_pem(name)).unwrap();
            let sk = p521::ecdsa::SigningKey::from_bytes(&secret.to_bytes()).unwrap();
            let sig: p521::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
            (sig.to_bytes().to_vec(), sig.to_der().as_bytes().to_vec())
        };
        (pk, raw, der)
    }

    #[test]
    fn an_ecdsa_signature_offered_under_an_rsa_algorithm_is_refused() {
        use SignatureAlgorithm::{Es256, Es384, Es512, Ps256, Ps384, Ps512};
        let msg = b"protected.payload";
        for (name, ecdsa, rsa) in [
            ("p256-leaf", Es256, Ps256),
            ("p384-leaf", Es384, Ps384),
            ("p521-leaf", Es512, Ps512),
        ] {
            let (public, raw, _) = ec_sign(name, ecdsa.hash(), msg);
            assert_eq!(verify_cose_signature(ecdsa, &public, msg, &raw), Ok(()));
            assert!(verify_cose_signature(rsa, &public, msg, &raw).is_err());
            assert!(verify_jws_signature(rsa, &public, msg, &raw).is_err());
        }
    }

    /// `s^d mod n` over an encoded message of our choosing, padded to the key size.
    fn raw_rsa_sign(key: &RsaPrivateKey, em: &[u8]) -> Vec<u8> {
        use rsa::traits::PrivateKeyParts;
        let s = BigUint::from_bytes_be(em).modpow(key.d(), key.n());
        let mut out = s.to_bytes_be();
        out.splice(0..0, std::iter::repeat_n(0, key.size() - out.len()));
        out
    }

    #[test]
    fn jws_pss_encoding_rules_as_in_go() {
        let key = rsa_key("rsa2048-leaf");
        let public = key.to_public_key();
        let msg = b"protected.payload";
        let digest = HashAlgorithm::Sha256.digest(msg);
        let good = pss_sign(&key, HashAlgorithm::Sha256, msg, 32);
        assert_eq!(
            rsa_pss_verify_auto_salt(&public, HashAlgorithm::Sha256, &digest, &good),
            Ok(())
        );
        // The same encoded message with a trailer other than 0xbc.
        let mut em = BigUint::from_bytes_be(&good)
            .modpow(public.e(), public.n())
            .to_bytes_be();
        if let Some(last) = em.last_mut() {
            *last = 0xbd;
        }
        let bad_trailer = raw_rsa_sign(&key, &em);
        assert_eq!(
            rsa_pss_verify_auto_salt(&public, HashAlgorithm::Sha256, &digest, &bad_trailer),
            Err(())
        );
        // A modulus too short for the hash and the trailer (e = 1, so the signature is the
        // encoded message: a 0xbc trailer and a clear top bit).
        let tiny = RsaPublicKey::new_unchecked(BigUint::from_bytes_be(&[0xff; 32]), 1u8.into());
        let mut em = vec![0x01; 32];
        em[31] = 0xbc;
        assert_eq!(
            rsa_pss_verify_auto_salt(&tiny, HashAlgorithm::Sha256, &digest, &em),
            Err(())
        );
        // The shortest modulus PSS over SHA-256 fits: 34 bytes, so a one-byte DB and no salt
        // (e = 1 again, the encoded message built by hand).
        let mut m_prime = vec![0u8; 8];
        m_prime.extend_from_slice(&digest);
        let h = HashAlgorithm::Sha256.digest(&m_prime);
        let mut em = mgf1(HashAlgorithm::Sha256, &h, 1);
        em[0] = (em[0] ^ 0x01) & 0x7f;
        em.extend_from_slice(&h);
        em.push(0xbc);
        let shortest = RsaPublicKey::new_unchecked(BigUint::from_bytes_be(&[0xff; 34]), 1u8.into());
        assert_eq!(
            rsa_pss_verify_auto_salt(&shortest, HashAlgorithm::Sha256, &digest, &em),
            Ok(())
        );
        // A modulus of 8n + 1 bits: the encoded message is one byte shorter than the key, the
        // byte in front of it must be zero, and all 8 bits of its first byte count (pick a
        // signature whose top bit is set; a salt is random, so half of them have it).
        let odd = RsaPrivateKey::new(&mut rand::thread_rng(), 2049).unwrap();
        let top_bit_set = |signature: &[u8]| {
            let m = BigUint::from_bytes_be(signature).modpow(odd.e(), odd.n());
            m.bits() == 2048
        };
        let signature = std::iter::repeat_with(|| pss_sign(&odd, HashAlgorithm::Sha256, msg, 32))
            .find(|s| top_bit_set(s))
            .unwrap();
        assert_eq!(
            rsa_pss_verify_auto_salt(
                &odd.to_public_key(),
                HashAlgorithm::Sha256,
                &digest,
                &signature
            ),
            Ok(())
        );
    }

    #[test]
    fn jws_and_cose_ecdsa_need_exact_raw_length() {
        let cases = [
            ("p256-leaf", SignatureAlgorithm::Es256),
            ("p384-leaf", SignatureAlgorithm::Es384),
            ("p521-leaf", SignatureAlgorithm::Es512),
        ];
        for (name, alg) in cases {
            let msg = b"header.payload";
            let (pk, raw, der) = ec_sign(name, alg.hash(), msg);
            assert_eq!(verify_jws_signature(alg, &pk, msg, &raw), Ok(()), "{name}");
            assert_eq!(verify_cose_signature(alg, &pk, msg, &raw), Ok(()), "{name}");
            let err = verify_jws_signature(alg, &pk, msg, &der).unwrap_err();
            assert_eq!(err.to_string(), "crypto/ecdsa: verification error");
            assert_eq!(
                verify_cose_signature(alg, &pk, msg, &der)
                    .unwrap_err()
                    .to_string(),
                "verification error"
            );
            let mut tampered = raw.clone();
            tampered[5] ^= 0x40;
            assert!(verify_jws_signature(alg, &pk, msg, &tampered).is_err());
            assert!(verify_jws_signature(alg, &pk, b"header.payloaD", &raw).is_err());
        }
    }

    #[test]
    fn jws_key_type_errors_are_golang_jwts() {
        let rsa = PublicKey::from_spki(&spki_of_pem("rsa2048-leaf")).unwrap();
        let ec = PublicKey::from_spki(&spki_of_pem("p256-leaf")).unwrap();
        let ed = PublicKey::from_spki(&spki_of_pem("ed25519-leaf")).unwrap();
        let sig = [0u8; 64];
        assert_eq!(
            verify_jws_signature(SignatureAlgorithm::Ps256, &ec, b"x", &sig)
                .unwrap_err()
                .to_string(),
            "key is invalid"
        );
        assert_eq!(
            verify_jws_signature(SignatureAlgorithm::Es256, &rsa, b"x", &sig)
                .unwrap_err()
                .to_string(),
            "key is of invalid type"
        );
        assert_eq!(
            verify_jws_signature(SignatureAlgorithm::Es256, &ed, b"x", &sig)
                .unwrap_err()
                .to_string(),
            "key is of invalid type"
        );
    }

    #[test]
    fn jws_es_uses_the_algorithms_hash_on_the_keys_curve() {
        // golang-jwt does not compare curve and method: ES256 with a P-384 key verifies when
        // r and s fit 32 bytes. Here they do not, which must be a clean verification error.
        let msg = b"a.b";
        let (pk, raw, _) = ec_sign("p384-leaf", HashAlgorithm::Sha256, msg);
        assert_eq!(
            verify_jws_signature(SignatureAlgorithm::Es384, &pk, msg, &raw).unwrap_err(),
            JwsSignatureError::Ecdsa
        );
    }

    fn alg_id(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid,
            parameters: None,
        }
    }

    #[test]
    fn x509_rsa_pkcs1_and_sha1_policy() {
        let key = rsa_key("rsa2048-root");
        let spki = rsa_spki(&key);
        let data = b"tbs certificate bytes";
        for (oid, hash) in [
            (oid::SHA256_WITH_RSA, HashAlgorithm::Sha256),
            (oid::SHA384_WITH_RSA, HashAlgorithm::Sha384),
            (oid::SHA512_WITH_RSA, HashAlgorithm::Sha512),
        ] {
            let digest = hash.digest(data);
            let padding = match hash {
                HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
                HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
                _ => rsa::Pkcs1v15Sign::new::<Sha512>(),
            };
            let sig = key.sign(padding, &digest).unwrap();
            assert_eq!(
                verify_x509_signature(&alg_id(oid), &spki, data, &sig),
                Ok(())
            );
            assert_eq!(
                verify_x509_signature(&alg_id(oid), &spki, b"other", &sig)
                    .unwrap_err()
                    .to_string(),
                "crypto/rsa: verification error"
            );
        }
        let sha1_sig = key
            .sign(
                rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                &HashAlgorithm::Sha1.digest(data),
            )
            .unwrap();
        let sha1 = alg_id(oid::SHA1_WITH_RSA);
        assert_eq!(verify_x509_signature(&sha1, &spki, data, &sha1_sig), Ok(()));
        assert_eq!(
            verify_x509_signature_with(&sha1, &spki, data, &sha1_sig, Sha1Policy::Reject)
                .unwrap_err()
                .to_string(),
            "x509: cannot verify signature: insecure algorithm SHA1-RSA"
        );
        // Go refuses the other SHA-1 algorithms on chain links by name, before looking at keys.
        for (oid, name) in [
            (oid::ECDSA_WITH_SHA1, "ECDSA-SHA1"),
            (oid::DSA_WITH_SHA1, "DSA-SHA1"),
        ] {
            assert_eq!(
                verify_x509_signature_with(
                    &alg_id(oid),
                    &spki,
                    data,
                    &sha1_sig,
                    Sha1Policy::Reject
                )
                .unwrap_err()
                .to_string(),
                format!("x509: cannot verify signature: insecure algorithm {name}")
            );
        }
        assert_eq!(
            verify_x509_signature(&alg_id(oid::MD5_WITH_RSA), &spki, data, &sha1_sig)
                .unwrap_err()
                .to_string(),
            "x509: cannot verify signature: insecure algorithm MD5-RSA"
        );
        assert_eq!(
            verify_x509_signature(
                &alg_id(ObjectIdentifier::new_unwrap("1.2.3.4")),
                &spki,
                data,
                &sha1_sig
            )
            .unwrap_err()
            .to_string(),
            "x509: cannot verify signature: algorithm unimplemented"
        );
        assert_eq!(
            verify_x509_signature(&alg_id(oid::ECDSA_WITH_SHA256), &spki, data, &sha1_sig)
                .unwrap_err()
                .to_string(),
            "x509: signature algorithm specifies an ECDSA public key, but have public key of type *rsa.PublicKey"
        );
    }

    #[test]
    fn keys_of_other_types_are_named_by_their_go_type() {
        let ed25519 = spki_of_pem("ed25519-leaf");
        // DSA keys are only named, never used: y = 1 and p = q = g = 1 parse as Go parses them.
        let dsa = SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: key_oid::DSA,
                parameters: Some(
                    der::Any::from_der(&[0x30, 9, 2, 1, 1, 2, 1, 1, 2, 1, 1]).unwrap(),
                ),
            },
            subject_public_key: BitString::from_bytes(&[2, 1, 1]).unwrap(),
        };
        for (spki, go_type) in [(ed25519, "ed25519.PublicKey"), (dsa, "*dsa.PublicKey")] {
            let err = verify_x509_signature(&alg_id(oid::SHA256_WITH_RSA), &spki, b"tbs", b"sig")
                .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("x509: signature algorithm specifies an RSA public key, but have public key of type {go_type}")
            );
        }
    }

    #[test]
    fn x509_rsassa_pss_over_each_sha2_hash_but_not_sha1() {
        let key = rsa_key("rsa3072-root");
        let spki = rsa_spki(&key);
        let data = b"tbs";
        let cases = [
            (
                HashAlgorithm::Sha256,
                rsa::pss::get_default_pss_signature_algo_id::<Sha256>(),
            ),
            (
                HashAlgorithm::Sha384,
                rsa::pss::get_default_pss_signature_algo_id::<Sha384>(),
            ),
            (
                HashAlgorithm::Sha512,
                rsa::pss::get_default_pss_signature_algo_id::<Sha512>(),
            ),
        ];
        for (hash, alg) in cases {
            let signature = pss_sign(&key, hash, data, hash.output_len());
            assert_eq!(
                verify_x509_signature(&alg.unwrap(), &spki, data, &signature),
                Ok(()),
                "{hash:?}"
            );
        }
        let sha1 = rsa::pss::get_default_pss_signature_algo_id::<sha1::Sha1>().unwrap();
        let signature = pss_sign(&key, HashAlgorithm::Sha1, data, 20);
        assert_eq!(
            verify_x509_signature(&sha1, &spki, data, &signature).unwrap_err(),
            X509SignatureError::Unsupported
        );
    }

    #[test]
    fn x509_rsassa_pss_with_parameters() {
        let key = rsa_key("rsa3072-root");
        let spki = rsa_spki(&key);
        let data = b"tbs";
        let alg = rsa::pss::get_default_pss_signature_algo_id::<Sha384>().unwrap();
        let good = pss_sign(&key, HashAlgorithm::Sha384, data, 48);
        assert_eq!(verify_x509_signature(&alg, &spki, data, &good), Ok(()));
        // Go insists on salt = hash length.
        let short_salt = pss_sign(&key, HashAlgorithm::Sha384, data, 20);
        assert!(verify_x509_signature(&alg, &spki, data, &short_salt).is_err());
        // Parameters naming a salt other than the hash length are an unknown algorithm to Go.
        let params = rsa::pkcs1::RsaPssParams::new::<Sha384>(20);
        let odd = AlgorithmIdentifierOwned {
            oid: oid::RSASSA_PSS,
            parameters: Some(der::Any::encode_from(&params).unwrap()),
        };
        assert_eq!(
            verify_x509_signature(&odd, &spki, data, &short_salt).unwrap_err(),
            X509SignatureError::Unsupported
        );
        assert_eq!(
            verify_x509_signature(&alg_id(oid::RSASSA_PSS), &spki, data, &good).unwrap_err(),
            X509SignatureError::Unsupported
        );
    }

    #[test]
    fn short_digests_on_large_curves_verify_as_in_go() {
        let data = b"crl bytes";
        for (name, hash, oid) in [
            ("p521-root", HashAlgorithm::Sha256, oid::ECDSA_WITH_SHA256),
            ("p384-root", HashAlgorithm::Sha1, oid::ECDSA_WITH_SHA1),
        ] {
            let digest = hash.digest(data);
            let spki = spki_of_pem(name);
            let der = if name.starts_with("p521") {
                let secret = p521::SecretKey::from_pkcs8_pem(&key_pem(name)).unwrap();
                let sk = p521::ecdsa::SigningKey::from_bytes(&secret.to_bytes()).unwrap();
                let mut padded = vec![0u8; 33 - digest.len()];
                padded.extend_from_slice(&digest);
                let sig: p521::ecdsa::Signature = sk.sign_prehash(&padded).unwrap();
                sig.to_der().as_bytes().to_vec()
            } else {
                let sk = p384::ecdsa::SigningKey::from_pkcs8_pem(&key_pem(name)).unwrap();
                let mut padded = vec![0u8; 24 - digest.len()];
                padded.extend_from_slice(&digest);
                let sig: p384::ecdsa::Signature = sk.sign_prehash(&padded).unwrap();
                sig.to_der().as_bytes().to_vec()
            };
            assert_eq!(
                verify_x509_signature(&alg_id(oid), &spki, data, &der),
                Ok(()),
                "{name}"
            );
            assert!(verify_x509_signature(&alg_id(oid), &spki, b"other", &der).is_err());
        }
    }

    #[test]
    fn x509_ecdsa_hash_comes_from_the_oid_not_the_curve() {
        let data = b"signed attributes";
        let (_, _, der) = ec_sign("p384-root", HashAlgorithm::Sha256, data);
        let spki = spki_of_pem("p384-root");
        assert_eq!(
            verify_x509_signature(&alg_id(oid::ECDSA_WITH_SHA256), &spki, data, &der),
            Ok(())
        );
        assert_eq!(
            verify_x509_signature(&alg_id(oid::ECDSA_WITH_SHA384), &spki, data, &der)
                .unwrap_err()
                .to_string(),
            "x509: ECDSA verification failure"
        );
        for name in ["p256-root", "p521-root"] {
            let (_, raw, der) = ec_sign(name, HashAlgorithm::Sha512, data);
            let spki = spki_of_pem(name);
            let alg = alg_id(oid::ECDSA_WITH_SHA512);
            assert_eq!(
                verify_x509_signature(&alg, &spki, data, &der),
                Ok(()),
                "{name}"
            );
            // Raw r||s is not DER.
            assert!(verify_x509_signature(&alg, &spki, data, &raw).is_err());
            // Trailing bytes after the SEQUENCE are refused.
            let mut trailing = der.clone();
            trailing.push(0);
            assert!(verify_x509_signature(&alg, &spki, data, &trailing).is_err());
        }
        let rsa_spki = spki_of_pem("rsa2048-root");
        assert_eq!(
            verify_x509_signature(&alg_id(oid::SHA256_WITH_RSA), &spki, data, &der)
                .unwrap_err()
                .to_string(),
            "x509: signature algorithm specifies an RSA public key, but have public key of type *ecdsa.PublicKey"
        );
        assert!(
            verify_x509_signature(&alg_id(oid::ECDSA_WITH_SHA256), &rsa_spki, data, &der).is_err()
        );
    }
}
