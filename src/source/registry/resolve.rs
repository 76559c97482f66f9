//! References to descriptors: a tag or digest resolved with a manifest `HEAD`, and the
//! repository's tags listed (`GET /v2/<repo>/tags/list`, pages followed through `Link`).

use super::body::{read_capped, Excess};
use super::descriptor::descriptor_from_head;
use super::digest::OciDigest;
use super::error::{RegistryError, RequestLine};
use super::referrers::parse_link;
use super::transport::HttpRequest;
use super::wire::decode_first_json;
use super::{Inner, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES};
use crate::source::Descriptor;
use reqwest::{Method, Url};
use serde::Deserialize;

impl Inner {
    fn reference_string(&self, reference: &str) -> String {
        if reference.contains(':') {
            format!("{}/{}@{}", self.registry, self.repository, reference)
        } else {
            format!("{}/{}:{}", self.registry, self.repository, reference)
        }
    }

    pub(super) async fn resolve(&self, reference: &str) -> Result<Descriptor, RegistryError> {
        let ref_digest = OciDigest::parse(reference).ok();
        if ref_digest.is_none() && !valid_tag(reference) {
            return Err(RegistryError::InvalidReference(format!(
                "invalid reference: invalid tag {reference:?}"
            )));
        }
        let url = self.url(&format!("manifests/{reference}"))?;
        let request = HttpRequest::new(Method::HEAD, url).header("Accept", MANIFEST_ACCEPT);
        let line = RequestLine::of(&request);
        self.deadline(line, async {
            let (response, line) = self.send(request).await?;
            match response.status {
                200 => descriptor_from_head(&response, &line, ref_digest.as_ref()),
                404 => Err(RegistryError::NotFound {
                    reference: self.reference_string(reference),
                }),
                _ => Err(self.status_error(response, line).await),
            }
        })
        .await
    }

    pub(super) async fn list_tags(&self) -> Result<Vec<String>, RegistryError> {
        #[derive(Deserialize)]
        struct TagList {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let mut tags = Vec::new();
        let mut next = Some(self.url("tags/list")?);
        let mut pages = 0usize;
        while let Some(url) = next.take() {
            pages += 1;
            let request = HttpRequest::new(Method::GET, url);
            let line0 = RequestLine::of(&request);
            if pages > self.options.max_pages {
                return Err(self.too_many_pages(&request.url));
            }
            let (page, link) = self
                .deadline(line0, async {
                    let (response, line) = self.send(request).await?;
                    if response.status != 200 {
                        return Err(self.status_error(response, line).await);
                    }
                    let link = response.header("Link").map(str::to_owned);
                    let body =
                        read_capped(response.body, MAX_MANIFEST_BYTES, Excess::Ignore, &line)
                            .await?;
                    let page: TagList =
                        decode_first_json(&body).map_err(|detail| RegistryError::Decode {
                            request: line.clone(),
                            detail,
                        })?;
                    let base = Url::parse(&line.url).map_err(|e| RegistryError::InvalidLink {
                        link: line.url.clone(),
                        detail: e.to_string(),
                    })?;
                    let link = match link {
                        Some(l) => Some(parse_link(&l, &base)?),
                        None => None,
                    };
                    Ok((page, link))
                })
                .await?;
            tags.extend(page.tags.unwrap_or_default());
            next = link;
        }
        Ok(tags)
    }
}

/// A tag as the distribution spec allows it.
pub(super) fn valid_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    (1..=128).contains(&bytes.len())
        && bytes
            .first()
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}
