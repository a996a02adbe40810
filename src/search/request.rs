//! A search request from the query string, checked field by field: every mistake becomes a
//! Chinese message naming the parameter, and nothing unchecked reaches the index.

use chrono::NaiveDate;

use crate::group::{Group, Site, SiteKind};

/// Longest query accepted, in characters; the search box allows as many.
pub const MAX_QUERY_CHARS: usize = 100;
pub const PAGE_SIZE: usize = 10;
/// Deepest page served: past it, narrowing the search helps more than paging.
pub const MAX_PAGE: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Site(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    Date,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Date => "date",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    /// Trimmed, control characters removed; may be empty (the HTML page then shows the form).
    pub text: String,
    pub scope: Scope,
    pub column: Option<String>,
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
    pub sort: Sort,
    pub page: usize,
}

/// A parameter that cannot be used, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    pub field: &'static str,
    pub message: String,
}

fn bad(field: &'static str, message: String) -> RequestError {
    RequestError { field, message }
}

/// What a host searches when the request does not say: the portal the whole group (when the
/// group is set up so), a subsite itself.
pub fn default_scope(group: &Group, site: &Site) -> Scope {
    if site.def.kind == SiteKind::Portal && group.def.search.portal_searches_group {
        Scope::All
    } else {
        Scope::Site(site.code().to_string())
    }
}

/// Reads `q`, `site`, `column`, `from`, `to`, `sort` and `page`; other parameters are ignored,
/// and of a repeated one the first counts.
pub fn parse(pairs: &[(String, String)], group: &Group, default: Scope) -> Result<SearchRequest, RequestError> {
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim()).unwrap_or("");
    let raw = get("q");
    if raw.chars().count() > MAX_QUERY_CHARS {
        return Err(bad(
            "q",
            format!("检索词过长（{} 个字），最多 {MAX_QUERY_CHARS} 个字，请精简后再试", raw.chars().count()),
        ));
    }
    let text: String = raw.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string();

    let scope = match get("site") {
        "" => default,
        "all" => Scope::All,
        code => match group.site(code) {
            Some(s) => Scope::Site(s.code().to_string()),
            None => return Err(bad("site", format!("没有代码为“{}”的站点，请在全站群范围内检索", clip(code)))),
        },
    };
    let column = match get("column") {
        "" => None,
        slug => {
            let known = match &scope {
                Scope::Site(code) => group.site(code).is_some_and(|s| has_column(s, slug)),
                Scope::All => group.sites.iter().any(|s| has_column(s, slug)),
            };
            if !known {
                return Err(bad("column", format!("栏目“{}”不存在，请从栏目列表中选择", clip(slug))));
            }
            Some(slug.to_string())
        }
    };
    let from = date(get("from"), "from", "起始日期")?;
    let to = date(get("to"), "to", "截止日期")?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(bad("from", format!("起始日期 {f} 晚于截止日期 {t}，请调换后再试")));
        }
    }
    let sort = match get("sort") {
        "" | "relevance" => Sort::Relevance,
        "date" => Sort::Date,
        other => {
            return Err(bad(
                "sort",
                format!("排序方式“{}”无效，可选 relevance（按相关度）或 date（按时间）", clip(other)),
            ))
        }
    };
    let page = match get("page") {
        "" => 1,
        p => match p.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            Ok(n) if n > MAX_PAGE => {
                return Err(bad(
                    "page",
                    format!("最多只显示前 {MAX_PAGE} 页结果，请缩小检索范围（加检索词、选站点、栏目或日期）"),
                ))
            }
            _ => return Err(bad("page", format!("页码“{}”无效，应为 1 到 {MAX_PAGE} 之间的整数", clip(p)))),
        },
    };
    Ok(SearchRequest { text, scope, column, from, to, sort, page })
}

fn has_column(site: &Site, slug: &str) -> bool {
    site.def.columns.iter().any(|c| c.slug == slug)
}

fn date(s: &str, field: &'static str, label: &str) -> Result<Option<NaiveDate>, RequestError> {
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| (1949..=2200).contains(&chrono::Datelike::year(d)))
        .map(Some)
        .ok_or_else(|| bad(field, format!("{label}“{}”无效，请按 年-月-日 填写，例如 2024-03-01", clip(s))))
}

/// Echoes at most a few characters of a bad value back: enough to recognise it, never a
/// page-long paste.
fn clip(s: &str) -> String {
    const MAX: usize = 20;
    if s.chars().count() > MAX {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(q).unwrap()
    }

    fn group() -> Group {
        Group::load(std::path::Path::new("sites"), None).expect("shipped group")
    }

    #[test]
    fn defaults_and_a_full_request() {
        let g = group();
        let r = parse(&pairs("q=%E8%88%86%E6%83%85"), &g, Scope::Site("fgw".into())).unwrap();
        assert_eq!(
            (r.text.as_str(), &r.scope, r.page, r.sort),
            ("舆情", &Scope::Site("fgw".into()), 1, Sort::Relevance)
        );
        let r =
            parse(&pairs("q=a&site=all&column=tzgg&from=2024-01-01&to=2024-12-31&sort=date&page=3"), &g, Scope::All)
                .unwrap();
        assert_eq!(r.scope, Scope::All);
        assert_eq!(r.column.as_deref(), Some("tzgg"));
        assert_eq!((r.sort, r.page), (Sort::Date, 3));
    }

    #[test]
    fn every_bad_parameter_names_itself() {
        let g = group();
        for (q, field) in [
            ("q=".to_string() + &"长".repeat(MAX_QUERY_CHARS + 1), "q"),
            ("site=nosuch".into(), "site"),
            ("column=nosuch".into(), "column"),
            ("site=fgw&column=nosuch".into(), "column"),
            ("from=2024-13-01".into(), "from"),
            ("to=yesterday".into(), "to"),
            ("from=2024-02-01&to=2024-01-01".into(), "from"),
            ("sort=popular".into(), "sort"),
            ("page=0".into(), "page"),
            ("page=-1".into(), "page"),
            ("page=99999".into(), "page"),
            ("page=1e3".into(), "page"),
        ] {
            let e = parse(&pairs(&q), &g, Scope::All).expect_err(&q);
            assert_eq!(e.field, field, "{q}: {e:?}");
            assert!(e.message.chars().count() < 80, "{q}: message too long: {}", e.message);
        }
    }

    #[test]
    fn control_characters_and_blank_queries() {
        let g = group();
        let r = parse(&pairs("q=%0A%20%09"), &g, Scope::All).unwrap();
        assert_eq!(r.text, "");
        let r = parse(&pairs("q=%E8%88%86%00%E6%83%85"), &g, Scope::All).unwrap();
        assert_eq!(r.text, "舆 情");
    }
}
