//! Calls to the REST API from the browser. On the server these are never reached (effects do not
//! run during SSR) and answer with an error.

use serde::de::DeserializeOwned;
use serde::Serialize;

#[cfg(feature = "hydrate")]
pub(crate) mod js_value;

/// `application/x-www-form-urlencoded`-style escaping for query values.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => {
                // By hand rather than `format!("%{b:02X}")`: no hex formatting in the bundle.
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
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
    send_text("GET", url, None).await
}

/// Sends `body` as JSON with `method` and reads a JSON answer (`null` for 204).
pub async fn send<T: DeserializeOwned, B: Serialize>(
    method: &str,
    url: &str,
    body: Option<&B>,
) -> Result<T, String> {
    let text = match body {
        Some(b) => Some(to_json(b)?),
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
    let value = request(method, url, body).await?;
    decode(value)
}

/// A parsed JSON document: in the browser the value `JSON.parse` made (so the WASM bundle
/// carries no JSON parser), on the server still the text.
#[cfg(feature = "hydrate")]
type Parsed = wasm_bindgen::JsValue;
#[cfg(not(feature = "hydrate"))]
type Parsed = String;

#[cfg(feature = "hydrate")]
type DecodeError = js_value::Error;
#[cfg(not(feature = "hydrate"))]
type DecodeError = serde_json::Error;

/// Parses JSON text (empty text, as of a 204, is `null`). Not generic: only [`decode`] exists
/// once per answer type in the bundle.
#[cfg(feature = "hydrate")]
fn parse(text: &str) -> Result<Parsed, String> {
    let text = if text.trim().is_empty() { "null" } else { text };
    js_sys::JSON::parse(text).map_err(|_| "unexpected answer: not JSON".to_string())
}

/// Reads JSON text into the shared types (through `JSON.parse`, like answers).
#[cfg(feature = "hydrate")]
pub fn read_json<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    decode(parse(text)?)
}

/// Reads a parsed document into the shared types.
fn decode<T: DeserializeOwned>(value: Parsed) -> Result<T, String> {
    #[cfg(feature = "hydrate")]
    let read = js_value::from_value(value);
    #[cfg(not(feature = "hydrate"))]
    let read = serde_json::from_str(&value);
    read.map_err(unexpected)
}

/// The message for an answer of the wrong shape.
fn unexpected(e: DecodeError) -> String {
    format!("unexpected answer: {e}")
}

/// Writes JSON text (in the browser through `JSON.stringify`, like [`parse`]).
fn to_json<T: Serialize>(value: &T) -> Result<String, String> {
    #[cfg(feature = "hydrate")]
    {
        stringify(value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()))
    }
    #[cfg(not(feature = "hydrate"))]
    serde_json::to_string(value).map_err(|e| e.to_string())
}

/// The text of a serialized value. Not generic, like [`parse`].
#[cfg(feature = "hydrate")]
fn stringify(value: Result<Parsed, serde_wasm_bindgen::Error>) -> Result<String, String> {
    let value = value.map_err(|e| e.to_string())?;
    js_sys::JSON::stringify(&value)
        .map(String::from)
        .map_err(|_| "cannot encode the request".to_string())
}

/// The parsed body of a successful answer, or the API's error message. Not generic, so the
/// request code exists once in the browser bundle whatever type the answer is read into.
async fn request(method: &str, url: &str, body: Option<String>) -> Result<Parsed, String> {
    #[cfg(feature = "hydrate")]
    {
        let (status, text) = fetch_text(method, url, body).await?;
        if !(200..300).contains(&status) {
            let reason = parse(&text)
                .ok()
                .and_then(|v| decode::<crate::api::ApiError>(v).ok())
                .map(|e| e.error)
                .unwrap_or_else(|| format!("HTTP {status}"));
            return Err(reason);
        }
        parse(&text)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (method, url, body);
        Err("not available during server rendering".into())
    }
}

/// One `fetch`, sent and read through `gloo-net`: the status and the body as text. The request
/// itself is made here from `web_sys` parts rather than by `gloo-net`'s builder, whose URL and
/// query handling (not needed: every URL comes from `api::paths`) cost 8 KB of the bundle.
#[cfg(feature = "hydrate")]
async fn fetch_text(
    method: &str,
    url: &str,
    body: Option<String>,
) -> Result<(u16, String), String> {
    use wasm_bindgen::{JsCast, JsValue};

    fn reason(e: JsValue) -> String {
        e.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| e.as_string())
            .unwrap_or_else(|| "unknown error".into())
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(text) = body {
        let headers = web_sys::Headers::new().map_err(reason)?;
        headers
            .set("content-type", "application/json")
            .map_err(reason)?;
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&text));
    }
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(reason)?;
    let response = gloo_net::http::Request::from(request)
        .send()
        .await
        .map_err(|e| format!("network error: {}", fetch_reason(e)))?;
    let text = response.text().await.map_err(fetch_reason)?;
    Ok((response.status(), text))
}

/// The message of a failed `fetch`. Not `gloo_net::Error`'s `Display`, which brings
/// `serde_json`'s error texts into the bundle for a variant this code never meets.
#[cfg(feature = "hydrate")]
fn fetch_reason(e: gloo_net::Error) -> String {
    match e {
        gloo_net::Error::JsError(e) => e.message,
        gloo_net::Error::GlooError(message) => message,
        _ => "unreadable answer".into(),
    }
}

/// A full page load of `url` (after signing in or out, so every island starts afresh).
pub fn navigate(url: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(url);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}
