//! [`Gate::admit`]: yes ([`Identity`]) or no ([`Refusal`]) for one request head.

use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::net::SocketAddr;

/// Largest request head (request line and headers) admitted, in bytes.
pub const MAX_HEAD: usize = 16 * 1024;

/// Most header lines in one request head.
pub const MAX_HEADERS: usize = 48;

/// Longest request target (path and query) admitted, in bytes.
pub const MAX_URI: usize = 8 * 1024;

/// Who a request comes from, as [`Gate::admit`] established it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// No credentials were needed.
    Anonymous,
}

/// Why a request (or a connection) is turned away: a status and a message for the JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// What the client can do about it, sent as `{"error": ...}`.
    pub message: String,
    /// Seconds after which retrying may succeed (`Retry-After`), for limits that pass.
    pub retry_after: Option<u64>,
}

impl Refusal {
    /// A refusal with no `Retry-After`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The same refusal, asking the client to retry after `seconds`.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The whole HTTP/1.1 response, for a connection that is then closed (refusals the
    /// listener writes itself, before or instead of any HTTP library).
    pub(crate) fn to_http(&self) -> Vec<u8> {
        let body = self.body();
        let mut head = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            self.status.as_u16(),
            self.status.canonical_reason().unwrap_or(""),
            body.len()
        );
        if let Some(seconds) = self.retry_after {
            head.push_str(&format!("retry-after: {seconds}\r\n"));
        }
        head.push_str("connection: close\r\n\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body.as_bytes());
        bytes
    }

    fn body(&self) -> String {
        serde_json::to_string(&app::api::ApiError {
            error: self.message.clone(),
        })
        .unwrap_or_default()
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(app::api::ApiError {
                error: self.message,
            }),
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(seconds));
        }
        response
    }
}

/// What admission decisions are made from. Built once with the server's state.
#[derive(Debug, Default)]
pub struct Gate {}

impl Gate {
    /// A gate that admits every well-formed request as [`Identity::Anonymous`].
    pub fn new() -> Self {
        Self {}
    }

    /// The one admission function: every request head, on every path, is answered here.
    pub fn admit(&self, head: &Parts, peer: SocketAddr) -> Result<Identity, Refusal> {
        check_head_limits(head).inspect_err(|refusal| {
            tracing::debug!(%peer, status = refusal.status.as_u16(), "refused: {}", refusal.message);
        })?;
        Ok(Identity::Anonymous)
    }
}

/// The request-head limits: header count, target length, total size.
fn check_head_limits(head: &Parts) -> Result<(), Refusal> {
    let too_large = StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE;
    if head.headers.len() > MAX_HEADERS {
        return Err(Refusal::new(
            too_large,
            format!("more than {MAX_HEADERS} request headers"),
        ));
    }
    let target = head.uri.path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI {
        return Err(Refusal::new(
            StatusCode::URI_TOO_LONG,
            format!("request target longer than {MAX_URI} bytes"),
        ));
    }
    // Request line plus "name: value\r\n" per header.
    let size = head.method.as_str().len()
        + target
        + head
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum::<usize>();
    if size > MAX_HEAD {
        return Err(Refusal::new(
            too_large,
            format!("request head larger than {MAX_HEAD} bytes"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn head(builder: axum::http::request::Builder) -> Parts {
        builder.body(()).unwrap().into_parts().0
    }

    fn peer() -> SocketAddr {
        "127.0.0.1:4000".parse().unwrap()
    }

    #[test]
    fn a_plain_request_is_admitted_anonymously() {
        let gate = Gate::new();
        let parts = head(Request::get(app::api::paths::FILES).header("host", "localhost"));
        assert_eq!(gate.admit(&parts, peer()), Ok(Identity::Anonymous));
    }

    #[test]
    fn oversized_heads_are_refused_with_a_status_that_names_the_limit() {
        let gate = Gate::new();
        let mut builder = Request::get("/");
        for i in 0..=MAX_HEADERS {
            builder = builder.header(format!("x-h{i}"), "1");
        }
        let refused = gate.admit(&head(builder), peer()).unwrap_err();
        assert_eq!(refused.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);

        let long = format!("/{}", "a".repeat(MAX_URI));
        let refused = gate.admit(&head(Request::get(long)), peer()).unwrap_err();
        assert_eq!(refused.status, StatusCode::URI_TOO_LONG);

        let big = "v".repeat(MAX_HEAD);
        let refused = gate
            .admit(&head(Request::get("/").header("x-big", big)), peer())
            .unwrap_err();
        assert_eq!(refused.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }

    #[test]
    fn raw_refusals_are_complete_json_responses() {
        let raw = Refusal::new(StatusCode::TOO_MANY_REQUESTS, "slow down").retry_after(3);
        let text = String::from_utf8(raw.to_http()).unwrap();
        assert!(
            text.starts_with("HTTP/1.1 429 Too Many Requests\r\n"),
            "{text}"
        );
        assert!(text.contains("retry-after: 3\r\n"), "{text}");
        assert!(text.contains("connection: close\r\n"), "{text}");
        let (_, body) = text.split_once("\r\n\r\n").unwrap();
        assert_eq!(body, r#"{"error":"slow down"}"#);
        assert!(text.contains(&format!("content-length: {}\r\n", body.len())));
    }
}
