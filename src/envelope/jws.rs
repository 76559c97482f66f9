//! The JWS JSON (flattened) envelope, read as notation-core-go v1.3 reads it: the envelope and
//! protected header through Go `encoding/json` (case-insensitive keys, last duplicate wins,
//! unknown keys ignored), the signature through golang-jwt v4 (its check order and messages,
//! PSS salt length auto-detected), then notation's header rules (signing scheme, crit,
//! algorithm).

use super::{
    go_zero_time, EnvelopeContent, EnvelopePayload, ExtendedAttribute, ParseError,
    SignedAttributes, SignerInfo, SigningScheme, UnsignedAttributes, VerifyError,
};
use crate::golang::base64;
use crate::golang::json::{self, Kind, Raw};
use crate::pki::algorithm::{verify_jws_signature, PublicKey, SignatureAlgorithm};
use crate::pki::cert::Certificate;
use chrono::{DateTime, FixedOffset};

const ALG: &str = "alg";
const CTY: &str = "cty";
const CRIT: &str = "crit";
const EXPIRY: &str = "io.cncf.notary.expiry";
const SIGNING_TIME: &str = "io.cncf.notary.signingTime";
const SIGNING_SCHEME: &str = "io.cncf.notary.signingScheme";
const AUTHENTIC_SIGNING_TIME: &str = "io.cncf.notary.authenticSigningTime";
/// Keys that are not extended attributes (compared exactly, as Go's `delete` does).
const HEADER_KEYS: [&str; 7] = [
    ALG,
    CTY,
    CRIT,
    EXPIRY,
    SIGNING_TIME,
    SIGNING_SCHEME,
    AUTHENTIC_SIGNING_TIME,
];

/// A parsed (not yet verified) JWS envelope.
#[derive(Debug, Clone, Default)]
pub struct JwsEnvelope {
    payload: String,
    protected: String,
    signature: String,
    /// `x5c` entries; `None` for a JSON `null` element.
    x5c: Vec<Option<Vec<u8>>>,
    timestamp_signature: Option<Vec<u8>>,
    signing_agent: String,
}

/// First-error-wins collector, like Go's `decodeState.saveError`.
#[derive(Default)]
struct Saved(Option<String>);

impl Saved {
    fn save(&mut self, e: String) {
        if self.0.is_none() {
            self.0 = Some(e);
        }
    }

    fn type_error(&mut self, kind: Kind, strukt: &str, field: &str, go_type: &str) {
        self.save(json::unmarshal_type_error(
            kind.go_name(),
            strukt,
            field,
            go_type,
        ));
    }
}

/// Go decoding of a `string` field: null leaves it alone, other kinds are type errors.
fn string_field(
    raw: Raw<'_>,
    target: &mut String,
    saved: &mut Saved,
    strukt: &str,
    field: &str,
    go_type: &str,
) {
    match raw.kind() {
        Kind::Null => {}
        Kind::String => *target = raw.as_str().unwrap_or_default(),
        kind => saved.type_error(kind, strukt, field, go_type),
    }
}

/// Go decoding of a `[]byte` field: a standard base64 string.
fn bytes_value(
    raw: Raw<'_>,
    saved: &mut Saved,
    strukt: &str,
    field: &str,
    go_type: &str,
) -> Option<Vec<u8>> {
    match raw.kind() {
        Kind::Null => None,
        Kind::String => {
            let text = raw.as_str().unwrap_or_default();
            match base64::decode(text.as_bytes(), false, true) {
                Ok(bytes) => Some(bytes),
                Err(e) => {
                    saved.save(e);
                    None
                }
            }
        }
        kind => {
            saved.type_error(kind, strukt, field, go_type);
            None
        }
    }
}

impl JwsEnvelope {
    /// notation-core-go `jws.ParseEnvelope`: `json.Unmarshal` into the envelope struct.
    pub fn parse(bytes: &[u8]) -> Result<JwsEnvelope, ParseError> {
        json::check_valid(bytes).map_err(ParseError::Jws)?;
        let root = Raw(bytes);
        let mut env = JwsEnvelope::default();
        match root.kind() {
            Kind::Null => return Ok(env),
            Kind::Object => {}
            kind => {
                return Err(ParseError::Jws(json::unmarshal_type_error(
                    kind.go_name(),
                    "",
                    "",
                    "jws.jwsEnvelope",
                )))
            }
        }
        let mut saved = Saved::default();
        const ENV: &str = "jwsEnvelope";
        for (key, value) in root.members() {
            if json::field_matches(&key, "payload") {
                string_field(
                    value,
                    &mut env.payload,
                    &mut saved,
                    ENV,
                    "payload",
                    "string",
                );
            } else if json::field_matches(&key, "protected") {
                string_field(
                    value,
                    &mut env.protected,
                    &mut saved,
                    ENV,
                    "protected",
                    "string",
                );
            } else if json::field_matches(&key, "signature") {
                string_field(
                    value,
                    &mut env.signature,
                    &mut saved,
                    ENV,
                    "signature",
                    "string",
                );
            } else if json::field_matches(&key, "header") {
                env.decode_header(value, &mut saved);
            }
        }
        match saved.0 {
            Some(e) => Err(ParseError::Jws(e)),
            None => Ok(env),
        }
    }

    fn decode_header(&mut self, raw: Raw<'_>, saved: &mut Saved) {
        const HDR: &str = "jwsUnprotectedHeader";
        match raw.kind() {
            Kind::Null => return,
            Kind::Object => {}
            kind => {
                saved.type_error(kind, "jwsEnvelope", "header", "jws.jwsUnprotectedHeader");
                return;
            }
        }
        for (key, value) in raw.members() {
            if json::field_matches(&key, "io.cncf.notary.timestampSignature") {
                self.timestamp_signature = bytes_value(
                    value,
                    saved,
                    HDR,
                    "header.io.cncf.notary.timestampSignature",
                    "[]uint8",
                );
            } else if json::field_matches(&key, "x5c") {
                match value.kind() {
                    Kind::Null => self.x5c.clear(),
                    Kind::Array => {
                        self.x5c = value
                            .elements()
                            .into_iter()
                            .map(|e| bytes_value(e, saved, HDR, "header.x5c", "[]uint8"))
                            .collect();
                    }
                    kind => saved.type_error(kind, HDR, "header.x5c", "[][]uint8"),
                }
            } else if json::field_matches(&key, "io.cncf.notary.signingAgent") {
                string_field(
                    value,
                    &mut self.signing_agent,
                    saved,
                    HDR,
                    "header.io.cncf.notary.signingAgent",
                    "string",
                );
            }
        }
    }

    /// notation-core-go `envelope.Verify` for JWS: leaf present and parseable, golang-jwt
    /// verification with the leaf key, then the content.
    pub fn verify(&self) -> Result<EnvelopeContent, VerifyError> {
        let invalid = |s: &str| VerifyError::Invalid(s.to_string());
        let Some(first) = self.x5c.first() else {
            return Err(invalid("certificate chain is not present"));
        };
        let leaf = Certificate::from_der(first.as_deref().unwrap_or_default())
            .map_err(|_| invalid("malformed leaf certificate"))?;
        let key = PublicKey::from_spki(leaf.public_key())
            .map_err(|_| invalid("malformed leaf certificate"))?;
        self.verify_jwt(&key).map_err(VerifyError::Integrity)?;
        self.content()
    }

    /// golang-jwt v4 `Parser.Parse` with `WithValidMethods([PS256…ES512])`,
    /// `WithJSONNumber`, `WithoutClaimsValidation`; the error is the text notation wraps.
    fn verify_jwt(&self, key: &PublicKey) -> Result<(), String> {
        let compact = format!("{}.{}.{}", self.protected, self.payload, self.signature);
        let parts: Vec<&str> = compact.split('.').collect();
        let [header_b64, claims_b64, signature_b64] = parts.as_slice() else {
            return Err("token contains an invalid number of segments".into());
        };
        let header = base64::decode(header_b64.as_bytes(), true, false).map_err(|e| {
            if compact.to_lowercase().starts_with("bearer ") {
                "tokenstring should not contain 'bearer '".to_string()
            } else {
                e
            }
        })?;
        json::check_valid(&header)?;
        let header = Raw(&header);
        if !matches!(header.kind(), Kind::Object | Kind::Null) {
            return Err(json::unmarshal_type_error(
                header.kind().go_name(),
                "",
                "",
                "map[string]interface {}",
            ));
        }
        let claims = base64::decode(claims_b64.as_bytes(), true, false)?;
        let first = Raw(json::decoder_first_value(&claims)?);
        if !matches!(first.kind(), Kind::Object | Kind::Null) {
            return Err(json::unmarshal_type_error(
                first.kind().go_name(),
                "",
                "",
                "jwt.MapClaims",
            ));
        }
        // The header is a Go map: the last "alg" (exact key) counts.
        let alg = header
            .members()
            .into_iter()
            .rfind(|(k, _)| k == ALG)
            .and_then(|(_, v)| v.as_str())
            .ok_or("signing method (alg) is unspecified.")?;
        const REGISTERED: [&str; 14] = [
            "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
            "PS256", "PS384", "PS512", "EdDSA", "none",
        ];
        if !REGISTERED.contains(&alg.as_str()) {
            return Err("signing method (alg) is unavailable.".into());
        }
        let Some(algorithm) = SignatureAlgorithm::from_jws_name(&alg) else {
            return Err(format!("signing method {alg} is invalid"));
        };
        let signature = base64::decode(signature_b64.as_bytes(), true, false)?;
        let signing_input = format!("{header_b64}.{claims_b64}");
        verify_jws_signature(algorithm, key, signing_input.as_bytes(), &signature)
            .map_err(|e| e.to_string())
    }

    /// notation-core-go `envelope.Content` for JWS (no signature check).
    pub fn content(&self) -> Result<EnvelopeContent, VerifyError> {
        let invalid = VerifyError::Invalid;
        let header = ProtectedHeader::parse(&self.protected).map_err(invalid)?;
        let payload = base64::decode(self.payload.as_bytes(), true, false)
            .map_err(|e| invalid(format!("payload error: {e}")))?;
        let signer_info = self.signer_info(&header).map_err(invalid)?;
        Ok(EnvelopeContent {
            signer_info,
            payload: EnvelopePayload {
                content_type: header.content_type.clone(),
                content: payload,
            },
        })
    }

    fn signer_info(&self, header: &ProtectedHeader) -> Result<SignerInfo, String> {
        let signed_attributes = header.validate()?;
        let signature_algorithm =
            SignatureAlgorithm::from_jws_name(&header.alg).ok_or_else(|| {
                format!(
                    "signature algorithm {} is not supported",
                    crate::pki::chain::go_quote(&header.alg)
                )
            })?;
        let signature = base64::decode(self.signature.as_bytes(), true, false)?;
        if signature.is_empty() {
            return Err("signature missing in jws-json envelope".into());
        }
        let certificate_chain = self
            .x5c
            .iter()
            .map(|der| Certificate::from_der(der.as_deref().unwrap_or_default()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        Ok(SignerInfo {
            signed_attributes,
            unsigned_attributes: UnsignedAttributes {
                signing_agent: self.signing_agent.clone(),
                timestamp_signature: self.timestamp_signature.clone().filter(|t| !t.is_empty()),
            },
            signature_algorithm,
            certificate_chain,
            signature,
        })
    }
}

/// The protected header, typed once (`jwsProtectedHeader` + its extended attributes).
#[derive(Debug, Clone, Default)]
struct ProtectedHeader {
    alg: String,
    content_type: String,
    crit: Vec<String>,
    expiry: Option<DateTime<FixedOffset>>,
    signing_scheme: String,
    signing_time: Option<DateTime<FixedOffset>>,
    authentic_signing_time: Option<DateTime<FixedOffset>>,
    /// Every key not exactly one of [`HEADER_KEYS`], last value of duplicates, first position.
    extended: Vec<(String, serde_json::Value)>,
}

impl ProtectedHeader {
    fn parse(encoded: &str) -> Result<ProtectedHeader, String> {
        let err = |e: String| format!("jws envelope protected header can't be decoded: {e}");
        let raw = base64::decode(encoded.as_bytes(), true, false).map_err(err)?;
        json::check_valid(&raw).map_err(err)?;
        let root = Raw(&raw);
        let mut header = ProtectedHeader::default();
        match root.kind() {
            Kind::Null => return Ok(header),
            Kind::Object => {}
            kind => {
                return Err(err(json::unmarshal_type_error(
                    kind.go_name(),
                    "",
                    "",
                    "jws.jwsProtectedHeader",
                )))
            }
        }
        const PH: &str = "jwsProtectedHeader";
        let mut saved = Saved::default();
        for (key, value) in root.members() {
            let is = |field: &str| json::field_matches(&key, field);
            if is(ALG) {
                string_field(value, &mut header.alg, &mut saved, PH, ALG, "string");
            } else if is(CTY) {
                string_field(
                    value,
                    &mut header.content_type,
                    &mut saved,
                    PH,
                    CTY,
                    "string",
                );
            } else if is(CRIT) {
                match value.kind() {
                    Kind::Null => header.crit.clear(),
                    Kind::Array => {
                        header.crit = value
                            .elements()
                            .into_iter()
                            .map(|e| {
                                let mut s = String::new();
                                string_field(e, &mut s, &mut saved, PH, CRIT, "string");
                                s
                            })
                            .collect();
                    }
                    kind => saved.type_error(kind, PH, CRIT, "[]string"),
                }
            } else if is(EXPIRY) {
                header.expiry = go_time(value).map_err(err)?;
            } else if is(SIGNING_SCHEME) {
                string_field(
                    value,
                    &mut header.signing_scheme,
                    &mut saved,
                    PH,
                    SIGNING_SCHEME,
                    "signature.SigningScheme",
                );
            } else if is(SIGNING_TIME) {
                header.signing_time = go_time(value).map_err(err)?;
            } else if is(AUTHENTIC_SIGNING_TIME) {
                header.authentic_signing_time = go_time(value).map_err(err)?;
            }
            if !HEADER_KEYS.contains(&key.as_str()) {
                let v = value.to_value();
                match header.extended.iter_mut().find(|(k, _)| *k == key) {
                    Some(slot) => slot.1 = v,
                    None => header.extended.push((key.clone(), v)),
                }
            }
        }
        match saved.0 {
            Some(e) => Err(err(e)),
            None => Ok(header),
        }
    }

    /// notation-core-go `validateProtectedHeaders` + `populateProtectedHeaders`.
    fn validate(&self) -> Result<SignedAttributes, String> {
        let scheme = SigningScheme::parse(&self.signing_scheme);
        match scheme {
            Some(SigningScheme::X509) if self.authentic_signing_time.is_some() => {
                return Err(format!(
                    "\"{AUTHENTIC_SIGNING_TIME}\" header must not be present for notary.x509 signing scheme"
                ))
            }
            Some(SigningScheme::X509SigningAuthority) if self.signing_time.is_some() => {
                return Err(format!(
                    "\"{SIGNING_TIME}\" header must not be present for notary.x509.signingAuthority signing scheme"
                ))
            }
            // notation says "notary.x509" here although the scheme is signingAuthority.
            Some(SigningScheme::X509SigningAuthority) if self.authentic_signing_time.is_none() => {
                return Err(format!(
                    "\"{AUTHENTIC_SIGNING_TIME}\" header must be present for notary.x509 signing scheme"
                ))
            }
            Some(_) => {}
            None => return Err(format!("unsupported SigningScheme: `{}`", self.signing_scheme)),
        }
        self.validate_crit()?;
        let scheme = scheme.unwrap_or(SigningScheme::X509);
        SignatureAlgorithm::from_jws_name(&self.alg).ok_or_else(|| {
            format!(
                "signature algorithm {} is not supported",
                crate::pki::chain::go_quote(&self.alg)
            )
        })?;
        let signing_time = match scheme {
            SigningScheme::X509 => self.signing_time,
            SigningScheme::X509SigningAuthority => self.authentic_signing_time,
        }
        .unwrap_or_else(go_zero_time);
        Ok(SignedAttributes {
            signing_scheme: scheme,
            signing_time,
            expiry: self.expiry.filter(|e| *e != go_zero_time()),
            extended_attributes: self
                .extended
                .iter()
                .map(|(key, value)| ExtendedAttribute {
                    key: key.clone(),
                    critical: self.crit.contains(key),
                    value: value.clone(),
                })
                .collect(),
        })
    }

    fn validate_crit(&self) -> Result<(), String> {
        if self.crit.is_empty() {
            return Err("missing \"crit\" header".into());
        }
        let mut must: Vec<&str> = vec![SIGNING_SCHEME];
        if self.expiry.is_some_and(|e| e != go_zero_time()) {
            must.push(EXPIRY);
        }
        if self.signing_scheme == SigningScheme::X509SigningAuthority.as_str() {
            must.push(AUTHENTIC_SIGNING_TIME);
        }
        for entry in &self.crit {
            if let Some(pos) = must.iter().position(|m| m == entry) {
                must.remove(pos);
            } else if !self.extended.iter().any(|(k, _)| k == entry) {
                return Err(format!(
                    "{} header is marked critical but not present",
                    crate::pki::chain::go_quote(entry)
                ));
            }
        }
        if !must.is_empty() {
            // Go prints a slice built from map iteration; with several keys the order varies.
            return Err(format!(
                "these required headers are not marked as critical: [{}]",
                must.join(" ")
            ));
        }
        Ok(())
    }
}

/// Go's `*time.Time` field decoding: null keeps nil, a string is parsed as strict RFC 3339,
/// anything else fails at once (`Time.UnmarshalJSON` errors are not deferred).
fn go_time(raw: Raw<'_>) -> Result<Option<DateTime<FixedOffset>>, String> {
    match raw.kind() {
        Kind::Null => Ok(None),
        Kind::String => parse_rfc3339(&raw.as_str().unwrap_or_default()).map(Some),
        _ => Err("Time.UnmarshalJSON: input is not a JSON string".into()),
    }
}

/// Go's strict RFC 3339 (`time.RFC3339` layout, `T` and `Z` upper case, no leap second),
/// keeping the encoded offset.
pub(crate) fn parse_rfc3339(s: &str) -> Result<DateTime<FixedOffset>, String> {
    let fail = || {
        format!(
            "parsing time {} as \"2006-01-02T15:04:05Z07:00\": cannot parse {} as \"2006\"",
            crate::pki::chain::go_quote(s),
            crate::pki::chain::go_quote(s)
        )
    };
    let bytes = s.as_bytes();
    if bytes.get(10) != Some(&b'T') || s.ends_with('z') || bytes.get(17..19) == Some(b"60") {
        return Err(fail());
    }
    DateTime::parse_from_rfc3339(s).map_err(|_| fail())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_is_go_strict_and_keeps_the_offset() {
        let t = parse_rfc3339("2023-06-27T13:21:21+08:00").unwrap();
        assert_eq!(t.offset().local_minus_utc(), 8 * 3600);
        assert!(parse_rfc3339("2023-06-27t13:21:21Z").is_err());
        assert!(parse_rfc3339("2023-06-27T13:21:21z").is_err());
        assert!(parse_rfc3339("2023-06-27 13:21:21Z").is_err());
        assert!(parse_rfc3339("2023-06-27T13:21:60Z").is_err());
        assert!(parse_rfc3339("2023-06-27T13:21:21.123456789Z").is_ok());
    }

    #[test]
    fn envelope_type_errors_read_like_go() {
        let cases: &[(&str, &str)] = &[
            (r#"{"payload": 1}"#, "json: cannot unmarshal number into Go struct field jwsEnvelope.payload of type string"),
            (r#"[]"#, "json: cannot unmarshal array into Go value of type jws.jwsEnvelope"),
            (r#"{"header": "x"}"#, "json: cannot unmarshal string into Go struct field jwsEnvelope.header of type jws.jwsUnprotectedHeader"),
            (r#"{"header": {"x5c": "AAAA"}}"#, "json: cannot unmarshal string into Go struct field jwsUnprotectedHeader.header.x5c of type [][]uint8"),
            (r#"{"header": {"x5c": ["A"]}}"#, "illegal base64 data at input byte 0"),
            (r#"{"header": {"x5c": [1]}, "payload": 2}"#, "json: cannot unmarshal number into Go struct field jwsUnprotectedHeader.header.x5c of type []uint8"),
        ];
        for (input, want) in cases {
            assert_eq!(
                JwsEnvelope::parse(input.as_bytes())
                    .unwrap_err()
                    .to_string(),
                *want,
                "{input}"
            );
        }
        let env = JwsEnvelope::parse(
            br#"{"PAYLOAD":"a","Header":{"X5C":["AAAA"],"IO.CNCF.NOTARY.SIGNINGAGENT":"x"}}"#,
        )
        .unwrap();
        assert_eq!(env.payload, "a");
        assert_eq!(env.x5c, vec![Some(vec![0, 0, 0])]);
        assert_eq!(env.signing_agent, "x");
    }
}
