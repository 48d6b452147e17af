//! Login attempts per client address (IPv6 per /64): a window of [`LOGIN_WINDOW`] allows
//! [`LOGIN_ATTEMPTS`] failed attempts, then answers 429 until the window ends. Each attempt is
//! counted before its password is hashed (so a brute force costs the server nothing and
//! parallel guesses count too) and given back only if it succeeds.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins allowed per client address in one window.
pub const LOGIN_ATTEMPTS: u32 = 10;
/// Length of a login window.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(60);
/// Client addresses tracked at most (older windows are forgotten first).
pub const MAX_TRACKED_CLIENTS: usize = 10_000;

/// Failed logins per client address.
#[derive(Default)]
pub(crate) struct LoginThrottle {
    /// Start of each address's window and the attempts counted in it.
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// The throttle's key for an address: IPv6 clients are grouped by /64, the block one household
/// or one attacker's machine gets.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !(u128::MAX >> 64)).into()),
        },
        v4 => v4,
    }
}

impl LoginThrottle {
    /// Reserves one attempt for `ip` before its password is checked: `Err(seconds to wait)`
    /// when the address used up its attempts in this window. Counting before the hash means
    /// parallel guesses are counted too.
    pub(crate) fn reserve(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let mut windows = self.windows.lock().expect("throttle lock");
        if windows.len() >= MAX_TRACKED_CLIENTS {
            windows.retain(|_, (start, _)| now.duration_since(*start) < LOGIN_WINDOW);
        }
        if windows.len() >= MAX_TRACKED_CLIENTS {
            // Still full of live windows: forget the oldest one.
            if let Some(oldest) = windows.iter().min_by_key(|(_, (s, _))| *s).map(|(k, _)| *k) {
                windows.remove(&oldest);
            }
        }
        let entry = windows.entry(client_key(ip)).or_insert((now, 0));
        if now.duration_since(entry.0) >= LOGIN_WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= LOGIN_ATTEMPTS {
            let left = LOGIN_WINDOW - now.duration_since(entry.0);
            return Err(left.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }

    /// A successful login gives back its own reservation (and only it: the address's failures
    /// stay counted, so signing in to one's own account does not buy more guesses at another).
    pub(crate) fn succeeded(&self, ip: IpAddr) {
        if let Some(entry) = self
            .windows
            .lock()
            .expect("throttle lock")
            .get_mut(&client_key(ip))
        {
            entry.1 = entry.1.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_past_the_limit_wait_for_the_window() {
        let throttle = LoginThrottle::default();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..LOGIN_ATTEMPTS {
            assert!(throttle.reserve(ip, t0).is_ok());
        }
        assert_eq!(throttle.reserve(ip, t0), Err(LOGIN_WINDOW.as_secs()));
        assert!(throttle.reserve(other, t0).is_ok(), "per address");
        assert!(
            throttle.reserve(ip, t0 + LOGIN_WINDOW).is_ok(),
            "a new window"
        );
    }

    #[test]
    fn a_success_gives_back_only_its_own_attempt() {
        let throttle = LoginThrottle::default();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..LOGIN_ATTEMPTS - 1 {
            throttle.reserve(ip, t0).unwrap();
        }
        // Signing in to one's own account, many times, never frees a guess.
        for _ in 0..50 {
            throttle.reserve(ip, t0).unwrap();
            throttle.succeeded(ip);
        }
        throttle.reserve(ip, t0).unwrap();
        assert!(throttle.reserve(ip, t0).is_err());
    }

    #[test]
    fn ipv6_clients_share_their_64_block() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        for i in 0..LOGIN_ATTEMPTS {
            let ip: IpAddr = format!("2001:db8:1:2::{i:x}").parse().unwrap();
            throttle.reserve(ip, t0).unwrap();
        }
        let same_block: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        let next_block: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(throttle.reserve(same_block, t0).is_err());
        assert!(throttle.reserve(next_block, t0).is_ok());
    }
}
