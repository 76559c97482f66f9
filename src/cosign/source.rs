//! Where cosign signatures are read from: the three calls cosign makes through
//! go-containerregistry (referrers of a digest, a manifest by tag or digest, a blob).

use crate::source::registry::{RegistryClient, RegistryError};
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
