//! Login attempts per client address: a window of [`LOGIN_WINDOW`] allows [`LOGIN_ATTEMPTS`]
//! failures, then answers 429 until the window ends. Checked before any password is hashed, so
//! a brute force costs the server nothing.

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
    /// Start of each address's window and its failures in it.
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl LoginThrottle {
    /// `Err(seconds to wait)` when `ip` used up its failures in this window.
    pub(crate) fn check(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let windows = self.windows.lock().expect("throttle lock");
        match windows.get(&ip) {
            Some((start, failures))
                if *failures >= LOGIN_ATTEMPTS && now.duration_since(*start) < LOGIN_WINDOW =>
            {
                let left = LOGIN_WINDOW - now.duration_since(*start);
                Err(left.as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed login of `ip`.
    pub(crate) fn failed(&self, ip: IpAddr, now: Instant) {
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
        let entry = windows.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= LOGIN_WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }

    /// A successful login clears the address's failures.
    pub(crate) fn succeeded(&self, ip: IpAddr) {
        self.windows.lock().expect("throttle lock").remove(&ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_past_the_limit_wait_for_the_window() {
        let throttle = LoginThrottle::default();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..LOGIN_ATTEMPTS {
            assert!(throttle.check(ip, t0).is_ok());
            throttle.failed(ip, t0);
        }
        let wait = throttle.check(ip, t0).unwrap_err();
        assert_eq!(wait, LOGIN_WINDOW.as_secs());
        assert!(throttle.check(other, t0).is_ok(), "per address");
        assert!(
            throttle.check(ip, t0 + LOGIN_WINDOW).is_ok(),
            "the window ends"
        );
        throttle.failed(ip, t0 + LOGIN_WINDOW);
        assert!(
            throttle.check(ip, t0 + LOGIN_WINDOW).is_ok(),
            "a new window"
        );
        throttle.succeeded(ip);
        assert!(throttle.windows.lock().unwrap().is_empty());
    }
}
