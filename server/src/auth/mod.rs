//! Who may do what. [`Gate::admit`] is the one admission function: every request passes it
//! exactly once, whichever path then serves it (the direct stream writer or the axum router),
//! and whatever serves the request trusts the [`Identity`] it returns.

mod admit;

pub use admit::{Gate, Identity, Refusal, MAX_HEAD, MAX_HEADERS, MAX_URI};
