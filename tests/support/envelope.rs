//! Signing Notary Project envelopes (JWS JSON flattened and COSE_Sign1) the way notation does,
//! with knobs to produce the malformed variants notation must reject.

use super::pki::TestCert;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use chrono::{DateTime, FixedOffset, SecondsFormat, TimeZone, Utc};
use serde_json::{json, Map, Value};

/// Payload content type notation uses.
pub const PAYLOAD_CTY: &str = "application/vnd.cncf.notary.payload.v1+json";

/// Envelope formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/jose+json`
    Jws,
    /// `application/cose`
    Cose,
}

impl Format {
    /// Both.
    pub const ALL: [Format; 2] = [Format::Jws, Format::Cose];

    /// The layer media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Jws => "application/jose+json",
            Format::Cose => "application/cose",
        }
    }
}

/// Signing schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `notary.x509`: signing time in `io.cncf.notary.signingTime`.
    X509,
    /// `notary.x509.signingAuthority`: `io.cncf.notary.authenticSigningTime`, critical.
    SigningAuthority,
}

impl Scheme {
    /// The header value.
    pub fn value(self) -> &'static str {
        match self {
            Scheme::X509 => "notary.x509",
            Scheme::SigningAuthority => "notary.x509.signingAuthority",
        }
    }
}

/// An OCI descriptor, as the payload's `targetArtifact`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    /// mediaType.
    pub media_type: String,
    /// digest (`sha256:…`).
    pub digest: String,
    /// size.
    pub size: u64,
}

impl Descriptor {
    /// `{"mediaType", "digest", "size"}`.
    pub fn to_json(&self) -> Value {
        json!({"mediaType": self.media_type, "digest": self.digest, "size": self.size})
    }
}

/// An extended (user-defined) signed attribute.
#[derive(Debug, Clone)]
pub struct ExtendedAttribute {
    /// Header key.
    pub key: String,
    /// Value (COSE: strings, integers and booleans map to CBOR; others become text).
    pub value: Value,
    /// Listed in `crit`.
    pub critical: bool,
}

/// What to sign and how.
#[derive(Debug, Clone)]
pub struct EnvelopeSpec {
    /// Format.
    pub format: Format,
    /// Signing scheme.
    pub scheme: Scheme,
    /// Signing time, with the offset JWS writes (COSE writes epoch seconds).
    pub signing_time: DateTime<FixedOffset>,
    /// Expiry.
    pub expiry: Option<DateTime<FixedOffset>>,
    /// Payload bytes (default: `{"targetArtifact": descriptor}`).
    pub payload: Vec<u8>,
    /// Payload content type (`cty` / COSE label 3).
    pub content_type: String,
    /// Extended attributes.
    pub extended: Vec<ExtendedAttribute>,
    /// RFC 3161 token for `io.cncf.notary.timestampSignature`.
    pub timestamp_token: Option<Vec<u8>>,
    /// `io.cncf.notary.signingAgent`.
    pub signing_agent: Option<String>,
    /// Algorithm name to write instead of the one the leaf key requires (the signature is
    /// made with that name's hash).
    pub alg_override: Option<String>,
    /// Leave `crit` out (JWS) / write only the signing scheme in it (COSE).
    pub omit_required_crit: bool,
}

impl EnvelopeSpec {
    /// A notation-like `notary.x509` envelope over `target`, signed "now" (to the second, UTC).
    pub fn new(format: Format, target: &Descriptor) -> EnvelopeSpec {
        let now = Utc::now().timestamp();
        let signing_time = FixedOffset::east_opt(0)
            .and_then(|tz| tz.timestamp_opt(now, 0).single())
            .unwrap();
        EnvelopeSpec {
            format,
            scheme: Scheme::X509,
            signing_time,
            expiry: None,
            payload: serde_json::to_vec(&json!({"targetArtifact": target.to_json()})).unwrap(),
            content_type: PAYLOAD_CTY.to_string(),
            extended: Vec::new(),
            timestamp_token: None,
            signing_agent: Some("fluxverify-test-signer/1.0".to_string()),
            alg_override: None,
            omit_required_crit: false,
        }
    }

    /// Marks the signature as needing verification plugin `name` (critical attribute).
    pub fn with_plugin(mut self, name: &str) -> EnvelopeSpec {
        self.extended.push(ExtendedAttribute {
            key: "io.cncf.notary.verificationPlugin".into(),
            value: Value::String(name.into()),
            critical: true,
        });
        self
    }
}

/// A JWS envelope in parts, for tests that tamper with one of them.
#[derive(Debug, Clone)]
pub struct JwsParts {
    /// base64url protected header.
    pub protected: String,
    /// base64url payload.
    pub payload: String,
    /// base64url signature.
    pub signature: String,
    /// Unprotected header.
    pub header: Map<String, Value>,
}

impl JwsParts {
    /// The flattened JSON serialization.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "payload": self.payload,
            "protected": self.protected,
            "header": self.header,
            "signature": self.signature,
        }))
        .unwrap()
    }
}

fn rfc3339(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The JWS protected header notation writes for `spec` (a JSON object, key order kept).
pub fn jws_protected_header(alg: &str, spec: &EnvelopeSpec) -> Map<String, Value> {
    let mut crit = vec![json!("io.cncf.notary.signingScheme")];
    let mut header = Map::new();
    header.insert("alg".into(), json!(alg));
    header.insert("cty".into(), json!(spec.content_type));
    header.insert(
        "io.cncf.notary.signingScheme".into(),
        json!(spec.scheme.value()),
    );
    match spec.scheme {
        Scheme::X509 => {
            header.insert(
                "io.cncf.notary.signingTime".into(),
                json!(rfc3339(&spec.signing_time)),
            );
        }
        Scheme::SigningAuthority => {
            header.insert(
                "io.cncf.notary.authenticSigningTime".into(),
                json!(rfc3339(&spec.signing_time)),
            );
            crit.push(json!("io.cncf.notary.authenticSigningTime"));
        }
    }
    if let Some(expiry) = &spec.expiry {
        header.insert("io.cncf.notary.expiry".into(), json!(rfc3339(expiry)));
        crit.push(json!("io.cncf.notary.expiry"));
    }
    for attr in &spec.extended {
        header.insert(attr.key.clone(), attr.value.clone());
        if attr.critical {
            crit.push(json!(attr.key));
        }
    }
    if !spec.omit_required_crit {
        header.insert("crit".into(), Value::Array(crit));
    }
    header
}

/// Signs a JWS with an arbitrary protected header object, for tests that need odd headers.
pub fn sign_jws_with_header(
    chain: &[TestCert],
    alg: &str,
    protected: &Map<String, Value>,
    payload: &[u8],
) -> JwsParts {
    let protected = URL_SAFE_NO_PAD.encode(serde_json::to_vec(protected).unwrap());
    let payload = URL_SAFE_NO_PAD.encode(payload);
    let signing_input = format!("{protected}.{payload}");
    let signature = chain[0].key.sign_envelope(alg, signing_input.as_bytes());
    let mut header = Map::new();
    header.insert(
        "x5c".into(),
        Value::Array(
            chain
                .iter()
                .map(|c| json!(STANDARD.encode(&c.der)))
                .collect(),
        ),
    );
    JwsParts {
        protected,
        payload,
        signature: URL_SAFE_NO_PAD.encode(signature),
        header,
    }
}

/// Signs a JWS envelope in parts.
pub fn sign_jws_parts(chain: &[TestCert], spec: &EnvelopeSpec) -> JwsParts {
    let alg = spec
        .alg_override
        .clone()
        .unwrap_or_else(|| leaf_alg(&chain[0]).to_string());
    let protected = jws_protected_header(&alg, spec);
    let mut parts = sign_jws_with_header(chain, &alg, &protected, &spec.payload);
    if let Some(token) = &spec.timestamp_token {
        parts.header.insert(
            "io.cncf.notary.timestampSignature".into(),
            json!(STANDARD.encode(token)),
        );
    }
    if let Some(agent) = &spec.signing_agent {
        parts
            .header
            .insert("io.cncf.notary.signingAgent".into(), json!(agent));
    }
    parts
}

/// The algorithm name notation requires for the leaf's key.
pub fn leaf_alg(leaf: &TestCert) -> &'static str {
    use super::pki::PrivateKey;
    match &leaf.key {
        PrivateKey::Rsa(k) => {
            use rsa::traits::PublicKeyParts;
            match k.size() * 8 {
                3072 => "PS384",
                4096 => "PS512",
                _ => "PS256",
            }
        }
        PrivateKey::P256(_) => "ES256",
        PrivateKey::P384(_) => "ES384",
        PrivateKey::P521(_) => "ES512",
        PrivateKey::SpkiOnly(_) => "PS256",
    }
}

fn cose_alg_id(alg: &str) -> i64 {
    match alg {
        "PS256" => -37,
        "PS384" => -38,
        "PS512" => -39,
        "ES256" => -7,
        "ES384" => -35,
        "ES512" => -36,
        other => panic!("unknown algorithm {other}"),
    }
}

fn json_to_cbor(value: &Value) -> ciborium::Value {
    match value {
        Value::String(s) => ciborium::Value::Text(s.clone()),
        Value::Bool(b) => ciborium::Value::Bool(*b),
        Value::Number(n) if n.is_i64() => ciborium::Value::Integer(n.as_i64().unwrap().into()),
        other => ciborium::Value::Text(other.to_string()),
    }
}

/// The COSE protected header notation writes for `spec`.
pub fn cose_protected_header(alg: &str, spec: &EnvelopeSpec) -> coset::Header {
    use coset::{iana, Label, RegisteredLabelWithPrivate};
    let text = |s: &str| RegisteredLabelWithPrivate::<iana::HeaderParameter>::Text(s.to_string());
    let tag1 = |t: &DateTime<FixedOffset>| {
        ciborium::Value::Tag(1, Box::new(ciborium::Value::Integer(t.timestamp().into())))
    };
    let mut header = coset::Header {
        alg: Some(coset::Algorithm::Assigned(
            iana::Algorithm::from_i64(cose_alg_id(alg)).unwrap(),
        )),
        content_type: Some(coset::ContentType::Text(spec.content_type.clone())),
        ..Default::default()
    };
    use coset::iana::EnumI64 as _;
    let mut crit = vec![text("io.cncf.notary.signingScheme")];
    header.rest.push((
        Label::Text("io.cncf.notary.signingScheme".into()),
        ciborium::Value::Text(spec.scheme.value().into()),
    ));
    match spec.scheme {
        Scheme::X509 => header.rest.push((
            Label::Text("io.cncf.notary.signingTime".into()),
            tag1(&spec.signing_time),
        )),
        Scheme::SigningAuthority => {
            header.rest.push((
                Label::Text("io.cncf.notary.authenticSigningTime".into()),
                tag1(&spec.signing_time),
            ));
            crit.push(text("io.cncf.notary.authenticSigningTime"));
        }
    }
    if let Some(expiry) = &spec.expiry {
        header
            .rest
            .push((Label::Text("io.cncf.notary.expiry".into()), tag1(expiry)));
        crit.push(text("io.cncf.notary.expiry"));
    }
    for attr in &spec.extended {
        header
            .rest
            .push((Label::Text(attr.key.clone()), json_to_cbor(&attr.value)));
        if attr.critical {
            crit.push(text(&attr.key));
        }
    }
    if spec.omit_required_crit {
        crit.truncate(1);
    }
    header.crit = crit;
    header
}

/// Signs a COSE_Sign1 with the given headers; returns the tagged bytes.
pub fn sign_cose_with_headers(
    chain: &[TestCert],
    alg: &str,
    protected: coset::Header,
    unprotected: coset::Header,
    payload: &[u8],
) -> Vec<u8> {
    use coset::TaggedCborSerializable;
    let sign1 = coset::CoseSign1Builder::new()
        .protected(protected)
        .unprotected(unprotected)
        .payload(payload.to_vec())
        .create_signature(b"", |tbs| chain[0].key.sign_envelope(alg, tbs))
        .build();
    sign1.to_tagged_vec().unwrap()
}

/// The unprotected COSE header notation writes: x5chain (33) as an array, plus the
/// timestamp token and signing agent if set.
pub fn cose_unprotected_header(chain: &[TestCert], spec: &EnvelopeSpec) -> coset::Header {
    use coset::Label;
    let mut header = coset::Header::default();
    header.rest.push((
        Label::Int(33),
        ciborium::Value::Array(
            chain
                .iter()
                .map(|c| ciborium::Value::Bytes(c.der.clone()))
                .collect(),
        ),
    ));
    if let Some(token) = &spec.timestamp_token {
        header.rest.push((
            Label::Text("io.cncf.notary.timestampSignature".into()),
            ciborium::Value::Bytes(token.clone()),
        ));
    }
    if let Some(agent) = &spec.signing_agent {
        header.rest.push((
            Label::Text("io.cncf.notary.signingAgent".into()),
            ciborium::Value::Text(agent.clone()),
        ));
    }
    header
}

/// Signs `spec` with `chain` (leaf first) and returns the envelope bytes.
pub fn sign(chain: &[TestCert], spec: &EnvelopeSpec) -> Vec<u8> {
    match spec.format {
        Format::Jws => sign_jws_parts(chain, spec).to_bytes(),
        Format::Cose => {
            let alg = spec
                .alg_override
                .clone()
                .unwrap_or_else(|| leaf_alg(&chain[0]).to_string());
            sign_cose_with_headers(
                chain,
                &alg,
                cose_protected_header(&alg, spec),
                cose_unprotected_header(chain, spec),
                &spec.payload,
            )
        }
    }
}

/// The `io.cncf.notary.x509chain.thumbprint#S256` annotation value for `chain`.
pub fn thumbprints(chain: &[TestCert]) -> String {
    serde_json::to_string(&chain.iter().map(|c| c.thumbprint()).collect::<Vec<_>>()).unwrap()
}

/// `2006-01-02T15:04:05+07:00`-style offset time, for expiry tests.
pub fn at(rfc3339: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap()
}
