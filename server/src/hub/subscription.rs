//! What a stream is to the hub: its type filter, its request, the facts shown in
//! `/api/events/status`, and the [`Subscription`] handed to the HTTP layer.

use super::{EventHub, Published};
use app::events::EventType;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The integer holding a [`TypeFilter`]: one bit per [`EventType`], bit [`EventType::index`].
type Bits = u32;

// One bit per type: a type past the width of `Bits` must widen it, not wrap silently.
const _: () = assert!(
    EventType::COUNT <= Bits::BITS as usize,
    "more event types than bits in TypeFilter: widen `Bits`"
);

/// The bit of one type.
fn bit(t: EventType) -> Bits {
    1 << t.index()
}

/// A set of event types, one bit each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeFilter(Bits);

impl TypeFilter {
    /// Every type.
    pub const ALL: TypeFilter = TypeFilter(Bits::MAX >> (Bits::BITS - EventType::COUNT as u32));

    /// Only these types (plus the ones every stream receives).
    pub fn only(types: &[EventType]) -> Self {
        TypeFilter(types.iter().fold(0, |bits, &t| bits | bit(t)))
    }

    /// Whether a stream with this filter receives `t`.
    pub fn allows(self, t: EventType) -> bool {
        t.always_delivered() || self.0 & bit(t) != 0
    }

    /// The type names received, for `connected` and the status list.
    pub fn names(self) -> Vec<String> {
        EventType::ALL
            .into_iter()
            .filter(|t| self.allows(*t))
            .map(|t| t.as_str().to_string())
            .collect()
    }
}

/// What a new stream asks for.
#[derive(Clone, Debug)]
pub struct SubscribeRequest {
    /// `Last-Event-ID` (header or query), if any; `Some(None)` for an unreadable one.
    pub last_event_id: Option<Option<u64>>,
    /// Types wanted.
    pub filter: TypeFilter,
    /// Peer address, when known.
    pub remote_addr: Option<SocketAddr>,
    /// `User-Agent`, when sent.
    pub user_agent: Option<String>,
    /// Whose stream it is (for ending it with its session, account or key).
    pub owner: Owner,
}

/// Whose stream a connection is: the ids admission found, so that ending a session, deleting
/// an account or revoking a key ends exactly its streams.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Owner {
    /// The account.
    pub user: Option<i64>,
    /// The browser session.
    pub session: Option<i64>,
    /// The API key.
    pub key: Option<i64>,
}

/// Live facts about one connection, shared by the hub and its stream.
#[derive(Debug)]
pub struct ConnectionInfo {
    /// Server-assigned connection id.
    pub id: String,
    /// Peer address, when known.
    pub remote_addr: Option<SocketAddr>,
    /// `User-Agent`, when sent.
    pub user_agent: Option<String>,
    /// Unix seconds when the stream opened.
    pub connected_since: f64,
    /// Types received.
    pub filter: TypeFilter,
    /// Id of the last event written to the socket (0 = none yet).
    pub last_event_id: AtomicU64,
    /// Whose stream it is.
    pub owner: Owner,
}

/// A registered stream: what to send first, then the live queue.
pub struct Subscription {
    /// Facts about this connection.
    pub info: Arc<ConnectionInfo>,
    /// Set when the client's id could not be replayed: the reason to put in `resync`.
    pub resync: Option<String>,
    /// Replayed events, or the current state, to write before live ones.
    pub backlog: Vec<Arc<Published>>,
    /// The id `connected` carries, so a client cut off before any numbered event resumes from
    /// here: its own last id when replayed, else the newest id when it subscribed.
    pub resume_id: u64,
    /// Live events, in order.
    pub receiver: mpsc::Receiver<Arc<Published>>,
    /// Cancelled when the stream must end: the client was evicted or the server is stopping.
    pub closed: CancellationToken,
    /// Unregisters on drop.
    pub(super) _guard: SubscriberGuard,
}

/// Removes the subscriber from the hub when its stream is dropped.
pub(super) struct SubscriberGuard {
    pub(super) hub: Arc<EventHub>,
    pub(super) key: u64,
}

impl Drop for SubscriberGuard {
    fn drop(&mut self) {
        self.hub.unsubscribe(self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_its_own_bit_and_all_has_exactly_them() {
        let mut seen: Bits = 0;
        for (i, t) in EventType::ALL.into_iter().enumerate() {
            assert_eq!(t.index(), i, "{t}: ALL is in declaration order");
            assert_eq!(seen & bit(t), 0, "{t} shares a bit");
            seen |= bit(t);
        }
        assert_eq!(
            seen,
            TypeFilter::ALL.0,
            "ALL is every type's bit and nothing else"
        );
        assert_eq!(TypeFilter::ALL, TypeFilter::only(&EventType::ALL));
    }

    #[test]
    fn a_filter_lets_through_its_types_and_the_always_delivered_ones() {
        for t in EventType::ALL {
            let only = TypeFilter::only(&[t]);
            for u in EventType::ALL {
                assert_eq!(
                    only.allows(u),
                    u == t || u.always_delivered(),
                    "{t} lets {u} through?"
                );
            }
            assert!(TypeFilter::ALL.allows(t));
        }
        assert_eq!(TypeFilter::ALL.names().len(), EventType::COUNT);
        let none = TypeFilter::only(&[]);
        assert!(EventType::ALL
            .into_iter()
            .all(|t| none.allows(t) == t.always_delivered()));
    }
}
