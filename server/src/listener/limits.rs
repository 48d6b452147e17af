//! Caps on open connections, in total and per client address, checked when a connection is
//! accepted: a flood from one address is answered with 429, a full server with 503, instead of
//! exhausting file descriptors or memory.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Open connections, counted per client address.
#[derive(Debug)]
pub(crate) struct ConnectionLimits {
    /// Allowed in total.
    max_total: usize,
    /// Allowed per address.
    max_per_ip: usize,
    /// Open now: the total and per address.
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// Why a connection was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OverLimit {
    /// The server has as many connections as it allows (503).
    Total,
    /// This address has as many as one address may have (429).
    PerIp,
}

/// One admitted connection; counted until dropped.
#[derive(Debug)]
pub(crate) struct ConnectionSlot {
    /// The counters it is part of.
    limits: Arc<ConnectionLimits>,
    /// Its client address.
    ip: IpAddr,
}

impl ConnectionLimits {
    /// Limits with these caps.
    pub(crate) fn new(max_total: usize, max_per_ip: usize) -> Arc<Self> {
        Arc::new(Self {
            max_total,
            max_per_ip,
            open: Mutex::new((0, HashMap::new())),
        })
    }

    /// Counts a new connection from `ip`, or says which cap it would break.
    pub(crate) fn acquire(self: &Arc<Self>, ip: IpAddr) -> Result<ConnectionSlot, OverLimit> {
        let mut open = self.open.lock().expect("limits lock");
        if open.0 >= self.max_total {
            return Err(OverLimit::Total);
        }
        let per_ip = open.1.entry(ip).or_insert(0);
        if *per_ip >= self.max_per_ip {
            return Err(OverLimit::PerIp);
        }
        *per_ip += 1;
        open.0 += 1;
        Ok(ConnectionSlot {
            limits: self.clone(),
            ip,
        })
    }

    /// Connections open now.
    #[cfg(test)]
    pub(crate) fn open(&self) -> usize {
        self.open.lock().expect("limits lock").0
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self.limits.open.lock().expect("limits lock");
        open.0 -= 1;
        if let Some(n) = open.1.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.1.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_address_and_in_total_and_frees_on_drop() {
        let limits = ConnectionLimits::new(3, 2);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let a1 = limits.acquire(a).unwrap();
        let _a2 = limits.acquire(a).unwrap();
        assert_eq!(limits.acquire(a).unwrap_err(), OverLimit::PerIp);
        let _b1 = limits.acquire(b).unwrap();
        assert_eq!(limits.acquire(b).unwrap_err(), OverLimit::Total);
        drop(a1);
        assert_eq!(limits.open(), 2);
        assert!(limits.acquire(a).is_ok(), "a freed slot is usable again");
    }
}
