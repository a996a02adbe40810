//! `zhanqun bench hits`: load on the counter's `/hit` over loopback from a Rust load generator
//! in this process (so the figures include its cost on the same cores), against a real
//! `zhanqun serve` child. Prints throughput, latency percentiles, the server's memory over the
//! run, and whether the stored total equals the hits answered 204; then the same load against
//! nginx answering `return 204` as the ceiling. Figures are printed, never asserted.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::project::{Paths, Project};

#[derive(Debug, Clone)]
pub struct HitsBench {
    pub connections: usize,
    pub seconds: u64,
    pub work: PathBuf,
    pub sites: PathBuf,
    pub themes: PathBuf,
    /// Also run the load against nginx `return 204`.
    pub ceiling: bool,
}

/// Readers of the load. Each keeps to one site (as readers do) and comes back every
/// `VISITORS` hits, i.e. every 14 s at 72,000 hits/s, for the next of that site's pages: never
/// the same page within the counter's 10-second repeat window, far below its 120 views a
/// minute, so every 204 must be counted.
const VISITORS: u64 = 1 << 20;

/// A page the load reports a view of.
struct Target {
    host: String,
    code: String,
    path: String,
    title: String,
}

/// What one load run measured.
struct LoadResult {
    ok: u64,
    failed: u64,
    elapsed: Duration,
    /// Microseconds from writing a request to reading its whole answer.
    latencies: Vec<u32>,
}

pub async fn hits_bench(b: &HitsBench, report: impl Fn(String)) -> anyhow::Result<()> {
    if b.work.exists() {
        std::fs::remove_dir_all(&b.work).with_context(|| format!("cannot clear {}", b.work.display()))?;
    }
    std::fs::create_dir_all(&b.work)?;
    let paths = super::work_paths(&b.work, &b.sites, &b.themes);
    let project = Project::open(paths.clone()).await?;
    let opts = project.build_options(Vec::new(), false, Default::default());
    let built = project.build(&opts).await?;
    report(format!("group of {} sites built: {built}", project.group().sites.len()));
    let targets = Arc::new(targets(&project));
    let pages: usize = targets.iter().map(Vec::len).sum();
    report(format!("{} sites, {pages} pages to report views of; {VISITORS} readers", targets.len()));

    let port = free_port()?;
    let mut server = spawn_server(&paths, port)?;
    let outcome = async {
        wait_ready(port).await?;
        let rss = sample_rss(server.id(), b.seconds);
        let run = load(port, b.connections, Duration::from_secs(b.seconds), targets.clone()).await?;
        let rss = rss.await?;
        report(summary("zhanqun /hit", b.connections, &run));
        report(memory(&rss));
        anyhow::Ok(run)
    }
    .await;
    // A graceful stop writes the last counts; then the database must hold every 204.
    let _ = Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    let status = server.wait()?;
    let run = outcome?;
    anyhow::ensure!(status.success(), "zhanqun serve did not stop cleanly: {status}");
    let stored: i64 = project.store.all_time_views().await?.values().sum();
    report(format!(
        "stored views after a graceful stop: {stored}; hits answered 204: {}; {}",
        run.ok,
        if stored as u64 == run.ok { "equal" } else { "DIFFERENT" }
    ));

    if b.ceiling {
        match ceiling(b, targets).await {
            Ok(line) => report(line),
            Err(e) => report(format!("nginx ceiling skipped: {e:#}")),
        }
    }
    Ok(())
}

/// The home page and up to seven column pages of every site, by site.
fn targets(project: &Project) -> Vec<Vec<Target>> {
    let mut out = Vec::new();
    for site in &project.group().sites {
        let mut own = Vec::new();
        let root = project.paths.out.join(&site.host);
        let mut pages = vec![("/".to_string(), site.def.name.clone())];
        for c in site.def.columns.iter().filter(|c| root.join(&c.slug).join("index.html").exists()).take(7) {
            pages.push((format!("/{}/", c.slug), format!("{} - {}", c.name, site.def.name)));
        }
        for (path, title) in pages {
            own.push(Target { host: site.host.clone(), code: site.code().to_string(), path, title });
        }
        out.push(own);
    }
    out
}

/// The page hit `n` reports: its reader's site, the next of that site's pages each visit.
fn target(targets: &[Vec<Target>], n: u64) -> &Target {
    let reader = n % VISITORS;
    // Spread readers over the sites without a pattern the hash shards could line up with.
    let site = &targets[(reader.wrapping_mul(2_654_435_761) % targets.len() as u64) as usize];
    &site[((n / VISITORS + reader) % site.len() as u64) as usize]
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn spawn_server(paths: &Paths, port: u16) -> anyhow::Result<Child> {
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--demo-articles", "0"])
        .arg("--sites")
        .arg(&paths.sites)
        .arg("--themes")
        .arg(&paths.themes)
        .arg("--database")
        .arg(&paths.database)
        .arg("--out")
        .arg(&paths.out)
        .arg("--search-index")
        .arg(&paths.search)
        .env("ZHANQUN_LOG", "warn")
        .stdout(Stdio::null());
    cmd.spawn().context("cannot start zhanqun serve")
}

async fn wait_ready(port: u16) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(180);
    while Instant::now() < deadline {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)).await {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await?;
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf).await;
            if buf.starts_with(b"HTTP/1.1 200") {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!("zhanqun serve did not answer /healthz within 180 s")
}

/// The resident memory of process `pid` once a second for `seconds` seconds, in KiB.
fn sample_rss(pid: u32, seconds: u64) -> tokio::task::JoinHandle<Vec<u64>> {
    tokio::spawn(async move {
        let mut out = Vec::new();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        for _ in 0..=seconds {
            tick.tick().await;
            if let Some(kib) = rss_kib(pid) {
                out.push(kib);
            }
        }
        out
    })
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

fn memory(kib: &[u64]) -> String {
    if kib.len() < 4 {
        return "server memory: not sampled (no /proc)".into();
    }
    let mib = |k: u64| k as f64 / 1024.0;
    let half = kib.len() / 2;
    let max_second_half = kib[half..].iter().copied().max().unwrap_or(0);
    format!(
        "server RSS: {:.0} MiB at start, {:.0} MiB at {} s, {:.0} MiB at the end, max {:.0} MiB; second half of the run {:+.1} MiB (max {:.0})",
        mib(kib[0]),
        mib(kib[half]),
        half,
        mib(*kib.last().unwrap_or(&0)),
        mib(kib.iter().copied().max().unwrap_or(0)),
        mib(*kib.last().unwrap_or(&0)) - mib(kib[half]),
        mib(max_second_half),
    )
}

/// One request: the beacon's POST as a browser sends it, through nginx (hence `X-Real-IP`).
fn request(t: &Target, n: u64, out: &mut Vec<u8>) {
    let v = n % VISITORS;
    let referrer = match n % 10 {
        0..=2 => "https://www.baidu.com/s?wd=%E6%94%BF%E5%8A%A1".to_string(),
        3 => "https://www.so.com/".to_string(),
        4..=6 => format!("https://{}/", t.host),
        _ => String::new(),
    };
    let body = format!(r#"{{"s":"{}","p":"{}","t":"{}","r":"{}"}}"#, t.code, t.path, t.title, referrer);
    out.clear();
    let _ = std::io::Write::write_fmt(
        out,
        format_args!(
            "POST /hit HTTP/1.1\r\nHost: {}\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{}.0 Safari/537.36\r\n\
X-Real-IP: 10.{}.{}.{}\r\nContent-Type: text/plain;charset=UTF-8\r\nOrigin: https://{}\r\nContent-Length: {}\r\n\r\n{}",
            t.host,
            110 + v % 17,
            (v >> 16) & 255,
            (v >> 8) & 255,
            v & 255,
            t.host,
            body.len(),
            body
        ),
    );
}

/// `connections` keep-alive connections, each sending one request after another for
/// `duration`.
async fn load(
    port: u16,
    connections: usize,
    duration: Duration,
    targets: Arc<Vec<Vec<Target>>>,
) -> anyhow::Result<LoadResult> {
    let next = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (next, stop, targets) = (next.clone(), stop.clone(), targets.clone());
        tasks.push(tokio::spawn(async move { connection(port, &next, &stop, &targets).await }));
    }
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut result = LoadResult { ok: 0, failed: 0, elapsed: Duration::ZERO, latencies: Vec::new() };
    for t in tasks {
        let (ok, failed, lat) = t.await??;
        result.ok += ok;
        result.failed += failed;
        result.latencies.extend(lat);
    }
    result.elapsed = started.elapsed();
    Ok(result)
}

async fn connection(
    port: u16,
    next: &AtomicU64,
    stop: &AtomicBool,
    targets: &[Vec<Target>],
) -> anyhow::Result<(u64, u64, Vec<u32>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    stream.set_nodelay(true)?;
    let (mut ok, mut failed) = (0u64, 0u64);
    let mut latencies = Vec::with_capacity(1 << 20);
    let mut req = Vec::with_capacity(1024);
    let mut buf = vec![0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        let n = next.fetch_add(1, Ordering::Relaxed);
        request(target(targets, n), n, &mut req);
        let t = Instant::now();
        stream.write_all(&req).await?;
        let status = read_response(&mut stream, &mut buf).await?;
        latencies.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
        if status == 204 {
            ok += 1;
        } else {
            failed += 1;
        }
    }
    Ok((ok, failed, latencies))
}

/// Reads one response (headers and any `Content-Length` body); returns its status.
async fn read_response(stream: &mut TcpStream, buf: &mut [u8]) -> anyhow::Result<u16> {
    let mut len = 0;
    loop {
        let n = stream.read(&mut buf[len..]).await?;
        anyhow::ensure!(n > 0, "the server closed the connection");
        len += n;
        if let Some(end) = buf[..len].windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).context("response head is not UTF-8")?;
            let status: u16 = head.get(9..12).and_then(|s| s.parse().ok()).context("no status in the response")?;
            let body: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            let mut have = len - end - 4;
            while have < body {
                let n = stream.read(buf).await?;
                anyhow::ensure!(n > 0, "the server closed the connection");
                have += n;
            }
            return Ok(status);
        }
        anyhow::ensure!(len < buf.len(), "response head larger than {} bytes", buf.len());
    }
}

fn summary(name: &str, connections: usize, r: &LoadResult) -> String {
    let mut lat = r.latencies.clone();
    lat.sort_unstable();
    let pick = |q: f64| lat.get(((lat.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0) as f64 / 1000.0;
    format!(
        "{name}: {connections} connections, {:.1} s: {} answered 204, {} other; {:.0} hits/s; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        r.elapsed.as_secs_f64(),
        r.ok,
        r.failed,
        (r.ok + r.failed) as f64 / r.elapsed.as_secs_f64(),
        pick(0.5),
        pick(0.9),
        pick(0.99),
        lat.last().copied().unwrap_or(0) as f64 / 1000.0,
    )
}

/// The same load against nginx answering 204 without any work: what loopback, the kernel and
/// the load generator allow on this machine.
async fn ceiling(b: &HitsBench, targets: Arc<Vec<Vec<Target>>>) -> anyhow::Result<String> {
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.exists())
        .context("nginx is not installed (apt-get install -y nginx)")?;
    let dir = std::fs::canonicalize(&b.work)?.join("nginx-ceiling");
    std::fs::create_dir_all(dir.join("tmp"))?;
    let port = free_port()?;
    let conf = dir.join("nginx.conf");
    let d = dir.display();
    std::fs::write(
        &conf,
        format!(
            "worker_processes auto;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\nevents {{ worker_connections 1024; }}\n\
http {{\n  access_log off;\n  keepalive_requests 1000000000;\n  client_body_temp_path {d}/tmp/body;\n  proxy_temp_path {d}/tmp/proxy;\n  fastcgi_temp_path {d}/tmp/fastcgi;\n  uwsgi_temp_path {d}/tmp/uwsgi;\n  scgi_temp_path {d}/tmp/scgi;\n\
  server {{ listen 127.0.0.1:{port}; location = /hit {{ return 204; }} location = /healthz {{ return 200; }} }}\n}}\n"
        ),
    )?;
    let mut child = Command::new(nginx)
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(&conf)
        .args(["-g", "daemon off;"])
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start nginx")?;
    let result = async {
        wait_ready(port).await?;
        load(port, b.connections, Duration::from_secs(b.seconds), targets).await
    }
    .await;
    // SIGQUIT: nginx's graceful stop.
    let _ = Command::new("kill").args(["-QUIT", &child.id().to_string()]).status();
    let _ = child.wait();
    Ok(summary("nginx return 204 (ceiling)", b.connections, &result?))
}
