//! One module per route.

pub mod home;
