//! RFC 3161 timestamp countersignatures, verified as notation-go v1.3.2's `verifyTimestamp`
//! does (with tspclient-go v1.0.0 underneath), from "the token must be present" to "the TSA
//! chain is not revoked".
//!
//! [`verify_timestamp`] is the whole timestamp branch of the authenticTimestamp validation, in
//! upstream's order, each failure printing notation's text:
//! 1. a countersignature is present;
//! 2. it parses (BER normalised to DER, `ContentInfo` signedData, `SignedData` version 3,
//!    X.509 certificates, eContentType id-ct-TSTInfo);
//! 3. its TSTInfo decodes;
//! 4. the TSTInfo is version 1 with a SHA-256/384/512 imprint of the envelope's raw signature
//!    bytes; accuracy is 1 s under the RFC 3628 baseline policy when none is given;
//! 5. the TSA roots load (a closure, so that upstream's order of errors is kept) and are
//!    non-empty;
//! 6. a SignerInfo verifies: its SigningCertificateV2 names a certificate of the token (hash
//!    checked), SignerInfo version 1, a path from that certificate through the token's
//!    certificates to a root, valid at genTime and allowing `timeStamping`; the CMS signature
//!    over the re-encoded signed attributes; content-type and message-digest attributes; an
//!    optional signing-time inside the chain; the TSA certificate's EKU exactly `timeStamping`,
//!    critical;
//! 7. the TSA chain passes notation's timestamping chain rules;
//! 8. genTime ± accuracy lies inside every signing certificate's validity;
//! 9. the TSA chain is not revoked (always checked, whatever the policy's revocation level).

mod path;
pub mod sigstore;
mod token;

use crate::pki::algorithm::{verify_x509_signature, HashAlgorithm};
use crate::pki::cert::Certificate;
use crate::pki::chain::{go_quote, validate_timestamping_chain};
use crate::pki::name::{Tlv, TAG_SEQUENCE, TAG_SET};
use crate::pki::revocation::{ChainRevocation, Purpose, RevocationFailure, Validator};
use chrono::{DateTime, Duration, Utc};
use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;
use token::{attributes, expect, go_big_int, optional, SignedToken, SignerInfo};

pub use token::TstInfo;

const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const ID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const ID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const ID_RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const ID_SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const ID_SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const ID_SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const ID_ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ID_ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ID_ECDSA_WITH_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const ID_CE_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");

/// tspclient-go's `oid.ToHash`: only the SHA-2 family.
fn hash_for(oid: &ObjectIdentifier) -> Option<HashAlgorithm> {
    match *oid {
        ID_SHA256 => Some(HashAlgorithm::Sha256),
        ID_SHA384 => Some(HashAlgorithm::Sha384),
        ID_SHA512 => Some(HashAlgorithm::Sha512),
        _ => None,
    }
}

/// What the verifier hands in.
#[derive(Debug, Clone, Copy)]
pub struct TimestampInput<'a> {
    /// The `io.cncf.notary.timestampSignature` unsigned attribute (absent or empty: none).
    pub token: Option<&'a [u8]>,
    /// The envelope's raw signature bytes (the timestamped message).
    pub signature: &'a [u8],
    /// The envelope's signing chain, leaf first.
    pub signing_chain: &'a [Certificate],
}

/// A verified timestamp.
#[derive(Debug, Clone)]
pub struct VerifiedTimestamp {
    /// genTime.
    pub gen_time: DateTime<Utc>,
    /// The accuracy applied around genTime.
    pub accuracy: Duration,
    /// The TSA policy OID.
    pub policy: ObjectIdentifier,
    /// The verified TSA chain, leaf first.
    pub tsa_chain: Vec<Certificate>,
    /// The TSA chain's revocation check (per-certificate details for the report).
    pub revocation: ChainRevocation,
}

/// Why a timestamp did not verify. `Display` is notation-go's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// No token in the envelope.
    #[error("no timestamp countersignature was found in the signature envelope")]
    Missing,
    /// The token does not parse.
    #[error("failed to parse timestamp countersignature with error: {0}")]
    Parse(String),
    /// The TSTInfo does not decode.
    #[error("failed to get the timestamp TSTInfo with error: {0}")]
    TstInfo(String),
    /// The TSTInfo does not fit the signature.
    #[error("failed to get timestamp from timestamp countersignature with error: {0}")]
    Validate(String),
    /// The TSA trust store could not be loaded.
    #[error("failed to load tsa trust store with error: {0}")]
    LoadTrustStore(String),
    /// The TSA trust store is empty.
    #[error("no trusted TSA certificate found in trust store")]
    NoTrustedTsa,
    /// The signed token does not verify against the TSA roots.
    #[error("failed to verify the timestamp countersignature with error: {0}")]
    Verify(String),
    /// The TSA chain breaks notation's timestamping chain rules.
    #[error("failed to validate the timestamping certificate chain with error: {0}")]
    TsaChain(String),
    /// genTime − accuracy is before a signing certificate's NotBefore.
    #[error("timestamp can be before certificate {} validity period, it will be valid from {}", go_quote(.subject), go_quote(.not_before))]
    BeforeCertificate {
        /// Subject (Go form).
        subject: String,
        /// NotBefore, RFC 1123 with numeric zone.
        not_before: String,
    },
    /// genTime + accuracy is after a signing certificate's NotAfter.
    #[error("timestamp can be after certificate {} validity period, it was expired at {}", go_quote(.subject), go_quote(.not_after))]
    AfterCertificate {
        /// Subject (Go form).
        subject: String,
        /// NotAfter, RFC 1123 with numeric zone.
        not_after: String,
    },
    /// The TSA chain is revoked, its status unknown, or the check failed.
    #[error("{failure}")]
    Revocation {
        /// notation's verdict.
        failure: RevocationFailure,
        /// Per-certificate details.
        details: Box<ChainRevocation>,
    },
}

/// Go's `time.RFC1123Z` in UTC, as notation prints certificate times.
pub fn rfc1123z(t: DateTime<Utc>) -> String {
    crate::golang::time::rfc1123z(&t)
}

/// The authenticTimestamp step's timestamp branch (see the module docs). `load_tsa_roots`
/// is called only once the token has been read and matched to the signature, as upstream.
pub fn verify_timestamp(
    input: &TimestampInput<'_>,
    load_tsa_roots: impl FnOnce() -> Result<Vec<Certificate>, String>,
    revocation: &Validator,
) -> Result<VerifiedTimestamp, TimestampError> {
    let token_bytes = match input.token {
        Some(t) if !t.is_empty() => t,
        _ => return Err(TimestampError::Missing),
    };
    let der = token::normalise(token_bytes).map_err(TimestampError::Parse)?;
    let signed = token::parse_signed_token(&der).map_err(TimestampError::Parse)?;
    let info = token::parse_tst_info(signed.content).map_err(TimestampError::TstInfo)?;
    let (gen_time, accuracy) = info
        .validate(input.signature)
        .map_err(TimestampError::Validate)?;
    let roots = load_tsa_roots().map_err(TimestampError::LoadTrustStore)?;
    if roots.is_empty() {
        return Err(TimestampError::NoTrustedTsa);
    }
    let tsa_chain =
        verify_signed_token(&signed, &roots, gen_time).map_err(TimestampError::Verify)?;
    validate_timestamping_chain(&tsa_chain).map_err(|e| TimestampError::TsaChain(e.to_string()))?;
    // Out-of-range bounds (absurd accuracies) count as outside every validity period.
    let earliest = gen_time.checked_sub_signed(accuracy);
    let latest = gen_time.checked_add_signed(accuracy);
    for cert in input.signing_chain {
        if earliest.is_none_or(|t| t < cert.not_before()) {
            return Err(TimestampError::BeforeCertificate {
                subject: cert.subject(),
                not_before: rfc1123z(cert.not_before()),
            });
        }
        if latest.is_none_or(|t| t > cert.not_after()) {
            return Err(TimestampError::AfterCertificate {
                subject: cert.subject(),
                not_after: rfc1123z(cert.not_after()),
            });
        }
    }
    let checked = revocation.validate(&tsa_chain, Purpose::Timestamping, None);
    if let Some(failure) = checked.failure() {
        return Err(TimestampError::Revocation {
            failure,
            details: Box::new(checked),
        });
    }
    Ok(VerifiedTimestamp {
        gen_time,
        accuracy,
        policy: info.policy,
        tsa_chain,
        revocation: checked,
    })
}

/// What `inspect` shows of a token, read without verifying it.
#[derive(Debug, Clone)]
pub struct TokenSummary {
    /// The decoded TSTInfo.
    pub info: TstInfo,
    /// The certificates carried in the token, in order.
    pub certificates: Vec<Certificate>,
}

/// Reads a token without verifying it (for `inspect`); errors as [`verify_timestamp`] words
/// them.
pub fn read_token(token: &[u8]) -> Result<TokenSummary, TimestampError> {
    let der = token::normalise(token).map_err(TimestampError::Parse)?;
    let signed = token::parse_signed_token(&der).map_err(TimestampError::Parse)?;
    let info = token::parse_tst_info(signed.content).map_err(TimestampError::TstInfo)?;
    Ok(TokenSummary {
        info,
        certificates: signed.certificates,
    })
}

/// tspclient-go `SignedToken.Verify`: the first SignerInfo that verifies wins; otherwise the
/// last error is reported.
fn verify_signed_token(
    signed: &SignedToken<'_>,
    roots: &[Certificate],
    now: DateTime<Utc>,
) -> Result<Vec<Certificate>, String> {
    const PREFIX: &str = "failed to verify signed token";
    if signed.signer_infos.is_empty() {
        return Err(format!("{PREFIX}: signerInfo not found"));
    }
    let mut last_error = String::new();
    for info in &signed.signer_infos {
        let cert = match signing_certificate(signed, info) {
            Ok(cert) => cert,
            Err(e) => {
                last_error = format!("{PREFIX}: {e}");
                continue;
            }
        };
        let chain = match verify_signer(signed, info, cert, roots, now) {
            Ok(chain) => chain,
            Err(e) => {
                last_error = format!("{PREFIX}: cms verification failure: {e}");
                continue;
            }
        };
        match cert.extension(&ID_CE_EXT_KEY_USAGE) {
            Some(ext)
                if x509_cert::ext::pkix::ExtendedKeyUsage::from_der(ext.extn_value.as_bytes())
                    .is_ok_and(|eku| eku.0 == [ID_KP_TIME_STAMPING]) =>
            {
                if ext.critical {
                    return Ok(chain);
                }
                last_error = format!(
                    "{PREFIX}: signing certificate extended key usage extension must be set as critical"
                );
            }
            _ => {
                last_error = format!(
                    "{PREFIX}: signing certificate must have and only have ExtKeyUsageTimeStamping as extended key usage"
                );
            }
        }
    }
    Err(last_error)
}

/// The first value of the signed attribute `id` (tspclient-go `Attributes.Get`).
fn attribute_value<'a>(info: &SignerInfo<'a>, id: &ObjectIdentifier) -> Result<Tlv<'a>, String> {
    let attrs = info.signed_attrs.unwrap_or_default();
    let (_, _, values) = attributes(attrs)
        .into_iter()
        .find(|(oid, _, _)| oid == id)
        .ok_or("attribute not found")?;
    Tlv::reader(values)
        .read()
        .ok_or_else(|| "asn1: syntax error: data truncated".to_string())
}

/// tspclient-go `SignedToken.SigningCertificate`: the certificate SigningCertificateV2 names
/// (its IssuerSerial, else the SignerInfo's sid), checked against the attribute's hash.
fn signing_certificate<'t>(
    signed: &'t SignedToken<'_>,
    info: &SignerInfo<'_>,
) -> Result<&'t Certificate, String> {
    let wrap =
        |e: String| format!("failed to get SigningCertificateV2 from signed attributes: {e}");
    let value = attribute_value(info, &ID_SIGNING_CERTIFICATE_V2).map_err(wrap)?;
    let (hash_algorithm, cert_hash, issuer_serial) = (|| {
        if value.tag != TAG_SEQUENCE {
            return Err("asn1: structure error: tags don't match (16 vs {})".to_string());
        }
        let mut fields = Tlv::reader(value.value);
        let certs = expect(&mut fields, TAG_SEQUENCE, "Certificates")?;
        let mut certs = Tlv::reader(certs.value);
        let Some(first) = optional(&mut certs, TAG_SEQUENCE)? else {
            return Ok((None, None, None));
        };
        let mut id = Tlv::reader(first.value);
        let hash_algorithm = optional(&mut id, TAG_SEQUENCE)?
            .map(|alg| {
                let mut r = Tlv::reader(alg.value);
                expect(&mut r, 0x06, "Algorithm").and_then(|o| token::oid(o.value))
            })
            .transpose()?;
        let cert_hash = expect(&mut id, 0x04, "CertHash")?.value;
        let issuer_serial = optional(&mut id, TAG_SEQUENCE)?;
        Ok((hash_algorithm, Some(cert_hash), issuer_serial))
    })()
    .map_err(wrap)?;
    let Some(cert_hash) = cert_hash else {
        return Err("signingCertificateV2 does not contain any certificate".to_string());
    };
    let (issuer, serial) = match issuer_serial {
        Some(issuer_serial) => {
            let mut fields = Tlv::reader(issuer_serial.value);
            let names = expect(&mut fields, TAG_SEQUENCE, "IssuerName").map_err(wrap)?;
            let serial = expect(&mut fields, 0x02, "SerialNumber")
                .and_then(|s| go_big_int(s.value))
                .map_err(wrap)?;
            let mut names = Tlv::reader(names.value);
            let directory = optional(&mut names, 0xa4)
                .map_err(wrap)?
                .ok_or("issuer name is missing in IssuerSerial")?;
            let issuer = Tlv::reader(directory.value)
                .read()
                .ok_or("failed to unmarshal issuer name: asn1: syntax error: data truncated")?
                .raw;
            (issuer, serial)
        }
        None => (info.sid_issuer, info.sid_serial),
    };
    let cert = signed
        .certificates
        .iter()
        .find(|c| c.raw_issuer() == issuer && serial_eq(c.serial_number(), serial))
        .ok_or("signing certificate not found in the timestamp token")?;
    let hash = match hash_algorithm {
        None => HashAlgorithm::Sha256,
        Some(oid) => hash_for(&oid)
            .ok_or("unsupported certificate hash algorithm in SigningCertificateV2 attribute")?,
    };
    if hash.digest(cert.der()) != cert_hash {
        return Err("signing certificate hash does not match CertHash in signed attribute".into());
    }
    Ok(cert)
}

fn serial_eq(a: &[u8], b: &[u8]) -> bool {
    // Both are minimal two's-complement encodings, so equal values have equal bytes.
    a == b
}

/// tspclient-go's `oid.ToSignatureAlgorithm`, as the identifier the signature dispatch reads.
fn cms_signature_algorithm(
    digest: &ObjectIdentifier,
    signature: &ObjectIdentifier,
) -> Option<AlgorithmIdentifierOwned> {
    let plain = |oid: ObjectIdentifier| AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    };
    let with_null = |oid: ObjectIdentifier| AlgorithmIdentifierOwned {
        oid,
        parameters: Some(der::asn1::Null.into()),
    };
    match *signature {
        ID_RSA_ENCRYPTION => match *digest {
            ID_SHA256 => Some(with_null(ID_SHA256_WITH_RSA)),
            ID_SHA384 => Some(with_null(ID_SHA384_WITH_RSA)),
            ID_SHA512 => Some(with_null(ID_SHA512_WITH_RSA)),
            _ => None,
        },
        ID_RSASSA_PSS => {
            // Go ignores the PSS parameters here and verifies with salt = hash length.
            let params = match *digest {
                ID_SHA256 => pkcs1::RsaPssParams::new::<sha2::Sha256>(32),
                ID_SHA384 => pkcs1::RsaPssParams::new::<sha2::Sha384>(48),
                ID_SHA512 => pkcs1::RsaPssParams::new::<sha2::Sha512>(64),
                _ => return None,
            };
            let der = params.to_der().ok()?;
            Some(AlgorithmIdentifierOwned {
                oid: ID_RSASSA_PSS,
                parameters: Some(der::Any::from_der(&der).ok()?),
            })
        }
        ID_SHA256_WITH_RSA | ID_SHA384_WITH_RSA | ID_SHA512_WITH_RSA => Some(with_null(*signature)),
        ID_ECDSA_WITH_SHA256 | ID_ECDSA_WITH_SHA384 | ID_ECDSA_WITH_SHA512 => {
            Some(plain(*signature))
        }
        _ => None,
    }
}

/// The signed attributes as DER `SET OF`: Go re-marshals them, which sorts the elements.
fn signed_attributes_der(raw: &[u8]) -> Vec<u8> {
    let mut elements: Vec<&[u8]> = Vec::new();
    let mut r = Tlv::reader(raw);
    while let Some(tlv) = r.read() {
        elements.push(tlv.raw);
    }
    elements.sort();
    let content: Vec<u8> = elements.concat();
    let mut out = vec![TAG_SET];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend(content);
    out
}

/// A CMS `Time` (UTCTime or GeneralizedTime), as Go decodes it into `time.Time`.
fn cms_time(tlv: Tlv<'_>) -> Result<DateTime<Utc>, String> {
    match tlv.tag {
        0x18 => token::generalized_time(tlv.value),
        0x17 => {
            let utc = x509_cert::time::Time::from_der(tlv.raw)
                .map_err(|e| format!("asn1: syntax error: {e}"))?;
            let secs = i64::try_from(utc.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
            DateTime::<Utc>::from_timestamp(secs, 0)
                .ok_or_else(|| "asn1: syntax error: invalid time".to_string())
        }
        other => Err(format!(
            "asn1: structure error: tags don't match (23 vs {other})"
        )),
    }
}

/// tspclient-go `ParsedSignedData.VerifySigner` + `verify`: version, path, signature,
/// attributes. Errors are the text after `cms verification failure: `.
fn verify_signer(
    signed: &SignedToken<'_>,
    info: &SignerInfo<'_>,
    cert: &Certificate,
    roots: &[Certificate],
    now: DateTime<Utc>,
) -> Result<Vec<Certificate>, String> {
    if info.version != 1 {
        return Err(format!(
            "invalid signer info version: only version 1 is supported; got {}",
            info.version
        ));
    }
    let chains = path::verify(cert, &signed.certificates, roots, now)?;

    let algorithm = cms_signature_algorithm(&info.digest_algorithm, &info.signature_algorithm)
        .ok_or("unknown signature algorithm")?;
    let attrs = info.signed_attrs.filter(|a| !a.is_empty());
    let signed_bytes = match attrs {
        Some(raw) => signed_attributes_der(raw),
        None => signed.content.to_vec(),
    };
    verify_x509_signature(&algorithm, cert.public_key(), &signed_bytes, info.signature)
        .map_err(|e| e.to_string())?;

    if attrs.is_none() {
        return Err("missing signed attributes".to_string());
    }
    let content_type = attribute_value(info, &ID_CONTENT_TYPE)
        .and_then(|v| {
            if v.tag == 0x06 {
                token::oid(v.value)
            } else {
                Err("asn1: structure error: tags don't match".to_string())
            }
        })
        .map_err(|e| format!("invalid content type: {e}"))?;
    if content_type != token::ID_CT_TST_INFO {
        return Err(format!(
            "mismatch content type: found \"{content_type}\" in signer info, and \"{}\" in signed data",
            token::ID_CT_TST_INFO
        ));
    }
    let expected_digest = attribute_value(info, &ID_MESSAGE_DIGEST)
        .and_then(|v| {
            if v.tag == 0x04 {
                Ok(v.value)
            } else {
                Err("asn1: structure error: tags don't match".to_string())
            }
        })
        .map_err(|e| format!("invalid message digest: {e}"))?;
    let hash = hash_for(&info.digest_algorithm).ok_or("unsupported digest algorithm")?;
    if hash.digest(signed.content) != expected_digest {
        return Err("mismatch message digest".to_string());
    }
    let signing_time = match attribute_value(info, &ID_SIGNING_TIME) {
        Err(e) if e == "attribute not found" => None,
        Err(e) => return Err(format!("invalid signing time: {e}")),
        Ok(v) => Some(cms_time(v).map_err(|e| format!("invalid signing time: {e}"))?),
    };
    let Some(signing_time) = signing_time else {
        return chains.into_iter().next().ok_or_else(|| {
            "Failed to verify signed attributes because the certificate chain is empty.".to_string()
        });
    };
    chains
        .into_iter()
        .find(|chain| {
            chain
                .iter()
                .all(|c| signing_time >= c.not_before() && signing_time <= c.not_after())
        })
        .ok_or_else(|| {
            format!(
                "signing time, {}, is outside certificate's validity period",
                crate::golang::time::time_string(signing_time)
            )
        })
}

#[cfg(test)]
mod tests;
