//! The optional check of links that leave the group. Other sites owe us nothing, so the check
//! is polite: each distinct link is asked once per run, one request at a time per host, few at
//! a time overall, HEAD first (GET only where HEAD is refused), a short timeout, and at most
//! `max_links` links per run. Only answers that say the page is gone (404, 410, 5xx) or no
//! answer at all count as broken; 401/403/429 say nothing about the link and are not reported.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Semaphore};

use super::public_net::Reach;
use crate::group::model::ExternalLinks;

/// Identifies the checker to the sites it visits.
pub const USER_AGENT: &str = concat!("zhanqun-linkcheck/", env!("CARGO_PKG_VERSION"), " (government site group audit)");

/// Why a link is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    Status(u16),
    /// No answer: refused, unknown host, timeout, TLS failure.
    Unreachable(String),
}

impl Broken {
    pub fn describe(&self) -> String {
        match self {
            Broken::Status(code) => format!("返回 HTTP {code}"),
            Broken::Unreachable(why) => format!("无法访问（{why}）"),
        }
    }
}

/// Checks each distinct URL of `urls` (at most `settings.max_links` of them, in order);
/// returns the broken ones with the reason and how many were left unchecked.
pub async fn check(urls: &[String], settings: &ExternalLinks) -> anyhow::Result<(HashMap<String, Broken>, usize)> {
    let reach = if settings.reach_loopback { Reach::PublicAndLoopback } else { Reach::Public };
    let client = super::public_net::client_builder(reach, 5)
        .user_agent(USER_AGENT)
        .timeout(Duration::from_secs(settings.timeout_seconds))
        .connect_timeout(Duration::from_secs(settings.timeout_seconds.min(5)))
        .build()?;
    let mut distinct: Vec<&String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for u in urls {
        if seen.insert(u) {
            distinct.push(u);
        }
    }
    let skipped = distinct.len().saturating_sub(settings.max_links);
    distinct.truncate(settings.max_links);
    // Links grouped by host: each host's links go one after another.
    let mut by_host: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for u in distinct {
        let host = reqwest::Url::parse(u).ok().and_then(|p| p.host_str().map(str::to_string)).unwrap_or_default();
        by_host.entry(host).or_default().push(u.clone());
    }
    let slots = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let broken = Arc::new(Mutex::new(HashMap::new()));
    let mut tasks = tokio::task::JoinSet::new();
    for (_, links) in by_host {
        let (client, slots, broken) = (client.clone(), slots.clone(), broken.clone());
        tasks.spawn(async move {
            for url in links {
                let Ok(_slot) = slots.acquire().await else { return };
                if let Some(b) = probe(&client, reach, &url).await {
                    broken.lock().await.insert(url, b);
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let broken = std::mem::take(&mut *broken.lock().await);
    Ok((broken, skipped))
}

async fn probe(client: &reqwest::Client, reach: Reach, url: &str) -> Option<Broken> {
    if reqwest::Url::parse(url).is_ok_and(|u| reach.refuses_literal(&u)) {
        return Some(Broken::Unreachable(super::public_net::REFUSED.to_string()));
    }
    let head = match client.head(url).send().await {
        Ok(r) => r.status().as_u16(),
        Err(e) => return Some(unreachable(&e)),
    };
    // Some servers refuse HEAD or answer it wrongly; GET tells.
    let status = if matches!(head, 400 | 404 | 405 | 501) {
        match client.get(url).send().await {
            Ok(r) => r.status().as_u16(),
            Err(e) => return Some(unreachable(&e)),
        }
    } else {
        head
    };
    (status == 404 || status == 410 || status >= 500).then_some(Broken::Status(status))
}

fn unreachable(e: &reqwest::Error) -> Broken {
    // The refusal of a private destination is in the error's chain (resolver or redirect).
    let refused = std::iter::successors(Some(e as &dyn std::error::Error), |e| e.source())
        .any(|e| e.to_string().contains(super::public_net::REFUSED));
    let why = if refused {
        super::public_net::REFUSED
    } else if e.is_timeout() {
        "超时"
    } else if e.is_connect() {
        "连接失败"
    } else if e.is_redirect() {
        "重定向过多"
    } else {
        "请求失败"
    };
    Broken::Unreachable(why.to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Links to this machine and to a private range are refused without a single connection:
    /// the check is no way to probe the service's own network.
    #[tokio::test]
    async fn private_destinations_are_never_fetched() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = connections.clone();
        let server = tokio::spawn(async move {
            while let Ok((_conn, _)) = listener.accept().await {
                seen.fetch_add(1, Ordering::SeqCst);
            }
        });
        let urls: Vec<String> = [
            format!("http://127.0.0.1:{port}/admin"),
            format!("http://localhost:{port}/x"),
            format!("http://[::1]:{port}/y"),
            format!("http://2130706433:{port}/z"),
            "http://169.254.169.254/latest/meta-data/".to_string(),
            "http://10.0.0.1/intranet".to_string(),
        ]
        .to_vec();
        let settings =
            ExternalLinks { enabled: true, concurrency: 2, timeout_seconds: 2, max_links: 100, ..Default::default() };
        let (broken, skipped) = check(&urls, &settings).await.unwrap();
        assert_eq!(skipped, 0);
        for u in &urls {
            assert_eq!(
                broken.get(u),
                Some(&Broken::Unreachable(super::super::public_net::REFUSED.to_string())),
                "{u}: {broken:?}"
            );
        }
        assert_eq!(connections.load(Ordering::SeqCst), 0, "no request reached this machine");
        server.abort();
    }
}
