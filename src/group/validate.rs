//! The eight unifications as rules over the parsed group: one domain scheme, complete filing,
//! the group logo, the base columns, official mailboxes. Each rule reports where the offending
//! value sits and what to do about it.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use super::formats::{is_domain, is_icp, is_label, is_official_mail, is_psb, is_site_id, is_slug};
use super::model::{GroupFile, SiteFile, SiteKind};
use super::positions::Positions;
use super::problem::Problems;

/// A site file as read from disk, with where its values sit.
pub struct SiteSource<'a> {
    pub path: &'a Path,
    pub def: &'a SiteFile,
    pub positions: &'a Positions,
}

/// `audit:`: weights only for deduction rules that exist; lists without blanks.
fn check_audit(g: &GroupFile, path: &Path, pos: &Positions, out: &mut Problems) {
    use super::inspection::{Severity, RULES};
    for id in g.audit.weights.keys() {
        let at = pos.key(&format!("audit.weights.{id}"));
        match RULES.iter().find(|r| r.id == id) {
            None => {
                let known: Vec<&str> =
                    RULES.iter().filter(|r| r.severity == Severity::Deduction).map(|r| r.id).collect();
                out.push(
                    path,
                    at,
                    format!("unknown audit rule `{id}` in audit.weights"),
                    format!("one of: {}", known.join(", ")),
                )
            }
            Some(r) if r.severity != Severity::Deduction => out.push(
                path,
                at,
                format!(
                    "audit rule `{id}` is a {} and has no weight",
                    if r.severity == Severity::Veto { "veto" } else { "notice" }
                ),
                "only deduction rules take points off; remove the line",
            ),
            Some(_) => {}
        }
    }
    let x = &g.audit.external_links;
    if !(1..=16).contains(&x.concurrency) {
        out.push(
            path,
            pos.value("audit.external_links.concurrency"),
            format!("audit.external_links.concurrency {} is out of range", x.concurrency),
            "1 to 16 requests at a time: other sites' servers are not ours to load",
        );
    }
    if !(1..=60).contains(&x.timeout_seconds) {
        out.push(
            path,
            pos.value("audit.external_links.timeout_seconds"),
            format!("audit.external_links.timeout_seconds {} is out of range", x.timeout_seconds),
            "1 to 60 seconds",
        );
    }
    if x.max_links == 0 {
        out.push(
            path,
            pos.value("audit.external_links.max_links"),
            "audit.external_links.max_links is 0",
            "at least 1, or set enabled: false",
        );
    }
    for (i, w) in g.audit.forbidden_words.iter().enumerate() {
        if w.trim().is_empty() {
            out.push(
                path,
                pos.value(&format!("audit.forbidden_words[{i}]")),
                "an empty forbidden word",
                "remove the line",
            );
        }
    }
    for (i, c) in g.audit.corrections.iter().enumerate() {
        if c.wrong.trim().is_empty() || c.right.trim().is_empty() || c.wrong == c.right {
            out.push(
                path,
                pos.value(&format!("audit.corrections[{i}]")),
                format!("correction `{}` → `{}` needs a wrong and a different right form", c.wrong, c.right),
                "e.g. - {wrong: 中华人民共合国, right: 中华人民共和国}",
            );
        }
    }
    let a = &g.audit.availability;
    for (field, base) in [("base", &a.base), ("base_v6", &a.base_v6)] {
        if let Some(b) = base {
            if !(b.starts_with("http://") || b.starts_with("https://")) || b.trim_end_matches('/').contains(['?', '#'])
            {
                out.push(
                    path,
                    pos.value(&format!("audit.availability.{field}")),
                    format!("audit.availability.{field} `{b}` is not an http(s) address"),
                    "the address nginx listens on, e.g. http://127.0.0.1:80",
                );
            }
        }
    }
    if !(20..=288).contains(&a.per_day) {
        out.push(
            path,
            pos.value("audit.availability.per_day"),
            format!("audit.availability.per_day {} is out of range", a.per_day),
            "20 to 288 probes a day (the national rules ask for at least 20)",
        );
    }
    if !(1..=60).contains(&a.timeout_seconds) {
        out.push(
            path,
            pos.value("audit.availability.timeout_seconds"),
            format!("audit.availability.timeout_seconds {} is out of range", a.timeout_seconds),
            "1 to 60 seconds (15 is the rule)",
        );
    }
    for (i, l) in g.audit.leaders.iter().enumerate() {
        let n = l.name.chars().count();
        if !(2..=6).contains(&n) || l.name.chars().any(|c| c.is_ascii() || c.is_whitespace()) {
            out.push(
                path,
                pos.value(&format!("audit.leaders[{i}].name")),
                format!("leader name `{}` is not a name of 2 to 6 Chinese characters", l.name),
                "write the name alone, e.g. 王建国",
            );
        }
        if l.titles.is_empty() || l.titles.iter().any(|t| t.trim().is_empty()) {
            out.push(
                path,
                pos.value(&format!("audit.leaders[{i}].titles")),
                format!("leader `{}` needs the titles the name is written with", l.name),
                "e.g. titles: [市长]",
            );
        }
    }
}

pub fn check_group(g: &GroupFile, path: &Path, pos: &Positions, sites_dir: &Path, out: &mut Problems) {
    if !is_domain(&g.root_domain) {
        out.push(
            path,
            pos.value("root_domain"),
            format!("root domain `{}` is not a valid domain name", g.root_domain),
            "write it in lower case without scheme, e.g. shili.gov.cn",
        );
    }
    if !is_domain(&g.mail_domain) {
        out.push(
            path,
            pos.value("mail_domain"),
            format!("mail domain `{}` is not a valid domain name", g.mail_domain),
            "e.g. shili.gov.cn",
        );
    }
    if g.province.chars().count() != 1 {
        out.push(
            path,
            pos.value("province"),
            format!("province `{}` must be the one-character abbreviation", g.province),
            "e.g. 湘 for Hunan",
        );
    }
    check_audit(g, path, pos, out);
    for (i, m) in g.mourning.iter().enumerate() {
        for (field, day) in [("from", &m.from), ("to", &m.to)] {
            if !super::columns::is_date(day) {
                out.push(
                    path,
                    pos.value(&format!("mourning[{i}].{field}")),
                    format!("mourning day `{day}` is not a date"),
                    "write it as 2026-12-13",
                );
            }
        }
        if super::columns::is_date(&m.from) && super::columns::is_date(&m.to) && m.from > m.to {
            out.push(
                path,
                pos.value(&format!("mourning[{i}].to")),
                format!("mourning ends on {} before it starts on {}", m.to, m.from),
                "the last day comes on or after the first",
            );
        }
    }
    if g.scheme != "https" && g.scheme != "http" {
        out.push(path, pos.value("scheme"), format!("scheme `{}` is neither https nor http", g.scheme), "use https");
    }
    for (field, file) in [("logo", &g.logo), ("party_mark", &g.party_mark)] {
        if !sites_dir.join(file).is_file() {
            out.push(
                path,
                pos.value(field),
                format!("{field} file `{file}` does not exist"),
                format!("put the image at {}", sites_dir.join(file).display()),
            );
        }
    }
    if g.base_columns.is_empty() {
        out.push(
            path,
            pos.value("base_columns"),
            "no base columns are defined",
            "the group needs at least 单位概况, 政策法规, 办事指南 and 工作动态",
        );
    }
    let mut seen = HashMap::new();
    for (i, c) in g.base_columns.iter().enumerate() {
        if !is_slug(&c.slug) {
            out.push(
                path,
                pos.value(&format!("base_columns[{i}].slug")),
                format!("column slug `{}` is not a lower-case ASCII path segment", c.slug),
                "use letters, digits, - and _, e.g. gzdt",
            );
        }
        if let Some(first) = seen.insert(c.slug.as_str(), i) {
            out.push(
                path,
                pos.value(&format!("base_columns[{i}].slug")),
                format!("base column slug `{}` is defined twice", c.slug),
                format!("first defined as base_columns[{first}]"),
            );
        }
        if c.parent.is_some() {
            out.push(
                path,
                pos.key(&format!("base_columns[{i}].parent")),
                "base columns are top-level columns",
                "remove `parent`",
            );
        }
    }
}

pub fn check_site(
    g: &GroupFile,
    s: &SiteSource,
    sites_dir: &Path,
    themes: Option<&dyn super::ThemeCatalog>,
    out: &mut Problems,
) {
    let (d, p, path) = (s.def, s.positions, s.path);
    if !is_label(&d.code) || d.code.len() > 32 {
        out.push(
            path,
            p.value("code"),
            format!("code `{}` must be a short lower-case ASCII id", d.code),
            "letters, digits and -, at most 32 characters, e.g. fgw",
        );
    }
    if d.code == "group" || d.code == "nginx" {
        out.push(path, p.value("code"), format!("code `{}` is reserved", d.code), "choose another code");
    }
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if stem != d.code {
        out.push(
            path,
            p.value("code"),
            format!("code `{}` does not match the file name `{stem}.yaml`", d.code),
            format!("rename the file to {}.yaml or fix the code", d.code),
        );
    }
    match host_label(g, d) {
        Ok(label) => {
            if d.kind == SiteKind::Portal && label != "www" {
                out.push(
                    path,
                    p.value("host"),
                    format!("the portal's host is `{label}.{}`", g.root_domain),
                    format!("the portal must be www.{}", g.root_domain),
                );
            }
            if d.kind != SiteKind::Portal && label == "www" {
                out.push(path, p.value("host"), "only the portal may use the host label www", "choose another label");
            }
        }
        Err(msg) => out.push(
            path,
            p.value("host"),
            msg,
            format!("use a label such as `{}`, which becomes {}.{}", d.code, d.code, g.root_domain),
        ),
    }
    if (d.code == g.portal) != (d.kind == SiteKind::Portal) {
        out.push(
            path,
            p.value("kind"),
            format!("site `{}` has kind {:?} but the group's portal is `{}`", d.code, d.kind, g.portal),
            "exactly the site named by `portal` in group.yaml has kind portal",
        );
    }
    check_filing(g, d, p, path, out);
    check_contact(g, d, p, path, out);
    check_columns(g, d, p, path, out);
    if !(1..=3).contains(&d.review_levels) {
        out.push(
            path,
            p.value("review_levels"),
            format!("review_levels is {}", d.review_levels),
            "use 1, 2 or 3 (三审 is common)",
        );
    }
    if let Some(banner) = &d.theme.banner {
        if !sites_dir.join(banner).is_file() {
            out.push(
                path,
                p.value("theme.banner"),
                format!("banner file `{banner}` does not exist"),
                format!("put the image at {}", sites_dir.join(banner).display()),
            );
        }
    }
    if let Some(themes) = themes {
        let name = d.theme.name.as_deref().unwrap_or(&g.default_theme);
        match themes.variants(name) {
            None => out.push(
                path,
                p.value("theme.name"),
                format!("theme `{name}` does not exist in {}", themes.location()),
                "choose a directory of themes/, e.g. default",
            ),
            Some(known) if !known.contains(&d.theme.variant) => {
                out.push(
                    path,
                    p.value("theme.variant"),
                    format!("theme `{name}` has no variant `{}`", d.theme.variant),
                    format!("choose one of {}", known.join(", ")),
                );
            }
            Some(_) => {}
        }
    }
}

fn check_filing(g: &GroupFile, d: &SiteFile, p: &Positions, path: &Path, out: &mut Problems) {
    if !is_icp(&d.icp, &g.province) {
        out.push(
            path,
            p.value("icp"),
            format!("ICP number `{}` is malformed", d.icp),
            format!("write it as {}ICP备12345678号, optionally with -N", g.province),
        );
    }
    if !is_psb(&d.psb, &g.province) {
        out.push(
            path,
            p.value("psb"),
            format!("public-security filing number `{}` is malformed", d.psb),
            format!("write it as {}公网安备 43040002000123号 (14 digits)", g.province),
        );
    }
    if !is_site_id(&d.site_id) {
        out.push(
            path,
            p.value("site_id"),
            format!("网站标识码 `{}` is malformed", d.site_id),
            "10 digits (6-digit region code + 4-digit serial), or bm followed by 8 digits",
        );
    }
    let org_ok = (9..=18).contains(&d.org_code.len())
        && d.org_code.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
    if !org_ok {
        out.push(
            path,
            p.value("org_code"),
            format!("organisation code `{}` is malformed", d.org_code),
            "9 to 18 upper-case letters and digits, e.g. the unified social credit code",
        );
    }
    let opened = NaiveDate::parse_from_str(&d.opened, "%Y-%m-%d");
    if opened.is_err() {
        out.push(path, p.value("opened"), format!("opening date `{}` is not a date", d.opened), "write YYYY-MM-DD");
    }
    if let Some(filed) = &d.psb_filed {
        match NaiveDate::parse_from_str(filed, "%Y-%m-%d") {
            Err(_) => {
                out.push(path, p.value("psb_filed"), format!("filing date `{filed}` is not a date"), "write YYYY-MM-DD")
            }
            Ok(f) => {
                if let Ok(o) = opened {
                    if f < o - chrono::Days::new(365) {
                        out.push(
                            path,
                            p.value("psb_filed"),
                            format!("filing date {filed} is more than a year before the site opened ({})", d.opened),
                            "check both dates",
                        );
                    }
                }
            }
        }
    }
}

fn check_contact(g: &GroupFile, d: &SiteFile, p: &Positions, path: &Path, out: &mut Problems) {
    if d.contact.address.trim().is_empty() {
        out.push(
            path,
            p.value("contact.address"),
            "contact address is empty",
            "give the postal address of the organiser",
        );
    }
    let phone_ok =
        !d.contact.phone.is_empty() && d.contact.phone.chars().all(|c| c.is_ascii_digit() || " -()+、,".contains(c));
    if !phone_ok {
        out.push(
            path,
            p.value("contact.phone"),
            format!("contact phone `{}` is malformed", d.contact.phone),
            "digits with - between area code and number, e.g. 0734-8888888",
        );
    }
    let mut check_mail = |addr: &str, at: &str| {
        if !is_official_mail(addr, &g.mail_domain) {
            out.push(
                path,
                p.value(at),
                format!("mailbox `{addr}` is not an official mailbox"),
                format!("use an address @{} issued by the central office", g.mail_domain),
            );
        }
    };
    check_mail(&d.contact.email, "contact.email");
    for (i, m) in d.contact.mailboxes.iter().enumerate() {
        check_mail(&m.address, &format!("contact.mailboxes[{i}].address"));
    }
}

fn check_columns(g: &GroupFile, d: &SiteFile, p: &Positions, path: &Path, out: &mut Problems) {
    for problem in super::columns::problems(&g.base_columns, &d.columns) {
        let at = match problem.index {
            Some(i) => p.value(&format!("columns[{i}].{}", problem.field)),
            None => p.value("columns"),
        };
        out.push(path, at, problem.english, problem.hint);
    }
}

/// Cross-site rules: codes, hosts, 网站标识码 and organisation codes are unique.
pub fn check_unique(g: &GroupFile, group_path: &Path, group_pos: &Positions, sites: &[SiteSource], out: &mut Problems) {
    let mut codes: HashMap<&str, &Path> = HashMap::new();
    let mut hosts: HashMap<String, &Path> = HashMap::new();
    let mut ids: HashMap<&str, &Path> = HashMap::new();
    let mut orgs: HashMap<&str, &Path> = HashMap::new();
    for s in sites {
        let d = s.def;
        if let Some(first) = codes.insert(&d.code, s.path) {
            out.push(
                s.path,
                s.positions.value("code"),
                format!("duplicate code `{}`", d.code),
                format!("already used by {}", first.display()),
            );
        }
        if let Ok(label) = host_label(g, d) {
            if let Some(first) = hosts.insert(label.clone(), s.path) {
                out.push(
                    s.path,
                    s.positions.value("host"),
                    format!("duplicate host {label}.{}", g.root_domain),
                    format!("already used by {}", first.display()),
                );
            }
        }
        if let Some(first) = ids.insert(&d.site_id, s.path) {
            out.push(
                s.path,
                s.positions.value("site_id"),
                format!("duplicate 网站标识码 `{}`", d.site_id),
                format!("already used by {}", first.display()),
            );
        }
        if let Some(first) = orgs.insert(&d.org_code, s.path) {
            out.push(
                s.path,
                s.positions.value("org_code"),
                format!("duplicate organisation code `{}`", d.org_code),
                format!("already used by {}; 索引号 would collide", first.display()),
            );
        }
    }
    if !codes.contains_key(g.portal.as_str()) {
        let hint = format!("add sites/{}.yaml with kind: portal or fix `portal` in group.yaml", g.portal);
        out.push(group_path, group_pos.value("portal"), format!("the portal site `{}` is not defined", g.portal), hint);
    }
}

/// `submissions:`: each receiving site exists once, and its columns are columns of that site
/// that can carry other sites' articles.
pub fn check_submissions(g: &GroupFile, path: &Path, pos: &Positions, sites: &[SiteSource], out: &mut Problems) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, t) in g.submissions.iter().enumerate() {
        let Some(site) = sites.iter().find(|s| s.def.code == t.site) else {
            let codes: Vec<&str> = sites.iter().map(|s| s.def.code.as_str()).collect();
            out.push(
                path,
                pos.value(&format!("submissions[{i}].site")),
                format!("submissions: no site `{}` in the group", t.site),
                format!("a site code, e.g. {}", codes.first().copied().unwrap_or("www")),
            );
            continue;
        };
        if let Some(first) = seen.insert(t.site.as_str(), i) {
            out.push(
                path,
                pos.value(&format!("submissions[{i}].site")),
                format!("submissions: site `{}` is listed twice", t.site),
                format!("list its columns once, under submissions[{first}]"),
            );
        }
        if t.columns.is_empty() {
            out.push(
                path,
                pos.value(&format!("submissions[{i}].columns")),
                format!("submissions: site `{}` takes submissions into no column", t.site),
                "name the columns its reviewers place them in, e.g. columns: [bmdt]",
            );
        }
        for (j, slug) in t.columns.iter().enumerate() {
            let at = pos.value(&format!("submissions[{i}].columns[{j}]"));
            match site.def.columns.iter().find(|c| &c.slug == slug) {
                None => out.push(
                    path,
                    at,
                    format!("submissions: site `{}` has no column `{slug}`", t.site),
                    format!("one of the columns in {}", site.path.display()),
                ),
                Some(c) if !c.kind.shares_articles() => out.push(
                    path,
                    at,
                    format!("submissions: column `{slug}` of `{}` is of kind {}", t.site, c.kind.as_str()),
                    "other sites' articles go into news, notice, policy or topic (专题) columns",
                ),
                Some(_) => {}
            }
        }
    }
}

/// The host label of a site under the group's root domain.
pub fn host_label(g: &GroupFile, d: &SiteFile) -> Result<String, String> {
    let host = d.host.clone().unwrap_or_else(|| d.code.clone());
    let label = if host.contains('.') {
        match host.strip_suffix(&format!(".{}", g.root_domain)) {
            Some(label) => label.to_string(),
            None => return Err(format!("host `{host}` is not under the root domain {}", g.root_domain)),
        }
    } else {
        host
    };
    if !is_label(&label) {
        return Err(format!("host label `{label}` is not a single DNS label under {}", g.root_domain));
    }
    Ok(label)
}
