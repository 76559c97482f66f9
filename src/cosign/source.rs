//! Where cosign signatures are read from: the three calls cosign makes through
//! go-containerregistry (referrers of a digest, a manifest by tag or digest, a blob).

use crate::source::layout::{LayoutError, OciLayout};
use crate::source::registry::{RegistryClient, RegistryError, MAX_MANIFEST_BYTES};
use crate::source::Descriptor;

/// Largest blob read as a bundle or a simple-signing payload.
pub const MAX_SIGNATURE_BLOB_BYTES: u64 = 4 * 1024 * 1024;

/// A store of cosign signatures.
#[allow(async_fn_in_trait)] // implemented and awaited inside this crate only
pub trait CosignSource {
    /// Error type of this source.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Every referrer of `digest` (the referrers API, or its tag schema fallback).
    async fn referrers(&self, digest: &str) -> Result<Vec<Descriptor>, Self::Error>;

    /// The manifest at `reference` (a tag or a digest) with its descriptor; `None` when the
    /// source has none (404).
    async fn manifest(&self, reference: &str)
        -> Result<Option<(Descriptor, Vec<u8>)>, Self::Error>;

    /// The blob `descriptor` names, digest-checked.
    async fn blob(&self, descriptor: &Descriptor) -> Result<Vec<u8>, Self::Error>;
}

impl CosignSource for RegistryClient {
    type Error = RegistryError;

    async fn referrers(&self, digest: &str) -> Result<Vec<Descriptor>, RegistryError> {
        // cosign lists every referrer and keeps those that load as bundles.
        RegistryClient::referrers(self, digest, None).await
    }

    async fn manifest(
        &self,
        reference: &str,
    ) -> Result<Option<(Descriptor, Vec<u8>)>, RegistryError> {
        match self.fetch_manifest(reference).await {
            Ok(found) => Ok(Some(found)),
            Err(RegistryError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn blob(&self, descriptor: &Descriptor) -> Result<Vec<u8>, RegistryError> {
        self.fetch_blob(descriptor, MAX_SIGNATURE_BLOB_BYTES).await
    }
}

/// An OCI image layout as cosign's registry would serve it: tags from `index.json`, referrers
/// found by the `subject` of its manifests (what a referrers API lists).
impl CosignSource for OciLayout {
    type Error = LayoutError;

    async fn referrers(&self, digest: &str) -> Result<Vec<Descriptor>, LayoutError> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Referrer {
            #[serde(default)]
            artifact_type: Option<String>,
            #[serde(default)]
            config: Option<Descriptor>,
            #[serde(default)]
            subject: Option<Descriptor>,
            #[serde(default)]
            annotations: Option<std::collections::BTreeMap<String, String>>,
        }
        let mut found = Vec::new();
        for entry in self.entries() {
            if entry.media_type != "application/vnd.oci.image.manifest.v1+json" {
                continue;
            }
            let bytes = self.read_blob(entry, MAX_MANIFEST_BYTES)?;
            let Ok(manifest) = serde_json::from_slice::<Referrer>(&bytes) else {
                continue;
            };
            if manifest.subject.as_ref().map(|s| s.digest.as_str()) != Some(digest) {
                continue;
            }
            found.push(Descriptor {
                media_type: entry.media_type.clone(),
                digest: entry.digest.clone(),
                size: entry.size,
                artifact_type: manifest
                    .artifact_type
                    .or_else(|| manifest.config.map(|c| c.media_type)),
                annotations: manifest.annotations,
            });
        }
        // The referrers tag schema: an index tagged `sha256-<hex>` lists them (what a registry
        // without the referrers API holds, copied into a layout).
        #[derive(serde::Deserialize)]
        struct TagSchemaIndex {
            #[serde(default)]
            manifests: Vec<Descriptor>,
        }
        let tag = digest.replacen(':', "-", 1);
        if let Ok(index) = self.resolve_now(&tag) {
            let bytes = self.read_blob(&index, MAX_MANIFEST_BYTES)?;
            if let Ok(listed) = serde_json::from_slice::<TagSchemaIndex>(&bytes) {
                for descriptor in listed.manifests {
                    if !found.iter().any(|f| f.digest == descriptor.digest) {
                        found.push(descriptor);
                    }
                }
            }
        }
        Ok(found)
    }

    async fn manifest(
        &self,
        reference: &str,
    ) -> Result<Option<(Descriptor, Vec<u8>)>, LayoutError> {
        let descriptor = match self.resolve_now(reference) {
            Ok(d) => d,
            Err(LayoutError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let bytes = self.read_blob(&descriptor, MAX_MANIFEST_BYTES)?;
        Ok(Some((descriptor, bytes)))
    }

    async fn blob(&self, descriptor: &Descriptor) -> Result<Vec<u8>, LayoutError> {
        self.read_blob(descriptor, MAX_SIGNATURE_BLOB_BYTES)
    }
}
