//! The public URL scheme every site shares (统一域名 and the paths under it), written once so
//! that the validator, the publisher, the audit and the web agree: which first path segments a
//! column may not take, and where articles, the contact page and the interaction section live.

/// Path segments that the publisher or the shared services use on every host.
pub const RESERVED_SLUGS: &[&str] = &[
    "static", "_group", "search", "hit", "api", "admin", "messages", "files", "healthz", "lxwm", "hdjl", "wzdt",
    "sitemaps",
];

/// The contact page's folder (联系我们) on every site.
pub const CONTACT_DIR: &str = "lxwm";
/// The contact page's path on every site.
pub const CONTACT_PATH: &str = "/lxwm/index.html";
/// The site map page's folder (网站地图, for readers; `sitemap.xml` is for search engines).
pub const SITE_MAP_DIR: &str = "wzdt";
/// The site map page's path on every site.
pub const SITE_MAP_PATH: &str = "/wzdt/index.html";
/// The interaction section's folder (互动交流) on every site.
pub const INTERACTION_DIR: &str = "hdjl";
/// The status look-up page; the service answers its form under `MESSAGES_API`/status.
pub const STATUS_PATH: &str = "/messages/status/index.html";
/// Where the service takes citizens' messages, on every host.
pub const MESSAGES_API: &str = "/api/messages";

/// The stable URL path of an article: `/<column>/<YYYYMM>/t<YYYYMMDD>_<id>.html`, the shape
/// Chinese government sites use, so that legacy links keep their look after migration.
pub fn article_path(column: &str, publish_at: &str, id: i64) -> String {
    let digits: String = publish_at.chars().filter(|c| c.is_ascii_digit()).take(8).collect();
    let month = digits.get(..6).unwrap_or("000000");
    format!("/{column}/{month}/t{digits}_{id}.html")
}

/// Path of one published message.
pub fn reply_path(id: i64) -> String {
    format!("/{INTERACTION_DIR}/hf/{id}.html")
}

/// Path of one opinion solicitation.
pub fn solicitation_path(id: i64) -> String {
    format!("/{INTERACTION_DIR}/yjzj/{id}.html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_paths() {
        assert_eq!(article_path("gzdt", "2024-05-01 09:30:00", 42), "/gzdt/202405/t20240501_42.html");
    }

    #[test]
    fn the_fixed_sections_are_reserved() {
        for dir in [
            CONTACT_DIR,
            INTERACTION_DIR,
            SITE_MAP_DIR,
            MESSAGES_API.trim_start_matches('/').split('/').next().unwrap_or(""),
        ] {
            assert!(RESERVED_SLUGS.contains(&dir), "{dir}");
        }
        assert!(CONTACT_PATH.starts_with(&format!("/{CONTACT_DIR}/")));
        assert!(RESERVED_SLUGS.contains(&STATUS_PATH.split('/').nth(1).unwrap_or("")));
    }
}
