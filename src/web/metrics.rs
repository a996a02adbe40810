//! `GET /metrics`: the service's figures in Prometheus' text format, for the operators'
//! monitoring. Answered only to a direct connection from this machine or the internal network:
//! nginx relays public requests with `X-Real-IP` (and never relays `/metrics`), so a request
//! that carries it is public whatever its peer, and gets the 404 of a path that is not there.

use std::fmt::Write;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};

use super::AppState;
use crate::metrics::{read, NODE};

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// Whether the request came straight from this machine or a private network.
fn internal(peer: Option<SocketAddr>, headers: &HeaderMap) -> bool {
    if headers.contains_key("x-real-ip") || headers.contains_key("x-forwarded-for") {
        return false;
    }
    match peer.map(|p| p.ip()) {
        Some(IpAddr::V4(ip)) => ip.is_loopback() || ip.is_private(),
        // An IPv4 peer of a service listening on [::]; loopback; a unique local address (fc00::/7).
        Some(IpAddr::V6(ip)) => match ip.to_ipv4_mapped() {
            Some(v4) => v4.is_loopback() || v4.is_private(),
            None => ip.is_loopback() || ip.segments()[0] & 0xfe00 == 0xfc00,
        },
        None => false,
    }
}

async fn metrics(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> Response {
    if !internal(peer.map(|c| c.0 .0), &headers) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let now = crate::store::now_unix();
    let group = match state.project.store.group_figures(now).await {
        Ok(g) => g,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the group's figures for /metrics");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let mut out = String::new();
    let mut put = |name: &str, kind: &str, help: &str, lines: &[(&str, String)]| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (suffix, value) in lines {
            let _ = writeln!(out, "{name}{suffix} {value}");
        }
    };
    put(
        "zhanqun_publish_queue_depth",
        "gauge",
        "Publish jobs due and not yet done, whole group.",
        &[("", group.queued_jobs.to_string())],
    );
    put(
        "zhanqun_publish_queue_oldest_seconds",
        "gauge",
        "How long the oldest publish job not yet done has been due, whole group.",
        &[("", group.oldest_due.map_or(0, |due| (now - due).max(0)).to_string())],
    );
    let (runs, seconds) = NODE.publish_runs.read();
    put(
        "zhanqun_publish_seconds",
        "summary",
        "Publisher runs of this node that published, and their time.",
        &[("_count", runs.to_string()), ("_sum", format!("{seconds:.6}"))],
    );
    put(
        "zhanqun_publish_jobs_total",
        "counter",
        "Publish jobs this node ran.",
        &[("", read(&NODE.publish_jobs).to_string())],
    );
    put(
        "zhanqun_approvals_total",
        "counter",
        "Reviewers' approvals recorded, whole group.",
        &[("", group.approvals.to_string())],
    );
    put("zhanqun_hits_total", "counter", "Counter hits this node counted.", &[("", read(&NODE.hits).to_string())]);
    let (searches, seconds) = NODE.searches.read();
    put(
        "zhanqun_search_seconds",
        "summary",
        "Searches this node answered, and their time.",
        &[("_count", searches.to_string()), ("_sum", format!("{seconds:.6}"))],
    );
    if state.project.own_folder {
        match state.project.store.folder_lag(&crate::service::node()).await {
            Ok(Some((behind, confirmed))) => {
                put(
                    "zhanqun_folder_entries_behind",
                    "gauge",
                    "Publishes of other nodes not yet rendered into this node's own folder.",
                    &[("", behind.to_string())],
                );
                put(
                    "zhanqun_folder_confirmed_seconds",
                    "gauge",
                    "How long ago this node last confirmed its own folder in step.",
                    &[("", (now - confirmed).max(0).to_string())],
                );
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not read how far this node's folder is behind"),
        }
    }
    if let Some(vetoes) = group.audit_vetoes {
        put(
            "zhanqun_audit_vetoes",
            "gauge",
            "Vetoes the latest daily audit found, whole group.",
            &[("", vetoes.to_string())],
        );
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_direct_internal_connections_are_answered() {
        let at = |ip: &str| Some(SocketAddr::new(ip.parse().unwrap(), 40000));
        let none = HeaderMap::new();
        for ip in ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.20", "::1", "fd00::5", "::ffff:127.0.0.1"] {
            assert!(internal(at(ip), &none), "{ip}");
        }
        for ip in ["8.8.8.8", "100.64.0.1", "2001:db8::1", "::ffff:8.8.8.8"] {
            assert!(!internal(at(ip), &none), "{ip}");
        }
        let mut relayed = HeaderMap::new();
        relayed.insert("x-real-ip", "203.0.113.9".parse().unwrap());
        assert!(!internal(at("127.0.0.1"), &relayed), "relayed by nginx: public");
        assert!(!internal(None, &none));
    }
}
