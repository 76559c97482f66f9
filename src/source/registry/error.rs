//! The registry stage's errors. Their texts are oras-go v2.6.1's and notation-go v1.3.2's where
//! those libraries produce the same failure, because Flux prints them verbatim in the
//! `SourceVerified` condition; a registry's own error response is rendered as oras-go renders
//! it, for the same reason.

use std::fmt;

use super::transport::HttpRequest;
use super::wire::decode_first_json;
use crate::golang::quote::go_quote;
use serde::Deserialize;

/// Which HTTP request a failure belongs to: Go prints `<METHOD> "<url>"` in front of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLine {
    /// HTTP method.
    pub method: String,
    /// Full request URL.
    pub url: String,
}

impl RequestLine {
    /// The line of `request`.
    pub(crate) fn of(request: &HttpRequest) -> RequestLine {
        RequestLine {
            method: request.method.to_string(),
            url: request.url.to_string(),
        }
    }
}

impl fmt::Display for RequestLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, go_quote(&self.url))
    }
}

/// Everything that can go wrong while talking to a registry.
///
/// Cloneable because prefetched results are shared between the task that fetched them and the
/// verifier that later asks for them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// A reference could not be parsed or is not usable here.
    #[error("{0}")]
    InvalidReference(String),
    /// The registry has no such manifest or blob (404).
    #[error("{reference}: not found")]
    NotFound {
        /// Reference or digest as oras-go prints it.
        reference: String,
    },
    /// An unexpected HTTP status, with the registry's error codes when it sent any.
    #[error("{request}: response status code {status}: {detail}")]
    Status {
        /// The failing request.
        request: RequestLine,
        /// HTTP status code.
        status: u16,
        /// The registry's `errors` rendered as oras-go does, or the status text.
        detail: String,
    },
    /// A manifest HEAD/GET without `Content-Length`.
    #[error("{request}: unknown response Content-Length")]
    UnknownContentLength {
        /// The failing request.
        request: RequestLine,
    },
    /// A response `Content-Type` that cannot be parsed.
    #[error("{request}: invalid response `Content-Type` header; {detail}")]
    InvalidContentType {
        /// The failing request.
        request: RequestLine,
        /// Why it could not be parsed.
        detail: String,
    },
    /// A `Docker-Content-Digest` header that is not a digest.
    #[error("{request}: invalid response header: `Docker-Content-Digest: {value}`")]
    InvalidDigestHeader {
        /// The failing request.
        request: RequestLine,
        /// The header's value.
        value: String,
    },
    /// `Docker-Content-Digest` names different content than was asked for.
    #[error(
        "{request}: invalid response; digest mismatch in Docker-Content-Digest: received {} when expecting {}",
        go_quote(received),
        go_quote(expected)
    )]
    DigestHeaderMismatch {
        /// The failing request.
        request: RequestLine,
        /// Digest in the header.
        received: String,
        /// Digest asked for.
        expected: String,
    },
    /// A manifest served with another media type than its descriptor names.
    #[error(
        "{request}: mismatch response Content-Type {}: expect {}",
        go_quote(received),
        go_quote(expected)
    )]
    ContentTypeMismatch {
        /// The failing request.
        request: RequestLine,
        /// Media type served.
        received: String,
        /// Media type of the descriptor.
        expected: String,
    },
    /// `Content-Length` differs from the descriptor's size.
    #[error("{request}: mismatch Content-Length")]
    ContentLengthMismatch {
        /// The failing request.
        request: RequestLine,
    },
    /// The body ended before the descriptor's size was reached.
    #[error("read failed: expected content size of {expected}, got {got}, for digest {digest}: unexpected EOF")]
    ShortContent {
        /// Size of the descriptor.
        expected: u64,
        /// Bytes received.
        got: u64,
        /// Digest of the descriptor.
        digest: String,
    },
    /// The body went on past the descriptor's size.
    #[error("trailing data")]
    TrailingData,
    /// The bytes received do not hash to the descriptor's digest.
    #[error("mismatched digest")]
    MismatchedDigest,
    /// A descriptor whose digest is not a supported `algorithm:hex` value.
    #[error("invalid digest {}: unsupported digest algorithm or malformed hex", go_quote(.0))]
    InvalidDigest(String),
    /// A signature manifest descriptor that is neither an OCI image manifest nor an artifact manifest.
    #[error("sigManifestDesc.MediaType requires \"application/vnd.oci.artifact.manifest.v1+json\" or \"application/vnd.oci.image.manifest.v1+json\", got {}", go_quote(.0))]
    SignatureManifestMediaType(String),
    /// A signature manifest over notation's 4 MiB limit.
    #[error("signature manifest too large: {0} bytes")]
    SignatureManifestTooLarge(u64),
    /// A signature manifest without exactly one envelope layer.
    #[error("signature manifest requries exactly one signature envelope blob, got {0}")]
    EnvelopeCount(usize),
    /// An envelope over notation's 32 MiB limit.
    #[error("signature blob too large: {0} bytes")]
    EnvelopeTooLarge(u64),
    /// A referrers tag index over the 4 MiB metadata limit.
    #[error("failed to read referrers index from referrers tag {tag}: content size {size} exceeds MaxMetadataBytes {limit}: size exceeds limit")]
    ReferrersIndexTooLarge {
        /// The `sha256-<hex>` tag.
        tag: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A referrers tag index that is not an image index.
    #[error("failed to decode referrers index from referrers tag {tag}: {detail}")]
    ReferrersIndexDecode {
        /// The `sha256-<hex>` tag.
        tag: String,
        /// The JSON error.
        detail: String,
    },
    /// A response body that does not decode.
    #[error("{request}: failed to decode response: {detail}")]
    Decode {
        /// The failing request.
        request: RequestLine,
        /// The JSON error.
        detail: String,
    },
    /// A manifest that does not decode.
    #[error("failed to decode manifest {digest}: {detail}")]
    ManifestDecode {
        /// Digest of the manifest.
        digest: String,
        /// The JSON error.
        detail: String,
    },
    /// A malformed `Link` header.
    #[error("invalid next link {}: {detail}", go_quote(link))]
    InvalidLink {
        /// The header value.
        link: String,
        /// What is wrong with it.
        detail: String,
    },
    /// The registry kept returning further referrers pages.
    #[error("{request}: referrers listing exceeded {limit} pages; giving up")]
    TooManyPages {
        /// The last request.
        request: RequestLine,
        /// The page limit.
        limit: usize,
    },
    /// A response that is larger than fluxverify is willing to read.
    #[error("{request}: response body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The failing request.
        request: RequestLine,
        /// The byte limit.
        limit: u64,
    },
    /// Too many redirects, or a redirect without a usable `Location`.
    #[error("{request}: {detail}")]
    Redirect {
        /// The failing request.
        request: RequestLine,
        /// What went wrong.
        detail: String,
    },
    /// The request did not complete within its deadline.
    #[error("{request}: no complete response from {host} within {deadline:?}")]
    Timeout {
        /// The failing request.
        request: RequestLine,
        /// Host that did not answer in time.
        host: String,
        /// The deadline.
        deadline: std::time::Duration,
    },
    /// No response: the connection, the TLS handshake or the request failed, worded as Go's
    /// `*url.Error` (`Head "https://...": dial tcp ...`), as oras-go returns it.
    #[error("{}", crate::http::errors::url_error(&request.method, &request.url, cause))]
    Send {
        /// The failing request.
        request: RequestLine,
        /// Go's text for the cause (`crate::http::errors::send_cause`).
        cause: String,
    },
    /// A response body that could not be read to its end.
    #[error("{request}: {detail}")]
    Transport {
        /// The failing request.
        request: RequestLine,
        /// The underlying error, with its causes.
        detail: String,
    },
    /// A response without a header oras-go requires.
    #[error("HTTP {method} request missing required header \"Docker-Content-Digest\"")]
    MissingDigestHeader {
        /// HTTP method.
        method: String,
    },
    /// Authentication could not be completed.
    #[error("{0}")]
    Auth(String),
    /// The client could not be set up (CA file, TLS configuration).
    #[error("{0}")]
    Config(String),
}

impl RegistryError {
    /// True when the registry answered that the content does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, RegistryError::NotFound { .. })
    }
}

impl crate::source::SourceError for RegistryError {
    fn is_unavailable(&self) -> bool {
        match self {
            RegistryError::Status { status, .. } => {
                matches!(status, 401 | 403 | 429) || (500..600).contains(status)
            }
            RegistryError::Timeout { .. }
            | RegistryError::Send { .. }
            | RegistryError::Transport { .. }
            | RegistryError::Auth(_)
            | RegistryError::Config(_) => true,
            _ => false,
        }
    }
}

/// A registry's error response body, distribution's `errcode.Errors`.
#[derive(Debug, Deserialize, Default)]
struct RawErrors {
    #[serde(default)]
    errors: Vec<RawError>,
}

/// One entry of [`RawErrors`].
#[derive(Debug, Deserialize, Default)]
pub(super) struct RawError {
    #[serde(default)]
    pub(super) code: String,
    #[serde(default)]
    pub(super) message: String,
    #[serde(default)]
    pub(super) detail: Option<serde_json::Value>,
}

/// oras-go's `ParseErrorResponse` text for a response of `status` whose body began with `body`:
/// the registry's `errors`, or the status text.
pub(super) fn status_detail(status: u16, body: &[u8]) -> String {
    let errors: Vec<RawError> = decode_first_json::<RawErrors>(body)
        .map(|e| e.errors)
        .unwrap_or_default();
    if errors.is_empty() {
        status_text(status).to_owned()
    } else {
        errors
            .iter()
            .map(render_error_code)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// errcode `Error.Error()`: the code lower-cased with `_` as spaces, then message and detail.
pub(super) fn render_error_code(e: &RawError) -> String {
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
