//! Discovery: artifact references, the artifact descriptor, and the signatures that refer to it,
//! read from a registry or from an OCI image layout.

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
