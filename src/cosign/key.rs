//! cosign public keys as source-controller loads them: `cryptoutils.UnmarshalPEMToPublicKey`
//! (Go's `pem.Decode`, then `x509.ParsePKIXPublicKey` whatever the block type) followed by
//! `signature.LoadVerifier(key, crypto.SHA256)`.
//!
//! Written here rather than through [`crate::pki::algorithm::PublicKey`]: that type models what
//! notation accepts (no Ed25519, the hash chosen by the curve), while sigstore's verifier hashes
//! with SHA-256 for every key (a P-384 key then verifies SHA-256 digests only) and verifies
//! Ed25519 over the whole message.

use crate::trust::secret::Secret;
use const_oid::ObjectIdentifier;
use der::{Decode as _, Encode as _};
use sha2::{Digest as _, Sha256};
use spki::SubjectPublicKeyInfoOwned;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");
const X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
const SECP224R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.33");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");

/// A key as named by its source: a Secret's data key (`cosign.pub`) or a `--key` file path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedKey {
    /// The Secret data key or the file name.
    pub name: String,
    /// The raw value (PEM expected).
    pub pem: Vec<u8>,
}

/// The `.pub` entries of a Secret, as source-controller picks them (`strings.HasSuffix(k,
/// ".pub")` over `Secret.Data`). Go ranges over the map in random order; these come sorted by
/// key, and the verifier reports when the order could change Flux's outcome.
pub fn keys_from_secret(secret: &Secret) -> Vec<NamedKey> {
    secret
        .data
        .iter()
        .filter(|(k, _)| k.ends_with(".pub"))
        .map(|(k, v)| NamedKey {
            name: k.clone(),
            pem: v.clone(),
        })
        .collect()
}

/// Why a key cannot be made into a verifier. `Display` is Go's / sigstore's text, which Flux
/// returns as the verification error (and stops the key loop with).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// `cryptoutils.UnmarshalPEMToPublicKey`: no PEM block.
    #[error("PEM decoding failed")]
    PemDecoding,
    /// `x509.ParsePKIXPublicKey` refused the block's bytes.
    #[error("{0}")]
    X509(String),
    /// `signature.LoadVerifier` has no verifier for the key type (DSA, or a curve fluxverify
    /// cannot verify on).
    #[error("unsupported public key type")]
    Unsupported,
}

/// A key sigstore's `LoadVerifier(key, crypto.SHA256)` accepts.
#[derive(Clone)]
pub enum VerifierKey {
    /// RSA, PKCS #1 v1.5 with SHA-256.
    Rsa(rsa::RsaPublicKey),
    /// ECDSA P-256 with SHA-256.
    P256(p256::ecdsa::VerifyingKey),
    /// ECDSA P-384, still with SHA-256.
    P384(p384::ecdsa::VerifyingKey),
    /// ECDSA P-521, still with SHA-256.
    P521(p521::ecdsa::VerifyingKey),
    /// Ed25519 over the whole message.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// 32 bytes that are no curve point: Go loads them as an Ed25519 key (the type is just
    /// bytes) and no signature ever verifies with it.
    Ed25519NotOnCurve,
}

impl std::fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// sigstore's ECDSA verifier error (`ecdsa.VerifyASN1` said no).
pub const ECDSA_INVALID: &str = "invalid signature when validating ASN.1 encoded signature";
/// Go's `rsa.ErrVerification`.
pub const RSA_INVALID: &str = "crypto/rsa: verification error";
/// sigstore's Ed25519 verifier error.
pub const ED25519_INVALID: &str = "failed to verify signature";

impl VerifierKey {
    /// What kind of key this is, for reports.
    pub fn describe(&self) -> String {
        match self {
            VerifierKey::Rsa(k) => {
                use rsa::traits::PublicKeyParts as _;
                format!("RSA {} bits", k.n().bits())
            }
            VerifierKey::P256(_) => "ECDSA P-256".into(),
            VerifierKey::P384(_) => "ECDSA P-384".into(),
            VerifierKey::P521(_) => "ECDSA P-521".into(),
            VerifierKey::Ed25519(_) | VerifierKey::Ed25519NotOnCurve => "Ed25519".into(),
        }
    }

    /// sigstore's `VerifySignature` with `options.WithDigest(digest)`: the signature over a
    /// SHA-256 digest given as is (Ed25519 cannot verify a bare digest).
    pub fn verify_digest(&self, digest: &[u8], signature: &[u8]) -> Result<(), String> {
        use ecdsa::signature::hazmat::PrehashVerifier as _;
        match self {
            VerifierKey::Rsa(key) => rsa_size_check(key)?
                .verify(rsa::Pkcs1v15Sign::new::<Sha256>(), digest, signature)
                .map_err(|_| RSA_INVALID.to_owned()),
            VerifierKey::P256(key) => {
                let sig = p256::ecdsa::Signature::from_der(signature).map_err(|_| ECDSA_INVALID.to_owned())?;
                key.verify_prehash(digest, &sig).map_err(|_| ECDSA_INVALID.to_owned())
            }
            VerifierKey::P384(key) => {
                let sig = p384::ecdsa::Signature::from_der(signature).map_err(|_| ECDSA_INVALID.to_owned())?;
                key.verify_prehash(digest, &sig).map_err(|_| ECDSA_INVALID.to_owned())
            }
            VerifierKey::P521(key) => {
                let sig = p521::ecdsa::Signature::from_der(signature).map_err(|_| ECDSA_INVALID.to_owned())?;
                key.verify_prehash(&pad_to_p521(digest), &sig)
                    .map_err(|_| ECDSA_INVALID.to_owned())
            }
            VerifierKey::Ed25519(_) | VerifierKey::Ed25519NotOnCurve => {
                Err("message signatures with ed25519 signatures can only be verified with artifacts, and not just their digest".into())
            }
        }
    }

    /// sigstore's `VerifySignature(signature, message)` for a verifier loaded with SHA-256.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), String> {
        let digest = Sha256::digest(message);
        match self {
            VerifierKey::Rsa(key) => rsa_size_check(key)?
                .verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest, signature)
                .map_err(|_| RSA_INVALID.to_owned()),
            VerifierKey::P256(key) => {
                use ecdsa::signature::hazmat::PrehashVerifier as _;
                let sig = p256::ecdsa::Signature::from_der(signature)
                    .map_err(|_| ECDSA_INVALID.to_owned())?;
                key.verify_prehash(&digest, &sig)
                    .map_err(|_| ECDSA_INVALID.to_owned())
            }
            VerifierKey::P384(key) => {
                use ecdsa::signature::hazmat::PrehashVerifier as _;
                let sig = p384::ecdsa::Signature::from_der(signature)
                    .map_err(|_| ECDSA_INVALID.to_owned())?;
                // Go reads a digest shorter than the order as the integer it spells; the
                // ecdsa crate left-pads it to the field size, which is the same integer.
                key.verify_prehash(&digest, &sig)
                    .map_err(|_| ECDSA_INVALID.to_owned())
            }
            VerifierKey::P521(key) => {
                use ecdsa::signature::hazmat::PrehashVerifier as _;
                let sig = p521::ecdsa::Signature::from_der(signature)
                    .map_err(|_| ECDSA_INVALID.to_owned())?;
                // The ecdsa crate refuses digests shorter than half the field; padded to the
                // field size with zero bytes the integer is unchanged (Go does not shift a
                // digest shorter than the order).
                key.verify_prehash(&pad_to_p521(&digest), &sig)
                    .map_err(|_| ECDSA_INVALID.to_owned())
            }
            VerifierKey::Ed25519(key) => {
                let sig = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| ED25519_INVALID.to_owned())?;
                // Go's ed25519.Verify: canonical S, cofactorless, small-order points allowed —
                // dalek's `verify`, not `verify_strict`.
                use ed25519_dalek::Verifier as _;
                key.verify(message, &sig)
                    .map_err(|_| ED25519_INVALID.to_owned())
            }
            VerifierKey::Ed25519NotOnCurve => Err(ED25519_INVALID.to_owned()),
        }
    }
}

/// Go (1.24 on) refuses RSA keys under 1024 bits when verifying, with this text.
fn rsa_size_check(key: &rsa::RsaPublicKey) -> Result<&rsa::RsaPublicKey, String> {
    use rsa::traits::PublicKeyParts as _;
    let bits = key.n().bits();
    if bits < 1024 {
        return Err(format!(
            "crypto/rsa: {bits}-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)"
        ));
    }
    Ok(key)
}

/// A digest left-padded with zero bytes to P-521's 66-byte field (digests longer than that are
/// cut to it, as `bits2field` does).
fn pad_to_p521(digest: &[u8]) -> [u8; 66] {
    let mut padded = [0u8; 66];
    let take = digest.len().min(66);
    if let (Some(tail), Some(head)) = (padded.get_mut(66 - take..), digest.get(..take)) {
        tail.copy_from_slice(head);
    }
    padded
}

/// sigstore's `cryptoutils.PublicKeyPEMType`.
const PUBLIC_KEY_PEM_TYPE: &str = "PUBLIC KEY";
/// sigstore's `cryptoutils.PKCS1PublicKeyPEMType`.
const PKCS1_PUBLIC_KEY_PEM_TYPE: &str = "RSA PUBLIC KEY";

/// `cryptoutils.UnmarshalPEMToPublicKey` (sigstore v1.10, which source-controller v1.9.1
/// builds with) + `signature.LoadVerifier(key, crypto.SHA256)`: the first PEM block's type
/// decides the parser, `PUBLIC KEY` (PKIX) or `RSA PUBLIC KEY` (PKCS #1); any other type is
/// refused by name.
pub fn load_verifier(pem: &[u8]) -> Result<VerifierKey, KeyError> {
    let Some((block, _)) = crate::trust::pem::decode(pem) else {
        return Err(KeyError::PemDecoding);
    };
    match block.kind.as_str() {
        PUBLIC_KEY_PEM_TYPE => parse_pkix_public_key(&block.bytes),
        PKCS1_PUBLIC_KEY_PEM_TYPE => parse_pkcs1_public_key(&block.bytes).map(VerifierKey::Rsa),
        // sigstore cryptoutils.UnmarshalPEMToPublicKey's default case.
        other => Err(KeyError::X509(format!(
            "unknown Public key PEM file type: {other}. Are you passing the correct public key?"
        ))),
    }
}

/// Go's `x509.ParsePKCS1PublicKey`.
fn parse_pkcs1_public_key(der: &[u8]) -> Result<rsa::RsaPublicKey, KeyError> {
    use crate::golang::asn1::{unmarshal, PKCS1_PUBLIC_KEY, PUBLIC_KEY_INFO};
    let rest = match unmarshal(der, &PKCS1_PUBLIC_KEY) {
        Ok(rest) => rest,
        Err(e) => {
            if unmarshal(der, &PUBLIC_KEY_INFO).is_ok() {
                return Err(KeyError::X509(
                    "x509: failed to parse public key (use ParsePKIXPublicKey instead for this key format)".into(),
                ));
            }
            return Err(KeyError::X509(e));
        }
    };
    if !rest.is_empty() {
        return Err(KeyError::X509("asn1: syntax error: trailing data".into()));
    }
    // The walk above accepted the structure: SEQUENCE { INTEGER n, INTEGER e (at most 8 bytes) }.
    use crate::golang::cryptobyte::{tag, Input};
    let mut seq = Input::new(der)
        .read(tag::SEQUENCE)
        .map(Input::new)
        .ok_or_else(|| KeyError::X509("x509: invalid RSA public key".into()))?;
    let n = seq.read_big_integer().unwrap_or_default();
    let e = seq.read_int64().unwrap_or_default();
    if !crate::golang::asn1::integer_is_positive(n) || e <= 0 {
        return Err(KeyError::X509(
            "x509: public key contains zero or negative value".into(),
        ));
    }
    if e > i64::from(i32::MAX) {
        return Err(KeyError::X509(
            "x509: public key contains large public exponent".into(),
        ));
    }
    let n = rsa::BigUint::from_bytes_be(n);
    rsa::RsaPublicKey::new_with_max_size(n, rsa::BigUint::from(e as u64), 16384)
        .map_err(|e| KeyError::X509(format!("x509: invalid RSA public key: {e}")))
}

/// Go's `x509.ParsePKIXPublicKey` (the texts of its common failures) and sigstore's key switch.
pub fn parse_pkix_public_key(der: &[u8]) -> Result<VerifierKey, KeyError> {
    use crate::golang::asn1::{unmarshal, PKCS1_PUBLIC_KEY, PUBLIC_KEY_INFO};
    match unmarshal(der, &PUBLIC_KEY_INFO) {
        Err(e) => {
            if unmarshal(der, &PKCS1_PUBLIC_KEY).is_ok() {
                return Err(KeyError::X509(
                    "x509: failed to parse public key (use ParsePKCS1PublicKey instead for this key format)".into(),
                ));
            }
            return Err(KeyError::X509(e));
        }
        Ok(rest) if !rest.is_empty() => {
            return Err(KeyError::X509(
                "x509: trailing data after ASN.1 of public-key".into(),
            ));
        }
        Ok(_) => {}
    }
    // Go's walk accepted it; what the spki crate still refuses (extra elements Go tolerates at
    // the end of a SEQUENCE) is reported in the crate's words.
    let spki = SubjectPublicKeyInfoOwned::from_der(der)
        .map_err(|e| KeyError::X509(format!("asn1: structure error: {e}")))?;
    let key_bytes = spki.subject_public_key.raw_bytes();
    let curve = || {
        spki.algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
    };
    let bad_point = |_| KeyError::X509("x509: failed to unmarshal elliptic curve point".into());
    match spki.algorithm.oid {
        RSA_ENCRYPTION => {
            // Go 1.26 crypto/x509 parsePublicKey, RSA case.
            use crate::golang::cryptobyte::{tag, Input};
            let null = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.to_der().ok());
            if null.as_deref() != Some(&[0x05, 0x00][..]) {
                return Err(KeyError::X509(
                    "x509: RSA key missing NULL parameters".into(),
                ));
            }
            let x509 = |m: &str| KeyError::X509(format!("x509: {m}"));
            let mut seq = Input::new(key_bytes)
                .read(tag::SEQUENCE)
                .map(Input::new)
                .ok_or_else(|| x509("invalid RSA public key"))?;
            let n = seq
                .read_big_integer()
                .ok_or_else(|| x509("invalid RSA modulus"))?;
            let e = seq
                .read_int64()
                .ok_or_else(|| x509("invalid RSA public exponent"))?;
            if !crate::golang::asn1::integer_is_positive(n) {
                return Err(x509("RSA modulus is not a positive number"));
            }
            if e <= 0 {
                return Err(x509("RSA public exponent is not a positive number"));
            }
            let n = rsa::BigUint::from_bytes_be(n);
            rsa::RsaPublicKey::new_with_max_size(n, rsa::BigUint::from(e as u64), 16384)
                .map(VerifierKey::Rsa)
                .map_err(|e| KeyError::X509(format!("x509: invalid RSA public key: {e}")))
        }
        EC_PUBLIC_KEY => match curve() {
            Some(SECP256R1) => p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
                .map(VerifierKey::P256)
                .map_err(bad_point),
            Some(SECP384R1) => p384::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
                .map(VerifierKey::P384)
                .map_err(bad_point),
            Some(SECP521R1) => p521::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes)
                .map(VerifierKey::P521)
                .map_err(bad_point),
            // Go parses P-224 keys; no crate here verifies on that curve.
            Some(SECP224R1) => Err(KeyError::Unsupported),
            _ => Err(KeyError::X509("x509: unsupported elliptic curve".into())),
        },
        ED25519 => {
            if spki.algorithm.parameters.is_some() {
                return Err(KeyError::X509(
                    "x509: Ed25519 key encoded with illegal parameters".into(),
                ));
            }
            let bytes: [u8; 32] = key_bytes
                .try_into()
                .map_err(|_| KeyError::X509("x509: wrong Ed25519 public key size".into()))?;
            // Go accepts any 32 bytes here and fails at verification time instead.
            Ok(ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map_or(VerifierKey::Ed25519NotOnCurve, VerifierKey::Ed25519))
        }
        // Go parses these (*dsa.PublicKey, *ecdh.PublicKey); sigstore has no verifier for them.
        DSA => Err(KeyError::Unsupported),
        X25519 => {
            if key_bytes.len() != 32 {
                return Err(KeyError::X509("x509: wrong X25519 public key size".into()));
            }
            Err(KeyError::Unsupported)
        }
        _ => Err(KeyError::X509("x509: unknown public key algorithm".into())),
    }
}

/// The SHA-256 of the key's DER SubjectPublicKeyInfo, base64: what cosign writes as a bundle's
/// `publicKey.hint`. Reports show it so a bundle can be matched to its key by eye.
pub fn key_hint(pem: &[u8]) -> Option<String> {
    use base64::Engine as _;
    let (block, _) = crate::trust::pem::decode(pem)?;
    let der = match block.kind.as_str() {
        PUBLIC_KEY_PEM_TYPE => SubjectPublicKeyInfoOwned::from_der(&block.bytes)
            .ok()?
            .to_der()
            .ok()?,
        PKCS1_PUBLIC_KEY_PEM_TYPE => {
            // The same key as PKIX: rsaEncryption with NULL parameters around the PKCS #1 bytes.
            let spki = SubjectPublicKeyInfoOwned {
                algorithm: spki::AlgorithmIdentifierOwned {
                    oid: RSA_ENCRYPTION,
                    parameters: Some(der::asn1::Null.into()),
                },
                subject_public_key: der::asn1::BitString::from_bytes(&block.bytes).ok()?,
            };
            spki.to_der().ok()?
        }
        _ => return None,
    };
    Some(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(der)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_pem_is_pem_decoding_failed() {
        assert_eq!(
            load_verifier(b"this is not a PEM public key\n").unwrap_err(),
            KeyError::PemDecoding
        );
        assert_eq!(KeyError::PemDecoding.to_string(), "PEM decoding failed");
    }

    #[test]
    fn the_block_type_chooses_the_parser() {
        // A PKIX key in a CERTIFICATE block: refused by its type, as sigstore's
        // UnmarshalPEMToPublicKey refuses it.
        let pem = b"-----BEGIN CERTIFICATE-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEjxJcAR7hR4boG47BAsMU+EoXVZn9\nJUNVUVbL7eF1uXNkRrVRiaHp2utz7csNXqTKBQpZw2PWGkukbU89bOG8Qw==\n-----END CERTIFICATE-----\n";
        assert_eq!(
            load_verifier(pem).unwrap_err().to_string(),
            "unknown Public key PEM file type: CERTIFICATE. Are you passing the correct public key?"
        );
        let as_public = String::from_utf8_lossy(pem).replace("CERTIFICATE", "PUBLIC KEY");
        assert_eq!(
            load_verifier(as_public.as_bytes()).unwrap().describe(),
            "ECDSA P-256"
        );
    }

    fn pem(der: &[u8]) -> Vec<u8> {
        use base64::Engine as _;
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(der)
        )
        .into_bytes()
    }

    fn spki(oid: &str, key: &[u8]) -> Vec<u8> {
        // SEQUENCE { SEQUENCE { OID }, BIT STRING { 0, key } } for short keys.
        let oid = ObjectIdentifier::new_unwrap(oid);
        let oid_der = oid.to_der().unwrap();
        let mut alg = vec![0x30, oid_der.len() as u8];
        alg.extend_from_slice(&oid_der);
        let mut bits = vec![0x03, key.len() as u8 + 1, 0];
        bits.extend_from_slice(key);
        let mut out = vec![0x30, (alg.len() + bits.len()) as u8];
        out.extend(alg);
        out.extend(bits);
        out
    }

    #[test]
    fn key_types_as_go_and_sigstore_take_them() {
        let point = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]).verifying_key();
        assert!(matches!(
            load_verifier(&pem(&spki("1.3.101.112", point.as_bytes()))),
            Ok(VerifierKey::Ed25519(_))
        ));
        // Not a point: loads (as in Go), never verifies.
        let not_point = (0u8..=255)
            .map(|b| [b; 32])
            .find(|bytes| ed25519_dalek::VerifyingKey::from_bytes(bytes).is_err())
            .unwrap();
        let key = load_verifier(&pem(&spki("1.3.101.112", &not_point))).unwrap();
        assert_eq!(key.describe(), "Ed25519");
        assert_eq!(
            key.verify(b"m", &[0u8; 64]),
            Err(ED25519_INVALID.to_owned())
        );
        assert_eq!(
            load_verifier(&pem(&spki("1.3.101.112", &[7u8; 31]))).unwrap_err(),
            KeyError::X509("x509: wrong Ed25519 public key size".into())
        );
        assert_eq!(
            load_verifier(&pem(&spki("1.3.101.110", &[9u8; 32]))).unwrap_err(),
            KeyError::Unsupported
        );
        assert_eq!(
            load_verifier(&pem(&spki("1.2.3.4", &[1u8; 8]))).unwrap_err(),
            KeyError::X509("x509: unknown public key algorithm".into())
        );
        assert_eq!(
            KeyError::Unsupported.to_string(),
            "unsupported public key type"
        );
    }

    fn rsa_key() -> rsa::RsaPublicKey {
        let n = rsa::BigUint::from_bytes_be(&[0xc5; 128]);
        rsa::RsaPublicKey::new(n, rsa::BigUint::from(65537u32)).unwrap()
    }

    #[test]
    fn pkcs1_der_in_a_public_key_block_gets_gos_hint() {
        use rsa::pkcs1::EncodeRsaPublicKey as _;
        let der = rsa_key().to_pkcs1_der().unwrap();
        assert_eq!(
            load_verifier(&pem(der.as_bytes())).unwrap_err(),
            KeyError::X509(
                "x509: failed to parse public key (use ParsePKCS1PublicKey instead for this key format)"
                    .into()
            )
        );
    }

    #[test]
    fn an_rsa_public_key_block_is_pkcs1() {
        use rsa::pkcs1::EncodeRsaPublicKey as _;
        use rsa::pkcs8::EncodePublicKey as _;
        let pkcs1 = rsa_key().to_pkcs1_pem(Default::default()).unwrap();
        assert!(pkcs1.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
        assert_eq!(
            load_verifier(pkcs1.as_bytes()).unwrap().describe(),
            "RSA 1024 bits"
        );
        // The hint is the PKIX key's, as cosign computes it from the parsed key.
        let pkix = rsa_key().to_public_key_pem(Default::default()).unwrap();
        assert_eq!(key_hint(pkcs1.as_bytes()), key_hint(pkix.as_bytes()));
        assert!(key_hint(pkix.as_bytes()).is_some());
        // PKIX bytes in an RSA PUBLIC KEY block.
        let swapped = pkix.replace("PUBLIC KEY", "RSA PUBLIC KEY");
        assert_eq!(
            load_verifier(swapped.as_bytes()).unwrap_err().to_string(),
            "x509: failed to parse public key (use ParsePKIXPublicKey instead for this key format)"
        );
    }

    #[test]
    fn truncated_der_is_gos_data_truncated() {
        use rsa::pkcs8::EncodePublicKey as _;
        let der = rsa_key().to_public_key_der().unwrap();
        let cut = der.as_bytes().get(..40).unwrap();
        assert_eq!(
            load_verifier(&pem(cut)).unwrap_err().to_string(),
            "asn1: syntax error: data truncated"
        );
    }

    #[test]
    fn private_key_blocks_are_refused_by_type() {
        for kind in [
            "PRIVATE KEY",
            "EC PRIVATE KEY",
            "ENCRYPTED SIGSTORE PRIVATE KEY",
        ] {
            let text = format!("-----BEGIN {kind}-----\nAAAA\n-----END {kind}-----\n");
            assert_eq!(
                load_verifier(text.as_bytes()).unwrap_err().to_string(),
                format!("unknown Public key PEM file type: {kind}. Are you passing the correct public key?")
            );
        }
    }

    #[test]
    fn garbage_der_is_an_x509_error() {
        let pem = b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        assert!(matches!(load_verifier(pem), Err(KeyError::X509(_))));
    }
}
