//! A GitOps tree as `fluxverify scan` reads it: manifest files (or a stream on stdin) become
//! Kubernetes objects, each with its file, the line its document starts on and the namespace
//! it will land in, and the Secrets the tree holds (Secret documents and kustomize
//! `secretGenerator`s).
//!
//! - Files: every `*.yaml`, `*.yml` and `*.json` under the paths given (hidden directories and
//!   Helm chart templates, which are not YAML until rendered, are left out); multi-document
//!   YAML and `kind: List` are read. A document without `apiVersion` and `kind` is not a
//!   Kubernetes object and is skipped silently; a file that does not parse is reported with
//!   its line and the scan goes on.
//! - Namespaces: an object's `metadata.namespace`, else the `namespace:` of the nearest
//!   kustomization file in its directory or above (up to the path the scan was given) that
//!   sets one, else empty. Flux looks up a source's Secret in the source's namespace; equal
//!   namespaces match.
//! - Secrets: `kind: Secret` documents (`data` base64, `stringData` laid over it) and
//!   `secretGenerator` entries. A Secret carrying a top-level `sops:` block, or generated from
//!   an encrypted file, is recorded as SOPS-encrypted: its values are ciphertext.

pub mod documents;
pub mod kustomize;

use crate::trust::secret::{self, Secret};
use documents::{expand_lists, parse_json, parse_yaml_stream, Document};
use kustomize::{is_kustomization_file, Generated, Kustomization};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why the tree could not be read at all (the command cannot run).
#[derive(Debug, thiserror::Error)]
pub enum GitopsError {
    /// A path given does not exist or cannot be read.
    #[error("cannot read {}: {error}", .path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// A `--secret` file over the input limit (the message names it and the limit).
    #[error(transparent)]
    Refused(crate::limits::ReadError),
}

/// A Kubernetes object of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// The namespace it lands in (see the module documentation).
    pub namespace: String,
    /// The file, as given or found (`-` for stdin).
    pub file: String,
    /// 1-based line where its document starts.
    pub line: usize,
    /// The document.
    pub value: Value,
    /// The Flux Kustomization (`namespace/name`) that applies it, when a fleet build found it.
    pub applied_by: Option<String>,
    /// The patch files (or kustomization files with inline patches) that changed it.
    pub patched_by: Vec<String>,
}

/// Where a Secret was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretOrigin {
    /// A `kind: Secret` document.
    Document {
        /// The file.
        file: String,
        /// Its line.
        line: usize,
    },
    /// A kustomize `secretGenerator`.
    Generator {
        /// The kustomization file.
        file: String,
        /// The entry's line.
        line: usize,
    },
    /// A `--secret FILE` given on the command line.
    Flag {
        /// The file.
        file: String,
    },
}

impl std::fmt::Display for SecretOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretOrigin::Document { file, line } => write!(f, "{file}:{line}"),
            SecretOrigin::Generator { file, line } => write!(f, "secretGenerator at {file}:{line}"),
            SecretOrigin::Flag { file } => write!(f, "--secret {file}"),
        }
    }
}

impl SecretOrigin {
    /// The file it names.
    pub fn file(&self) -> &str {
        match self {
            SecretOrigin::Document { file, .. }
            | SecretOrigin::Generator { file, .. }
            | SecretOrigin::Flag { file } => file,
        }
    }
}

/// What a found Secret holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretContent {
    /// Decoded values.
    Plain(Secret),
    /// SOPS ciphertext.
    Sops,
    /// Unreadable (bad base64, a generator's file missing, ...).
    Invalid(String),
}

/// A Secret of the tree or of `--secret`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundSecret {
    /// `metadata.name` (or the generator's `name`).
    pub name: String,
    /// Its namespace; `None` for a `--secret` file's Secret without one (it answers for every
    /// namespace).
    pub namespace: Option<String>,
    /// Where it was found.
    pub origin: SecretOrigin,
    /// What it holds.
    pub content: SecretContent,
}

/// A file that could not be read as manifests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// The file.
    pub file: String,
    /// 1-based line of the problem.
    pub line: usize,
    /// What is wrong.
    pub detail: String,
}

/// Everything a scan reads from its inputs.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// Kubernetes objects other than Secrets, in file order.
    pub objects: Vec<Object>,
    /// Secrets: `--secret` files first, then documents, then generators (the lookup order).
    pub secrets: Vec<FoundSecret>,
    /// Files that did not parse.
    pub problems: Vec<FileProblem>,
    /// Manifest files read.
    pub files: usize,
    /// `secretGenerator` entries seen.
    pub generators: usize,
    /// `--secret` files given.
    pub secret_files: Vec<String>,
}

/// Which of the tree's Secrets a source names, in the lookup order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretLookup<'a> {
    /// Found.
    Found(&'a FoundSecret),
    /// Found nowhere; the text says what was searched.
    Missing(String),
}

impl Tree {
    /// The Secret `namespace/name`: `--secret` files first, then Secret documents, then
    /// secretGenerators.
    pub fn find_secret(&self, namespace: &str, name: &str) -> SecretLookup<'_> {
        let rank = |s: &FoundSecret| match s.origin {
            SecretOrigin::Flag { .. } => 0,
            SecretOrigin::Document { .. } => 1,
            SecretOrigin::Generator { .. } => 2,
        };
        let found = self
            .secrets
            .iter()
            .filter(|s| s.name == name && s.namespace.as_deref().is_none_or(|n| n == namespace))
            .min_by_key(|s| rank(s));
        match found {
            Some(s) => SecretLookup::Found(s),
            None => {
                let documents = self
                    .secrets
                    .iter()
                    .filter(|s| matches!(s.origin, SecretOrigin::Document { .. }))
                    .count();
                let flags = if self.secret_files.is_empty() {
                    "no --secret files".to_owned()
                } else {
                    format!("--secret {}", self.secret_files.join(", "))
                };
                SecretLookup::Missing(format!(
                    "Secret {namespace}/{name} not found: searched {flags}, {documents} Secret document{} and {} secretGenerator{} in {} file{}",
                    plural(documents),
                    self.generators,
                    plural(self.generators),
                    self.files,
                    plural(self.files)
                ))
            }
        }
    }
}

impl Tree {
    /// The Secret a kustomize secretGenerator named `name` made as `name-<hash>`: kustomize
    /// rewrites references to it only in the fields it knows, never in a Flux source's
    /// `secretRef`, so a source naming `name` does not find it.
    pub fn hashed_generated(&self, namespace: &str, name: &str) -> Option<&FoundSecret> {
        self.secrets.iter().find(|s| {
            matches!(s.origin, SecretOrigin::Generator { .. })
                && s.namespace.as_deref() == Some(namespace)
                && s.name
                    .strip_prefix(name)
                    .and_then(|r| r.strip_prefix('-'))
                    .is_some_and(|hash| {
                        hash.len() == 10
                            && hash
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    })
        })
    }

    /// An object of the tree that creates the Secret `namespace/name` in the cluster (an
    /// ExternalSecret or a SealedSecret): `Kind namespace/name (file:line)`.
    pub fn created_out_of_band(&self, namespace: &str, name: &str) -> Option<String> {
        self.objects.iter().find_map(|o| {
            if o.namespace != namespace {
                return None;
            }
            let target = match (o.kind.as_str(), o.api_version.split('/').next()) {
                ("ExternalSecret", Some(g)) if g.ends_with("external-secrets.io") => {
                    str_at(&o.value, &["spec", "target", "name"]).unwrap_or(&o.name)
                }
                ("SealedSecret", Some("bitnami.com")) => {
                    str_at(&o.value, &["spec", "template", "metadata", "name"]).unwrap_or(&o.name)
                }
                _ => return None,
            };
            (target == name).then(|| {
                format!(
                    "{} {}/{} ({}:{})",
                    o.kind, o.namespace, o.name, o.file, o.line
                )
            })
        })
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = value;
    for key in path {
        v = v.get(key)?;
    }
    v.as_str().filter(|s| !s.is_empty())
}

/// Is this a manifest file by name?
fn is_manifest_file(path: &Path) -> bool {
    is_kustomization_file(path)
        || path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
}

/// A Helm chart's `templates/` directory (Go templates, not YAML).
fn is_chart_templates(dir: &Path) -> bool {
    dir.file_name().is_some_and(|n| n == "templates")
        && dir.parent().is_some_and(|p| p.join("Chart.yaml").is_file())
}

fn walk(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), GitopsError> {
    let io = |error| GitopsError::Io {
        path: path.to_path_buf(),
        error,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        let hidden = entry
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if entry.is_dir() {
            if !is_chart_templates(&entry) {
                walk(&entry, out)?;
            }
        } else if is_manifest_file(&entry) {
            out.push(entry);
        }
    }
    Ok(())
}

/// How to read the inputs.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--secret FILE`, repeatable, searched before the tree.
    pub secret_files: Vec<PathBuf>,
}

/// The state of one load: kustomizations by directory, for namespaces and generators.
struct Loader {
    tree: Tree,
    /// Kustomization files read, by their directory.
    kustomizations: BTreeMap<PathBuf, Kustomization>,
}

impl Loader {
    fn read_manifest_text(&mut self, file: &str, text: &str, json: bool) -> Vec<Document> {
        let parsed = if json {
            parse_json(text)
        } else {
            parse_yaml_stream(text)
        };
        match parsed {
            Ok(documents) => expand_lists(documents),
            Err(e) => {
                self.tree.problems.push(FileProblem {
                    file: file.to_owned(),
                    line: e.line,
                    detail: if e.refused {
                        e.detail
                    } else {
                        format!(
                            "not valid {}: {}",
                            if json { "JSON" } else { "YAML" },
                            e.detail
                        )
                    },
                });
                Vec::new()
            }
        }
    }

    /// Adds the documents of one file; `namespace_of` gives the kustomize namespace for
    /// objects without one.
    fn add_documents(&mut self, file: &str, documents: Vec<Document>, default_namespace: &str) {
        for document in documents {
            let (Some(api_version), Some(kind)) = (
                str_at(&document.value, &["apiVersion"]),
                str_at(&document.value, &["kind"]),
            ) else {
                continue;
            };
            let name = str_at(&document.value, &["metadata", "name"])
                .unwrap_or_default()
                .to_owned();
            let namespace = str_at(&document.value, &["metadata", "namespace"])
                .unwrap_or(default_namespace)
                .to_owned();
            if kind == "Secret" && api_version == "v1" {
                let content = secret_content(file, &document.value, &namespace);
                self.tree.secrets.push(FoundSecret {
                    name,
                    namespace: Some(namespace),
                    origin: SecretOrigin::Document {
                        file: file.to_owned(),
                        line: document.line,
                    },
                    content,
                });
                continue;
            }
            self.tree.objects.push(Object {
                api_version: api_version.to_owned(),
                kind: kind.to_owned(),
                name,
                namespace,
                file: file.to_owned(),
                line: document.line,
                value: document.value,
                applied_by: None,
                patched_by: Vec::new(),
            });
        }
    }

    /// The namespace of the nearest kustomization (in `dir` or above, not above `root`) that
    /// sets one.
    fn kustomize_namespace(&self, dir: &Path, root: &Path) -> String {
        let mut current = Some(dir);
        while let Some(d) = current {
            if let Some(ns) = self.kustomizations.get(d).and_then(|k| k.namespace.clone()) {
                return ns;
            }
            if d == root {
                break;
            }
            current = d.parent();
        }
        String::new()
    }
}

/// A Secret document's content: SOPS-encrypted, decoded, or why it is unreadable.
pub fn secret_content(file: &str, value: &Value, namespace: &str) -> SecretContent {
    if value.get("sops").is_some() {
        return SecretContent::Sops;
    }
    match secret::secrets_in(Path::new(file), std::slice::from_ref(value)) {
        Ok(mut secrets) => match secrets.pop() {
            Some(mut s) => {
                s.namespace = namespace.to_owned();
                SecretContent::Plain(s)
            }
            None => SecretContent::Invalid("not a Secret".into()),
        },
        Err(e) => SecretContent::Invalid(e.to_string()),
    }
}

/// Reads the `--secret` files: every Secret in them.
fn load_secret_files(loader: &mut Loader, files: &[PathBuf]) -> Result<(), GitopsError> {
    for path in files {
        let io = |error| GitopsError::Io {
            path: path.clone(),
            error,
        };
        let bytes = crate::limits::read_file(path).map_err(|e| match e {
            crate::limits::ReadError::Io { error, .. } => io(error),
            refused => GitopsError::Refused(refused),
        })?;
        let file = path.display().to_string();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let documents = loader.read_manifest_text(&file, &text, false);
        loader.tree.secret_files.push(file.clone());
        for document in documents {
            if str_at(&document.value, &["kind"]) != Some("Secret") {
                continue;
            }
            let name = str_at(&document.value, &["metadata", "name"])
                .unwrap_or_default()
                .to_owned();
            let namespace = str_at(&document.value, &["metadata", "namespace"]).map(str::to_owned);
            let content = secret_content(
                &file,
                &document.value,
                namespace.as_deref().unwrap_or_default(),
            );
            loader.tree.secrets.push(FoundSecret {
                name,
                namespace,
                origin: SecretOrigin::Flag { file: file.clone() },
                content,
            });
        }
    }
    Ok(())
}

/// Reads the manifests under `paths`.
pub fn load(paths: &[PathBuf], options: &LoadOptions) -> Result<Tree, GitopsError> {
    let mut loader = Loader {
        tree: Tree::default(),
        kustomizations: BTreeMap::new(),
    };
    load_secret_files(&mut loader, &options.secret_files)?;
    // (root, file) pairs: a file's kustomize namespace is looked for up to its root.
    let mut files: Vec<(PathBuf, PathBuf)> = Vec::new();
    for root in paths {
        let mut found = Vec::new();
        walk(root, &mut found)?;
        let root_dir = if root.is_file() {
            root.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            root.clone()
        };
        files.extend(found.into_iter().map(|f| (root_dir.clone(), f)));
    }
    let mut texts = Vec::new();
    for (root, path) in files {
        let text = match crate::limits::read_file(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    loader.tree.problems.push(FileProblem {
                        file: path.display().to_string(),
                        line: 1,
                        detail: "not UTF-8 text".into(),
                    });
                    continue;
                }
            },
            // Refused unread, like a file that does not parse: reported, and the scan goes on.
            Err(crate::limits::ReadError::TooLarge { refusal, .. }) => {
                loader.tree.problems.push(FileProblem {
                    file: path.display().to_string(),
                    line: 1,
                    detail: refusal.to_string(),
                });
                continue;
            }
            Err(crate::limits::ReadError::Io { error, .. }) => {
                return Err(GitopsError::Io { path, error })
            }
            Err(other) => return Err(GitopsError::Refused(other)),
        };
        loader.tree.files += 1;
        if is_kustomization_file(&path) {
            match kustomize::parse(&path, &text) {
                Ok(k) => {
                    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                    loader.tree.generators += k.secret_generators.len();
                    loader.kustomizations.insert(dir, k);
                }
                Err(e) => loader.tree.problems.push(FileProblem {
                    file: path.display().to_string(),
                    line: 1,
                    detail: e.detail,
                }),
            }
            continue;
        }
        texts.push((root, path, text));
    }
    for (root, path, text) in texts {
        let file = path.display().to_string();
        let json = path.extension().is_some_and(|e| e == "json");
        let documents = loader.read_manifest_text(&file, &text, json);
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let namespace = loader.kustomize_namespace(&dir, &root);
        loader.add_documents(&file, documents, &namespace);
    }
    let generators: Vec<(PathBuf, Kustomization)> = loader
        .kustomizations
        .iter()
        .map(|(d, k)| (d.clone(), k.clone()))
        .collect();
    for (dir, k) in generators {
        let root = paths
            .iter()
            .find(|r| dir.starts_with(r))
            .cloned()
            .unwrap_or_else(|| dir.clone());
        for g in &k.secret_generators {
            let namespace = g
                .namespace
                .clone()
                .unwrap_or_else(|| loader.kustomize_namespace(&dir, &root));
            let content = match g.generate(&dir, &namespace) {
                Generated::Secret(s) => SecretContent::Plain(s),
                Generated::Sops { .. } => SecretContent::Sops,
                Generated::Invalid(m) => SecretContent::Invalid(m),
            };
            loader.tree.secrets.push(FoundSecret {
                name: g.name.clone(),
                namespace: Some(namespace),
                origin: SecretOrigin::Generator {
                    file: k.file.display().to_string(),
                    line: g.line,
                },
                content,
            });
        }
    }
    Ok(loader.tree)
}

/// Reads a stream of documents (the output of `kustomize build` or `flux build`), named `file`
/// in reports. Namespaces are the documents' own: a built stream has them set.
pub fn load_stream(file: &str, text: &str, options: &LoadOptions) -> Result<Tree, GitopsError> {
    let mut loader = Loader {
        tree: Tree::default(),
        kustomizations: BTreeMap::new(),
    };
    load_secret_files(&mut loader, &options.secret_files)?;
    loader.tree.files = 1;
    let documents = loader.read_manifest_text(file, text, false);
    loader.add_documents(file, documents, "");
    Ok(loader.tree)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn namespaces_secrets_and_problems() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "apps/kustomization.yaml", "namespace: apps\nsecretGenerator:\n  - name: gen\n    literals:\n      - 'trustpolicy.json={}'\n");
        write(d, "apps/one/src.yaml", "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {x.pem: y}\n---\nnot: kubernetes\n");
        write(d, "other/src.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: own}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
        write(d, "other/sops.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: enc}\ndata:\n  a: ENC[AES256_GCM,data:x]\nsops: {version: 3}\n");
        write(d, "broken/bad.yml", "apiVersion: v1\nkind: [\n");
        write(d, "chart/Chart.yaml", "name: c\n");
        write(d, "chart/templates/x.yaml", "{{ if }}\n");
        write(d, ".git/x.yaml", "[\n");
        write(d, "notes.txt", "[\n");
        let tree = load(&[d.to_path_buf()], &LoadOptions::default()).unwrap();
        let objects: Vec<(String, String, usize)> = tree
            .objects
            .iter()
            .map(|o| (o.name.clone(), o.namespace.clone(), o.line))
            .collect();
        assert_eq!(
            objects,
            vec![
                ("a".to_owned(), "apps".to_owned(), 1),
                ("b".to_owned(), "own".to_owned(), 1),
                ("c".to_owned(), String::new(), 5),
            ]
        );
        assert_eq!(tree.problems.len(), 1, "{:?}", tree.problems);
        // The parser notices the unclosed sequence at the end of the file.
        assert_eq!(tree.problems[0].line, 3);
        assert!(tree.problems[0].file.ends_with("bad.yml"));
        match tree.find_secret("apps", "s") {
            SecretLookup::Found(s) => {
                assert!(
                    matches!(&s.content, SecretContent::Plain(p) if p.namespaced_name() == "apps/s")
                );
                assert_eq!(
                    s.origin.to_string(),
                    format!("{}:5", d.join("apps/one/src.yaml").display())
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(tree.find_secret("apps", "gen"), SecretLookup::Found(s) if matches!(s.origin, SecretOrigin::Generator { line: 3, .. }))
        );
        assert!(
            matches!(tree.find_secret("", "enc"), SecretLookup::Found(s) if s.content == SecretContent::Sops)
        );
        match tree.find_secret("other", "s") {
            SecretLookup::Missing(m) => assert_eq!(m, "Secret other/s not found: searched no --secret files, 2 Secret documents and 1 secretGenerator in 6 files"),
            other => panic!("{other:?}"),
        }
    }
}
