//! X.509-style signatures named by an `AlgorithmIdentifier`: certificates, CRLs, OCSP responses
//! and CMS signer infos, with Go's `crypto/x509` rules and words.

use super::rustcrypto::{ecdsa_verify_raw, rsa_pss_verify_strict};
use super::{oid, HashAlgorithm, PublicKey, PublicKeyError};
use crate::pki::key::go_rsa_key_check;
use crate::pki::verify_backend::{self as backend, EcdsaEncoding, RsaPadding};
use der::Decode;
use sha2::{Sha256, Sha384, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

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
            let padding = match scheme {
                X509Scheme::RsaPss(_) => RsaPadding::PssSaltHashLength,
                _ => RsaPadding::Pkcs1v15,
            };
            let ok = backend::rsa_verify(rsa, padding, hash, signed, signature);
            let ok = ok.unwrap_or_else(|| {
                let digest = hash.digest(signed);
                match scheme {
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
                }
            });
            ok.then_some(()).ok_or(X509SignatureError::Rsa)
        }
        X509Scheme::Ecdsa(hash) => {
            if !key.is_ecdsa() {
                return Err(X509SignatureError::KeyMismatch {
                    expected: "ECDSA",
                    actual: key.go_type(),
                });
            }
            let (r, s) = parse_der_ecdsa_signature(signature).ok_or(X509SignatureError::Ecdsa)?;
            // Only a signature Go's parser accepted reaches AWS-LC.
            backend::ecdsa_verify(&key, hash, EcdsaEncoding::Der, signed, signature)
                .unwrap_or_else(|| ecdsa_verify_raw(&key, &hash.digest(signed), &r, &s))
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
