//! Longbox's server: watches a comic library, keeps its file list, and pushes every change to
//! every open browser over Server-Sent Events.
//!
//! The data path, one module per step:
//! [`library`] (disk, watcher) → [`db`] → [`hub`] (numbering, history, fan-out) → `stream`
//! (the event stream's bytes) → the `app` crate in the browser. The request path:
//! `listener` → [`auth::Gate::admit`] → `stream::direct` or [`http`] (the router).
//!
//! - [`config`]: command-line flags and environment, resolved into a [`Config`].
//! - [`site`]: Leptos site options, with or without cargo-leptos.
//! - [`hub`]: [`hub::EventHub`], the only place that assigns event ids.
//! - [`http`]: the router and one module per resource; [`http::error::ApiError`] is the one
//!   error type mapped to `{"error": "..."}`.
//! - [`db`]: [`db::Db`], the only module that opens SQLite or holds SQL (schema, migrations,
//!   one typed handle per table group).
//! - [`paths`]: [`paths::RelPath`], the only place client paths become disk paths.
//! - [`library`]: the file list kept right: scans, the watcher, own-change bookkeeping.
//! - [`comic`]: naming rules, ComicInfo.xml, and the only code that writes `.cbz` archives.
//! - [`jobs`]: [`jobs::JobRunner`], batch processing with per-item progress.
//! - [`covers`]: cover thumbnails (pick the page, decode within limits, cache by content hash,
//!   make them in the background).
//! - [`demo`]: writes a realistic sample library.
//! - [`auth`]: [`auth::Gate::admit`], the one admission function every request passes.
//! - `listener`: the one door: accepts, reads the request head, calls `admit`, then hands the
//!   connection to the direct stream writer or to hyper and the router.
//! - `stream`: one event stream's query and bytes, and the direct writer.
//! - `trace`: the request span both request paths log through.
//! - [`state`]: [`AppState`], built once with its channels.
//! - [`server`]: binds, serves and shuts down gracefully.

#![recursion_limit = "256"]
#![warn(missing_docs)]

pub mod auth;
pub mod comic;
pub mod config;
pub mod covers;
pub mod db;
pub mod demo;
pub mod http;
pub mod hub;
pub mod jobs;
pub mod library;
mod listener;
pub mod paths;
pub mod server;
pub mod site;
pub mod state;
mod stream;
mod trace;

pub use config::Config;
pub use server::{run, Server};
pub use state::AppState;
