//! Checks of the published output, as nginx serves it (not of the templates): every page
//! carries the locked header, search box, footer and counter beacon unchanged (a page without
//! them was altered on disk or is not this system's), no internal link or attachment is
//! broken (the home page's counted apart, as the inspection does), and the text passes the
//! content checks of `content`.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use super::content;
use super::finding::Finding;
use crate::content::check;
use crate::group::model::AuditSettings;
use crate::publish::manifest;
use crate::store::audit_runs::Confirmed;
use crate::theme::locked::LockedParts;

/// Findings of one rule kept per site; the rest are summed up in one more finding.
pub const SHOWN_PER_RULE: usize = 30;

/// What a site's scan needs to know of the group.
pub struct ScanContext<'a> {
    /// Site code, host and the folder nginx serves it from (`publish/<host>`).
    pub code: &'a str,
    pub host: &'a str,
    pub root: PathBuf,
    pub scheme: &'a str,
    /// Every host of the group with its folder, for links between sites.
    pub hosts: &'a HashMap<String, PathBuf>,
    /// Paths served by the zhanqun service, not by files (search, counter, API).
    pub dynamic: &'a [String],
    pub locked: &'a LockedParts,
    pub settings: &'a AuditSettings,
    /// The day judged (`YYYY-MM-DD`): a page dated after it is future-dated.
    pub today: &'a str,
    /// The group's official mail domain, and the addresses on it cancelled in the registry.
    pub mail_domain: &'a str,
    pub cancelled: &'a HashSet<String>,
    /// Findings the reviewer confirmed in writing before the article went live, by article id:
    /// reported as reviewed, not as vetoes.
    pub confirmed: &'a HashMap<i64, Vec<Confirmed>>,
    /// Collect links to hosts outside the group, for the optional external link check.
    pub external: bool,
}

/// A link that leads nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// Page path the link is on, e.g. `/gzdt/index.html`.
    pub page: String,
    pub target: String,
}

#[derive(Debug, Default)]
pub struct Scan {
    pub pages: usize,
    /// (page, missing part)
    pub unlocked: Vec<(String, &'static str)>,
    pub home_broken: Vec<Broken>,
    pub broken: Vec<Broken>,
    pub attachments_missing: Vec<Broken>,
    /// (page, hit) of the content rules (`crate::content::check::text`): leaders' names,
    /// 错敏词, forbidden words, private and cancelled mailboxes.
    pub text_hits: Vec<(String, check::Hit)>,
    /// Article pages without a publication date (`PubDate`), and (page, date) of those dated
    /// after the day judged.
    pub undated: Vec<String>,
    pub future: Vec<(String, String)>,
    /// (first page, URL) of each link to a host outside the group, when asked for.
    pub external: Vec<(String, String)>,
    /// What differs from the manifest written when the live release was published.
    pub tampered: manifest::Difference,
}

/// Scans one site's live folder.
pub fn scan(cx: &ScanContext) -> std::io::Result<Scan> {
    let root = std::fs::canonicalize(&cx.root)?;
    let mut files: HashSet<String> = HashSet::new();
    let mut pages = Vec::new();
    for entry in walkdir::WalkDir::new(&root).follow_links(false) {
        let entry = entry.map_err(std::io::Error::other)?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(&root).unwrap_or(entry.path());
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel.ends_with(".html") {
            pages.push(rel.clone());
        }
        files.insert(rel);
    }
    let mut out = Scan { pages: pages.len(), ..Scan::default() };
    // Every byte against what was published (a release from before manifests has none).
    if let Some(diff) =
        cx.root.parent().map(|out| manifest::check_live(out, cx.host, manifest::Depth::Hash)).transpose()?.flatten()
    {
        out.tampered = diff;
    }
    let mut elsewhere: HashMap<PathBuf, bool> = HashMap::new();
    // The locked parts' own links (the national filing and error-report services) are the
    // group's, the same on every page of every site: not one site's to check.
    let mut seen_external: HashSet<String> = [&cx.locked.header, &cx.locked.search, &cx.locked.footer]
        .iter()
        .flat_map(|part| check::links_in(part))
        .collect();
    for rel in &pages {
        let html = std::fs::read_to_string(root.join(rel))?;
        let page = format!("/{rel}");
        if let Err(part) = cx.locked.verify(&html) {
            out.unlocked.push((page.clone(), part));
        }
        let text = content::text_of(&html);
        let rules = check::Rules { settings: cx.settings, mail_domain: cx.mail_domain, cancelled: cx.cancelled };
        out.text_hits.extend(check::text(&text, &rules).into_iter().map(|h| (page.clone(), h)));
        match page_date(&html) {
            PageDate::NotAnArticle => {}
            PageDate::Missing => out.undated.push(page.clone()),
            PageDate::On(day) if day.as_str() > cx.today => out.future.push((page.clone(), day)),
            PageDate::On(_) => {}
        }
        let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        for link in check::links_in(&html) {
            if cx.external && is_external(cx, &link) {
                if seen_external.insert(link.clone()) {
                    out.external.push((page.clone(), link));
                }
                continue;
            }
            let Some((host_root, path)) = cx.links().resolve(dir, &link) else { continue };
            let found = match host_root {
                None => exists_in(&files, &path),
                Some(other) => *elsewhere.entry(other.join(&path)).or_insert_with(|| on_disk(&other, &path)),
            };
            if found {
                continue;
            }
            let b = Broken { page: page.clone(), target: link };
            if path.starts_with("files/") {
                out.attachments_missing.push(b);
            } else if rel == "index.html" {
                out.home_broken.push(b);
            } else {
                out.broken.push(b);
            }
        }
    }
    Ok(out)
}

enum PageDate {
    /// Not an article page (no `ArticleTitle` meta): lists and the home page carry no date.
    NotAnArticle,
    Missing,
    /// `YYYY-MM-DD`
    On(String),
}

/// The publication date an article page declares in its `PubDate` meta.
fn page_date(html: &str) -> PageDate {
    let head = &html[..html.find("</head>").unwrap_or(html.len())];
    if !head.contains("<meta name=\"ArticleTitle\"") {
        return PageDate::NotAnArticle;
    }
    const PUB_DATE: &str = "<meta name=\"PubDate\" content=\"";
    let Some(i) = head.find(PUB_DATE) else { return PageDate::Missing };
    let value = &head[i + PUB_DATE.len()..];
    let value = &value[..value.find('"').unwrap_or(0)];
    match value.get(..10).filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok()) {
        Some(day) => PageDate::On(day.to_string()),
        None => PageDate::Missing,
    }
}

/// An `http(s)://` link to a host that is not one of the group's.
fn is_external(cx: &ScanContext, link: &str) -> bool {
    let Some(rest) = link.strip_prefix("https://").or_else(|| link.strip_prefix("http://")) else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    let host = host.rsplit_once('@').map_or(host.as_str(), |(_, h)| h);
    let host = host.split(':').next().unwrap_or_default();
    !host.is_empty() && host != cx.host && !cx.hosts.contains_key(host)
}

fn exists_in(files: &HashSet<String>, path: &str) -> bool {
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        return files.contains("index.html");
    }
    files.contains(path) || files.contains(&format!("{path}/index.html"))
}

impl ScanContext<'_> {
    fn links(&self) -> LinkScope<'_> {
        LinkScope { host: self.host, scheme: self.scheme, hosts: self.hosts, dynamic: self.dynamic }
    }
}

/// What a link on a page is resolved against: the page's host, the group's scheme and hosts,
/// and the paths the service answers (not files). The audit's scan and the check of a draft
/// resolve links the same way.
pub struct LinkScope<'a> {
    pub host: &'a str,
    pub scheme: &'a str,
    /// Every host of the group with its folder.
    pub hosts: &'a HashMap<String, PathBuf>,
    pub dynamic: &'a [String],
}

impl LinkScope<'_> {
    /// Where a link points in the published output: None for links this check leaves alone
    /// (anchors, mail, other sites outside the group, the service's own paths); otherwise the
    /// folder of another group host (or None for this one) and the path inside it, relative
    /// to the page's folder `dir`.
    pub fn resolve(&self, dir: &str, link: &str) -> Option<(Option<PathBuf>, String)> {
        let link = link.split(['#', '?']).next().unwrap_or_default();
        if link.is_empty()
            || link.starts_with("mailto:")
            || link.starts_with("tel:")
            || link.starts_with("javascript:")
            || link.starts_with("data:")
        {
            return None;
        }
        let (other, path) = if let Some(rest) = link.strip_prefix("//").map(|r| r.to_string()).or_else(|| {
            link.split_once("://")
                .filter(|(s, _)| s.eq_ignore_ascii_case(self.scheme) || *s == "http" || *s == "https")
                .map(|(_, r)| r.to_string())
        }) {
            let (host, path) = rest
                .split_once('/')
                .map(|(h, p)| (h.to_ascii_lowercase(), format!("/{p}")))
                .unwrap_or((rest.to_ascii_lowercase(), "/".into()));
            if host == self.host {
                (None, path)
            } else {
                (Some(self.hosts.get(&host)?.clone()), path)
            }
        } else if link.contains(':') {
            return None;
        } else if link.starts_with('/') {
            (None, link.to_string())
        } else {
            (None, format!("/{dir}/{link}"))
        };
        if self.dynamic.iter().any(|d| path == *d || (d.ends_with('/') && path.starts_with(d.as_str()))) {
            return None;
        }
        // A link that climbs out of the site's root leads nowhere: ".." is never a file.
        Some((other, normalize(&percent_decode(&path)).unwrap_or_else(|| "..".into())))
    }
}

/// Whether `path` (as `resolve` gives it) is a published file or folder page under `root`.
pub fn on_disk(root: &std::path::Path, path: &str) -> bool {
    let p = root.join(path);
    p.is_file() || p.join("index.html").is_file()
}

/// `/a/./b/../c` → `a/c`; None when it climbs out of the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if path.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The scan as findings, at most `SHOWN_PER_RULE` per rule and one more that counts the rest.
pub fn findings(cx: &ScanContext, scan: &Scan, url: impl Fn(&str) -> String) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push_all = |rule: &'static str, list: Vec<Finding>, threshold: &str| {
        let total = list.len();
        out.extend(list.into_iter().take(SHOWN_PER_RULE));
        if total > SHOWN_PER_RULE {
            out.push(Finding::new(
                rule,
                cx.code,
                format!("另有 {} 处同类问题未逐条列出", total - SHOWN_PER_RULE),
                threshold.to_string(),
            ));
        }
    };
    let unlocked = scan
        .unlocked
        .iter()
        .map(|(page, part)| {
            Finding::new("output.locked_parts", cx.code, format!("页面缺少统一的{}", part_name(part)), "每个页面都须有")
                .url(url(page))
        })
        .collect();
    push_all("output.locked_parts", unlocked, "每个页面都须有");
    let t = &scan.tampered;
    let tampered = t
        .altered
        .iter()
        .map(|p| (p, format!("文件 /{p} 的内容与发布时不同")))
        .chain(t.added.iter().map(|p| (p, format!("出现了发布时没有的文件 /{p}"))))
        .chain(t.removed.iter().map(|p| (p, format!("发布的文件 /{p} 不见了"))))
        .map(|(p, found)| Finding::new("output.tampered", cx.code, found, "与发布时一致").url(url(&format!("/{p}"))))
        .collect();
    push_all("output.tampered", tampered, "与发布时一致");
    for (rule, list) in [
        ("links.home_broken", &scan.home_broken),
        ("links.broken", &scan.broken),
        ("links.attachment_missing", &scan.attachments_missing),
    ] {
        let found = list
            .iter()
            .map(|b| Finding::new(rule, cx.code, format!("链接 {} 无法打开", b.target), "不得有").url(url(&b.page)))
            .collect();
        push_all(rule, found, "不得有");
    }
    // One list per rule, in the order the rules are checked.
    let mut by_rule: Vec<(&'static str, &'static str, Vec<Finding>)> = Vec::new();
    for (page, hit) in &scan.text_hits {
        let same = |c: &&Confirmed| c.rule == hit.rule && c.found == hit.found;
        // An article page answers for itself; a list or the home page shows titles and
        // summaries of articles, and a confirmed one carries its confirmation there.
        let confirmed = match article_id(page) {
            Some(id) => cx.confirmed.get(&id).and_then(|list| list.iter().find(same)),
            None => cx.confirmed.values().flatten().find(same),
        };
        let (rule, threshold, found) = match confirmed {
            Some(c) => (
                "content.reviewed",
                "审核员书面核实",
                format!("{}（审核员{}发布前已核实：{}）", hit.message, c.reviewer, c.reason),
            ),
            None => (hit.rule, hit.threshold, hit.message.clone()),
        };
        let f = Finding::new(rule, cx.code, found, threshold).url(url(page));
        match by_rule.iter_mut().find(|(r, _, _)| *r == rule) {
            Some((_, _, list)) => list.push(f),
            None => by_rule.push((rule, threshold, vec![f])),
        }
    }
    for (rule, threshold, list) in by_rule {
        push_all(rule, list, threshold);
    }
    let mut dates: Vec<Finding> = scan
        .undated
        .iter()
        .map(|page| Finding::new("ops.page_date", cx.code, "信息页面没有发布日期", "须标注发布日期").url(url(page)))
        .collect();
    dates.extend(scan.future.iter().map(|(page, day)| {
        Finding::new("ops.page_date", cx.code, format!("发布日期 {day} 晚于检查日 {}", cx.today), "不得晚于当天")
            .url(url(page))
    }));
    push_all("ops.page_date", dates, "须标注准确的发布日期");
    out
}

/// The article id of an article page's path (`/gzdt/202405/t20240501_42.html` → 42).
fn article_id(page: &str) -> Option<i64> {
    let name = page.rsplit('/').next()?.strip_suffix(".html")?;
    let digits = name.strip_prefix('t')?;
    digits.split_once('_')?.1.parse().ok()
}

fn part_name(part: &str) -> &'static str {
    match part {
        "header" => "页头（站群标识）",
        "search box" => "搜索框",
        "footer" => "页脚（备案信息）",
        _ => "计数代码",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_and_decoded() {
        assert_eq!(normalize("/a/./b/../c/").as_deref(), Some("a/c/"));
        assert_eq!(normalize("/../etc/passwd"), None);
        assert_eq!(percent_decode("/files/%E9%80%9A%E7%9F%A5.pdf"), "/files/通知.pdf");
        assert_eq!(percent_decode("/100%"), "/100%");
        assert_eq!(percent_decode("/%通知"), "/%通知", "a % before a multi-byte character");
    }

    #[test]
    fn long_lists_are_summed_up() {
        let locked = LockedParts::new("h".into(), "s".into(), "f".into(), "x", "/hit");
        let settings = AuditSettings::default();
        let hosts = HashMap::new();
        let cx = ScanContext {
            code: "x",
            host: "x.example.cn",
            root: PathBuf::new(),
            scheme: "https",
            hosts: &hosts,
            dynamic: &[],
            locked: &locked,
            settings: &settings,
            today: "2026-11-22",
            mail_domain: "example.cn",
            cancelled: &HashSet::new(),
            confirmed: &HashMap::new(),
            external: false,
        };
        let broken = (0..35).map(|i| Broken { page: "/a.html".into(), target: format!("/b{i}.html") }).collect();
        let f = findings(&cx, &Scan { broken, ..Scan::default() }, |p| p.to_string());
        assert_eq!(f.len(), SHOWN_PER_RULE + 1);
        assert!(f.iter().all(|f| f.rule == "links.broken"));
        assert!(f[SHOWN_PER_RULE].found.contains("另有 5 处"), "{}", f[SHOWN_PER_RULE].found);
    }

    #[test]
    fn links_are_found_with_entities_decoded() {
        let html = r#"<a href="/gzdt/">x</a><img src="/static/a.png"><a class="x" href="/s?a=1&amp;b=2">"#;
        assert_eq!(check::links_in(html), ["/gzdt/", "/s?a=1&b=2", "/static/a.png"]);
    }

    #[test]
    fn page_dates_are_read_from_the_article_meta() {
        let page = |meta: &str| {
            format!("<html><head><meta name=\"ArticleTitle\" content=\"t\">{meta}</head><body></body></html>")
        };
        assert!(matches!(page_date("<html><head></head><body>首页</body></html>"), PageDate::NotAnArticle));
        assert!(matches!(page_date(&page("")), PageDate::Missing));
        assert!(matches!(page_date(&page("<meta name=\"PubDate\" content=\"\">")), PageDate::Missing));
        assert!(matches!(page_date(&page("<meta name=\"PubDate\" content=\"2026-13-01 08:00\">")), PageDate::Missing));
        match page_date(&page("<meta name=\"PubDate\" content=\"2026-11-22 08:00\">")) {
            PageDate::On(d) => assert_eq!(d, "2026-11-22"),
            _ => panic!("a dated page"),
        }
    }
}
