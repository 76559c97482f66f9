//! An OCI image layout directory as a [`SignatureSource`], so verification works offline.
//!
//! The layout is one repository: `oci-layout`, `index.json` and `blobs/<alg>/<hex>`. Every blob
//! read is size-capped before it is read and its digest checked after, the same way registry
//! fetches are, so a layout cannot make the verifier look at bytes other than the ones named.
//!
//! A signature is any image (or ORAS artifact) manifest reachable from `index.json` whose
//! `subject` is the artifact and whose artifact type is the notary signature type. The artifact
//! type is the manifest's `artifactType`, or its `config.mediaType` when `artifactType` is empty,
//! which is how the OCI referrers API derives it. That covers both manifest forms the signature
//! specification allows; notation-go v1.3.2's layout reader only reads `config.mediaType` and so
//! misses signatures made in the `artifactType` form.

use super::{Descriptor, FetchedSignature, SignatureSource, NOTARY_SIGNATURE_ARTIFACT_TYPE};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// OCI image manifest media type.
pub const IMAGE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index media type.
pub const IMAGE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// ORAS artifact manifest media type (pre-OCI 1.1), still accepted by notation.
pub const ARTIFACT_MANIFEST: &str = "application/vnd.oci.artifact.manifest.v1+json";
/// Docker schema 2 manifest media type.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list media type.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

/// notation's limit on manifests and indexes (`MaxMetadataBytes`, 4 MiB).
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// notation's limit on signature envelope blobs (32 MiB).
pub const MAX_SIGNATURE_BLOB_BYTES: u64 = 32 * 1024 * 1024;

/// The annotation that names a tag in `index.json`.
const REF_NAME_ANNOTATION: &str = "org.opencontainers.image.ref.name";

/// Why the layout could not answer.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// A file of the layout could not be read.
    // The cause is part of the text and deliberately not a `source()`, so that a chain printed
    // with its causes does not repeat it.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
    /// `index.json` or a manifest is not valid JSON of the expected shape.
    #[error("{path}: invalid {what}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What was being decoded.
        what: &'static str,
        /// The decoder's message.
        message: String,
    },
    /// The directory is not an OCI image layout.
    #[error("{path} is not an OCI image layout: {reason}")]
    NotALayout {
        /// The directory.
        path: PathBuf,
        /// What is missing or wrong.
        reason: String,
    },
    /// A digest that is not `sha256:` followed by 64 lowercase hex digits.
    #[error("invalid digest {0:?}: expected sha256:<64 lowercase hex digits>")]
    InvalidDigest(String),
    /// A reference that is neither a tag nor a digest.
    #[error("invalid reference {0:?}: expected a tag or @sha256:<digest> inside the OCI layout")]
    InvalidReference(String),
    /// The tag or digest is not in the layout.
    #[error("{0}: not found")]
    NotFound(String),
    /// A blob larger than the limit for its kind.
    #[error("content size {size} of {digest} exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Digest of the blob.
        digest: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The blob's size on disk differs from its descriptor.
    #[error("read failed: expected content size of {expected}, got {actual}, for digest {digest}")]
    SizeMismatch {
        /// Digest of the blob.
        digest: String,
        /// Size in the descriptor.
        expected: u64,
        /// Size on disk.
        actual: u64,
    },
    /// The blob's bytes do not hash to its digest.
    #[error("content digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// Digest named by the descriptor.
        expected: String,
        /// Digest of the bytes read.
        actual: String,
    },
    /// notation-go's check on the signature manifest's media type.
    #[error(
        "sigManifestDesc.MediaType requires {ARTIFACT_MANIFEST:?} or {IMAGE_MANIFEST:?}, got {0:?}"
    )]
    SignatureManifestMediaType(String),
    /// notation-go's limit on the signature manifest.
    #[error("signature manifest too large: {0} bytes")]
    SignatureManifestTooLarge(u64),
    /// notation-go's rule that a signature manifest holds exactly one envelope (sic: "requries").
    #[error("signature manifest requries exactly one signature envelope blob, got {0}")]
    EnvelopeCount(usize),
    /// notation-go's limit on the envelope blob.
    #[error("signature blob too large: {0} bytes")]
    SignatureBlobTooLarge(u64),
    /// A referrer candidate larger than the metadata limit (oras `referrer node too large`).
    #[error("referrer node too large: {0} bytes")]
    ReferrerTooLarge(u64),
}

/// The parts of an image index this reader needs.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Index {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

/// The parts of an image manifest (or ORAS artifact manifest) this reader needs.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    #[serde(default)]
    artifact_type: Option<String>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
    #[serde(default)]
    blobs: Option<Vec<Descriptor>>,
    #[serde(default)]
    subject: Option<Descriptor>,
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
}

impl Manifest {
    /// The artifact type as the OCI referrers API derives it.
    fn effective_artifact_type(&self) -> Option<&str> {
        match self.artifact_type.as_deref() {
            Some(t) if !t.is_empty() => Some(t),
            _ => self.config.as_ref().map(|c| c.media_type.as_str()),
        }
    }
}

/// An OCI image layout opened for reading.
#[derive(Debug, Clone)]
pub struct OciLayout {
    root: PathBuf,
    entries: Vec<Descriptor>,
}

impl OciLayout {
    /// Opens the layout at `dir`: checks `oci-layout` and reads `index.json`.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, LayoutError> {
        let root = dir.as_ref().to_path_buf();
        let marker = root.join("oci-layout");
        let marker_bytes = read_capped(&marker, 64 * 1024)?;
        let version: serde_json::Value =
            serde_json::from_slice(&marker_bytes).map_err(|e| LayoutError::Json {
                path: marker.clone(),
                what: "oci-layout file",
                message: e.to_string(),
            })?;
        if version
            .get("imageLayoutVersion")
            .and_then(|v| v.as_str())
            .is_none()
        {
            return Err(LayoutError::NotALayout {
                path: root,
                reason: "oci-layout has no imageLayoutVersion".into(),
            });
        }
        let index_path = root.join("index.json");
        let index_bytes = read_capped(&index_path, MAX_MANIFEST_BYTES)?;
        let index: Index = parse_json(&index_path, "image index", &index_bytes)?;
        Ok(Self {
            root,
            entries: index.manifests,
        })
    }

    /// The directory of the layout.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The descriptors listed in `index.json`, in file order.
    pub fn entries(&self) -> &[Descriptor] {
        &self.entries
    }

    /// Reads the blob `desc` names, refusing more than `limit` bytes and checking its size and
    /// sha256 digest.
    pub fn read_blob(&self, desc: &Descriptor, limit: u64) -> Result<Vec<u8>, LayoutError> {
        let hex = sha256_hex_of(&desc.digest)?;
        if desc.size > limit {
            return Err(LayoutError::TooLarge {
                digest: desc.digest.clone(),
                size: desc.size,
                limit,
            });
        }
        let path = self.root.join("blobs").join("sha256").join(hex);
        let file = std::fs::File::open(&path).map_err(|source| io_error(&path, source))?;
        let on_disk = file
            .metadata()
            .map_err(|source| io_error(&path, source))?
            .len();
        if on_disk != desc.size {
            return Err(LayoutError::SizeMismatch {
                digest: desc.digest.clone(),
                expected: desc.size,
                actual: on_disk,
            });
        }
        let mut bytes = Vec::new();
        // Read one byte past the expected size so a file that grows after the check is caught.
        file.take(desc.size.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|source| io_error(&path, source))?;
        if bytes.len() as u64 != desc.size {
            return Err(LayoutError::SizeMismatch {
                digest: desc.digest.clone(),
                expected: desc.size,
                actual: bytes.len() as u64,
            });
        }
        let actual = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
        if actual != desc.digest {
            return Err(LayoutError::DigestMismatch {
                expected: desc.digest.clone(),
                actual,
            });
        }
        Ok(bytes)
    }

    /// Looks up a tag or `sha256:` digest (a leading `@` is allowed) without async.
    pub fn resolve_now(&self, reference: &str) -> Result<Descriptor, LayoutError> {
        let reference = reference.strip_prefix('@').unwrap_or(reference);
        if reference.contains(':') {
            sha256_hex_of(reference)?;
            if let Some(entry) = self.entries.iter().find(|d| d.digest == reference) {
                return Ok(plain(entry));
            }
            // A manifest that is only reachable through an index is still in the layout.
            for desc in self.walk()? {
                if desc.digest == reference {
                    return Ok(plain(&desc));
                }
            }
            return Err(LayoutError::NotFound(reference.to_string()));
        }
        if !valid_tag(reference) {
            return Err(LayoutError::InvalidReference(reference.to_string()));
        }
        self.entries
            .iter()
            .find(|d| {
                d.annotations
                    .as_ref()
                    .and_then(|a| a.get(REF_NAME_ANNOTATION))
                    .is_some_and(|name| name == reference)
            })
            .map(plain)
            .ok_or_else(|| LayoutError::NotFound(reference.to_string()))
    }

    /// Every manifest descriptor reachable from `index.json`: entries in file order, each
    /// index followed by its children, each digest once.
    fn walk(&self) -> Result<Vec<Descriptor>, LayoutError> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut stack: Vec<Descriptor> = self.entries.iter().rev().cloned().collect();
        while let Some(desc) = stack.pop() {
            if !seen.insert(desc.digest.clone()) {
                continue;
            }
            if is_index(&desc.media_type) {
                let bytes = self.read_blob(&desc, MAX_MANIFEST_BYTES)?;
                let index: Manifest = parse_json(&self.blob_path(&desc), "image index", &bytes)?;
                for child in index.manifests.unwrap_or_default().into_iter().rev() {
                    stack.push(child);
                }
            }
            out.push(desc);
        }
        Ok(out)
    }

    /// Signature manifests of `artifact`, in `index.json` order.
    pub fn signatures_of(&self, artifact: &Descriptor) -> Result<Vec<Descriptor>, LayoutError> {
        let mut found = Vec::new();
        for desc in self.walk()? {
            if desc.media_type != IMAGE_MANIFEST && desc.media_type != ARTIFACT_MANIFEST {
                continue;
            }
            if desc.size > MAX_MANIFEST_BYTES {
                return Err(LayoutError::ReferrerTooLarge(desc.size));
            }
            let bytes = self.read_blob(&desc, MAX_MANIFEST_BYTES)?;
            let manifest: Manifest = parse_json(&self.blob_path(&desc), "manifest", &bytes)?;
            let Some(subject) = manifest.subject.as_ref() else {
                continue;
            };
            let refers = subject.media_type == artifact.media_type
                && subject.digest == artifact.digest
                && subject.size == artifact.size;
            if refers && manifest.effective_artifact_type() == Some(NOTARY_SIGNATURE_ARTIFACT_TYPE)
            {
                let mut listed = plain(&desc);
                listed.artifact_type = Some(NOTARY_SIGNATURE_ARTIFACT_TYPE.to_string());
                listed.annotations = desc.annotations.clone();
                found.push(listed);
            }
        }
        Ok(found)
    }

    /// Fetches a signature manifest and its envelope with notation-go's checks, in its order.
    pub fn fetch_now(&self, manifest: &Descriptor) -> Result<FetchedSignature, LayoutError> {
        if manifest.media_type != IMAGE_MANIFEST && manifest.media_type != ARTIFACT_MANIFEST {
            return Err(LayoutError::SignatureManifestMediaType(
                manifest.media_type.clone(),
            ));
        }
        if manifest.size > MAX_MANIFEST_BYTES {
            return Err(LayoutError::SignatureManifestTooLarge(manifest.size));
        }
        let bytes = self.read_blob(manifest, MAX_MANIFEST_BYTES)?;
        let parsed: Manifest = parse_json(&self.blob_path(manifest), "manifest", &bytes)?;
        let layers = if manifest.media_type == ARTIFACT_MANIFEST {
            parsed.blobs.unwrap_or_default()
        } else {
            parsed.layers.unwrap_or_default()
        };
        let [envelope] = <[Descriptor; 1]>::try_from(layers)
            .map_err(|layers| LayoutError::EnvelopeCount(layers.len()))?;
        if envelope.size > MAX_SIGNATURE_BLOB_BYTES {
            return Err(LayoutError::SignatureBlobTooLarge(envelope.size));
        }
        let blob = self.read_blob(&envelope, MAX_SIGNATURE_BLOB_BYTES)?;
        Ok(FetchedSignature {
            manifest: manifest.clone(),
            envelope,
            blob,
        })
    }

    fn blob_path(&self, desc: &Descriptor) -> PathBuf {
        let hex = desc.digest.strip_prefix("sha256:").unwrap_or(&desc.digest);
        self.root.join("blobs").join("sha256").join(hex)
    }
}

impl super::SourceError for LayoutError {
    fn is_unavailable(&self) -> bool {
        // A file of the layout that exists but cannot be read. Missing or malformed content is
        // the layout's own fault and fails verification as a registry's 404 would.
        matches!(self, LayoutError::Io { error, .. } if error.kind() != std::io::ErrorKind::NotFound)
    }
}

impl SignatureSource for OciLayout {
    type Error = LayoutError;

    async fn resolve(&self, reference: &str) -> Result<Descriptor, LayoutError> {
        self.resolve_now(reference)
    }

    async fn list_signatures(
        &self,
        artifact: &Descriptor,
        _max: usize,
    ) -> Result<Vec<Vec<Descriptor>>, LayoutError> {
        // A layout is a single page: the whole index is local.
        let found = self.signatures_of(artifact)?;
        Ok(if found.is_empty() {
            Vec::new()
        } else {
            vec![found]
        })
    }

    async fn fetch_signature(
        &self,
        manifest: &Descriptor,
    ) -> Result<FetchedSignature, LayoutError> {
        self.fetch_now(manifest)
    }
}

/// The descriptor as resolve returns it: media type, digest and size only.
fn plain(desc: &Descriptor) -> Descriptor {
    Descriptor {
        media_type: desc.media_type.clone(),
        digest: desc.digest.clone(),
        size: desc.size,
        artifact_type: None,
        annotations: None,
    }
}

fn is_index(media_type: &str) -> bool {
    media_type == IMAGE_INDEX || media_type == DOCKER_MANIFEST_LIST
}

/// The 64 hex digits of a `sha256:` digest; anything else (other algorithms, upper case,
/// path separators) is refused so a digest can never name a file outside `blobs/sha256/`.
fn sha256_hex_of(digest: &str) -> Result<&str, LayoutError> {
    match digest.strip_prefix("sha256:") {
        Some(hex)
            if hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) =>
        {
            Ok(hex)
        }
        _ => Err(LayoutError::InvalidDigest(digest.to_string())),
    }
}

/// The OCI distribution tag grammar: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
fn valid_tag(tag: &str) -> bool {
    let mut bytes = tag.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
    first_ok
        && tag.len() <= 128
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn io_error(path: &Path, error: std::io::Error) -> LayoutError {
    LayoutError::Io {
        path: path.to_path_buf(),
        error,
    }
}

fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, LayoutError> {
    let file = std::fs::File::open(path).map_err(|source| io_error(path, source))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| io_error(path, source))?;
    if bytes.len() as u64 > limit {
        return Err(LayoutError::TooLarge {
            digest: path.display().to_string(),
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

fn parse_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &'static str,
    bytes: &[u8],
) -> Result<T, LayoutError> {
    serde_json::from_slice(bytes).map_err(|e| LayoutError::Json {
        path: path.to_path_buf(),
        what,
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upstream_layouts() -> std::path::PathBuf {
        crate::testdata::upstream("notation/test/e2e/testdata/registry/oci_layout")
    }
    const SUBJECT: &str = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";

    fn open(name: &str) -> OciLayout {
        OciLayout::open(upstream_layouts().join(name)).unwrap()
    }

    fn copy_layout(name: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let src = upstream_layouts().join(name);
        std::fs::create_dir_all(dir.path().join("blobs/sha256")).unwrap();
        for f in ["oci-layout", "index.json"] {
            std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
        }
        for entry in std::fs::read_dir(src.join("blobs/sha256")).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(
                entry.path(),
                dir.path().join("blobs/sha256").join(entry.file_name()),
            )
            .unwrap();
        }
        dir
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn resolves_tag_and_digest() {
        let layout = open("e2e-valid-signature");
        let by_tag = layout.resolve_now("v1").unwrap();
        assert_eq!(by_tag.digest, SUBJECT);
        assert_eq!(by_tag.size, 517);
        assert_eq!(by_tag.media_type, IMAGE_MANIFEST);
        assert_eq!(layout.resolve_now(&format!("@{SUBJECT}")).unwrap(), by_tag);
        assert!(matches!(
            layout.resolve_now("v2"),
            Err(LayoutError::NotFound(_))
        ));
        assert!(matches!(
            layout.resolve_now("sha256:../../etc/passwd"),
            Err(LayoutError::InvalidDigest(_))
        ));
        assert!(matches!(
            layout.resolve_now("a/b"),
            Err(LayoutError::InvalidReference(_))
        ));
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn lists_config_media_type_signatures_but_not_the_tag_index() {
        let layout = open("e2e-valid-signature");
        let subject = layout.resolve_now("v1").unwrap();
        let sigs = layout.signatures_of(&subject).unwrap();
        let digests: Vec<_> = sigs.iter().map(|d| d.digest.as_str()).collect();
        assert_eq!(
            digests,
            ["sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f"]
        );
        assert!(layout
            .signatures_of(&open("e2e").resolve_now("v1").unwrap())
            .is_ok());
        assert!(open("e2e").signatures_of(&subject).unwrap().is_empty());
    }

    #[test]
    fn lists_artifact_type_signatures_in_index_order() {
        let layout = OciLayout::open(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/corpus/layouts/multi4-fourth-trusted"
        ))
        .unwrap();
        let subject = layout.resolve_now("v1").unwrap();
        let sigs = layout.signatures_of(&subject).unwrap();
        let expected: Vec<_> = layout.entries()[1..]
            .iter()
            .map(|d| d.digest.clone())
            .collect();
        assert_eq!(
            sigs.iter().map(|d| d.digest.clone()).collect::<Vec<_>>(),
            expected
        );
        assert_eq!(expected.len(), 4);
        let fetched = layout.fetch_now(&sigs[0]).unwrap();
        assert_eq!(fetched.envelope.media_type, "application/jose+json");
        assert_eq!(fetched.blob.len() as u64, fetched.envelope.size);
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn a_signature_of_another_subject_is_not_listed() {
        let layout = open("e2e-valid-signature");
        let mut other = layout.resolve_now("v1").unwrap();
        other.size += 1;
        assert!(layout.signatures_of(&other).unwrap().is_empty());
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn tampered_blob_fails_the_digest_check() {
        let dir = copy_layout("e2e-valid-signature");
        let layout = OciLayout::open(dir.path()).unwrap();
        let subject = layout.resolve_now("v1").unwrap();
        let sig = layout.signatures_of(&subject).unwrap().remove(0);
        let envelope = "c9af07e038b2b1a463e648986ad7273157511ffeba0b689f33e5472bae471f50";
        let path = dir.path().join("blobs/sha256").join(envelope);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[10] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(
            layout.fetch_now(&sig),
            Err(LayoutError::DigestMismatch { .. })
        ));
        bytes.push(b' ');
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(
            layout.fetch_now(&sig),
            Err(LayoutError::SizeMismatch { .. })
        ));
    }

    #[test]
    #[cfg_attr(
        not(feature = "upstream-vectors"),
        ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
    )]
    fn notation_checks_on_the_signature_manifest() {
        let layout = open("e2e-valid-signature");
        let mut sig = layout
            .signatures_of(&layout.resolve_now("v1").unwrap())
            .unwrap()
            .remove(0);
        let mut wrong_type = sig.clone();
        wrong_type.media_type = IMAGE_INDEX.into();
        assert_eq!(
            layout.fetch_now(&wrong_type).unwrap_err().to_string(),
            "sigManifestDesc.MediaType requires \"application/vnd.oci.artifact.manifest.v1+json\" or \"application/vnd.oci.image.manifest.v1+json\", got \"application/vnd.oci.image.index.v1+json\""
        );
        sig.size = MAX_MANIFEST_BYTES + 1;
        assert_eq!(
            layout.fetch_now(&sig).unwrap_err().to_string(),
            "signature manifest too large: 4194305 bytes"
        );
    }

    #[test]
    fn garbage_layouts_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            OciLayout::open(dir.path()),
            Err(LayoutError::Io { .. })
        ));
        std::fs::write(
            dir.path().join("oci-layout"),
            b"{\"imageLayoutVersion\":\"1.0.0\"}",
        )
        .unwrap();
        std::fs::write(dir.path().join("index.json"), b"{\"manifests\": 7}").unwrap();
        assert!(matches!(
            OciLayout::open(dir.path()),
            Err(LayoutError::Json { .. })
        ));
        std::fs::write(dir.path().join("index.json"), vec![b'['; 100_000]).unwrap();
        assert!(OciLayout::open(dir.path()).is_err());
    }
}

#[cfg(test)]
mod hostile {
    use super::*;

    fn layout_with(index: &str, blobs: &[&[u8]]) -> (tempfile::TempDir, OciLayout) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("blobs/sha256")).unwrap();
        std::fs::write(
            dir.path().join("oci-layout"),
            br#"{"imageLayoutVersion":"1.0.0"}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("index.json"), index).unwrap();
        for blob in blobs {
            let hex = hex::encode(Sha256::digest(blob));
            std::fs::write(dir.path().join("blobs/sha256").join(hex), blob).unwrap();
        }
        let layout = OciLayout::open(dir.path()).unwrap();
        (dir, layout)
    }

    fn desc(media_type: &str, blob: &[u8]) -> String {
        format!(
            r#"{{"mediaType":"{media_type}","digest":"sha256:{}","size":{}}}"#,
            hex::encode(Sha256::digest(blob)),
            blob.len()
        )
    }

    #[test]
    fn malformed_manifests_and_lies_are_errors_not_panics() {
        let subject = br#"{"schemaVersion":2}"#;
        let wrong_types = br#"{"subject": 7, "layers": "x"}"#;
        let index = format!(
            r#"{{"manifests":[{},{}]}}"#,
            desc(IMAGE_MANIFEST, subject),
            desc(IMAGE_MANIFEST, wrong_types)
        );
        let (_dir, layout) = layout_with(&index, &[subject, wrong_types]);
        let artifact = layout
            .resolve_now(&format!("sha256:{}", hex::encode(Sha256::digest(subject))))
            .unwrap();
        assert!(matches!(
            layout.signatures_of(&artifact),
            Err(LayoutError::Json { .. })
        ));

        // A descriptor that claims a huge size is refused before reading.
        let huge = format!(
            r#"{{"manifests":[{{"mediaType":"{IMAGE_MANIFEST}","digest":"sha256:{}","size":18446744073709551615}}]}}"#,
            "a".repeat(64)
        );
        let (_dir, layout) = layout_with(&huge, &[]);
        let d = layout.entries()[0].clone();
        assert!(matches!(
            layout.fetch_now(&d),
            Err(LayoutError::SignatureManifestTooLarge(_))
        ));
        assert!(matches!(
            layout.read_blob(&d, MAX_MANIFEST_BYTES),
            Err(LayoutError::TooLarge { .. })
        ));

        // A signature manifest with two layers.
        let two = format!(
            r#"{{"mediaType":"{IMAGE_MANIFEST}","layers":[{},{}]}}"#,
            desc("application/jose+json", b"a"),
            desc("application/jose+json", b"b")
        );
        let index = format!(
            r#"{{"manifests":[{}]}}"#,
            desc(IMAGE_MANIFEST, two.as_bytes())
        );
        let (_dir, layout) = layout_with(&index, &[two.as_bytes()]);
        let d = layout.entries()[0].clone();
        assert_eq!(
            layout.fetch_now(&d).unwrap_err().to_string(),
            "signature manifest requries exactly one signature envelope blob, got 2"
        );
    }

    #[test]
    fn an_index_cycle_terminates() {
        // An image index that lists itself (by digest) cannot be written, but two indexes that
        // list each other's digest only exist as a lie; a repeated digest is walked once.
        let sub = br#"{"schemaVersion":2}"#;
        let inner = format!(
            r#"{{"manifests":[{},{}]}}"#,
            desc(IMAGE_MANIFEST, sub),
            desc(IMAGE_MANIFEST, sub)
        );
        let index = format!(
            r#"{{"manifests":[{},{}]}}"#,
            desc(IMAGE_INDEX, inner.as_bytes()),
            desc(IMAGE_INDEX, inner.as_bytes())
        );
        let (_dir, layout) = layout_with(&index, &[sub, inner.as_bytes()]);
        assert_eq!(layout.walk().unwrap().len(), 2);
    }
}
