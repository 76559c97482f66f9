//! What a manifest response's headers say about its content (`Content-Type`, `Content-Length`,
//! `Docker-Content-Digest`), checked as oras-go checks them.

use super::digest::OciDigest;
use super::error::{RegistryError, RequestLine};
use super::transport::HttpResponse;
use crate::source::Descriptor;

/// `mime.ParseMediaType`'s media type: lower-cased, parameters dropped.
pub(super) fn parse_media_type(value: Option<&str>) -> Result<String, String> {
    let value = value.unwrap_or("");
    let media_type = value.split(';').next().unwrap_or("").trim();
    if media_type.is_empty() {
        return Err("mime: no media type".into());
    }
    let valid = media_type.split_once('/').is_some_and(|(t, s)| {
        let token = |x: &str| {
            !x.is_empty()
                && x.bytes()
                    .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
        };
        token(t) && token(s)
    });
    if !valid {
        return Err("mime: expected slash after first token".into());
    }
    Ok(media_type.to_ascii_lowercase())
}

pub(super) fn content_length(response: &HttpResponse) -> Option<u64> {
    response
        .header("Content-Length")
        .and_then(|v| v.trim().parse::<u64>().ok())
}

/// What a manifest response says about its content.
pub(super) struct ResponseDescriptor {
    pub(super) size: u64,
    pub(super) digest: Option<OciDigest>,
}

pub(super) fn descriptor_from_get(
    response: &HttpResponse,
    line: &RequestLine,
) -> Result<ResponseDescriptor, RegistryError> {
    parse_media_type(response.header("Content-Type")).map_err(|detail| {
        RegistryError::InvalidContentType {
            request: line.clone(),
            detail,
        }
    })?;
    let size = content_length(response).ok_or_else(|| RegistryError::UnknownContentLength {
        request: line.clone(),
    })?;
    let digest = match response.header("Docker-Content-Digest") {
        Some(value) => {
            Some(
                OciDigest::parse(value).map_err(|_| RegistryError::InvalidDigestHeader {
                    request: line.clone(),
                    value: value.to_owned(),
                })?,
            )
        }
        None => None,
    };
    Ok(ResponseDescriptor { size, digest })
}

/// oras-go `generateDescriptor` for a HEAD.
pub(super) fn descriptor_from_head(
    response: &HttpResponse,
    line: &RequestLine,
    ref_digest: Option<&OciDigest>,
) -> Result<Descriptor, RegistryError> {
    let media_type = parse_media_type(response.header("Content-Type")).map_err(|detail| {
        RegistryError::InvalidContentType {
            request: line.clone(),
            detail,
        }
    })?;
    let described = descriptor_from_get(response, line)?;
    let digest = match (described.digest, ref_digest) {
        (Some(server), Some(wanted)) if &server != wanted => {
            return Err(RegistryError::DigestHeaderMismatch {
                request: line.clone(),
                received: server.to_string(),
                expected: wanted.to_string(),
            })
        }
        (Some(server), _) => server,
        (None, Some(wanted)) => wanted.clone(),
        (None, None) => {
            return Err(RegistryError::MissingDigestHeader {
                method: line.method.clone(),
            })
        }
    };
    Ok(Descriptor {
        media_type,
        digest: digest.to_string(),
        size: described.size,
        artifact_type: None,
        annotations: None,
    })
}

pub(super) fn verify_digest_header(
    response: &HttpResponse,
    line: &RequestLine,
    expected: &OciDigest,
) -> Result<(), RegistryError> {
    let Some(value) = response.header("Docker-Content-Digest") else {
        return Ok(());
    };
    let received = OciDigest::parse(value).map_err(|_| RegistryError::InvalidDigestHeader {
        request: line.clone(),
        value: value.to_owned(),
    })?;
    if &received != expected {
        return Err(RegistryError::DigestHeaderMismatch {
            request: line.clone(),
            received: received.to_string(),
            expected: expected.to_string(),
        });
    }
    Ok(())
}
