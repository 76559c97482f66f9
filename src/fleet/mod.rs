//! What Flux applies to each cluster from a fleet repository, built as kustomize-controller
//! builds it: `fluxverify scan`'s build stage, between reading the tree ([`crate::gitops`])
//! and deciding what Flux verifies ([`crate::flux::scan`]).
//!
//! 1. [`repo`]: the repository root, the cluster entries (directories their bootstrap
//!    Kustomization points back at) and a work copy of the root.
//! 2. [`cluster`]: per cluster, the entry built as the path of its Kustomization, then every
//!    Flux Kustomization ([`spec`]) whose source is this repository, recursively: the
//!    kustomization generated or merged ([`generate`]), the real kustomize run
//!    ([`kustomize`]), the objects traced to their files and patches ([`origin`],
//!    [`patches`]), `postBuild` substitution ([`envsubst`], [`envsubst::postbuild`]), and the
//!    ExternalArtifacts of ArtifactGenerators composed from the repository
//!    ([`artifact_source`], [`artifact`]).
//! 3. The result: per cluster, every applied object with its Kustomization, file, line and
//!    patches, and every Flux Kustomization met with what became of it.

pub mod api_server;
pub mod artifact;
pub mod artifact_source;
pub mod cluster;
pub mod confine;
pub mod envsubst;
pub mod generate;
pub mod kustomize;
pub mod origin;
pub mod patches;
pub mod repo;
pub mod spec;

use crate::gitops::{self, Object};
use cluster::{Cluster, ClusterBuilder};
use kustomize::{Kustomize, KustomizeError};
use repo::{RepoError, Repository, WorkCopy};
use spec::ObjectRef;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Why the fleet could not be built at all (the command cannot run).
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// The tree could not be read.
    #[error(transparent)]
    Tree(#[from] gitops::GitopsError),
    /// The repository layout.
    #[error(transparent)]
    Repo(#[from] RepoError),
    /// No kustomize to run.
    #[error(transparent)]
    Kustomize(#[from] KustomizeError),
    /// A stop was asked for during the build.
    #[error(transparent)]
    Interrupted(#[from] crate::interrupt::Interrupted),
}

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct FleetRequest {
    /// The directories scanned.
    pub paths: Vec<PathBuf>,
    /// `--root`.
    pub root: Option<PathBuf>,
    /// `--source GitRepository/NS/NAME`.
    pub source: Option<ObjectRef>,
    /// `--kustomize CMD`.
    pub kustomize: Option<String>,
    /// Which Flux release's envsubst (and its strict mode) the substitution follows.
    pub substitution: envsubst::Dialect,
}

/// A source object in a file no Kustomization applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unapplied {
    /// The file, relative to the root.
    pub file: String,
    /// Its line.
    pub line: usize,
    /// `Kind/namespace/name` as written.
    pub object: String,
}

/// What Flux applies from the repository, per cluster.
#[derive(Debug)]
pub struct Fleet {
    /// The repository root.
    pub root: PathBuf,
    /// The clusters, in entry order.
    pub clusters: Vec<Cluster>,
    /// Flux sources in files that no Kustomization of any cluster applies.
    pub not_applied: Vec<Unapplied>,
    /// Bootstrap Kustomizations that could not be read.
    pub problems: Vec<String>,
}

/// The kinds whose rows a scan makes: a file holding one that nothing applies is worth telling.
const SOURCE_KINDS: [&str; 3] = ["OCIRepository", "HelmChart", "HelmRelease"];

fn relative_file(root: &Path, object: &Object) -> String {
    std::fs::canonicalize(&object.file)
        .map(|abs| repo::relative_to(root, &abs))
        .unwrap_or_else(|_| object.file.clone())
}

/// Builds every cluster of the scanned paths. `secret_objects` (the `--secret` files' Secrets)
/// are searched first for `substituteFrom`.
pub fn build(request: &FleetRequest, secret_objects: &[Object]) -> Result<Fleet, FleetError> {
    let raw = gitops::load(&request.paths, &gitops::LoadOptions::default())?;
    let Repository {
        root,
        entries,
        problems,
    } = repo::discover(&request.paths, request.root.as_deref(), &raw.objects)?;
    let kustomize = Kustomize::locate(request.kustomize.as_deref())?;
    let work = WorkCopy::of(&root)?;
    let mut clusters = Vec::new();
    for entry in &entries {
        tracing::info!(cluster = %entry.path, "building");
        let builder = ClusterBuilder::new(
            &work,
            &kustomize,
            entry,
            request.source.as_ref(),
            secret_objects,
            request.substitution,
        );
        clusters.push(builder.build(entry));
        // A cluster cut short by the stop is not what Flux applies: nothing of it is reported.
        crate::interrupt::check()?;
    }
    let applied_files: BTreeSet<&str> = clusters
        .iter()
        .flat_map(|c| c.files.iter().map(String::as_str))
        .collect();
    let not_applied: Vec<Unapplied> = raw
        .objects
        .iter()
        .filter(|o| SOURCE_KINDS.contains(&o.kind.as_str()))
        .filter_map(|o| {
            let file = relative_file(&root, o);
            (!applied_files.contains(file.as_str())).then(|| Unapplied {
                line: o.line,
                object: format!("{}/{}/{}", o.kind, o.namespace, o.name),
                file,
            })
        })
        .collect();
    for u in &not_applied {
        tracing::info!(file = %u.file, line = u.line, object = %u.object, "no Kustomization applies this file");
    }
    Ok(Fleet {
        root,
        clusters,
        not_applied,
        problems,
    })
}

/// The Secrets of the `--secret` files as objects (for `substituteFrom`).
pub fn secret_objects(files: &[PathBuf]) -> Result<Vec<Object>, FleetError> {
    let mut objects = Vec::new();
    for path in files {
        let bytes =
            crate::trust::secret::read_input(path).map_err(|e| gitops::GitopsError::Io {
                path: path.clone(),
                error: std::io::Error::other(e.to_string()),
            })?;
        let text = String::from_utf8_lossy(&bytes);
        let Ok(documents) = gitops::documents::parse_yaml_stream(&text) else {
            // The tree's reading of the same file reports the syntax error.
            continue;
        };
        for d in documents {
            if d.value.get("kind").and_then(serde_json::Value::as_str) != Some("Secret") {
                continue;
            }
            let str_of = |key: &str| {
                d.value
                    .get("metadata")
                    .and_then(|m| m.get(key))
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            objects.push(Object {
                api_version: "v1".into(),
                kind: "Secret".into(),
                name: str_of("name"),
                namespace: str_of("namespace"),
                file: path.display().to_string(),
                line: d.line,
                value: d.value,
                applied_by: None,
                patched_by: Vec::new(),
            });
        }
    }
    Ok(objects)
}

impl Cluster {
    /// The cluster's objects as the tree a scan plans from: Secrets become found Secrets
    /// (after `flags`' `--secret` Secrets, which are searched first), the rest objects.
    pub fn tree(&self, flags: &gitops::Tree) -> gitops::Tree {
        let mut tree = gitops::Tree {
            secrets: flags.secrets.clone(),
            secret_files: flags.secret_files.clone(),
            problems: flags.problems.clone(),
            files: self.files.len(),
            ..gitops::Tree::default()
        };
        for built in &self.objects {
            let o = &built.object;
            if o.kind != "Secret" || o.api_version != "v1" {
                tree.objects.push(o.clone());
                continue;
            }
            let origin = match &built.generated_by {
                Some(_) => {
                    tree.generators += 1;
                    gitops::SecretOrigin::Generator {
                        file: o.file.clone(),
                        line: o.line,
                    }
                }
                None => gitops::SecretOrigin::Document {
                    file: o.file.clone(),
                    line: o.line,
                },
            };
            tree.secrets.push(gitops::FoundSecret {
                name: o.name.clone(),
                namespace: Some(o.namespace.clone()),
                origin,
                content: gitops::secret_content(&o.file, &o.value, &o.namespace),
            });
        }
        tree
    }
}
