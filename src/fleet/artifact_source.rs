//! Where a Flux Kustomization's manifests come from: the repository's work copy, or an
//! `ExternalArtifact` that an ArtifactGenerator (`source.extensions.fluxcd.io`, Flux 2.7+)
//! composes from the repository ([`super::artifact`]), in a temporary directory of its own.
//! Files of a composed artifact are named by the repository file they were copied from.

use super::artifact::GeneratorSpec;
use super::repo::{normalize, WorkCopy};
use super::spec::ObjectRef;
use crate::gitops::Object;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why an ExternalArtifact cannot be built from this repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// Its generator reads another source (no error: that source's own row decides trust).
    NotThisRepository(String),
    /// No ArtifactGenerator among the cluster's objects makes it (yet).
    NoGenerator(String),
    /// The generator's rules fail.
    Failed(String),
}

/// A built source directory.
#[derive(Debug)]
pub enum ArtifactSource<'a> {
    /// The repository itself.
    Repository(&'a WorkCopy),
    /// A composed ExternalArtifact.
    Artifact {
        /// `namespace/name` of the ExternalArtifact.
        name: String,
        /// Its files.
        dir: tempfile::TempDir,
        /// Artifact-relative file → repository-relative file it was copied from.
        files: HashMap<PathBuf, String>,
        /// The repository.
        work: &'a WorkCopy,
    },
}

impl<'a> ArtifactSource<'a> {
    /// The repository.
    pub fn repository(work: &'a WorkCopy) -> ArtifactSource<'a> {
        ArtifactSource::Repository(work)
    }

    /// The directory the Kustomization's `path` is relative to.
    pub fn dir(&self) -> &Path {
        match self {
            ArtifactSource::Repository(work) => work.path(),
            ArtifactSource::Artifact { dir, .. } => dir.path(),
        }
    }

    /// A path inside the source, for messages.
    pub fn describe(&self, relative: &Path) -> String {
        let rel = relative.to_string_lossy();
        match self {
            ArtifactSource::Repository(_) if rel.is_empty() => ".".into(),
            ArtifactSource::Repository(_) => rel.into_owned(),
            ArtifactSource::Artifact { name, .. } => {
                format!(
                    "ExternalArtifact {name}:{}",
                    if rel.is_empty() { "." } else { &rel }
                )
            }
        }
    }

    /// A file inside the source as the user knows it: relative to the repository root (for an
    /// artifact, the repository file it was copied from).
    pub fn describe_path(&self, path: &Path) -> String {
        match self {
            ArtifactSource::Repository(work) => work.relative(path),
            ArtifactSource::Artifact {
                dir,
                files,
                name,
                work,
            } => {
                let normal = normalize(path).unwrap_or_else(|| path.to_path_buf());
                match normal.strip_prefix(dir.path()) {
                    Ok(rel) => files
                        .get(rel)
                        .cloned()
                        .unwrap_or_else(|| format!("ExternalArtifact {name}:{}", rel.display())),
                    Err(_) => work.relative(path),
                }
            }
        }
    }

    /// The same file in the user's tree (kustomization files are rewritten in the copy).
    pub fn original(&self, path: &Path) -> PathBuf {
        let described = self.describe_path(path);
        let root = match self {
            ArtifactSource::Repository(work) | ArtifactSource::Artifact { work, .. } => work.root(),
        };
        let candidate = root.join(&described);
        if candidate.is_file() {
            candidate
        } else {
            path.to_path_buf()
        }
    }

    /// kustomize's message with the temporary directories named as the user knows them.
    pub fn scrub(&self, message: &str) -> String {
        let mut text = message.to_owned();
        if let ArtifactSource::Artifact { dir, name, .. } = self {
            text = text.replace(
                &format!("{}/", dir.path().display()),
                &format!("ExternalArtifact {name}:"),
            );
        }
        let work = match self {
            ArtifactSource::Repository(work) | ArtifactSource::Artifact { work, .. } => work,
        };
        text.replace(&format!("{}/", work.path().display()), "")
            .replace(&work.path().display().to_string(), ".")
    }
}

/// Every file below `dir`, relative to it.
fn files_below(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_below(&path, base, out);
        } else if let Ok(rel) = path.strip_prefix(base) {
            out.push(rel.to_path_buf());
        }
    }
}

/// For each file of the artifact, the repository file with the same bytes whose path shares
/// the longest ending with it (the generator's copy rules are not reversible in general).
fn trace_files(artifact: &Path, work: &WorkCopy) -> HashMap<PathBuf, String> {
    let mut repository = Vec::new();
    files_below(work.path(), work.path(), &mut repository);
    let mut by_name: HashMap<std::ffi::OsString, Vec<PathBuf>> = HashMap::new();
    for file in repository {
        if let Some(name) = file.file_name() {
            by_name.entry(name.to_owned()).or_default().push(file);
        }
    }
    let mut artifact_files = Vec::new();
    files_below(artifact, artifact, &mut artifact_files);
    let mut map = HashMap::new();
    for rel in artifact_files {
        let Some(candidates) = rel.file_name().and_then(|n| by_name.get(n)) else {
            continue;
        };
        let Ok(bytes) = crate::limits::read_file(&artifact.join(&rel)) else {
            continue;
        };
        let shared_ending = |c: &PathBuf| {
            c.components()
                .rev()
                .zip(rel.components().rev())
                .take_while(|(a, b)| a == b)
                .count()
        };
        let best = candidates
            .iter()
            .filter(|c| crate::limits::read_file(&work.path().join(c)).is_ok_and(|b| b == bytes))
            .max_by_key(|c| shared_ending(c));
        if let Some(best) = best {
            map.insert(rel, best.to_string_lossy().replace('\\', "/"));
        }
    }
    map
}

/// Composes the ExternalArtifact `artifact` from the ArtifactGenerator among `objects` that
/// makes it, when every source of that generator is `repository`.
pub fn compose<'a>(
    work: &'a WorkCopy,
    repository: &ObjectRef,
    artifact: &ObjectRef,
    objects: &[&Object],
) -> Result<ArtifactSource<'a>, SourceError> {
    let generators = objects.iter().filter(|o| {
        o.kind == "ArtifactGenerator"
            && o.api_version.starts_with("source.extensions.fluxcd.io/")
            && o.namespace == artifact.namespace
    });
    let sources_of = |spec: &GeneratorSpec| -> HashMap<String, PathBuf> {
        spec.sources
            .iter()
            .map(|s| (s.alias.clone(), work.path().to_path_buf()))
            .collect()
    };
    for generator in generators {
        let spec = GeneratorSpec::from_object(&generator.value)
            .map_err(|e| SourceError::Failed(e.to_string()))?;
        // Every artifact it makes, pathPattern expanded; the sources resolve to this
        // repository only if the generator reads nothing else (checked below).
        let requests = spec
            .artifact_requests(&sources_of(&spec))
            .map_err(|e| SourceError::Failed(e.to_string()))?;
        let Some(request) = requests.iter().find(|r| r.artifact.name == artifact.name) else {
            continue;
        };
        let generator_id = format!("ArtifactGenerator {}/{}", spec.namespace, spec.name);
        for source in &spec.sources {
            let of = ObjectRef {
                kind: source.kind.as_str().to_owned(),
                namespace: source
                    .namespace
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| spec.namespace.clone()),
                name: source.name.clone(),
            };
            if of != *repository {
                return Err(SourceError::NotThisRepository(format!(
                    "applies ExternalArtifact {}/{}, which {generator_id} composes from {} {}/{}, not this repository",
                    artifact.namespace, artifact.name, of.kind, of.namespace, of.name
                )));
            }
        }
        let dir = tempfile::Builder::new()
            .prefix("fluxverify-artifact-")
            .tempdir()
            .map_err(|e| {
                SourceError::Failed(format!("cannot create a temporary directory: {e}"))
            })?;
        super::artifact::compose(&request.artifact, &sources_of(&spec), dir.path())
            .map_err(|e| SourceError::Failed(format!("{generator_id}: {e}")))?;
        let files = trace_files(dir.path(), work);
        return Ok(ArtifactSource::Artifact {
            name: format!("{}/{}", artifact.namespace, artifact.name),
            dir,
            files,
            work,
        });
    }
    Err(SourceError::NoGenerator(format!(
        "ExternalArtifact {}/{}: no ArtifactGenerator in the cluster's objects makes it",
        artifact.namespace, artifact.name
    )))
}
