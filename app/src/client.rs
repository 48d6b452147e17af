//! Calls to the REST API from the browser. On the server these are never reached (effects do not
//! run during SSR) and answer with an error.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// `application/x-www-form-urlencoded`-style escaping for query values.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Escapes a library path for use in a URL path (keeps `/`).
pub fn encode_path(path: &str) -> String {
    path.split('/').map(encode).collect::<Vec<_>>().join("/")
}

/// GET a JSON document.
pub async fn get<T: DeserializeOwned>(url: &str) -> Result<T, String> {
    send::<T, ()>("GET", url, None).await
}

/// Sends `body` as JSON with `method` and reads a JSON answer (`null` for 204).
pub async fn send<T: DeserializeOwned, B: Serialize>(
    method: &str,
    url: &str,
    body: Option<&B>,
) -> Result<T, String> {
    let text = match body {
        Some(b) => Some(serde_json::to_string(b).map_err(|e| e.to_string())?),
        None => None,
    };
    send_text(method, url, text).await
}

/// Sends `body`, already JSON text, with `method` and reads a JSON answer (`null` for 204).
pub async fn send_text<T: DeserializeOwned>(
    method: &str,
    url: &str,
    body: Option<String>,
) -> Result<T, String> {
    #[cfg(feature = "hydrate")]
    {
        use gloo_net::http::{Method, RequestBuilder};
        let method = match method {
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            "DELETE" => Method::DELETE,
            _ => Method::GET,
        };
        let builder = RequestBuilder::new(url).method(method);
        let request = match body {
            Some(text) => builder
                .header("content-type", "application/json")
                .body(text)
                .map_err(|e| e.to_string())?,
            None => builder.build().map_err(|e| e.to_string())?,
        };
        let resp = request
            .send()
            .await
            .map_err(|e| format!("network error: {e}"))?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| e.to_string())?;
        if !(200..300).contains(&status) {
            let reason = serde_json::from_str::<crate::api::ApiError>(&text)
                .map(|e| e.error)
                .unwrap_or_else(|_| format!("HTTP {status}"));
            return Err(reason);
        }
        let text = if text.trim().is_empty() {
            "null"
        } else {
            &text
        };
        serde_json::from_str(text).map_err(|e| format!("unexpected answer: {e}"))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (method, url, body);
        Err("not available during server rendering".into())
    }
}
