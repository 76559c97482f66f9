//! Fetching content by descriptor: a signature manifest and its one envelope blob as
//! notation-go fetches them, and any manifest or blob with its `Content-Type`, length and digest
//! checked.

use super::body::read_verified;
use super::descriptor::{content_length, parse_media_type, verify_digest_header};
use super::digest::OciDigest;
use super::error::{RegistryError, RequestLine};
use super::transport::HttpRequest;
use super::wire::{RawSignatureManifest, OCI_ARTIFACT_MANIFEST, OCI_IMAGE_MANIFEST};
use super::{Inner, MAX_ENVELOPE_BYTES, MAX_MANIFEST_BYTES};
use crate::source::{Descriptor, FetchedSignature};
use reqwest::Method;

impl Inner {
    /// notation-go's `FetchSignatureBlob`: checks, manifest, exactly one layer, blob.
    pub(super) async fn fetch_signature_uncached(
        &self,
        manifest: &Descriptor,
    ) -> Result<FetchedSignature, RegistryError> {
        if manifest.media_type != OCI_ARTIFACT_MANIFEST && manifest.media_type != OCI_IMAGE_MANIFEST
        {
            return Err(RegistryError::SignatureManifestMediaType(
                manifest.media_type.clone(),
            ));
        }
        if manifest.size > MAX_MANIFEST_BYTES {
            return Err(RegistryError::SignatureManifestTooLarge(manifest.size));
        }
        let manifest_digest = OciDigest::parse(&manifest.digest)?;
        let bytes = self
            .fetch_content(
                &format!("manifests/{manifest_digest}"),
                Some(&manifest.media_type),
                manifest,
                &manifest_digest,
            )
            .await?;
        let parsed: RawSignatureManifest =
            serde_json::from_slice(&bytes).map_err(|e| RegistryError::ManifestDecode {
                digest: manifest.digest.clone(),
                detail: e.to_string(),
            })?;
        let layers = if manifest.media_type == OCI_ARTIFACT_MANIFEST {
            parsed.blobs
        } else {
            parsed.layers
        };
        if layers.len() != 1 {
            return Err(RegistryError::EnvelopeCount(layers.len()));
        }
        let Some(layer) = layers.into_iter().next().map(Descriptor::from) else {
            return Err(RegistryError::EnvelopeCount(0));
        };
        if layer.size > MAX_ENVELOPE_BYTES {
            return Err(RegistryError::EnvelopeTooLarge(layer.size));
        }
        let layer_digest = OciDigest::parse(&layer.digest)?;
        let blob = self
            .fetch_content(
                &format!("blobs/{layer_digest}"),
                None,
                &layer,
                &layer_digest,
            )
            .await?;
        Ok(FetchedSignature {
            manifest: manifest.clone(),
            envelope: layer,
            blob,
        })
    }

    /// oras-go's manifest/blob `Fetch` followed by `content.FetchAll`'s verified read.
    pub(super) async fn fetch_content(
        &self,
        path: &str,
        accept: Option<&str>,
        target: &Descriptor,
        digest: &OciDigest,
    ) -> Result<Vec<u8>, RegistryError> {
        let url = self.url(path)?;
        let mut request = HttpRequest::new(Method::GET, url);
        if let Some(accept) = accept {
            request = request.header("Accept", accept);
        }
        let line0 = RequestLine::of(&request);
        self.deadline(line0, async {
            let (response, line) = self.send(request).await?;
            match response.status {
                200 => {}
                404 => {
                    return Err(RegistryError::NotFound {
                        reference: target.digest.clone(),
                    })
                }
                _ => return Err(self.status_error(response, line).await),
            }
            if accept.is_some() {
                let media_type =
                    parse_media_type(response.header("Content-Type")).map_err(|detail| {
                        RegistryError::InvalidContentType {
                            request: line.clone(),
                            detail,
                        }
                    })?;
                if media_type != target.media_type {
                    return Err(RegistryError::ContentTypeMismatch {
                        request: line,
                        received: media_type,
                        expected: target.media_type.clone(),
                    });
                }
            }
            if let Some(length) = content_length(&response) {
                if length != target.size {
                    return Err(RegistryError::ContentLengthMismatch { request: line });
                }
            }
            if accept.is_some() {
                verify_digest_header(&response, &line, digest)?;
            }
            read_verified(response.body, target.size, digest).await
        })
        .await
    }
}
