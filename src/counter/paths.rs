//! The pages a site has, as the counter knows them: a path is accepted once its page exists in
//! the site's live release (looked up on first sight, then remembered), so a hit for a page
//! that is not there is refused, and a flood of invented paths costs one `stat` each and
//! leaves nothing behind. At most `MAX_PATHS` paths per site are remembered. A page's title
//! for the statistics is its own `<title>`, read from the release (at most every
//! `TITLE_SECONDS`), never the title a beacon reports: anyone can post a beacon.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::RwLock;

pub const MAX_PATHS: usize = 50_000;
/// How long a page's title is trusted before it is read again (an edit may change it).
pub const TITLE_SECONDS: i64 = 600;
/// How much of a page is read to find its `<title>` (it sits in the head).
const TITLE_WINDOW: u64 = 16 * 1024;

pub struct KnownPaths {
    root: PathBuf,
    limit: usize,
    table: RwLock<Table>,
}

#[derive(Default)]
struct Table {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    /// When each page's title was last read (0: never).
    title_read: Vec<i64>,
}

impl KnownPaths {
    /// `root` is the site's folder in `publish/` (its live release); `extra` are pages that are
    /// not files there (the search page).
    pub fn new(root: PathBuf, extra: &[&str]) -> KnownPaths {
        KnownPaths::with_limit(root, extra, MAX_PATHS)
    }

    pub fn with_limit(root: PathBuf, extra: &[&str], limit: usize) -> KnownPaths {
        let mut t = Table::default();
        for p in extra {
            t.ids.insert((*p).into(), t.names.len() as u32);
            t.names.push((*p).into());
            t.title_read.push(0);
        }
        KnownPaths { root, limit, table: RwLock::new(t) }
    }

    /// The id of a (normalised) page path, or None when the site has no such page or the
    /// table is full.
    pub fn id(&self, path: &str) -> Option<u32> {
        if let Some(&id) = self.table.read().unwrap_or_else(|p| p.into_inner()).ids.get(path) {
            return Some(id);
        }
        if !self.exists(path) {
            return None;
        }
        let mut t = self.table.write().unwrap_or_else(|p| p.into_inner());
        if let Some(&id) = t.ids.get(path) {
            return Some(id);
        }
        if t.names.len() >= self.limit {
            return None;
        }
        let id = t.names.len() as u32;
        t.ids.insert(path.into(), id);
        t.names.push(path.into());
        t.title_read.push(0);
        Some(id)
    }

    pub fn name(&self, id: u32) -> Option<String> {
        self.table.read().unwrap_or_else(|p| p.into_inner()).names.get(id as usize).map(|s| s.to_string())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.read().unwrap_or_else(|p| p.into_inner()).names.len()
    }

    /// The title of page `id` as its file says, when it was not read within `TITLE_SECONDS`
    /// of `now`; None when it is not due or the page has no title (the search page).
    pub fn fresh_title(&self, id: u32, now: i64) -> Option<String> {
        let due = |t: &Table| t.title_read.get(id as usize).is_some_and(|at| now - at >= TITLE_SECONDS);
        if !due(&self.table.read().unwrap_or_else(|p| p.into_inner())) {
            return None;
        }
        let name = {
            let mut t = self.table.write().unwrap_or_else(|p| p.into_inner());
            if !due(&t) {
                return None;
            }
            t.title_read[id as usize] = now;
            t.names[id as usize].to_string()
        };
        let mut head = String::new();
        let file = std::fs::File::open(self.file(&name)?).ok()?;
        std::io::Read::read_to_string(&mut std::io::Read::take(file, TITLE_WINDOW), &mut head).ok()?;
        page_title(&head)
    }

    /// Pages only: a folder's `index.html` or an `.html` file of the live release.
    fn exists(&self, path: &str) -> bool {
        self.file(path).is_some_and(|f| f.is_file())
    }

    fn file(&self, path: &str) -> Option<PathBuf> {
        let rel = path.trim_start_matches('/');
        if path.ends_with('/') {
            Some(self.root.join(rel).join("index.html"))
        } else if path.ends_with(".html") {
            Some(self.root.join(rel))
        } else {
            None
        }
    }
}

/// The text of the first `<title>` of an HTML head, its entities decoded.
fn page_title(head: &str) -> Option<String> {
    let start = head.find("<title>")? + "<title>".len();
    let len = head[start..].find("</title>")?;
    let raw = head[start..start + len].trim();
    let title = raw
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&");
    (!title.is_empty()).then_some(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_page_itself() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.html"), "<html><head><title>通知 &amp; 公告</title></head>").unwrap();
        let k = KnownPaths::new(dir.path().to_path_buf(), &["/search"]);
        let a = k.id("/a.html").unwrap();
        assert_eq!(k.fresh_title(a, 1000).as_deref(), Some("通知 & 公告"));
        assert_eq!(k.fresh_title(a, 1001), None, "read once per window");
        std::fs::write(dir.path().join("a.html"), "<title>改过的标题</title>").unwrap();
        assert_eq!(k.fresh_title(a, 1000 + TITLE_SECONDS).as_deref(), Some("改过的标题"));
        assert_eq!(k.fresh_title(k.id("/search").unwrap(), 5000), None);
    }

    #[test]
    fn only_pages_of_the_release_and_a_bounded_number() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("gzdt")).unwrap();
        std::fs::write(dir.path().join("index.html"), "x").unwrap();
        std::fs::write(dir.path().join("gzdt/index.html"), "x").unwrap();
        std::fs::write(dir.path().join("gzdt/t1.html"), "x").unwrap();
        std::fs::write(dir.path().join("style.css"), "x").unwrap();
        let k = KnownPaths::new(dir.path().to_path_buf(), &["/search"]);
        assert_eq!(k.id("/search"), Some(0));
        let home = k.id("/").unwrap();
        assert_eq!(k.id("/"), Some(home));
        assert!(k.id("/gzdt/").is_some() && k.id("/gzdt/t1.html").is_some());
        assert_eq!(k.name(home).as_deref(), Some("/"));
        for p in ["/nope.html", "/style.css", "/gzdt/t2.html", "/nope/"] {
            assert_eq!(k.id(p), None, "{p}");
        }
        assert_eq!(k.len(), 4, "refused paths are not remembered");
    }

    #[test]
    fn the_number_of_paths_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..10 {
            std::fs::write(dir.path().join(format!("p{i}.html")), "x").unwrap();
        }
        let k = KnownPaths::with_limit(dir.path().to_path_buf(), &[], 4);
        let accepted = (0..10).filter(|i| k.id(&format!("/p{i}.html")).is_some()).count();
        assert_eq!((accepted, k.len()), (4, 4));
        assert!(k.id("/p0.html").is_some(), "known paths stay known");
    }
}
