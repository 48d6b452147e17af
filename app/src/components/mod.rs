//! Small view pieces shared by the pages.

pub mod connection_dot;
pub mod header;
pub mod theme_toggle;
pub mod toasts;
