//! Control API: the request log. Read it (filtered), count it, clear it.
//!
//! The summary is what the request-economy benchmark counts: how many token grants of each kind and how many
//! Graph calls of each action a client made, and with which statuses. Entries never hold secrets (the log
//! records paths without queries and no bodies, see [`crate::log`]).

use std::collections::BTreeMap;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::error::ControlQuery;
use crate::log::{LogEntry, Service};
use crate::world::AppState;

/// Routes: `GET`/`DELETE /_emulator/log`, `GET /_emulator/log/summary`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_emulator/log", get(read).delete(clear))
        .route("/_emulator/log/summary", get(summary))
}

/// Which service to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceFilter {
    /// Graph requests only.
    Graph,
    /// Identity-platform requests only.
    Identity,
}

impl ServiceFilter {
    fn keeps(self, service: Service) -> bool {
        matches!(
            (self, service),
            (Self::Graph, Service::Graph) | (Self::Identity, Service::Identity)
        )
    }
}

/// `GET /_emulator/log` query.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogQuery {
    /// Only entries with `seq > after`.
    pub after: Option<u64>,
    /// Only this service.
    pub service: Option<ServiceFilter>,
    /// Only entries of this kind (grant type or Graph action, e.g. `refresh_token`, `setPresence`).
    pub kind: Option<String>,
    /// Only the newest `limit` matching entries (still oldest first).
    pub limit: Option<usize>,
}

/// `GET /_emulator/log/summary` query.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SummaryQuery {
    /// Count only entries with `seq > after` (e.g. the `lastSeq` read before a benchmark run).
    pub after: Option<u64>,
    /// Count only this service.
    pub service: Option<ServiceFilter>,
}

/// `GET /_emulator/log` answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogPage {
    /// Matching entries, oldest first.
    pub entries: Vec<LogEntry>,
    /// The newest sequence number the log holds (matching or not); pass it as `after` to read only newer ones.
    pub last_seq: Option<u64>,
}

/// One row of the summary: how many requests had this service, kind and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryGroup {
    pub service: Service,
    /// Grant type or Graph action; `None` when the handler did not say.
    pub kind: Option<String>,
    /// HTTP status.
    pub status: u16,
    /// How many.
    pub count: u64,
}

/// `GET /_emulator/log/summary` answer.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogSummary {
    /// Entries counted.
    pub total: u64,
    /// Counts per service (`identity`, `graph`).
    pub by_service: BTreeMap<String, u64>,
    /// Counts per kind, for entries that have one.
    pub by_kind: BTreeMap<String, u64>,
    /// Counts per HTTP status (as a string key, e.g. `"429"`).
    pub by_status: BTreeMap<String, u64>,
    /// Counts per (service, kind, status), sorted.
    pub groups: Vec<SummaryGroup>,
    /// The newest sequence number counted.
    pub last_seq: Option<u64>,
}

/// The service's name as it appears in JSON.
pub fn service_name(service: Service) -> &'static str {
    match service {
        Service::Identity => "identity",
        Service::Graph => "graph",
    }
}

/// Counts entries by service, kind and status.
pub fn summarize<'a>(entries: impl IntoIterator<Item = &'a LogEntry>) -> LogSummary {
    let mut s = LogSummary::default();
    let mut groups: BTreeMap<(&'static str, Option<String>, u16), (Service, u64)> = BTreeMap::new();
    for e in entries {
        s.total += 1;
        *s.by_service
            .entry(service_name(e.service).to_string())
            .or_default() += 1;
        if let Some(kind) = &e.kind {
            *s.by_kind.entry(kind.clone()).or_default() += 1;
        }
        *s.by_status.entry(e.status.to_string()).or_default() += 1;
        groups
            .entry((service_name(e.service), e.kind.clone(), e.status))
            .or_insert((e.service, 0))
            .1 += 1;
        s.last_seq = Some(s.last_seq.map_or(e.seq, |m| m.max(e.seq)));
    }
    s.groups = groups
        .into_iter()
        .map(|((_, kind, status), (service, count))| SummaryGroup {
            service,
            kind,
            status,
            count,
        })
        .collect();
    s
}

async fn read(State(state): State<AppState>, ControlQuery(q): ControlQuery<LogQuery>) -> Json<LogPage> {
    let world = state.world();
    let last_seq = world.log.since(0).last().map(|e| e.seq);
    let mut entries: Vec<LogEntry> = world
        .log
        .since(q.after.unwrap_or(0))
        .filter(|e| q.service.is_none_or(|f| f.keeps(e.service)))
        .filter(|e| q.kind.as_ref().is_none_or(|k| e.kind.as_ref() == Some(k)))
        .cloned()
        .collect();
    drop(world);
    if let Some(limit) = q.limit
        && entries.len() > limit
    {
        entries.drain(..entries.len() - limit);
    }
    Json(LogPage { entries, last_seq })
}

async fn summary(
    State(state): State<AppState>,
    ControlQuery(q): ControlQuery<SummaryQuery>,
) -> Json<LogSummary> {
    let world = state.world();
    let s = summarize(
        world
            .log
            .since(q.after.unwrap_or(0))
            .filter(|e| q.service.is_none_or(|f| f.keeps(e.service))),
    );
    Json(s)
}

async fn clear(State(state): State<AppState>) -> Json<serde_json::Value> {
    let cleared = {
        let mut world = state.world();
        let n = world.log.since(0).count();
        world.log.clear();
        n
    };
    state.changed();
    Json(serde_json::json!({ "cleared": cleared }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, service: Service, kind: Option<&str>, status: u16) -> LogEntry {
        LogEntry {
            seq,
            time: jiff::Timestamp::UNIX_EPOCH,
            service,
            method: "POST".into(),
            path: "/x".into(),
            status,
            client_id: None,
            user_id: None,
            kind: kind.map(str::to_string),
            elapsed_ms: 0,
        }
    }

    #[test]
    fn the_summary_counts_by_service_kind_and_status() {
        let entries = [
            entry(1, Service::Identity, Some("refresh_token"), 200),
            entry(2, Service::Graph, Some("setPresence"), 200),
            entry(3, Service::Graph, Some("setPresence"), 429),
            entry(4, Service::Graph, Some("setPresence"), 200),
            entry(5, Service::Graph, None, 404),
        ];
        let s = summarize(&entries);
        assert_eq!(s.total, 5);
        assert_eq!(s.by_service["graph"], 4);
        assert_eq!(s.by_kind["setPresence"], 3);
        assert_eq!(s.by_kind.get("refresh_token"), Some(&1));
        assert_eq!(s.by_status["429"], 1);
        assert_eq!(s.last_seq, Some(5));
        let set_ok = s
            .groups
            .iter()
            .find(|g| g.kind.as_deref() == Some("setPresence") && g.status == 200)
            .unwrap();
        assert_eq!(set_ok.count, 2);
        assert_eq!(s.groups.len(), 4);
    }
}
