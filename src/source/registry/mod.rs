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

mod auth;
pub mod cloud;
mod digest;
mod error;
pub mod inflight;
mod logged;
pub mod pool;
pub mod tls;
pub mod transport;

pub use auth::{CredentialOrigin, CredentialSource, Credentials};
pub use cloud::Provider;
pub use error::{RegistryError, RequestLine};

use super::{Descriptor, FetchedSignature, SignatureSource, NOTARY_SIGNATURE_ARTIFACT_TYPE};
use auth::Challenge;
use digest::OciDigest;
use futures::StreamExt;
use reqwest::{Method, Url};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OnceCell, Semaphore};
use transport::{HttpRequest, HttpResponse, HttpTransport, TlsSettings, Transport};

/// oras-go's `MaxMetadataBytes`: manifests, indexes and referrers responses.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// notation-go's envelope blob limit.
pub const MAX_ENVELOPE_BYTES: u64 = 32 * 1024 * 1024;
/// How much of an error response oras-go reads (`maxErrorBytes`).
const MAX_ERROR_BODY: u64 = 8 * 1024;
/// How much of a token response oras-go's auth client reads (`maxResponseBytes`).
const MAX_TOKEN_BODY: u64 = 128 * 1024;
/// How many redirects one request may take (Go's `http.Client` default).
const MAX_REDIRECTS: usize = 10;

/// oras-go's default manifest `Accept` list, in its order.
pub const MANIFEST_ACCEPT: &str = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.oci.artifact.manifest.v1+json";
const OCI_IMAGE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_IMAGE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_ARTIFACT_MANIFEST: &str = "application/vnd.oci.artifact.manifest.v1+json";
const FILTERS_APPLIED_ANNOTATION: &str = "org.opencontainers.referrers.filtersApplied";

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

/// One page of a signature listing.
#[derive(Debug, Clone)]
struct Page {
    descriptors: Vec<Descriptor>,
    next: Option<Url>,
}

/// A descriptor as Go's `json.Unmarshal` fills `ocispec.Descriptor`: absent fields are zero.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawDescriptor {
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
struct RawIndex {
    #[serde(default)]
    manifests: Vec<RawDescriptor>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize, Default)]
struct RawSignatureManifest {
    #[serde(default)]
    layers: Vec<RawDescriptor>,
    #[serde(default)]
    blobs: Vec<RawDescriptor>,
}

#[derive(Debug, Deserialize, Default)]
struct RawErrors {
    #[serde(default)]
    errors: Vec<RawError>,
}

#[derive(Debug, Deserialize, Default)]
struct RawError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    detail: Option<serde_json::Value>,
}

impl RegistryClient {
    /// A client for `registry/repository`. `registry` is `host[:port]`; `docker.io` is reached
    /// as `index.docker.io`, as go-containerregistry does.
    pub fn new(
        registry: &str,
        repository: &str,
        options: RegistryOptions,
    ) -> Result<RegistryClient, RegistryError> {
        let ca_pem = match &options.ca_file {
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                RegistryError::Config(format!("cannot read CA file {}: {e}", path.display()))
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
        // Every request is registered with the run it belongs to (see `inflight`).
        let transport: Arc<dyn Transport> = Arc::new(inflight::Tracked(transport));
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
            let tracker = inflight::current();
            runtime.spawn(inflight::scoped(tracker, async move {
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
                let tracker = inflight::current();
                runtime.spawn(inflight::scoped(tracker, async move {
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

/// `mime.ParseMediaType`'s media type: lower-cased, parameters dropped.
fn parse_media_type(value: Option<&str>) -> Result<String, String> {
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

    fn reference_string(&self, reference: &str) -> String {
        if reference.contains(':') {
            format!("{}/{}@{}", self.registry, self.repository, reference)
        } else {
            format!("{}/{}:{}", self.registry, self.repository, reference)
        }
    }

    fn pull_scope(&self) -> String {
        format!("repository:{}:pull", self.repository)
    }

    fn same_origin(&self, url: &Url) -> bool {
        url.scheme() == self.base.scheme()
            && url.host_str() == self.base.host_str()
            && url.port_or_known_default() == self.base.port_or_known_default()
    }

    /// Keeps a copy of an error about to be returned to a caller.
    fn record<T>(&self, result: Result<T, RegistryError>) -> Result<T, RegistryError> {
        if let Err(e) = &result {
            *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.clone());
        }
        result
    }

    async fn credentials(&self) -> Result<Credentials, RegistryError> {
        let resolved = self
            .credentials
            .get_or_init(|| self.resolve_credentials())
            .await;
        match resolved {
            Ok((credentials, _)) => Ok(credentials.clone()),
            Err(e) => Err(RegistryError::Auth(e.clone())),
        }
    }

    /// The configured credentials for the registry; the provider's only when none are
    /// configured, as Flux asks the provider only without a `secretRef`.
    async fn resolve_credentials(&self) -> Result<(Credentials, CredentialOrigin), String> {
        let configured = match &self.options.credentials {
            CredentialSource::Explicit(c) => return Ok((c.clone(), CredentialOrigin::Explicit)),
            CredentialSource::Anonymous => {
                return Ok((Credentials::Anonymous, CredentialOrigin::Anonymous))
            }
            CredentialSource::DockerConfig => {
                let host = self.registry.clone();
                // Credential helpers are processes: keep them off the async threads.
                let _step = inflight::step("the Docker credential lookup");
                match tokio::task::spawn_blocking(move || auth::docker_config_credentials(&host))
                    .await
                {
                    Ok(result) => result?,
                    Err(e) => return Err(format!("credential lookup failed: {e}")),
                }
            }
        };
        match (configured, self.options.provider) {
            (Credentials::Anonymous, Provider::Generic) => {
                Ok((Credentials::Anonymous, CredentialOrigin::Anonymous))
            }
            (Credentials::Anonymous, provider) => self.provider_credentials(provider).await,
            (found, _) => {
                let path = auth::docker_config_path().unwrap_or_default();
                Ok((found, CredentialOrigin::DockerConfig(path)))
            }
        }
    }

    /// Where the credentials in use came from, for log lines (never the secret itself).
    fn credential_source(&self) -> String {
        match self.credentials.get() {
            Some(Ok((_, origin))) => origin.to_string(),
            Some(Err(_)) => "none (the lookup failed)".to_owned(),
            None => "not looked up yet".to_owned(),
        }
    }

    fn known_authorization(&self, scope: &str) -> Option<String> {
        let map = self.authorization.lock().unwrap_or_else(|e| e.into_inner());
        map.get(scope).or_else(|| map.get("")).cloned()
    }

    fn remember_authorization(&self, scope: &str, value: String) {
        let mut map = self.authorization.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(scope.to_owned(), value);
    }

    /// Sends one request through the transport, counting it.
    async fn send_raw(&self, request: HttpRequest) -> Result<HttpResponse, RegistryError> {
        self.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let line = RequestLine {
            method: request.method.to_string(),
            url: request.url.to_string(),
        };
        let started = std::time::Instant::now();
        match self.transport.send(request).await {
            Ok(mut response) => {
                if tracing::enabled!(target: "fluxverify::registry", tracing::Level::INFO) {
                    response.body = logged::body(response.body, &line, response.status, started);
                }
                Ok(response)
            }
            Err(detail) => {
                tracing::info!(target: "fluxverify::registry",
                    method = %line.method,
                    url = %crate::logging::redacted_url(&line.url),
                    error = %detail,
                    ms = crate::logging::elapsed_ms(started),
                    "registry request failed"
                );
                Err(RegistryError::Transport {
                    request: line,
                    detail,
                })
            }
        }
    }

    /// Sends a request to the registry: authorization attached for the registry's own origin
    /// only, one retry after a `401` challenge, redirects followed by hand so that credentials
    /// never travel to another host. Returns the final response and its request line.
    async fn send(
        &self,
        request: HttpRequest,
    ) -> Result<(HttpResponse, RequestLine), RegistryError> {
        let scope = self.pull_scope();
        let mut challenged = false;
        let mut current = request;
        let mut redirects = 0usize;
        loop {
            let mut outgoing = current.clone();
            let authorized = self.same_origin(&outgoing.url);
            let sent = if authorized {
                self.known_authorization(&scope)
            } else {
                None
            };
            if let Some(value) = &sent {
                outgoing = outgoing.header("Authorization", value.clone());
            }
            let line = RequestLine {
                method: outgoing.method.to_string(),
                url: outgoing.url.to_string(),
            };
            let response = self.send_raw(outgoing).await?;
            if response.status == 401 && authorized && !challenged {
                challenged = true;
                let challenge = response
                    .header("WWW-Authenticate")
                    .and_then(auth::parse_challenge);
                match &challenge {
                    Some(c) => tracing::debug!(target: "fluxverify::auth",
                        url = %crate::logging::redacted_url(&line.url),
                        scheme = %c.scheme,
                        realm = %crate::logging::redacted_url(
                            c.params.get("realm").map_or("", String::as_str)
                        ),
                        service = %c.params.get("service").map_or("", String::as_str),
                        scope = %c.params.get("scope").map_or("", String::as_str),
                        "auth challenge"
                    ),
                    None => tracing::debug!(target: "fluxverify::auth",
                        url = %crate::logging::redacted_url(&line.url),
                        "401 without a usable WWW-Authenticate challenge"
                    ),
                }
                if let Some(challenge) = challenge {
                    if self
                        .answer_challenge(&challenge, &scope, sent.as_deref())
                        .await?
                    {
                        continue;
                    }
                }
                return Err(self.status_error(response, line).await);
            }
            if matches!(response.status, 301 | 302 | 303 | 307 | 308) {
                redirects += 1;
                if redirects > MAX_REDIRECTS {
                    return Err(RegistryError::Redirect {
                        request: line,
                        detail: format!("stopped after {MAX_REDIRECTS} redirects"),
                    });
                }
                let location = response.header("Location").map(str::to_owned);
                let Some(target) = location.and_then(|l| current.url.join(&l).ok()) else {
                    return Err(RegistryError::Redirect {
                        request: line,
                        detail: format!(
                            "redirect status {} without a valid Location header",
                            response.status
                        ),
                    });
                };
                if !matches!(target.scheme(), "http" | "https") {
                    return Err(RegistryError::Redirect {
                        request: line,
                        detail: format!("redirect to unsupported URL {target}"),
                    });
                }
                let method = if response.status == 303 {
                    Method::GET
                } else {
                    current.method.clone()
                };
                // Only the Accept header carries over; Authorization is re-added above for the
                // registry's own origin and for nothing else.
                let mut next = HttpRequest::new(method, target);
                next.headers = current
                    .headers
                    .iter()
                    .filter(|(name, _)| !name.eq_ignore_ascii_case("authorization"))
                    .cloned()
                    .collect();
                current = next;
                continue;
            }
            return Ok((response, line));
        }
    }

    /// Obtains authorization for a challenge. Returns false when there is nothing to retry with.
    async fn answer_challenge(
        &self,
        challenge: &Challenge,
        scope: &str,
        sent: Option<&str>,
    ) -> Result<bool, RegistryError> {
        let credentials = self.credentials().await?;
        match challenge.scheme.as_str() {
            "basic" => match credentials {
                Credentials::Basic { username, password } => {
                    use base64::Engine as _;
                    tracing::debug!(target: "fluxverify::auth",
                        credentials = %self.credential_source(),
                        "answering the basic challenge"
                    );
                    let encoded = base64::engine::general_purpose::STANDARD
                        .encode(format!("{username}:{password}"));
                    self.remember_authorization("", format!("Basic {encoded}"));
                    Ok(true)
                }
                _ => {
                    tracing::debug!(target: "fluxverify::auth",
                        credentials = %self.credential_source(),
                        "basic challenge but no user name and password to answer it with"
                    );
                    Ok(false)
                }
            },
            "bearer" => {
                // One token request per scope at a time: requests challenged together (several
                // sources of a scan in one repository) wait for the first one's token.
                let gate = {
                    let mut gates = self.token_gates.lock().unwrap_or_else(|e| e.into_inner());
                    Arc::clone(gates.entry(scope.to_owned()).or_default())
                };
                let _turn = gate.lock().await;
                if let Some(current) = self.known_authorization(scope) {
                    if Some(current.as_str()) != sent {
                        return Ok(true);
                    }
                }
                let token = self.fetch_token(challenge, scope, &credentials).await?;
                self.remember_authorization(scope, format!("Bearer {token}"));
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The token request of the distribution token flow. The token service is the one the
    /// registry names in its challenge; Basic credentials go there, as docker and oras send them.
    async fn fetch_token(
        &self,
        challenge: &Challenge,
        scope: &str,
        credentials: &Credentials,
    ) -> Result<String, RegistryError> {
        let realm = challenge
            .params
            .get("realm")
            .ok_or_else(|| RegistryError::Auth("bearer challenge without realm".into()))?;
        let mut url = Url::parse(realm)
            .map_err(|e| RegistryError::Auth(format!("invalid bearer realm {realm:?}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(RegistryError::Auth(format!(
                "invalid bearer realm {realm:?}"
            )));
        }
        let service = challenge.params.get("service").cloned().unwrap_or_default();
        let scope = challenge
            .params
            .get("scope")
            .cloned()
            .unwrap_or_else(|| scope.to_owned());
        let request = match credentials {
            Credentials::IdentityToken(refresh) => {
                let mut r = HttpRequest::new(Method::POST, url);
                r.form = Some(vec![
                    ("grant_type".into(), "refresh_token".into()),
                    ("refresh_token".into(), refresh.clone()),
                    ("service".into(), service),
                    ("scope".into(), scope.clone()),
                    ("client_id".into(), "fluxverify".into()),
                ]);
                r
            }
            other => {
                {
                    let mut query = url.query_pairs_mut();
                    if !service.is_empty() {
                        query.append_pair("service", &service);
                    }
                    query.append_pair("scope", &scope);
                }
                let mut r = HttpRequest::new(Method::GET, url);
                if let Credentials::Basic { username, password } = other {
                    use base64::Engine as _;
                    let encoded = base64::engine::general_purpose::STANDARD
                        .encode(format!("{username}:{password}"));
                    r = r.header("Authorization", format!("Basic {encoded}"));
                }
                r
            }
        };
        let line = RequestLine {
            method: request.method.to_string(),
            url: request.url.to_string(),
        };
        let grant = match credentials {
            Credentials::Anonymous => "anonymous",
            Credentials::Basic { .. } => "basic",
            Credentials::IdentityToken(_) => "refresh_token",
        };
        let started = std::time::Instant::now();
        let response = self.send_raw(request).await?;
        tracing::debug!(target: "fluxverify::auth",
            realm = %crate::logging::redacted_url(realm),
            %scope,
            status = response.status,
            ms = crate::logging::elapsed_ms(started),
            %grant,
            credentials = %self.credential_source(),
            "token fetch"
        );
        if response.status != 200 {
            return Err(self.status_error(response, line).await);
        }
        let body = read_capped(response.body, MAX_TOKEN_BODY, Excess::Ignore, &line).await?;
        let token: auth::TokenResponse =
            decode_first_json(&body).map_err(|detail| RegistryError::Decode {
                request: line.clone(),
                detail,
            })?;
        token
            .into_token()
            .ok_or_else(|| RegistryError::Auth(format!("{line}: empty token in response")))
    }

    /// oras-go's `ParseErrorResponse`: the registry's `errors`, or the status text.
    async fn status_error(&self, response: HttpResponse, request: RequestLine) -> RegistryError {
        let status = response.status;
        let body = read_capped(response.body, MAX_ERROR_BODY, Excess::Ignore, &request)
            .await
            .unwrap_or_default();
        let errors: Vec<RawError> = decode_first_json::<RawErrors>(&body)
            .map(|e| e.errors)
            .unwrap_or_default();
        let detail = if errors.is_empty() {
            status_text(status).to_owned()
        } else {
            errors
                .iter()
                .map(render_error_code)
                .collect::<Vec<_>>()
                .join("; ")
        };
        RegistryError::Status {
            request,
            status,
            detail,
        }
    }

    /// Runs one request-level operation under the request deadline.
    async fn deadline<T>(
        &self,
        request: RequestLine,
        operation: impl std::future::Future<Output = Result<T, RegistryError>>,
    ) -> Result<T, RegistryError> {
        let deadline = self.options.request_timeout;
        // Never past the run's own time limit, which then ends the request itself.
        let Some(until) = inflight::request_deadline(deadline) else {
            return operation.await;
        };
        match tokio::time::timeout_at(until, operation).await {
            Ok(result) => result,
            Err(_) => {
                tracing::info!(target: "fluxverify::registry",
                    method = %request.method,
                    url = %crate::logging::redacted_url(&request.url),
                    deadline_ms = deadline.as_millis() as u64,
                    "registry request timed out"
                );
                Err(RegistryError::Timeout {
                    host: Url::parse(&request.url)
                        .ok()
                        .and_then(|u| u.host_str().map(str::to_owned))
                        .unwrap_or_default(),
                    request,
                    deadline,
                })
            }
        }
    }

    async fn resolve(&self, reference: &str) -> Result<Descriptor, RegistryError> {
        let ref_digest = OciDigest::parse(reference).ok();
        if ref_digest.is_none() && !valid_tag(reference) {
            return Err(RegistryError::InvalidReference(format!(
                "invalid reference: invalid tag {reference:?}"
            )));
        }
        let url = self.url(&format!("manifests/{reference}"))?;
        let request = HttpRequest::new(Method::HEAD, url).header("Accept", MANIFEST_ACCEPT);
        let line = RequestLine {
            method: "HEAD".into(),
            url: request.url.to_string(),
        };
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

    async fn list_signatures(
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
                return Err(RegistryError::TooManyPages {
                    request: RequestLine {
                        method: "GET".into(),
                        url: url.to_string(),
                    },
                    limit: self.options.max_pages,
                });
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
    async fn first_page(&self, digest: &OciDigest) -> Result<Page, RegistryError> {
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

    /// [`RegistryClient::referrers`].
    async fn referrers(
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
                return Err(RegistryError::TooManyPages {
                    request: RequestLine {
                        method: "GET".into(),
                        url: url.to_string(),
                    },
                    limit: self.options.max_pages,
                });
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
        let line0 = RequestLine {
            method: "GET".into(),
            url: request.url.to_string(),
        };
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
        let line0 = RequestLine {
            method: "GET".into(),
            url: request.url.to_string(),
        };
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

    /// notation-go's `FetchSignatureBlob`: checks, manifest, exactly one layer, blob.
    async fn fetch_signature_uncached(
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
    async fn fetch_content(
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
        let line0 = RequestLine {
            method: "GET".into(),
            url: request.url.to_string(),
        };
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

    async fn list_tags(&self) -> Result<Vec<String>, RegistryError> {
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
            let line0 = RequestLine {
                method: "GET".into(),
                url: request.url.to_string(),
            };
            if pages > self.options.max_pages {
                return Err(RegistryError::TooManyPages {
                    request: line0,
                    limit: self.options.max_pages,
                });
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
fn valid_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    (1..=128).contains(&bytes.len())
        && bytes
            .first()
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn content_length(response: &HttpResponse) -> Option<u64> {
    response
        .header("Content-Length")
        .and_then(|v| v.trim().parse::<u64>().ok())
}

/// What a manifest response says about its content.
struct ResponseDescriptor {
    size: u64,
    digest: Option<OciDigest>,
}

fn descriptor_from_get(
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
fn descriptor_from_head(
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

fn verify_digest_header(
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

/// What a body longer than its cap means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Excess {
    /// An error, raised before the excess is buffered.
    Refuse,
    /// Nothing: the first `cap` bytes are kept and the rest is left unread. oras decodes
    /// listings with `json.NewDecoder(io.LimitReader(body, 4 MiB)).Decode`: the first JSON value
    /// counts, whatever follows it is never read, and a value still open at the limit is
    /// `unexpected EOF`. Decoding the prefix with [`decode_first_json`] gives the same answers.
    Ignore,
}

/// Reads a body up to `cap` bytes.
async fn read_capped(
    mut body: transport::Body,
    cap: u64,
    excess: Excess,
    line: &RequestLine,
) -> Result<Vec<u8>, RegistryError> {
    let limit = usize::try_from(cap).unwrap_or(usize::MAX);
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|detail| RegistryError::Transport {
            request: line.clone(),
            detail,
        })?;
        let room = limit.saturating_sub(out.len());
        if chunk.len() > room {
            if excess == Excess::Refuse {
                return Err(RegistryError::BodyTooLarge {
                    request: line.clone(),
                    limit: cap,
                });
            }
            append_within(&mut out, chunk.get(..room).unwrap_or_default(), cap);
            break;
        }
        append_within(&mut out, &chunk, cap);
    }
    Ok(out)
}

/// Appends `chunk`, growing the buffer geometrically but never past `limit` bytes of capacity:
/// `Vec`'s own doubling would overshoot a cap that is not a power-of-two multiple of the first
/// chunk (a 4 MiB body in 394-byte-then-64-KiB chunks ends in a 6.2 MiB allocation).
fn append_within(out: &mut Vec<u8>, chunk: &[u8], limit: u64) {
    let needed = out.len().saturating_add(chunk.len());
    if needed > out.capacity() {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let target = out
            .capacity()
            .saturating_mul(2)
            .max(needed)
            .min(limit.max(needed));
        out.reserve_exact(target - out.len());
    }
    out.extend_from_slice(chunk);
}

/// Reads exactly `size` bytes (hashing as they come), as `content.ReadAll` with a verifying
/// reader does: short is an error, one byte more is `trailing data`, another hash is
/// `mismatched digest`.
async fn read_verified(
    mut body: transport::Body,
    size: u64,
    digest: &OciDigest,
) -> Result<Vec<u8>, RegistryError> {
    let mut out = Vec::with_capacity(usize::try_from(size.min(1 << 20)).unwrap_or(0));
    let mut hasher = digest.hasher();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|detail| RegistryError::ShortContent {
            expected: size,
            got: out.len() as u64,
            digest: format!("{digest} ({detail})"),
        })?;
        let room = usize::try_from(size - out.len() as u64).unwrap_or(usize::MAX);
        if chunk.len() > room {
            return Err(RegistryError::TrailingData);
        }
        hasher.update(&chunk);
        append_within(&mut out, &chunk, size);
    }
    if (out.len() as u64) < size {
        return Err(RegistryError::ShortContent {
            expected: size,
            got: out.len() as u64,
            digest: digest.to_string(),
        });
    }
    if !digest.matches(hasher) {
        return Err(RegistryError::MismatchedDigest);
    }
    Ok(out)
}

/// Reads exactly `size` bytes without a digest to check against (a tag index served without
/// `Docker-Content-Digest`: its digest is whatever the bytes hash to).
async fn read_exact_size(
    body: transport::Body,
    size: u64,
    line: &RequestLine,
) -> Result<Vec<u8>, RegistryError> {
    let bytes = read_capped(body, size, Excess::Refuse, line)
        .await
        .map_err(|e| match e {
            RegistryError::BodyTooLarge { .. } => RegistryError::TrailingData,
            other => other,
        })?;
    if (bytes.len() as u64) < size {
        return Err(RegistryError::ShortContent {
            expected: size,
            got: bytes.len() as u64,
            digest: digest::sha256_digest(&bytes),
        });
    }
    Ok(bytes)
}

/// Go's `json.Decoder.Decode`: the first JSON value; what follows it is not read.
fn decode_first_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let mut stream = serde_json::Deserializer::from_slice(body).into_iter::<T>();
    match stream.next() {
        Some(Ok(value)) => Ok(value),
        Some(Err(e)) if e.is_eof() => Err("unexpected EOF".into()),
        Some(Err(e)) => Err(e.to_string()),
        None => Err("EOF".into()),
    }
}

/// oras-go `isReferrersFilterApplied` for `artifactType`.
fn filter_applied(applied: Option<&str>) -> bool {
    applied.is_some_and(|a| a.split(',').any(|f| f == "artifactType"))
}

/// oras-go `parseLink`: the text between the first `<` and `>`, resolved against the request.
fn parse_link(link: &str, base: &Url) -> Result<Url, RegistryError> {
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

/// errcode `Error.Error()`: the code lower-cased with `_` as spaces, then message and detail.
fn render_error_code(e: &RawError) -> String {
    let code: String = e
        .code
        .chars()
        .map(|c| {
            if c == '_' {
                ' '
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    match (&e.message, &e.detail) {
        (m, _) if m.is_empty() => code,
        (m, None) | (m, Some(serde_json::Value::Null)) => format!("{code}: {m}"),
        (m, Some(detail)) => format!("{code}: {m}: {}", go_value(detail)),
    }
}

/// Go's `%v` of a decoded JSON value, for the common shapes.
fn go_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => {
            format!("[{}]", a.iter().map(go_value).collect::<Vec<_>>().join(" "))
        }
        serde_json::Value::Object(o) => {
            let mut entries: Vec<_> = o.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            format!(
                "map[{}]",
                entries
                    .iter()
                    .map(|(k, v)| format!("{k}:{}", go_value(v)))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        }
        other => other.to_string(),
    }
}

/// Go's `http.StatusText` for the codes a registry plausibly sends.
fn status_text(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        416 => "Requested Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests;
