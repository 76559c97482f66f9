//! The `registry request` log line. A request is complete when its body has been read (or
//! dropped unread, as after a HEAD or an error status), so the line is written then, with the
//! bytes actually read. Its time runs from sending to the last thing received (the headers, or
//! the body's last chunk or end), not to the drop: a `401` body is kept, unread, while its
//! challenge is answered, and that wait is not the request's.

use super::transport::Body;
use super::RequestLine;
use futures::Stream;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

/// `body`, counting its bytes, and logging the request once it is finished with.
pub(super) fn body(body: Body, line: &RequestLine, status: u16, started: Instant) -> Body {
    Box::pin(LoggedBody {
        inner: body,
        method: line.method.clone(),
        url: crate::logging::redacted_url(&line.url),
        status,
        bytes: 0,
        started,
        ms: crate::logging::elapsed_ms(started),
        error: None,
    })
}

struct LoggedBody {
    inner: Body,
    method: String,
    url: String,
    status: u16,
    bytes: u64,
    started: Instant,
    /// Milliseconds from sending to the last thing received.
    ms: f64,
    /// Why reading the body stopped, when it failed half-way.
    error: Option<String>,
}

impl Stream for LoggedBody {
    type Item = Result<Vec<u8>, String>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = self.inner.as_mut().poll_next(cx);
        match &next {
            Poll::Ready(Some(Ok(chunk))) => self.bytes += chunk.len() as u64,
            Poll::Ready(Some(Err(e))) => self.error = Some(e.clone()),
            Poll::Ready(None) => {}
            Poll::Pending => return next,
        }
        self.ms = crate::logging::elapsed_ms(self.started);
        next
    }
}

impl Drop for LoggedBody {
    fn drop(&mut self) {
        let outcome = match self.error {
            Some(_) => "registry request failed reading the body",
            None => "registry request",
        };
        // An `Option` field is recorded only when it is `Some`.
        tracing::info!(target: "fluxverify::registry",
            method = %self.method,
            url = %self.url,
            status = self.status,
            bytes = self.bytes,
            ms = self.ms,
            error = self.error.as_deref(),
            "{outcome}"
        );
    }
}
