//! One module per route.

pub mod diagnostics;
pub mod history;
pub mod home;
pub mod settings;
