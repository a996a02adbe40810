//! One hit as the beacon sends it: `{"s": site, "p": path, "t": title, "r": referrer}` posted
//! by `navigator.sendBeacon`, or `?s=&p=` from the `<noscript>` image. Everything is checked
//! for size and shape before anything else looks at it.

use serde::Deserialize;

/// Longest accepted body (the locked beacon sends well under 1 KB; nginx also caps it at 4 KB).
pub const MAX_BODY: usize = 4096;
const MAX_SITE: usize = 32;
const MAX_PATH: usize = 512;
const MAX_TITLE: usize = 200;
const MAX_REFERRER: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawHit {
    pub site: String,
    /// Normalised: starts with `/`, no query or fragment, `…/index.html` as `…/`.
    pub path: String,
    pub title: String,
    /// Host of the referring page, lower case; empty when there is none.
    pub referrer_host: String,
}

/// Why a hit is not counted at all (answered 400, except where noted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    Malformed,
    TooLarge,
    UnknownSite,
    UnknownPath,
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    s: String,
    #[serde(default)]
    p: String,
    #[serde(default)]
    t: String,
    #[serde(default)]
    r: String,
}

/// A beacon body (JSON; sendBeacon posts it as text/plain).
pub fn from_body(body: &[u8]) -> Result<RawHit, Reject> {
    if body.len() > MAX_BODY {
        return Err(Reject::TooLarge);
    }
    let b: Body = serde_json::from_slice(body).map_err(|_| Reject::Malformed)?;
    build(b)
}

/// The `<noscript>` image's query string.
pub fn from_query(query: &str) -> Result<RawHit, Reject> {
    if query.len() > MAX_BODY {
        return Err(Reject::TooLarge);
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|_| Reject::Malformed)?;
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    build(Body { s: get("s"), p: get("p"), t: get("t"), r: get("r") })
}

fn build(b: Body) -> Result<RawHit, Reject> {
    if b.s.len() > MAX_SITE || b.p.len() > MAX_PATH || b.t.chars().count() > MAX_TITLE || b.r.len() > MAX_REFERRER {
        return Err(Reject::TooLarge);
    }
    if b.s.is_empty() || !b.s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_') {
        return Err(Reject::Malformed);
    }
    let path = normalize_path(&b.p).ok_or(Reject::Malformed)?;
    let title: String = b.t.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string();
    Ok(RawHit { site: b.s, path, title, referrer_host: referrer_host(&b.r) })
}

/// `/a/b.html?x#y` → `/a/b.html`; `/a/index.html` → `/a/`; None for anything that is not a
/// plain absolute path of printable ASCII without `..`.
pub fn normalize_path(p: &str) -> Option<String> {
    let p = p.split(['?', '#']).next().unwrap_or_default();
    if !p.starts_with('/') || p.contains("..") || p.contains("//") || !p.bytes().all(|c| c.is_ascii_graphic()) {
        return None;
    }
    let p = p.strip_suffix("index.html").filter(|s| s.ends_with('/')).unwrap_or(p);
    Some(p.to_string())
}

/// The host of a referrer URL, lower case, without port; empty when there is none.
fn referrer_host(r: &str) -> String {
    let Some((_, rest)) = r.split_once("://") else { return String::new() };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.split(':').next().unwrap_or_default();
    if host.is_empty() || host.len() > 253 || !host.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')
    {
        return String::new();
    }
    host.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_and_queries() {
        let h = from_body(br#"{"s":"fgw","p":"/gzdt/index.html?x=1","t":"\u5de5\u4f5c\u52a8\u6001","r":"https://www.Baidu.com:443/s?wd=x"}"#)
            .unwrap();
        assert_eq!(h.path, "/gzdt/");
        assert_eq!(h.title, "工作动态");
        assert_eq!(h.referrer_host, "www.baidu.com");
        let h = from_query("s=fgw&p=%2Fgzdt%2F202401%2Ft20240101_1.html").unwrap();
        assert_eq!(h.path, "/gzdt/202401/t20240101_1.html");
        assert_eq!(h.referrer_host, "");
    }

    #[test]
    fn bad_hits_are_refused() {
        assert_eq!(from_body(b"not json"), Err(Reject::Malformed));
        assert_eq!(from_body(&vec![b' '; MAX_BODY + 1]), Err(Reject::TooLarge));
        assert_eq!(from_body(br#"{"s":"fgw","p":"/../etc/passwd"}"#), Err(Reject::Malformed));
        assert_eq!(from_body(br#"{"s":"fgw","p":"relative"}"#), Err(Reject::Malformed));
        assert_eq!(from_body(br#"{"s":"<x>","p":"/"}"#), Err(Reject::Malformed));
        assert_eq!(from_body(br#"{"p":"/"}"#), Err(Reject::Malformed));
        let long = format!(r#"{{"s":"fgw","p":"/{}"}}"#, "a".repeat(MAX_PATH));
        assert_eq!(from_body(long.as_bytes()), Err(Reject::TooLarge));
        assert_eq!(from_body(br#"{"s":"fgw","p":"/","r":"javascript:alert(1)"}"#).unwrap().referrer_host, "");
    }
}
