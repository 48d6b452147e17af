//! One module per route. Each page is rendered on the server; its interactive part is an island.

pub mod account;
pub mod diagnostics;
pub mod history;
pub mod home;
pub mod login;
pub mod settings;
pub mod setup;
pub mod users;
