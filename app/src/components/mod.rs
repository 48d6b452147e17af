//! Small view pieces shared by the pages.

pub mod header;
pub mod theme_toggle;
