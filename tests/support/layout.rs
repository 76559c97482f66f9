//! Writing OCI image layouts holding a subject and its notation signature manifests.

use super::envelope::Descriptor;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::Path;

/// OCI image manifest media type.
pub const IMAGE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI empty config media type (and `{}` blob).
pub const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";
/// notation's artifact type.
pub const NOTARY_SIGNATURE: &str = "application/vnd.cncf.notary.signature";

/// `sha256:<hex>` of `data`.
pub fn digest(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// The artifact being signed: an image manifest with an empty config and one layer.
#[derive(Debug, Clone)]
pub struct Subject {
    /// Manifest bytes.
    pub manifest: Vec<u8>,
    /// The layer's content.
    pub layer: Vec<u8>,
    /// The manifest's descriptor (what a signature must name).
    pub descriptor: Descriptor,
}

impl Subject {
    /// A subject whose single layer holds `content`.
    pub fn new(content: &[u8]) -> Subject {
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": IMAGE_MANIFEST,
            "config": {"mediaType": EMPTY_CONFIG, "digest": digest(b"{}"), "size": 2},
            "layers": [{
                "mediaType": "application/vnd.oci.image.layer.v1.tar",
                "digest": digest(content),
                "size": content.len(),
            }],
        }))
        .unwrap();
        let descriptor = Descriptor {
            media_type: IMAGE_MANIFEST.to_string(),
            digest: digest(&manifest),
            size: manifest.len() as u64,
        };
        Subject {
            manifest,
            layer: content.to_vec(),
            descriptor,
        }
    }
}

/// The two manifest forms the Notary Project specification allows for a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestForm {
    /// `artifactType: application/vnd.cncf.notary.signature` with the empty config.
    ArtifactType,
    /// No `artifactType`; `config.mediaType: application/vnd.cncf.notary.signature`.
    ConfigMediaType,
}

/// One signature to store.
#[derive(Debug, Clone)]
pub struct SignatureEntry {
    /// Envelope bytes.
    pub envelope: Vec<u8>,
    /// Envelope media type (`application/jose+json` / `application/cose`).
    pub media_type: String,
    /// Manifest form.
    pub form: ManifestForm,
    /// Value of `io.cncf.notary.x509chain.thumbprint#S256` (see `envelope::thumbprints`).
    pub thumbprints: String,
}

fn write_blob(dir: &Path, data: &[u8]) -> std::io::Result<String> {
    let d = digest(data);
    let hex = d.trim_start_matches("sha256:");
    std::fs::write(dir.join("blobs/sha256").join(hex), data)?;
    Ok(d)
}

/// The signature manifest for `entry` over `subject`.
pub fn signature_manifest(subject: &Descriptor, entry: &SignatureEntry) -> Vec<u8> {
    let mut manifest = json!({
        "schemaVersion": 2,
        "mediaType": IMAGE_MANIFEST,
        "config": {"mediaType": EMPTY_CONFIG, "digest": digest(b"{}"), "size": 2},
        "layers": [{
            "mediaType": entry.media_type,
            "digest": digest(&entry.envelope),
            "size": entry.envelope.len(),
        }],
        "subject": {"mediaType": subject.media_type, "digest": subject.digest, "size": subject.size},
        "annotations": {
            "io.cncf.notary.x509chain.thumbprint#S256": entry.thumbprints,
            "org.opencontainers.image.created": "2026-01-01T00:00:00Z",
        },
    });
    match entry.form {
        ManifestForm::ArtifactType => {
            manifest["artifactType"] = json!(NOTARY_SIGNATURE);
        }
        ManifestForm::ConfigMediaType => {
            manifest["config"]["mediaType"] = json!(NOTARY_SIGNATURE);
        }
    }
    serde_json::to_vec(&manifest).unwrap()
}

/// Writes an OCI image layout at `dir`: the subject tagged `tag`, then one signature manifest
/// per entry, in `index.json` in that order. Returns the signature manifests' descriptors.
pub fn write_layout(
    dir: &Path,
    subject: &Subject,
    tag: &str,
    signatures: &[SignatureEntry],
) -> std::io::Result<Vec<Descriptor>> {
    std::fs::create_dir_all(dir.join("blobs/sha256"))?;
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)?;
    write_blob(dir, b"{}")?;
    write_blob(dir, &subject.layer)?;
    write_blob(dir, &subject.manifest)?;
    let mut manifests: Vec<Value> = vec![json!({
        "mediaType": IMAGE_MANIFEST,
        "digest": subject.descriptor.digest,
        "size": subject.descriptor.size,
        "annotations": {"org.opencontainers.image.ref.name": tag},
    })];
    let mut descriptors = Vec::new();
    for entry in signatures {
        write_blob(dir, &entry.envelope)?;
        let manifest = signature_manifest(&subject.descriptor, entry);
        let d = write_blob(dir, &manifest)?;
        let mut index_entry = json!({
            "mediaType": IMAGE_MANIFEST,
            "digest": d,
            "size": manifest.len(),
        });
        if entry.form == ManifestForm::ArtifactType {
            index_entry["artifactType"] = json!(NOTARY_SIGNATURE);
        }
        manifests.push(index_entry);
        descriptors.push(Descriptor {
            media_type: IMAGE_MANIFEST.to_string(),
            digest: d,
            size: manifest.len() as u64,
        });
    }
    let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests});
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec_pretty(&index).unwrap(),
    )?;
    Ok(descriptors)
}
