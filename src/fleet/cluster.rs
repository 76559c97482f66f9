//! One cluster as kustomize-controller reconciles it: the entry directory built as the path of
//! its bootstrap Kustomization, then every Flux Kustomization found in what that applies whose
//! source is this repository (its GitRepository, or an ExternalArtifact an ArtifactGenerator
//! composes from it), each built once with its own spec (cycles end; `dependsOn` is not
//! needed to know what is applied).
//!
//! A Kustomization whose `substituteFrom` names an object no build has produced yet is retried
//! after the others (in a cluster, it would be reconciled again once that object exists).

use super::artifact_source::{self, ArtifactSource};
use super::envsubst::postbuild::{self, PostBuildError, SourceKind};
use super::envsubst::Dialect;
use super::generate::{prepare, GenerateError};
use super::kustomize::Kustomize;
use super::origin::{split_documents, take_provenance, Origin, Provenance};
use super::repo::{normalize, spec_path, Entry, WorkCopy};
use super::spec::{is_flux_kustomization, FluxKustomization, ObjectRef};
use crate::gitops::documents::{parse_yaml_stream, Document};
use crate::gitops::kustomize::generator_line;
use crate::gitops::Object;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What one Flux Kustomization came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KustomizationReport {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.path`.
    pub path: String,
    /// `Kind/namespace/name` of its source.
    pub source: String,
    /// Whether its manifests were built (false: another source, or the build failed).
    pub built: bool,
    /// Why not built, or what it was built from.
    pub reason: String,
    /// The build failed (an `error` row): Flux would not apply it.
    pub failed: bool,
    /// Its file (relative to the root) and line.
    pub file: String,
    /// Its line.
    pub line: usize,
    /// What it applies, `Kind/namespace/name`.
    pub applied: Vec<String>,
}

/// What a cluster gets from the repository.
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    /// The entry directory, relative to the root.
    pub name: String,
    /// Every object applied, in build order (Secrets included).
    pub objects: Vec<BuiltObject>,
    /// Every Flux Kustomization met.
    pub kustomizations: Vec<KustomizationReport>,
    /// The repository files the builds read documents from.
    pub files: BTreeSet<String>,
}

/// An applied object and where it came from.
#[derive(Debug, Clone)]
pub struct BuiltObject {
    /// The object: `file`/`line` are its document's, relative to the root; `applied_by` the
    /// Kustomization that applies it.
    pub object: Object,
    /// The generator that made it, when one did: `(kind, kustomization file)`.
    pub generated_by: Option<(String, String)>,
}

struct Pending {
    kustomization: Option<FluxKustomization>,
    /// The path to build, relative to the source's root.
    path: String,
    retried: bool,
}

enum Failure {
    /// Built nothing, and that is no error: the source is not this repository.
    NotBuilt(String),
    /// The build failed as it fails in Flux.
    Failed(String),
    /// A `substituteFrom` object is not (yet) among the cluster's objects.
    Waiting(String),
}

/// Builds one cluster.
pub struct ClusterBuilder<'a> {
    work: &'a WorkCopy,
    kustomize: &'a Kustomize,
    /// The GitRepository the cluster syncs this repository through.
    repository: ObjectRef,
    cluster: Cluster,
    /// Flux Kustomizations queued, `(namespace, name)`: each is built once.
    followed: HashSet<(String, String)>,
    /// Objects applied, `(kind, namespace, name)`: the first Kustomization to apply one wins.
    applied: HashSet<(String, String, String)>,
    documents: HashMap<PathBuf, Vec<Document>>,
    /// The `--secret` files' Secrets, searched first for `substituteFrom`.
    secret_objects: &'a [Object],
    dialect: Dialect,
}

fn str_at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    let mut v = value;
    for key in path {
        v = v.get(key)?;
    }
    v.as_str()
}

/// `Kind/namespace/name`.
pub fn object_id(object: &Object) -> String {
    format!("{}/{}/{}", object.kind, object.namespace, object.name)
}

impl<'a> ClusterBuilder<'a> {
    /// A builder for the cluster entered at `entry`; `source` overrides the GitRepository its
    /// bootstrap Kustomization names.
    pub fn new(
        work: &'a WorkCopy,
        kustomize: &'a Kustomize,
        entry: &Entry,
        source: Option<&ObjectRef>,
        secret_objects: &'a [Object],
        dialect: Dialect,
    ) -> ClusterBuilder<'a> {
        let repository = source
            .cloned()
            .unwrap_or_else(|| match &entry.kustomization {
                Some(k) if k.source.kind == "GitRepository" => k.source.clone(),
                _ => ObjectRef {
                    kind: "GitRepository".into(),
                    namespace: "flux-system".into(),
                    name: "flux-system".into(),
                },
            });
        ClusterBuilder {
            work,
            kustomize,
            repository,
            cluster: Cluster {
                name: entry.path.clone(),
                ..Cluster::default()
            },
            followed: HashSet::new(),
            applied: HashSet::new(),
            documents: HashMap::new(),
            secret_objects,
            dialect,
        }
    }

    /// Builds the entry and everything it leads to.
    pub fn build(mut self, entry: &Entry) -> Cluster {
        let mut queue = std::collections::VecDeque::new();
        if let Some(k) = &entry.kustomization {
            self.followed.insert((k.namespace.clone(), k.name.clone()));
        }
        queue.push_back(Pending {
            kustomization: entry.kustomization.clone(),
            path: entry.path.clone(),
            retried: false,
        });
        while let Some(pending) = queue.pop_front() {
            // The caller sees the stop and reports none of this cluster.
            if crate::interrupt::raised().is_some() {
                break;
            }
            match self.build_one(&pending) {
                Ok((built_from, objects)) => {
                    let applied: Vec<String> =
                        objects.iter().map(|o| object_id(&o.object)).collect();
                    let mut found = Vec::new();
                    for built in objects {
                        if is_flux_kustomization(&built.object) {
                            found.push(built.object.clone());
                        }
                        self.cluster.objects.push(built);
                    }
                    self.report(&pending, true, built_from, false, applied);
                    for object in found {
                        self.follow(&object, &mut queue);
                    }
                }
                Err(Failure::Waiting(reason)) if !pending.retried => {
                    tracing::debug!(%reason, "retrying after the other Kustomizations");
                    queue.push_back(Pending {
                        retried: true,
                        ..pending
                    });
                }
                Err(Failure::Waiting(reason)) | Err(Failure::Failed(reason)) => {
                    self.report(&pending, false, reason, true, Vec::new())
                }
                Err(Failure::NotBuilt(reason)) => {
                    self.report(&pending, false, reason, false, Vec::new())
                }
            }
        }
        self.cluster
    }

    fn report(
        &mut self,
        pending: &Pending,
        built: bool,
        reason: String,
        failed: bool,
        applied: Vec<String>,
    ) {
        let Some(k) = &pending.kustomization else {
            if failed {
                // The entry has no Kustomization of its own: its failure is the cluster's.
                self.cluster.kustomizations.push(KustomizationReport {
                    namespace: String::new(),
                    name: String::new(),
                    path: pending.path.clone(),
                    source: self.repository.to_string(),
                    built,
                    reason,
                    failed,
                    file: pending.path.clone(),
                    line: 0,
                    applied,
                });
            }
            return;
        };
        self.cluster.kustomizations.push(KustomizationReport {
            namespace: k.namespace.clone(),
            name: k.name.clone(),
            path: k.path.clone(),
            source: k.source.to_string(),
            built,
            reason,
            failed,
            file: k.file.clone(),
            line: k.line,
            applied,
        });
    }

    /// Queues a Flux Kustomization found in a build.
    fn follow(&mut self, object: &Object, queue: &mut std::collections::VecDeque<Pending>) {
        if !self
            .followed
            .insert((object.namespace.clone(), object.name.clone()))
        {
            return;
        }
        match FluxKustomization::from_object(object) {
            Ok(k) => queue.push_back(Pending {
                path: k.path.clone(),
                kustomization: Some(k),
                retried: false,
            }),
            Err(e) => self.cluster.kustomizations.push(KustomizationReport {
                namespace: e.namespace.clone(),
                name: e.name.clone(),
                path: String::new(),
                source: String::new(),
                built: false,
                reason: e.detail.clone(),
                failed: true,
                file: e.file.clone(),
                line: e.line,
                applied: Vec::new(),
            }),
        }
    }

    /// Where the Kustomization's manifests come from.
    fn source_dir(&self, k: Option<&FluxKustomization>) -> Result<ArtifactSource<'a>, Failure> {
        let Some(k) = k else {
            return Ok(ArtifactSource::repository(self.work));
        };
        if k.source == self.repository {
            return Ok(ArtifactSource::repository(self.work));
        }
        if k.source.kind == "ExternalArtifact" {
            let objects: Vec<&Object> = self.cluster.objects.iter().map(|b| &b.object).collect();
            return artifact_source::compose(self.work, &self.repository, &k.source, &objects)
                .map_err(|e| match e {
                    artifact_source::SourceError::NotThisRepository(reason) => {
                        Failure::NotBuilt(reason)
                    }
                    artifact_source::SourceError::NoGenerator(reason) => Failure::Waiting(reason),
                    artifact_source::SourceError::Failed(reason) => Failure::Failed(reason),
                });
        }
        Err(Failure::NotBuilt(format!(
            "applies the contents of {} {}/{}",
            k.source.kind, k.source.namespace, k.source.name
        )))
    }

    fn build_one(&mut self, pending: &Pending) -> Result<(String, Vec<BuiltObject>), Failure> {
        let source = self.source_dir(pending.kustomization.as_ref())?;
        let relative_path = spec_path(&pending.path);
        let dir = source.dir().join(&relative_path);
        if !dir.is_dir() {
            return Err(Failure::Failed(format!(
                "kustomization path not found: stat {}: no such file or directory",
                source.describe(&relative_path)
            )));
        }
        let spec = pending
            .kustomization
            .as_ref()
            .map(|k| k.spec.clone())
            .unwrap_or(Value::Null);
        let relative = |p: &Path| source.describe_path(p);
        let output = {
            let _restore = prepare(&dir, &spec, &relative).map_err(|e| match e {
                GenerateError::Spec(s) => Failure::Failed(s),
                other => Failure::Failed(format!("kustomize build failed: {other}")),
            })?;
            // On the kustomization kustomize will build: the Kustomization's own
            // `spec.components` are in it now.
            super::confine::check(&dir, source.dir(), &relative)
                .map_err(|e| Failure::Failed(format!("kustomize build failed: {e}")))?;
            self.kustomize.build(&dir).map_err(|e| {
                Failure::Failed(format!(
                    "kustomize build failed: {}",
                    source.scrub(&e.to_string())
                ))
            })?
        };
        let applied_by = pending.kustomization.as_ref().map(FluxKustomization::id);
        let mut objects = Vec::new();
        let post_build = pending
            .kustomization
            .as_ref()
            .and_then(|k| k.post_build.as_ref());
        // Assembled once, on the first resource that is substituted (Flux looks at the opt-out
        // before it loads any variable).
        let mut vars: Option<postbuild::Variables> = None;
        for text in split_documents(&output) {
            let mut value: Value = crate::limits::yaml(&text).map_err(|e| {
                Failure::Failed(format!("kustomize printed YAML that does not parse: {e}"))
            })?;
            if let Some(post_build) = post_build.filter(|_| postbuild::should_substitute(&value)) {
                let name = value
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                if vars.is_none() {
                    let lookup = |kind: SourceKind, namespace: &str, name: &str| {
                        self.lookup(kind, namespace, name)
                    };
                    vars = Some(post_build.variables(&lookup).map_err(|e| match e {
                        PostBuildError::NotFound { .. } => {
                            Failure::Waiting(e.in_resource(&name).to_string())
                        }
                        other => Failure::Failed(other.in_resource(&name).to_string()),
                    })?);
                }
                let vars = vars
                    .as_ref()
                    .ok_or_else(|| Failure::Failed("no variables".into()))?;
                if !vars.is_empty() {
                    value = postbuild::substitute_object(&text, vars, self.dialect)
                        .map_err(|e| Failure::Failed(e.in_resource(&name).to_string()))?;
                }
            }
            let provenance = take_provenance(&mut value);
            if let Some(common) = pending
                .kustomization
                .as_ref()
                .and_then(|k| k.common_metadata.as_ref())
            {
                apply_common_metadata(&mut value, common);
            }
            let Some(mut object) =
                self.object_of(value, &provenance, &dir, &source, applied_by.clone())
            else {
                continue;
            };
            if let Some(k) = pending.kustomization.as_ref() {
                let o = &mut object.object;
                if super::patches::spec_patches_select(&k.spec, &o.kind, &o.name) {
                    o.patched_by.push(format!("{} (spec.patches)", k.file));
                }
            }
            let key = (
                object.object.kind.clone(),
                object.object.namespace.clone(),
                object.object.name.clone(),
            );
            if !self.applied.insert(key) {
                continue;
            }
            objects.push(object);
        }
        let built_from = match pending.kustomization.as_ref() {
            Some(k) if k.source.kind == "ExternalArtifact" => {
                format!("built from {}", source.describe(&relative_path))
            }
            _ => format!("built from {}", self.work.relative(&dir)),
        };
        Ok((built_from, objects))
    }

    /// A ConfigMap or Secret for `substituteFrom`: the `--secret` files first, then what the
    /// cluster's Kustomizations apply.
    fn lookup(&self, kind: SourceKind, namespace: &str, name: &str) -> Option<Value> {
        self.secret_objects
            .iter()
            .filter(|o| {
                kind == SourceKind::Secret && (o.namespace.is_empty() || o.namespace == namespace)
            })
            .chain(
                self.cluster
                    .objects
                    .iter()
                    .map(|b| &b.object)
                    .filter(|o| o.namespace == namespace),
            )
            .find(|o| o.kind == kind.as_str() && o.api_version == "v1" && o.name == name)
            .map(|o| o.value.clone())
    }

    /// The line of the document of `kind`/`name` in `file`.
    fn line_of(&mut self, file: &Path, kind: &str, name: &str) -> usize {
        let documents = self.documents.entry(file.to_path_buf()).or_insert_with(|| {
            crate::limits::read_text(file)
                .ok()
                .and_then(|t| parse_yaml_stream(&t).ok())
                .unwrap_or_default()
        });
        let same_kind = |d: &&Document| str_at(&d.value, &["kind"]) == Some(kind);
        documents
            .iter()
            .filter(same_kind)
            .find(|d| {
                str_at(&d.value, &["metadata", "name"])
                    .is_some_and(|n| n == name || name.contains(n))
            })
            .or_else(|| documents.iter().find(same_kind))
            .or_else(|| documents.first())
            .map_or(1, |d| d.line)
    }

    fn object_of(
        &mut self,
        value: Value,
        provenance: &Provenance,
        dir: &Path,
        source: &ArtifactSource<'_>,
        applied_by: Option<String>,
    ) -> Option<BuiltObject> {
        let api_version = str_at(&value, &["apiVersion"])?.to_owned();
        let kind = str_at(&value, &["kind"])?.to_owned();
        let name = str_at(&value, &["metadata", "name"])
            .unwrap_or_default()
            .to_owned();
        let namespace = str_at(&value, &["metadata", "namespace"])
            .unwrap_or_default()
            .to_owned();
        let mut generated_by = None;
        let (file, line) = match &provenance.origin {
            Origin::File(path) => {
                let abs = normalize(&dir.join(path))?;
                let line = self.line_of(&abs, &kind, &name);
                let file = source.describe_path(&abs);
                (file, line)
            }
            Origin::Generator {
                kind: generator,
                configured_in,
            } => {
                let abs =
                    normalize(&dir.join(configured_in)).unwrap_or_else(|| dir.join(configured_in));
                let file = source.describe_path(&abs);
                // The generator's name is the object's, less kustomize's hash suffix.
                let base = name
                    .rsplit_once('-')
                    .filter(|(_, h)| h.len() == 10)
                    .map_or(name.as_str(), |(b, _)| b);
                let line = crate::limits::read_text(&source.original(&abs))
                    .map(|t| generator_line(&t, base))
                    .unwrap_or(1);
                generated_by = Some((generator.clone(), file.clone()));
                (file, line)
            }
            Origin::Remote(remote) => (remote.clone(), 1),
            Origin::Unknown => (self.work.relative(dir), 1),
        };
        self.cluster.files.insert(file.clone());
        let root = self.work.root();
        let patched_by = provenance
            .patched_in
            .iter()
            .flat_map(|k| {
                let abs = normalize(&dir.join(k)).unwrap_or_else(|| dir.join(k));
                // Read in the user's tree: the work copy's kustomization files are rewritten.
                super::patches::patch_files(&source.original(&abs), &kind, &name, &|p| {
                    super::repo::relative_to(root, p)
                })
            })
            .collect::<Vec<String>>();
        // A patch file is used by the build, not left out of it.
        self.cluster.files.extend(patched_by.iter().cloned());
        Some(BuiltObject {
            object: Object {
                api_version,
                kind,
                name,
                namespace,
                file,
                line,
                value,
                applied_by,
                patched_by,
            },
            generated_by,
        })
    }
}

/// `spec.commonMetadata`: labels and annotations set on every object, after substitution.
fn apply_common_metadata(object: &mut Value, common: &Value) {
    for field in ["labels", "annotations"] {
        let Some(Value::Object(entries)) = common.get(field) else {
            continue;
        };
        let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) else {
            continue;
        };
        let target = metadata
            .entry(field.to_owned())
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Value::Object(target) = target {
            for (k, v) in entries {
                target.insert(k.clone(), v.clone());
            }
        }
    }
}
