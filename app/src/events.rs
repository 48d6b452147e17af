//! The event protocol: the one typed [`Event`] enum that the server writes and the UI reads.
//!
//! On the wire every event is one JSON object
//! `{"type": "<snake_case name>", "data": {...}, "timestamp": <unix seconds as a float>}`,
//! byte-for-byte what clients of the original design parse. [`Envelope`] is that object.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Declares the protocol from one list: each variant of [`Event`] with its payload type and its
/// wire name. Everything that must list the types — [`EventType`], [`EventType::ALL`], the name of
/// each type, [`Event::event_type`] and [`Event::from_payload`] — is generated from that list,
/// so a new event type is one line here and nothing can be forgotten.
macro_rules! protocol {
    ($($(#[$doc:meta])* $variant:ident($payload:ident) = $name:literal,)*) => {
        /// Everything that can happen in Longbox that an open page should hear about.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "type", content = "data")]
        pub enum Event {
            $($(#[$doc])* #[serde(rename = $name)] $variant($payload),)*
        }

        /// The type name of an event, as used in `type` and in `?subscribe=`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventType {
            $(#[doc = concat!("`", $name, "`")] $variant,)*
        }

        impl EventType {
            /// How many types there are.
            pub const COUNT: usize = [$($name),*].len();

            /// Every type, in declaration order (`ALL[t.index()] == t`).
            pub const ALL: [EventType; Self::COUNT] = [$(Self::$variant),*];

            /// The snake_case wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }
        }

        impl Event {
            /// This event's type name.
            pub fn event_type(&self) -> EventType {
                match self {
                    $(Self::$variant(_) => EventType::$variant,)*
                }
            }

            /// Reads the `data` of an event whose type is already known, from any serde
            /// deserializer (JSON text on the server, a value parsed by the browser's
            /// `JSON.parse` in the UI).
            pub fn from_payload<'de, D: serde::Deserializer<'de>>(
                event_type: EventType,
                data: D,
            ) -> Result<Self, D::Error> {
                Ok(match event_type {
                    $(EventType::$variant => Event::$variant(Deserialize::deserialize(data)?),)*
                })
            }
        }
    };
}

protocol! {
    /// The file list changed; `rebuild_complete` is true once the new state is committed.
    CacheUpdated(CacheUpdated) = "cache_updated",
    /// The watcher was started, stopped, enabled or disabled.
    WatcherStatus(WatcherStatus) = "watcher_status",
    /// One file was processed (tagged and/or renamed), successfully or not.
    FileProcessed(FileProcessed) = "file_processed",
    /// A job changed status or finished one more item.
    JobUpdated(JobUpdated) = "job_updated",
    /// First event on every stream: who this connection is and what it listens to.
    Connected(Connected) = "connected",
    /// The client missed events it cannot replay and must refetch everything.
    Resync(Resync) = "resync",
    /// A message for people: shown as a toast.
    Notification(Notification) = "notification",
    /// This stream's session ended (sign-out, deleted account, revoked key): sign in again.
    SessionExpired(SessionExpired) = "session_expired",
    /// Cover thumbnails are being made in the background: `done` of `total` so far.
    CoversProgress(CoversProgress) = "covers_progress",
}

/// Payload of [`Event::CoversProgress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoversProgress {
    /// Files whose cover was made (or found impossible) in this run.
    pub done: u64,
    /// Files this run set out to do.
    pub total: u64,
}

/// Payload of [`Event::CacheUpdated`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CacheUpdated {
    /// False while a rebuild runs, true once its result is committed.
    pub rebuild_complete: bool,
    /// Human-readable summary, e.g. "3 added, 1 removed".
    pub message: String,
}

/// Payload of [`Event::WatcherStatus`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatcherStatus {
    /// The OS watch is active and the file list follows the disk.
    pub running: bool,
    /// Newly completed comics are processed automatically.
    pub enabled: bool,
}

/// Payload of [`Event::FileProcessed`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileProcessed {
    /// Path of the file relative to the library (after any rename).
    pub filepath: String,
    /// File name of the result.
    pub filename: String,
    /// Whether processing succeeded.
    pub success: bool,
    /// Why it failed; `null` on the wire when it did not.
    pub error: Option<String>,
}

/// Payload of [`Event::JobUpdated`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobUpdated {
    /// The job's UUID.
    pub job_id: String,
    /// Where the job is in its life.
    pub status: JobStatus,
    /// Counters so far.
    pub progress: JobProgress,
}

/// The life of a job: `queued → processing → completed | failed | cancelled`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for a worker.
    Queued,
    /// Items are being processed.
    Processing,
    /// Every item ran (some may have failed individually).
    Completed,
    /// The job itself could not run.
    Failed,
    /// Stopped by a user; items not started were left untouched.
    Cancelled,
}

impl JobStatus {
    /// True once the job will never change again.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }

    /// The wire name, e.g. `"processing"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Processing => "processing",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Counters of a job.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct JobProgress {
    /// Items finished, successfully or not.
    pub processed: u64,
    /// Items in the job.
    pub total: u64,
    /// Items that succeeded (skipped counts as success).
    pub success: u64,
    /// Items that failed.
    pub errors: u64,
    /// `processed / total` as 0–100.
    pub percentage: f64,
}

impl JobProgress {
    /// Counters with `percentage` derived from `processed` and `total`.
    pub fn new(processed: u64, total: u64, success: u64, errors: u64) -> Self {
        let percentage = if total == 0 {
            100.0
        } else {
            (processed as f64 * 100.0 / total as f64).clamp(0.0, 100.0)
        };
        Self {
            processed,
            total,
            success,
            errors,
            percentage,
        }
    }
}

/// Payload of [`Event::Connected`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Connected {
    /// Server-assigned id of this stream, as listed by `/api/events/status`.
    pub connection_id: String,
    /// Type names this stream receives.
    pub subscriptions: Vec<String>,
}

/// Payload of [`Event::SessionExpired`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionExpired {
    /// Why, in words for people.
    pub reason: String,
}

/// Payload of [`Event::Resync`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resync {
    /// Why the client must refetch, e.g. "last event id is outside the history window".
    pub reason: String,
}

/// Payload of [`Event::Notification`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Severity, which picks the toast colour.
    pub level: NotificationLevel,
    /// Text shown to the user.
    pub message: String,
}

/// Severity of a [`Notification`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationLevel {
    /// Neutral information.
    Info,
    /// Something finished well.
    Success,
    /// Something needs attention.
    Warning,
    /// Something failed.
    Error,
}

impl EventType {
    /// The position of this type in [`EventType::ALL`] (0 to [`EventType::COUNT`] − 1), e.g. a
    /// bit number in a set of types.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Types every stream receives whatever it subscribed to.
    pub fn always_delivered(self) -> bool {
        matches!(self, Self::Connected | Self::Resync | Self::SessionExpired)
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown event type name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownEventType(pub String);

impl fmt::Display for UnknownEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        write!(
            f,
            "unknown event type `{}`, expected one of {}",
            self.0,
            known.join(", ")
        )
    }
}

impl std::error::Error for UnknownEventType {}

impl FromStr for EventType {
    type Err = UnknownEventType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownEventType(s.to_string()))
    }
}

/// One event as it travels: the event plus when it was published.
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    /// What happened.
    pub event: Event,
    /// Unix seconds, fractional.
    pub timestamp: f64,
}

/// The serialised shape, field order as on the wire: `type`, `data`, `timestamp`.
#[derive(Serialize)]
struct WireOut<'a> {
    #[serde(flatten)]
    event: &'a Event,
    timestamp: f64,
}

/// What is read back; `timestamp` may be absent (a manual broadcast). `data` stays raw text
/// until `type` says which payload it is, so each payload is parsed once, straight from the
/// text (no intermediate `serde_json::Value`: that doubles the parsing code in the browser).
#[derive(Deserialize)]
struct WireIn<'a> {
    #[serde(rename = "type")]
    kind: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    data: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    timestamp: Option<f64>,
}

impl Serialize for Envelope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        WireOut {
            event: &self.event,
            timestamp: self.timestamp,
        }
        .serialize(serializer)
    }
}

impl Envelope {
    /// Wraps an event with the given timestamp.
    pub fn new(event: Event, timestamp: f64) -> Self {
        Self { event, timestamp }
    }

    /// Parses one JSON envelope, e.g. an SSE `data:` line, with a readable error naming the
    /// type and the payload problem when either is wrong.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let wire: WireIn = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let data = wire.data.map_or("null", |d| d.get());
        Self::assemble(&wire.kind, wire.timestamp, |event_type| {
            let mut payload = serde_json::Deserializer::from_str(data);
            Event::from_payload(event_type, &mut payload)
                .and_then(|event| payload.end().map(|()| event))
        })
    }

    /// [`Envelope::from_json`] in the browser: the text is parsed by `JSON.parse` and the payload
    /// read from the resulting value, so the WASM bundle carries no JSON parser.
    #[cfg(feature = "hydrate")]
    pub fn from_json_in_browser(text: &str) -> Result<Self, String> {
        let value = js_sys::JSON::parse(text).map_err(|_| "not JSON".to_string())?;
        let field = |name: &str| js_sys::Reflect::get(&value, &name.into()).ok();
        let kind = field("type")
            .and_then(|v| v.as_string())
            .ok_or("missing `type`")?;
        let timestamp = field("timestamp").and_then(|v| v.as_f64());
        Self::assemble(&kind, timestamp, |event_type| {
            let data = crate::client::js_value::Deserializer(field("data").unwrap_or_default());
            Event::from_payload(event_type, data)
        })
    }

    /// The steps both parsers share: the type name checked, the payload read by `read_payload`
    /// (whichever JSON backend), errors worded the same, a missing timestamp taken as 0.
    fn assemble<E: fmt::Display>(
        kind: &str,
        timestamp: Option<f64>,
        read_payload: impl FnOnce(EventType) -> Result<Event, E>,
    ) -> Result<Self, String> {
        let event_type: EventType = kind.parse().map_err(|e: UnknownEventType| e.to_string())?;
        let event = read_payload(event_type)
            .map_err(|e| format!("invalid data for `{event_type}`: {e}"))?;
        Ok(Self {
            event,
            timestamp: timestamp.unwrap_or(0.0),
        })
    }

    /// The JSON text of this envelope.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an envelope always serialises")
    }
}
