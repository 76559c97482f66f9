//! The one thing the registry client needs from HTTP: send a request, get the status, headers
//! and a body *stream*. Behind a trait so the client's logic (auth, redirects, caps, digests) is
//! unit-tested against a fake, and against real servers in the integration tests.
//!
//! reqwest is used directly rather than through oci-client because oci-client reads every
//! manifest and error body with `bytes()` and no cap (rust-oci-client#206), ignores `Link`
//! pagination, follows redirects itself, and pings `/v2/` before each new scope, an extra round
//! trip per verification. The caps and deadlines here apply before a byte is buffered.

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::StreamExt;
use reqwest::header::HeaderMap;
use reqwest::{Method, Url};
use std::sync::Arc;
use std::time::Duration;

use super::lookups::HostLookups;
use crate::http::errors::{error_chain, send_cause, Dialled};
pub use crate::http::tls::TlsSettings;

/// A response body, chunk by chunk, so that callers can stop reading at a byte cap.
pub type Body = BoxStream<'static, Result<Vec<u8>, String>>;

/// An HTTP request as the registry client builds it.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// The HTTP method.
    pub method: Method,
    /// The absolute URL.
    pub url: Url,
    /// Request headers in the order they were added.
    pub headers: Vec<(&'static str, String)>,
    /// `application/x-www-form-urlencoded` body (token requests only).
    pub form: Option<Vec<(String, String)>>,
}

impl HttpRequest {
    /// A request without headers or body.
    pub fn new(method: Method, url: Url) -> Self {
        HttpRequest {
            method,
            url,
            headers: Vec::new(),
            form: None,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// Status, headers and the unread body.
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body, not yet read.
    pub body: Body,
}

impl HttpResponse {
    /// A header's value as text, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends one HTTP request without following redirects.
pub trait Transport: Send + Sync {
    /// Sends `request`; the error is the transport failure as text (refused, reset, TLS).
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, Result<HttpResponse, String>>;
}

/// reqwest with redirects switched off (the client follows them itself, deciding per hop whether
/// credentials may go along) and no automatic proxy-less surprises: proxies come from the
/// environment as reqwest reads them. Names are looked up through the run's [`HostLookups`].
/// The TLS configuration is the process-wide one for these
/// settings ([`crate::http::tls::client_config`]), so building a client reads no root certificates.
pub(crate) struct HttpTransport {
    client: reqwest::Client,
}

impl HttpTransport {
    pub(crate) fn new(
        tls: &TlsSettings,
        connect_timeout: Duration,
        user_agent: &str,
        lookups: &HostLookups,
    ) -> Result<Self, String> {
        let config = crate::http::tls::client_config(tls)?;
        let client = reqwest::Client::builder()
            .dns_resolver(lookups.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(connect_timeout)
            .user_agent(user_agent.to_owned())
            .tls_backend_preconfigured(rustls::ClientConfig::clone(&config))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {}", error_chain(&e)))?;
        Ok(HttpTransport { client })
    }
}

impl Transport for HttpTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, Result<HttpResponse, String>> {
        let url = request.url.clone();
        let mut builder = self.client.request(request.method, request.url);
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        if let Some(form) = request.form {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form)
                .finish();
            builder = builder
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body);
        }
        Box::pin(async move {
            // reqwest picks a proxy by its own rules and does not say which one it dialled.
            let dialled = match proxy_configured() {
                true => Dialled::Unknown,
                false => Dialled::Direct,
            };
            let response = builder
                .send()
                .await
                .map_err(|e| send_cause(&e, &url, dialled))?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response
                .bytes_stream()
                .map(|chunk| chunk.map(|b| b.to_vec()).map_err(|e| error_chain(&e)))
                .boxed();
            Ok(HttpResponse {
                status,
                headers,
                body,
            })
        })
    }
}

/// A transport whose requests are registered in the current run's tracker from when they are
/// sent until their body is read or dropped.
pub(crate) struct Tracked(pub(crate) Arc<dyn Transport>);

impl Transport for Tracked {
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, Result<HttpResponse, String>> {
        // Registered here, in the caller's task, where the run's tracker is current.
        let Some(guard) = crate::inflight::request(request.method.as_str(), &request.url) else {
            return self.0.send(request);
        };
        let sent = self.0.send(request);
        Box::pin(async move {
            let mut response = sent.await?;
            guard.headers_arrived();
            response.body = response
                .body
                .inspect(move |chunk| {
                    if let Ok(bytes) = chunk {
                        guard.add_bytes(bytes.len());
                    }
                })
                .boxed();
            Ok(response)
        })
    }
}

/// Whether the environment names a proxy reqwest may send registry requests through.
fn proxy_configured() -> bool {
    static CONFIGURED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *CONFIGURED.get_or_init(|| {
        ["http_proxy", "https_proxy", "all_proxy"]
            .iter()
            .any(|name| {
                [name.to_string(), name.to_uppercase()]
                    .iter()
                    .any(|n| std::env::var_os(n).is_some_and(|v| !v.is_empty()))
            })
    })
}
