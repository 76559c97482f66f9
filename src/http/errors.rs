//! Failed requests in Go's words. Go's `http.Client` wraps a failure in a `*url.Error`
//! (`Head "https://host/v2/...": <cause>`), and the common causes have fixed texts: a refused
//! dial (`dial tcp 127.0.0.1:5000: connect: connection refused`), a name that does not resolve
//! (`dial tcp: lookup host: no such host`), a plain-HTTP server asked for TLS
//! (`http: server gave HTTP response to HTTPS client`). reqwest, hyper and rustls word them
//! otherwise; the texts here are rebuilt from the error's kind, and anything without a Go
//! counterpart keeps reqwest's chain.

use crate::golang::quote::go_quote;
use reqwest::Url;

/// Go's `http.ErrSchemeMismatch`: the first bytes of the TLS server's answer were `HTTP/`.
pub const SCHEME_MISMATCH: &str = "http: server gave HTTP response to HTTPS client";

/// An error with its sources, `: `-separated, as Go's wrapped errors print.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// `error` and each of its sources, outermost first.
pub fn error_sources<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |e| e.source())
}

/// Go's `*url.Error` text: `<Op> "<url>": <cause>`, where Op is the method as `urlErrorOp`
/// writes it (`Head`, `Get`, `Post`).
pub fn url_error(method: &str, url: &str, cause: &str) -> String {
    let mut op = String::with_capacity(method.len());
    let mut chars = method.chars();
    if let Some(first) = chars.next() {
        op.push(first);
        op.extend(chars.flat_map(char::to_lowercase));
    }
    format!("{op} {}: {cause}", go_quote(url))
}

/// Where a failed request was dialled: the server itself, or the proxy that Go's
/// `ProxyFromEnvironment` picked for it (`host:port`).
#[derive(Debug, Clone, Copy)]
pub enum Dialled<'a> {
    /// The URL's own host and port.
    Direct,
    /// A proxy at this address.
    Proxy(&'a str),
    /// Perhaps a proxy, chosen by reqwest's own rules, which do not say which: dial and lookup
    /// failures keep reqwest's chain rather than a Go text naming the wrong address.
    Unknown,
}

/// The cause Go would give for a request that got no response: the dial and lookup texts of
/// `net.OpError` and `net.DNSError`, `http.ErrSchemeMismatch`; reqwest's chain otherwise.
///
/// Go names the address it dialled, which for a name is the resolved one (`[::1]:5000` for
/// `localhost`); the resolved address is not in reqwest's error, so a refused dial to a name
/// is named by the URL's host and port.
pub fn send_cause(error: &reqwest::Error, url: &Url, dialled: Dialled<'_>) -> String {
    let host = url.host_str().unwrap_or_default();
    let io = error_sources(error).find_map(|e| e.downcast_ref::<std::io::Error>());
    let chain = error_chain(error);
    if error.is_connect() {
        // A failed handshake comes as a connect error too, an I/O error around rustls' own;
        // through a proxy's tunnel the handshake is still the server's.
        if let Some(tls) = rustls_error(error) {
            return tls_cause(tls).unwrap_or(chain);
        }
        if matches!(dialled, Dialled::Unknown) {
            return chain;
        }
        if chain.contains("dns error") {
            return dns_cause(host, io.map(|e| e.to_string()).unwrap_or_default().as_str());
        }
        if let Some(io) = io {
            let addr = match dialled {
                Dialled::Proxy(addr) => addr.to_owned(),
                Dialled::Direct | Dialled::Unknown => {
                    format!("{host}:{}", url.port_or_known_default().unwrap_or(80))
                }
            };
            let dial = match io.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    format!("dial tcp {addr}: connect: connection refused")
                }
                _ => format!("dial tcp {addr}: {io}"),
            };
            // Go's transport wraps a failed dial of the proxy in `proxyconnect tcp: …`.
            return match dialled {
                Dialled::Proxy(_) => format!("proxyconnect tcp: {dial}"),
                Dialled::Direct | Dialled::Unknown => dial,
            };
        }
    }
    chain
}

/// The rustls error behind `error`, if the handshake failed. An I/O error's `source` skips the
/// error it wraps, and the TLS stack may wrap one I/O error in another, so each is opened.
fn rustls_error(error: &reqwest::Error) -> Option<&rustls::Error> {
    fn inside<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let inner = e.downcast_ref::<std::io::Error>()?.get_ref()?;
        inside(inner)
    }
    error_sources(error).find_map(inside)
}

/// Go's text for the handshake failures that have one without details rustls does not keep.
///
/// A first record of an invalid content type is what a plain-HTTP server's `HTTP/1.1 400 ...`
/// looks like. Go tells that case apart by the record's first five bytes (`HTTP/`); rustls does
/// not keep them, so any such record counts (Go: `tls: first record does not look like a TLS
/// handshake` for one that is neither). Other certificate failures keep rustls' words: Go's
/// (`x509: certificate has expired or is not yet valid: current time ...`, `x509: certificate
/// is valid for ..., not ...`) need details the error does not carry.
fn tls_cause(error: &rustls::Error) -> Option<String> {
    match error {
        rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => {
            Some(SCHEME_MISMATCH.to_owned())
        }
        rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => Some(
            "tls: failed to verify certificate: x509: certificate signed by unknown authority"
                .to_owned(),
        ),
        _ => None,
    }
}

/// Go's `lookup <host>: no such host` when the name does not exist (`EAI_NONAME`, `EAI_NODATA`);
/// the resolver's own words otherwise.
fn dns_cause(host: &str, io_text: &str) -> String {
    let detail = io_text
        .strip_prefix("failed to lookup address information: ")
        .unwrap_or(io_text);
    let missing = [
        "Name or service not known",
        "No address associated with hostname",
        "nodename nor servname provided, or not known",
        "No such host is known",
    ]
    .iter()
    .any(|m| detail.contains(m));
    if missing || detail.is_empty() {
        format!("dial tcp: lookup {host}: no such host")
    } else {
        format!("dial tcp: lookup {host}: {detail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_error_op_is_the_method_capitalised_as_go_writes_it() {
        assert_eq!(
            url_error("HEAD", "https://r.test/v2/a/manifests/v1", "boom"),
            "Head \"https://r.test/v2/a/manifests/v1\": boom"
        );
        assert_eq!(url_error("GET", "http://x/", "e"), "Get \"http://x/\": e");
        assert_eq!(url_error("POST", "http://x/", "e"), "Post \"http://x/\": e");
    }

    #[test]
    fn lookup_failures_name_the_host() {
        assert_eq!(
            dns_cause(
                "r.test",
                "failed to lookup address information: Name or service not known"
            ),
            "dial tcp: lookup r.test: no such host"
        );
        assert_eq!(
            dns_cause(
                "r.test",
                "failed to lookup address information: Temporary failure in name resolution"
            ),
            "dial tcp: lookup r.test: Temporary failure in name resolution"
        );
    }
}
