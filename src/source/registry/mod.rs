//! Signatures from an OCI registry, fetched the way Flux's notation path (notation-go v1.3.2 on
//! oras-go v2.6.1) fetches them:
//!
//! 1. **resolve**: `HEAD /v2/<repo>/manifests/<ref>` with oras' `Accept` list; the descriptor is
//!    `Content-Type` (parameters stripped), `Content-Length` and `Docker-Content-Digest`.
//! 2. **list**: the referrers API (`GET /v2/<repo>/referrers/<digest>?artifactType=...`), pages
//!    followed through `Link`, client-side `artifactType` filtering unless the server says it
//!    filtered; when the API is unsupported (any 404 other than `NAME_UNKNOWN`, or a 200 that is
//!    not an image index), the referrers tag schema `sha256-<hex>`.
//! 3. **fetch**: the signature manifest (≤ 4 MiB, `Accept` and `Content-Type` = its media type,
//!    exactly one layer) and the envelope blob (≤ 32 MiB); every byte digest-verified, sizes
//!    checked before anything is buffered.
//!
//! Round trips are what a verification costs, so independent requests overlap: for a digest
//! reference the first referrers page is requested together with the HEAD, and once the list is
//! known the signatures that will be tried are fetched concurrently (manifests, then each one's
//! blob). The verifier still consumes them strictly in registry order through
//! [`SignatureSource::fetch_signature`]; a prefetched failure surfaces only if the verifier gets
//! to that signature, so a verdict never depends on the overlap.
//!
//! [`RegistryClient`] is a handle on one shared state (`Inner`) whose methods are spread over
//! one file per concern: `resolve` (manifest `HEAD`, tag listing), `referrers` (the signature
//! listing), `fetch` (signature manifests, envelopes, any manifest or blob), `send` (one
//! exchange: authorization, redirects, status errors, deadline), `authorize` (credentials,
//! challenges, tokens), `descriptor` (what response headers say), `body` (capped and verified
//! reads), `wire` (JSON shapes and media types) and `error` (the failures and their texts).

mod auth;
mod authorize;
mod body;
pub mod cloud;
mod descriptor;
mod digest;
mod error;
mod fetch;
mod logged;
pub mod lookups;
pub mod pool;
mod provider;
mod referrers;
mod resolve;
mod send;
pub mod transport;
mod wire;

pub use auth::{CredentialOrigin, CredentialSource, Credentials};
pub use error::{RegistryError, RequestLine};
pub use provider::Provider;
pub use wire::MANIFEST_ACCEPT;

use super::{Descriptor, FetchedSignature, SignatureSource};
use digest::OciDigest;
use lookups::HostLookups;
use referrers::Page;
use reqwest::Url;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OnceCell, Semaphore};
use transport::{HttpTransport, TlsSettings, Transport};

/// oras-go's `MaxMetadataBytes`: manifests, indexes and referrers responses.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// notation-go's envelope blob limit.
pub const MAX_ENVELOPE_BYTES: u64 = 32 * 1024 * 1024;

/// How to reach a registry.
#[derive(Debug, Clone)]
pub struct RegistryOptions {
    /// Plain HTTP instead of HTTPS (Flux's `insecure: true` for the signature calls).
    pub plain_http: bool,
    /// PEM file of extra CA certificates for TLS.
    pub ca_file: Option<PathBuf>,
    /// Accept any TLS server certificate.
    pub insecure_skip_tls_verify: bool,
    /// Where credentials come from.
    pub credentials: CredentialSource,
    /// Asked for credentials when `credentials` has none for the registry (Flux's
    /// `spec.provider`, used only without a `secretRef`).
    pub provider: Provider,
    /// Deadline of each request, from sending it to the last body byte (auth round trips and
    /// redirects included).
    pub request_timeout: Duration,
    /// Referrers API pages followed at most before giving up.
    pub max_pages: usize,
    /// How many listed signatures to fetch ahead, concurrently. 0 turns every speculative
    /// request off (no prefetch, no referrers request during the HEAD): requests then go out
    /// one after another, as notation-go sends them.
    pub prefetch: usize,
    /// Requests in flight at most for prefetching.
    pub max_concurrency: usize,
    /// `User-Agent` header.
    pub user_agent: String,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            plain_http: false,
            ca_file: None,
            insecure_skip_tls_verify: false,
            credentials: CredentialSource::default(),
            provider: Provider::Generic,
            request_timeout: Duration::from_secs(30),
            max_pages: 64,
            prefetch: 32,
            max_concurrency: 16,
            user_agent: concat!("fluxverify/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl RegistryOptions {
    /// Options from the command line's registry flags: explicit credentials when a user name or
    /// password is given (flags or `FLUXVERIFY_USERNAME`/`FLUXVERIFY_PASSWORD`), else the
    /// Docker config.
    pub fn from_flags(
        plain_http: bool,
        ca_file: Option<PathBuf>,
        insecure_skip_tls_verify: bool,
        username: Option<&str>,
        password: Option<&str>,
    ) -> RegistryOptions {
        RegistryOptions {
            plain_http,
            ca_file,
            insecure_skip_tls_verify,
            credentials: Credentials::from_flags(username, password)
                .map_or(CredentialSource::DockerConfig, CredentialSource::Explicit),
            ..RegistryOptions::default()
        }
    }
}

/// The warning the notation CLI prints when `command` (`verify`, `list`, `inspect`) is given a
/// tag: the tag is resolved to a digest first, and that digest is what gets verified.
pub fn tag_warning(command: &str, tag: &str) -> String {
    format!(
        "Always {command} the artifact using digest(@sha256:...) rather than a tag(:{tag}) because resolved digest may not point to the same signed artifact, as tags are mutable."
    )
}

/// One repository on one registry, for one verification (like the oras repository object Flux
/// creates per verification, it remembers whether the referrers API is supported).
#[derive(Clone)]
pub struct RegistryClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryClient")
            .field("registry", &self.inner.registry)
            .field("repository", &self.inner.repository)
            .finish_non_exhaustive()
    }
}

type Shared<T> = Arc<OnceCell<Result<T, RegistryError>>>;

struct Inner {
    transport: Arc<dyn Transport>,
    /// `host[:port]` as connected to.
    registry: String,
    repository: String,
    base: Url,
    options: RegistryOptions,
    /// Shared by every repository client of one registry (see [`RegistryClient::for_repository`]).
    credentials: Arc<OnceCell<Result<(Credentials, CredentialOrigin), String>>>,
    /// The last error handed to a caller, for hints that need more than its text.
    last_error: Mutex<Option<RegistryError>>,
    /// Authorization that worked (or was issued) per scope; Basic is stored under "". Shared
    /// like `credentials`, so a scope's token is requested once per registry.
    authorization: Arc<Mutex<HashMap<String, String>>>,
    /// One lock per token scope, shared like `authorization`.
    token_gates: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// Whether the referrers API answered (Some(true)) or is unsupported (Some(false)).
    referrers_supported: Mutex<Option<bool>>,
    first_pages: Mutex<HashMap<String, Shared<Page>>>,
    fetched: Mutex<HashMap<String, Shared<FetchedSignature>>>,
    prefetch_slots: Arc<Semaphore>,
    /// Requests sent, counted over every repository client of the registry.
    requests: Arc<std::sync::atomic::AtomicUsize>,
}

impl RegistryClient {
    /// A client for `registry/repository`. `registry` is `host[:port]`; `docker.io` is reached
    /// as `index.docker.io`, as go-containerregistry does.
    pub fn new(
        registry: &str,
        repository: &str,
        options: RegistryOptions,
    ) -> Result<RegistryClient, RegistryError> {
        Self::with_lookups(registry, repository, options, &HostLookups::default())
    }

    /// [`RegistryClient::new`] looking host names up through `lookups`, which remembers the
    /// names that did not resolve for every client sharing it.
    pub fn with_lookups(
        registry: &str,
        repository: &str,
        options: RegistryOptions,
        lookups: &HostLookups,
    ) -> Result<RegistryClient, RegistryError> {
        let ca_pem = match &options.ca_file {
            Some(path) => Some(crate::limits::read_file(path).map_err(|e| {
                RegistryError::Config(format!(
                    "cannot read CA file {}: {}",
                    path.display(),
                    e.detail()
                ))
            })?),
            None => None,
        };
        let tls = TlsSettings {
            ca_pem,
            insecure_skip_verify: options.insecure_skip_tls_verify,
        };
        let transport = HttpTransport::new(
            &tls,
            options.request_timeout.min(Duration::from_secs(10)),
            &options.user_agent,
            lookups,
        )
        .map_err(RegistryError::Config)?;
        Self::with_transport(registry, repository, options, Arc::new(transport))
    }

    /// A client that sends its requests through `transport` (which must not follow redirects):
    /// for tests and fuzzing, which answer from memory.
    pub fn with_transport(
        registry: &str,
        repository: &str,
        options: RegistryOptions,
        transport: Arc<dyn Transport>,
    ) -> Result<RegistryClient, RegistryError> {
        let registry = if registry == "docker.io" {
            "index.docker.io"
        } else {
            registry
        };
        let scheme = if options.plain_http { "http" } else { "https" };
        let base = Url::parse(&format!("{scheme}://{registry}/")).map_err(|e| {
            RegistryError::InvalidReference(format!("invalid registry {registry:?}: {e}"))
        })?;
        if base.path() != "/" || base.query().is_some() || repository.is_empty() {
            return Err(RegistryError::InvalidReference(format!(
                "invalid repository {registry}/{repository}"
            )));
        }
        let slots = options.max_concurrency.max(1);
        // Every request is registered with the run it belongs to (see `crate::inflight`).
        let transport: Arc<dyn Transport> = Arc::new(transport::Tracked(transport));
        Ok(RegistryClient {
            inner: Arc::new(Inner {
                transport,
                registry: registry.to_owned(),
                repository: repository.to_owned(),
                base,
                options,
                credentials: Arc::new(OnceCell::new()),
                last_error: Mutex::new(None),
                authorization: Arc::new(Mutex::new(HashMap::new())),
                token_gates: Arc::new(Mutex::new(HashMap::new())),
                referrers_supported: Mutex::new(None),
                first_pages: Mutex::new(HashMap::new()),
                fetched: Mutex::new(HashMap::new()),
                prefetch_slots: Arc::new(Semaphore::new(slots)),
                requests: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            }),
        })
    }

    /// A client for another repository of the same registry that shares this one's connection
    /// pool, credentials and issued tokens (one token per scope), but none of its per-repository
    /// state (referrers support, listings, fetched signatures). What a scan of many sources on
    /// one registry uses instead of a fresh client per source.
    pub fn for_repository(&self, repository: &str) -> Result<RegistryClient, RegistryError> {
        if repository.is_empty() {
            return Err(RegistryError::InvalidReference(format!(
                "invalid repository {}/{repository}",
                self.inner.registry
            )));
        }
        let inner = &self.inner;
        Ok(RegistryClient {
            inner: Arc::new(Inner {
                transport: Arc::clone(&inner.transport),
                registry: inner.registry.clone(),
                repository: repository.to_owned(),
                base: inner.base.clone(),
                options: inner.options.clone(),
                credentials: Arc::clone(&inner.credentials),
                last_error: Mutex::new(None),
                authorization: Arc::clone(&inner.authorization),
                token_gates: Arc::clone(&inner.token_gates),
                referrers_supported: Mutex::new(None),
                first_pages: Mutex::new(HashMap::new()),
                fetched: Mutex::new(HashMap::new()),
                prefetch_slots: Arc::new(Semaphore::new(inner.options.max_concurrency.max(1))),
                requests: Arc::clone(&inner.requests),
            }),
        })
    }

    /// A client for the registry and repository of a parsed reference.
    pub fn for_reference(
        reference: &crate::source::reference::Reference,
        options: RegistryOptions,
    ) -> Result<RegistryClient, RegistryError> {
        Self::new(&reference.registry, &reference.repository, options)
    }

    /// `host[:port]` of the registry.
    pub fn registry(&self) -> &str {
        &self.inner.registry
    }

    /// Repository path inside the registry.
    pub fn repository(&self) -> &str {
        &self.inner.repository
    }

    /// The cloud provider asked for credentials when none are configured.
    pub fn provider(&self) -> Provider {
        self.inner.options.provider
    }

    /// Where the credentials came from, once the registry asked for them (`None` while it has
    /// not, or when they could not be obtained).
    pub fn credential_origin(&self) -> Option<CredentialOrigin> {
        match self.inner.credentials.get() {
            Some(Ok((_, origin))) => Some(origin.clone()),
            _ => None,
        }
    }

    /// The last error a call of this client returned, as a value (reports keep only its text).
    pub fn last_error(&self) -> Option<RegistryError> {
        self.inner
            .last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// HTTP requests sent so far (auth and redirect hops included).
    pub fn requests_sent(&self) -> usize {
        self.inner
            .requests
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Starts fetching these signature manifests and their envelopes in the background (bounded
    /// by `max_concurrency`); [`SignatureSource::fetch_signature`] then returns the result,
    /// success or error, as if it had fetched it itself. Needs a Tokio runtime; without one this
    /// does nothing.
    pub fn prefetch(&self, manifests: &[Descriptor]) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        for manifest in manifests {
            let cell = self.inner.fetched_cell(manifest);
            if cell.initialized() {
                continue;
            }
            let inner = Arc::clone(&self.inner);
            let manifest = manifest.clone();
            let tracker = crate::inflight::current();
            runtime.spawn(crate::inflight::scoped(tracker, async move {
                let _slot = inner.prefetch_slots.clone().acquire_owned().await;
                cell.get_or_init(|| inner.fetch_signature_uncached(&manifest))
                    .await;
            }));
        }
    }

    /// Lists the repository's tags (`GET /v2/<repo>/tags/list`, following `Link`), for semver
    /// selection as Flux does it.
    pub async fn list_tags(&self) -> Result<Vec<String>, RegistryError> {
        self.inner.record(self.inner.list_tags().await)
    }

    /// Every referrer of `digest` of artifact type `artifact_type` (`None`: all of them), as
    /// go-containerregistry's `remote.Referrers` finds them: the referrers API with its pages,
    /// else (API unsupported) the referrers tag schema `<alg>-<hex>`, whose absence means none.
    pub async fn referrers(
        &self,
        digest: &str,
        artifact_type: Option<&str>,
    ) -> Result<Vec<Descriptor>, RegistryError> {
        self.inner.referrers(digest, artifact_type).await
    }

    /// A manifest by tag or digest, with its descriptor: resolved, then fetched by digest
    /// (at most [`MAX_MANIFEST_BYTES`], `Content-Type`, length and digest checked).
    pub async fn fetch_manifest(
        &self,
        reference: &str,
    ) -> Result<(Descriptor, Vec<u8>), RegistryError> {
        let descriptor = self.inner.resolve(reference).await?;
        if descriptor.size > MAX_MANIFEST_BYTES {
            return Err(RegistryError::BodyTooLarge {
                request: RequestLine {
                    method: "GET".into(),
                    url: self
                        .inner
                        .url(&format!("manifests/{}", descriptor.digest))?
                        .to_string(),
                },
                limit: MAX_MANIFEST_BYTES,
            });
        }
        let digest = OciDigest::parse(&descriptor.digest)?;
        let bytes = self
            .inner
            .fetch_content(
                &format!("manifests/{digest}"),
                Some(&descriptor.media_type),
                &descriptor,
                &digest,
            )
            .await?;
        Ok((descriptor, bytes))
    }

    /// The blob `descriptor` names, refused above `limit` bytes before anything is read, size
    /// and digest checked.
    pub async fn fetch_blob(
        &self,
        descriptor: &Descriptor,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        let digest = OciDigest::parse(&descriptor.digest)?;
        let url = self.inner.url(&format!("blobs/{digest}"))?;
        if descriptor.size > limit {
            return Err(RegistryError::BodyTooLarge {
                request: RequestLine {
                    method: "GET".into(),
                    url: url.to_string(),
                },
                limit,
            });
        }
        self.inner
            .fetch_content(&format!("blobs/{digest}"), None, descriptor, &digest)
            .await
    }
}

impl SignatureSource for RegistryClient {
    type Error = RegistryError;

    async fn resolve(&self, reference: &str) -> Result<Descriptor, RegistryError> {
        let reference = reference.strip_prefix('@').unwrap_or(reference);
        let speculate = self.inner.options.prefetch > 0;
        if let (Ok(digest), true) = (OciDigest::parse(reference), speculate) {
            // The first referrers page needs only the digest: ask for it during the HEAD.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                let cell = self.inner.first_page_cell(&digest);
                let inner = Arc::clone(&self.inner);
                let tracker = crate::inflight::current();
                runtime.spawn(crate::inflight::scoped(tracker, async move {
                    cell.get_or_init(|| inner.first_page(&digest)).await;
                }));
            }
        }
        self.inner.record(self.inner.resolve(reference).await)
    }

    async fn list_signatures(
        &self,
        artifact: &Descriptor,
        max: usize,
    ) -> Result<Vec<Vec<Descriptor>>, RegistryError> {
        let pages = self
            .inner
            .record(self.inner.list_signatures(artifact, max).await)?;
        if self.inner.options.prefetch > 0 {
            let ahead: Vec<Descriptor> = pages
                .iter()
                .flatten()
                .take(max.min(self.inner.options.prefetch))
                .cloned()
                .collect();
            self.prefetch(&ahead);
        }
        Ok(pages)
    }

    async fn fetch_signature(
        &self,
        manifest: &Descriptor,
    ) -> Result<FetchedSignature, RegistryError> {
        let cell = self.inner.fetched_cell(manifest);
        let result = cell
            .get_or_init(|| self.inner.fetch_signature_uncached(manifest))
            .await
            .clone();
        self.inner.record(result)
    }
}

fn descriptor_key(d: &Descriptor) -> String {
    format!("{}|{}|{}", d.media_type, d.digest, d.size)
}

impl Inner {
    fn first_page_cell(&self, digest: &OciDigest) -> Shared<Page> {
        let mut map = self.first_pages.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(map.entry(digest.to_string()).or_default())
    }

    fn fetched_cell(&self, manifest: &Descriptor) -> Shared<FetchedSignature> {
        let mut map = self.fetched.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(map.entry(descriptor_key(manifest)).or_default())
    }

    fn url(&self, path: &str) -> Result<Url, RegistryError> {
        self.base
            .join(&format!("v2/{}/{}", self.repository, path))
            .map_err(|e| RegistryError::InvalidReference(format!("invalid URL for {path}: {e}")))
    }

    /// Keeps a copy of an error about to be returned to a caller.
    fn record<T>(&self, result: Result<T, RegistryError>) -> Result<T, RegistryError> {
        if let Err(e) = &result {
            *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.clone());
        }
        result
    }
}

#[cfg(test)]
mod tests;
