//! The generated nginx configuration, served by a real nginx (Debian package) on a high port:
//! hosts chosen by the Host header, the site's own 404 page, gzip, proxying of /search and
//! /hit, and a real browser (headless Chromium) loading a page whose beacon reaches /hit.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zhanqun::demo::seed::seed_demo_content;
use zhanqun::publish::NginxOptions;

use crate::common::{free_port, http_get, open, temp_project};

fn nginx_binary() -> PathBuf {
    let path = PathBuf::from("/usr/sbin/nginx");
    assert!(path.exists(), "nginx is not installed: run `apt-get install -y nginx` (.ci/run does)");
    path
}

pub(crate) struct Nginx(Child);

impl Drop for Nginx {
    /// SIGQUIT makes the master stop its workers too; SIGKILL would orphan them.
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-QUIT").arg(self.0.id().to_string()).status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn start_nginx(dir: &Path, conf: &Path, port: u16) -> Nginx {
    let tmp = dir.join("nginx-tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let user = if unsafe_is_root() { "user root;\n" } else { "" };
    let main = format!(
        "{user}worker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{ worker_connections 64; }}\n\
http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n  client_body_temp_path {t};\n  proxy_temp_path {t};\n  fastcgi_temp_path {t};\n  uwsgi_temp_path {t};\n  scgi_temp_path {t};\n  include {conf};\n}}\n",
        d = dir.display(),
        t = tmp.display(),
        conf = conf.display(),
    );
    let main_path = dir.join("nginx.conf");
    std::fs::write(&main_path, main).unwrap();
    let test = Command::new(nginx_binary()).arg("-t").arg("-c").arg(&main_path).arg("-p").arg(dir).output().unwrap();
    assert!(test.status.success(), "nginx -t: {}", String::from_utf8_lossy(&test.stderr));
    let child = Command::new(nginx_binary())
        .arg("-c")
        .arg(&main_path)
        .arg("-p")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "nginx did not start: {}",
            std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Nginx(child)
}

fn unsafe_is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// A stand-in for the zhanqun service behind nginx: records each request's first line and body.
fn fake_upstream() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                loop {
                    let mut first = String::new();
                    if reader.read_line(&mut first).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut len = 0;
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                            break;
                        }
                        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                            len = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; len];
                    let _ = reader.read_exact(&mut body);
                    log.lock().unwrap().push(format!("{} {}", first.trim(), String::from_utf8_lossy(&body)));
                    let reply = "upstream answered";
                    let _ = write!(
                        reader.get_mut(),
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: text/plain\r\n\r\n{reply}",
                        reply.len()
                    );
                }
            });
        }
    });
    (port, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_serves_every_host_and_a_browser_reports_to_the_counter() {
    let tmp = temp_project();
    let db = tmp.path().join("t.db").display().to_string();
    let project = open(tmp.path(), &db).await;
    seed_demo_content(&project, &tmp.path().join("demo"), 2, "operator:test").await.unwrap();
    let (upstream, seen) = fake_upstream();
    let port = free_port();
    let opts = project.build_options(
        Vec::new(),
        false,
        // Two service nodes, the first of them down: nginx answers from the other.
        Some(NginxOptions {
            port,
            upstreams: vec![format!("127.0.0.1:{}", free_port()), format!("127.0.0.1:{upstream}")],
        }),
    );
    project.build(&opts).await.unwrap();
    let _nginx = start_nginx(tmp.path(), &opts.out.join("nginx/zhanqun.conf"), port);

    for code in ["www", "fgw", "qsq", "qsq-cg"] {
        let group = project.group();
        let site = group.site(code).unwrap();
        let (status, _, body) = http_get(port, &site.host, "/", "");
        let body = String::from_utf8(body).unwrap();
        assert_eq!(status, 200, "{}", site.host);
        assert!(
            body.contains(&format!("<a href=\"/\">{}</a>", site.def.name)),
            "{} serves its own home page: {}",
            site.host,
            &body[..body.len().min(3000)]
        );
        assert!(body.contains(&site.def.icp));
        let (status, _, _) = http_get(port, &site.host, "/gzdt/", "");
        assert_eq!(status, 200);
    }
    let (status, _, body) = http_get(port, "fgw.shili.gov.cn", "/no/such/page.html", "");
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("抱歉，您访问的页面不存在"));
    let (status, head, _) = http_get(port, "fgw.shili.gov.cn", "/static/style.css", "Accept-Encoding: gzip\r\n");
    assert_eq!(status, 200);
    let head = head.to_ascii_lowercase();
    assert!(head.contains("content-encoding: gzip") && head.contains("cache-control: max-age="), "{head}");
    let (_, head, _) = http_get(port, "fgw.shili.gov.cn", "/", "");
    assert!(head.to_ascii_lowercase().contains("cache-control: no-cache"), "HTML revalidates: {head}");
    // nginx does not inherit `add_header` into a location with its own: /files/ repeats them.
    let files = opts.out.join("fgw.shili.gov.cn/files/zz");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(
        files.join("probe.pdf"),
        b"%PDF-1.4
%%EOF
",
    )
    .unwrap();
    for path in ["/", "/files/zz/probe.pdf"] {
        let (status, head, _) = http_get(port, "fgw.shili.gov.cn", path, "");
        let head = head.to_ascii_lowercase();
        assert_eq!(status, 200, "{path}");
        for h in [
            "x-frame-options: sameorigin",
            "referrer-policy:",
            "x-content-type-options: nosniff",
            "content-security-policy: default-src 'self'",
        ] {
            assert!(head.contains(h), "{path} lacks {h}: {head}");
        }
    }
    // 关怀版: the reader's cookie puts the class on <html>; without it the page is the file.
    let on_disk = std::fs::read(opts.out.join("fgw.shili.gov.cn/index.html")).unwrap();
    let (_, _, plain) = http_get(port, "fgw.shili.gov.cn", "/", "Cookie: zq_care=0\r\n");
    assert_eq!(plain, on_disk, "a reader who did not choose 关怀版 gets the page as built");
    let (_, _, care) = http_get(port, "fgw.shili.gov.cn", "/", "Cookie: other=1; zq_care=1\r\n");
    let care = String::from_utf8(care).unwrap();
    assert!(care.contains("<html lang=\"zh-CN\" class=\"zq-care\">"), "{}", &care[..200]);
    assert_eq!(care.matches("zq-care\"").count(), 1);
    // Either form may sit in a browser's cache: nginx never confirms it with a 304.
    let (status, _, _) =
        http_get(port, "fgw.shili.gov.cn", "/", "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n");
    assert_eq!(status, 200);
    let (status, head, _) = http_get(port, "fgw.shili.gov.cn", "/_care/on?to=/gzdt/", "");
    let head = head.to_ascii_lowercase();
    assert_eq!(status, 303, "{head}");
    assert!(head.contains("location: http://fgw.shili.gov.cn") && head.contains("/gzdt/\r\n"), "{head}");
    assert!(head.contains("set-cookie: zq_care=1; path=/; domain=shili.gov.cn;"), "for the whole group: {head}");
    assert!(head.contains("content-security-policy"), "{head}");
    let (_, head, _) = http_get(port, "fgw.shili.gov.cn", "/_care/off?to=/", "");
    assert!(
        head.to_ascii_lowercase().contains("set-cookie: zq_care=; path=/; domain=shili.gov.cn; max-age=0"),
        "{head}"
    );
    for evil in ["//evil.example/", "https://evil.example/", "/%2F%2Fevil.example", "/a%0d%0aSet-Cookie:x=1"] {
        let (status, head, _) = http_get(port, "fgw.shili.gov.cn", &format!("/_care/on?to={evil}"), "");
        let location = head.lines().find(|l| l.to_ascii_lowercase().starts_with("location:")).unwrap_or_default();
        assert_eq!(status, 303);
        assert!(!location.contains("evil") && !head.contains("x=1"), "{evil}: {head}");
        assert!(
            location.trim_end().ends_with(&format!("fgw.shili.gov.cn:{port}/")),
            "back to the home page: {location}"
        );
    }
    // 哀悼日 is the service's answer, by the day.
    let (status, _, body) = http_get(port, "fgw.shili.gov.cn", "/_group/mode.css", "");
    assert_eq!((status, String::from_utf8_lossy(&body).to_string()), (200, "upstream answered".to_string()));

    let (status, _, body) = http_get(port, "jyj.shili.gov.cn", "/search?q=%E6%95%99%E8%82%B2&site=jyj", "");
    assert_eq!((status, String::from_utf8_lossy(&body).to_string()), (200, "upstream answered".to_string()));
    assert!(seen.lock().unwrap().iter().any(|l| l.starts_with("GET /search?q=%E6%95%99%E8%82%B2&site=jyj")));
    // The node that is down never shows: each request nginx sent there is tried on the other.
    for _ in 0..6 {
        let (status, _, body) = http_get(port, "fgw.shili.gov.cn", "/search?q=x", "");
        assert_eq!((status, String::from_utf8_lossy(&body).to_string()), (200, "upstream answered".to_string()));
    }

    // A real browser: load the 发改委 home page through nginx and let the beacon fire.
    let chromium = Path::new("/usr/bin/chromium");
    assert!(chromium.exists(), "chromium is not installed: run `apt-get install -y chromium` (.ci/run does)");
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e");
    std::fs::create_dir_all(&shots).unwrap();
    let profile = tmp.path().join("chromium-profile");
    // Headless, and without the background connections this closed network refuses.
    let browser = || {
        let mut c = Command::new(chromium);
        c.args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
            .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("--host-resolver-rules=MAP *.shili.gov.cn 127.0.0.1");
        c
    };
    let out = browser()
        .arg("--virtual-time-budget=3000")
        .arg("--dump-dom")
        .arg(format!("http://fgw.shili.gov.cn:{port}/"))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("示例市发展和改革委员会") && dom.contains("湘ICP备19004321号-3"),
        "chromium rendered: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let started = Instant::now();
    loop {
        if seen
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("POST /hit") && l.contains("\"s\":\"fgw\"") && l.contains("\"p\":\"/\""))
        {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "no beacon reached /hit: {:?}", seen.lock().unwrap());
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = browser()
        .arg("--window-size=1280,1600")
        .arg(format!("--screenshot={}", shots.join("fgw-home.png").display()))
        .arg(format!("http://fgw.shili.gov.cn:{port}/"))
        .output();
}
