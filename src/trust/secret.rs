//! Kubernetes Secret manifests as Flux reads them.
//!
//! A file may hold one or several YAML documents (or one JSON object), a `kind: List` as
//! `kubectl get -o yaml` prints it, and documents that are not Secrets (the Flux docs put the
//! Namespace, the OCIRepository and the Secret in one file). `data` is base64; `stringData` is
//! laid over it as the API server does on write. Flux then only looks at `.data`.

use super::pem::go_base64_decode;
use crate::limits::{Bounded, ReadError, Refusal};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The key Flux requires.
pub const TRUST_POLICY_KEY: &str = "trustpolicy.json";

/// Why an input file could not be read as trust material (the command cannot run).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Open or read failure.
    #[error("cannot read {}: {error}", input_name(.path))]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// Over the input limit ([`crate::limits::MAX_INPUT_BYTES`]).
    #[error("{} is {refusal}", input_name(.path))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit it passed.
        refusal: Refusal,
    },
    /// Not UTF-8.
    #[error("{} is not valid UTF-8 text (invalid byte at offset {offset}); a Secret manifest must be YAML or JSON", input_name(.path))]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// Nested deeper than any parser here accepts; refused before parsing.
    #[error("{} is not a YAML or JSON manifest: {limit}", input_name(.path))]
    TooDeep {
        /// The file.
        path: PathBuf,
        /// Where the limit was passed (its whole text: not a `source`, or it would print twice).
        limit: crate::limits::TooDeep,
    },
    /// Not YAML / JSON.
    #[error("{} is not a YAML or JSON manifest: {detail}", input_name(.path))]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Parser message.
        detail: String,
    },
    /// No `kind: Secret` document.
    #[error("{} holds no Kubernetes Secret (kind: Secret){}{}", input_name(.path), found_kinds(.kinds), if *.trust_policy { "; it is a trust policy document: give it with --trust-policy FILE (and the certificates with --certs PATH)" } else { "" })]
    NoSecret {
        /// The file.
        path: PathBuf,
        /// Kinds of the documents that were found.
        kinds: Vec<String>,
        /// The file is a bare trust policy document (`version`, `trustPolicies`).
        trust_policy: bool,
    },
    /// A malformed Secret.
    #[error("{}: Secret '{secret}': {detail}", input_name(.path))]
    BadSecret {
        /// The file.
        path: PathBuf,
        /// `namespace/name`.
        secret: String,
        /// What is wrong.
        detail: String,
    },
    /// A `data` value that is not base64.
    #[error("{}: Secret '{secret}': data key '{key}' is not valid base64: {detail} (values under data: are base64; use stringData: for plain text)", input_name(.path))]
    Base64 {
        /// The file.
        path: PathBuf,
        /// `namespace/name`.
        secret: String,
        /// The key.
        key: String,
        /// Decoder message.
        detail: String,
    },
    /// `--secret-name` matches nothing.
    #[error("{} has no Secret named '{name}' (Secrets found: {})", input_name(.path), .found.join(", "))]
    NoSuchSecret {
        /// The file.
        path: PathBuf,
        /// The requested name.
        name: String,
        /// `namespace/name` of the Secrets found.
        found: Vec<String>,
    },
    /// Several candidates.
    #[error("{} holds several Secrets with '{TRUST_POLICY_KEY}' ({}); choose one with --secret-name", input_name(.path), .found.join(", "))]
    Ambiguous {
        /// The file.
        path: PathBuf,
        /// `namespace/name` of the candidates.
        found: Vec<String>,
    },
    /// Several Secrets, none with `trustpolicy.json`.
    #[error("{} holds {} Secrets but none has the key '{TRUST_POLICY_KEY}' ({}); choose one with --secret-name", input_name(.path), .found.len(), .found.join(", "))]
    NoneWithPolicy {
        /// The file.
        path: PathBuf,
        /// `namespace/name` of the Secrets.
        found: Vec<String>,
    },
}

fn found_kinds(kinds: &[String]) -> String {
    if kinds.is_empty() {
        String::new()
    } else {
        format!("; found: {}", kinds.join(", "))
    }
}

/// One Secret, its values decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, or `default` when absent (where `kubectl apply` would put it).
    pub namespace: String,
    /// `data` (base64-decoded) with `stringData` laid over it.
    pub data: BTreeMap<String, Vec<u8>>,
    /// Keys that came from `stringData`.
    pub string_data_keys: Vec<String>,
}

/// Flux's errors for a Secret that lacks what it needs; `Display` is Flux's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FluxSecretError {
    /// No `trustpolicy.json` key.
    #[error("'trustpolicy.json' not found in secret '{0}'")]
    NoTrustPolicy(String),
    /// No `.crt` / `.pem` key.
    #[error("no certificates found in secret '{0}'")]
    NoCertificates(String),
}

impl Secret {
    /// `namespace/name` (Go's `types.NamespacedName.String()`).
    pub fn namespaced_name(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The `trustpolicy.json` value (exact, case-sensitive key, as Flux reads it).
    pub fn trust_policy(&self) -> Result<&[u8], FluxSecretError> {
        self.data
            .get(TRUST_POLICY_KEY)
            .map(Vec::as_slice)
            .ok_or_else(|| FluxSecretError::NoTrustPolicy(self.namespaced_name()))
    }

    /// Values of keys ending in `.crt` or `.pem` (case-sensitive), sorted by key. Flux only
    /// checks that such a key exists: an empty value passes here.
    pub fn certificate_entries(&self) -> Result<Vec<super::store::CertEntry>, FluxSecretError> {
        let entries: Vec<_> = self
            .data
            .iter()
            .filter(|(k, _)| is_certificate_key(k))
            .map(|(k, v)| super::store::CertEntry {
                key: k.clone(),
                data: v.clone(),
            })
            .collect();
        if entries.is_empty() {
            return Err(FluxSecretError::NoCertificates(self.namespaced_name()));
        }
        Ok(entries)
    }

    /// Keys Flux ignores (neither the policy nor `.crt`/`.pem`).
    pub fn ignored_keys(&self) -> Vec<&str> {
        self.data
            .keys()
            .filter(|k| k.as_str() != TRUST_POLICY_KEY && !is_certificate_key(k))
            .map(String::as_str)
            .collect()
    }
}

/// Flux's certificate key test.
pub fn is_certificate_key(key: &str) -> bool {
    key.ends_with(".crt") || key.ends_with(".pem")
}

/// How messages name an input: its path, or `<stdin>` for `-`.
pub fn input_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// Reads a file (`-` for stdin) within the input limit ([`crate::limits::read_file`]).
pub fn read_input(path: &Path) -> Result<Vec<u8>, InputError> {
    crate::limits::read_file(path).map_err(|e| {
        let path = path.to_path_buf();
        match e {
            ReadError::Io { error, .. } => InputError::Io { path, error },
            ReadError::TooLarge { refusal, .. } => InputError::TooLarge { path, refusal },
            ReadError::NotUtf8 { offset, .. } => InputError::NotUtf8 { path, offset },
        }
    })
}

/// Splits a manifest file into its documents (YAML stream or one JSON value).
pub fn parse_documents(path: &Path, bytes: &[u8]) -> Result<Vec<Value>, InputError> {
    let text = std::str::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.valid_up_to(),
    })?;
    let syntax = |detail: String| InputError::Syntax {
        path: path.to_path_buf(),
        detail,
    };
    let bounded = Bounded::new(text).map_err(|refusal| match refusal {
        Refusal::TooDeep(limit) => InputError::TooDeep {
            path: path.to_path_buf(),
            limit,
        },
        refusal => InputError::TooLarge {
            path: path.to_path_buf(),
            refusal,
        },
    })?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
            return Ok(vec![value]);
        }
    }
    let mut docs = Vec::new();
    for document in bounded.yaml_documents() {
        let value = Value::deserialize(document).map_err(|e| syntax(e.to_string()))?;
        if !value.is_null() {
            docs.push(value);
        }
    }
    Ok(docs)
}

fn kind_of(doc: &Value) -> String {
    doc.get("kind")
        .and_then(Value::as_str)
        .unwrap_or("<no kind>")
        .to_string()
}

/// Every `kind: Secret` in the documents (`kind: List` items included), decoded.
pub fn secrets_in(path: &Path, docs: &[Value]) -> Result<Vec<Secret>, InputError> {
    let mut out = Vec::new();
    for doc in docs {
        match doc.get("kind").and_then(Value::as_str) {
            Some("Secret") => out.push(decode_secret(path, doc)?),
            Some("List") | Some("SecretList") => {
                if let Some(items) = doc.get("items").and_then(Value::as_array) {
                    out.extend(secrets_in(path, items)?);
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn decode_secret(path: &Path, doc: &Value) -> Result<Secret, InputError> {
    let metadata = doc.get("metadata");
    let meta_str = |key: &str| {
        metadata
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let name = meta_str("name").unwrap_or_default();
    let namespace = meta_str("namespace").unwrap_or_else(|| "default".to_string());
    let id = format!("{namespace}/{name}");
    let bad = |detail: String| InputError::BadSecret {
        path: path.to_path_buf(),
        secret: id.clone(),
        detail,
    };
    if name.is_empty() {
        return Err(bad("metadata.name is missing".into()));
    }
    let mut data = BTreeMap::new();
    match doc.get("data") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (key, value) in map {
                let encoded = match value {
                    Value::String(s) => s.as_str(),
                    Value::Null => "",
                    other => {
                        return Err(bad(format!(
                            "data key '{key}' must be a base64 string, not {}",
                            json_kind(other)
                        )))
                    }
                };
                let decoded =
                    go_base64_decode(encoded.as_bytes()).map_err(|e| InputError::Base64 {
                        path: path.to_path_buf(),
                        secret: id.clone(),
                        key: key.clone(),
                        detail: e.to_string(),
                    })?;
                data.insert(key.clone(), decoded);
            }
        }
        Some(other) => return Err(bad(format!("data must be a map, not {}", json_kind(other)))),
    }
    let mut string_data_keys = Vec::new();
    match doc.get("stringData") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (key, value) in map {
                let text = match value {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => {
                        return Err(bad(format!(
                            "stringData key '{key}' must be a string, not {}",
                            json_kind(other)
                        )))
                    }
                };
                data.insert(key.clone(), text.into_bytes());
                string_data_keys.push(key.clone());
            }
        }
        Some(other) => {
            return Err(bad(format!(
                "stringData must be a map, not {}",
                json_kind(other)
            )))
        }
    }
    Ok(Secret {
        name,
        namespace,
        data,
        string_data_keys,
    })
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

/// Reads `path` and picks the Secret to use: the one named `name`, else the single Secret
/// holding `trustpolicy.json`, else the only Secret in the file.
pub fn load_secret(path: &Path, name: Option<&str>) -> Result<Secret, InputError> {
    load_secret_with_shape(path, name).map(|(secret, _)| secret)
}

/// [`load_secret`], with [`shape_warnings`] for the Secret chosen.
pub fn load_secret_with_shape(
    path: &Path,
    name: Option<&str>,
) -> Result<(Secret, Vec<String>), InputError> {
    let bytes = read_input(path)?;
    let docs = parse_documents(path, &bytes)?;
    let secrets = secrets_in(path, &docs)?;
    let secret = select_secret(path, &docs, secrets, name)?;
    let warnings = shape_warnings(&docs, &secret);
    Ok((secret, warnings))
}

/// The fields of a Secret manifest Kubernetes reads; anything else is dropped by the API server.
const SECRET_FIELDS: [&str; 7] = [
    "apiVersion",
    "kind",
    "metadata",
    "data",
    "stringData",
    "type",
    "immutable",
];

/// Mistakes in the shape of `secret`'s manifest that leave keys out of it (so Flux says
/// `'trustpolicy.json' not found` or `no certificates found`): a field name in the wrong case,
/// data keys dedented to the top level, `stringData`/`data` indented under `metadata`.
pub fn shape_warnings(docs: &[Value], secret: &Secret) -> Vec<String> {
    let mut candidates: Vec<&Value> = Vec::new();
    for doc in docs {
        match doc.get("kind").and_then(Value::as_str) {
            Some("Secret") => candidates.push(doc),
            Some("List") | Some("SecretList") => {
                if let Some(items) = doc.get("items").and_then(Value::as_array) {
                    candidates.extend(items.iter());
                }
            }
            _ => {}
        }
    }
    let Some(doc) = candidates.into_iter().find(|d| {
        d.get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            == Some(secret.name.as_str())
    }) else {
        return Vec::new();
    };
    let id = secret.namespaced_name();
    let mut out = Vec::new();
    if let Some(map) = doc.as_object() {
        let mut dedented = Vec::new();
        for key in map.keys().filter(|k| !SECRET_FIELDS.contains(&k.as_str())) {
            if let Some(field) = ["stringData", "data"]
                .into_iter()
                .find(|f| f.eq_ignore_ascii_case(&key.replace(['_', '-'], "")))
            {
                out.push(format!(
                    "Secret '{id}': '{key}:' is not '{field}:' (Kubernetes field names are case-sensitive): the keys under it are dropped"
                ));
            } else if key == TRUST_POLICY_KEY || key.contains('.') {
                dedented.push(key.as_str());
            }
        }
        if !dedented.is_empty() {
            out.push(format!(
                "Secret '{id}': {} {} at the top level of the manifest, not under stringData: or data: (indented too little?): Kubernetes drops {}",
                dedented
                    .iter()
                    .map(|k| format!("'{k}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if dedented.len() == 1 { "is" } else { "are" },
                if dedented.len() == 1 { "it" } else { "them" }
            ));
        }
    }
    if let Some(meta) = doc.get("metadata").and_then(Value::as_object) {
        for field in ["stringData", "data"] {
            if meta.contains_key(field) {
                out.push(format!(
                    "Secret '{id}': '{field}:' is under metadata: (indented too far): move it to the top level of the manifest, or its keys are not in the Secret"
                ));
            }
        }
    }
    out
}

fn select_secret(
    path: &Path,
    docs: &[Value],
    mut secrets: Vec<Secret>,
    name: Option<&str>,
) -> Result<Secret, InputError> {
    let ids: Vec<String> = secrets.iter().map(Secret::namespaced_name).collect();
    if secrets.is_empty() {
        return Err(InputError::NoSecret {
            path: path.to_path_buf(),
            kinds: docs.iter().map(kind_of).collect(),
            trust_policy: docs.iter().any(|d| d.get("trustPolicies").is_some()),
        });
    }
    if let Some(name) = name {
        let position = secrets
            .iter()
            .position(|s| s.name == name || s.namespaced_name() == name);
        return match position {
            Some(i) => Ok(secrets.swap_remove(i)),
            None => Err(InputError::NoSuchSecret {
                path: path.to_path_buf(),
                name: name.to_string(),
                found: ids,
            }),
        };
    }
    let with_policy: Vec<usize> = secrets
        .iter()
        .enumerate()
        .filter(|(_, s)| s.data.contains_key(TRUST_POLICY_KEY))
        .map(|(i, _)| i)
        .collect();
    match (with_policy.as_slice(), secrets.len()) {
        ([i], _) => Ok(secrets.swap_remove(*i)),
        ([], 1) => Ok(secrets.swap_remove(0)),
        ([], _) => Err(InputError::NoneWithPolicy {
            path: path.to_path_buf(),
            found: ids,
        }),
        (many, _) => Err(InputError::Ambiguous {
            path: path.to_path_buf(),
            found: many.iter().filter_map(|i| ids.get(*i).cloned()).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str, name: Option<&str>) -> Result<Secret, InputError> {
        let path = Path::new("test.yaml");
        let docs = parse_documents(path, text.as_bytes())?;
        let secrets = secrets_in(path, &docs)?;
        select_secret(path, &docs, secrets, name)
    }

    #[test]
    fn multi_document_with_string_data_overlay() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\n\
            apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: ns\n\
            data:\n  trustpolicy.json: e30=\n  a.crt: AQID\nstringData:\n  a.crt: text\n  b.txt: x\n";
        let s = load(text, None).unwrap();
        assert_eq!(s.namespaced_name(), "ns/s");
        assert_eq!(s.trust_policy().unwrap(), b"{}");
        assert_eq!(s.data["a.crt"], b"text");
        assert_eq!(s.ignored_keys(), vec!["b.txt"]);
        assert_eq!(s.certificate_entries().unwrap().len(), 1);
    }

    #[test]
    fn json_and_lists() {
        let json = r#"{"apiVersion":"v1","kind":"List","items":[{"kind":"Secret","metadata":{"name":"a"},"data":{"x.CRT":"AA=="}}]}"#;
        let s = load(json, None).unwrap();
        assert_eq!(s.namespaced_name(), "default/a");
        assert_eq!(
            s.trust_policy().unwrap_err().to_string(),
            "'trustpolicy.json' not found in secret 'default/a'"
        );
        assert_eq!(
            s.certificate_entries().unwrap_err().to_string(),
            "no certificates found in secret 'default/a'"
        );
    }

    #[test]
    fn kubectl_get_output() {
        let text = r#"apiVersion: v1
data:
  ca.crt: AQID
  trustpolicy.json: e30=
kind: Secret
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","data":{"ca.crt":"AQID"},"kind":"Secret","metadata":{"annotations":{},"name":"notation-config","namespace":"flux-system"}}
  creationTimestamp: "2026-11-27T10:00:00Z"
  name: notation-config
  namespace: flux-system
  resourceVersion: "1234"
  uid: 0b5c1e0e-0000-4000-8000-000000000000
type: Opaque
"#;
        let s = load(text, None).unwrap();
        assert_eq!(s.namespaced_name(), "flux-system/notation-config");
        assert_eq!(s.data["ca.crt"], vec![1, 2, 3]);
        assert_eq!(s.trust_policy().unwrap(), b"{}");
    }

    #[test]
    fn selection_rules() {
        let two = "kind: Secret\nmetadata: {name: a}\nstringData: {trustpolicy.json: x}\n---\n\
            kind: Secret\nmetadata: {name: b}\nstringData: {trustpolicy.json: y}\n";
        assert!(matches!(load(two, None), Err(InputError::Ambiguous { .. })));
        assert_eq!(load(two, Some("b")).unwrap().name, "b");
        assert!(matches!(
            load(two, Some("c")),
            Err(InputError::NoSuchSecret { .. })
        ));
        let none = "kind: ConfigMap\nmetadata: {name: a}\n";
        assert_eq!(
            load(none, None).unwrap_err().to_string(),
            "test.yaml holds no Kubernetes Secret (kind: Secret); found: ConfigMap"
        );
    }

    #[test]
    fn bad_input_is_named() {
        let truncated = "kind: Secret\nmetadata: {name: a}\ndata:\n  trustpolicy.json: eyJ2ZXJzaW9u\n  c.crt: AQI\n";
        let err = load(truncated, None).unwrap_err().to_string();
        assert!(
            err.contains("data key 'c.crt' is not valid base64"),
            "{err}"
        );
        let path = Path::new("x.yaml");
        let err = parse_documents(path, b"kind: Secret\n\xff\xfe").unwrap_err();
        assert!(err.to_string().contains("not valid UTF-8"), "{err}");
        let err = load("kind: Secret\nmetadata: {name: a}\ndata: [1]\n", None).unwrap_err();
        assert!(err.to_string().contains("data must be a map"), "{err}");
        assert!(load("a: [b\n", None).is_err());
    }
}
