//! Password hashing with Argon2id, off the async threads and a few at a time: each hash takes
//! [`ARGON2_MEMORY_KIB`] of memory and tens of milliseconds of CPU, so a hundred simultaneous
//! logins queue here instead of exhausting memory or stalling event streams.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Argon2id memory cost per hash, KiB (OWASP's minimum recommendation: 19 MiB).
pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
/// Argon2id passes over the memory.
pub const ARGON2_ITERATIONS: u32 = 2;
/// Argon2id lanes.
pub const ARGON2_LANES: u32 = 1;
/// Hashes computed at once; the rest wait their turn.
pub const HASH_CONCURRENCY: usize = 2;
/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted, in bytes (hashing cost must not be the client's choice).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Why a password cannot be set.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WeakPassword {
    /// Under [`MIN_PASSWORD_CHARS`].
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    /// Over [`MAX_PASSWORD_BYTES`].
    #[error("the password must be at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
}

/// Checks a new password against the rules.
pub fn check_new(password: &str) -> Result<(), WeakPassword> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(WeakPassword::TooShort);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(WeakPassword::TooLong);
    }
    Ok(())
}

/// Allocations at least this large are mapped (and unmapped when freed) rather than carved out
/// of the heap: glibc's default, made fixed.
const MMAP_THRESHOLD_BYTES: i32 = 128 * 1024;

/// Hashes and verifies passwords with bounded concurrency.
pub(crate) struct PasswordHasherPool {
    /// One permit per hash allowed at once. The permit moves into the blocking task, so a
    /// client that hangs up mid-login does not free it while its hash still runs.
    permits: Arc<Semaphore>,
    /// A real hash to verify against when the account does not exist, so that "no such user"
    /// costs as much time as "wrong password".
    decoy: String,
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_LANES, None)
        .expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Gives the heap memory a hash left free back to the OS (about 1.5 MiB of RSS, measured). The
/// 19 MiB block itself is mapped and unmapped (see the fixed mmap threshold in
/// [`PasswordHasherPool::new`]).
fn release_memory() {
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn hash_now(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("random salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?
        .to_string())
}

fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

impl PasswordHasherPool {
    /// A pool with its decoy hash computed (once, at start-up).
    pub(crate) fn new() -> anyhow::Result<Self> {
        // Keep blocks of Argon2's size out of the heap for good: glibc raises its mmap threshold
        // after freeing a large mapped block, after which every hash would stay in the heap.
        // SAFETY: mallopt only sets an allocator parameter.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
        }
        let decoy = hash_now("decoy password, never anyone's")?;
        release_memory();
        Ok(Self {
            permits: Arc::new(Semaphore::new(HASH_CONCURRENCY)),
            decoy,
        })
    }

    /// The PHC string (`$argon2id$v=19$m=...`) of `password`.
    pub(crate) async fn hash(&self, password: String) -> anyhow::Result<String> {
        let permit = self.permits.clone().acquire_owned().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let hash = hash_now(&password);
            release_memory();
            hash
        })
        .await?
    }

    /// Whether `password` matches `hash`; `None` (no such account) checks against the decoy
    /// and is always false.
    pub(crate) async fn verify(&self, password: String, hash: Option<String>) -> bool {
        let Ok(permit) = self.permits.clone().acquire_owned().await else {
            return false;
        };
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.decoy.clone());
        let matched = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let matched = verify_now(&password, &hash);
            release_memory();
            matched
        })
        .await
        .unwrap_or(false);
        matched && known
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let pool = PasswordHasherPool::new().unwrap();
        let hash = pool.hash("correct horse battery".into()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            pool.verify("correct horse battery".into(), Some(hash.clone()))
                .await
        );
        assert!(
            !pool
                .verify("correct horse batterx".into(), Some(hash))
                .await
        );
        assert!(
            !pool
                .verify("decoy password, never anyone's".into(), None)
                .await
        );
        assert!(!pool.verify("x".into(), Some("not a hash".into())).await);
    }

    #[test]
    fn new_passwords_follow_the_rules() {
        assert_eq!(check_new("short"), Err(WeakPassword::TooShort));
        assert_eq!(
            check_new("ünïcödé ok"),
            Ok(()),
            "ten characters, more bytes"
        );
        assert_eq!(check_new(&"x".repeat(2000)), Err(WeakPassword::TooLong));
    }
}
