//! Discovery: artifact references, the artifact descriptor, and the signatures that refer to it,
//! read from a registry or from an OCI image layout.

pub mod reference;
pub mod registry;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An OCI content descriptor, as far as notation looks at one.
///
/// Field names follow the OCI image specification so the type serialises to the JSON
/// used in payloads, manifests and fluxverify's own reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// Media type of the referenced content.
    pub media_type: String,
    /// `algorithm:hex` digest of the referenced content.
    pub digest: String,
    /// Size of the referenced content in bytes.
    pub size: u64,
    /// Artifact type, when the descriptor carries one (referrers responses do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// Annotations, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// Media type of notation signature manifests' artifact type.
pub const NOTARY_SIGNATURE_ARTIFACT_TYPE: &str = "application/vnd.cncf.notary.signature";

/// A signature envelope as fetched: the blob and the descriptor of the manifest layer it came from
/// (whose `media_type` names the envelope format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedSignature {
    /// Descriptor of the signature manifest.
    pub manifest: Descriptor,
    /// Descriptor of the envelope layer inside that manifest.
    pub envelope: Descriptor,
    /// The envelope bytes, size- and digest-checked against `envelope`.
    pub blob: Vec<u8>,
}

/// A source's error, and whether it says anything about the signatures.
pub trait SourceError: std::error::Error + Send + Sync + 'static {
    /// True when the source could not be read at all: the registry was not reachable (DNS,
    /// connect, TLS, timeout), refused access (401, 403, failed token exchange), was overloaded
    /// or broken (429, 5xx), or a layout file could not be read. Such a failure decides nothing
    /// about the signatures; the CLI reports it as "could not decide" (exit 2).
    fn is_unavailable(&self) -> bool;
}

/// A source that cannot fail (in-memory sources).
impl SourceError for std::convert::Infallible {
    fn is_unavailable(&self) -> bool {
        match *self {}
    }
}

/// Where an artifact and its signatures come from: a registry or an OCI image layout.
///
/// The methods mirror the three calls notation-go makes (resolve, list referrers, fetch the
/// envelope), so that a source can be swapped without changing what the verifier decides.
#[allow(async_fn_in_trait)] // implemented and awaited inside this crate only
pub trait SignatureSource {
    /// Error type of this source.
    type Error: SourceError;

    /// Resolves a tag or `sha256:` digest to the artifact's descriptor.
    async fn resolve(&self, reference: &str) -> Result<Descriptor, Self::Error>;

    /// Lists the signature manifests that refer to `artifact`, page by page, in the source's
    /// order. Stops asking for further pages once at least `max` descriptors have been listed,
    /// because notation stops evaluating there.
    async fn list_signatures(
        &self,
        artifact: &Descriptor,
        max: usize,
    ) -> Result<Vec<Vec<Descriptor>>, Self::Error>;

    /// Fetches the signature manifest `manifest` and its single envelope blob, with notation's
    /// size limits and checks.
    async fn fetch_signature(&self, manifest: &Descriptor)
        -> Result<FetchedSignature, Self::Error>;
}

pub mod layout;
