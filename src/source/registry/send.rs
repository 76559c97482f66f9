//! Sending a request: counted, logged, authorized for the registry's own origin only, a `401`
//! challenge answered once, redirects followed by hand, a failing status turned into the
//! registry's error text, and the whole exchange under the request deadline.

use super::body::{read_capped, Excess};
use super::error::{status_detail, RegistryError, RequestLine};
use super::transport::{HttpRequest, HttpResponse};
use super::{auth, logged, Inner};
use crate::inflight;
use reqwest::{Method, Url};

/// How much of an error response oras-go reads (`maxErrorBytes`).
const MAX_ERROR_BODY: u64 = 8 * 1024;
/// How many redirects one request may take (Go's `http.Client` default).
const MAX_REDIRECTS: usize = 10;

impl Inner {
    fn pull_scope(&self) -> String {
        format!("repository:{}:pull", self.repository)
    }

    fn same_origin(&self, url: &Url) -> bool {
        url.scheme() == self.base.scheme()
            && url.host_str() == self.base.host_str()
            && url.port_or_known_default() == self.base.port_or_known_default()
    }

    /// Sends one request through the transport, counting it.
    pub(super) async fn send_raw(
        &self,
        request: HttpRequest,
    ) -> Result<HttpResponse, RegistryError> {
        self.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let line = RequestLine::of(&request);
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
                Err(RegistryError::Send {
                    request: line,
                    cause: detail,
                })
            }
        }
    }

    /// Sends a request to the registry: authorization attached for the registry's own origin
    /// only, one retry after a `401` challenge, redirects followed by hand so that credentials
    /// never travel to another host. Returns the final response and its request line.
    pub(super) async fn send(
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
            let line = RequestLine::of(&outgoing);
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

    /// oras-go's `ParseErrorResponse`: the registry's `errors`, or the status text.
    pub(super) async fn status_error(
        &self,
        response: HttpResponse,
        request: RequestLine,
    ) -> RegistryError {
        let status = response.status;
        let body = read_capped(response.body, MAX_ERROR_BODY, Excess::Ignore, &request)
            .await
            .unwrap_or_default();
        RegistryError::Status {
            request,
            status,
            detail: status_detail(status, &body),
        }
    }

    /// Runs one request-level operation under the request deadline.
    pub(super) async fn deadline<T>(
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
}
