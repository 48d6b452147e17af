//! Counters of the hub and the publish→socket-write latency histogram, all lock-free.

use app::events::EventType;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds (Prometheus `le`).
pub const LATENCY_BUCKETS: [f64; 14] = [
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
];

/// A cumulative-on-read histogram of publish→write latency.
#[derive(Debug, Default)]
pub struct LatencyHistogram {
    /// Count per bucket (not cumulative); the last slot is `+Inf`.
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    /// Sum of observations in microseconds.
    sum_micros: AtomicU64,
    /// Number of observations.
    count: AtomicU64,
}

impl LatencyHistogram {
    /// Records one observation.
    pub fn observe(&self, latency: Duration) {
        let secs = latency.as_secs_f64();
        let slot = LATENCY_BUCKETS
            .iter()
            .position(|le| secs <= *le)
            .unwrap_or(LATENCY_BUCKETS.len());
        self.buckets[slot].fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(latency.as_micros() as u64, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// `(le, cumulative count)` per bucket, `+Inf` last as `f64::INFINITY`.
    pub fn cumulative(&self) -> Vec<(f64, u64)> {
        let mut total = 0;
        LATENCY_BUCKETS
            .iter()
            .copied()
            .chain(std::iter::once(f64::INFINITY))
            .zip(self.buckets.iter())
            .map(|(le, n)| {
                total += n.load(Ordering::Relaxed);
                (le, total)
            })
            .collect()
    }

    /// Sum of observations in seconds.
    pub fn sum_secs(&self) -> f64 {
        self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

/// Everything the hub counts.
#[derive(Debug, Default)]
pub struct HubStats {
    /// Events published.
    total_events: AtomicU64,
    /// Events handed to subscriber queues.
    deliveries: AtomicU64,
    /// Events written to sockets (replays included).
    writes: AtomicU64,
    /// Subscribers evicted because their queue was full.
    dropped_clients: AtomicU64,
    /// Streams opened since start.
    connections_total: AtomicU64,
    /// Events published, per type (index = `EventType as usize`).
    by_type: [AtomicU64; EventType::ALL.len()],
    /// Publish→socket-write latency.
    pub latency: LatencyHistogram,
}

impl HubStats {
    pub(crate) fn record_publish(&self, t: EventType, delivered: u64, evicted: u64) {
        self.total_events.fetch_add(1, Ordering::Relaxed);
        self.by_type[t as usize].fetch_add(1, Ordering::Relaxed);
        self.deliveries.fetch_add(delivered, Ordering::Relaxed);
        if evicted > 0 {
            self.dropped_clients.fetch_add(evicted, Ordering::Relaxed);
        }
    }

    pub(crate) fn record_connect(&self) {
        self.connections_total.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts `n` events written to a socket.
    pub fn record_writes(&self, n: u64) {
        self.writes.fetch_add(n, Ordering::Relaxed);
    }

    /// Events published.
    pub fn total_events(&self) -> u64 {
        self.total_events.load(Ordering::Relaxed)
    }

    /// Events handed to subscriber queues.
    pub fn deliveries(&self) -> u64 {
        self.deliveries.load(Ordering::Relaxed)
    }

    /// Events written to sockets.
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }

    /// Subscribers evicted as too slow.
    pub fn dropped_clients(&self) -> u64 {
        self.dropped_clients.load(Ordering::Relaxed)
    }

    /// Streams opened since start.
    pub fn connections_total(&self) -> u64 {
        self.connections_total.load(Ordering::Relaxed)
    }

    /// Events published per type.
    pub fn by_type(&self) -> Vec<(EventType, u64)> {
        EventType::ALL
            .into_iter()
            .map(|t| (t, self.by_type[t as usize].load(Ordering::Relaxed)))
            .collect()
    }
}
