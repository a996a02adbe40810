//! The results page in the requesting site's own theme, with the locked header, search box,
//! footer and beacon exactly as on its static pages. What every page of a site shares is
//! prepared once at start.

use std::collections::HashMap;

use minijinja::{context, Value};
use serde::Serialize;

use crate::group::{Group, Site};
use crate::publish::context::{paginate, site_ctx};
use crate::search::request::{RequestError, Scope, SearchRequest, Sort};
use crate::search::synonyms::Synonyms;
use crate::search::{Hit, Results};
use crate::theme::locked::LockedParts;
use crate::theme::{ThemeError, Themes};

/// The template every theme provides for search results.
pub const TEMPLATE: &str = "search.html";

struct SitePage {
    site: Value,
    locked: LockedParts,
    header: Value,
    search: Value,
    footer: Value,
    beacon: Value,
}

pub struct SearchPages {
    sites: HashMap<String, SitePage>,
    /// (slug, name) of every column of the group, first name seen per slug, for the column
    /// filter of a group-wide search.
    group_columns: Vec<(String, String)>,
    /// The group's short names and equivalent terms, which queries are widened with.
    pub synonyms: Synonyms,
}

impl SearchPages {
    pub fn new(group: &Group, themes: &Themes) -> Result<SearchPages, ThemeError> {
        let mut sites = HashMap::new();
        for site in &group.sites {
            let theme = themes.get(&site.theme);
            let palette = theme.and_then(|t| t.palette(&site.def.theme.variant));
            let (Some(_), Some(palette)) = (theme, palette) else { continue };
            let locked = themes.locked.render(group, site)?;
            let path = &group.def.search.path;
            sites.insert(
                site.code().to_string(),
                SitePage {
                    site: Value::from_serialize(site_ctx(group, site, palette)),
                    header: Value::from_safe_string(locked.header.clone()),
                    search: Value::from_safe_string(locked.search.clone()),
                    footer: Value::from_safe_string(locked.footer.clone()),
                    beacon: Value::from_safe_string(locked.beacon(path)),
                    locked,
                },
            );
        }
        let mut group_columns: Vec<(String, String)> = Vec::new();
        for c in group.sites.iter().flat_map(|s| &s.def.columns) {
            if !group_columns.iter().any(|(slug, _)| *slug == c.slug) {
                group_columns.push((c.slug.clone(), c.name.clone()));
            }
        }
        Ok(SearchPages { sites, group_columns, synonyms: Synonyms::of_group(group) })
    }
}

/// What the page shows besides results.
pub enum Outcome<'a> {
    /// No words yet: the form and a few tips.
    Start,
    Invalid(&'a RequestError),
    Found(&'a Results),
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// Renders the page for `site` (the host asked). The request is what was understood of the
/// query string (defaults where it was invalid); `echo` is the raw text to put back in the box.
#[allow(clippy::too_many_arguments)]
pub fn render(
    pages: &SearchPages,
    themes: &Themes,
    group: &Group,
    site: &Site,
    req: &SearchRequest,
    echo: &str,
    outcome: Outcome<'_>,
) -> Result<String, String> {
    let Some(p) = pages.sites.get(site.code()) else {
        return Err(format!("site {} has no theme for search pages", site.code()));
    };
    let theme = themes.get(&site.theme).ok_or_else(|| format!("theme {} is not loaded", site.theme))?;
    let path = &group.def.search.path;
    let link = |scope: &Scope, column: Option<&str>, sort: Sort, page: usize| -> String {
        let mut q: Vec<(&str, String)> = vec![("q", echo.to_string())];
        q.push(("site", scope_value(scope).to_string()));
        if let Some(c) = column {
            q.push(("column", c.to_string()));
        }
        if let Some(f) = req.from {
            q.push(("from", f.to_string()));
        }
        if let Some(t) = req.to {
            q.push(("to", t.to_string()));
        }
        if sort != Sort::Relevance {
            q.push(("sort", sort.as_str().into()));
        }
        if page > 1 {
            q.push(("page", page.to_string()));
        }
        format!("{path}?{}", serde_urlencoded::to_string(&q).unwrap_or_default())
    };
    let here = Scope::Site(site.code().to_string());
    let columns: Vec<Choice> = match &req.scope {
        Scope::Site(code) => {
            group.site(code).map(|s| s.def.columns.iter().map(|c| (c.slug.clone(), c.name.clone())).collect())
        }
        Scope::All => None,
    }
    .unwrap_or_else(|| pages.group_columns.clone())
    .into_iter()
    .map(|(slug, name)| Choice { selected: req.column.as_deref() == Some(slug.as_str()), value: slug, label: name })
    .collect();
    let scope_name = match &req.scope {
        Scope::All => group.def.name.clone(),
        Scope::Site(code) => group.site(code).map_or_else(|| code.clone(), |s| s.def.name.clone()),
    };

    // 您是不是要找: a search for the unit the query resembles, across the group, and its site.
    let suggestion = match &outcome {
        Outcome::Found(r) => r.suggestion.as_ref().and_then(|s| {
            let unit = group.site(&s.site)?;
            let q = [("q", s.text.as_str()), ("site", "all")];
            Some(context! {
                text => &s.text,
                url => format!("{path}?{}", serde_urlencoded::to_string(q).unwrap_or_default()),
                site_name => &unit.def.name,
                site_url => group.url(unit, "/"),
            })
        }),
        _ => None,
    };
    let (state, error, total, pages_n, hits, micros) = match outcome {
        Outcome::Start => ("start", None, 0, 0, Vec::new(), 0),
        Outcome::Invalid(e) => ("error", Some(e), 0, 0, Vec::new(), 0),
        Outcome::Found(r) if r.nothing_to_search => ("nothing", None, 0, 0, Vec::new(), r.micros),
        Outcome::Found(r) if r.total == 0 => ("none", None, 0, 0, Vec::new(), r.micros),
        Outcome::Found(r) if r.hits.is_empty() => ("beyond", None, r.total, r.pages, Vec::new(), r.micros),
        Outcome::Found(r) => {
            ("results", None, r.total, r.pages, r.hits.iter().map(|h| hit(group, site, h)).collect(), r.micros)
        }
    };
    let pagination = (pages_n > 1).then(|| {
        Value::from_serialize(paginate(req.page.min(pages_n), pages_n, |n| {
            link(&req.scope, req.column.as_deref(), req.sort, n)
        }))
    });
    let title = if echo.is_empty() {
        format!("站内检索 - {}", site.def.name)
    } else {
        format!("检索：{echo} - {}", site.def.name)
    };
    let search = context! {
        q => echo,
        state => state,
        error => error.map(|e| e.message.clone()),
        error_field => error.map(|e| e.field),
        scope => scope_value(&req.scope),
        scope_name => scope_name,
        whole_group => req.scope == Scope::All,
        group_name => &group.def.name,
        here_name => &site.def.name,
        here_code => site.code(),
        here_url => link(&here, None, req.sort, 1),
        all_url => link(&Scope::All, req.column.as_deref().filter(|_| req.scope == Scope::All), req.sort, 1),
        columns => columns,
        column => req.column.as_deref(),
        from => req.from.map(|d| d.to_string()),
        to => req.to.map(|d| d.to_string()),
        sort => req.sort.as_str(),
        relevance_url => link(&req.scope, req.column.as_deref(), Sort::Relevance, 1),
        date_url => link(&req.scope, req.column.as_deref(), Sort::Date, 1),
        total => total,
        page => req.page,
        pages => pages_n,
        last_url => link(&req.scope, req.column.as_deref(), req.sort, pages_n.max(1)),
        pagination => pagination,
        hits => hits,
        suggestion => suggestion,
        seconds => format!("{:.3}", micros as f64 / 1e6),
        action => path,
        max_chars => crate::search::request::MAX_QUERY_CHARS,
    };
    let locked = context! { header => p.header.clone(), search => p.search.clone(), footer => p.footer.clone(), beacon => p.beacon.clone() };
    let page = context! { title => title, path => path, canonical => group.url(site, path) };
    let ctx = context! { site => p.site.clone(), locked => locked, page => page, search => search };
    let tmpl = theme.env.get_template(TEMPLATE).map_err(|e| e.to_string())?;
    let html =
        tmpl.render(ctx).map_err(|e| crate::theme::template_error(&theme.dir.join("templates"), e).to_string())?;
    p.locked.verify(&html).map_err(|part| format!("{TEMPLATE} of theme {} lacks the locked {part}", theme.name))?;
    Ok(html)
}

fn scope_value(scope: &Scope) -> &str {
    match scope {
        Scope::All => "all",
        Scope::Site(code) => code,
    }
}

/// Where a hit links to: a path on the same host, an absolute URL on another site's.
pub fn hit_url(group: &Group, here: &Site, h: &Hit) -> String {
    match group.site(&h.site) {
        Some(s) if s.code() == here.code() => h.path.clone(),
        Some(s) => group.url(s, &h.path),
        None => h.path.clone(),
    }
}

fn hit(group: &Group, here: &Site, h: &Hit) -> Value {
    let site = group.site(&h.site);
    let column = site.and_then(|s| s.def.columns.iter().find(|c| c.slug == h.column)).map(|c| c.name.as_str());
    context! {
        title => &h.title,
        title_html => Value::from_safe_string(h.title_html.clone()),
        snippet_html => Value::from_safe_string(h.snippet_html.clone()),
        url => hit_url(group, here, h),
        site_name => site.map(|s| s.def.name.as_str()).unwrap_or(h.site.as_str()),
        other_site => h.site != here.code(),
        column_name => column.unwrap_or(h.column.as_str()),
        date => h.published.get(..10).unwrap_or(&h.published),
        doc_no => &h.doc_no,
        index_no => &h.index_no,
        doc_no_matched => h.doc_no_matched,
        index_no_matched => h.index_no_matched,
        issuer => &h.issuer,
    }
}
