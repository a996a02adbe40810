//! The inspection audit on every backend: freshness read from the live articles (a channel
//! kept fresh by its sub-columns, drafts and scheduled articles not counting), submissions left
//! waiting, and `zhanqun audit` as a cron job sees it (formats and exit codes).

use std::process::Command;

use zhanqun::audit::{self, AuditReport, Severity};

use crate::admin_fixture::{self as fx, signed_in, FOREIGN, OWN};
use crate::common::{bin, temp_project};

fn rules_of(r: &AuditReport, code: &str) -> Vec<(&'static str, Option<String>)> {
    r.sites.iter().find(|s| s.code == code).unwrap().findings.iter().map(|f| (f.rule, f.column.clone())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn freshness_and_waiting_reviews_come_from_live_articles() {
    for (label, env) in fx::envs(1800).await {
        let now = zhanqun::content::now_local();
        let unix = zhanqun::store::now_unix();
        let before = audit::run(&env.project, Some(OWN), &now, unix).await.unwrap();
        assert_eq!(before.sites.len(), 1, "{label}: only the site asked for");
        let site = &before.sites[0];
        assert!(!site.passed, "{label}: a site without any article fails");
        let rules = rules_of(&before, OWN);
        assert!(rules.contains(&("fresh.home", None)), "{label}: {rules:?}");
        assert!(rules.contains(&("fresh.empty_columns", None)), "{label}: {rules:?}");
        assert!(rules.contains(&("fresh.empty_column", Some("zcjd".into()))), "{label}");
        assert_eq!(site.findings[0].severity, Severity::Veto, "{label}: vetoes first");

        // One article in 政策解读 (a sub-column of 政策法规) makes both non-empty; a draft and a
        // submission count for nothing.
        let editor = signed_in(&env, "ed1").await;
        let reviewer = signed_in(&env, "rv1").await;
        let (s, loc) = editor
            .post(
                "/admin/articles",
                &[
                    ("title", "关于政策的解读"),
                    ("column", "zcjd"),
                    ("body", "正文。"),
                    ("issuer", "示例市发展和改革委员会"),
                    ("written_date", "2026-11-01"),
                    ("intent", "submit"),
                ],
            )
            .await;
        assert_eq!(s, 303, "{label}: {loc}");
        let id = fx::article_id(&loc);
        let (s, _) =
            reviewer.post(&format!("/admin/articles/{id}/approve"), &[("comment", "同意"), ("secrecy", "1")]).await;
        assert_eq!(s, 303, "{label}");
        let (s, _) = editor
            .post(
                "/admin/articles",
                &[("title", "待审稿件"), ("column", "gzdt"), ("body", "正文"), ("intent", "submit")],
            )
            .await;
        assert_eq!(s, 303, "{label}");
        let after = audit::run(&env.project, Some(OWN), &zhanqun::content::now_local(), unix).await.unwrap();
        let rules = rules_of(&after, OWN);
        assert!(!rules.iter().any(|r| r.0 == "fresh.home"), "{label}: the home page has news: {rules:?}");
        for slug in ["zcjd", "zcfg"] {
            assert!(!rules.contains(&("fresh.empty_column", Some(slug.into()))), "{label}: {slug} is not empty");
        }
        assert!(rules.contains(&("fresh.empty_column", Some("gzdt".into()))), "{label}: a submission is not content");
        assert!(!rules.iter().any(|r| r.0 == "ops.review_waiting"), "{label}: submitted just now");

        // Four days later the submission has waited too long.
        let later =
            audit::run(&env.project, Some(OWN), &zhanqun::content::now_local(), unix + 4 * 86_400).await.unwrap();
        let waiting: Vec<_> = later.sites[0].findings.iter().filter(|f| f.rule == "ops.review_waiting").collect();
        assert_eq!(waiting.len(), 1, "{label}");
        assert!(waiting[0].found.contains("待审稿件"), "{label}: {}", waiting[0].found);
    }
}

/// The published output as nginx serves it: a page altered on disk, broken links on the home
/// page and elsewhere (also to another site of the group), a missing attachment, a site never
/// built; nothing is reported for what the build wrote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_output_is_checked_page_by_page() {
    let envs = fx::envs(1800).await;
    let (label, env) = &envs[0];
    let now = zhanqun::content::now_local();
    let unix = zhanqun::store::now_unix();
    let output_rules = |r: &AuditReport, code: &str| -> Vec<(&'static str, String)> {
        r.sites
            .iter()
            .find(|s| s.code == code)
            .unwrap()
            .findings
            .iter()
            .filter(|f| f.rule.starts_with("output.") || f.rule.starts_with("links."))
            .map(|f| (f.rule, f.found.clone()))
            .collect()
    };
    let clean = audit::run(&env.project, None, &now, unix).await.unwrap();
    for s in &clean.sites {
        assert_eq!(output_rules(&clean, &s.code), [], "{label}: {} as built", s.code);
    }

    let group = env.project.group();
    let site = group.site(OWN).unwrap();
    let root = env.project.paths.out.join(&site.host);
    let home = root.join("index.html");
    let html = std::fs::read_to_string(&home).unwrap();
    let portal = &group.portal().host;
    let tampered = html.replacen(
        "</main>",
        &format!(r#"<a href="https://{portal}/no/such/">门户</a><a href="/../../etc/passwd">x</a></main>"#),
        1,
    );
    std::fs::write(&home, tampered).unwrap();
    let column = root.join("gzdt/index.html");
    let html = std::fs::read_to_string(&column).unwrap();
    let footer_at = html.find("<footer").unwrap();
    let tampered = format!(
        "{}<a href=\"nosuch.html\">x</a><a href=\"/files/ab/missing.pdf\">附件</a>{}",
        &html[..footer_at],
        &html[footer_at..].replacen("网站标识码", "网站识别码", 1)
    );
    std::fs::write(&column, tampered).unwrap();
    std::fs::remove_file(env.project.paths.out.join(&env.project.group().site(FOREIGN).unwrap().host)).unwrap();

    let r = audit::run(&env.project, None, &now, unix).await.unwrap();
    let own = output_rules(&r, OWN);
    let count = |rule: &str| own.iter().filter(|(r, _)| *r == rule).count();
    assert_eq!(count("links.home_broken"), 2, "{label}: {own:?}");
    assert_eq!(count("links.broken"), 1, "{label}: {own:?}");
    assert_eq!(count("links.attachment_missing"), 1, "{label}: {own:?}");
    assert_eq!(count("output.locked_parts"), 1, "{label}: {own:?}");
    assert!(own.iter().any(|(_, found)| found.contains("页脚")), "{label}: {own:?}");
    let s = r.sites.iter().find(|s| s.code == OWN).unwrap();
    let f = s.findings.iter().find(|f| f.rule == "links.broken").unwrap();
    assert_eq!(f.url.as_deref(), Some(format!("https://{}/gzdt/", site.host).as_str()), "{label}");
    assert_eq!(output_rules(&r, FOREIGN).iter().map(|x| x.0).collect::<Vec<_>>(), ["output.missing"], "{label}");
}

/// The text of published pages: a private address, a forbidden word and a leader's name one
/// character off beside the title, found with the group's lists; the right name is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_text_is_checked_against_the_groups_lists() {
    let envs = fx::envs(1800).await;
    let (label, env) = &envs[0];
    let mut project = env.project.clone();
    let mut group = (*project.group()).clone();
    group.def.audit.forbidden_words = vec!["内部资料".into()];
    group.def.audit.leaders =
        vec![zhanqun::group::model::Leader { name: "王建国".into(), titles: vec!["市长".into()] }];
    project = project.with_group(group);
    let group = project.group();
    let site = group.site(OWN).unwrap();
    let page = project.paths.out.join(&site.host).join("gzdt/index.html");
    let html = std::fs::read_to_string(&page).unwrap();
    let body = "<p>市长王建国出席。副市长王建华讲话。市长王建华主持。联系：zhangsan@qq.com；本文为内部资料。</p>";
    std::fs::write(&page, html.replacen("</main>", &format!("{body}</main>"), 1)).unwrap();
    let now = zhanqun::content::now_local();
    let r = audit::run(&project, Some(OWN), &now, zhanqun::store::now_unix()).await.unwrap();
    let found: Vec<(&str, &str)> = r.sites[0]
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("content."))
        .map(|f| (f.rule, f.found.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("content.leader_name", "领导姓名疑似写错：“王建华”，应为“王建国”"),
            ("content.forbidden_word", "含有禁用词“内部资料”"),
            ("content.private_mail", "公布了私人邮箱 zhangsan@qq.com"),
        ],
        "{label}"
    );
    assert!(!r.sites[0].passed, "{label}: a leader's name written wrong is a veto");
}

/// Runs are stored: scores over time, and only vetoes the previous run did not have are new.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_are_stored_with_trends_and_new_vetoes() {
    for (label, env) in fx::envs(1800).await {
        let now = zhanqun::content::now_local();
        let unix = zhanqun::store::now_unix();
        let report = audit::run(&env.project, None, &now, unix).await.unwrap();
        let first = audit::save(&env.project, &report, "cli", unix).await.unwrap();
        let vetoed = report.sites.iter().filter(|s| !s.passed).count();
        assert!(vetoed > 0, "{label}: the bare fixture group has empty sites");
        assert!(first.new_vetoes.iter().any(|(code, rule, _)| code == OWN && *rule == "fresh.home"), "{label}");
        let again = audit::save(&env.project, &report, "schedule", unix + 60).await.unwrap();
        assert!(again.run > first.run);
        assert_eq!(again.new_vetoes, [], "{label}: nothing new since the last run");
        let trends = env.project.store.score_trends(30).await.unwrap();
        let own = &trends[&env.sites[OWN]];
        assert_eq!(own.len(), 2, "{label}");
        assert_eq!(own[0].0, report.day);
        // Today's run exists: the daily schedule does not run another one.
        assert!(audit::schedule::run_if_due(&env.project).await.unwrap().is_none(), "{label}");
    }
}

#[test]
fn the_command_prints_every_format_and_exits_2_on_a_veto() {
    let tmp = temp_project();
    let run = |args: &[&str]| Command::new(bin()).current_dir(tmp.path()).arg("audit").args(args).output().unwrap();
    // An empty database: every site is vetoed (nothing published).
    let out = run(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sites = report["sites"].as_array().unwrap();
    assert!(sites.len() > 100 && sites.iter().all(|s| s["passed"] == false));
    assert_eq!(sites[0]["findings"][0]["severity"], "veto");
    assert!(sites[0]["findings"][0]["url"].as_str().unwrap().starts_with("https://"));

    let out = run(&["--site", "fgw"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2));
    assert!(text.starts_with("站群检查 ") && text.contains("[否决] fresh.home") && text.contains("整改："), "{text}");

    let out = run(&["--site", "fgw", "--format", "csv"]);
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.starts_with("\u{feff}日期,网站代码"), "{csv}");
    assert!(csv.lines().skip(1).all(|l| l.contains("\"fgw\"")), "{csv}");

    let out = run(&["--site", "nosuch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no site `nosuch`"));
}

/// The admin's 监督检查: the central office sees every site, vetoes first, and starts a run;
/// a site's administrator sees their own findings with the evidence, and no other site's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_shows_findings_to_whom_they_belong() {
    let envs = fx::envs(1800).await;
    let (label, env) = &envs[0];
    let central = signed_in(env, "cadmin").await;
    let (s, page) = central.get("/admin/inspection").await;
    assert_eq!(s, 200, "{label}");
    assert!(page.contains("尚无检查记录"), "{label}");
    let (s, location) = central.post("/admin/inspection/run", &[]).await;
    assert_eq!((s, location.as_str()), (303, "/admin/inspection?started=1"), "{label}");
    let started = std::time::Instant::now();
    while env.project.store.latest_audit_run().await.unwrap().is_none() {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "{label}: the run did not finish");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (_, page) = central.get("/admin/inspection").await;
    let group = env.project.group();
    let own_name = &group.site(OWN).unwrap().def.name;
    let foreign_name = &group.site(FOREIGN).unwrap().def.name;
    assert!(page.contains(own_name.as_str()) && page.contains("被否决"), "{label}");
    let (_, passed_only) = central.get("/admin/inspection?verdict=passed").await;
    assert!(!passed_only.contains(own_name.as_str()), "{label}: a vetoed site is filtered out");

    let (s, page) = central.get(&format!("/admin/inspection/{OWN}")).await;
    assert_eq!(s, 200);
    assert!(
        page.contains("首页超过 2 周未更新") && page.contains("首页没有任何信息") && page.contains("整改"),
        "{label}"
    );

    let site_admin = signed_in(env, "sa1").await;
    let (s, location) = site_admin.get("/admin/inspection").await;
    assert_eq!((s, location), (303, format!("/admin/inspection/{OWN}")), "{label}");
    let (s, page) = site_admin.get(&format!("/admin/inspection/{OWN}")).await;
    assert_eq!(s, 200);
    assert!(!page.contains(foreign_name.as_str()), "{label}");
    assert_eq!(site_admin.get(&format!("/admin/inspection/{FOREIGN}")).await.0, 404, "{label}");
    assert_eq!(site_admin.post("/admin/inspection/run", &[]).await.0, 403, "{label}: runs are the central office's");
    let editor = signed_in(env, "ed1").await;
    assert_eq!(editor.get(&format!("/admin/inspection/{OWN}")).await.0, 403, "{label}");
}

/// Article pages must carry their publication date, and not one after the day judged; links
/// outside the group are checked only when asked, and then politely (a local server stands in
/// for the outside world).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dates_and_external_links_of_published_pages() {
    let envs = fx::envs(1800).await;
    let (label, env) = &envs[0];
    let ed = signed_in(env, "ed1").await;
    let rv = signed_in(env, "rv1").await;
    let first = fx::publish_article(&ed, &[&rv], "日期正确的文章", "gzdt").await;
    let second = fx::publish_article(&ed, &[&rv], "日期被改动的文章", "gzdt").await;
    let third = fx::publish_article(&ed, &[&rv], "没有日期的文章", "gzdt").await;
    let group = env.project.group();
    let site = group.site(OWN).unwrap();
    let root = env.project.paths.out.join(&site.host);
    let page_of = |id: i64| {
        walkdir::WalkDir::new(root.join("gzdt"))
            .into_iter()
            .filter_map(Result::ok)
            .find(|e| {
                e.file_name().to_string_lossy().starts_with('t')
                    && e.file_name().to_string_lossy().ends_with(&format!("_{id}.html"))
            })
            .map(|e| e.into_path())
            .unwrap_or_else(|| panic!("page of article {id}"))
    };
    let _ = page_of(first);
    let today = zhanqun::content::now_local();
    let day = &today[..10];
    let tomorrow = (chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap() + chrono::Days::new(1)).to_string();
    let p2 = page_of(second);
    let html = std::fs::read_to_string(&p2).unwrap();
    let pub_date = format!("<meta name=\"PubDate\" content=\"{day}");
    assert!(html.contains(&pub_date), "{label}: {html}");
    std::fs::write(&p2, html.replacen(&pub_date, &format!("<meta name=\"PubDate\" content=\"{tomorrow}"), 1)).unwrap();
    let p3 = page_of(third);
    let html = std::fs::read_to_string(&p3).unwrap();
    let start = html.find("<meta name=\"PubDate\"").unwrap();
    let end = start + html[start..].find('>').unwrap() + 1;
    std::fs::write(&p3, format!("{}{}", &html[..start], &html[end..])).unwrap();

    // The outside world: one page that is there, one gone, one refused (says nothing).
    let outside = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = outside.local_addr().unwrap().port();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = hits.clone();
    let app = axum::Router::new()
        .route("/ok", axum::routing::any(|| async { "ok" }))
        .route("/forbidden", axum::routing::any(|| async { axum::http::StatusCode::FORBIDDEN }))
        .layer(axum::middleware::from_fn(move |req, next: axum::middleware::Next| {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                next.run(req).await
            }
        }));
    tokio::spawn(async move { axum::serve(outside, app).await.unwrap() });
    let home = root.join("index.html");
    let html = std::fs::read_to_string(&home).unwrap();
    let links: String = ["ok", "gone", "forbidden", "ok"]
        .iter()
        .map(|p| format!("<a href=\"http://127.0.0.1:{port}/{p}\">外链</a>"))
        .collect();
    std::fs::write(&home, html.replacen("</main>", &format!("{links}</main>"), 1)).unwrap();

    let rules = |r: &AuditReport, prefix: &str| -> Vec<String> {
        r.sites[0].findings.iter().filter(|f| f.rule.starts_with(prefix)).map(|f| f.found.clone()).collect()
    };
    let unix = zhanqun::store::now_unix();
    let r = audit::run(&env.project, Some(OWN), &today, unix).await.unwrap();
    let dates = rules(&r, "ops.page_date");
    assert_eq!(dates, ["信息页面没有发布日期".to_string(), format!("发布日期 {tomorrow} 晚于检查日 {day}")], "{label}");
    assert_eq!(rules(&r, "links.external"), Vec::<String>::new(), "{label}: off by default");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0, "{label}: nothing asked outside");

    // The "outside world" of this test is on 127.0.0.1, which a real check never reaches
    // (public destinations only; the refusal is tested in audit::external): let this one in.
    let mut project = env.project.clone();
    let mut group = (*project.group()).clone();
    group.def.audit.external_links.reach_loopback = true;
    project = project.with_group(group);
    let r = audit::run_with(&project, Some(OWN), true, &today, unix).await.unwrap();
    assert_eq!(
        rules(&r, "links.external"),
        [format!("外部链接 http://127.0.0.1:{port}/gone 返回 HTTP 404")],
        "{label}"
    );
    // Each distinct link once: HEAD for the good ones, HEAD then GET for the one that is gone.
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 4, "{label}");
}

/// After a publish the site's output is checked at once; a new veto there is announced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publish_is_followed_by_the_cheap_checks() {
    let envs = fx::envs(1800).await;
    let (label, env) = &envs[0];
    let ed = signed_in(env, "ed1").await;
    let rv = signed_in(env, "rv1").await;
    assert!(env.project.store.publish_check(crate::common::whole_group(), env.sites[OWN]).await.unwrap().is_none());
    let (s, loc) = ed
        .post(
            "/admin/articles",
            &[("title", "关于内部资料管理的说明"), ("column", "gzdt"), ("body", "正文。"), ("intent", "submit")],
        )
        .await;
    assert_eq!(s, 303, "{label}: {loc}");
    let id = fx::article_id(&loc);
    // A forbidden word is a veto-class finding: approved only with the reviewer's reason.
    let approve = format!("/admin/articles/{id}/approve");
    assert_eq!(rv.post(&approve, &[("comment", "同意"), ("secrecy", "1")]).await.0, 400, "{label}");
    let reason = "已核实，确需发布：标题为制度名称";
    let (s, _) = rv.post(&approve, &[("secrecy", "1"), ("confirmation", reason)]).await;
    assert_eq!(s, 303);
    let started = std::time::Instant::now();
    let findings = loop {
        if let Some((_, f)) =
            env.project.store.publish_check(crate::common::whole_group(), env.sites[OWN]).await.unwrap()
        {
            break f;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "{label}: no check after the publish");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    // The check ran on the published pages and found the word, which the reviewer confirmed:
    // reported as reviewed, with the reason, and no veto announced.
    assert!(!findings.iter().any(|f| f.rule == "content.forbidden_word"), "{label}: {findings:?}");
    assert!(
        findings.iter().any(|f| f.rule == "content.reviewed"
            && f.found.contains("含有禁用词“内部资料”")
            && f.found.contains(reason)),
        "{label}: {findings:?}"
    );
    let notices = env.project.store.notices(crate::common::one_site(env.sites[OWN]), 10).await.unwrap();
    assert_eq!(notices.len(), 0, "{label}: no new veto to announce");
    let sa = signed_in(env, "sa1").await;
    let (_, page) = sa.get(&format!("/admin/inspection/{OWN}")).await;
    assert!(page.contains("发布后自检") && page.contains("经审核员核实后发布的表述"), "{label}");
}

/// The printable monthly reports: the group's ranking for the central office, a site's own
/// report for its administrator, a clear error for a bad month.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monthly_reports_rank_the_month_and_print() {
    let envs = fx::envs(1800).await;
    let (label, env) = &envs[0];
    let now = zhanqun::content::now_local();
    let unix = zhanqun::store::now_unix();
    let report = audit::run(&env.project, None, &now, unix).await.unwrap();
    audit::save(&env.project, &report, "cli", unix).await.unwrap();
    let central = signed_in(env, "cadmin").await;
    let (s, page) = central.get("/admin/reports/inspection").await;
    assert_eq!(s, 200, "{label}");
    let group = &env.project.group().def.name;
    assert!(page.contains(&format!("{group}网站监督检查月报")) && page.contains("网站排名"), "{label}");
    assert!(page.contains("@page") || page.contains("report.css"), "{label}: print styles");
    let rows = page.matches("<tr><td class=\"num\">").count();
    assert_eq!(rows, report.sites.len(), "{label}: every site ranked");
    assert!(page.contains("报送 / 采用") && page.contains("本月各单位共报送信息"), "{label}: 信息报送 ranks too");
    let (s, page) = central.get("/admin/submissions?month=2026-10").await;
    assert_eq!(s, 200, "{label}");
    assert!(page.contains("2026年10月报送统计"), "{label}");
    let (s, page) = central.get("/admin/submissions?month=10/2026").await;
    assert_eq!(s, 400, "{label}");
    assert!(page.contains("2026-11"), "{label}: says how to write a month");
    let (s, page) = central.get("/admin/reports/inspection?month=2020-01").await;
    assert_eq!(s, 200);
    assert!(page.contains("本月尚无检查记录"), "{label}");
    let (s, page) = central.get("/admin/reports/inspection?month=2026-13").await;
    assert_eq!(s, 400, "{label}");
    assert!(page.contains("month") && page.contains("2026-11"), "{label}: {page}");

    let sa = signed_in(env, "sa1").await;
    let (s, _) = sa.get("/admin/reports/inspection").await;
    assert_eq!(s, 403, "{label}: the group report is the central office's");
    let (s, page) = sa.get(&format!("/admin/reports/inspection/{OWN}")).await;
    assert_eq!(s, 200, "{label}");
    assert!(page.contains("首页超过 2 周未更新") && page.contains("站群排名"), "{label}");
    assert!(page.contains("、信息报送"), "{label}: the site's submissions have their section");
    let (s, _) = sa.get(&format!("/admin/reports/inspection/{FOREIGN}")).await;
    assert_eq!(s, 404, "{label}");
    let (s, _) = central.get("/admin/static/report.css").await;
    assert_eq!(s, 200);
}
