//! The COSE_Sign1 envelope, read as notation-core-go v1.3 reads it through go-cose v1.3.
//!
//! Decoding is `coset`'s (tag 18, the four-element array, the protected header kept as its
//! original bytes for the `Sig_structure`). On top of it sit go-cose's checks that coset does
//! not make (prefix `0xD2 0x84`, non-empty signature, `crit` labels present) and notation's
//! header rules: labels `io.cncf.notary.*`, times as CBOR tag 1, the certificate chain read
//! **only** from the unprotected header and only as an array (a divergence from the
//! specification that notation has), the algorithm derived from the leaf key.
//!
//! CBOR decoding failures are worded as fxamacker/cbor v2.9 (go-cose's CBOR library) words
//! them: the well-formedness pass, the header maps' UTF-8 and label checks and their order are
//! reproduced in `golang::cbor`; only what passes those reaches coset, whose texts remain for
//! what fxamacker accepts and coset does not (an `alg` outside coset's integer ranges).

use super::{
    go_zero_time, EnvelopeContent, EnvelopePayload, ExtendedAttribute, ParseError,
    SignedAttributes, SignerInfo, SigningScheme, UnsignedAttributes, VerifyError,
};
use crate::golang::cbor;
use crate::pki::algorithm::{verify_cose_signature, PublicKey, SignatureAlgorithm};
use crate::pki::cert::Certificate;
use chrono::{DateTime, FixedOffset, Utc};
use ciborium::Value;
use coset::iana::EnumI64;
use coset::{Label, RegisteredLabel, RegisteredLabelWithPrivate, TaggedCborSerializable};

const SIGNING_SCHEME: &str = "io.cncf.notary.signingScheme";
const SIGNING_TIME: &str = "io.cncf.notary.signingTime";
const AUTHENTIC_SIGNING_TIME: &str = "io.cncf.notary.authenticSigningTime";
const EXPIRY: &str = "io.cncf.notary.expiry";
const TIMESTAMP_SIGNATURE: &str = "io.cncf.notary.timestampSignature";
const SIGNING_AGENT: &str = "io.cncf.notary.signingAgent";
/// COSE header label `x5chain` (RFC 9360).
const X5CHAIN: i64 = 33;

/// A parsed (not yet verified) COSE_Sign1 envelope.
#[derive(Debug, Clone)]
pub struct CoseEnvelope {
    message: Box<coset::CoseSign1>,
}

/// A header label as go-cose keeps it: an integer or a text string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum HeaderLabel {
    Int(i64),
    Text(String),
}

impl std::fmt::Display for HeaderLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeaderLabel::Int(i) => write!(f, "{i}"),
            HeaderLabel::Text(s) => f.write_str(s),
        }
    }
}

fn crit_label(l: &RegisteredLabelWithPrivate<coset::iana::HeaderParameter>) -> HeaderLabel {
    match l {
        RegisteredLabelWithPrivate::PrivateUse(i) => HeaderLabel::Int(*i),
        RegisteredLabelWithPrivate::Assigned(a) => HeaderLabel::Int(a.to_i64()),
        RegisteredLabelWithPrivate::Text(s) => HeaderLabel::Text(s.clone()),
    }
}

fn label_of(l: &Label) -> HeaderLabel {
    match l {
        Label::Int(i) => HeaderLabel::Int(*i),
        Label::Text(s) => HeaderLabel::Text(s.clone()),
    }
}

/// go-cose `Algorithm.String()`.
fn go_cose_alg_name(id: i64) -> String {
    match id {
        -37 => "PS256".into(),
        -38 => "PS384".into(),
        -39 => "PS512".into(),
        -257 => "RS256".into(),
        -258 => "RS384".into(),
        -259 => "RS512".into(),
        -7 => "ES256".into(),
        -35 => "ES384".into(),
        -36 => "ES512".into(),
        -8 => "EdDSA".into(),
        0 => "Reserved".into(),
        // go-cose v1.3's `Algorithm.String()` for values it has no name for.
        other => format!("Algorithm({other})"),
    }
}

/// The protected `alg` as go-cose's `ProtectedHeader.Algorithm()` sees it.
fn header_algorithm(header: &coset::Header) -> Result<i64, String> {
    match &header.alg {
        None => Err("algorithm not found".into()),
        Some(RegisteredLabelWithPrivate::Assigned(a)) => Ok(a.to_i64()),
        Some(RegisteredLabelWithPrivate::PrivateUse(i)) => Ok(*i),
        Some(RegisteredLabelWithPrivate::Text(t)) => {
            Err(format!("Algorithm({})", crate::pki::chain::go_quote(t)))
        }
    }
}

impl CoseEnvelope {
    /// notation-core-go `cose.ParseEnvelope` (go-cose `Sign1Message.UnmarshalCBOR`).
    pub fn parse(bytes: &[u8]) -> Result<CoseEnvelope, ParseError> {
        if !bytes.starts_with(&[0xd2, 0x84]) {
            return Err(ParseError::Cose(
                "cbor: invalid COSE_Sign1_Tagged object".into(),
            ));
        }
        go_cose_checks(bytes).map_err(ParseError::Cose)?;
        let message = coset::CoseSign1::from_tagged_slice(bytes)
            .map_err(|e| ParseError::Cose(format!("cbor: {e}")))?;
        Ok(CoseEnvelope {
            message: Box::new(message),
        })
    }

    fn protected_value(&self, label: &str) -> Option<&Value> {
        self.message
            .protected
            .header
            .rest
            .iter()
            .find(|(l, _)| matches!(l, Label::Text(t) if t == label))
            .map(|(_, v)| v)
    }

    fn unprotected_value(&self, label: &HeaderLabel) -> Option<&Value> {
        self.message
            .unprotected
            .rest
            .iter()
            .find(|(l, _)| label_of(l) == *label)
            .map(|(_, v)| v)
    }

    /// The `x5chain` array of the unprotected header, if non-empty.
    fn x5chain(&self) -> Option<&Vec<Value>> {
        match self.unprotected_value(&HeaderLabel::Int(X5CHAIN)) {
            Some(Value::Array(items)) if !items.is_empty() => Some(items),
            _ => None,
        }
    }

    /// notation-core-go `envelope.Verify` for COSE.
    pub fn verify(&self) -> Result<EnvelopeContent, VerifyError> {
        let invalid = |s: &str| VerifyError::Invalid(s.to_string());
        let chain = self
            .x5chain()
            .ok_or_else(|| invalid("certificate chain is not present"))?;
        let Some(Value::Bytes(leaf_der)) = chain.first() else {
            return Err(invalid("COSE envelope malformed leaf certificate"));
        };
        let leaf =
            Certificate::from_der(leaf_der).map_err(|_| invalid("malformed leaf certificate"))?;
        let key = PublicKey::from_spki(leaf.public_key())
            .map_err(|_| invalid("malformed leaf certificate"))?;
        let algorithm =
            SignatureAlgorithm::for_key(&key).map_err(|e| VerifyError::Invalid(e.to_string()))?;

        // go-cose Sign1Message.Verify.
        let header_alg =
            header_algorithm(&self.message.protected.header).map_err(VerifyError::Integrity)?;
        if header_alg != algorithm.cose_id() {
            return Err(VerifyError::Integrity(format!(
                "algorithm mismatch: verifier {}: header {}",
                go_cose_alg_name(algorithm.cose_id()),
                go_cose_alg_name(header_alg)
            )));
        }
        if self.message.payload.is_none() {
            return Err(VerifyError::Integrity("missing payload".into()));
        }
        let to_be_signed = self.message.tbs_data(b"");
        verify_cose_signature(algorithm, &key, &to_be_signed, &self.message.signature)
            .map_err(|e| VerifyError::Integrity(e.to_string()))?;
        self.content()
    }

    /// notation-core-go `envelope.Content` for COSE (no signature check).
    pub fn content(&self) -> Result<EnvelopeContent, VerifyError> {
        let invalid = |s: String| VerifyError::Invalid(s);
        let content_type = match &self.message.protected.header.content_type {
            None => return Err(invalid("missing content type".into())),
            Some(RegisteredLabel::Text(t)) => t.clone(),
            Some(_) => return Err(invalid("content type should be of 'tstr' type".into())),
        };
        let signer_info = self.signer_info().map_err(invalid)?;
        Ok(EnvelopeContent {
            signer_info,
            payload: EnvelopePayload {
                content_type,
                content: self.message.payload.clone().unwrap_or_default(),
            },
        })
    }

    fn signer_info(&self) -> Result<SignerInfo, String> {
        let signed_attributes = self.signed_attributes()?;
        let signature_algorithm = self.signature_algorithm()?;

        let items = self
            .x5chain()
            .ok_or_else(|| "certificate chain is not present".to_string())?;
        let mut certificate_chain = Vec::with_capacity(items.len());
        for item in items {
            let Value::Bytes(der) = item else {
                return Err("certificate chain is not present".into());
            };
            certificate_chain.push(Certificate::from_der(der).map_err(|e| e.to_string())?);
        }
        let timestamp_signature =
            match self.unprotected_value(&HeaderLabel::Text(TIMESTAMP_SIGNATURE.into())) {
                Some(Value::Bytes(b)) if !b.is_empty() => Some(b.clone()),
                _ => None,
            };
        let signing_agent = match self.unprotected_value(&HeaderLabel::Text(SIGNING_AGENT.into())) {
            Some(Value::Text(t)) => t.clone(),
            _ => String::new(),
        };
        Ok(SignerInfo {
            signed_attributes,
            unsigned_attributes: UnsignedAttributes {
                signing_agent,
                timestamp_signature,
            },
            signature_algorithm,
            certificate_chain,
            signature: self.message.signature.clone(),
        })
    }

    fn signature_algorithm(&self) -> Result<SignatureAlgorithm, String> {
        let alg = header_algorithm(&self.message.protected.header)?;
        SignatureAlgorithm::from_cose_id(alg)
            .ok_or_else(|| format!("signature algorithm not supported: {alg}"))
    }

    /// notation-core-go `parseProtectedHeaders` (with `validateCritHeaders`; the algorithm is
    /// checked between the crit rules and the signing scheme, as there).
    fn signed_attributes(&self) -> Result<SignedAttributes, String> {
        let header = &self.message.protected.header;
        let crit: Vec<HeaderLabel> = header.crit.iter().map(crit_label).collect();
        let scheme_text = match self.protected_value(SIGNING_SCHEME) {
            Some(Value::Text(t)) => t.clone(),
            _ => return Err("invalid signingScheme".into()),
        };
        let mut must = vec![SIGNING_SCHEME];
        if scheme_text == SigningScheme::X509SigningAuthority.as_str() {
            must.push(AUTHENTIC_SIGNING_TIME);
        }
        if self.protected_value(EXPIRY).is_some() {
            must.push(EXPIRY);
        }
        must.retain(|m| !crit.contains(&HeaderLabel::Text((*m).to_string())));
        if !must.is_empty() {
            return Err(format!(
                "these required headers are not marked as critical: [{}]",
                must.join(" ")
            ));
        }
        self.signature_algorithm()?;
        let scheme = SigningScheme::parse(&scheme_text);
        let signing_time = match scheme {
            Some(SigningScheme::X509) => self
                .time(SIGNING_TIME)
                .map_err(|e| format!("invalid signingTime: {e}"))?,
            Some(SigningScheme::X509SigningAuthority) => self
                .time(AUTHENTIC_SIGNING_TIME)
                .map_err(|e| format!("invalid authenticSigningTime: {e}"))?,
            None => return Err(format!("unsupported signingScheme: {scheme_text}")),
        };
        let expiry = match self.protected_value(EXPIRY) {
            Some(_) => Some(
                self.time(EXPIRY)
                    .map_err(|e| format!("invalid expiry: {e}"))?,
            ),
            None => None,
        };
        const SYSTEM: [&str; 4] = [EXPIRY, SIGNING_SCHEME, SIGNING_TIME, AUTHENTIC_SIGNING_TIME];
        let mut extended_attributes = Vec::new();
        let mut push = |label: HeaderLabel, value: serde_json::Value| {
            extended_attributes.push(ExtendedAttribute {
                critical: crit.contains(&label),
                key: label.to_string(),
                value,
            });
        };
        for (bytes, id) in [
            (&header.key_id, 4),
            (&header.iv, 5),
            (&header.partial_iv, 6),
        ] {
            if !bytes.is_empty() {
                push(HeaderLabel::Int(id), bytes_to_json(bytes));
            }
        }
        for (label, value) in &header.rest {
            if matches!(label, Label::Text(t) if SYSTEM.contains(&t.as_str())) {
                continue;
            }
            push(label_of(label), cbor_to_json(value));
        }
        Ok(SignedAttributes {
            signing_scheme: scheme.unwrap_or(SigningScheme::X509),
            signing_time,
            expiry: expiry.filter(|e| *e != go_zero_time()),
            extended_attributes,
        })
    }

    /// notation-core-go `parseTime`: a CBOR tag 1 epoch time in the protected header, as UTC.
    fn time(&self, label: &str) -> Result<DateTime<FixedOffset>, String> {
        let value = self.protected_value(label).ok_or_else(|| {
            format!(
                "protected header {} is missing",
                crate::pki::chain::go_quote(label)
            )
        })?;
        let Value::Tag(tag, inner) = value else {
            return Err("invalid timeValue type".into());
        };
        if *tag != 1 {
            return Err("only Tag `1` Datetime CBOR object is supported".into());
        }
        let time = match inner.as_ref() {
            Value::Integer(i) => i64::try_from(i128::from(*i))
                .ok()
                .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0)),
            Value::Float(f) if f.is_finite() => {
                let secs = f.floor();
                let nanos = ((f - secs) * 1e9).round() as u32;
                DateTime::<Utc>::from_timestamp(secs as i64, nanos.min(999_999_999))
            }
            _ => None,
        };
        time.map(|t| t.fixed_offset())
            .ok_or_else(|| "invalid timeValue type".to_string())
    }
}

/// go-cose's structural checks of `Sign1Message.UnmarshalCBOR`, in its order and with its
/// texts: non-empty signature, then the protected header (a map, or empty) and the unprotected
/// header (a map) through `validateHeaderParameters`.
fn go_cose_checks(bytes: &[u8]) -> Result<(), String> {
    // go-cose unmarshals everything after the tag byte with tags forbidden: fxamacker checks
    // the whole item for well-formedness before it decodes anything.
    let body = bytes.get(1..).unwrap_or_default();
    cbor::wellformed(body, false)?;
    let items = cbor::array_items(body).unwrap_or_default();
    let [protected, unprotected, _payload, signature] = items.as_slice() else {
        return Err("cbor: invalid COSE_Sign1_Tagged object".into());
    };
    if cbor::byte_string(signature).is_some_and(<[u8]>::is_empty) {
        return Err("empty signature".into());
    }
    if let Some(raw) = cbor::byte_string(protected) {
        if let Some(first) = raw.first() {
            if first >> 5 != 5 {
                return Err(
                    "cbor: invalid protected header: cbor: protected header: require map type"
                        .into(),
                );
            }
            cbor::check_header_map(raw)
                .map_err(|e| format!("cbor: invalid protected header: {e}"))?;
            let map: Value = ciborium::de::from_reader(raw)
                .map_err(|e| format!("cbor: invalid protected header: cbor: {e}"))?;
            if let Value::Map(entries) = map {
                validate_header_parameters(&entries, true).map_err(|e| {
                    format!("cbor: invalid protected header: protected header: {e}")
                })?;
            }
        }
    }
    if unprotected.first().is_none_or(|b| b >> 5 != 5) {
        return Err(
            "cbor: invalid unprotected header: cbor: unprotected header: require map type".into(),
        );
    }
    cbor::check_header_map(unprotected)
        .map_err(|e| format!("cbor: invalid unprotected header: {e}"))?;
    let map: Value = ciborium::de::from_reader(*unprotected)
        .map_err(|e| format!("cbor: invalid unprotected header: cbor: {e}"))?;
    match map {
        Value::Map(entries) => validate_header_parameters(&entries, false)
            .map_err(|e| format!("cbor: invalid unprotected header: unprotected header: {e}")),
        _ => Err(
            "cbor: invalid unprotected header: cbor: unprotected header: require map type".into(),
        ),
    }
}

/// A header label as go-cose normalises it.
fn normalize_label(label: &Value) -> Option<HeaderLabel> {
    match label {
        Value::Integer(i) => i64::try_from(i128::from(*i)).ok().map(HeaderLabel::Int),
        Value::Text(t) => Some(HeaderLabel::Text(t.clone())),
        _ => None,
    }
}

/// go-cose `validateHeaderParameters` (entries in encoded order; go-cose walks a Go map, so
/// with several faults the one it reports may differ).
fn validate_header_parameters(entries: &[(Value, Value)], protected: bool) -> Result<(), String> {
    let labels: Vec<Option<HeaderLabel>> =
        entries.iter().map(|(l, _)| normalize_label(l)).collect();
    let has = |l: i64| labels.contains(&Some(HeaderLabel::Int(l)));
    let mut seen: Vec<HeaderLabel> = Vec::new();
    for ((_, value), label) in entries.iter().zip(&labels) {
        let Some(label) = label.clone() else {
            return Err("header label: require int / tstr type".into());
        };
        if seen.contains(&label) {
            return Err(format!("header label: duplicated label: {label}"));
        }
        seen.push(label.clone());
        let is_int = matches!(value, Value::Integer(_));
        let is_text = matches!(value, Value::Text(_));
        let is_bytes = matches!(value, Value::Bytes(_));
        match label {
            HeaderLabel::Int(1) if !is_int && !is_text => {
                return Err("header parameter: alg: require int / tstr type".into())
            }
            HeaderLabel::Int(2) => {
                if !protected {
                    return Err("header parameter: crit: not allowed".into());
                }
                let Value::Array(crit) = value else {
                    return Err("header parameter: crit: invalid crit header".into());
                };
                if crit.is_empty() {
                    return Err("header parameter: crit: empty crit header".into());
                }
                for c in crit {
                    let Some(c) = normalize_label(c) else {
                        return Err("header parameter: crit: require int / tstr type".into());
                    };
                    if !labels.contains(&Some(c.clone())) {
                        return Err(format!(
                            "header parameter: crit: missing critical header: {c}"
                        ));
                    }
                }
            }
            HeaderLabel::Int(3) => match value {
                Value::Text(v) => {
                    if v.is_empty() {
                        return Err(
                            "header parameter: content type: require non-empty string".into()
                        );
                    }
                    if v.starts_with(' ') || v.ends_with(' ') {
                        return Err("header parameter: content type: require no leading/trailing whitespace".into());
                    }
                    if v.matches('/').count() != 1 {
                        return Err(
                            "header parameter: content type: require text of form type/subtype"
                                .into(),
                        );
                    }
                }
                Value::Integer(i) if i128::from(*i) >= 0 => {}
                _ => return Err("header parameter: content type: require tstr / uint type".into()),
            },
            HeaderLabel::Int(4) if !is_bytes => {
                return Err("header parameter: kid: require bstr type".into())
            }
            HeaderLabel::Int(5) if !is_bytes => {
                return Err("header parameter: IV: require bstr type".into())
            }
            HeaderLabel::Int(6) if !is_bytes => {
                return Err("header parameter: Partial IV: require bstr type".into())
            }
            HeaderLabel::Int(5) | HeaderLabel::Int(6) if has(5) && has(6) => {
                return Err(
                    "header parameter: IV and PartialIV: parameters must not both be present"
                        .into(),
                )
            }
            HeaderLabel::Int(7) if protected => {
                return Err("header parameter: counter signature: not allowed".into())
            }
            _ => {}
        }
    }
    Ok(())
}

fn bytes_to_json(bytes: &[u8]) -> serde_json::Value {
    use base64::Engine as _;
    serde_json::Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// A CBOR value shown as JSON (extended attribute values).
fn cbor_to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Integer(i) => {
            let n = i128::from(*i);
            i64::try_from(n)
                .map(J::from)
                .or_else(|_| u64::try_from(n).map(J::from))
                .unwrap_or_else(|_| J::String(n.to_string()))
        }
        Value::Bytes(b) => bytes_to_json(b),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Text(t) => J::String(t.clone()),
        Value::Bool(b) => J::Bool(*b),
        Value::Tag(_, inner) => cbor_to_json(inner),
        Value::Array(items) => J::Array(items.iter().map(cbor_to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        Value::Text(t) => t.clone(),
                        other => cbor_to_json(other).to_string(),
                    };
                    (key, cbor_to_json(v))
                })
                .collect(),
        ),
        // null, and CBOR's simple values JSON has no word for.
        _ => J::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extended_attribute_values_are_shown_as_json() {
        let value = Value::Map(vec![
            (Value::Text("bytes".into()), Value::Bytes(vec![1, 2, 3])),
            (Value::Text("float".into()), Value::Float(1.5)),
            (Value::Text("nan".into()), Value::Float(f64::NAN)),
            (Value::Text("bool".into()), Value::Bool(true)),
            (Value::Text("null".into()), Value::Null),
            (
                Value::Text("tagged".into()),
                Value::Tag(1, Box::new(Value::Integer(7.into()))),
            ),
            (
                Value::Text("array".into()),
                Value::Array(vec![Value::Integer((-1).into()), Value::Text("x".into())]),
            ),
            (Value::Integer(5.into()), Value::Text("integer key".into())),
            (
                Value::Text("huge".into()),
                Value::Integer(ciborium::value::Integer::from(u64::MAX)),
            ),
        ]);
        assert_eq!(
            cbor_to_json(&value),
            json!({
                "bytes": "AQID", "float": 1.5, "nan": null, "bool": true, "null": null,
                "tagged": 7, "array": [-1, "x"], "5": "integer key", "huge": u64::MAX,
            })
        );
    }
}
