//! Secrets handed to clients (session cookies, API keys) and the digests stored instead of them.
//!
//! A token is 32 random bytes, so a plain SHA-256 of it is as good as a slow password hash: no
//! dictionary reaches it, and checking it on every request (every event stream) costs
//! nanoseconds.

use sha2::{Digest as _, Sha256};

/// Random bytes in every token.
pub const TOKEN_BYTES: usize = 32;

/// Prefix of API keys, so a leaked one is recognisable (and scanners can find it).
pub const API_KEY_PREFIX: &str = "lbk_";

/// What the database and the admission cache hold instead of a token.
pub(crate) type Digest = [u8; 32];

/// A fresh random token: `prefix` then 64 hex digits.
pub(crate) fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).expect("the OS random source");
    let mut token = String::with_capacity(prefix.len() + TOKEN_BYTES * 2);
    token.push_str(prefix);
    for b in bytes {
        token.push_str(&format!("{b:02x}"));
    }
    token
}

/// The stored digest of a token.
pub(crate) fn digest(token: &str) -> Digest {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_fresh_and_digests_stable() {
        let a = new_token(API_KEY_PREFIX);
        let b = new_token(API_KEY_PREFIX);
        assert_ne!(a, b);
        assert!(a.starts_with(API_KEY_PREFIX));
        assert_eq!(a.len(), API_KEY_PREFIX.len() + 64);
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), digest(&b));
    }
}
