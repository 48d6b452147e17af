//! The event hub: the one place events are numbered, remembered and fanned out.
//!
//! Any task calls [`EventHub::publish`] with a typed [`Event`]. The hub serialises it once into
//! a ready SSE frame ([`Published::frame`]), numbers it, keeps it in a bounded history for replay,
//! remembers the last event of each type (and each job) for new subscribers, and offers it to
//! every subscriber's bounded queue without ever waiting: a subscriber whose queue is full is
//! evicted and counted, and its browser catches up from history when it reconnects.
//!
//! Registration and publishing take the same lock, so a subscriber's backlog (replay or current
//! state) and its live queue meet with no gap and no duplicate.
//!
//! Event ids start at the server's start time in microseconds, so they keep increasing across
//! restarts and an id from an earlier run is always outside the window (→ `resync`).
//!
//! Handlers only see this type's methods; a multi-instance backend (e.g. Redis pub/sub, which
//! would assign ids and deliver what it reads back through [`EventHub::deliver`]) slots in behind
//! [`Backend`] without touching them.

mod metrics;
mod subscription;

pub use metrics::{HubStats, LatencyHistogram};
use subscription::SubscriberGuard;
pub use subscription::{ConnectionInfo, Owner, SubscribeRequest, Subscription, TypeFilter};

use app::api::ConnectionStatus;
use app::events::{Envelope, Event, EventType, SessionExpired};
use bytes::Bytes;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// One published event, serialised once and shared by every subscriber.
#[derive(Debug)]
pub struct Published {
    /// Hub-assigned id, increasing.
    pub id: u64,
    /// The event's type, for filtering.
    pub event_type: EventType,
    /// The job it belongs to, for `job_updated` (last state per job).
    pub job_id: Option<String>,
    /// `id: N\ndata: {json}\n\n`, ready for the socket.
    pub frame: Bytes,
    /// When it was published, for the publish→write latency histogram.
    pub published_at: Instant,
}

/// Most jobs whose last `job_updated` is kept for new subscribers; past it the oldest finished
/// job is forgotten first (then the oldest job), so no client can grow the hub without bound.
pub const MAX_TRACKED_JOBS: usize = 256;

/// Sizes of the hub.
#[derive(Clone, Copy, Debug)]
pub struct HubConfig {
    /// Events kept for replay.
    pub history_size: usize,
    /// Events queued per subscriber before it is evicted.
    pub client_queue: usize,
}

/// Where published events travel before fan-out. Only `Local` exists today: this process is the
/// only instance. A shared backend would go here as a new variant.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    /// Deliver directly to this process's subscribers.
    Local,
}

struct Subscriber {
    sender: mpsc::Sender<Arc<Published>>,
    info: Arc<ConnectionInfo>,
    /// Cancelled when the hub evicts this subscriber, so its writer stops even mid-write.
    closed: CancellationToken,
}

struct HubState {
    next_id: u64,
    history: VecDeque<Arc<Published>>,
    last_by_type: HashMap<EventType, Arc<Published>>,
    /// Last event per job, and whether that job had finished.
    last_by_job: HashMap<String, (Arc<Published>, bool)>,
    subscribers: HashMap<u64, Subscriber>,
    next_key: u64,
}

/// The event hub. Shared as `Arc<EventHub>`.
pub struct EventHub {
    state: Mutex<HubState>,
    config: HubConfig,
    backend: Backend,
    stats: HubStats,
    shutdown: CancellationToken,
}

/// Appends one SSE frame to `buf`: `id: N` when the event is numbered, then `data: {json}`.
/// The one place frames are written: published events, the opening of a stream, and the
/// `session_expired` that ends one.
pub(crate) fn write_frame(buf: &mut Vec<u8>, id: Option<u64>, json: &str) {
    if let Some(id) = id {
        buf.extend_from_slice(b"id: ");
        buf.extend_from_slice(id.to_string().as_bytes());
        buf.push(b'\n');
    }
    buf.extend_from_slice(b"data: ");
    buf.extend_from_slice(json.as_bytes());
    buf.extend_from_slice(b"\n\n");
}

/// Unix seconds as a float.
pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl EventHub {
    /// A hub with ids starting at the current time in microseconds.
    pub fn new(config: HubConfig) -> Arc<Self> {
        let first_id = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros() as u64)
            .unwrap_or(1);
        Arc::new(Self {
            state: Mutex::new(HubState {
                next_id: first_id,
                history: VecDeque::with_capacity(config.history_size),
                last_by_type: HashMap::new(),
                last_by_job: HashMap::new(),
                subscribers: HashMap::new(),
                next_key: 1,
            }),
            config,
            backend: Backend::Local,
            stats: HubStats::default(),
            shutdown: CancellationToken::new(),
        })
    }

    /// Counters and the latency histogram.
    pub fn stats(&self) -> &HubStats {
        &self.stats
    }

    /// Cancelled when the server shuts down; every stream ends on it.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Ends every stream (server shutdown): queues are closed, so writers finish what is
    /// queued and stop; writers stuck on a full socket stop at once.
    pub fn close_all(&self) {
        self.shutdown.cancel();
        self.state.lock().expect("hub lock").subscribers.clear();
    }

    /// Publishes an event now; returns its id.
    pub fn publish(&self, event: Event) -> u64 {
        self.publish_envelope(Envelope::new(event, unix_now()))
    }

    /// Publishes an envelope with its own timestamp; returns its id.
    pub fn publish_envelope(&self, envelope: Envelope) -> u64 {
        match self.backend {
            Backend::Local => self.deliver(envelope),
        }
    }

    /// Numbers, remembers and fans out one envelope to this process's subscribers.
    pub fn deliver(&self, envelope: Envelope) -> u64 {
        let event_type = envelope.event.event_type();
        let (job_id, job_finished) = match &envelope.event {
            Event::JobUpdated(j) => (Some(j.job_id.clone()), j.status.is_finished()),
            _ => (None, false),
        };
        let json = envelope.to_json();
        let published_at = Instant::now();
        let mut evicted = 0u64;
        let mut delivered = 0u64;
        let id = {
            let mut st = self.state.lock().expect("hub lock");
            let id = st.next_id;
            st.next_id += 1;
            let mut frame = Vec::with_capacity(json.len() + 32);
            write_frame(&mut frame, Some(id), &json);
            let published = Arc::new(Published {
                id,
                event_type,
                job_id: job_id.clone(),
                frame: Bytes::from(frame),
                published_at,
            });
            if st.history.len() == self.config.history_size {
                st.history.pop_front();
            }
            st.history.push_back(published.clone());
            match job_id {
                Some(job) => {
                    st.last_by_job
                        .insert(job, (published.clone(), job_finished));
                    if st.last_by_job.len() > MAX_TRACKED_JOBS {
                        evict_oldest_job(&mut st.last_by_job);
                    }
                }
                None => {
                    st.last_by_type.insert(event_type, published.clone());
                }
            }
            st.subscribers.retain(|_, sub| {
                if !sub.info.filter.allows(event_type) {
                    return true;
                }
                match sub.sender.try_send(published.clone()) {
                    Ok(()) => {
                        delivered += 1;
                        true
                    }
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        evicted += 1;
                        sub.closed.cancel();
                        tracing::warn!(connection = %sub.info.id, "event queue full: dropping slow client");
                        false
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => false,
                }
            });
            id
        };
        self.stats.record_publish(event_type, delivered, evicted);
        id
    }

    /// Ends the streams whose owner matches (a session ended, an account deleted, a key
    /// revoked): each is sent `session_expired`, then its queue closes, so the writer sends
    /// what is queued and that event last, and stops. A stream whose queue is full stops at once.
    pub fn end_streams(&self, matches: impl Fn(&Owner) -> bool) {
        let envelope = Envelope::new(
            Event::SessionExpired(SessionExpired {
                reason: "your session ended: sign in again".into(),
            }),
            unix_now(),
        );
        // Not numbered: it is this connection's news, not part of the replayable history.
        let mut frame = Vec::new();
        write_frame(&mut frame, None, &envelope.to_json());
        let frame = Bytes::from(frame);
        let mut ended = 0;
        let mut st = self.state.lock().expect("hub lock");
        st.subscribers.retain(|_, sub| {
            if !matches(&sub.info.owner) {
                return true;
            }
            let last = Arc::new(Published {
                id: sub.info.last_event_id.load(Ordering::Relaxed),
                event_type: EventType::SessionExpired,
                job_id: None,
                frame: frame.clone(),
                published_at: Instant::now(),
            });
            if sub.sender.try_send(last).is_err() {
                sub.closed.cancel();
            }
            ended += 1;
            false
        });
        drop(st);
        if ended > 0 {
            tracing::info!("ended {ended} event streams of an ended session, account or key");
        }
    }

    /// Forgets the last state of a deleted job, so new tabs no longer see it.
    pub fn forget_job(&self, job_id: &str) {
        self.state
            .lock()
            .expect("hub lock")
            .last_by_job
            .remove(job_id);
    }

    /// Jobs whose last state is kept (at most [`MAX_TRACKED_JOBS`]).
    pub fn tracked_jobs(&self) -> usize {
        self.state.lock().expect("hub lock").last_by_job.len()
    }

    /// Registers a stream and computes what it must receive before live events.
    pub fn subscribe(self: &Arc<Self>, req: SubscribeRequest) -> Subscription {
        let (sender, receiver) = mpsc::channel(self.config.client_queue);
        // A child of the shutdown token: it ends the stream on eviction and on shutdown alike.
        let closed = self.shutdown.child_token();
        let mut st = self.state.lock().expect("hub lock");
        let key = st.next_key;
        st.next_key += 1;
        let info = Arc::new(ConnectionInfo {
            id: format!("c{key}"),
            remote_addr: req.remote_addr,
            user_agent: req.user_agent,
            connected_since: unix_now(),
            filter: req.filter,
            last_event_id: AtomicU64::new(0),
            owner: req.owner,
        });
        let newest = st.next_id - 1;
        let (resync, backlog, resume_id) = match req.last_event_id {
            None => (None, current_state(&st), newest),
            Some(Some(last)) if in_window(&st, last) => (
                None,
                st.history.iter().filter(|p| p.id > last).cloned().collect(),
                last,
            ),
            Some(_) => (
                Some("last event id is outside the replay window".to_string()),
                current_state(&st),
                newest,
            ),
        };
        let backlog = backlog
            .into_iter()
            .filter(|p| req.filter.allows(p.event_type))
            .collect();
        // While stopping, the sender is dropped right here: the stream ends after its opening.
        if !self.shutdown.is_cancelled() {
            st.subscribers.insert(
                key,
                Subscriber {
                    sender,
                    info: info.clone(),
                    closed: closed.clone(),
                },
            );
        }
        drop(st);
        self.stats.record_connect();
        Subscription {
            info,
            resync,
            backlog,
            resume_id,
            receiver,
            closed,
            _guard: SubscriberGuard {
                hub: self.clone(),
                key,
            },
        }
    }

    fn unsubscribe(&self, key: u64) {
        let now_empty = {
            let mut st = self.state.lock().expect("hub lock");
            st.subscribers.remove(&key).is_some() && st.subscribers.is_empty()
        };
        if now_empty {
            release_freed_memory();
        }
    }

    /// Streams currently registered.
    pub fn active_clients(&self) -> usize {
        self.state.lock().expect("hub lock").subscribers.len()
    }

    /// Oldest and newest id still in history, if any.
    pub fn history_bounds(&self) -> Option<(u64, u64)> {
        let st = self.state.lock().expect("hub lock");
        Some((st.history.front()?.id, st.history.back()?.id))
    }

    /// Events currently held for replay.
    pub fn history_len(&self) -> usize {
        self.state.lock().expect("hub lock").history.len()
    }

    /// The replay window size.
    pub fn config(&self) -> HubConfig {
        self.config
    }

    /// One row per registered stream.
    pub fn connections(&self) -> Vec<ConnectionStatus> {
        let st = self.state.lock().expect("hub lock");
        let mut rows: Vec<ConnectionStatus> = st
            .subscribers
            .values()
            .map(|sub| {
                let last = sub.info.last_event_id.load(Ordering::Relaxed);
                ConnectionStatus {
                    connection_id: sub.info.id.clone(),
                    remote_addr: sub.info.remote_addr.map(|a| a.to_string()),
                    user_agent: sub.info.user_agent.clone(),
                    connected_since: sub.info.connected_since,
                    last_event_id: (last != 0).then_some(last),
                    queue_length: sub.sender.max_capacity() - sub.sender.capacity(),
                    subscriptions: sub.info.filter.names(),
                }
            })
            .collect();
        rows.sort_by(|a, b| a.connected_since.total_cmp(&b.connected_since));
        rows
    }
}

/// Gives memory freed by departed connections back to the OS (glibc keeps it otherwise), so
/// RSS returns to its baseline once clients leave.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Forgets the oldest finished job's last state, or the oldest job's when none has finished.
fn evict_oldest_job(jobs: &mut HashMap<String, (Arc<Published>, bool)>) {
    let oldest = |finished_only: bool| {
        jobs.iter()
            .filter(|(_, (_, finished))| *finished || !finished_only)
            .min_by_key(|(_, (p, _))| p.id)
            .map(|(id, _)| id.clone())
    };
    if let Some(id) = oldest(true).or_else(|| oldest(false)) {
        jobs.remove(&id);
    }
}

/// Whether every event after `last` is still in history.
fn in_window(st: &HubState, last: u64) -> bool {
    let newest = st.next_id - 1;
    let oldest = st.history.front().map_or(st.next_id, |p| p.id);
    last >= oldest.saturating_sub(1) && last <= newest
}

/// The last event of each type and of each job, oldest first.
fn current_state(st: &HubState) -> Vec<Arc<Published>> {
    let mut events: Vec<Arc<Published>> = st
        .last_by_type
        .values()
        .chain(st.last_by_job.values().map(|(p, _)| p))
        .cloned()
        .collect();
    events.sort_by_key(|p| p.id);
    events
}
