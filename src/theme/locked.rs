//! The locked parts of every page (统一标识, 统一备案, 统一计数器, 统一信息检索): the header with
//! the group logo, the search box, the footer with the filing numbers, and the counter beacon.
//! They are rendered by the group from `themes/locked/`, handed to themes as opaque HTML, and
//! every rendered page is checked to carry them byte for byte.

use std::path::{Path, PathBuf};

use memchr::memmem::Finder;
use minijinja::{context, Environment};

use super::{template_error, ThemeError};
use crate::group::{Group, Site, SiteKind};

pub struct LockedTemplates {
    env: Environment<'static>,
    pub dir: PathBuf,
}

/// The locked parts of one site, rendered once and reused for all its pages.
#[derive(Debug, Clone)]
pub struct LockedParts {
    pub header: String,
    pub search: String,
    pub footer: String,
    site_code: String,
    hit_path: String,
    // Searchers built once per site: every page is checked, and preparing a substring
    // search for a kilobyte-long needle costs more than running it.
    finders: [Finder<'static>; 4],
}

impl LockedTemplates {
    pub fn load(themes_dir: &Path) -> Result<LockedTemplates, ThemeError> {
        let dir = themes_dir.join("locked");
        let mut env = Environment::new();
        env.set_loader(minijinja::path_loader(&dir));
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_formatter(super::html_formatter);
        for t in ["header.html", "search.html", "footer.html"] {
            env.get_template(t).map_err(|e| template_error(&dir, e))?;
        }
        Ok(LockedTemplates { env, dir })
    }

    pub fn render(&self, group: &Group, site: &Site) -> Result<LockedParts, ThemeError> {
        let g = &group.def;
        let d = &site.def;
        let portal = group.portal();
        let scope = if d.kind == SiteKind::Portal && g.search.portal_searches_group { "all" } else { d.code.as_str() };
        let psb_code: String = d.psb.chars().filter(|c| c.is_ascii_digit()).collect();
        let ctx = context! {
            group => context! { name => &g.name, city => &g.city, portal_url => group.url(portal, "/"), logo => group_asset_url("logo", &g.logo), party_mark => group_asset_url("party-mark", &g.party_mark) },
            site => context! {
                code => &d.code, name => &d.name, organizer => &d.organizer, site_id => &d.site_id,
                icp => &d.icp, psb => &d.psb, psb_code => psb_code, is_portal => d.kind == SiteKind::Portal,
                address => &d.contact.address, phone => &d.contact.phone, email => &d.contact.email,
            },
            search => context! { path => &g.search.path, scope => scope, whole_group => scope == "all" },
            counter => context! { show_total => g.counter.show_total },
        };
        let render = |name: &str| -> Result<String, ThemeError> {
            let t = self.env.get_template(name).map_err(|e| template_error(&self.dir, e))?;
            let html = t.render(&ctx).map_err(|e| template_error(&self.dir, e))?;
            Ok(html.trim().to_string())
        };
        Ok(LockedParts::new(
            render("header.html")?,
            render("search.html")?,
            render("footer.html")?,
            &d.code,
            &g.counter.path,
        ))
    }
}

/// Where a group asset is published on every host: `/_group/<name>.<ext of the source>`.
pub fn group_asset_url(name: &str, source: &str) -> String {
    asset_url("_group", name, source)
}

/// `/<folder>/<name>.<extension of the source file>`.
pub fn asset_url(folder: &str, name: &str, source: &str) -> String {
    let ext = Path::new(source).extension().and_then(|e| e.to_str()).unwrap_or("png");
    format!("/{folder}/{name}.{ext}")
}

/// How every page's beacon starts; its presence is what the build checks.
const BEACON_START: &str = "<script data-zq-locked=\"beacon\">";

impl LockedParts {
    pub fn new(header: String, search: String, footer: String, site_code: &str, hit_path: &str) -> LockedParts {
        let finders = [
            Finder::new(header.as_bytes()).into_owned(),
            Finder::new(search.as_bytes()).into_owned(),
            Finder::new(footer.as_bytes()).into_owned(),
            Finder::new(BEACON_START.as_bytes()).into_owned(),
        ];
        LockedParts { header, search, footer, site_code: site_code.into(), hit_path: hit_path.into(), finders }
    }

    /// The counter beacon of one page: `sendBeacon` to the hit path, an image inside
    /// `<noscript>` for browsers without JavaScript.
    pub fn beacon(&self, path: &str) -> String {
        let code = &self.site_code;
        let hit = &self.hit_path;
        let query_path = percent_encode(path);
        format!(
            "{BEACON_START}(function(){{var d=JSON.stringify({{s:\"{code}\",p:location.pathname,t:document.title,r:document.referrer}});\
if(navigator.sendBeacon){{navigator.sendBeacon(\"{hit}\",d)}}else{{var x=new XMLHttpRequest();x.open(\"POST\",\"{hit}\");x.send(d)}}}})();</script>\
<noscript><img src=\"{hit}?s={code}&amp;p={query_path}\" alt=\"\" width=\"1\" height=\"1\" class=\"zq-beacon\"></noscript>"
        )
    }

    /// Checks a rendered page carries every locked part unchanged; returns the missing one.
    pub fn verify(&self, html: &str) -> Result<(), &'static str> {
        const NAMES: [&str; 4] = ["header", "search box", "footer", "counter beacon"];
        match self.finders.iter().position(|f| f.find(html.as_bytes()).is_none()) {
            Some(i) => Err(NAMES[i]),
            None => Ok(()),
        }
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beacon_escapes_the_path() {
        let p = LockedParts::new(
            "<header data-zq-locked=\"header\">".into(),
            "<form data-zq-locked=\"search\">".into(),
            "<footer data-zq-locked=\"footer\">".into(),
            "fgw",
            "/hit",
        );
        let b = p.beacon("/a b/\"x\".html");
        assert!(b.contains("/hit?s=fgw&amp;p=/a%20b/%22x%22.html"));
        let page = format!("{}{}{}{}", p.header, p.search, p.footer, b);
        assert_eq!(p.verify(&page), Ok(()));
        assert_eq!(p.verify(&page.replace("data-zq-locked=\"footer\"", "")), Err("footer"));
        assert_eq!(p.verify(&page.replace("<script data-zq-locked", "<script x")), Err("counter beacon"));
    }
}
