//! Who is not a reader: crawlers, scripts, monitors and link previews by their User-Agent, and
//! pages the browser fetched ahead without anyone looking (prefetch, prerender).

use axum::http::HeaderMap;

/// Substrings (lower case) of User-Agents that are not people reading.
const PATTERNS: &[&str] = &[
    "bot",
    "spider",
    "crawl",
    "slurp",
    "curl/",
    "wget/",
    "python",
    "java/",
    "go-http-client",
    "okhttp",
    "libwww",
    "httpclient",
    "scrapy",
    "headless",
    "phantomjs",
    "selenium",
    "lighthouse",
    "pingdom",
    "uptime",
    "monitor",
    "preview",
    "feedfetcher",
    "facebookexternalhit",
    "yisou",
    "sogou web",
    "apache-httpclient",
    "postman",
];

/// True when the request should not count: a bot's User-Agent (or none at all), or a
/// prefetch or prerender.
pub fn not_a_reader(headers: &HeaderMap) -> bool {
    let prefetch = ["purpose", "sec-purpose", "x-purpose", "x-moz"].iter().any(|h| {
        headers.get(*h).and_then(|v| v.to_str().ok()).is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("prefetch") || v.contains("prerender") || v.contains("preview")
        })
    });
    prefetch || headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).is_none_or(is_bot)
}

pub fn is_bot(user_agent: &str) -> bool {
    let ua = user_agent.trim().to_ascii_lowercase();
    ua.len() < 8 || PATTERNS.iter().any(|p| ua.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crawlers_scripts_and_prefetches() {
        for ua in [
            "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
            "Mozilla/5.0 (compatible; Googlebot/2.1)",
            "Sogou web spider/4.0",
            "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
            "curl/8.0.1",
            "python-requests/2.31",
            "",
        ] {
            assert!(is_bot(ua), "{ua}");
        }
        for ua in [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0",
        ] {
            assert!(!is_bot(ua), "{ua}");
        }
        let mut h = HeaderMap::new();
        h.insert("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0".parse().unwrap());
        assert!(!not_a_reader(&h));
        h.insert("sec-purpose", "prefetch;prerender".parse().unwrap());
        assert!(not_a_reader(&h));
    }
}
