//! Listing referrers: the referrers API with its pages (`Link`) and client-side `artifactType`
//! filtering unless the server says it filtered, else the referrers tag schema
//! `<alg>-<hex>`, as oras-go falls back to it.

use super::body::{read_capped, read_exact_size, read_verified, Excess};
use super::descriptor::descriptor_from_get;
use super::digest::OciDigest;
use super::error::{RegistryError, RequestLine};
use super::transport::HttpRequest;
use super::wire::{decode_first_json, RawIndex, FILTERS_APPLIED_ANNOTATION, OCI_IMAGE_INDEX};
use super::{Inner, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES};
use crate::source::{Descriptor, NOTARY_SIGNATURE_ARTIFACT_TYPE};
use reqwest::{Method, Url};

/// One page of a signature listing.
#[derive(Debug, Clone)]
pub(super) struct Page {
    pub(super) descriptors: Vec<Descriptor>,
    pub(super) next: Option<Url>,
}

impl Inner {
    pub(super) async fn list_signatures(
        &self,
        artifact: &Descriptor,
        max: usize,
    ) -> Result<Vec<Vec<Descriptor>>, RegistryError> {
        let digest = OciDigest::parse(&artifact.digest)?;
        let cell = self.first_page_cell(&digest);
        let first = cell
            .get_or_init(|| self.first_page(&digest))
            .await
            .clone()?;
        let mut listed = first.descriptors.len();
        let mut pages = Vec::new();
        if !first.descriptors.is_empty() {
            pages.push(first.descriptors);
        }
        let mut next = first.next;
        let mut followed = 1usize;
        while let Some(url) = next {
            if listed >= max {
                break;
            }
            if followed >= self.options.max_pages {
                return Err(self.too_many_pages(&url));
            }
            followed += 1;
            let notary = Some(NOTARY_SIGNATURE_ARTIFACT_TYPE);
            let page = match self.referrers_page(url, notary).await? {
                Some(page) => page,
                // oras-go marks the API supported only after the last page; an "unsupported"
                // answer on a later page therefore falls back to the tag schema, whose
                // signatures follow those already listed.
                None => self.referrers_by_tag(&digest, notary).await?,
            };
            listed += page.descriptors.len();
            if !page.descriptors.is_empty() {
                pages.push(page.descriptors);
            }
            next = page.next;
        }
        Ok(pages)
    }

    /// The first page of the listing: the referrers API, or the tag schema when notation would
    /// fall back to it.
    pub(super) async fn first_page(&self, digest: &OciDigest) -> Result<Page, RegistryError> {
        let supported = *self
            .referrers_supported
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if supported != Some(false) {
            let mut url = self.url(&format!("referrers/{digest}"))?;
            url.query_pairs_mut()
                .append_pair("artifactType", NOTARY_SIGNATURE_ARTIFACT_TYPE);
            match self
                .referrers_page(url, Some(NOTARY_SIGNATURE_ARTIFACT_TYPE))
                .await?
            {
                Some(page) => return Ok(page),
                None => self.set_referrers_supported(false),
            }
        }
        self.referrers_by_tag(digest, Some(NOTARY_SIGNATURE_ARTIFACT_TYPE))
            .await
    }

    /// [`RegistryClient::referrers`](super::RegistryClient::referrers).
    pub(super) async fn referrers(
        &self,
        digest: &str,
        artifact_type: Option<&str>,
    ) -> Result<Vec<Descriptor>, RegistryError> {
        let digest = OciDigest::parse(digest)?;
        let supported = *self
            .referrers_supported
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if supported == Some(false) {
            return Ok(self
                .referrers_by_tag(&digest, artifact_type)
                .await?
                .descriptors);
        }
        let mut url = self.url(&format!("referrers/{digest}"))?;
        if let Some(artifact_type) = artifact_type {
            url.query_pairs_mut()
                .append_pair("artifactType", artifact_type);
        }
        let mut listed = Vec::new();
        let mut next = Some(url);
        let mut followed = 0usize;
        while let Some(url) = next.take() {
            if followed >= self.options.max_pages {
                return Err(self.too_many_pages(&url));
            }
            followed += 1;
            match self.referrers_page(url, artifact_type).await? {
                Some(page) => {
                    listed.extend(page.descriptors);
                    next = page.next;
                }
                None if followed == 1 => {
                    self.set_referrers_supported(false);
                    return Ok(self
                        .referrers_by_tag(&digest, artifact_type)
                        .await?
                        .descriptors);
                }
                None => break,
            }
        }
        self.set_referrers_supported(true);
        Ok(listed)
    }

    /// The error of a listing still going when `next` would be past the page limit.
    pub(super) fn too_many_pages(&self, next: &Url) -> RegistryError {
        RegistryError::TooManyPages {
            request: RequestLine {
                method: "GET".into(),
                url: next.to_string(),
            },
            limit: self.options.max_pages,
        }
    }

    fn set_referrers_supported(&self, value: bool) {
        let mut state = self
            .referrers_supported
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if state.is_none() {
            *state = Some(value);
        }
    }

    /// One referrers API page, filtered to `artifact_type` (`None`: every referrer); `None` when
    /// the API is unsupported.
    async fn referrers_page(
        &self,
        url: Url,
        artifact_type: Option<&str>,
    ) -> Result<Option<Page>, RegistryError> {
        let request = HttpRequest::new(Method::GET, url);
        let line0 = RequestLine::of(&request);
        self.deadline(line0, async {
            let (response, line) = self.send(request).await?;
            match response.status {
                200 => {}
                404 => {
                    let error = self.status_error(response, line).await;
                    let name_unknown = matches!(&error, RegistryError::Status { detail, .. }
                        if detail.starts_with("name unknown"));
                    return if name_unknown { Err(error) } else { Ok(None) };
                }
                _ => return Err(self.status_error(response, line).await),
            }
            // oras compares the raw header, parameters included.
            if response.header("Content-Type") != Some(OCI_IMAGE_INDEX) {
                return Ok(None);
            }
            let filters_header = response.header("OCI-Filters-Applied").map(str::to_owned);
            let link = response.header("Link").map(str::to_owned);
            let body =
                read_capped(response.body, MAX_MANIFEST_BYTES, Excess::Ignore, &line).await?;
            let index: RawIndex =
                decode_first_json(&body).map_err(|detail| RegistryError::Decode {
                    request: line.clone(),
                    detail,
                })?;
            let filters_annotation = index
                .annotations
                .as_ref()
                .and_then(|a| a.get(FILTERS_APPLIED_ANNOTATION))
                .cloned();
            let filtered_by_server = filter_applied(filters_header.as_deref())
                || filter_applied(filters_annotation.as_deref());
            let descriptors: Vec<Descriptor> = index
                .manifests
                .into_iter()
                .map(Descriptor::from)
                .filter(|d| {
                    filtered_by_server
                        || artifact_type.is_none()
                        || d.artifact_type.as_deref() == artifact_type
                })
                .collect();
            let next = match link {
                Some(link) => Some(parse_link(
                    &link,
                    &Url::parse(&line.url).map_err(|e| RegistryError::InvalidLink {
                        link: link.clone(),
                        detail: e.to_string(),
                    })?,
                )?),
                None => None,
            };
            Ok(Some(Page { descriptors, next }))
        })
        .await
    }

    /// The referrers tag schema: the image index tagged `<alg>-<hex>`, filtered to
    /// `artifact_type` (`None`: every entry).
    async fn referrers_by_tag(
        &self,
        digest: &OciDigest,
        artifact_type: Option<&str>,
    ) -> Result<Page, RegistryError> {
        let tag = digest.referrers_tag();
        let url = self.url(&format!("manifests/{tag}"))?;
        let request = HttpRequest::new(Method::GET, url).header("Accept", MANIFEST_ACCEPT);
        let line0 = RequestLine::of(&request);
        let body = self
            .deadline(line0, async {
                let (response, line) = self.send(request).await?;
                match response.status {
                    200 => {}
                    404 => return Ok(None),
                    _ => return Err(self.status_error(response, line).await),
                }
                let descriptor = if response.header("Content-Length").is_none() {
                    // oras resolves with a HEAD when a GET has no length.
                    None
                } else {
                    Some(descriptor_from_get(&response, &line)?)
                };
                if let Some(d) = &descriptor {
                    if d.size > MAX_MANIFEST_BYTES {
                        return Err(RegistryError::ReferrersIndexTooLarge {
                            tag: tag.clone(),
                            size: d.size,
                            limit: MAX_MANIFEST_BYTES,
                        });
                    }
                }
                match descriptor {
                    Some(d) => match d.digest {
                        Some(expected) => read_verified(response.body, d.size, &expected)
                            .await
                            .map(Some),
                        None => {
                            // No Docker-Content-Digest on a GET: oras hashes the body to get one.
                            read_exact_size(response.body, d.size, &line)
                                .await
                                .map(Some)
                        }
                    },
                    None => {
                        let resolved = self.resolve(&tag).await?;
                        if resolved.size > MAX_MANIFEST_BYTES {
                            return Err(RegistryError::ReferrersIndexTooLarge {
                                tag: tag.clone(),
                                size: resolved.size,
                                limit: MAX_MANIFEST_BYTES,
                            });
                        }
                        let expected = OciDigest::parse(&resolved.digest)?;
                        read_verified(response.body, resolved.size, &expected)
                            .await
                            .map(Some)
                    }
                }
            })
            .await?;
        let Some(body) = body else {
            return Ok(Page {
                descriptors: Vec::new(),
                next: None,
            });
        };
        let index: RawIndex =
            serde_json::from_slice(&body).map_err(|e| RegistryError::ReferrersIndexDecode {
                tag: tag.clone(),
                detail: e.to_string(),
            })?;
        let descriptors = index
            .manifests
            .into_iter()
            .map(Descriptor::from)
            .filter(|d| artifact_type.is_none() || d.artifact_type.as_deref() == artifact_type)
            .collect();
        Ok(Page {
            descriptors,
            next: None,
        })
    }
}

/// oras-go `isReferrersFilterApplied` for `artifactType`.
pub(super) fn filter_applied(applied: Option<&str>) -> bool {
    applied.is_some_and(|a| a.split(',').any(|f| f == "artifactType"))
}

/// oras-go `parseLink`: the text between the first `<` and `>`, resolved against the request.
pub(super) fn parse_link(link: &str, base: &Url) -> Result<Url, RegistryError> {
    if !link.starts_with('<') {
        return Err(RegistryError::InvalidLink {
            link: link.to_owned(),
            detail: "missing '<'".into(),
        });
    }
    let Some(end) = link.find('>') else {
        return Err(RegistryError::InvalidLink {
            link: link.to_owned(),
            detail: "missing '>'".into(),
        });
    };
    let target = link.get(1..end).unwrap_or("");
    let url = base.join(target).map_err(|e| RegistryError::InvalidLink {
        link: link.to_owned(),
        detail: e.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(RegistryError::InvalidLink {
            link: link.to_owned(),
            detail: "not an http(s) URL".into(),
        });
    }
    Ok(url)
}
