//! Leptos site options: cargo-leptos's environment when present, the workspace defaults otherwise,
//! so the binary serves the same site whether cargo-leptos, `make run` or a test started it.

use leptos::config::{Env, LeptosOptions};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Site options for a server listening on `addr` (which always wins over `LEPTOS_SITE_ADDR`).
pub fn leptos_options(addr: SocketAddr) -> LeptosOptions {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let output_name = var("LEPTOS_OUTPUT_NAME")
        .or_else(|| option_env!("LEPTOS_OUTPUT_NAME").map(str::to_string))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "longbox".into());
    let env = match var("LEPTOS_ENV").as_deref() {
        Some("DEV") | Some("dev") | Some("development") => Env::DEV,
        _ => Env::PROD,
    };
    let reload_port = var("LEPTOS_RELOAD_PORT")
        .and_then(|p| p.parse().ok())
        .unwrap_or(3001);
    LeptosOptions::builder()
        .output_name(output_name)
        .site_root(var("LEPTOS_SITE_ROOT").unwrap_or_else(default_site_root))
        .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".into()))
        .env(env)
        .site_addr(addr)
        .reload_port(reload_port)
        .build()
}

/// `target/site` under the working folder, else next to the binary (`target/release/../site`).
fn default_site_root() -> String {
    let cwd = PathBuf::from("target/site");
    if cwd.is_dir() {
        return cwd.display().to_string();
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("site")))
        .filter(|p| p.is_dir())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| cwd.display().to_string())
}
