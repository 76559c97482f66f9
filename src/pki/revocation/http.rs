//! The HTTP side of revocation checking: a small blocking transport trait (so tests can count
//! or refuse requests) and its `ureq` implementation with hard timeouts and byte caps.
//!
//! Go's `http.Client{Timeout: …}` bounds the whole exchange, body included; `ureq`'s global
//! timeout does the same. Go reads bodies through `io.LimitReader`, so an oversized body is cut,
//! not refused: the caller decides what a body of exactly the cap means.

use std::io::Read;
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

/// A response: status code and (possibly cut) body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Body, at most `max_body` bytes.
    pub body: Vec<u8>,
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
    /// Anything else (DNS, refused connection, protocol error, body read error).
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

/// The production transport: `ureq`, plain HTTP only (notation refuses other schemes before a
/// request is made), proxies from the environment as Go's default transport does.
#[derive(Debug, Default, Clone, Copy)]
pub struct UreqTransport;

impl Transport for UreqTransport {
    fn send(&self, request: &Request<'_>) -> Result<Response, TransportError> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(request.timeout))
            .http_status_as_error(false)
            .user_agent("fluxverify")
            .build()
            .into();
        let failed = |reason: String| TransportError::Failed {
            method: request.method.as_str(),
            url: request.url.to_string(),
            reason,
        };
        let map_err = |e: ureq::Error| match e {
            ureq::Error::Timeout(_) => TransportError::Timeout {
                method: request.method.as_str(),
                url: request.url.to_string(),
            },
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                TransportError::Timeout {
                    method: request.method.as_str(),
                    url: request.url.to_string(),
                }
            }
            other => failed(go_reason(request.url, &other)),
        };
        let result = match request.method {
            Method::Get => agent.get(request.url).call(),
            Method::Post => {
                let mut builder = agent.post(request.url);
                if let Some(content_type) = request.content_type {
                    builder = builder.header("Content-Type", content_type);
                }
                builder.send(request.body.unwrap_or_default())
            }
        };
        let mut response = result.map_err(map_err)?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(request.max_body)
            .read_to_end(&mut body)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::TimedOut {
                    TransportError::Timeout {
                        method: request.method.as_str(),
                        url: request.url.to_string(),
                    }
                } else {
                    failed(e.to_string())
                }
            })?;
        Ok(Response { status, body })
    }
}

/// Go's wording for the common connection failures; `ureq`'s otherwise.
fn go_reason(url: &str, error: &ureq::Error) -> String {
    let host_port = url
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or_default())
        .unwrap_or_default();
    let host = host_port
        .rsplit_once(':')
        .map_or(host_port, |(host, _)| host);
    match error {
        ureq::Error::HostNotFound => format!("dial tcp: lookup {host}: no such host"),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            let addr = if host_port.contains(':') {
                host_port.to_string()
            } else {
                format!("{host_port}:80")
            };
            format!("dial tcp {addr}: connect: connection refused")
        }
        ureq::Error::ConnectionFailed => "dial tcp: connection failed".to_string(),
        other => other.to_string(),
    }
}
