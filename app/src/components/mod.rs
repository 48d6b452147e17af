//! Small view pieces shared by the pages.

pub mod account_line;
pub mod connection_dot;
pub mod cover_grid;
pub mod file_list;
pub mod file_toolbar;
pub mod header;
pub mod job_panel;
pub mod job_preview;
pub mod theme_toggle;
pub mod watcher_pill;
