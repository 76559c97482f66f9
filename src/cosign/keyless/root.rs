//! A Sigstore `trusted_root.json` (`dev.sigstore.trustedroot.v1.TrustedRoot`, media type
//! `application/vnd.dev.sigstore.trustedroot+json;version=0.1`), read as sigstore-go's
//! `root.NewTrustedRootFromJSON` reads it: Fulcio certificate authorities (chain leaf-most
//! first, root last), Rekor transparency logs and CT logs keyed by their log ID, timestamp
//! authorities, each with its validity window.
//!
//! Written by hand: the only Rust implementation (the `sigstore` crate) brings the whole
//! keyless client with it (see [`crate::cosign::bundle`] for the count); the format is a small
//! protojson document.

use crate::cosign::key::{parse_pkix_public_key, VerifierKey};
use crate::pki::cert::Certificate;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The media type sigstore-go accepts.
pub const TRUSTED_ROOT_MEDIA_TYPE: &str =
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1";

/// The public-good root shipped with fluxverify.
pub const PUBLIC_GOOD_JSON: &str =
    include_str!("../../../data/sigstore/public-good-trusted_root.json");
/// Where the shipped snapshot comes from (printed by `fluxverify version`).
pub const PUBLIC_GOOD_SOURCE: &str = "sigstore/root-signing targets/trusted_root.json @ 60cf2ce8b2e45d600dc17c4421e8c751e75772be (2026-08-21)";

/// Why a trusted root does not load; `Display` names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RootError {
    /// Not JSON of the trusted root's shape (protojson refuses unknown fields too).
    #[error("invalid trusted root JSON: {0}")]
    Json(String),
    /// `mediaType` is not the one sigstore-go knows.
    #[error("unsupported TrustedRoot media type: {0}")]
    MediaType(String),
    /// A field that does not decode.
    #[error("trusted root field {field}: {detail}")]
    Field {
        /// The field path (`tlogs[0].publicKey.rawBytes`).
        field: String,
        /// What is wrong with it.
        detail: String,
    },
}

/// A validity window; `None` ends are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Validity {
    /// `validFor.start`.
    pub start: Option<DateTime<Utc>>,
    /// `validFor.end`.
    pub end: Option<DateTime<Utc>>,
}

impl Validity {
    /// Whether `t` lies in the window (both ends inclusive, as sigstore-go compares).
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start.is_none_or(|s| s <= t) && self.end.is_none_or(|e| t <= e)
    }
}

/// A Fulcio certificate authority.
#[derive(Debug, Clone)]
pub struct CertificateAuthority {
    /// `subject` as `O=…, CN=…`, for reports.
    pub subject: String,
    /// `uri`.
    pub uri: String,
    /// The chain's last certificate.
    pub root: Certificate,
    /// The chain's other certificates, leaf-most first.
    pub intermediates: Vec<Certificate>,
    /// `validFor`.
    pub validity: Validity,
}

/// A transparency log (Rekor) or certificate transparency log.
#[derive(Debug, Clone)]
pub struct Log {
    /// `baseUrl`.
    pub base_url: String,
    /// `logId.keyId`, decoded.
    pub key_id: Vec<u8>,
    /// The key, as sigstore's verifier loads it (SHA-256 for ECDSA).
    pub key: VerifierKey,
    /// The key's DER (`publicKey.rawBytes`), for the signed-note key hash.
    pub key_der: Vec<u8>,
    /// `publicKey.keyDetails`.
    pub key_details: String,
    /// `publicKey.validFor`.
    pub validity: Validity,
}

/// A timestamp authority, as sigstore-go's `ParseTimestampingAuthority` splits its chain: the
/// first certificate is the TSA's own (`Leaf`) when it is not a CA, the last the root, the
/// others intermediates.
#[derive(Debug, Clone)]
pub struct TimestampAuthority {
    /// `subject`.
    pub subject: String,
    /// `uri`.
    pub uri: String,
    /// `validFor`: the window genTime must fall in.
    pub validity: Validity,
    /// The TSA's signing certificate, when the chain starts with one.
    pub leaf: Option<Certificate>,
    /// The chain's middle certificates.
    pub intermediates: Vec<Certificate>,
    /// The chain's last certificate (`None` when the chain is only a leaf: sigstore-go then
    /// refuses every timestamp with `root certificate is nil`).
    pub root: Option<Certificate>,
}

/// A parsed trusted root.
#[derive(Debug, Clone)]
pub struct TrustedRoot {
    /// Fulcio CAs, in file order.
    pub certificate_authorities: Vec<CertificateAuthority>,
    /// Rekor logs.
    pub tlogs: Vec<Log>,
    /// CT logs.
    pub ctlogs: Vec<Log>,
    /// TSAs.
    pub timestamp_authorities: Vec<TimestampAuthority>,
}

impl TrustedRoot {
    /// The Rekor log whose ID is `key_id`.
    pub fn tlog(&self, key_id: &[u8]) -> Option<&Log> {
        self.tlogs.iter().find(|l| l.key_id == key_id)
    }

    /// The CT log whose ID is `key_id`.
    pub fn ctlog(&self, key_id: &[u8]) -> Option<&Log> {
        self.ctlogs.iter().find(|l| l.key_id == key_id)
    }

    /// The shipped public-good root.
    pub fn public_good() -> Result<Self, RootError> {
        parse(PUBLIC_GOOD_JSON.as_bytes())
    }

    /// The shipped public-good root, parsed once per process.
    pub fn public_good_shared() -> Result<std::sync::Arc<Self>, RootError> {
        static ROOT: std::sync::OnceLock<Result<std::sync::Arc<TrustedRoot>, RootError>> =
            std::sync::OnceLock::new();
        ROOT.get_or_init(|| Self::public_good().map(std::sync::Arc::new))
            .clone()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawRoot {
    #[serde(default)]
    media_type: String,
    #[serde(default)]
    tlogs: Vec<RawLog>,
    #[serde(default)]
    certificate_authorities: Vec<RawAuthority>,
    #[serde(default)]
    ctlogs: Vec<RawLog>,
    #[serde(default)]
    timestamp_authorities: Vec<RawAuthority>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawLog {
    #[serde(default)]
    base_url: String,
    #[serde(default)]
    hash_algorithm: String,
    #[serde(default)]
    public_key: Option<RawKey>,
    #[serde(default)]
    log_id: Option<RawLogId>,
    #[serde(default)]
    #[allow(dead_code)] // part of the schema
    checkpoint_key_id: Option<RawLogId>,
    #[serde(default)]
    #[allow(dead_code)] // part of the schema
    operator: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawKey {
    #[serde(default)]
    raw_bytes: String,
    #[serde(default)]
    key_details: String,
    #[serde(default)]
    valid_for: Option<RawValidity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawLogId {
    #[serde(default)]
    key_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawValidity {
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    end: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawAuthority {
    #[serde(default)]
    subject: Option<RawSubject>,
    #[serde(default)]
    uri: String,
    #[serde(default)]
    cert_chain: Option<RawChain>,
    #[serde(default)]
    valid_for: Option<RawValidity>,
    #[serde(default)]
    #[allow(dead_code)] // part of the schema
    operator: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawSubject {
    #[serde(default)]
    organization: String,
    #[serde(default)]
    common_name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChain {
    #[serde(default)]
    certificates: Vec<RawCert>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawCert {
    #[serde(default)]
    raw_bytes: String,
}

fn field(field: impl Into<String>, detail: impl std::fmt::Display) -> RootError {
    RootError::Field {
        field: field.into(),
        detail: detail.to_string(),
    }
}

/// protojson `bytes`: standard or URL-safe base64, padding optional.
pub(crate) fn proto_bytes(value: &str) -> Result<Vec<u8>, String> {
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    use base64::engine::DecodePaddingMode;
    const LENIENT: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    const STD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
    const URL: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);
    STD.decode(value)
        .or_else(|_| URL.decode(value))
        .map_err(|e| format!("not base64: {e}"))
}

/// A protojson `Timestamp` (RFC 3339).
pub(crate) fn proto_time(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 time: {e}"))
}

fn validity(raw: Option<RawValidity>, at: &str) -> Result<Validity, RootError> {
    let Some(raw) = raw else {
        return Ok(Validity::default());
    };
    let time = |v: Option<String>, name: &str| {
        v.map(|v| proto_time(&v).map_err(|e| field(format!("{at}.validFor.{name}"), e)))
            .transpose()
    };
    Ok(Validity {
        start: time(raw.start, "start")?,
        end: time(raw.end, "end")?,
    })
}

fn subject_of(raw: Option<RawSubject>) -> String {
    raw.map(|s| format!("O={}, CN={}", s.organization, s.common_name))
        .unwrap_or_default()
}

fn log(raw: RawLog, at: &str) -> Result<Log, RootError> {
    // sigstore-go: only SHA2_256 logs.
    if raw.hash_algorithm != "SHA2_256" {
        return Err(field(
            format!("{at}.hashAlgorithm"),
            format!("unsupported tlog hash algorithm: {:?}", raw.hash_algorithm),
        ));
    }
    let key = raw
        .public_key
        .ok_or_else(|| field(format!("{at}.publicKey"), "missing"))?;
    let der =
        proto_bytes(&key.raw_bytes).map_err(|e| field(format!("{at}.publicKey.rawBytes"), e))?;
    let verifier =
        parse_pkix_public_key(&der).map_err(|e| field(format!("{at}.publicKey.rawBytes"), e))?;
    match (key.key_details.as_str(), &verifier) {
        ("PKIX_ECDSA_P256_SHA_256", VerifierKey::P256(_))
        | ("PKIX_ECDSA_P384_SHA_384", VerifierKey::P384(_))
        | ("PKIX_ECDSA_P521_SHA_512", VerifierKey::P521(_))
        | ("PKIX_ED25519", VerifierKey::Ed25519(_))
        | (
            "PKIX_RSA_PKCS1V15_2048_SHA256"
            | "PKIX_RSA_PKCS1V15_3072_SHA256"
            | "PKIX_RSA_PKCS1V15_4096_SHA256",
            VerifierKey::Rsa(_),
        ) => {}
        (details, _) => {
            return Err(field(
                format!("{at}.publicKey.keyDetails"),
                format!(
                    "{details:?} does not describe the key ({})",
                    verifier.describe()
                ),
            ))
        }
    }
    let key_id = raw
        .log_id
        .map(|l| proto_bytes(&l.key_id))
        .transpose()
        .map_err(|e| field(format!("{at}.logId.keyId"), e))?
        .unwrap_or_default();
    if key_id.is_empty() {
        return Err(field(format!("{at}.logId.keyId"), "missing"));
    }
    Ok(Log {
        base_url: raw.base_url,
        key_id,
        key: verifier,
        key_der: der,
        key_details: key.key_details,
        validity: validity(key.valid_for, &format!("{at}.publicKey"))?,
    })
}

fn authority(raw: RawAuthority, at: &str) -> Result<CertificateAuthority, RootError> {
    let certificates = raw.cert_chain.map(|c| c.certificates).unwrap_or_default();
    if certificates.is_empty() {
        return Err(field(
            format!("{at}.certChain"),
            "CertificateAuthority missing cert chain",
        ));
    }
    let mut parsed = Vec::new();
    for (i, cert) in certificates.iter().enumerate() {
        let at = format!("{at}.certChain.certificates[{i}].rawBytes");
        let der = proto_bytes(&cert.raw_bytes).map_err(|e| field(at.clone(), e))?;
        parsed.push(Certificate::from_der(&der).map_err(|e| field(at, e))?);
    }
    let Some(root) = parsed.pop() else {
        return Err(field(
            format!("{at}.certChain"),
            "CertificateAuthority missing cert chain",
        ));
    };
    Ok(CertificateAuthority {
        subject: subject_of(raw.subject),
        uri: raw.uri,
        root,
        intermediates: parsed,
        validity: validity(raw.valid_for, at)?,
    })
}

/// sigstore-go's `ParseTimestampingAuthority`.
fn timestamp_authority(raw: RawAuthority, at: &str) -> Result<TimestampAuthority, RootError> {
    let Some(chain) = raw.cert_chain else {
        return Err(field(
            format!("{at}.certChain"),
            "CertificateAuthority missing cert chain",
        ));
    };
    if chain.certificates.is_empty() {
        return Err(field(
            format!("{at}.certChain"),
            "CertificateAuthority cert chain is empty",
        ));
    }
    let last = chain.certificates.len() - 1;
    let (mut leaf, mut intermediates, mut root) = (None, Vec::new(), None);
    for (i, cert) in chain.certificates.iter().enumerate() {
        let at = format!("{at}.certChain.certificates[{i}].rawBytes");
        let der = proto_bytes(&cert.raw_bytes).map_err(|e| field(at.clone(), e))?;
        let parsed = Certificate::from_der(&der).map_err(|e| field(at, e))?;
        if i == 0 && !parsed.is_ca() {
            leaf = Some(parsed);
        } else if i < last {
            intermediates.push(parsed);
        } else {
            root = Some(parsed);
        }
    }
    Ok(TimestampAuthority {
        subject: subject_of(raw.subject),
        uri: raw.uri,
        validity: validity(raw.valid_for, at)?,
        leaf,
        intermediates,
        root,
    })
}

/// Parses a trusted root as sigstore-go does.
pub fn parse(bytes: &[u8]) -> Result<TrustedRoot, RootError> {
    let raw: RawRoot = serde_json::from_slice(bytes).map_err(|e| RootError::Json(e.to_string()))?;
    if raw.media_type != TRUSTED_ROOT_MEDIA_TYPE {
        return Err(RootError::MediaType(raw.media_type));
    }
    let mut root = TrustedRoot {
        certificate_authorities: Vec::new(),
        tlogs: Vec::new(),
        ctlogs: Vec::new(),
        timestamp_authorities: Vec::new(),
    };
    for (i, l) in raw.tlogs.into_iter().enumerate() {
        root.tlogs.push(log(l, &format!("tlogs[{i}]"))?);
    }
    for (i, l) in raw.ctlogs.into_iter().enumerate() {
        root.ctlogs.push(log(l, &format!("ctlogs[{i}]"))?);
    }
    for (i, a) in raw.certificate_authorities.into_iter().enumerate() {
        root.certificate_authorities
            .push(authority(a, &format!("certificateAuthorities[{i}]"))?);
    }
    for (i, a) in raw.timestamp_authorities.into_iter().enumerate() {
        root.timestamp_authorities.push(timestamp_authority(
            a,
            &format!("timestampAuthorities[{i}]"),
        )?);
    }
    Ok(root)
}

/// A one-line description for reports (`2 CAs, 2 Rekor logs, 2 CT logs, 1 TSA`).
pub fn describe(root: &TrustedRoot) -> String {
    format!(
        "{} Fulcio CA(s), {} Rekor log(s), {} CT log(s), {} TSA(s)",
        root.certificate_authorities.len(),
        root.tlogs.len(),
        root.ctlogs.len(),
        root.timestamp_authorities.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_public_good_root_loads() {
        let root = TrustedRoot::public_good().unwrap();
        assert_eq!(root.certificate_authorities.len(), 2);
        assert!(root
            .tlogs
            .iter()
            .any(|l| l.base_url == "https://rekor.sigstore.dev"));
        assert_eq!(root.ctlogs.len(), 2);
        assert_eq!(root.timestamp_authorities.len(), 1);
        // The TSA chain: its own certificate first, the root last (sigstore-go's split).
        let tsa = &root.timestamp_authorities[0];
        assert!(tsa.leaf.as_ref().is_some_and(|l| !l.is_ca()));
        assert!(tsa.root.as_ref().is_some_and(|r| r.is_ca()));
        assert!(tsa.intermediates.is_empty());
        // The first CA's window is closed, the second open-ended.
        assert!(root.certificate_authorities[0].validity.end.is_some());
        assert!(root.certificate_authorities[1].validity.end.is_none());
    }

    #[test]
    fn bad_roots_name_the_field() {
        let e = parse(br#"{"mediaType":"x"}"#).unwrap_err();
        assert_eq!(e.to_string(), "unsupported TrustedRoot media type: x");
        let e = parse(format!(r#"{{"mediaType":"{TRUSTED_ROOT_MEDIA_TYPE}","tlogs":[{{"hashAlgorithm":"SHA2_256","publicKey":{{"rawBytes":"!!"}}}}]}}"#).as_bytes()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("trusted root field tlogs[0].publicKey.rawBytes"),
            "{e}"
        );
        let e = parse(br#"{"mediaType":"x","extra":1}"#).unwrap_err();
        assert!(matches!(e, RootError::Json(_)));
    }
}
