//! notation-core-go's certificate chain rules (`x509.ValidateCodeSigningCertChain` and
//! `x509.ValidateTimestampingCertChain`), with its messages.
//!
//! notation does not build paths: the envelope carries the chain ordered leaf first, root last,
//! and every link is checked with Go's `CheckSignatureFrom` (parent must be a CA, with certSign
//! if it has a key usage; SHA-1 refused). A single certificate must be self-signed in the
//! weaker sense of Go's `CheckSignature` (no CA constraints, SHA-1 allowed).
//!
//! Deliberate divergences from the Notary Project specification, kept because notation-go
//! v1.3.2 behaves this way: a leaf EKU of `anyExtendedKeyUsage` is accepted, basicConstraints
//! criticality is never checked (though the message says "critical"), and validity periods are
//! not checked here at all (notation checks them in the authentic-timestamp step).

use super::algorithm::{
    verify_x509_signature_with, KeySpecError, Sha1Policy, SignatureAlgorithm, X509SignatureError,
};
use super::cert::Certificate;
use const_oid::db::rfc5280::{ID_CE_EXT_KEY_USAGE, ID_CE_KEY_USAGE};
use const_oid::ObjectIdentifier;
use der::Decode;
use std::collections::HashMap;
use std::sync::Mutex;
use x509_cert::ext::pkix::ExtendedKeyUsage;

pub use crate::golang::quote::go_quote;

/// Why Go's `CheckSignatureFrom(parent)` failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureFromError {
    /// The parent is no CA, or its key usage lacks certSign (`x509.ConstraintViolationError`).
    #[error("x509: invalid signature: parent certificate cannot sign this kind of certificate")]
    ConstraintViolation,
    /// The signature itself.
    #[error(transparent)]
    Signature(#[from] X509SignatureError),
}

/// A chain rule that failed; `Display` is notation-core-go's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// No certificates at all.
    #[error("certificate chain must contain at least one certificate")]
    Empty,
    /// A lone certificate whose signature does not verify with its own key.
    #[error("invalid self-signed certificate. subject: {}. Error: {source}", go_quote(.subject))]
    SelfSignedSignature {
        /// Subject (Go form).
        subject: String,
        /// The signature failure.
        source: X509SignatureError,
    },
    /// A lone certificate whose issuer differs from its subject.
    #[error("invalid self-signed certificate. subject: {}. Error: issuer({issuer}) and subject({subject}) are not the same", go_quote(.subject))]
    SelfSignedNotSelfIssued {
        /// Subject (Go form).
        subject: String,
        /// Issuer (Go form).
        issuer: String,
    },
    /// A lone certificate breaking a leaf rule.
    #[error("invalid self-signed certificate. Error: {0}")]
    SelfSignedLeafRule(Box<ChainError>),
    /// The last certificate is not self-signed according to `CheckSignatureFrom`.
    #[error("root certificate with subject {} is invalid or not self-signed. Certificate chain must end with a valid self-signed root certificate. Error: {source}", go_quote(.subject))]
    RootInvalid {
        /// Subject (Go form).
        subject: String,
        /// Why the self-signature failed.
        source: SignatureFromError,
    },
    /// The last certificate verifies under its own key but its issuer is another name.
    #[error("root certificate with subject {} is not self-signed. Certificate chain must end with a valid self-signed root certificate", go_quote(.subject))]
    RootNotSelfIssued {
        /// Subject (Go form).
        subject: String,
    },
    /// The first of several certificates is self-signed.
    #[error("leaf certificate with subject {} is self-signed. Certificate chain must not contain self-signed leaf certificate", go_quote(.subject))]
    LeafSelfSigned {
        /// Subject (Go form).
        subject: String,
    },
    /// A middle certificate is self-signed.
    #[error("intermediate certificate with subject {} is self-signed. Certificate chain must not contain self-signed intermediate certificate", go_quote(.subject))]
    IntermediateSelfSigned {
        /// Subject (Go form).
        subject: String,
    },
    /// The next certificate's key does not verify this one (or may not sign certificates).
    #[error("invalid certificates or certificate with subject {} is not issued by {}. Error: {source}", go_quote(.subject), go_quote(.issuer))]
    NotIssuedByError {
        /// Subject of the child (Go form).
        subject: String,
        /// Subject of the next certificate (Go form).
        issuer: String,
        /// Why.
        source: SignatureFromError,
    },
    /// The signature verifies but the child's issuer name is not the parent's subject.
    #[error("certificate with subject {} is not issued by {}", go_quote(.subject), go_quote(.issuer))]
    NotIssuedBy {
        /// Subject of the child (Go form).
        subject: String,
        /// Subject of the next certificate (Go form).
        issuer: String,
    },
    /// Leaf with basicConstraints cA=true.
    #[error("certificate with subject {}: if the basic constraints extension is present, the ca field must be set to false", go_quote(.subject))]
    LeafIsCa {
        /// Subject (Go form).
        subject: String,
    },
    /// Key usage extension present but not critical (code signing only).
    #[error("certificate with subject {}: key usage extension must be marked critical", go_quote(.subject))]
    KeyUsageNotCritical {
        /// Subject (Go form).
        subject: String,
    },
    /// No key usage extension.
    #[error("certificate with subject {}: key usage extension must be present", go_quote(.subject))]
    KeyUsageMissing {
        /// Subject (Go form).
        subject: String,
    },
    /// Leaf key usage without digitalSignature.
    #[error("the certificate with subject {} is invalid. The key usage must have the bit positions for \"Digital Signature\" set", go_quote(.subject))]
    NoDigitalSignature {
        /// Subject (Go form).
        subject: String,
    },
    /// Leaf key usage with more than digitalSignature (and nonRepudiation).
    #[error("the certificate with subject {} is invalid. The key usage must be \"Digital Signature\" only, but found {found}", go_quote(.subject))]
    ExtraKeyUsage {
        /// Subject (Go form).
        subject: String,
        /// Go's list, e.g. `"KeyEncipherment", "CertSign"`.
        found: String,
    },
    /// Leaf EKU naming a purpose notation excludes for code signing.
    #[error("certificate with subject {}: extended key usage must not contain {eku} eku", go_quote(.subject))]
    ForbiddenEku {
        /// Subject (Go form).
        subject: String,
        /// Go's name of the EKU (`ServerAuth`, `Timestamping` …).
        eku: &'static str,
    },
    /// Leaf key notation does not sign with.
    #[error("certificate with subject {}: {source}", go_quote(.subject))]
    KeySpec {
        /// Subject (Go form).
        subject: String,
        /// The key rule.
        source: KeySpecError,
    },
    /// CA without valid basicConstraints cA=true.
    #[error("certificate with subject {}: ca field in basic constraints must be present, critical, and set to true", go_quote(.subject))]
    CaBasicConstraints {
        /// Subject (Go form).
        subject: String,
    },
    /// CA whose pathLenConstraint is below its position in the chain.
    #[error("certificate with subject {}: expected path length of {expected} but certificate has path length {actual} instead", go_quote(.subject))]
    PathLength {
        /// Subject (Go form).
        subject: String,
        /// Number of CAs below this one.
        expected: usize,
        /// The certificate's pathLenConstraint.
        actual: u64,
    },
    /// CA key usage without keyCertSign.
    #[error("certificate with subject {}: key usage must have the bit positions for key cert sign set", go_quote(.subject))]
    NoCertSign {
        /// Subject (Go form).
        subject: String,
    },
    /// Timestamping leaf whose EKU is not exactly timeStamping.
    #[error("timestamp signing certificate with subject {} must have and only have Timestamping as extended key usage", go_quote(.subject))]
    TimestampingEku {
        /// Subject (Go form).
        subject: String,
    },
    /// Timestamping leaf whose EKU extension is not critical.
    #[error("timestamp signing certificate with subject {} must have extended key usage extension marked as critical", go_quote(.subject))]
    TimestampingEkuNotCritical {
        /// Subject (Go form).
        subject: String,
    },
}

/// Which rule set a chain is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    CodeSigning,
    Timestamping,
}

/// notation-core-go `ValidateCodeSigningCertChain(chain, nil)`: the rules applied at integrity.
pub fn validate_code_signing_chain(chain: &[Certificate]) -> Result<(), ChainError> {
    validate_chain(chain, Purpose::CodeSigning)
}

/// notation-core-go `ValidateTimestampingCertChain`: as for code signing, except that key usage
/// need not be critical and the leaf EKU must be exactly `timeStamping`, marked critical.
pub fn validate_timestamping_chain(chain: &[Certificate]) -> Result<(), ChainError> {
    validate_chain(chain, Purpose::Timestamping)
}

fn validate_chain(chain: &[Certificate], purpose: Purpose) -> Result<(), ChainError> {
    let [first, rest @ ..] = chain else {
        return Err(ChainError::Empty);
    };
    if rest.is_empty() {
        let cert = first;
        // Go's `CheckSignature` on itself: SHA-1 allowed, CA constraints not looked at.
        verify_x509_signature_with(
            cert.signature_algorithm(),
            cert.public_key(),
            cert.raw_tbs(),
            cert.signature(),
            Sha1Policy::Allow,
        )
        .map_err(|source| ChainError::SelfSignedSignature {
            subject: cert.subject(),
            source,
        })?;
        if !cert.is_self_issued() {
            return Err(ChainError::SelfSignedNotSelfIssued {
                subject: cert.subject(),
                issuer: cert.issuer(),
            });
        }
        return validate_leaf(cert, purpose)
            .map_err(|e| ChainError::SelfSignedLeafRule(Box::new(e)));
    }

    let last = chain.len() - 1;
    for (i, cert) in chain.iter().enumerate() {
        if i == last {
            match is_issued_by(cert, cert) {
                Err(source) => {
                    return Err(ChainError::RootInvalid {
                        subject: cert.subject(),
                        source,
                    })
                }
                Ok(false) => {
                    return Err(ChainError::RootNotSelfIssued {
                        subject: cert.subject(),
                    })
                }
                Ok(true) => {}
            }
        } else {
            if let Ok(true) = is_issued_by(cert, cert) {
                return Err(if i == 0 {
                    ChainError::LeafSelfSigned {
                        subject: cert.subject(),
                    }
                } else {
                    ChainError::IntermediateSelfSigned {
                        subject: cert.subject(),
                    }
                });
            }
            let Some(parent) = chain.get(i + 1) else {
                return Err(ChainError::Empty);
            };
            match is_issued_by(cert, parent) {
                Err(source) => {
                    return Err(ChainError::NotIssuedByError {
                        subject: cert.subject(),
                        issuer: parent.subject(),
                        source,
                    })
                }
                Ok(false) => {
                    return Err(ChainError::NotIssuedBy {
                        subject: cert.subject(),
                        issuer: parent.subject(),
                    })
                }
                Ok(true) => {}
            }
        }
        if i == 0 {
            validate_leaf(cert, purpose)?;
        } else {
            validate_ca(cert, i - 1, purpose)?;
        }
    }
    Ok(())
}

/// notation's `isIssuedBy`: Go's `child.CheckSignatureFrom(parent)`, then the parent's raw
/// subject must equal the child's raw issuer.
fn is_issued_by(child: &Certificate, parent: &Certificate) -> Result<bool, SignatureFromError> {
    check_signature_from(child, parent)?;
    Ok(parent.raw_subject() == child.raw_issuer())
}

/// Go 1.26 `Certificate.CheckSignatureFrom`, memoised for the process: the answer depends on
/// the two certificates' bytes alone, and a verification asks it for every link twice
/// (integrity, then revocation), the trust store and timestamp path building again.
pub fn check_signature_from(
    child: &Certificate,
    parent: &Certificate,
) -> Result<(), SignatureFromError> {
    type Links = HashMap<(Vec<u8>, Vec<u8>), Result<(), SignatureFromError>>;
    /// Enough for any chain set a run meets; a `scan` beyond it starts over rather than grow.
    const MAX_LINKS: usize = 4096;
    static LINKS: Mutex<Option<Links>> = Mutex::new(None);
    let key = (child.der().to_vec(), parent.der().to_vec());
    if let Some(known) = LINKS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .and_then(|links| links.get(&key))
    {
        return known.clone();
    }
    let result = check_signature_from_uncached(child, parent);
    let mut links = LINKS.lock().unwrap_or_else(|e| e.into_inner());
    let links = links.get_or_insert_with(HashMap::new);
    if links.len() >= MAX_LINKS {
        links.clear();
    }
    links.insert(key, result.clone());
    result
}

fn check_signature_from_uncached(
    child: &Certificate,
    parent: &Certificate,
) -> Result<(), SignatureFromError> {
    let bc = parent.basic_constraints();
    if (parent.version() == 3 && bc.is_none()) || bc.as_ref().is_some_and(|bc| !bc.ca) {
        return Err(SignatureFromError::ConstraintViolation);
    }
    let ku = go_key_usage(parent);
    if ku != 0 && ku & KU_CERT_SIGN == 0 {
        return Err(SignatureFromError::ConstraintViolation);
    }
    verify_x509_signature_with(
        child.signature_algorithm(),
        parent.public_key(),
        child.raw_tbs(),
        child.signature(),
        Sha1Policy::Reject,
    )
    .map_err(SignatureFromError::Signature)
}

const KU_DIGITAL_SIGNATURE: u16 = 1 << 0;
const KU_KEY_ENCIPHERMENT: u16 = 1 << 2;
const KU_DATA_ENCIPHERMENT: u16 = 1 << 3;
const KU_KEY_AGREEMENT: u16 = 1 << 4;
const KU_CERT_SIGN: u16 = 1 << 5;
const KU_CRL_SIGN: u16 = 1 << 6;
const KU_ENCIPHER_ONLY: u16 = 1 << 7;
const KU_DECIPHER_ONLY: u16 = 1 << 8;

/// Go's `Certificate.KeyUsage` bit mask (bit i = KeyUsage bit i), 0 when absent.
fn go_key_usage(cert: &Certificate) -> u16 {
    cert.key_usage().unwrap_or(0)
}

/// Go's `x509.ExtKeyUsage` names of the EKUs notation refuses on a code-signing leaf, and of
/// timeStamping. codeSigning and anyExtendedKeyUsage are accepted wherever they appear, so they
/// need no name.
fn eku_name(oid: &ObjectIdentifier) -> Option<&'static str> {
    const KP: &str = "1.3.6.1.5.5.7.3.";
    match oid.to_string().strip_prefix(KP) {
        Some("1") => Some("ServerAuth"),
        Some("2") => Some("ClientAuth"),
        Some("4") => Some("EmailProtection"),
        Some("8") => Some("Timestamping"),
        Some("9") => Some("OCSPSigning"),
        _ => None,
    }
}

/// The EKU extension: (critical, OIDs in order), if present and decodable.
fn extended_key_usage(cert: &Certificate) -> Option<(bool, Vec<ObjectIdentifier>)> {
    let ext = cert.extension(&ID_CE_EXT_KEY_USAGE)?;
    let eku = ExtendedKeyUsage::from_der(ext.extn_value.as_bytes()).ok()?;
    Some((ext.critical, eku.0))
}

fn validate_key_usage_present(cert: &Certificate, purpose: Purpose) -> Result<(), ChainError> {
    match cert.extension(&ID_CE_KEY_USAGE) {
        None => Err(ChainError::KeyUsageMissing {
            subject: cert.subject(),
        }),
        Some(ext) if !ext.critical && purpose == Purpose::CodeSigning => {
            Err(ChainError::KeyUsageNotCritical {
                subject: cert.subject(),
            })
        }
        Some(_) => Ok(()),
    }
}

fn validate_leaf(cert: &Certificate, purpose: Purpose) -> Result<(), ChainError> {
    let subject = || cert.subject();
    if cert.basic_constraints().is_some_and(|bc| bc.ca) {
        return Err(ChainError::LeafIsCa { subject: subject() });
    }
    validate_key_usage_present(cert, purpose)?;
    let ku = go_key_usage(cert);
    if ku & KU_DIGITAL_SIGNATURE == 0 {
        return Err(ChainError::NoDigitalSignature { subject: subject() });
    }
    let extra: Vec<&str> = [
        (KU_KEY_ENCIPHERMENT, "\"KeyEncipherment\""),
        (KU_DATA_ENCIPHERMENT, "\"DataEncipherment\""),
        (KU_KEY_AGREEMENT, "\"KeyAgreement\""),
        (KU_CERT_SIGN, "\"CertSign\""),
        (KU_CRL_SIGN, "\"CRLSign\""),
        (KU_ENCIPHER_ONLY, "\"EncipherOnly\""),
        (KU_DECIPHER_ONLY, "\"DecipherOnly\""),
    ]
    .into_iter()
    .filter(|(bit, _)| ku & bit != 0)
    .map(|(_, name)| name)
    .collect();
    if !extra.is_empty() {
        return Err(ChainError::ExtraKeyUsage {
            subject: subject(),
            found: extra.join(", "),
        });
    }
    match purpose {
        Purpose::CodeSigning => {
            if let Some((_, ekus)) = extended_key_usage(cert) {
                // Go keeps known EKUs in order; notation reports the first excluded one.
                // anyExtendedKeyUsage is not excluded (a divergence from the specification).
                let excluded = [
                    "ServerAuth",
                    "ClientAuth",
                    "EmailProtection",
                    "Timestamping",
                    "OCSPSigning",
                ];
                if let Some(eku) = ekus
                    .iter()
                    .filter_map(eku_name)
                    .find(|name| excluded.contains(name))
                {
                    return Err(ChainError::ForbiddenEku {
                        subject: subject(),
                        eku,
                    });
                }
            }
        }
        Purpose::Timestamping => {
            let (critical, ekus) = extended_key_usage(cert).unwrap_or((false, Vec::new()));
            let only_timestamping =
                matches!(ekus.as_slice(), [one] if eku_name(one) == Some("Timestamping"));
            if !only_timestamping {
                return Err(ChainError::TimestampingEku { subject: subject() });
            }
            if !critical {
                return Err(ChainError::TimestampingEkuNotCritical { subject: subject() });
            }
        }
    }
    SignatureAlgorithm::for_spki(cert.public_key())
        .map(|_| ())
        .map_err(|source| ChainError::KeySpec {
            subject: subject(),
            source,
        })
}

fn validate_ca(
    cert: &Certificate,
    expected_path_len: usize,
    purpose: Purpose,
) -> Result<(), ChainError> {
    // Criticality of basicConstraints is not checked, whatever the message says.
    let Some(bc) = cert.basic_constraints().filter(|bc| bc.ca) else {
        return Err(ChainError::CaBasicConstraints {
            subject: cert.subject(),
        });
    };
    if let Some(path_len) = bc.path_len_constraint {
        if path_len < expected_path_len as u64 {
            return Err(ChainError::PathLength {
                subject: cert.subject(),
                expected: expected_path_len,
                actual: path_len,
            });
        }
    }
    validate_key_usage_present(cert, purpose)?;
    if go_key_usage(cert) & KU_CERT_SIGN == 0 {
        return Err(ChainError::NoCertSign {
            subject: cert.subject(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(rel: &str) -> Certificate {
        let path = crate::testdata::upstream(rel);
        let bytes = std::fs::read(&path).unwrap();
        let der = if bytes.starts_with(b"-----BEGIN") {
            der::pem::decode_vec(&bytes).unwrap().1
        } else {
            bytes
        };
        Certificate::from_der(&der).unwrap()
    }

    const TSA_LEAF: &str = "notation-core-go/x509/testdata/timestamp_leaf.crt";
    const TSA_INTER: &str = "notation-core-go/x509/testdata/timestamp_intermediate.crt";
    const TSA_ROOT: &str = "notation-core-go/x509/testdata/timestamp_root.crt";

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn a_memoised_link_answers_for_its_own_parent_only() {
        let (leaf, inter, root) = (load(TSA_LEAF), load(TSA_INTER), load(TSA_ROOT));
        for _ in 0..2 {
            assert_eq!(check_signature_from(&leaf, &inter), Ok(()));
            assert_eq!(
                check_signature_from(&leaf, &root),
                check_signature_from_uncached(&leaf, &root)
            );
            assert!(check_signature_from(&leaf, &root).is_err());
            assert!(check_signature_from(&inter, &inter).is_err());
        }
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn upstream_timestamping_chains() {
        let chain = [load(TSA_LEAF), load(TSA_INTER), load(TSA_ROOT)];
        assert_eq!(validate_timestamping_chain(&chain), Ok(()));
        assert_eq!(
            validate_timestamping_chain(&chain[..1]).unwrap_err().to_string(),
            "invalid self-signed certificate. subject: \"CN=DigiCert Timestamp 2023,O=DigiCert\\\\, Inc.,C=US\". Error: crypto/rsa: verification error"
        );
        assert_eq!(
            validate_timestamping_chain(&chain[..2]).unwrap_err().to_string(),
            "root certificate with subject \"CN=DigiCert Trusted G4 RSA4096 SHA256 TimeStamping CA,O=DigiCert\\\\, Inc.,C=US\" is invalid or not self-signed. Certificate chain must end with a valid self-signed root certificate. Error: crypto/rsa: verification error"
        );
        let root = load(TSA_ROOT);
        assert_eq!(
            validate_timestamping_chain(&[root.clone(), root]).unwrap_err().to_string(),
            "leaf certificate with subject \"CN=DigiCert Trusted Root G4,OU=www.digicert.com,O=DigiCert Inc,C=US\" is self-signed. Certificate chain must not contain self-signed leaf certificate"
        );
        // The same TSA chain is no code-signing chain: its leaf EKU is timeStamping.
        assert_eq!(
            validate_code_signing_chain(&chain).unwrap_err().to_string(),
            "certificate with subject \"CN=DigiCert Timestamp 2023,O=DigiCert\\\\, Inc.,C=US\": extended key usage must not contain Timestamping eku"
        );
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn upstream_openssl_minimum_self_signed_is_a_valid_code_signing_chain() {
        let cert = load("notation-core-go/x509/testdata/openssl-minimum-self-signed.pem");
        assert_eq!(validate_code_signing_chain(&[cert]), Ok(()));
    }

    #[test]
    fn empty_chain() {
        assert_eq!(
            validate_code_signing_chain(&[]).unwrap_err().to_string(),
            "certificate chain must contain at least one certificate"
        );
    }
}
