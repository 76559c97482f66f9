//! An in-process OCI registry for tests: manifests, blobs, the referrers API with pagination,
//! optional Basic auth, and switches that make it lie in the ways a hostile registry can.

#![allow(dead_code)] // each test binary uses a different part

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use sha2::Digest as _;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const NOTARY: &str = "application/vnd.cncf.notary.signature";

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

/// Ways to misbehave. All off by default.
#[derive(Clone, Default, Debug)]
pub struct Hostile {
    /// Delay before answering every request (slow server; the benchmark's D).
    pub delay: Duration,
    /// Send bodies one byte per this interval.
    pub drip: Option<Duration>,
    /// `Docker-Content-Digest` of other content on manifest responses.
    pub wrong_digest_header: bool,
    /// Blob bytes altered (same length).
    pub tamper_blobs: bool,
    /// Manifest bodies never end (chunked, no `Content-Length`).
    pub endless_manifests: bool,
    /// Manifest responses claim a `Content-Length` one byte short.
    pub short_content_length: bool,
    /// Referrers pages always link to a further (empty) page.
    pub endless_links: bool,
    /// Referrers responses are an endless stream.
    pub endless_referrers_body: bool,
    /// Blob GETs redirect to this base URL (another host), same path.
    pub redirect_blobs_to: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path_and_query: String,
    pub authorization: Option<String>,
}

/// (repository, tag or digest) → (media type, bytes).
type Manifests = HashMap<(String, String), (String, Vec<u8>)>;

#[derive(Default)]
pub struct State {
    manifests: Mutex<Manifests>,
    blobs: Mutex<HashMap<String, Vec<u8>>>,
    referrers: Mutex<HashMap<(String, String), Vec<serde_json::Value>>>,
    pub referrers_api: Mutex<bool>,
    pub page_size: Mutex<usize>,
    pub hostile: Mutex<Hostile>,
    pub log: Mutex<Vec<Logged>>,
    pub basic: Mutex<Option<String>>,
    /// Requests being answered right now, and the most there ever were at once.
    in_flight: std::sync::atomic::AtomicUsize,
    pub max_in_flight: std::sync::atomic::AtomicUsize,
}

/// Counts a request as in flight for as long as it lives.
struct InFlight(Arc<State>);

impl InFlight {
    fn enter(st: &Arc<State>) -> InFlight {
        use std::sync::atomic::Ordering::SeqCst;
        let now = st.in_flight.fetch_add(1, SeqCst) + 1;
        st.max_in_flight.fetch_max(now, SeqCst);
        InFlight(Arc::clone(st))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0
            .in_flight
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

pub struct TestRegistry {
    pub addr: SocketAddr,
    pub state: Arc<State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl TestRegistry {
    /// Starts on 127.0.0.1 with a free port, the referrers API on, 100 referrers per page.
    pub async fn start() -> TestRegistry {
        let state = Arc::new(State::default());
        *state.referrers_api.lock().unwrap() = true;
        *state.page_size.lock().unwrap() = 100;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let st = Arc::clone(&state);
        let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
            let st = Arc::clone(&st);
            async move { handle(st, req).await }
        });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        TestRegistry {
            addr,
            state,
            shutdown: Some(tx),
        }
    }

    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn hostile(&self, h: Hostile) {
        *self.state.hostile.lock().unwrap() = h;
    }

    /// The most requests that were ever being answered at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.state
            .max_in_flight
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.state.log.lock().unwrap().clone()
    }

    pub fn put_blob(&self, bytes: &[u8]) -> String {
        let d = sha256(bytes);
        self.state
            .blobs
            .lock()
            .unwrap()
            .insert(d.clone(), bytes.to_vec());
        d
    }

    /// Stores a manifest under its digest (and `tag`), returning its descriptor as JSON.
    pub fn put_manifest(
        &self,
        repo: &str,
        media_type: &str,
        bytes: &[u8],
        tag: Option<&str>,
    ) -> serde_json::Value {
        let d = sha256(bytes);
        let mut m = self.state.manifests.lock().unwrap();
        m.insert(
            (repo.into(), d.clone()),
            (media_type.into(), bytes.to_vec()),
        );
        if let Some(t) = tag {
            m.insert((repo.into(), t.into()), (media_type.into(), bytes.to_vec()));
        }
        serde_json::json!({"mediaType": media_type, "digest": d, "size": bytes.len()})
    }

    /// Adds `descriptor` to the referrers of `subject_digest` (the API's view).
    pub fn add_referrer(&self, repo: &str, subject_digest: &str, descriptor: serde_json::Value) {
        self.state
            .referrers
            .lock()
            .unwrap()
            .entry((repo.into(), subject_digest.into()))
            .or_default()
            .push(descriptor);
    }

    /// A subject manifest plus `n` signature manifests whose envelopes are `envelope(i)`.
    pub fn seed(
        &self,
        repo: &str,
        n: usize,
        envelope: impl Fn(usize) -> Vec<u8>,
    ) -> (serde_json::Value, Vec<serde_json::Value>) {
        let config = self.put_blob(b"{}");
        let subject_bytes = serde_json::json!({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": "application/vnd.example",
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": config, "size": 2},
            "layers": [{"mediaType": "application/vnd.oci.empty.v1+json", "digest": config, "size": 2}]
        })
        .to_string();
        let subject = self.put_manifest(repo, OCI_MANIFEST, subject_bytes.as_bytes(), Some("v1"));
        let mut sigs = Vec::new();
        for i in 0..n {
            let env = envelope(i);
            let layer = self.put_blob(&env);
            let m = serde_json::json!({
                "schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": NOTARY,
                "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": config, "size": 2},
                "layers": [{"mediaType": "application/jose+json", "digest": layer, "size": env.len()}],
                "subject": subject,
                "annotations": {"io.cncf.notary.x509chain.thumbprint#S256": "[]"}
            })
            .to_string();
            let mut d = self.put_manifest(repo, OCI_MANIFEST, m.as_bytes(), None);
            d["artifactType"] = NOTARY.into();
            self.add_referrer(repo, subject["digest"].as_str().unwrap(), d.clone());
            sigs.push(d);
        }
        (subject, sigs)
    }
}

fn header(resp: &mut Response<Body>, k: &'static str, v: &str) {
    resp.headers_mut()
        .insert(k, HeaderValue::from_str(v).unwrap());
}

fn status(code: StatusCode, body: &'static str) -> Response<Body> {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = code;
    r
}

fn body_for(bytes: Vec<u8>, hostile: &Hostile) -> Body {
    match hostile.drip {
        Some(interval) => {
            let stream = futures::stream::unfold((bytes, 0usize), move |(b, i)| async move {
                if i >= b.len() {
                    return None;
                }
                tokio::time::sleep(interval).await;
                let chunk = Bytes::copy_from_slice(&b[i..i + 1]);
                Some((Ok::<_, std::io::Error>(chunk), (b, i + 1)))
            });
            Body::from_stream(stream)
        }
        None => Body::from(bytes),
    }
}

fn endless(prefix: Vec<u8>) -> Body {
    let stream = futures::stream::unfold(Some(prefix), |state| async move {
        let chunk = match state {
            Some(p) => p,
            None => vec![b' '; 64 * 1024],
        };
        tokio::task::yield_now().await;
        Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), None))
    });
    Body::from_stream(stream)
}

async fn handle(st: Arc<State>, req: axum::extract::Request) -> Response<Body> {
    let method = req.method().clone();
    let uri = req.uri().clone();
    let headers: HeaderMap = req.headers().clone();
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    st.log.lock().unwrap().push(Logged {
        method: method.to_string(),
        path_and_query: uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        authorization: auth.clone(),
    });
    let _in_flight = InFlight::enter(&st);
    let hostile = st.hostile.lock().unwrap().clone();
    if !hostile.delay.is_zero() {
        tokio::time::sleep(hostile.delay).await;
    }
    let path = uri.path().to_owned();
    // Blob storage on "another host": no auth, serves blobs by the same path.
    if let Some(expected) = st.basic.lock().unwrap().clone() {
        if auth.as_deref() != Some(expected.as_str()) {
            let mut r = status(
                StatusCode::UNAUTHORIZED,
                r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}"#,
            );
            header(&mut r, "www-authenticate", "Basic realm=\"test\"");
            header(&mut r, "content-type", "application/json");
            return r;
        }
    }
    if path == "/v2/" {
        return status(StatusCode::OK, "{}");
    }
    let Some(rest) = path.strip_prefix("/v2/") else {
        return status(StatusCode::NOT_FOUND, "404 page not found");
    };
    for kind in ["/manifests/", "/blobs/", "/referrers/"] {
        let Some(i) = rest.rfind(kind) else { continue };
        let repo = rest[..i].to_owned();
        let reference = rest[i + kind.len()..].to_owned();
        return match kind {
            "/manifests/" => manifest(&st, &method, &repo, &reference, &hostile),
            "/blobs/" => blob(&st, &repo, &reference, &hostile),
            _ => referrers(&st, &repo, &reference, uri.query().unwrap_or(""), &hostile),
        };
    }
    if rest.ends_with("/tags/list") {
        let repo = rest.trim_end_matches("/tags/list");
        let mut tags: Vec<String> = st
            .manifests
            .lock()
            .unwrap()
            .keys()
            .filter(|(r, t)| r == repo && !t.starts_with("sha256:"))
            .map(|(_, t)| t.clone())
            .collect();
        tags.sort();
        let mut r = Response::new(Body::from(
            serde_json::json!({"name": repo, "tags": tags}).to_string(),
        ));
        header(&mut r, "content-type", "application/json");
        return r;
    }
    status(StatusCode::NOT_FOUND, "404 page not found")
}

fn manifest(
    st: &State,
    method: &Method,
    repo: &str,
    reference: &str,
    hostile: &Hostile,
) -> Response<Body> {
    let found = st
        .manifests
        .lock()
        .unwrap()
        .get(&(repo.to_owned(), reference.to_owned()))
        .cloned();
    let Some((media_type, bytes)) = found else {
        let mut r = status(
            StatusCode::NOT_FOUND,
            r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
        );
        header(&mut r, "content-type", "application/json");
        return r;
    };
    let digest = if hostile.wrong_digest_header {
        sha256(b"not this")
    } else {
        sha256(&bytes)
    };
    let length = if hostile.short_content_length {
        bytes.len() - 1
    } else {
        bytes.len()
    };
    if method == Method::HEAD {
        let mut r = Response::new(Body::empty());
        header(&mut r, "content-type", &media_type);
        header(&mut r, "content-length", &bytes.len().to_string());
        header(&mut r, "docker-content-digest", &digest);
        return r;
    }
    let mut r = if hostile.endless_manifests {
        Response::new(endless(bytes.clone()))
    } else if hostile.short_content_length {
        Response::new(Body::from(bytes[..length].to_vec()))
    } else {
        Response::new(body_for(bytes.clone(), hostile))
    };
    header(&mut r, "content-type", &media_type);
    header(&mut r, "docker-content-digest", &digest);
    if !hostile.endless_manifests && hostile.drip.is_none() {
        header(&mut r, "content-length", &length.to_string());
    }
    r
}

fn blob(st: &State, repo: &str, digest: &str, hostile: &Hostile) -> Response<Body> {
    if let Some(base) = &hostile.redirect_blobs_to {
        let mut r = status(StatusCode::TEMPORARY_REDIRECT, "");
        header(
            &mut r,
            "location",
            &format!("{base}/v2/{repo}/blobs/{digest}"),
        );
        return r;
    }
    let Some(mut bytes) = st.blobs.lock().unwrap().get(digest).cloned() else {
        return status(StatusCode::NOT_FOUND, "");
    };
    if hostile.tamper_blobs {
        if let Some(b) = bytes.first_mut() {
            *b ^= 1;
        }
    }
    let len = bytes.len();
    let mut r = Response::new(body_for(bytes, hostile));
    header(&mut r, "content-type", "application/octet-stream");
    if hostile.drip.is_none() {
        header(&mut r, "content-length", &len.to_string());
    }
    r
}

fn referrers(
    st: &State,
    repo: &str,
    digest: &str,
    query: &str,
    hostile: &Hostile,
) -> Response<Body> {
    if !*st.referrers_api.lock().unwrap() {
        return status(StatusCode::NOT_FOUND, "404 page not found");
    }
    let all = st
        .referrers
        .lock()
        .unwrap()
        .get(&(repo.to_owned(), digest.to_owned()))
        .cloned()
        .unwrap_or_default();
    let page: usize = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let size = (*st.page_size.lock().unwrap()).max(1);
    let items: Vec<_> = all.iter().skip(page * size).take(size).cloned().collect();
    let more = (page + 1) * size < all.len() || hostile.endless_links;
    let body = serde_json::json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": items})
        .to_string();
    let mut r = if hostile.endless_referrers_body {
        Response::new(endless(body.into_bytes()))
    } else {
        Response::new(body_for(body.into_bytes(), hostile))
    };
    header(&mut r, "content-type", OCI_INDEX);
    if more {
        header(&mut r, "link", &format!("</v2/{repo}/referrers/{digest}?artifactType=application%2Fvnd.cncf.notary.signature&page={}>; rel=\"next\"", page + 1));
    }
    r
}
