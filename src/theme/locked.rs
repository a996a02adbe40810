//! The locked parts of every page (统一标识, 统一备案, 统一计数器, 统一信息检索): the header with
//! the group logo, the search box, the footer with the filing numbers, and the counter beacon.
//! They are rendered by the group from `themes/locked/`, handed to themes as opaque HTML, and
//! every rendered page is checked to carry them byte for byte.

use std::path::{Path, PathBuf};

use minijinja::{context, Environment};

use super::{template_error, ThemeError};
use crate::group::{Group, Site, SiteKind};

/// Marker attribute carried by each locked part.
pub const MARKER: &str = "data-zq-locked";

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
        };
        let render = |name: &str| -> Result<String, ThemeError> {
            let t = self.env.get_template(name).map_err(|e| template_error(&self.dir, e))?;
            let html = t.render(&ctx).map_err(|e| template_error(&self.dir, e))?;
            Ok(html.trim().to_string())
        };
        Ok(LockedParts {
            header: render("header.html")?,
            search: render("search.html")?,
            footer: render("footer.html")?,
            site_code: d.code.clone(),
            hit_path: g.counter.path.clone(),
        })
    }
}

/// Where a group asset is published on every host: `/_group/<name>.<ext of the source>`.
pub fn group_asset_url(name: &str, source: &str) -> String {
    let ext = Path::new(source).extension().and_then(|e| e.to_str()).unwrap_or("png");
    format!("/_group/{name}.{ext}")
}

impl LockedParts {
    /// The counter beacon of one page: `sendBeacon` to the hit path, an image inside
    /// `<noscript>` for browsers without JavaScript.
    pub fn beacon(&self, path: &str) -> String {
        let code = &self.site_code;
        let hit = &self.hit_path;
        let query_path = percent_encode(path);
        format!(
            "<script {MARKER}=\"beacon\">(function(){{var d=JSON.stringify({{s:\"{code}\",p:location.pathname,t:document.title,r:document.referrer}});\
if(navigator.sendBeacon){{navigator.sendBeacon(\"{hit}\",d)}}else{{var x=new XMLHttpRequest();x.open(\"POST\",\"{hit}\");x.send(d)}}}})();</script>\
<noscript><img src=\"{hit}?s={code}&amp;p={query_path}\" alt=\"\" width=\"1\" height=\"1\" class=\"zq-beacon\"></noscript>"
        )
    }

    /// Checks a rendered page carries every locked part unchanged; returns the missing one.
    pub fn verify(&self, html: &str) -> Result<(), &'static str> {
        if !html.contains(&self.header) {
            return Err("header");
        }
        if !html.contains(&self.search) {
            return Err("search box");
        }
        if !html.contains(&self.footer) {
            return Err("footer");
        }
        if !html.contains("<script data-zq-locked=\"beacon\">") {
            return Err("counter beacon");
        }
        Ok(())
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
        let p = LockedParts {
            header: "<header data-zq-locked=\"header\">".into(),
            search: "<form data-zq-locked=\"search\">".into(),
            footer: "<footer data-zq-locked=\"footer\">".into(),
            site_code: "fgw".into(),
            hit_path: "/hit".into(),
        };
        let b = p.beacon("/a b/\"x\".html");
        assert!(b.contains("/hit?s=fgw&amp;p=/a%20b/%22x%22.html"));
        let page = format!("{}{}{}{}", p.header, p.search, p.footer, b);
        assert_eq!(p.verify(&page), Ok(()));
        assert_eq!(p.verify(&page.replace("data-zq-locked=\"footer\"", "")), Err("footer"));
        assert_eq!(p.verify(&page.replace("<script data-zq-locked", "<script x")), Err("counter beacon"));
    }
}
