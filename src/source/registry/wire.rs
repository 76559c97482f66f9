//! The JSON a registry answers with, decoded as oras-go decodes it with Go's `encoding/json`
//! (absent fields are zero values, only the first value of a body counts), and the media types
//! the client asks for and checks.

use crate::source::Descriptor;
use serde::Deserialize;
use std::collections::BTreeMap;

/// oras-go's default manifest `Accept` list, in its order.
pub const MANIFEST_ACCEPT: &str = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.oci.artifact.manifest.v1+json";
pub(super) const OCI_IMAGE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(super) const OCI_IMAGE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(super) const OCI_ARTIFACT_MANIFEST: &str = "application/vnd.oci.artifact.manifest.v1+json";
pub(super) const FILTERS_APPLIED_ANNOTATION: &str = "org.opencontainers.referrers.filtersApplied";

/// A descriptor as Go's `json.Unmarshal` fills `ocispec.Descriptor`: absent fields are zero.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct RawDescriptor {
    #[serde(default)]
    media_type: String,
    #[serde(default)]
    digest: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    artifact_type: Option<String>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
}

impl From<RawDescriptor> for Descriptor {
    fn from(raw: RawDescriptor) -> Self {
        Descriptor {
            media_type: raw.media_type,
            digest: raw.digest,
            size: raw.size,
            artifact_type: raw.artifact_type.filter(|a| !a.is_empty()),
            annotations: raw.annotations.filter(|a| !a.is_empty()),
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct RawIndex {
    #[serde(default)]
    pub(super) manifests: Vec<RawDescriptor>,
    #[serde(default)]
    pub(super) annotations: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize, Default)]
pub(super) struct RawSignatureManifest {
    #[serde(default)]
    pub(super) layers: Vec<RawDescriptor>,
    #[serde(default)]
    pub(super) blobs: Vec<RawDescriptor>,
}

/// Go's `json.Decoder.Decode`: the first JSON value; what follows it is not read.
pub(super) fn decode_first_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let mut stream = serde_json::Deserializer::from_slice(body).into_iter::<T>();
    match stream.next() {
        Some(Ok(value)) => Ok(value),
        Some(Err(e)) if e.is_eof() => Err("unexpected EOF".into()),
        Some(Err(e)) => Err(e.to_string()),
        None => Err("EOF".into()),
    }
}
