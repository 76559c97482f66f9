//! The ArtifactGenerator (`source.extensions.fluxcd.io/v1beta1`, Flux 2.7+, fluxcd/source-watcher):
//! its spec read as the API server and the controller validate it ([`GeneratorSpec`]), the
//! artifacts a `pathPattern` expands to ([`GeneratorSpec::artifact_requests`]), and the files of
//! one artifact composed from local copies of its sources: [`stage`] applies the builder's
//! cp-like rules, [`compose`] also drops what the stored archive leaves out (see
//! [`compose`]). The rules:
//!
//! - `from: "@alias/<pattern>"`, `to: "@artifact/<path>"`; operations run in order and later
//!   ones overwrite earlier files.
//! - No glob characters (`*?[]`): a directory is copied as a directory *into* `to`
//!   (`@a/config` or `@a/config/` to `@artifact/dest` gives `dest/config/...`; `@a/` copies
//!   the whole source into `to`); a file goes to `to` when `to` names a file, or into it when
//!   `to` ends in `/` or is a directory already.
//! - A glob is Go's `fs.Glob`: `*` and `**` match within one directory. Each match keeps its
//!   path from the source root (`@a/apps/*.yaml` to `@artifact/x/` gives `x/apps/...`),
//!   except that `dir/**` strips `dir/` (`@a/shop/**` to `@artifact/` gives the contents of
//!   `shop`). A matched directory is copied whole. No match is an error unless `optional`.
//! - `exclude` patterns (doublestar) apply to every file and directory met, against its path
//!   from the source root, its path below the pattern's literal prefix and, for a pattern
//!   without `/`, its name; an excluded directory is skipped whole.
//! - `strategy: Merge` deep-merges a YAML file into an existing destination file (maps merge,
//!   everything else is replaced; multi-document sources merge into one map); `Extract`
//!   unpacks `.tar.gz`/`.tgz` files into `to`.

mod archive;
mod copy;
mod glob;
mod spec;

pub use spec::{ArtifactSpec, CopyOperation, GeneratorSpec, SourceKind, SourceReference, Strategy};

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Why a generator cannot be read or an artifact cannot be composed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArtifactError {
    /// The object does not have the CRD's shape (the API server's words, naming the field).
    #[error("ArtifactGenerator {generator}: {message}")]
    Spec {
        /// `namespace/name` of the generator.
        generator: String,
        /// What is wrong, starting with the field path.
        message: String,
    },
    /// The controller's own validation failed (`ValidationFailed`; its words).
    #[error("ArtifactGenerator {generator}: {message}")]
    Validation {
        /// `namespace/name` of the generator.
        generator: String,
        /// The controller's message.
        message: String,
    },
    /// `spec.pathPattern` could not be expanded (the controller's words).
    #[error("ArtifactGenerator {generator}: {message}")]
    PathPattern {
        /// `namespace/name` of the generator.
        generator: String,
        /// The controller's message.
        message: String,
    },
    /// Composing an artifact failed; `message` is the builder's chain of texts.
    #[error("artifact '{artifact}': {message}")]
    Compose {
        /// The artifact's name.
        artifact: String,
        /// The builder's message (`failed to apply copy operations: ...`).
        message: String,
    },
}

/// One artifact to build: the spec (with `pathPattern` captures filled in) and the labels the
/// ExternalArtifact gets from the captures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactRequest {
    /// The artifact.
    pub artifact: ArtifactSpec,
    /// Capture name to lowercased value (empty without `pathPattern`).
    pub labels: BTreeMap<String, String>,
}

/// The ExternalArtifact's files as a consumer (a Kustomization, a HelmRelease) gets them, in
/// `out` (created if missing): [`stage`], then without what the artifact archive leaves out —
/// fluxcd/pkg/sourceignore's default patterns (`.git/`, `.gitignore`, `*.png`, `*.tar.gz`,
/// `*.zip`, `.github/`, `**/.sops.yaml`, ...) at any depth, and anything not a regular file or
/// directory.
///
/// `sources` maps each alias to the directory holding that source's artifact, which for a
/// GitRepository is the checkout as source-controller archives it (its own `.sourceignore` and
/// `spec.ignore` rules applied).
pub fn compose(
    spec: &ArtifactSpec,
    sources: &HashMap<String, PathBuf>,
    out: &Path,
) -> Result<(), ArtifactError> {
    stage(spec, sources, out)?;
    archive::apply_default_ignore(out).map_err(|e| ArtifactError::Compose {
        artifact: spec.name.clone(),
        message: format!("failed to create artifact: {}", copy::io_text(&e)),
    })
}

/// The builder's staging directory for one artifact: the copy operations applied in order in
/// `out` (created if missing) from `sources` (alias to local directory).
pub fn stage(
    spec: &ArtifactSpec,
    sources: &HashMap<String, PathBuf>,
    out: &Path,
) -> Result<(), ArtifactError> {
    let fail = |message: String| ArtifactError::Compose {
        artifact: spec.name.clone(),
        message,
    };
    // The builder's words (`Build`): the staging directory, then the operations.
    std::fs::create_dir_all(out).map_err(|e| {
        fail(format!(
            "failed to create staging dir: {}",
            copy::io_text(&e)
        ))
    })?;
    for op in &spec.copy {
        copy::apply(op, sources, out).map_err(|e| {
            fail(format!(
                "failed to apply copy operations: failed to apply copy operation from '{}' to '{}': {e}",
                op.from, op.to
            ))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
