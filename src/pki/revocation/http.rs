//! The HTTP side of revocation checking: a small blocking transport trait (so tests can count
//! or refuse requests) and its production implementation on reqwest, the HTTP stack the registry
//! client uses too, with hard timeouts and byte caps.
//!
//! The trait is synchronous because the signature checks that call it are. They run on the
//! threads of whatever tokio runtime the command started (or on none, in unit tests), and a
//! synchronous call must not drive that runtime itself: `block_in_place` needs a multi-thread
//! runtime and `Handle::block_on` panics inside one. So the requests are handed to one
//! process-wide background thread, started on the first request, that owns a current-thread
//! runtime and one `reqwest::Client` (shared, so connections are kept alive between requests as
//! Go's default transport keeps them). The caller waits on a channel for the answer.
//!
//! Go's `http.Client{Timeout: …}` bounds the whole exchange, redirects and body included; here
//! one deadline wraps the same. Go's `Client.Do` returns at the headers and the caller reads the
//! body afterwards, so the two fail differently: before the headers a [`TransportError`]
//! (`*url.Error`), while reading the body a [`BodyError`] inside the [`Response`]. notation's
//! callers read only 2xx bodies, so only those are read here. Go reads bodies through
//! `io.LimitReader`, so an oversized body is cut, not refused: the caller decides what a body of
//! exactly the cap means. Redirects, proxies and error texts follow Go's `net/http` (details at
//! each function).

use crate::http::errors::{error_chain, error_sources, send_cause, Dialled};
use reqwest::header::{HeaderValue, CONTENT_TYPE, LOCATION, REFERER};
use reqwest::Url;
use std::net::IpAddr;
use std::sync::{mpsc, OnceLock};
use std::time::Duration;

/// HTTP method of a revocation request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET` (CRLs, short OCSP requests).
    Get,
    /// `POST` with `Content-Type: application/ocsp-request`.
    Post,
}

impl Method {
    /// Go's method name, as it appears in `net/url` error texts.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "Get",
            Method::Post => "Post",
        }
    }
}

/// One request.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// GET or POST.
    pub method: Method,
    /// Absolute `http://` URL.
    pub url: &'a str,
    /// POST body.
    pub body: Option<&'a [u8]>,
    /// Content type of the POST body.
    pub content_type: Option<&'a str>,
    /// Bound on the whole exchange.
    pub timeout: Duration,
    /// At most this many body bytes are read; the rest is dropped.
    pub max_body: u64,
}

/// A final answer, as Go's `http.Client.Do` hands it over once the headers are in, plus what
/// notation's callers then do with the body: only 2xx bodies are read (OCSP and CRL callers
/// return the status error without touching any other body, so an endless error body costs
/// nothing), through the same deadline, at most `max_body` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// A 2xx status and its body as read: at most `max_body` bytes, or why reading failed.
    Success {
        /// HTTP status code, 200–299.
        status: u16,
        /// The (possibly cut) body, or the error reading it.
        body: Result<Vec<u8>, BodyError>,
    },
    /// Any other final status (a redirect without `Location` included); its body is not read.
    Failure {
        /// HTTP status code.
        status: u16,
    },
}

impl Response {
    /// The final status code.
    pub fn status(&self) -> u16 {
        match self {
            Response::Success { status, .. } | Response::Failure { status } => *status,
        }
    }

    /// Bytes of body read (none when the body was not read or failed), for logs.
    pub fn body_len(&self) -> usize {
        match self {
            Response::Success { body: Ok(body), .. } => body.len(),
            _ => 0,
        }
    }
}

/// Why reading a body failed after its headers arrived. Go returns these from `Body.Read`, not
/// as `*url.Error`, so they carry no method or URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The deadline passed while reading (Go's `cancelTimerBody` around the context's cause).
    #[error(
        "context deadline exceeded (Client.Timeout or context cancellation while reading body)"
    )]
    Timeout,
    /// The connection ended before the announced length or the last chunk
    /// (Go's `io.ErrUnexpectedEOF`).
    #[error("unexpected EOF")]
    Truncated,
    /// Anything else (reset connection, malformed chunking); reqwest's words.
    #[error("{0}")]
    Failed(String),
}

/// Why no response arrived. `Display` follows Go's `*url.Error` shape
/// (`Get "<url>": <reason>`), with the reason worded like Go's where the cause is known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The exchange took longer than the timeout.
    #[error("{method} \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")]
    Timeout {
        /// Go's method name.
        method: &'static str,
        /// Request URL.
        url: String,
    },
    /// Anything else before the headers (DNS, refused connection, protocol error).
    #[error("{method} \"{url}\": {reason}")]
    Failed {
        /// Go's method name.
        method: &'static str,
        /// Request URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

impl TransportError {
    /// Whether the failure was the timeout (OCSP reports those specially).
    pub fn is_timeout(&self) -> bool {
        matches!(self, TransportError::Timeout { .. })
    }
}

/// Something that performs revocation HTTP requests. Implementations must enforce
/// `timeout` and `max_body`.
pub trait Transport: Send + Sync {
    /// Performs one request.
    fn send(&self, request: &Request<'_>) -> Result<Response, TransportError>;
}

/// The production transport: reqwest on a process-wide background thread (see the module
/// documentation). notation only fetches `http://` revocation URLs, but a redirect may lead to
/// `https://`, which Go follows; the TLS configuration is the registry client's, whose system
/// roots are only read at a first handshake, so plain-HTTP revocation never reads them.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReqwestTransport;

impl Transport for ReqwestTransport {
    fn send(&self, request: &Request<'_>) -> Result<Response, TransportError> {
        let failed = |reason: String| TransportError::Failed {
            method: request.method.as_str(),
            url: request.url.to_string(),
            reason,
        };
        let worker = worker().map_err(|e| failed(e.clone()))?;
        let (reply, answer) = mpsc::sync_channel(1);
        let job = Job::new(request, reply);
        const GONE: &str = "the revocation HTTP thread has stopped";
        worker.send(job).map_err(|_| failed(GONE.to_string()))?;
        answer.recv().map_err(|_| failed(GONE.to_string()))?
    }
}

/// A request as the background thread receives it, with the channel for its answer.
struct Job {
    method: Method,
    url: String,
    body: Option<Vec<u8>>,
    content_type: Option<String>,
    timeout: Duration,
    max_body: u64,
    reply: mpsc::SyncSender<Result<Response, TransportError>>,
}

impl Job {
    /// `request`, owned for the background thread, answered on `reply`.
    fn new(
        request: &Request<'_>,
        reply: mpsc::SyncSender<Result<Response, TransportError>>,
    ) -> Job {
        Job {
            method: request.method,
            url: request.url.to_string(),
            body: request.body.map(<[u8]>::to_vec),
            content_type: request.content_type.map(str::to_string),
            timeout: request.timeout,
            max_body: request.max_body,
            reply,
        }
    }
}

/// The background thread's queue, started on the first call. A failure to start (no thread, no
/// runtime, no TLS configuration) is kept and reported by every request.
fn worker() -> Result<&'static tokio::sync::mpsc::UnboundedSender<Job>, &'static String> {
    static WORKER: OnceLock<Result<tokio::sync::mpsc::UnboundedSender<Job>, String>> =
        OnceLock::new();
    WORKER.get_or_init(start_worker).as_ref()
}

fn start_worker() -> Result<tokio::sync::mpsc::UnboundedSender<Job>, String> {
    let stack = Stack::new(GoProxy::from_env_once())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the revocation HTTP runtime: {e}"))?;
    let (jobs, mut queue) = tokio::sync::mpsc::unbounded_channel::<Job>();
    std::thread::Builder::new()
        .name("revocation-http".into())
        .spawn(move || {
            runtime.block_on(async move {
                while let Some(job) = queue.recv().await {
                    // Each request is its own task: a chain's certificates are checked
                    // concurrently, and one hanging responder must not hold up the others.
                    let stack = stack.clone();
                    tokio::spawn(async move {
                        let answer = stack.run(&job).await;
                        let _ = job.reply.send(answer);
                    });
                }
            })
        })
        .map_err(|e| format!("cannot start the revocation HTTP thread: {e}"))?;
    Ok(jobs)
}

/// Go stops at the tenth redirect response (`defaultCheckRedirect`: `len(via) >= 10`).
const MAX_REQUESTS: usize = 10;

/// One client and the proxy rules it was built with.
#[derive(Clone)]
struct Stack {
    client: reqwest::Client,
    proxy: &'static GoProxy,
}

impl Stack {
    /// Redirects are followed here, not by reqwest (Go's rules and error texts); proxies are
    /// Go's environment rules ([`GoProxy`]), not reqwest's.
    fn new(proxy: &'static GoProxy) -> Result<Stack, String> {
        use crate::http::tls::{client_config, TlsSettings};
        let tls = client_config(&TlsSettings::default())?;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("fluxverify")
            .tls_backend_preconfigured(rustls::ClientConfig::clone(&tls))
            .proxy(reqwest::Proxy::custom(move |url| proxy.proxy_url(url)))
            .build()
            .map_err(|e| format!("cannot set up the revocation HTTP client: {e}"))?;
        Ok(Stack { client, proxy })
    }

    /// Go's `http.Client.Do` for one request: follows redirects as Go's default policy does,
    /// then reads a 2xx body, all within one deadline (Go's `Client.Timeout` covers the body
    /// read too). A failure before the headers is a [`TransportError`]; one while reading the
    /// body is the response's [`BodyError`].
    async fn run(&self, job: &Job) -> Result<Response, TransportError> {
        let method = job.method.as_str();
        let deadline = tokio::time::Instant::now() + job.timeout;
        // The URL of the request in flight: Go's `*url.Error` names it.
        let mut current = job.url.clone();
        let outcome = tokio::time::timeout_at(deadline, self.exchange(job, &mut current)).await;
        match outcome {
            Ok(Ok(response)) => {
                let status = response.status().as_u16();
                if !(200..300).contains(&status) {
                    return Ok(Response::Failure { status });
                }
                let read = read_body(response, job.max_body);
                let body = match tokio::time::timeout_at(deadline, read).await {
                    Ok(body) => body,
                    Err(_) => Err(BodyError::Timeout),
                };
                Ok(Response::Success { status, body })
            }
            Ok(Err((url, reason))) => Err(TransportError::Failed {
                method,
                url: url.unwrap_or(current),
                reason,
            }),
            Err(_) => Err(TransportError::Timeout {
                method,
                url: current,
            }),
        }
    }

    /// The exchange up to the final response's headers. The error is the reason and, where Go
    /// names another URL than the one in flight, that URL.
    async fn exchange(
        &self,
        job: &Job,
        current: &mut String,
    ) -> Result<reqwest::Response, (Option<String>, String)> {
        let mut url = Url::parse(current.as_str()).map_err(|e| (None, e.to_string()))?;
        let mut method = job.method;
        let mut body = job.body.clone();
        let mut referer: Option<HeaderValue> = None;
        let mut made = 0usize;
        loop {
            if self.proxy.refuses(&url) {
                return Err((None, CGI_REFUSAL.to_string()));
            }
            let mut builder = match method {
                Method::Get => self.client.get(url.clone()),
                Method::Post => self.client.post(url.clone()),
            };
            // Go copies the caller's headers to every hop, the content type too.
            if let Some(content_type) = &job.content_type {
                builder = builder.header(CONTENT_TYPE, content_type.as_str());
            }
            if let (Some(bytes), Method::Post) = (&body, method) {
                builder = builder.body(bytes.clone());
            }
            if let Some(referer) = &referer {
                builder = builder.header(REFERER, referer.clone());
            }
            made += 1;
            let response = builder.send().await.map_err(|e| {
                let proxy_addr = self.proxy.proxy_for(&url).then(|| self.proxy.addr(&url));
                let dialled = match &proxy_addr {
                    Some(addr) => Dialled::Proxy(addr),
                    None => Dialled::Direct,
                };
                (None, send_cause(&e, &url, dialled))
            })?;
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get(LOCATION)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .filter(|v| !v.is_empty());
            if let (true, Some(location)) = (matches!(status, 301..=303 | 307 | 308), location) {
                // Go: a relative Location is resolved against the request URL; 301/302/303 turn
                // a POST into a GET without body, 307/308 repeat it with its body.
                let next = url.join(&location).map_err(|e| {
                    (
                        None,
                        format!("failed to parse Location header {location:?}: {e}"),
                    )
                })?;
                if matches!(status, 301..=303) {
                    method = Method::Get;
                    body = None;
                }
                if made >= MAX_REQUESTS {
                    return Err((
                        Some(location),
                        format!("stopped after {MAX_REQUESTS} redirects"),
                    ));
                }
                referer = go_referer(&url, &next);
                url = next;
                *current = url.to_string();
                continue;
            }
            return Ok(response);
        }
    }
}

/// `io.ReadAll(io.LimitReader(body, max))`: at most `max` bytes, the rest never read.
async fn read_body(mut response: reqwest::Response, max: u64) -> Result<Vec<u8>, BodyError> {
    let mut data = Vec::new();
    let cap = usize::try_from(max).unwrap_or(usize::MAX);
    while data.len() < cap {
        let chunk = response.chunk().await.map_err(|e| body_error(&e))?;
        let Some(chunk) = chunk else { break };
        let room = cap - data.len();
        data.extend_from_slice(chunk.get(..room).unwrap_or(&chunk));
    }
    Ok(data)
}

/// Go's body-read errors: a connection that ends short of `Content-Length` or of the last
/// chunk is `unexpected EOF` (hyper reports it as an `UnexpectedEof` I/O error); reqwest's
/// error chain otherwise.
fn body_error(error: &reqwest::Error) -> BodyError {
    let short = error_sources(error)
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::UnexpectedEof);
    if short {
        BodyError::Truncated
    } else {
        BodyError::Failed(error_chain(error))
    }
}

/// Go's `refererForURL`: the previous URL without credentials, none from `https` to `http`.
fn go_referer(last: &Url, next: &Url) -> Option<HeaderValue> {
    if last.scheme() == "https" && next.scheme() == "http" {
        return None;
    }
    let mut last = last.clone();
    let _ = last.set_username("");
    let _ = last.set_password(None);
    HeaderValue::from_str(last.as_str()).ok()
}

const CGI_REFUSAL: &str =
    "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy";

/// Go's `http.ProxyFromEnvironment` (golang.org/x/net/http/httpproxy) for `http://` and
/// `https://` URLs, read once per process as Go reads it: `HTTP_PROXY`/`http_proxy` and
/// `HTTPS_PROXY`/`https_proxy` (upper case first; `ALL_PROXY` is not Go's), `NO_PROXY`/`no_proxy`
/// with Go's matching (`*`, CIDRs, IPs and domains with optional ports, `.domain` and
/// `*.domain` for subdomains, a bare domain for itself and its subdomains), never a proxy for
/// `localhost` or loopback addresses, and in a CGI environment (`REQUEST_METHOD` set) a refusal
/// to use `HTTP_PROXY`. reqwest's own environment proxy differs on all of these but the first.
#[derive(Debug, Clone, Default)]
pub(crate) struct GoProxy {
    http: Option<Url>,
    https: Option<Url>,
    all: bool,
    ips: Vec<(IpMatch, Option<String>)>,
    domains: Vec<DomainMatch>,
    cgi: bool,
}

#[derive(Debug, Clone)]
enum IpMatch {
    Net(IpAddr, u8),
    Ip(IpAddr),
}

#[derive(Debug, Clone)]
struct DomainMatch {
    /// With its leading dot.
    suffix: String,
    port: Option<String>,
    /// A bare `domain` also matches `domain` itself.
    exact_too: bool,
}

impl GoProxy {
    /// The environment's rules, read on the first call (Go's `envProxyFunc` reads them once).
    fn from_env_once() -> &'static GoProxy {
        static PROXY: OnceLock<GoProxy> = OnceLock::new();
        PROXY.get_or_init(GoProxy::from_env)
    }

    /// The proxy for `url`, if it goes through one.
    fn proxy_url(&self, url: &Url) -> Option<Url> {
        if !self.proxy_for(url) {
            return None;
        }
        match url.scheme() {
            "https" => self.https.clone(),
            _ => self.http.clone(),
        }
    }

    fn from_env() -> GoProxy {
        let var = |names: &[&str]| {
            names
                .iter()
                .filter_map(|n| std::env::var(n).ok())
                .find(|v| !v.is_empty())
                .unwrap_or_default()
        };
        GoProxy::parse(
            &var(&["HTTP_PROXY", "http_proxy"]),
            &var(&["HTTPS_PROXY", "https_proxy"]),
            &var(&["NO_PROXY", "no_proxy"]),
            std::env::var("REQUEST_METHOD").is_ok_and(|v| !v.is_empty()),
        )
    }

    /// `httpproxy.Config.init`.
    pub(crate) fn parse(http: &str, https: &str, no_proxy: &str, cgi: bool) -> GoProxy {
        let mut proxy = GoProxy {
            http: parse_proxy(http),
            https: parse_proxy(https),
            cgi,
            ..GoProxy::default()
        };
        for entry in no_proxy.split(',') {
            let entry = entry.trim().to_ascii_lowercase();
            if entry.is_empty() {
                continue;
            }
            if entry == "*" {
                proxy.all = true;
                proxy.ips.clear();
                proxy.domains.clear();
                return proxy;
            }
            if let Some((ip, bits)) = parse_cidr(&entry) {
                proxy.ips.push((IpMatch::Net(ip, bits), None));
                continue;
            }
            let (host, port) = match split_host_port(&entry) {
                Some((host, port)) => {
                    if host.is_empty() {
                        continue;
                    }
                    (
                        host.to_string(),
                        Some(port.to_string()).filter(|p| !p.is_empty()),
                    )
                }
                None => (entry.clone(), None),
            };
            if let Ok(ip) = host.parse::<IpAddr>() {
                proxy.ips.push((IpMatch::Ip(ip), port));
                continue;
            }
            let host = host
                .strip_prefix('*')
                .filter(|h| h.starts_with('.'))
                .unwrap_or(host.as_str());
            let (suffix, exact_too) = match host.strip_prefix('.') {
                Some(_) => (host.to_string(), false),
                None => (format!(".{host}"), true),
            };
            proxy.domains.push(DomainMatch {
                suffix,
                port,
                exact_too,
            });
        }
        proxy
    }

    /// Whether `url` goes through the proxy of its scheme (`proxyForURL` and `useProxy`).
    pub(crate) fn proxy_for(&self, url: &Url) -> bool {
        let configured = match url.scheme() {
            "http" => self.http.is_some() && !self.cgi,
            "https" => self.https.is_some(),
            _ => false,
        };
        configured && self.use_proxy(url)
    }

    /// Go's CGI rule: an `http://` request with `HTTP_PROXY` set fails outright.
    /// Go checks it before NO_PROXY and the loopback exemption.
    fn refuses(&self, url: &Url) -> bool {
        url.scheme() == "http" && self.http.is_some() && self.cgi
    }

    fn use_proxy(&self, url: &Url) -> bool {
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_ascii_lowercase(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return true,
        };
        let port = url.port_or_known_default().map(|p| p.to_string());
        if host == "localhost" {
            return false;
        }
        let ip = host.parse::<IpAddr>().ok();
        if ip.is_some_and(|ip| ip.is_loopback()) {
            return false;
        }
        if self.all {
            return false;
        }
        if let Some(ip) = ip {
            let hit = self.ips.iter().any(|(m, p)| {
                let ip_hit = match m {
                    IpMatch::Net(net, bits) => cidr_contains(*net, *bits, ip),
                    IpMatch::Ip(m) => *m == ip,
                };
                ip_hit && (p.is_none() || *p == port)
            });
            if hit {
                return false;
            }
        }
        let hit = self.domains.iter().any(|d| {
            (host.ends_with(&d.suffix) || (d.exact_too && host == d.suffix[1..]))
                && (d.port.is_none() || d.port == port)
        });
        !hit
    }

    /// `host:port` of the proxy for `url`, as Go's dial error names it.
    fn addr(&self, url: &Url) -> String {
        self.proxy_url(url).map_or_else(String::new, |p| {
            format!(
                "{}:{}",
                p.host_str().unwrap_or_default(),
                p.port_or_known_default().unwrap_or(80)
            )
        })
    }
}

/// `httpproxy.parseProxy`: a full URL, or `host[:port]` taken as `http://host[:port]`.
fn parse_proxy(value: &str) -> Option<Url> {
    if value.is_empty() {
        return None;
    }
    match Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https" | "socks5") => Some(url),
        _ => Url::parse(&format!("http://{value}")).ok(),
    }
}

fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (ip, bits) = text.split_once('/')?;
    let ip: IpAddr = ip.parse().ok()?;
    let bits: u8 = bits.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

fn cidr_contains(net: IpAddr, bits: u8, ip: IpAddr) -> bool {
    let (net, ip, width) = match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => (u32::from(n) as u128, u32::from(i) as u128, 32),
        (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), 128),
        // Go reads an IPv4-mapped IPv6 address as the IPv4 address.
        (IpAddr::V4(n), IpAddr::V6(i)) => match i.to_ipv4_mapped() {
            Some(i) => (u32::from(n) as u128, u32::from(i) as u128, 32),
            None => return false,
        },
        // A network written in IPv6 never holds an IPv4 address (`net.IPNet.Contains`).
        (IpAddr::V6(_), IpAddr::V4(_)) => return false,
    };
    if bits == 0 {
        return true;
    }
    let shift = width - u32::from(bits);
    (net >> shift) == (ip >> shift)
}

/// `net.SplitHostPort` for NO_PROXY entries: `host:port` or `[v6]:port`.
fn split_host_port(text: &str) -> Option<(&str, &str)> {
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = after.strip_prefix(':')?;
        return Some((host, port));
    }
    let (host, port) = text.rsplit_once(':')?;
    if host.contains(':') {
        return None;
    }
    Some((host, port))
}

#[cfg(test)]
mod tests;
