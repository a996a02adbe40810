//! The whole product in a real browser: `zhanqun serve` as a newcomer runs it (demo group,
//! demo accounts), nginx serving what it publishes, and Chromium driven by Playwright through
//! tests/e2e/admin_flow.mjs, editor_flow.mjs, interaction_flow.mjs, submission_flow.mjs,
//! column_flow.mjs and public_flow.mjs.
//! Screenshots of every step land in target/e2e/admin-flow/.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{bin, free_port, healthy, temp_project};
use crate::nginx::start_nginx;

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn editor_submits_reviewer_approves_citizen_reads_and_searches_through_nginx() {
    let e2e = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e");
    assert!(
        e2e.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci --prefix tests/e2e` (.ci/run does)"
    );
    let tmp = temp_project();
    let dir = tmp.path();
    let (port, nginx_port) = (free_port(), free_port());
    let log = std::fs::File::create(dir.join("serve.log")).unwrap();
    let _serve = Killed(
        Command::new(bin())
            .current_dir(dir)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--demo-articles", "2"])
            .args(["--nginx-port", &nginx_port.to_string(), "--upstream", &format!("127.0.0.1:{port}")])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    loop {
        if healthy(port) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "zhanqun serve did not start: {}",
            std::fs::read_to_string(dir.join("serve.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let printed = std::fs::read_to_string(dir.join("serve.log")).unwrap();
    assert!(printed.contains("editor") && printed.contains("Zhanqun@2026"), "demo accounts are printed: {printed}");
    let _nginx = start_nginx(dir, &dir.join("publish/nginx/zhanqun.conf"), nginx_port);

    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e/admin-flow");
    std::fs::create_dir_all(&shots).unwrap();
    let attachment = dir.join("培训日程.pdf");
    std::fs::write(
        &attachment,
        b"%PDF-1.4\n% training schedule\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )
    .unwrap();
    let admin = format!("http://127.0.0.1:{port}");
    let site = format!("http://fgw.shili.gov.cn:{nginx_port}");
    let nginx_port = nginx_port.to_string();
    let attachment = attachment.display().to_string();
    let shots_dir = shots.display().to_string();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docx").display().to_string();
    let common = [("ADMIN", admin.as_str()), ("NGINX_PORT", &nginx_port), ("SHOTS", &shots_dir)];
    let sites = dir.join("sites").display().to_string();
    let flows: [(&str, &[(&str, &str)]); 6] = [
        ("admin_flow.mjs", &[("ATTACHMENT", &attachment)]),
        // The rich editor: a Word paste with a merged cell, a right-aligned 落款 and an image,
        // 一键排版, hostile markup, published and read.
        ("editor_flow.mjs", &[("FIXTURES", &fixtures)]),
        // Citizen interaction: a message written on the static site, answered through review,
        // published masked, found on the status page.
        ("interaction_flow.mjs", &[("SITE", &site)]),
        // 信息报送: fgw submits, the portal accepts, a citizen reads it on the portal.
        ("submission_flow.mjs", &[]),
        // Columns: fgw's administrator adds a 专题, a citizen reads it, the central office vetoes it.
        ("column_flow.mjs", &[]),
        // Citizens' view: every public template at 390 and 1366 px without overflow or a
        // serious axe finding, 关怀版 without JavaScript, a 哀悼日 set while serving.
        ("public_flow.mjs", &[("SITES", &sites)]),
    ];
    // `ZHANQUN_E2E_ONLY=public_flow.mjs` runs one flow while working on it (the screenshot
    // list below then fails; the full suite runs them all).
    let only = std::env::var("ZHANQUN_E2E_ONLY").ok();
    for (script, env) in flows.into_iter().filter(|(s, _)| only.as_deref().is_none_or(|o| o == *s)) {
        let out = Command::new("node")
            .arg(e2e.join(script))
            .envs(common.iter().chain(env.iter()).copied())
            .stdin(Stdio::null())
            .output()
            .expect("node is installed");
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("\"ok\":true"),
            "{script} failed:\n{}\n{}\n--- serve log ---\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(dir.join("serve.log")).unwrap_or_default()
        );
    }
    // The reader's one view of /bszn/ reaches the database within the counter's next flush.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let views = rt.block_on(async {
        let store = zhanqun::store::Store::open(&dir.join("data/zhanqun.db").display().to_string()).await.unwrap();
        let id = store.site_rows().await.unwrap()["fgw"].id;
        let started = Instant::now();
        loop {
            // The demo statistics end yesterday: today's views are the reader's.
            let today = (chrono::Utc::now() + chrono::Duration::hours(8)).format("%Y-%m-%d").to_string();
            let pages = store.traffic_pages(crate::common::whole_group(), id, &today, &today).await.unwrap();
            let n = pages.iter().find(|p| p.path == "/bszn/").map_or(0, |p| p.views);
            if n > 0 || started.elapsed() > Duration::from_secs(5) {
                break n;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    assert_eq!(views, 1, "opening the page once through nginx registers one view");
    for n in [
        "01-editor-dashboard",
        "03-editor-submitted",
        "05-reviewer-published",
        "06-citizen-static-page",
        "07-citizen-search-subsite",
        "08-citizen-search-group",
        "09-portal-search-doc-number",
        "10-search-after-withdrawal",
        "11-stats-group",
        "12-stats-site-today",
        "12-stats-site",
        "13-console-with-traffic",
        "14-inspection-group",
        "15-inspection-site",
        "21-interaction-page",
        "22-form-errors",
        "23-message-submitted",
        "24-editor-message",
        "25-editor-reply-submitted",
        "26-reviewer-approved",
        "27-published-answer",
        "28-status-answered-rated",
        "29-interaction-dashboard",
        "30-interaction-report",
        "31-solicitation-comment",
        "32-solicitation-admin",
        "41-editor-submitted-to-portal",
        "42-portal-submission-queue",
        "43-portal-accepted",
        "44-citizen-reads-on-portal",
        "45-editor-sees-accepted",
        "60-portal-home-390",
        "60-portal-home-1366",
        "65-article-news-390",
        "81-care-article-390",
        "85-mourning-portal",
        "86-article-qr-1366",
    ] {
        assert!(shots.join(format!("{n}.png")).is_file(), "screenshot {n}");
    }
}
