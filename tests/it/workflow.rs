//! The review workflow end to end over HTTP, and what reaches the static site: review levels,
//! rejection, edits of live pages, withdrawal, scheduled publishing across a restart, and
//! escaping of everything a user types.

use std::path::{Path, PathBuf};

use crate::admin_fixture::{self as fx, publish_article, signed_in, Env, FOREIGN, OWN};
use zhanqun::store::workflow::Decision;

/// An approval with the 保密审查 confirmed and nothing else to confirm.
const CHECKED: Decision<'static> = Decision { comment: "", secrecy_reviewed: true, confirmation: "" };

fn site_dir(env: &Env, code: &str) -> PathBuf {
    let group = env.project.group();
    let host = &group.site(code).unwrap().host;
    env.project.paths.out.join(host)
}

/// The live page of an article, if it is on the site.
fn live_page(env: &Env, code: &str, id: i64) -> Option<(PathBuf, String)> {
    let suffix = format!("_{id}.html");
    walkdir::WalkDir::new(site_dir(env, code))
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        // Article pages are `t<date>_<id>.html`; list pages `list_<n>.html` end alike.
        .find(|e| {
            e.file_name().to_string_lossy().starts_with('t') && e.file_name().to_string_lossy().ends_with(&suffix)
        })
        .map(|e| (e.path().to_path_buf(), std::fs::read_to_string(e.path()).unwrap()))
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_publish_edit_and_withdraw() {
    for (label, env) in fx::envs(1800).await {
        // Two levels on the foreign department: distinct reviewers, published on the second.
        let xed = signed_in(&env, "xed").await;
        let (xrv1, xrv2) = (signed_in(&env, "xrv1").await, signed_in(&env, "xrv2").await);
        let id = publish_article(&xed, &[&xrv1], "两级审核的通知", "tzgg").await;
        assert!(live_page(&env, FOREIGN, id).is_none(), "{label}: one level of two publishes nothing");
        let (s, body) = xrv1.post(&format!("/admin/articles/{id}/approve"), &[("secrecy", "1")]).await;
        assert_eq!(s, 403, "{label}: the same reviewer twice: {body}");
        assert_eq!(xrv2.post(&format!("/admin/articles/{id}/approve"), &[("secrecy", "1")]).await.0, 303);
        let (path, html) = live_page(&env, FOREIGN, id).expect("published after the second level");
        assert!(html.contains("两级审核的通知"));
        let dir = site_dir(&env, FOREIGN);
        assert!(read(&dir, "index.html").contains("两级审核的通知"), "{label}: home page lists it");
        assert!(read(&dir, "tzgg/index.html").contains("两级审核的通知"), "{label}: column page lists it");
        assert!(read(&dir, "rss.xml").contains("两级审核的通知"));
        let rel = path.strip_prefix(&dir).unwrap().to_string_lossy().to_string();
        assert!(crate::common::sitemaps(&dir).contains(&rel), "{label}: sitemap has {rel}");

        // Rejection goes back to the author with the comment; an empty comment is refused.
        let ed = signed_in(&env, "ed1").await;
        let rv = signed_in(&env, "rv1").await;
        let rid = publish_article(&ed, &[], "要退回的稿件", "gzdt").await;
        assert_eq!(rv.post(&format!("/admin/articles/{rid}/reject"), &[("comment", " ")]).await.0, 400);
        assert_eq!(rv.post(&format!("/admin/articles/{rid}/reject"), &[("comment", "请补充落款")]).await.0, 303);
        let (_, dash) = ed.get("/admin").await;
        assert!(dash.contains("被退回的稿件") && dash.contains("请补充落款"), "{label}: the dashboard shows it");
        assert_eq!(
            rv.post(&format!("/admin/articles/{rid}/approve"), &[("secrecy", "1")]).await.0,
            409,
            "{label}: rejected is not submitted"
        );

        // Editing a live article: the old page stays until the new revision is approved.
        let lid = publish_article(&ed, &[&rv], "原标题", "gzdt").await;
        let (first_path, first) = live_page(&env, OWN, lid).unwrap();
        assert!(first.contains("原标题"));
        let (s, _) = ed
            .post(
                &format!("/admin/articles/{lid}"),
                &[("title", "新标题"), ("column", "gzdt"), ("body", "新正文"), ("intent", "submit")],
            )
            .await;
        assert_eq!(s, 303);
        assert!(live_page(&env, OWN, lid).unwrap().1.contains("原标题"), "{label}: unreviewed edit is not online");
        assert_eq!(rv.post(&format!("/admin/articles/{lid}/approve"), &[("secrecy", "1")]).await.0, 303);
        let (second_path, second) = live_page(&env, OWN, lid).unwrap();
        assert!(second.contains("新标题") && !second.contains("原标题"), "{label}");
        assert_eq!(first_path.file_name(), second_path.file_name(), "{label}: the URL does not change");
        let view = env.project.store.article(crate::common::whole_group(), lid).await.unwrap().unwrap();
        assert_eq!(view.history.len(), 2, "{label}: both revisions are kept");

        // Withdrawal takes it off the page, the lists, the feeds and the sitemap.
        let dir = site_dir(&env, OWN);
        assert_eq!(rv.post(&format!("/admin/articles/{lid}/withdraw"), &[("comment", "内容有误")]).await.0, 303);
        assert!(live_page(&env, OWN, lid).is_none(), "{label}: withdrawn page is gone");
        for file in ["index.html", "gzdt/index.html", "rss.xml", "gzdt/rss.xml", "sitemaps"] {
            let text = if file == "sitemaps" { crate::common::sitemaps(&dir) } else { read(&dir, file) };
            assert!(
                !text.contains("新标题") && !text.contains(&format!("_{lid}.html")),
                "{label}: {file} still shows it"
            );
        }
        assert_eq!(rv.post(&format!("/admin/articles/{lid}/withdraw"), &[]).await.0, 409);

        // The audit log has every transition.
        let log = env.project.store.audit_tail(crate::common::whole_group(), 300).await.unwrap();
        for action in ["article.submit", "article.approve", "article.publish", "article.reject", "article.withdraw"] {
            assert!(log.iter().any(|r| r.action == action), "{label}: audit has {action}");
        }
        // And it cannot be rewritten.
        assert!(sqlx::query("DELETE FROM audit_log").execute(env.project.store.pool()).await.is_err(), "{label}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_and_scheduled_jobs_survive_a_restart() {
    for (label, env) in fx::envs(1800).await {
        // Approvals made with no publisher running (as if it crashed right after the commit).
        env.server.abort();
        let store = &env.project.store;
        let group = &env.project.group();
        let ed = store.user_by_id(crate::common::whole_group(), env.users["ed1"]).await.unwrap().unwrap();
        let rv = store.user_by_id(crate::common::whole_group(), env.users["rv1"]).await.unwrap().unwrap();
        let scope = crate::common::one_site(env.sites[OWN]);
        let mut now_input = zhanqun::content::draft::DraftInput {
            title: "崩溃前批准的稿件".into(),
            column: "gzdt".into(),
            body: "正文".into(),
            ..Default::default()
        };
        now_input.normalize();
        let a = store.save_draft(scope, &ed, None, &now_input).await.unwrap();
        store.submit(scope, &ed, a, "127.0.0.1").await.unwrap();
        store.approve(scope, group, &rv, a, &CHECKED, "127.0.0.1").await.unwrap();

        let soon = chrono::Utc::now() + chrono::Duration::seconds(2);
        let at = soon
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string();
        let mut later = now_input.clone();
        later.title = "定时发布的稿件".into();
        later.publish_mode = "scheduled".into();
        later.publish_at = at;
        let b = store.save_draft(scope, &ed, None, &later).await.unwrap();
        store.submit(scope, &ed, b, "127.0.0.1").await.unwrap();
        let outcome = store.approve(scope, group, &rv, b, &CHECKED, "127.0.0.1").await.unwrap();
        assert!(matches!(outcome, zhanqun::store::workflow::Approval::Published { scheduled: true, .. }), "{label}");
        assert!(live_page(&env, OWN, a).is_none());

        // "Restart": a publisher run finds the due job and publishes it, once.
        let p = &env.project;
        let index = Some(&env.search.index);
        let group = p.group();
        let run = |_: &Env| zhanqun::publish::incremental::run_due(&group, &p.themes, &p.store, &p.paths.out, index);
        let report = run(&env).await.unwrap();
        assert_eq!(report.jobs, 1, "{label}: the approval queued before the crash");
        assert!(live_page(&env, OWN, a).is_some());
        assert!(live_page(&env, OWN, b).is_none(), "{label}: not before its time");
        assert_eq!(run(&env).await.unwrap().jobs, 0, "{label}: nothing is published twice");
        tokio::time::sleep(std::time::Duration::from_millis(2600)).await;
        assert_eq!(run(&env).await.unwrap().jobs, 1, "{label}: the scheduled job is due");
        let (_, html) = live_page(&env, OWN, b).expect("scheduled article published on time");
        assert!(html.contains("定时发布的稿件"));
        assert!(read(&site_dir(&env, OWN), "index.html").contains("定时发布的稿件"));
    }
}

/// An approved article whose time has not come says 定时发布 and when, and offers no link to
/// a live page that would answer 404 until then; once live, the link is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_article_says_when_and_links_nowhere_yet() {
    for (label, env) in fx::envs(1800).await {
        let store = &env.project.store;
        let group = &env.project.group();
        let ed = store.user_by_id(crate::common::whole_group(), env.users["ed1"]).await.unwrap().unwrap();
        let rv = store.user_by_id(crate::common::whole_group(), env.users["rv1"]).await.unwrap().unwrap();
        let scope = crate::common::one_site(env.sites[OWN]);
        let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let mut input = zhanqun::content::draft::DraftInput {
            title: "明天发布的通知".into(),
            column: "gzdt".into(),
            body: "正文".into(),
            publish_mode: "scheduled".into(),
            publish_at: tomorrow.clone(),
            ..Default::default()
        };
        input.normalize();
        let id = store.save_draft(scope, &ed, None, &input).await.unwrap();
        store.submit(scope, &ed, id, "127.0.0.1").await.unwrap();
        store.approve(scope, group, &rv, id, &CHECKED, "127.0.0.1").await.unwrap();
        let editor = signed_in(&env, "ed1").await;
        let (status, page) = editor.get(&format!("/admin/articles/{id}")).await;
        assert_eq!(status, 200, "{label}");
        assert!(page.contains(&format!("定时发布：{}", tomorrow.replace('T', " "))), "{label}: {page}");
        assert!(!page.contains("查看线上页面"), "{label}: no link before its time");
        assert!(!page.contains("badge s-published"), "{label}: not 已发布 yet");

        let reviewer = signed_in(&env, "rv1").await;
        let now_id = publish_article(&editor, &[&reviewer], "今天发布的通知", "gzdt").await;
        let (_, live) = editor.get(&format!("/admin/articles/{now_id}")).await;
        assert!(live.contains("查看线上页面") && live.contains("badge s-published"), "{label}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_typed_is_escaped() {
    for (label, env) in fx::envs(1800).await {
        let ed = signed_in(&env, "ed1").await;
        let rv = signed_in(&env, "rv1").await;
        let x = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
        let body = "正文 <script>alert(3)</script>\n\n[点我](javascript:alert(4))\n\n<img src=x alt=图 onerror=alert(5)>\n\n<a href=\"javascript:alert(6)\">链接</a>";
        let (s, loc) = ed
            .post(
                "/admin/articles",
                &[
                    ("title", &format!("标题{x}")),
                    ("column", "gzdt"),
                    ("body", body),
                    ("summary", x),
                    ("doc_number", x),
                    ("issuer", x),
                    ("intent", "submit"),
                ],
            )
            .await;
        assert_eq!(s, 303, "{label}: {loc}");
        let id = fx::article_id(&loc);
        let (_, edit) = ed.get(&format!("/admin/articles/{id}")).await;
        let (_, preview) = rv.get(&format!("/admin/articles/{id}/preview")).await;
        let (_, list) = rv.get("/admin/review").await;
        assert_eq!(rv.post(&format!("/admin/articles/{id}/approve"), &[("secrecy", "1")]).await.0, 303);
        let (_, live) = live_page(&env, OWN, id).unwrap();
        let home = read(&site_dir(&env, OWN), "index.html");
        for (name, html) in
            [("edit", &edit), ("preview", &preview), ("review list", &list), ("live page", &live), ("home", &home)]
        {
            // Escaped text may still read "onerror=alert"; what must never appear is a live tag
            // or a javascript: link.
            for bad in ["<script>alert", "<img src=x", "href=\"javascript:", "src=\"javascript:"] {
                assert!(!html.contains(bad), "{label}: {name} contains {bad}");
            }
        }
        assert!(edit.contains("标题&lt;script&gt;"), "{label}: the title is shown, escaped");
        // 主题分类 comes from the group's list: a typed one is refused at submission, and the
        // form shows it back escaped.
        let (s, form) = ed
            .post(
                "/admin/articles",
                &[("title", "分类"), ("column", "gzdt"), ("body", "正文"), ("topic", x), ("intent", "submit")],
            )
            .await;
        assert_eq!(s, 400, "{label}");
        assert!(form.contains("不在本站群的分类表中") && !form.contains("<script>alert(1)"), "{label}");
    }
}

/// A body from the rich editor (`body_format=html`): the structure a government document
/// needs reaches the static page, Word's residue and every hostile construct do not, on the
/// form, in the preview and on the live page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rich_bodies_keep_their_structure_and_lose_everything_unsafe() {
    for (label, env) in fx::envs(1800).await {
        let ed = signed_in(&env, "ed1").await;
        let rv = signed_in(&env, "rv1").await;
        let body = concat!(
            "<p class=MsoNormal align=center style='text-align:center;mso-line-height-rule:exactly'>",
            "<b><span style='font-family:方正小标宋简体'>值班通知</span></b><o:p></o:p></p>",
            "<p style='text-indent:2em'>各科室：<script>alert(1)</script><img src=x alt=图 onerror=alert(2)></p>",
            "<table><tr><td colspan=2 style='width:300pt'>值班安排</td></tr><tr><td>2月10日</td><td>张三</td></tr></table>",
            "<p><a href=\"javascript:alert(3)\">链接</a><svg onload=alert(4)></svg></p>",
            "<p style=\"text-align: right; background: url(javascript:alert(5))\">示例市发展和改革局<br>2026年1月20日</p>",
        );
        let (s, loc) = ed
            .post(
                "/admin/articles",
                &[
                    ("title", "富文本正文"),
                    ("column", "gzdt"),
                    ("body", body),
                    ("body_format", "html"),
                    ("source", "新华社"),
                    ("topic", "综合政务"),
                    ("intent", "submit"),
                ],
            )
            .await;
        assert_eq!(s, 303, "{label}: {loc}");
        let id = fx::article_id(&loc);
        let (_, edit) = ed.get(&format!("/admin/articles/{id}")).await;
        let (_, preview) = rv.get(&format!("/admin/articles/{id}/preview")).await;
        assert_eq!(rv.post(&format!("/admin/articles/{id}/approve"), &[("secrecy", "1")]).await.0, 303);
        let (_, live) = live_page(&env, OWN, id).unwrap();
        assert!(live.contains("来源：新华社"), "{label}: a reposted article names its source");
        for (name, html) in [("preview", &preview), ("live page", &live)] {
            assert!(html.contains("<p style=\"text-align: center\"><b>值班通知</b></p>"), "{label}: {name}: {html}");
            assert!(html.contains("<td colspan=\"2\">值班安排</td>"), "{label}: {name}: cell width dropped");
            assert!(
                html.contains("<p style=\"text-align: right\">示例市发展和改革局<br>2026年1月20日</p>"),
                "{label}: {name}"
            );
        }
        for (name, html) in [("edit", &edit), ("preview", &preview), ("live page", &live)] {
            for bad in
                ["<script>alert", "<img src=x", "onerror=", "javascript:", "<svg", "mso-", "MsoNormal", "方正小标宋"]
            {
                assert!(!html.contains(bad), "{label}: {name} contains {bad}");
            }
        }
        // A draft opens in the editor with its stored body as (escaped) HTML.
        let (s, loc) = ed
            .post(
                "/admin/articles",
                &[
                    ("title", "富文本草稿"),
                    ("column", "gzdt"),
                    ("body", body),
                    ("body_format", "html"),
                    ("intent", "save"),
                ],
            )
            .await;
        assert_eq!(s, 303, "{label}: {loc}");
        let (_, draft) = ed.get(&format!("/admin/articles/{}", fx::article_id(&loc))).await;
        assert!(draft.contains("&lt;td colspan=&quot;2&quot;&gt;值班安排&lt;&#x2f;td&gt;"), "{label}: {draft}");
        assert!(!draft.contains("onerror") && !draft.contains("mso-"), "{label}");
    }
}

/// 版本对比 and 恢复为草稿: the reviewer sees what an edit of a live article changes (fields and
/// body, 红删绿增); an earlier version comes back as the draft, with its files, audited; two
/// restores at once both answer cleanly; a revision under review or another tenant's article
/// cannot be restored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviewers_see_changes_and_old_versions_come_back() {
    for (label, env) in fx::envs(1800).await {
        let ed = signed_in(&env, "ed1").await;
        let rv = signed_in(&env, "rv1").await;
        let id = publish_article(&ed, &[&rv], "关于开展培训的通知", "gzdt").await;
        let (s, loc) = ed
            .post(
                &format!("/admin/articles/{id}"),
                &[
                    ("title", "关于开展网络安全培训的通知"),
                    ("column", "gzdt"),
                    ("body", "正文。\n\n第三段<script>x</script>。"),
                    ("doc_number", "示发〔2026〕9号"),
                    ("intent", "submit"),
                ],
            )
            .await;
        assert_eq!(s, 303, "{label}: {loc}");
        let (_, page) = rv.get(&format!("/admin/articles/{id}")).await;
        assert!(page.contains("与线上版本对比"), "{label}");
        assert!(
            page.contains("<del>关于开展培训的通知</del>") && page.contains("<ins>关于开展网络安全培训的通知</ins>"),
            "{label}"
        );
        assert!(page.contains("<th scope=\"row\">文号</th>"), "{label}");
        assert!(page.contains("<li class=\"d-changed\">第<del>二</del><ins>三</ins>段"), "{label}: {page}");
        assert!(!page.contains("<script>x"), "{label}: the diff is escaped");
        assert_eq!(rv.post(&format!("/admin/articles/{id}/reject"), &[("comment", "请恢复原稿")]).await.0, 303);

        // Two restores of version 1 at once: each answers 303 or a clear 409, never a 500.
        let restore = format!("/admin/articles/{id}/revisions/1/restore");
        let (a, b) = tokio::join!(ed.post(&restore, &[]), ed.post(&restore, &[]));
        for (s, body) in [a, b] {
            assert!(s == 303 || s == 409, "{label}: {s} {body}");
        }
        let (_, page) = ed.get(&format!("/admin/articles/{id}")).await;
        assert!(page.contains("value=\"关于开展培训的通知\""), "{label}: the old title is back in the form");
        assert!(!page.contains("与线上版本对比"), "{label}: the draft equals the live version again");
        let (_, audit) = signed_in(&env, "cadmin").await.get("/admin/audit?action=article.").await;
        assert!(audit.contains("恢复第 1 版为草稿"), "{label}");

        assert_eq!(ed.post(&format!("/admin/articles/{id}/submit"), &[]).await.0, 303, "{label}");
        let (s, body) = ed.post(&restore, &[]).await;
        assert_eq!(s, 409, "{label}: under review: {body}");
        assert!(body.contains("稿件正在审核中"), "{label}: {body}");
        let (s, _) = signed_in(&env, "xed").await.post(&restore, &[]).await;
        assert_eq!(s, 404, "{label}: another department's article");
        let (s, _) = ed.post(&format!("/admin/articles/{id}/revisions/99/restore"), &[]).await;
        assert_eq!(s, 404, "{label}: no such version");
    }
}

/// 回收站 and batch work: drafts and withdrawn articles go to the recycle bin and come back,
/// audited; live articles and other tenants' articles do not; a batch approval passes what
/// may pass and lists, per article, why the others were left alone, with separation of
/// duties checked article by article.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recycle_bin_and_batches() {
    for (label, env) in fx::envs(1800).await {
        let (ed1, ed2, rv, sa) = (
            signed_in(&env, "ed1").await,
            signed_in(&env, "ed2").await,
            signed_in(&env, "rv1").await,
            signed_in(&env, "sa1").await,
        );
        let draft = |title: &'static str| {
            let ed1 = &ed1;
            async move {
                let (s, loc) =
                    ed1.post("/admin/articles", &[("title", title), ("column", "gzdt"), ("body", "正文")]).await;
                assert_eq!(s, 303, "{loc}");
                fx::article_id(&loc)
            }
        };
        let (d1, d2) = (draft("要删除的草稿").await, draft("并发删除的草稿").await);
        let (s, loc) = ed1.post(&format!("/admin/articles/{d1}/delete"), &[]).await;
        assert_eq!((s, loc.as_str()), (303, "/admin/articles/trash?ok=deleted"), "{label}");
        let (_, list) = ed1.get("/admin/articles").await;
        assert!(!list.contains("要删除的草稿"), "{label}: gone from the list");
        let (_, trash) = ed1.get("/admin/articles/trash").await;
        assert!(trash.contains("要删除的草稿") && trash.contains("<td>30 天</td>"), "{label}: {trash}");
        let (s, body) =
            ed1.post(&format!("/admin/articles/{d1}"), &[("title", "改"), ("column", "gzdt"), ("body", "x")]).await;
        assert_eq!(s, 409, "{label}: a deleted article is not edited: {body}");
        assert!(body.contains("回收站"), "{label}");
        assert_eq!(signed_in(&env, "xed").await.post(&format!("/admin/articles/{d2}/delete"), &[]).await.0, 404);
        let delete_d2 = format!("/admin/articles/{d2}/delete");
        let (a, b) = tokio::join!(ed1.post(&delete_d2, &[]), ed1.post(&delete_d2, &[]));
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [303, 409], "{label}: deleting twice at once: one wins, one is told");
        let (s, loc) = ed1.post(&format!("/admin/articles/{d1}/undelete"), &[]).await;
        assert_eq!((s, loc), (303, format!("/admin/articles/{d1}?ok=undeleted")), "{label}");
        let (_, list) = ed1.get("/admin/articles").await;
        assert!(list.contains("要删除的草稿"), "{label}: back in the list");
        let live = publish_article(&ed1, &[&rv], "已发布的稿件", "gzdt").await;
        let (s, body) = ed1.post(&format!("/admin/articles/{live}/delete"), &[]).await;
        assert_eq!(s, 409, "{label}");
        assert!(body.contains("请先撤稿"), "{label}: {body}");

        // Batch approval: two submitted articles pass; a draft, a foreign article and one that
        // the reviewer once rewrote (as an editor, then made a reviewer) are left, each with why.
        let submit = |title: &'static str, who: &'static str| {
            let (ed1, ed2) = (&ed1, &ed2);
            async move {
                let c = if who == "ed2" { ed2 } else { ed1 };
                let (s, loc) = c
                    .post(
                        "/admin/articles",
                        &[("title", title), ("column", "gzdt"), ("body", "正文"), ("intent", "submit")],
                    )
                    .await;
                assert_eq!(s, 303, "{loc}");
                fx::article_id(&loc)
            }
        };
        let (a1, a2, own) =
            (submit("批量一", "ed1").await, submit("批量二", "ed1").await, submit("曾经写过", "ed2").await);
        let ed2_id = env.users["ed2"];
        let (s, _) = sa
            .post(&format!("/admin/users/{ed2_id}"), &[("role", "reviewer"), ("display_name", "ed2"), ("active", "on")])
            .await;
        assert_eq!(s, 303, "{label}");
        let rv2 = signed_in(&env, "ed2").await;
        let foreign = {
            let xed = signed_in(&env, "xed").await;
            let (_, loc) = xed
                .post(
                    "/admin/articles",
                    &[("title", "外单位"), ("column", "gzdt"), ("body", "正文"), ("intent", "submit")],
                )
                .await;
            fx::article_id(&loc)
        };
        let ids: Vec<String> = [a1, a2, own, d1, foreign].iter().map(|i| i.to_string()).collect();
        let mut form: Vec<(&str, &str)> = vec![("op", "approve"), ("comment", "同意")];
        form.extend(ids.iter().map(|i| ("ids", i.as_str())));
        // A batch approval is a 保密审查 too: without the box, nothing is approved.
        let (s, page) = rv2.post("/admin/articles/batch", &form).await;
        assert!(s == 400 && page.contains("保密审查"), "{label}: {s} {page}");
        assert!(live_page(&env, OWN, a1).is_none(), "{label}: nothing approved without the box");
        form.push(("secrecy", "1"));
        let (s, page) = rv2.post("/admin/articles/batch", &form).await;
        assert_eq!(s, 200, "{label}: {page}");
        assert!(page.contains("批量审核通过：完成 2 篇，未处理 3 篇"), "{label}: {page}");
        assert!(page.contains("不能审核自己撰写的稿件"), "{label}: separation of duties per article: {page}");
        assert!(page.contains("不属于您的站点"), "{label}: the foreign article");
        assert!(live_page(&env, OWN, a1).is_some() && live_page(&env, OWN, a2).is_some(), "{label}: both published");
        // An editor cannot batch-approve; an empty batch says what to do.
        let (s, body) = ed1.post("/admin/articles/batch", &[("op", "approve"), ("ids", &a1.to_string())]).await;
        assert_eq!(s, 403, "{label}: {body}");
        let (s, body) = ed1.post("/admin/articles/batch", &[("op", "pin")]).await;
        assert_eq!(s, 400, "{label}");
        assert!(body.contains("请先勾选"), "{label}");
        // 置顶 and 批量移动 on a draft.
        let (s, page) =
            ed1.post("/admin/articles/batch", &[("op", "move"), ("column", "tzgg"), ("ids", &d1.to_string())]).await;
        assert!(s == 200 && page.contains("完成 1 篇"), "{label}: {page}");
        let moved = env.project.store.article(crate::common::whole_group(), d1).await.unwrap().unwrap();
        assert_eq!(moved.work.unwrap().input.column, "tzgg", "{label}: moved");
        let (_, audit) = signed_in(&env, "cadmin").await.get("/admin/audit?action=article.").await;
        assert!(audit.contains("删除到回收站") && audit.contains("从回收站恢复"), "{label}");
    }
}
