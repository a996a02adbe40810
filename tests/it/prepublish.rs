//! Checks before publishing (issue 19), on both backends: the content check at the editor's
//! desk and the reviewer's, the 保密审查 and the written confirmation of veto-class findings,
//! whole-page tamper detection with its restore, and the 站点无法访问 veto from real probes
//! through nginx.

use std::time::Duration;

use crate::admin_fixture::{self as fx, signed_in, OWN};
use crate::common::{self, free_port, temp_project};
use crate::nginx::start_nginx;
use zhanqun::audit;
use zhanqun::audit::availability;
use zhanqun::group::model::Availability;
use zhanqun::publish::NginxOptions;
use zhanqun::store::tenant::Tenant;

const LEADER_SLIP: &str = "市长李明化调研我市工业企业";
const BODY: &str = "依据中华人民共合国有关法律，市长李明化一行先后来到多家企业。\n\n联系邮箱 someone@qq.com。";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_is_warned_and_the_reviewer_confirms_in_writing() {
    for (label, env) in fx::envs(1800).await {
        let (ed, rv) = (signed_in(&env, "ed1").await, signed_in(&env, "rv1").await);
        // Saved: the page shows each finding, where it is, and the fix.
        let (s, loc) = ed
            .post("/admin/articles", &[("title", LEADER_SLIP), ("column", "gzdt"), ("body", BODY), ("intent", "save")])
            .await;
        assert_eq!(s, 303, "{label}: {loc}");
        let id = fx::article_id(&loc);
        let (_, page) = ed.get(&loc).await;
        assert!(page.contains("发布前检查：发现 3 处问题，其中 2 处须审核员核实"), "{label}: {page}");
        assert!(page.contains("领导姓名疑似写错：“李明化”，应为“李明华”"), "{label}");
        assert!(page.contains("改为“中华人民共和国”") && page.contains("<mark>中华人民共合国</mark>"), "{label}");
        assert!(page.contains("公布了私人邮箱 someone@qq.com"), "{label}");
        assert!(!page.contains("content.leader_name"), "{label}: no rule ids on the page");
        // Autosave answers with the same findings, for the panel and the highlights.
        let form = [("title", LEADER_SLIP), ("column", "gzdt"), ("body", BODY)];
        let (s, json) = ed.post(&format!("/admin/articles/{id}/autosave"), &form).await;
        assert_eq!(s, 200, "{label}: {json}");
        let reply: serde_json::Value = serde_json::from_str(&json).unwrap();
        let rules: Vec<(&str, &str)> = reply["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["field"].as_str().unwrap(), c["rule"].as_str().unwrap()))
            .collect();
        assert_eq!(
            rules,
            [("title", "content.leader_name"), ("body", "content.wrong_term"), ("body", "content.private_mail")],
            "{label}"
        );
        // Submitted: the warning is still there; submission is not blocked by it.
        let (s, loc) = ed.post(&format!("/admin/articles/{id}/submit"), &[]).await;
        assert_eq!(s, 303, "{label}: {loc}");
        let (_, page) = ed.get(&loc).await;
        assert!(page.contains("已提交审核") && page.contains("须审核员核实"), "{label}");

        // The reviewer sees the findings and the form asks for both confirmations.
        let (_, page) = rv.get(&format!("/admin/articles/{id}")).await;
        assert!(page.contains("领导姓名疑似写错") && page.contains("id=\"read-body\""), "{label}");
        assert!(page.contains("已进行保密审查") && page.contains("name=\"confirmation\""), "{label}");
        let approve = format!("/admin/articles/{id}/approve");
        // Neither box nor reason: the 保密审查 is asked first.
        let (s, page) = rv.post(&approve, &[("comment", "同意")]).await;
        assert!(s == 400 && page.contains("请先对稿件进行保密审查"), "{label}: {s}");
        // The box alone: the veto-class findings need a reason.
        let (s, page) = rv.post(&approve, &[("secrecy", "1")]).await;
        assert!(s == 400 && page.contains("发布前检查发现 2 处须核实的问题"), "{label}: {s}");
        assert!(page.contains("id=\"err-confirmation\""), "{label}: the refusal is beside the field");
        let (s, _) = rv.post(&approve, &[("confirmation", "已核实，确需发布：引用原文")]).await;
        assert_eq!(s, 400, "{label}: a reason does not replace the 保密审查");
        assert!(live(&env, id).is_none(), "{label}: nothing went live");
        let reason = "已核实，确需发布：引用会议纪要原文";
        let (s, loc) = rv.post(&approve, &[("secrecy", "1"), ("confirmation", reason)]).await;
        assert_eq!(s, 303, "{label}: {loc}");
        assert!(live(&env, id).is_some(), "{label}: published");

        // Kept with the step, in the history and in the audit log.
        let (_, page) = rv.get(&format!("/admin/articles/{id}")).await;
        assert!(page.contains("已保密审查") && page.contains("核实后发布") && page.contains(reason), "{label}");
        let tail = env.project.store.audit_tail(common::whole_group(), 20).await.unwrap();
        let publish = tail.iter().find(|r| r.action == "article.publish").unwrap();
        assert!(
            publish.detail.contains("已进行保密审查") && publish.detail.contains(reason),
            "{label}: {}",
            publish.detail
        );
        assert!(publish.detail.contains("领导姓名疑似写错：“李明化”"), "{label}: {}", publish.detail);

        // The audit shows the confirmed finding as reviewed, not as a veto; another article with
        // the same slip, approved without it being there at review time, is not covered.
        let now = zhanqun::content::now_local();
        let report = audit::run(&env.project, Some(OWN), &now, zhanqun::store::now_unix()).await.unwrap();
        let findings = &report.sites[0].findings;
        assert!(
            !findings.iter().any(|f| f.rule == "content.leader_name" || f.rule == "content.wrong_term"),
            "{label}: {findings:?}"
        );
        let reviewed: Vec<&str> =
            findings.iter().filter(|f| f.rule == "content.reviewed").map(|f| f.found.as_str()).collect();
        assert!(reviewed.iter().any(|f| f.contains("李明化") && f.contains(reason)), "{label}: {reviewed:?}");
    }
}

fn live(env: &fx::Env, id: i64) -> Option<std::path::PathBuf> {
    let group = env.project.group();
    let site = group.site(OWN).unwrap();
    let suffix = format!("_{id}.html");
    walkdir::WalkDir::new(env.project.paths.out.join(&site.host))
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        // Article pages are `t<date>_<id>.html`; list pages `list_<n>.html` end alike.
        .find(|e| {
            e.file_name().to_string_lossy().starts_with('t') && e.file_name().to_string_lossy().ends_with(&suffix)
        })
        .map(|e| e.path().to_path_buf())
}

/// The demo group's planted flaws, written again as new articles, are each caught at the desk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_flaws_are_caught_before_publication() {
    for (label, env) in fx::envs(1800).await {
        zhanqun::demo::seed::seed_demo_mailboxes(&env.project).await.unwrap();
        let ed = signed_in(&env, "ed1").await;
        for (_, file, title, body) in zhanqun::demo::seed::FLAWS {
            let column = file.split('/').next().unwrap();
            let (s, loc) = ed
                .post("/admin/articles", &[("title", title), ("column", column), ("body", body), ("intent", "save")])
                .await;
            assert_eq!(s, 303, "{label}: {title}: {loc}");
            let (_, page) = ed.get(&loc).await;
            let expected = match *file {
                "gzdt/flaw-private-mail.md" => Some("公布了私人邮箱 jtysj_bgs2019@163.com"),
                "gzdt/flaw-leader-name.md" => Some("领导姓名疑似写错：“李明化”，应为“李明华”"),
                "tzgg/flaw-broken-link.md" => Some("dengjibiao.html 无法打开"),
                "gzdt/flaw-cancelled-mailbox.md" => Some("已在统一公务邮箱登记簿中注销"),
                _ => None,
            };
            match expected {
                Some(words) => assert!(
                    page.contains(words),
                    "{label}: {title} is not flagged with {words}: {}",
                    fx::between(&page, "checks-slot", "</div>").unwrap_or_default()
                ),
                None => assert!(!page.contains("发布前检查："), "{label}: {title} is written right"),
            }
        }
    }
}

/// A body altered on disk, a file added and one removed are each reported on the right site;
/// the restore brings back the published bytes and is logged; only the central office may.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_pages_are_found_and_restored() {
    for (label, env) in fx::envs(1800).await {
        let (ed, rv) = (signed_in(&env, "ed1").await, signed_in(&env, "rv1").await);
        // Incremental publishes keep the manifest exact: a publication, then a withdrawal
        // (pages removed, lists rewritten) leave nothing that looks tampered.
        let gone = fx::publish_article(&ed, &[&rv], "随后撤下的稿件", "gzdt").await;
        let id = fx::publish_article(&ed, &[&rv], "防篡改测试稿件", "gzdt").await;
        assert_eq!(rv.post(&format!("/admin/articles/{gone}/withdraw"), &[("comment", "撤下")]).await.0, 303);
        assert!(live(&env, gone).is_none(), "{label}: withdrawn");
        let now = zhanqun::content::now_local();
        let clean = audit::run(&env.project, Some(OWN), &now, zhanqun::store::now_unix()).await.unwrap();
        assert!(
            !clean.sites[0].findings.iter().any(|f| f.rule == "output.tampered"),
            "{label}: {:?}",
            clean.sites[0].findings
        );
        let page = live(&env, id).unwrap();
        let group = env.project.group();
        let site = group.site(OWN).unwrap();
        let root = std::fs::canonicalize(env.project.paths.out.join(&site.host)).unwrap();
        let original = std::fs::read(&page).unwrap();
        let removed = root.join("tzgg/index.html");
        let removed_bytes = std::fs::read(&removed).unwrap();
        assert!(audit::tamper::moved(&env.project).unwrap().is_empty(), "{label}: nothing moved yet");

        let altered = String::from_utf8(original.clone()).unwrap().replace("正文。", "正文已被篡改。");
        std::fs::write(&page, altered).unwrap();
        std::fs::write(root.join("gzdt/shell.php"), "<?php system($_GET['c']);").unwrap();
        std::fs::remove_file(&removed).unwrap();
        assert_eq!(audit::tamper::moved(&env.project).unwrap(), [OWN], "{label}: the cheap look sees it");

        let report = audit::run(&env.project, None, &now, zhanqun::store::now_unix()).await.unwrap();
        for s in &report.sites {
            let tampered: Vec<&str> =
                s.findings.iter().filter(|f| f.rule == "output.tampered").map(|f| f.found.as_str()).collect();
            if s.code == OWN {
                let rel = page.strip_prefix(env.project.paths.out.join(&site.host)).unwrap().display().to_string();
                assert_eq!(
                    tampered,
                    [
                        format!("文件 /{rel} 的内容与发布时不同"),
                        "出现了发布时没有的文件 /gzdt/shell.php".to_string(),
                        "发布的文件 /tzgg/index.html 不见了".to_string()
                    ],
                    "{label}"
                );
                assert!(!s.passed, "{label}: tampering is a veto");
            } else {
                assert!(tampered.is_empty(), "{label}: {} is untouched: {tampered:?}", s.code);
            }
        }

        // A site administrator may not restore; the central office may, in one action.
        let sa = signed_in(&env, "sa1").await;
        let (s, _) = sa.post(&format!("/admin/inspection/{OWN}/restore"), &[]).await;
        assert_eq!(s, 403, "{label}");
        let central = signed_in(&env, "cadmin").await;
        let (s, loc) = central.post(&format!("/admin/inspection/{OWN}/restore"), &[]).await;
        assert_eq!(s, 303, "{label}: {loc}");
        let (_, shown) = central.get(&loc).await;
        assert!(shown.contains("已恢复为发布时的版本：改动 1 个、多出 1 个、缺失 1 个文件"), "{label}: {shown}");
        assert_eq!(std::fs::read(&page).unwrap(), original, "{label}: the published bytes are back");
        let root = std::fs::canonicalize(env.project.paths.out.join(&site.host)).unwrap();
        assert_eq!(std::fs::read(root.join("tzgg/index.html")).unwrap(), removed_bytes, "{label}");
        assert!(!root.join("gzdt/shell.php").exists(), "{label}: the added file is gone");
        let tail = env.project.store.audit_tail(common::whole_group(), 5).await.unwrap();
        assert!(tail.iter().any(|r| r.action == "audit.restore" && r.actor == "cadmin"), "{label}");
        let report = audit::run(&env.project, Some(OWN), &now, zhanqun::store::now_unix()).await.unwrap();
        assert!(!report.sites[0].findings.iter().any(|f| f.rule == "output.tampered"), "{label}");
    }
}

/// Probes through a real nginx: all answer; a host whose site is gone fails; with nginx stopped
/// every probe fails. The veto starts at 5 % of the last 7 days' probes, boundaries included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_sites_are_vetoed_from_real_probes() {
    let tmp = temp_project();
    for (label, url) in common::databases(tmp.path()) {
        let dir = tmp.path().join(label);
        std::fs::create_dir_all(&dir).unwrap();
        let mut paths = common::paths(tmp.path(), &url);
        paths.out = dir.join("publish");
        paths.search = dir.join("search");
        let project = zhanqun::project::Project::open(paths).await.unwrap();
        let port = free_port();
        let opts = project.build_options(
            Vec::new(),
            false,
            Some(NginxOptions { port, upstreams: vec!["127.0.0.1:9".into()] }),
        );
        project.build(&opts).await.unwrap();
        let nginx = start_nginx(&dir, &opts.out.join("nginx/zhanqun.conf"), port);
        let settings = Availability {
            base: Some(format!("http://127.0.0.1:{port}")),
            timeout_seconds: 2,
            ..Availability::default()
        };
        let client = availability::client(&settings).unwrap();
        let sites = project.group().sites.len();

        assert_eq!(
            availability::round(&project, &client, &settings, Duration::ZERO).await.unwrap(),
            0,
            "{label}: all answer"
        );
        // One host's site is gone from what nginx serves.
        let group = project.group();
        let gone = group.site(OWN).unwrap();
        std::fs::rename(opts.out.join(&gone.host), dir.join("moved-away")).unwrap();
        assert_eq!(availability::round(&project, &client, &settings, Duration::ZERO).await.unwrap(), 1, "{label}");
        drop(nginx);
        assert_eq!(
            availability::round(&project, &client, &settings, Duration::ZERO).await.unwrap(),
            sites,
            "{label}: nginx stopped"
        );
        let id = project.store.site_rows().await.unwrap()[OWN].id;
        let scope = Tenant::system(zhanqun::store::tenant::Job::Test);
        let probes = project.store.probes_since(scope, id, 0).await.unwrap();
        let details: Vec<&str> = probes.iter().map(|p| p.2.as_str()).collect();
        assert_eq!(details, ["200", "HTTP 404", "无法连接"], "{label}");

        // The veto counts the last 7 days: 2 of 3 failed here, so both sites are vetoed.
        let now = zhanqun::store::now_unix();
        let day = zhanqun::content::now_local();
        let report = audit::run(&project, Some(OWN), &day, now).await.unwrap();
        let f = report.sites[0].findings.iter().find(|f| f.rule == "ops.unreachable").expect("vetoed");
        assert!(f.found.contains("探测 3 次，失败 2 次"), "{label}: {}", f.found);

        // Boundaries, on another site: 8 failures in 160 probes is 5 %; a failure exactly 7 days
        // old is outside the window.
        let other = project.store.site_rows().await.unwrap()["czj"].id;
        let start = now - 7 * 86_400;
        let add = |at: i64, ok: bool| {
            let store = project.store.clone();
            async move { store.add_probe(scope, other, at, "ipv4", ok, if ok { "200" } else { "HTTP 502" }).await.unwrap() }
        };
        // The three real rounds left czj 2 answers and 1 failure (nginx stopped).
        for i in 0..(160 - 3) {
            add(start + 60 + i, i >= 7).await;
        }
        let vetoed = |report: &audit::AuditReport| report.sites[0].findings.iter().any(|f| f.rule == "ops.unreachable");
        let r = audit::run(&project, Some("czj"), &day, now).await.unwrap();
        assert!(vetoed(&r), "{label}: 8 of 160 is 5 %: vetoed");
        // One success more: 8 of 161 is under 5 %.
        add(now - 10, true).await;
        let r = audit::run(&project, Some("czj"), &day, now).await.unwrap();
        assert!(!vetoed(&r), "{label}: 8 of 161 is under 5 %");
        // A failure exactly 7 days old does not count; one second younger does.
        add(start, false).await;
        let r = audit::run(&project, Some("czj"), &day, now).await.unwrap();
        assert!(!vetoed(&r), "{label}: 7 days old is outside the window");
        add(start + 1, false).await;
        let r = audit::run(&project, Some("czj"), &day, now).await.unwrap();
        assert!(vetoed(&r), "{label}: 9 of 162 inside the window");
    }
}

/// `zhanqun audit --restore` names an unknown site and refuses to be mixed with a plain audit.
#[test]
fn the_restore_command_refuses_bad_input() {
    let tmp = temp_project();
    let run =
        |args: &[&str]| std::process::Command::new(common::bin()).current_dir(tmp.path()).args(args).output().unwrap();
    let out = run(&["audit", "--restore", "nosuch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no site `nosuch` in the group"), "{out:?}");
    let out = run(&["audit", "--restore", "fgw", "--site", "fgw"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"), "{out:?}");
}
