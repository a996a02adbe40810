//! Shared fixtures: the repository's own group and themes, temporary projects, and one fresh
//! database per test for each backend (SQLite always; PostgreSQL when ZHANQUN_TEST_POSTGRES
//! names a server).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use zhanqun::project::{Paths, Project};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_zhanqun"))
}

/// Copies a folder tree (the shipped sites/ into a temp project, say).
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A temp folder holding a copy of the shipped `sites/` and `themes/`.
pub fn temp_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("sites"), &dir.path().join("sites"));
    copy_dir(&repo().join("themes"), &dir.path().join("themes"));
    dir
}

/// The backends every database test runs against, as a label and a fresh database URL.
pub fn databases(dir: &Path) -> Vec<(&'static str, String)> {
    let mut out = vec![("sqlite", dir.join("test.db").display().to_string())];
    if let Ok(server) = std::env::var("ZHANQUN_TEST_POSTGRES") {
        if !server.trim().is_empty() {
            out.push(("postgres", new_postgres(&server)));
        }
    }
    out
}

/// A new empty database on the test server (ZHANQUN_TEST_POSTGRES, which must be set).
pub fn fresh_postgres() -> String {
    new_postgres(&std::env::var("ZHANQUN_TEST_POSTGRES").expect("ZHANQUN_TEST_POSTGRES"))
}

/// Drops the test database at `url` and creates it again, empty (a machine wiped).
pub fn recreate_postgres(url: &str) {
    let (server, name) = url.rsplit_once('/').unwrap();
    let (server, name) = (format!("{server}/postgres"), name.to_string());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&server).await.unwrap();
            sqlx::query(&format!("DROP DATABASE \"{name}\" WITH (FORCE)")).execute(&mut conn).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await.unwrap();
        })
    })
    .join()
    .unwrap();
}

/// Creates an empty database on the server named by `server` and returns its URL.
fn new_postgres(server: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let name = format!("zqt_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    // Its own thread and runtime, so that async tests can call it too.
    let server_url = server.to_string();
    let db = name.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let (server, name) = (server_url.as_str(), db);
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(server)
                .await
                .expect("ZHANQUN_TEST_POSTGRES must name a reachable PostgreSQL server");
            // Databases left by earlier runs of the suite are dropped first: those of test
            // processes that have ended (the server is on this machine). Those of processes
            // still running (the test runner may run several at once) are theirs.
            let old: Vec<(String,)> = sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'zqt_%'")
                .fetch_all(&mut conn)
                .await
                .unwrap();
            let ended = |db: &str| {
                let pid = db.trim_start_matches("zqt_").split('_').next().unwrap_or_default();
                !pid.is_empty() && !Path::new("/proc").join(pid).exists()
            };
            for (db,) in old.into_iter().filter(|(d,)| ended(d)) {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)")).execute(&mut conn).await;
            }
            // A database of this very name is an ended process's whose number this one got.
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut conn).await;
            sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await.unwrap();
        })
    })
    .join()
    .unwrap();
    let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(server);
    format!("{base}/{name}")
}

pub fn paths(dir: &Path, database: &str) -> Paths {
    Paths {
        sites: dir.join("sites"),
        themes: dir.join("themes"),
        database: database.to_string(),
        out: dir.join("publish"),
        search: dir.join("search"),
    }
}

pub async fn open(dir: &Path, database: &str) -> Project {
    Project::open(paths(dir, database)).await.unwrap_or_else(|e| panic!("cannot open project: {e}"))
}

/// Writes a Markdown file with front matter into `dir`.
pub fn write_md(dir: &Path, rel: &str, front: &str, body: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, format!("---\n{front}---\n{body}")).unwrap();
}

/// Whether a `zhanqun serve` on `port` answers `/healthz` with 200. A server still busy with
/// its first-run work has bound its port but not answered yet: that is "not yet", not an error.
pub fn healthy(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if write!(s, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}

/// A minimal HTTP/1.1 GET with a chosen Host header; returns (status, headers, body).
pub fn http_get(port: u16, host: &str, path: &str, extra_headers: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra_headers}\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("HTTP response has headers");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    (status, head, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
    out
}

/// A `zhanqun serve` process, killed when dropped.
pub struct Served(pub std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Served {
    /// Stops the service as systemd does (SIGTERM) and waits until it has exited: a clean
    /// stop gives up its leases and its heartbeat.
    pub fn stop(mut self) {
        let pid = self.0.id().to_string();
        let _ = std::process::Command::new("kill").args(["-TERM", &pid]).status();
        let started = std::time::Instant::now();
        while self.0.try_wait().ok().flatten().is_none() {
            assert!(started.elapsed() < Duration::from_secs(30), "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Starts `zhanqun serve` in `dir` on `port` with `args` and `envs`, its output in
/// `dir/<log>.log`, and waits until it answers (the first start loads and builds the demo).
pub fn serve(dir: &Path, log: &str, port: u16, args: &[&str], envs: &[(&str, &str)]) -> Served {
    let file = std::fs::File::create(dir.join(format!("{log}.log"))).unwrap();
    let child = std::process::Command::new(bin())
        .current_dir(dir)
        .envs(envs.iter().copied())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .unwrap();
    let served = Served(child);
    let started = std::time::Instant::now();
    while !healthy(port) {
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "{log} did not start: {}",
            std::fs::read_to_string(dir.join(format!("{log}.log"))).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    served
}

/// Polls `check` every 100 ms until it answers Some, for at most `limit`.
pub async fn wait_for<T, F: std::future::Future<Output = Option<T>>>(
    limit: Duration,
    mut check: impl FnMut() -> F,
) -> T {
    let started = std::time::Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(started.elapsed() < limit, "gave up waiting after {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Every sitemap of a published site, concatenated: the index and its parts.
pub fn sitemaps(root: &Path) -> String {
    let mut all = std::fs::read_to_string(root.join("sitemap.xml")).unwrap_or_default();
    let mut parts: Vec<PathBuf> = std::fs::read_dir(root.join("sitemaps"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    parts.sort();
    for p in parts {
        all.push_str(&std::fs::read_to_string(p).unwrap());
    }
    all
}

/// Every `.html` file under a folder (following the host symlink).
pub fn html_files(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.path().to_path_buf())
        .collect()
}

/// Every file under a published host (following its symlink), by relative path.
pub fn snapshot(root: &Path) -> std::collections::HashMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(root).unwrap().display().to_string(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// The whole group, as the tests read what was stored (a named system context, never a session).
pub fn whole_group() -> zhanqun::store::tenant::Tenant {
    zhanqun::store::tenant::Tenant::system(zhanqun::store::tenant::Job::Test)
}

/// One site, as the tests read what was stored.
pub fn one_site(site_id: i64) -> zhanqun::store::tenant::Tenant {
    zhanqun::store::tenant::Tenant::system_site(zhanqun::store::tenant::Job::Test, site_id)
}
