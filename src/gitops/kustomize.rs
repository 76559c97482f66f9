//! kustomize `Kustomization` files, for the two things a scan needs from them: the
//! `namespace:` they give their resources, and the Secrets their `secretGenerator`s make.
//!
//! A generator's Secret is what kustomize would build: `files:` entries are `key=path` or
//! `path` (the key is the file's base name), `literals:` are `key=value`, `envs:` files hold
//! `key=value` lines; paths are relative to the kustomization's directory. In a raw tree the
//! sources name the generator's `name` (kustomize adds the hash suffix and rewrites the
//! references together at build time), so that is the name the Secret is found by.

use super::documents::parse_yaml_stream;
use crate::trust::secret::Secret;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file names kustomize recognises as a kustomization, in its order of preference.
pub const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Is `path` a kustomization file (by name)?
pub fn is_kustomization_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| KUSTOMIZATION_FILES.contains(&n))
}

/// A kustomization file, as far as a scan reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Kustomization {
    /// The file.
    pub file: PathBuf,
    /// `namespace:`, when set and not empty.
    pub namespace: Option<String>,
    /// `secretGenerator:` entries.
    pub secret_generators: Vec<SecretGenerator>,
}

/// One `secretGenerator` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretGenerator {
    /// `name`.
    pub name: String,
    /// The entry's own `namespace`, when set.
    pub namespace: Option<String>,
    /// 1-based line of the entry in the kustomization file.
    pub line: usize,
    /// `files:` as `(key, path relative to the kustomization)`.
    pub files: Vec<(String, String)>,
    /// `literals:` as `(key, value)`.
    pub literals: Vec<(String, String)>,
    /// `envs:` files.
    pub envs: Vec<String>,
}

/// What a generator's inputs hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Generated {
    /// The Secret kustomize would make.
    Secret(Secret),
    /// An input file is SOPS-encrypted (`ENC[...]` values and a `sops` block).
    Sops {
        /// The encrypted input.
        file: PathBuf,
    },
    /// An input is missing or malformed.
    Invalid(String),
}

/// Why a kustomization file is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {detail}", .file.display())]
pub struct KustomizationError {
    /// The file.
    pub file: PathBuf,
    /// What is wrong (with its line when known).
    pub detail: String,
}

#[derive(Debug, Deserialize, Default)]
struct RawKustomization {
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default, rename = "secretGenerator")]
    secret_generator: Vec<RawGenerator>,
}

#[derive(Debug, Deserialize, Default)]
struct RawGenerator {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    files: Vec<String>,
    #[serde(default)]
    literals: Vec<String>,
    #[serde(default)]
    envs: Vec<String>,
}

/// The line of the generator named `name` (`name: NAME` after `secretGenerator:`), found in
/// the text because the parsed document has no positions.
pub fn generator_line(text: &str, name: &str) -> usize {
    let start = text
        .lines()
        .position(|l| l.trim_start().starts_with("secretGenerator:"))
        .unwrap_or(0);
    text.lines()
        .enumerate()
        .skip(start)
        .find(|(_, l)| {
            let t = l.trim_start().trim_start_matches("- ").trim();
            t.strip_prefix("name:")
                .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == name)
        })
        .map_or(start + 1, |(i, _)| i + 1)
}

/// Reads a kustomization file's text.
pub fn parse(file: &Path, text: &str) -> Result<Kustomization, KustomizationError> {
    let fail = |detail: String| KustomizationError {
        file: file.to_path_buf(),
        detail,
    };
    let documents = parse_yaml_stream(text).map_err(|e| fail(e.to_string()))?;
    let value = documents
        .into_iter()
        .next()
        .map_or(Value::Null, |d| d.value);
    let raw: RawKustomization = if value.is_null() {
        RawKustomization::default()
    } else {
        serde_json::from_value(value).map_err(|e| fail(e.to_string()))?
    };
    let mut secret_generators = Vec::new();
    for (i, g) in raw.secret_generator.into_iter().enumerate() {
        let name = g
            .name
            .filter(|n| !n.is_empty())
            .ok_or_else(|| fail(format!("secretGenerator[{i}] has no name")))?;
        let files = g
            .files
            .iter()
            .map(|entry| match entry.split_once('=') {
                Some((key, path)) => (key.to_owned(), path.to_owned()),
                None => (
                    Path::new(entry)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| entry.clone()),
                    entry.clone(),
                ),
            })
            .collect();
        let mut literals = Vec::new();
        for literal in &g.literals {
            let Some((key, value)) = literal.split_once('=') else {
                return Err(fail(format!(
                    "secretGenerator {name}: literal {literal:?} is not key=value"
                )));
            };
            literals.push((key.to_owned(), value.trim_matches('"').to_owned()));
        }
        secret_generators.push(SecretGenerator {
            line: generator_line(text, &name),
            name,
            namespace: g.namespace.filter(|n| !n.is_empty()),
            files,
            literals,
            envs: g.envs,
        });
    }
    Ok(Kustomization {
        file: file.to_path_buf(),
        namespace: raw.namespace.filter(|n| !n.is_empty()),
        secret_generators,
    })
}

/// Does this file content look SOPS-encrypted? sops writes `ENC[AES256_GCM,...]` values and
/// its metadata (`sops:` in YAML and JSON, `sops_` keys in dotenv files).
pub fn looks_sops_encrypted(text: &str) -> bool {
    text.contains("ENC[AES256_GCM,") && text.contains("sops")
}

impl SecretGenerator {
    /// Builds the Secret this generator makes, reading its files relative to `dir`, in
    /// `namespace`.
    pub fn generate(&self, dir: &Path, namespace: &str) -> Generated {
        let mut data = BTreeMap::new();
        let mut string_data_keys = Vec::new();
        for (key, path) in &self.files {
            let full = dir.join(path);
            match crate::limits::read_file(&full) {
                Ok(bytes) => {
                    if looks_sops_encrypted(&String::from_utf8_lossy(&bytes)) {
                        return Generated::Sops { file: full };
                    }
                    data.insert(key.clone(), bytes);
                }
                // The error names the file (and the limit, for one too large).
                Err(e) => return Generated::Invalid(format!("secretGenerator {}: {e}", self.name)),
            }
        }
        for env in &self.envs {
            let full = dir.join(env);
            let text = match crate::limits::read_text(&full) {
                Ok(text) => text,
                Err(e) => return Generated::Invalid(format!("secretGenerator {}: {e}", self.name)),
            };
            if looks_sops_encrypted(&text) {
                return Generated::Sops { file: full };
            }
            for line in text.lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                if let Some((k, v)) = line.split_once('=') {
                    data.insert(k.trim().to_owned(), v.as_bytes().to_vec());
                }
            }
        }
        for (key, value) in &self.literals {
            data.insert(key.clone(), value.as_bytes().to_vec());
            string_data_keys.push(key.clone());
        }
        Generated::Secret(Secret {
            name: self.name.clone(),
            namespace: namespace.to_owned(),
            data,
            string_data_keys,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_files_literals_and_namespace() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("trust")).unwrap();
        std::fs::write(dir.path().join("trust/root.pem"), "PEM").unwrap();
        std::fs::write(dir.path().join("policy.json"), "{}").unwrap();
        let text = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: apps\nsecretGenerator:\n  - name: other\n    literals: [a=b]\n  - name: notation\n    files:\n      - trustpolicy.json=policy.json\n      - trust/root.pem\n    literals:\n      - note=\"x=y\"\n";
        let k = parse(&dir.path().join("kustomization.yaml"), text).unwrap();
        assert_eq!(k.namespace.as_deref(), Some("apps"));
        let g = &k.secret_generators[1];
        assert_eq!(g.line, 7);
        let Generated::Secret(s) = g.generate(dir.path(), "apps") else {
            panic!()
        };
        assert_eq!(s.namespaced_name(), "apps/notation");
        assert_eq!(s.data["trustpolicy.json"], b"{}");
        assert_eq!(s.data["root.pem"], b"PEM");
        assert_eq!(s.data["note"], b"x=y");
        let missing = SecretGenerator {
            files: vec![("a.pem".into(), "nope.pem".into())],
            ..g.clone()
        };
        assert!(matches!(
            missing.generate(dir.path(), "apps"),
            Generated::Invalid(m) if m.contains("nope.pem")
        ));
        std::fs::write(
            dir.path().join("enc.pem"),
            "data: ENC[AES256_GCM,data:abc]\nsops:\n  version: 3\n",
        )
        .unwrap();
        let sops = SecretGenerator {
            files: vec![("a.pem".into(), "enc.pem".into())],
            ..g.clone()
        };
        assert!(matches!(
            sops.generate(dir.path(), "apps"),
            Generated::Sops { .. }
        ));
        assert!(parse(Path::new("k"), "secretGenerator:\n  - files: [a]\n").is_err());
    }
}
