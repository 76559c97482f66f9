//! Sigstore bundles (v0.3, cosign v3's default format) holding a DSSE envelope with an in-toto
//! statement, verified with a static key as cosign's `VerifyNewBundle` has sigstore-go do it
//! with the transparency log ignored: the DSSE signature over the PAE, then the statement's
//! subject against the artifact digest.
//!
//! Written by hand rather than with the `sigstore` crate: with its `cosign` feature, sigstore
//! 0.15 resolves to 395 packages, 119 of them not otherwise in fluxverify's lock (aws-lc's FIPS
//! build with bindgen, openidconnect, TUF, a second `der` generation), for the keyless
//! machinery; it also does not look bundles up through the referrers API the way cosign's
//! `GetBundles` does. Offline with a static key, only the checks below are needed.

use super::key::VerifierKey;
use base64::Engine as _;
use serde::Deserialize;

/// The artifact type (and layer media type) of cosign's bundle referrers.
pub const BUNDLE_ARTIFACT_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// The in-toto payload type.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// A bundle, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// `mediaType`.
    pub media_type: String,
    /// `verificationMaterial.publicKey.hint`, when the bundle names a key.
    pub key_hint: Option<String>,
    /// Whether the verification material is a certificate (keyless) rather than a key.
    pub has_certificate: bool,
    /// Transparency log entries carried (ignored, as Flux ignores the log with static keys).
    pub tlog_entries: usize,
    /// What is signed.
    pub content: BundleContent,
    /// The bundle's JSON as read (keyless verification reads its certificate and log entries).
    pub raw: Vec<u8>,
}

/// A bundle's signed content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BundleContent {
    /// A DSSE envelope.
    Dsse(DsseEnvelope),
    /// A plain message signature over a digest (what `cosign sign-blob` makes).
    MessageSignature {
        /// `messageDigest.digest`.
        digest: Vec<u8>,
        /// `signature`.
        signature: Vec<u8>,
    },
}

/// A DSSE envelope with its base64 fields decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsseEnvelope {
    /// `payloadType`.
    pub payload_type: String,
    /// The payload bytes.
    pub payload: Vec<u8>,
    /// The signatures' bytes.
    pub signatures: Vec<Vec<u8>>,
}

/// Why a referrer is not a usable bundle (cosign skips such referrers).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Not JSON of the bundle's shape.
    #[error("invalid bundle JSON: {0}")]
    Json(String),
    /// A media type older than v0.3 or not a bundle's.
    #[error("bundle media type {0:?} is not v0.3 or later")]
    Version(String),
    /// No verification material or no content.
    #[error("bundle lacks {0}")]
    Missing(&'static str),
    /// A base64 field that does not decode.
    #[error("bundle field {0} is not base64")]
    Base64(&'static str),
}

// protojson refuses unknown fields, and sigstore-go's `UnmarshalJSON` with it: such a bundle
// does not load (cosign skips it), so unknown fields are refused here too. Nested messages
// fluxverify does not use (certificates, log entries, timestamps) are taken as they come.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawBundle {
    #[serde(default, alias = "media_type")]
    media_type: String,
    #[serde(default, alias = "verification_material")]
    verification_material: Option<RawMaterial>,
    #[serde(default, alias = "dsse_envelope")]
    dsse_envelope: Option<RawEnvelope>,
    #[serde(default, alias = "message_signature")]
    message_signature: Option<RawMessageSignature>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawMaterial {
    #[serde(default, alias = "public_key")]
    public_key: Option<RawHint>,
    #[serde(default, alias = "x509_certificate_chain")]
    x509_certificate_chain: Option<serde_json::Value>,
    #[serde(default)]
    certificate: Option<serde_json::Value>,
    #[serde(default, alias = "tlog_entries")]
    tlog_entries: Option<Vec<serde_json::Value>>,
    #[serde(default, alias = "timestamp_verification_data")]
    #[allow(dead_code)] // timestamps are ignored with the transparency log
    timestamp_verification_data: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHint {
    #[serde(default)]
    hint: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawEnvelope {
    #[serde(default)]
    payload: String,
    #[serde(default, alias = "payload_type")]
    payload_type: String,
    #[serde(default)]
    signatures: Vec<RawSignature>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignature {
    #[serde(default)]
    sig: String,
    #[serde(default)]
    #[allow(dead_code)] // part of the schema; the key is given, not looked up
    keyid: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawMessageSignature {
    #[serde(default, alias = "message_digest")]
    message_digest: Option<RawMessageDigest>,
    #[serde(default)]
    signature: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMessageDigest {
    #[serde(default)]
    #[allow(dead_code)] // sigstore-go compares the digest bytes only
    algorithm: Option<String>,
    #[serde(default)]
    digest: String,
}

/// protojson's `bytes`: standard or URL-safe alphabet, padding optional.
fn proto_bytes(value: &str, field: &'static str) -> Result<Vec<u8>, BundleError> {
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    use base64::engine::DecodePaddingMode;
    const LENIENT: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    const STD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
    const URL: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);
    STD.decode(value)
        .or_else(|_| URL.decode(value))
        .map_err(|_| BundleError::Base64(field))
}

/// Parses a bundle as sigstore-go's `Bundle.UnmarshalJSON` accepts it: v0.3 or later, with
/// verification material and content.
pub fn parse(bytes: &[u8]) -> Result<Bundle, BundleError> {
    let raw: RawBundle =
        serde_json::from_slice(bytes).map_err(|e| BundleError::Json(e.to_string()))?;
    let version_ok = raw
        .media_type
        .strip_prefix("application/vnd.dev.sigstore.bundle.v")
        .and_then(|v| v.strip_suffix("+json"))
        .or_else(|| {
            raw.media_type
                .strip_prefix("application/vnd.dev.sigstore.bundle+json;version=")
        })
        .and_then(|v| {
            let (major, minor) = v.split_once('.')?;
            Some((major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?))
        })
        .is_some_and(|(major, minor)| major > 0 || minor >= 3);
    if !version_ok {
        return Err(BundleError::Version(raw.media_type));
    }
    let material = raw
        .verification_material
        .ok_or(BundleError::Missing("verificationMaterial"))?;
    let has_certificate =
        material.certificate.is_some() || material.x509_certificate_chain.is_some();
    if material.public_key.is_none() && !has_certificate {
        return Err(BundleError::Missing("verificationMaterial content"));
    }
    let content = match (raw.dsse_envelope, raw.message_signature) {
        (Some(env), _) => BundleContent::Dsse(DsseEnvelope {
            payload: proto_bytes(&env.payload, "dsseEnvelope.payload")?,
            payload_type: env.payload_type,
            signatures: env
                .signatures
                .iter()
                .map(|s| proto_bytes(&s.sig, "dsseEnvelope.signatures.sig"))
                .collect::<Result<_, _>>()?,
        }),
        (None, Some(msg)) => BundleContent::MessageSignature {
            digest: proto_bytes(
                &msg.message_digest.map(|d| d.digest).unwrap_or_default(),
                "messageSignature.messageDigest.digest",
            )?,
            signature: proto_bytes(&msg.signature, "messageSignature.signature")?,
        },
        (None, None) => return Err(BundleError::Missing("content")),
    };
    Ok(Bundle {
        media_type: raw.media_type,
        key_hint: material.public_key.and_then(|k| k.hint),
        has_certificate,
        tlog_entries: material.tlog_entries.map_or(0, |t| t.len()),
        content,
        raw: bytes.to_vec(),
    })
}

/// DSSE's pre-authentication encoding: `DSSEv1 <len> <type> <len> <payload>`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// The subject digests an in-toto statement names, as `(algorithm, hex)`.
pub fn statement_subjects(payload: &[u8]) -> Result<Vec<(String, String)>, String> {
    #[derive(Deserialize)]
    struct Statement {
        #[serde(default)]
        subject: Vec<Subject>,
    }
    #[derive(Deserialize)]
    struct Subject {
        #[serde(default)]
        digest: std::collections::BTreeMap<String, String>,
    }
    let statement: Statement =
        serde_json::from_slice(payload).map_err(|e| format!("invalid in-toto statement: {e}"))?;
    Ok(statement
        .subject
        .into_iter()
        .flat_map(|s| s.digest.into_iter())
        .collect())
}

/// sigstore-go's `VerifySignatureWithArtifactDigest` with a static key, for the artifact digest
/// `algorithm:hex`; tlog and timestamps ignored. Errors are sigstore-go's texts.
pub fn verify(bundle: &Bundle, key: &VerifierKey, artifact_digest: &str) -> Result<(), String> {
    if bundle.has_certificate {
        // cosign's key policy: the bundle must be signed by the key, not by a certificate.
        return Err("expected key signature, not certificate".into());
    }
    verify_content(&bundle.content, key, artifact_digest)
}

/// sigstore-go's `VerifySignatureWithArtifactDigest` on the signed content alone, with the key
/// that signed it (a static key, or a Fulcio certificate's); its texts.
pub fn verify_content(
    content: &BundleContent,
    key: &VerifierKey,
    artifact_digest: &str,
) -> Result<(), String> {
    let (algorithm, hex_digest) = artifact_digest
        .split_once(':')
        .ok_or_else(|| format!("invalid artifact digest {artifact_digest}"))?;
    let digest = hex::decode(hex_digest).map_err(|e| format!("invalid artifact digest: {e}"))?;
    let envelope = match content {
        BundleContent::Dsse(envelope) => envelope,
        BundleContent::MessageSignature {
            digest: signed,
            signature,
        } => {
            if signed != &digest {
                return Err("artifact does not match digest".into());
            }
            return key
                .verify_digest(&digest, signature)
                .map_err(|e| format!("could not verify message: {e}"));
        }
    };
    // A DSSE envelope in a Sigstore bundle carries exactly one signature.
    let [signature] = envelope.signatures.as_slice() else {
        return Err("exactly one signature is required".into());
    };
    key.verify(&pae(&envelope.payload_type, &envelope.payload), signature)
        .map_err(|e| {
            format!("could not verify envelope: accepted signatures do not match threshold, Found: 0, Expected 1 ({e})")
        })?;
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(format!(
            "could not verify artifact: unable to extract statement from envelope: payload type {:?} is not {IN_TOTO_PAYLOAD_TYPE}",
            envelope.payload_type
        ));
    }
    let subjects = statement_subjects(&envelope.payload).map_err(|e| {
        format!("could not verify artifact: unable to extract statement from envelope: {e}")
    })?;
    for (alg, subject_hex) in &subjects {
        if alg == algorithm {
            // hex.DecodeString: either case matches.
            let subject = hex::decode(subject_hex).map_err(|e| {
                format!("could not verify artifact: unable to decode subject digest: {e}")
            })?;
            if subject == digest {
                return Ok(());
            }
        }
    }
    Err("provided artifact digest does not match any digest in statement".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_is_dsse_v1() {
        assert_eq!(
            pae("application/vnd.in-toto+json", b"{}"),
            b"DSSEv1 28 application/vnd.in-toto+json 2 {}".to_vec()
        );
    }

    #[test]
    fn unknown_fields_make_a_bundle_unloadable() {
        let extra = br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"x"}},"dsseEnvelope":{"payload":"e30","payloadType":"t","signatures":[{"sig":"AA=="}]},"note":"unsigned"}"#;
        assert!(matches!(parse(extra), Err(BundleError::Json(_))));
    }

    #[test]
    fn old_bundles_are_refused() {
        let v1 = br#"{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.1","verificationMaterial":{"publicKey":{}},"dsseEnvelope":{}}"#;
        assert!(matches!(parse(v1), Err(BundleError::Version(_))));
        let v3 = br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"x"}},"dsseEnvelope":{"payload":"e30","payloadType":"t","signatures":[{"sig":"AA=="}]}}"#;
        let b = parse(v3).unwrap();
        assert_eq!(b.key_hint.as_deref(), Some("x"));
        assert_eq!(
            b.content,
            BundleContent::Dsse(DsseEnvelope {
                payload_type: "t".into(),
                payload: b"{}".to_vec(),
                signatures: vec![vec![0]],
            })
        );
    }
}
