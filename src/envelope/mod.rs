//! Signature envelopes (JWS JSON and COSE_Sign1) and their signed payload.
//!
//! [`Envelope::parse`] dispatches on the layer media type exactly as notation-core-go's
//! registry does (only `application/jose+json` and `application/cose`). [`Envelope::verify`]
//! checks the signature with the leaf certificate's key and then runs notation's common
//! signer-info validation (§5.4 of the design notes: payload, signature, algorithm, signing
//! time, expiry, scheme, chain rules, leaf key vs algorithm) and returns [`EnvelopeContent`].
//! [`Envelope::content`] returns the same without checking the signature (for `inspect`).
//! [`verify_integrity`] is notation-go's whole integrity step, with its message texts.
//!
//! Messages: a [`ParseError`] carries only the inner text; notation-go prefixes it with
//! `unable to parse the digital signature, error : ` (see [`IntegrityError::Parse`]). A
//! [`VerifyError`] is the final text.

pub mod cose;
pub mod jws;
pub mod payload;

use crate::pki::algorithm::SignatureAlgorithm;
use crate::pki::cert::Certificate;
use crate::pki::chain::{go_quote, validate_code_signing_chain};
use chrono::{DateTime, FixedOffset};

/// JWS JSON serialization media type.
pub const MEDIA_TYPE_JWS: &str = "application/jose+json";
/// COSE_Sign1 media type.
pub const MEDIA_TYPE_COSE: &str = "application/cose";
/// The payload content type notation signs.
pub const PAYLOAD_CONTENT_TYPE: &str = "application/vnd.cncf.notary.payload.v1+json";

/// The Notary Project signing schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningScheme {
    /// `notary.x509`: trust store type `ca`, timestamps from a TSA.
    X509,
    /// `notary.x509.signingAuthority`: trust store type `signingAuthority`, authentic signing time.
    X509SigningAuthority,
}

impl SigningScheme {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            SigningScheme::X509 => "notary.x509",
            SigningScheme::X509SigningAuthority => "notary.x509.signingAuthority",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "notary.x509" => Some(SigningScheme::X509),
            "notary.x509.signingAuthority" => Some(SigningScheme::X509SigningAuthority),
            _ => None,
        }
    }
}

/// A user-defined signed attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtendedAttribute {
    /// The header key (COSE integer labels as decimal text).
    pub key: String,
    /// Whether it is listed in `crit`.
    pub critical: bool,
    /// Its value (COSE values converted to JSON: text, integers, booleans, byte strings as
    /// base64, other structures as their diagnostic text).
    pub value: serde_json::Value,
}

/// Signed attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedAttributes {
    /// Signing scheme.
    pub signing_scheme: SigningScheme,
    /// Signing time (`notary.x509`) or authentic signing time (`signingAuthority`). JWS keeps
    /// the encoded UTC offset, because notation prints times in it; COSE times are UTC.
    pub signing_time: DateTime<FixedOffset>,
    /// Expiry, if set (same offset rule).
    pub expiry: Option<DateTime<FixedOffset>>,
    /// Extended attributes, in header order.
    pub extended_attributes: Vec<ExtendedAttribute>,
}

/// Unsigned attributes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnsignedAttributes {
    /// `io.cncf.notary.signingAgent` (empty when absent).
    pub signing_agent: String,
    /// `io.cncf.notary.timestampSignature`: an RFC 3161 token over the signature bytes.
    pub timestamp_signature: Option<Vec<u8>>,
}

/// What the envelope says about its signer.
#[derive(Debug, Clone, PartialEq)]
pub struct SignerInfo {
    /// Signed attributes.
    pub signed_attributes: SignedAttributes,
    /// Unsigned attributes.
    pub unsigned_attributes: UnsignedAttributes,
    /// The envelope's algorithm.
    pub signature_algorithm: SignatureAlgorithm,
    /// Certificate chain, leaf first.
    pub certificate_chain: Vec<Certificate>,
    /// The raw signature bytes.
    pub signature: Vec<u8>,
}

/// The envelope's payload as signed (not yet interpreted; see [`payload::Payload`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopePayload {
    /// `cty` / COSE content type.
    pub content_type: String,
    /// Payload bytes.
    pub content: Vec<u8>,
}

/// Signer information and payload of an envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvelopeContent {
    /// Signer information.
    pub signer_info: SignerInfo,
    /// Payload.
    pub payload: EnvelopePayload,
}

/// An envelope that could not be parsed. `Display` is the inner text; notation prints it as
/// `unable to parse the digital signature, error : <text>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// A media type other than the two notation registers.
    #[error("signature envelope format with media type {} is not supported", go_quote(.0))]
    UnsupportedMediaType(String),
    /// A malformed JWS envelope (Go `encoding/json` / base64 text).
    #[error("{0}")]
    Jws(String),
    /// A malformed COSE envelope (go-cose's text where known).
    #[error("{0}")]
    Cose(String),
}

/// Why a parsed envelope does not verify; `Display` is notation-core-go's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The signature does not verify (`SignatureIntegrityError`).
    #[error("signature is invalid. Error: {0}")]
    Integrity(String),
    /// The envelope's content breaks a rule (`InvalidSignatureError` and friends).
    #[error("{0}")]
    Invalid(String),
}

/// A parsed envelope.
#[derive(Debug, Clone)]
pub enum Envelope {
    /// JWS JSON.
    Jws(jws::JwsEnvelope),
    /// COSE_Sign1.
    Cose(cose::CoseEnvelope),
}

impl Envelope {
    /// notation-core-go `signature.ParseEnvelope(mediaType, bytes)`.
    pub fn parse(media_type: &str, bytes: &[u8]) -> Result<Envelope, ParseError> {
        match media_type {
            MEDIA_TYPE_JWS => jws::JwsEnvelope::parse(bytes).map(Envelope::Jws),
            MEDIA_TYPE_COSE => cose::CoseEnvelope::parse(bytes).map(Envelope::Cose),
            other => Err(ParseError::UnsupportedMediaType(other.to_string())),
        }
    }

    /// The media type this envelope was parsed as.
    pub fn media_type(&self) -> &'static str {
        match self {
            Envelope::Jws(_) => MEDIA_TYPE_JWS,
            Envelope::Cose(_) => MEDIA_TYPE_COSE,
        }
    }

    /// Signature check, then the common signer-info validation.
    pub fn verify(&self) -> Result<EnvelopeContent, VerifyError> {
        let content = match self {
            Envelope::Jws(e) => e.verify()?,
            Envelope::Cose(e) => e.verify()?,
        };
        validate_content(&content)?;
        Ok(content)
    }

    /// The content and the common validation, without checking the signature.
    pub fn content(&self) -> Result<EnvelopeContent, VerifyError> {
        let content = match self {
            Envelope::Jws(e) => e.content()?,
            Envelope::Cose(e) => e.content()?,
        };
        validate_content(&content)?;
        Ok(content)
    }
}

/// notation-go's integrity result text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntegrityError {
    /// Parsing failed.
    #[error("unable to parse the digital signature, error : {0}")]
    Parse(#[from] ParseError),
    /// Verification failed.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The payload is not a notation payload.
    #[error("payload content type {} not supported", go_quote(.0))]
    PayloadContentType(String),
}

/// Parse and verify with notation-go's integrity texts (parse errors prefixed), without the
/// payload content type check that [`verify_integrity`] adds.
pub fn open(media_type: &str, bytes: &[u8]) -> Result<EnvelopeContent, IntegrityError> {
    Ok(Envelope::parse(media_type, bytes)?.verify()?)
}

/// notation-go `verifyIntegrity`: parse, verify, then require notation's payload content type.
pub fn verify_integrity(media_type: &str, bytes: &[u8]) -> Result<EnvelopeContent, IntegrityError> {
    let content = open(media_type, bytes)?;
    if content.payload.content_type != PAYLOAD_CONTENT_TYPE {
        return Err(IntegrityError::PayloadContentType(
            content.payload.content_type.clone(),
        ));
    }
    Ok(content)
}

/// Raw (unverified) pieces each format extracts before the common checks; the format modules
/// fill this and [`validate_content`] runs the common rules.
fn validate_content(content: &EnvelopeContent) -> Result<(), VerifyError> {
    let invalid = |s: &str| Err(VerifyError::Invalid(s.to_string()));
    if content.payload.content.is_empty() {
        return invalid("content not present");
    }
    let info = &content.signer_info;
    if info.signature.is_empty() {
        return invalid("signature not present or is empty");
    }
    let signing_time = info.signed_attributes.signing_time;
    if is_go_zero(&signing_time) {
        return invalid("signing-time not present");
    }
    if let Some(expiry) = info.signed_attributes.expiry {
        if expiry <= signing_time {
            return invalid("expiry cannot be equal or before the signing time");
        }
    }
    if info.certificate_chain.is_empty() {
        return invalid("certificate-chain not present or is empty");
    }
    validate_code_signing_chain(&info.certificate_chain)
        .map_err(|e| VerifyError::Invalid(format!("certificate-chain is invalid, {e}")))?;
    let Some(leaf) = info.certificate_chain.first() else {
        return invalid("certificate-chain not present or is empty");
    };
    let derived = SignatureAlgorithm::for_spki(leaf.public_key())
        .map_err(|e| VerifyError::Invalid(e.to_string()))?;
    if derived != info.signature_algorithm {
        return Err(VerifyError::Invalid(format!(
            "mismatch between signature algorithm derived from signing certificate ({}) and signing algorithm specified ({}s)",
            derived.number(),
            info.signature_algorithm.number()
        )));
    }
    Ok(())
}

/// Go's zero `time.Time` (0001-01-01T00:00:00Z) marks an absent time.
pub(crate) fn go_zero_time() -> DateTime<FixedOffset> {
    DateTime::<chrono::Utc>::from_timestamp(-62_135_596_800, 0)
        .unwrap_or_default()
        .fixed_offset()
}

fn is_go_zero(t: &DateTime<FixedOffset>) -> bool {
    *t == go_zero_time()
}
