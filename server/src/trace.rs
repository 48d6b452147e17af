//! Request logging with one span shape for both request paths (the router's `TraceLayer` and
//! the direct stream writer), so a log line reads the same whoever served the request.

use axum::body::Body;
use axum::http::{Request, Response};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tracing::Span;

/// A process-wide request number, set as a request extension by the listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RequestId(pub(crate) u64);

impl RequestId {
    /// The next request number.
    pub(crate) fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }

    /// The id the listener gave `request`, or a fresh one (a router used without the
    /// listener, as in some tests).
    pub(crate) fn of<B>(request: &Request<B>) -> Self {
        request
            .extensions()
            .get::<RequestId>()
            .copied()
            .unwrap_or_else(Self::next)
    }
}

/// The span every request is handled in: `request{id, method, path}`.
pub(crate) fn request_span(id: RequestId, method: &str, path: &str) -> Span {
    tracing::debug_span!("request", id = id.0, method, path)
}

/// Logs a request's answer inside its span: status and time to the response head.
pub(crate) fn log_response(status: u16, latency: Duration) {
    tracing::debug!(status, ms = latency.as_secs_f64() * 1e3, "response");
}

/// The router's tracing layer type: [`request_span`] and [`log_response`] as its callbacks.
pub(crate) type RouterTrace = tower_http::trace::TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    fn(&Request<Body>) -> Span,
    tower_http::trace::DefaultOnRequest,
    fn(&Response<Body>, Duration, &Span),
>;

/// The router's tracing layer, logging through [`request_span`] and [`log_response`].
pub(crate) fn layer() -> RouterTrace {
    fn span(request: &Request<Body>) -> Span {
        request_span(
            RequestId::of(request),
            request.method().as_str(),
            request.uri().path(),
        )
    }
    fn response(response: &Response<Body>, latency: Duration, _: &Span) {
        log_response(response.status().as_u16(), latency)
    }
    tower_http::trace::TraceLayer::new_for_http()
        .make_span_with(span as fn(&Request<Body>) -> Span)
        .on_response(response as fn(&Response<Body>, Duration, &Span))
}
