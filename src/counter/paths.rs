//! The pages a site has, as the counter knows them: a path is accepted once its page exists in
//! the site's live release (looked up on first sight, then remembered), so a hit for a page
//! that is not there is refused, and a flood of invented paths costs one `stat` each and
//! leaves nothing behind. At most `MAX_PATHS` paths per site are remembered.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::RwLock;

pub const MAX_PATHS: usize = 50_000;

pub struct KnownPaths {
    root: PathBuf,
    limit: usize,
    table: RwLock<Table>,
}

#[derive(Default)]
struct Table {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
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
        Some(id)
    }

    pub fn name(&self, id: u32) -> Option<String> {
        self.table.read().unwrap_or_else(|p| p.into_inner()).names.get(id as usize).map(|s| s.to_string())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.read().unwrap_or_else(|p| p.into_inner()).names.len()
    }

    /// Pages only: a folder's `index.html` or an `.html` file of the live release.
    fn exists(&self, path: &str) -> bool {
        let rel = path.trim_start_matches('/');
        let file = if path.ends_with('/') {
            self.root.join(rel).join("index.html")
        } else if path.ends_with(".html") {
            self.root.join(rel)
        } else {
            return false;
        };
        file.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
