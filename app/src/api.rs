//! Request and response types of the REST API, shared by the handlers and the UI.

use serde::{Deserialize, Serialize};

/// Body of every API error: `{"error": "..."}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    /// What went wrong, in words a user can act on.
    pub error: String,
}

/// `GET /api/health`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// Always `"ok"` when the server answers.
    pub status: String,
    /// The server's version.
    pub version: String,
}
