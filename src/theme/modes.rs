//! The two ways a page can be shown besides the standard one, without a page of its own:
//! 关怀版, the reader's choice kept in a cookie for the whole group, and 哀悼日, the group's
//! grey days from `mourning:` in `group.yaml`.
//!
//! Static pages stay byte for byte what the build wrote. 关怀版 is a class on `<html>` that
//! nginx (`sub_filter`, from the cookie) or the preview adds on the way out, so the switch works
//! without JavaScript; 哀悼日 is the content of `/_group/mode.css`, which every page links in
//! its locked header and the service answers by the day, so setting it takes no rebuild.

use crate::group::model::MourningDays;

/// The cookie a reader's 关怀版 choice is kept in.
pub const CARE_COOKIE: &str = "zq_care";
/// The class 关怀版 puts on `<html>`; the theme's stylesheet does the rest.
pub const CARE_CLASS: &str = "zq-care";
/// Turning 关怀版 on and off: `GET` with `?to=<path of the page the reader was on>`.
pub const CARE_ON: &str = "/_care/on";
pub const CARE_OFF: &str = "/_care/off";
/// The stylesheet every page links: empty, or the grey of a day of mourning.
pub const MODE_CSS: &str = "/_group/mode.css";
/// How long a reader's browser keeps the stylesheet: a day of mourning begins for everyone
/// within this many seconds of midnight.
pub const MODE_CSS_MAX_AGE: u32 = 300;
/// What every theme's page opens with, and what 关怀版 adds its class to.
pub const HTML_OPEN: &str = "<html lang=\"zh-CN\">";
/// 关怀版 is kept for a year.
pub const CARE_MAX_AGE: u32 = 365 * 24 * 3600;

/// The first `<html lang="zh-CN">` of `html`, with the 关怀版 class when `care`.
pub fn mark(html: &str, care: bool) -> Option<String> {
    if !care {
        return None;
    }
    let at = html.find(HTML_OPEN)?;
    let mut out = String::with_capacity(html.len() + 20);
    out.push_str(&html[..at]);
    out.push_str(&format!("<html lang=\"zh-CN\" class=\"{CARE_CLASS}\">"));
    out.push_str(&html[at + HTML_OPEN.len()..]);
    Some(out)
}

/// Whether a `Cookie` header holds the 关怀版 choice.
pub fn care_in(cookie_header: &str) -> bool {
    cookie_header.split(';').filter_map(|c| c.trim().split_once('=')).any(|(k, v)| k == CARE_COOKIE && v == "1")
}

/// The page to return to after the switch: a path on the same host and nothing else, so the
/// switch cannot be used to send readers elsewhere. nginx applies the same rule (`RETURN_RULE`).
pub fn return_path(to: Option<&str>) -> &str {
    match to {
        Some(p) if is_return_path(p) => p,
        _ => "/",
    }
}

/// The characters a published page's path is made of; `//` would name another host.
pub const RETURN_RULE: &str = "^/(?!/)[A-Za-z0-9._~/-]*$";

fn is_return_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && p.len() <= 512
        && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"._~/-".contains(&b))
}

/// The `Set-Cookie` of the switch. `domain` is the group's root domain, so the choice holds on
/// every site of the group.
pub fn care_cookie(on: bool, domain: &str) -> String {
    if on {
        format!("{CARE_COOKIE}=1; Path=/; Domain={domain}; Max-Age={CARE_MAX_AGE}; SameSite=Lax")
    } else {
        format!("{CARE_COOKIE}=; Path=/; Domain={domain}; Max-Age=0; SameSite=Lax")
    }
}

/// The group's mode stylesheet on `day` (YYYY-MM-DD, Beijing time).
pub fn mode_css(mourning: &[MourningDays], day: &str) -> &'static str {
    if mourning.iter().any(|m| m.covers(day)) {
        "/* 哀悼日 */\nhtml { filter: grayscale(100%); -webkit-filter: grayscale(100%); }\n"
    } else {
        "/* 今日无特别显示方式 */\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn care_marks_the_first_html_tag_only_when_chosen() {
        let page = "<!doctype html>\n<html lang=\"zh-CN\">\n<body>&lt;html lang=\"zh-CN\"&gt;</body>";
        assert_eq!(mark(page, false), None);
        let marked = mark(page, true).unwrap();
        assert!(marked.starts_with("<!doctype html>\n<html lang=\"zh-CN\" class=\"zq-care\">\n"));
        assert_eq!(marked.matches("class=\"zq-care\"").count(), 1);
        assert_eq!(mark("<p>no page</p>", true), None);
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        assert!(care_in("zq_session=abc; zq_care=1"));
        assert!(care_in("zq_care=1"));
        assert!(!care_in("zq_care=; other=1"));
        assert!(!care_in("xzq_care=1"));
        assert!(!care_in(""));
    }

    #[test]
    fn the_switch_returns_to_a_page_of_the_same_host_only() {
        assert_eq!(return_path(Some("/gzdt/2026/11/123.html")), "/gzdt/2026/11/123.html");
        assert_eq!(return_path(Some("/")), "/");
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil", "/a b", "/a?x=1", "", "javascript:alert(1)"]
        {
            assert_eq!(return_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(return_path(None), "/");
    }

    #[test]
    fn grey_on_the_days_of_mourning_only() {
        let days = [MourningDays { from: "2026-12-13".into(), to: "2026-12-14".into(), reason: String::new() }];
        assert!(mode_css(&days, "2026-12-13").contains("grayscale"));
        assert!(mode_css(&days, "2026-12-14").contains("grayscale"));
        assert!(!mode_css(&days, "2026-12-12").contains("grayscale"));
        assert!(!mode_css(&days, "2026-12-15").contains("grayscale"));
        assert!(!mode_css(&[], "2026-12-13").contains("grayscale"));
    }
}
