//! What an adversarial test of the service found, each kept fixed on both backends: writers
//! that queue instead of failing, one approval out of two at the same moment, separation of
//! duties on articles, replies and solicitations, a preview that cannot stall the service, the
//! lockout under parallel guesses, sessions, headers and names.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use sqlx::Row;
use zhanqun::interaction::{deadline, Category};
use zhanqun::store::messages::HandledMessage;

use crate::admin_fixture::{self as fx, between, signed_in, Client, Env, FOREIGN, OWN};

/// A `COUNT(*)` with one bound value (an id or a text).
async fn count<T>(env: &Env, sql: &str, bind: T) -> i64
where
    T: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + 'static,
{
    sqlx::query(sql).bind(bind).fetch_one(env.project.store.pool()).await.unwrap().try_get(0).unwrap()
}

/// Two answers to the same decision taken at once, in order: one success and one 409 is right.
fn sorted(a: u16, b: u16) -> [u16; 2] {
    let mut statuses = [a, b];
    statuses.sort_unstable();
    statuses
}

fn no_5xx(label: &str, what: &str, statuses: &[u16]) {
    let bad: Vec<&u16> = statuses.iter().filter(|s| **s >= 500).collect();
    assert!(bad.is_empty(), "{label}: {what}: {} of {} answered 5xx: {bad:?}", bad.len(), statuses.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_saves_queue_and_a_real_conflict_is_409() {
    for (label, env) in fx::envs(1800).await {
        // Two editors save new drafts at the same moment: every save lands (SQLite answered
        // "database is locked" for 59–164 of 200–400 before writers took the lock first).
        let editors = [signed_in(&env, "ed1").await, signed_in(&env, "ed2").await];
        let mut saves = Vec::new();
        for i in 0..60 {
            for (n, ed) in editors.iter().enumerate() {
                let title = format!("并发草稿{n}-{i}");
                saves.push(async move {
                    ed.post("/admin/articles", &[("title", title.as_str()), ("column", "gzdt"), ("body", "正文")])
                        .await
                        .0
                });
            }
        }
        let statuses = futures_join_all(saves).await;
        no_5xx(label, "new drafts", &statuses);
        assert!(statuses.iter().all(|s| *s == 303), "{label}: {statuses:?}");
        assert_eq!(
            count(&env, "SELECT COUNT(*) FROM revisions WHERE title LIKE $1", "并发草稿%".to_string()).await,
            120,
            "{label}"
        );

        // Both rewrite one published article at once: each opens or reuses the one new
        // revision, never two, and nobody sees a 500.
        let id = fx::publish_article(&editors[0], &[&signed_in(&env, "rv1").await], "同时修改", "gzdt").await;
        let path = format!("/admin/articles/{id}");
        let mut edits = Vec::new();
        for i in 0..20 {
            let (ed, path) = (&editors[i % 2], &path);
            let title = format!("同时修改第{i}稿");
            edits.push(async move {
                ed.post(path, &[("title", title.as_str()), ("column", "gzdt"), ("body", "改")]).await.0
            });
        }
        let statuses = futures_join_all(edits).await;
        no_5xx(label, "edits of one article", &statuses);
        assert!(statuses.iter().all(|s| *s == 303 || *s == 409), "{label}: {statuses:?}");
        let drafts = count(&env, "SELECT COUNT(*) FROM revisions WHERE article_id = $1 AND state = 'draft'", id).await;
        assert_eq!(drafts, 1, "{label}: one new revision");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_reviewers_approving_at_once_publish_once() {
    for (label, env) in fx::envs(1800).await {
        let ed = signed_in(&env, "ed1").await;
        let (rv1, rv2) = (signed_in(&env, "rv1").await, signed_in(&env, "rv2").await);
        let mut ids = Vec::new();
        for round in 0..12 {
            let id = fx::publish_article(&ed, &[], &format!("抢审{round}"), "gzdt").await;
            let path = format!("/admin/articles/{id}/approve");
            let (a, b) = tokio::join!(
                rv1.post(&path, &[("comment", "同意"), ("secrecy", "1")]),
                rv2.post(&path, &[("comment", "同意"), ("secrecy", "1")])
            );
            assert_eq!(sorted(a.0, b.0), [303, 409], "{label}: round {round}: {} / {}", a.1, b.1);
            ids.push(id);
        }
        let mut serials = Vec::new();
        for &id in &ids {
            let steps = count(
                &env,
                "SELECT COUNT(*) FROM review_steps s JOIN revisions r ON r.id = s.revision_id WHERE r.article_id = $1",
                id,
            )
            .await;
            assert_eq!(steps, 1, "{label}: one review step for article {id}");
            let published = count(
                &env,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'article.publish' AND target LIKE $1",
                format!("article {id}:%"),
            )
            .await;
            assert_eq!(published, 1, "{label}: one publish entry for article {id}");
            let jobs = count(&env, "SELECT COUNT(*) FROM publish_jobs WHERE article_id = $1", id).await;
            assert!(jobs <= 1, "{label}: {jobs} publish jobs for one approval");
            let row = sqlx::query("SELECT index_no FROM articles WHERE id = $1")
                .bind(id)
                .fetch_one(env.project.store.pool())
                .await
                .unwrap();
            let no: String = row.try_get(0).unwrap();
            serials.push(no.rsplit('-').next().unwrap().parse::<i64>().unwrap());
        }
        serials.sort_unstable();
        assert_eq!(
            serials.last().unwrap() - serials[0] + 1,
            serials.len() as i64,
            "{label}: no 索引号 lost: {serials:?}"
        );
    }
}

/// Runs the futures together and returns their results in order (each is an HTTP round trip
/// on the shared runtime; the point is that they arrive at the server at the same time).
async fn futures_join_all<F: Future<Output = u16>>(futures: Vec<F>) -> Vec<u16> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<u16>> = vec![None; futures.len()];
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (f, result) in futures.iter_mut().zip(results.iter_mut()) {
            if result.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(s) => *result = Some(s),
                    Poll::Pending => done = false,
                }
            }
        }
        if done {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    results.into_iter().map(Option::unwrap_or_default).collect()
}

/// A message received yesterday and acknowledged, waiting for its reply.
fn message(env: &Env, code: &str, subject: &str) -> HandledMessage {
    crate::messages::handled(env, code, Category::Consult, subject, zhanqun::store::now_unix() - 86_400)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoever_wrote_it_never_approves_it() {
    for (label, env) in fx::envs(1800).await {
        let (ed1, ed2, sa) = (signed_in(&env, "ed1").await, signed_in(&env, "ed2").await, signed_in(&env, "sa1").await);
        // ed1 opens a draft, ed2 rewrites it, ed1 submits; ed2, made a reviewer, may not pass it.
        let (_, loc) =
            ed1.post("/admin/articles", &[("title", "合写稿件"), ("column", "gzdt"), ("body", "初稿")]).await;
        let article = fx::article_id(&loc);
        let (s, _) = ed2
            .post(&format!("/admin/articles/{article}"), &[("title", "合写稿件"), ("column", "gzdt"), ("body", "二稿")])
            .await;
        assert_eq!(s, 303, "{label}");
        assert_eq!(ed1.post(&format!("/admin/articles/{article}/submit"), &[]).await.0, 303, "{label}");

        // ed2 also writes a reply and a solicitation while still an editor.
        let msg = env
            .project
            .store
            .insert_handled_message(crate::common::whole_group(), &message(&env, OWN, "办理流程咨询"))
            .await
            .unwrap();
        let (s, _) = ed2.post(&format!("/admin/messages/{msg}/reply"), &[("text", "您好，流程如下。")]).await;
        assert_eq!(s, 303, "{label}");
        let (s, _) = ed1
            .post(&format!("/admin/messages/{msg}/reply"), &[("text", "您好，流程如下：一、……"), ("submit", "1")])
            .await;
        assert_eq!(s, 303, "{label}");
        let today = deadline::beijing_day(zhanqun::store::now_unix());
        let (opens, closes) = (today.to_string(), (today + chrono::Duration::days(10)).to_string());
        let (s, loc) = ed2
            .post(
                "/admin/solicitations",
                &[
                    ("title", "征求意见"),
                    ("body", "关于停车管理办法的征求意见稿正文，第一条。"),
                    ("opens", opens.as_str()),
                    ("closes", closes.as_str()),
                ],
            )
            .await;
        assert_eq!(s, 303, "{label}: {loc}");
        let sol: i64 = loc.trim_start_matches("/admin/solicitations/").parse().unwrap();
        let (s, _) = ed2
            .post(
                &format!("/admin/solicitations/{sol}"),
                &[
                    ("title", "征求意见"),
                    ("body", "关于停车管理办法的征求意见稿正文，第一条。"),
                    ("opens", opens.as_str()),
                    ("closes", closes.as_str()),
                    ("submit", "1"),
                ],
            )
            .await;
        assert_eq!(s, 303, "{label}");

        let ed2_id = env.users["ed2"];
        let (s, _) = sa
            .post(&format!("/admin/users/{ed2_id}"), &[("role", "reviewer"), ("display_name", "ed2"), ("active", "on")])
            .await;
        assert_eq!(s, 303, "{label}");
        let turned = signed_in(&env, "ed2").await;
        // The pages do not offer what would be refused.
        let (_, page) = turned.get(&format!("/admin/articles/{article}")).await;
        assert!(!page.contains("审核通过并发布") && page.contains("您撰写或修改过这篇稿件"), "{label}");
        let (_, page) = turned.get(&format!("/admin/messages/{msg}")).await;
        assert!(!page.contains(&format!("/admin/messages/{msg}/review\"")), "{label}: not for an earlier writer");
        let (_, page) = turned.get(&format!("/admin/solicitations/{sol}")).await;
        assert!(!page.contains(&format!("/admin/solicitations/{sol}/review\"")), "{label}: not for the author");
        let (_, page) = signed_in(&env, "rv1").await.get(&format!("/admin/messages/{msg}")).await;
        assert!(
            page.contains(&format!("/admin/messages/{msg}/review\"")),
            "{label}: offered to a reviewer with no hand in it"
        );
        let (s, body) = turned.post(&format!("/admin/articles/{article}/approve"), &[("secrecy", "1")]).await;
        assert_eq!(s, 403, "{label}: a co-author approves the article: {body}");
        let (s, body) = turned.post(&format!("/admin/messages/{msg}/review"), &[("decision", "approve")]).await;
        assert_eq!(s, 403, "{label}: an earlier writer approves the reply: {body}");
        let (s, body) = turned.post(&format!("/admin/solicitations/{sol}/review"), &[("decision", "approve")]).await;
        assert_eq!(s, 403, "{label}: its author approves the solicitation: {body}");
        // Someone who had no hand in them may.
        let rv1 = signed_in(&env, "rv1").await;
        assert_eq!(
            rv1.post(&format!("/admin/articles/{article}/approve"), &[("secrecy", "1")]).await.0,
            303,
            "{label}"
        );
        assert_eq!(
            rv1.post(&format!("/admin/messages/{msg}/review"), &[("decision", "approve")]).await.0,
            303,
            "{label}"
        );
        let (s, _) = rv1.post(&format!("/admin/solicitations/{sol}/review"), &[("decision", "approve")]).await;
        assert_eq!(s, 303, "{label}");

        // Two review levels of a reply need two reviewers, even after a return and resubmission.
        let msg = env
            .project
            .store
            .insert_handled_message(crate::common::whole_group(), &message(&env, FOREIGN, "两级审核"))
            .await
            .unwrap();
        let (xed, xrv1, xrv2) =
            (signed_in(&env, "xed").await, signed_in(&env, "xrv1").await, signed_in(&env, "xrv2").await);
        let review = format!("/admin/messages/{msg}/review");
        assert_eq!(
            xed.post(&format!("/admin/messages/{msg}/reply"), &[("text", "答复"), ("submit", "1")]).await.0,
            303
        );
        assert_eq!(xrv1.post(&review, &[("decision", "approve")]).await.0, 303, "{label}: level 1");
        let (_, page) = xrv1.get(&format!("/admin/messages/{msg}")).await;
        assert!(!page.contains(&format!("{review}\"")), "{label}: level 2 is not offered to level 1's reviewer");
        let (s, body) = xrv1.post(&review, &[("decision", "approve")]).await;
        assert_eq!(s, 403, "{label}: the same reviewer at level 2: {body}");
        assert_eq!(xrv2.post(&review, &[("decision", "reject"), ("comment", "请补充")]).await.0, 303, "{label}");
        assert_eq!(
            xed.post(&format!("/admin/messages/{msg}/reply"), &[("text", "补充后的答复"), ("submit", "1")]).await.0,
            303
        );
        assert_eq!(xrv2.post(&review, &[("decision", "approve")]).await.0, 303, "{label}: level 1 again");
        let (s, loc) = xrv1.post(&review, &[("decision", "approve")]).await;
        assert_eq!((s, loc.ends_with("ok=answered")), (303, true), "{label}: level 2 by the other reviewer");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pathological_preview_is_refused_and_the_service_keeps_answering() {
    for (label, env) in fx::envs(1800).await {
        let ed = signed_in(&env, "ed1").await;
        // 100,000 nested <div>, 500 KB: once 18 s of sanitising on the request thread.
        let body = format!("{}深", "<div>".repeat(100_000));
        let started = Instant::now();
        let form = [("title", "预览"), ("column", "gzdt"), ("body", body.as_str())];
        let (preview, health) = tokio::join!(ed.post("/admin/articles/preview", &form), async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let t = Instant::now();
            let s = reqwest::get(format!("{}/healthz", env.base)).await.unwrap().status().as_u16();
            (s, t.elapsed())
        });
        assert_eq!(preview.0, 400, "{label}: {}", preview.1);
        assert!(preview.1.contains("嵌套"), "{label}: the editor is told why: {}", preview.1);
        assert_eq!(health.0, 200);
        assert!(health.1 < Duration::from_secs(3), "{label}: /healthz waited {:?}", health.1);
        assert!(started.elapsed() < Duration::from_secs(10), "{label}: refused at once");
        // Saving it is refused the same way; an ordinary nested body previews.
        let (s, _) = ed.post("/admin/articles", &[("title", "深"), ("column", "gzdt"), ("body", body.as_str())]).await;
        assert_eq!(s, 400, "{label}");
        let fine = "<div><p>粘贴的<strong>格式</strong></p></div>";
        let (s, page) =
            ed.post("/admin/articles/preview", &[("title", "预览"), ("column", "gzdt"), ("body", fine)]).await;
        assert_eq!(s, 200, "{label}");
        assert!(page.contains("<strong>格式</strong>"), "{label}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_verify_at_most_five_passwords() {
    for (label, env) in fx::envs(1800).await {
        // 40 wrong passwords at once, each from its own address, then the right one.
        let mut guessers = Vec::new();
        for _ in 0..40 {
            let mut c = Client::new(&env);
            let (_, page) = c.get("/admin/login").await;
            c.csrf = between(&page, "name=\"_login\" value=\"", "\"").unwrap();
            guessers.push(c);
        }
        let attempts = guessers.iter().map(|c| async move {
            c.post_raw(
                "/admin/login",
                &[("_login", &c.csrf), ("username", "rv2"), ("password", "wrong-guess"), ("next", "/admin")],
                &[],
            )
            .await
            .0
        });
        let statuses = futures_join_all(attempts.collect()).await;
        no_5xx(label, "guesses", &statuses);
        let verified = statuses.iter().filter(|s| **s == 401).count();
        assert!(verified <= 5, "{label}: {verified} passwords were checked");
        assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{label}: {statuses:?}");
        assert_eq!(Client::new(&env).login("rv2", fx::PASSWORD).await, 429, "{label}: the right one waits too");
        let failed = count(
            &env,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login.failed' AND target = $1",
            "rv2".to_string(),
        )
        .await;
        assert!(failed <= 5, "{label}: {failed} failures recorded");
        // The user name in another case is the same account, and the same lock.
        assert_eq!(Client::new(&env).login("RV2", fx::PASSWORD).await, 429, "{label}");
        // Another account is untouched.
        assert_eq!(Client::new(&env).login("rv1", fx::PASSWORD).await, 303, "{label}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_headers_and_names() {
    for (label, env) in fx::envs(1800).await {
        // Changing one's password ends the other sessions, not this one.
        let here = signed_in(&env, "ed2").await;
        let elsewhere = signed_in(&env, "ed2").await;
        let new = "Another#Pass2026";
        let (s, loc) = here.post("/admin/password", &[("current", fx::PASSWORD), ("new", new), ("confirm", new)]).await;
        assert_eq!(s, 303, "{label}: {loc}");
        assert_eq!(here.get("/admin").await.0, 200, "{label}: this session stays");
        assert_eq!(elsewhere.get("/admin").await.0, 303, "{label}: the other session ended");

        // A control character in `next` cannot break the redirect after a good login.
        let c = Client::new(&env);
        let (_, page) = c.get("/admin/login").await;
        let token = between(&page, "name=\"_login\" value=\"", "\"").unwrap();
        let (s, to) = c
            .post_raw(
                "/admin/login",
                &[("_login", &token), ("username", "rv1"), ("password", fx::PASSWORD), ("next", "/admin/\r\nX: y")],
                &[],
            )
            .await;
        assert_eq!((s, to.as_str()), (303, "/admin"), "{label}");

        // Admin pages: a content policy, and no copy in any cache.
        let r = reqwest::Client::new().get(format!("{}/admin/login", env.base)).send().await.unwrap();
        let h = r.headers();
        assert_eq!(h.get("cache-control").unwrap(), "no-store", "{label}");
        assert!(h.get("content-security-policy").unwrap().to_str().unwrap().contains("script-src 'self'"));
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(format!("{}/admin/", env.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers().get("location").unwrap(), "/admin", "{label}: /admin/ reaches the admin");

        // Names: one account whatever the case; no direction controls in names or files.
        let sa = signed_in(&env, "sa1").await;
        let user = [("username", "ED1"), ("display_name", "重名"), ("role", "editor"), ("password", fx::PASSWORD)];
        let (s, body) = sa.post("/admin/users", &user).await;
        assert_ne!(s, 303, "{label}: ED1 duplicates ed1: {body}");
        assert!(body.contains("已被使用"), "{label}: {body}");
        let spoof =
            [("username", "spoof"), ("display_name", "张\u{202E}三"), ("role", "editor"), ("password", fx::PASSWORD)];
        let (s, body) = sa.post("/admin/users", &spoof).await;
        assert_ne!(s, 303, "{label}");
        assert!(body.contains("不可见字符"), "{label}: {body}");
        let ed = signed_in(&env, "ed1").await;
        let (_, loc) = ed.post("/admin/articles", &[("title", "附件"), ("column", "gzdt"), ("body", "x")]).await;
        let id = fx::article_id(&loc);
        let (s, body) =
            ed.upload(&format!("/admin/articles/{id}/attachments"), "报告\u{202E}fdp.pdf", fx::pdf("x"), "").await;
        assert_eq!(s, 422, "{label}: {body}");
        assert!(body.contains("不可见字符"), "{label}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policys_site_sees_and_removes_interpretations_of_others() {
    for (label, env) in fx::envs(1800).await {
        let (ed, rv) = (signed_in(&env, "ed1").await, signed_in(&env, "rv1").await);
        let policy_form = [
            ("title", "示例市停车管理办法"),
            ("column", "zcfg"),
            ("body", "第一条 为规范停车秩序，制定本办法。"),
            ("issuer", "示例市发展和改革委员会"),
            ("written_date", "2026-11-01"),
            ("intent", "submit"),
        ];
        let (s, loc) = ed.post("/admin/articles", &policy_form).await;
        assert_eq!(s, 303, "{label}: {loc}");
        let policy = fx::article_id(&loc);
        assert_eq!(rv.post(&format!("/admin/articles/{policy}/approve"), &[("secrecy", "1")]).await.0, 303, "{label}");
        let index_no: String = sqlx::query("SELECT index_no FROM articles WHERE id = $1")
            .bind(policy)
            .fetch_one(env.project.store.pool())
            .await
            .unwrap()
            .try_get(0)
            .unwrap();

        // Another site's interpretation names it, under a title of its own choosing.
        let (xed, xrv1, xrv2) =
            (signed_in(&env, "xed").await, signed_in(&env, "xrv1").await, signed_in(&env, "xrv2").await);
        let form = [
            ("title", "一图读懂：停车新规（财政局解读）"),
            ("column", "gzdt"),
            ("body", "解读正文。"),
            ("interprets", index_no.as_str()),
            ("intent", "submit"),
        ];
        let (s, loc) = xed.post("/admin/articles", &form).await;
        assert_eq!(s, 303, "{label}: {loc}");
        let interp = fx::article_id(&loc);
        for r in [&xrv1, &xrv2] {
            assert_eq!(
                r.post(&format!("/admin/articles/{interp}/approve"), &[("secrecy", "1")]).await.0,
                303,
                "{label}"
            );
        }
        let root = env.project.paths.out.join(&env.project.group().site(OWN).unwrap().host);
        let at: String = sqlx::query(
            "SELECT r.publish_at FROM articles a JOIN revisions r ON r.id = a.published_revision_id WHERE a.id = $1",
        )
        .bind(policy)
        .fetch_one(env.project.store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
        let file = root.join(zhanqun::content::article_path("zcfg", &at, policy).trim_start_matches('/'));
        let html = std::fs::read_to_string(&file).unwrap();
        assert!(html.contains("一图读懂：停车新规（财政局解读）"), "{label}: the link shows on the policy page");

        // The policy's site sees it in the admin and takes it off; another tenant cannot.
        let (_, admin_page) = rv.get(&format!("/admin/articles/{policy}")).await;
        assert!(admin_page.contains("解读本文件的文章") && admin_page.contains("一图读懂"), "{label}");
        let remove = format!("/admin/articles/{policy}/interpretations/{interp}/remove");
        assert_eq!(xrv1.post(&remove, &[]).await.0, 404, "{label}: not the interpreting site's call");
        assert_eq!(ed.post(&remove, &[]).await.0, 403, "{label}: editors do not decide");
        let (s, loc) = rv.post(&remove, &[]).await;
        assert_eq!((s, loc.ends_with("ok=unlinked")), (303, true), "{label}: {loc}");
        let html = std::fs::read_to_string(&file).unwrap();
        assert!(!html.contains("一图读懂"), "{label}: the link is gone from the policy page");

        // A new version of the interpretation does not bring it back.
        let form = [
            ("title", "一图读懂：停车新规（修订）"),
            ("column", "gzdt"),
            ("body", "解读正文，第二版。"),
            ("interprets", index_no.as_str()),
            ("intent", "submit"),
        ];
        assert_eq!(xed.post(&format!("/admin/articles/{interp}"), &form).await.0, 303, "{label}");
        for r in [&xrv1, &xrv2] {
            assert_eq!(
                r.post(&format!("/admin/articles/{interp}/approve"), &[("secrecy", "1")]).await.0,
                303,
                "{label}"
            );
        }
        let html = std::fs::read_to_string(&file).unwrap();
        assert!(!html.contains("一图读懂"), "{label}: the refusal outlives the new version");
        let (_, admin_page) = rv.get(&format!("/admin/articles/{policy}")).await;
        assert!(admin_page.contains("已移除链接"), "{label}");
    }
}

/// The other decisions two people can take at the same moment: exactly one wins, the other
/// gets a 409, on both backends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_simultaneous_decisions_are_one_success_and_one_409() {
    for (label, env) in fx::envs(1800).await {
        let store = &env.project.store;
        let (ed, rv1, rv2) = (signed_in(&env, "ed1").await, signed_in(&env, "rv1").await, signed_in(&env, "rv2").await);
        for round in 0..5 {
            // A reply approved by two reviewers at once (one level on this site).
            let msg = store
                .insert_handled_message(crate::common::whole_group(), &message(&env, OWN, &format!("同时审核{round}")))
                .await
                .unwrap();
            let reply = [("text", "您好，答复如下。"), ("submit", "1")];
            assert_eq!(ed.post(&format!("/admin/messages/{msg}/reply"), &reply).await.0, 303, "{label}");
            let review = format!("/admin/messages/{msg}/review");
            let (a, b) = tokio::join!(
                rv1.post(&review, &[("decision", "approve")]),
                rv2.post(&review, &[("decision", "approve")])
            );
            assert_eq!(sorted(a.0, b.0), [303, 409], "{label}: reply round {round}: {} / {}", a.1, b.1);
            let approvals = count(
                &env,
                "SELECT COUNT(*) FROM message_events WHERE action = 'reply-approve' AND message_id = $1",
                msg,
            )
            .await;
            assert_eq!(approvals, 1, "{label}: one approval recorded");

            // Two editors transferring the same message to two sites at once.
            let msg = store
                .insert_handled_message(crate::common::whole_group(), &message(&env, OWN, &format!("同时转办{round}")))
                .await
                .unwrap();
            let ed2 = signed_in(&env, "ed2").await;
            let transfer = format!("/admin/messages/{msg}/transfer");
            let (a, b) = tokio::join!(
                ed.post(&transfer, &[("site", FOREIGN), ("reason", "属于财政局职责")]),
                ed2.post(&transfer, &[("site", "jyj"), ("reason", "属于教育局职责")])
            );
            let statuses = sorted(a.0, b.0);
            assert!(
                statuses[0] == 303 && matches!(statuses[1], 404 | 409),
                "{label}: transfer round {round}: {statuses:?}"
            );
        }

        // The same race straight on the store, where the two transactions overlap for sure.
        let scope = crate::common::one_site(env.sites[OWN]);
        for round in 0..20 {
            let msg = store
                .insert_handled_message(crate::common::whole_group(), &message(&env, OWN, &format!("直接并发{round}")))
                .await
                .unwrap();
            let by = |name| zhanqun::store::mailboxes::Actor { name, ip: None, user_id: None };
            store.save_reply(scope, msg, "您好，答复如下。", env.users["ed1"], by("ed1")).await.unwrap();
            store.submit_reply(scope, msg, by("ed1")).await.unwrap();
            let decide = |reviewer: &'static str| {
                let d = zhanqun::store::messages::ReviewDecision {
                    approve: true,
                    comment: "同意",
                    levels: 1,
                    reviewer_id: env.users[reviewer],
                };
                store.review_reply(scope, msg, d, by(reviewer))
            };
            let (a, b) = tokio::join!(decide("rv1"), decide("rv2"));
            let wins = [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count();
            assert_eq!(wins, 1, "{label}: round {round}: {a:?} / {b:?}");
            let lost = if a.is_err() { a } else { b };
            assert!(matches!(lost, Err(zhanqun::store::StoreError::Conflict(_))), "{label}: {lost:?}");
        }

        // Two central administrators issuing the same applied mailbox at once.
        let (c1, c2) = (signed_in(&env, "cadmin").await, signed_in(&env, "cadmin").await);
        let sa = signed_in(&env, "sa1").await;
        let (s, loc) = sa.post("/admin/mailboxes", &[("local", "tongshi"), ("purpose", "并发测试")]).await;
        assert_eq!(s, 303, "{label}: {loc}");
        let id: i64 = loc.trim_start_matches("/admin/mailboxes/").split('?').next().unwrap().parse().unwrap();
        let issue = format!("/admin/mailboxes/{id}/issue");
        let (a, b) = tokio::join!(c1.post(&issue, &[]), c2.post(&issue, &[]));
        assert_eq!(sorted(a.0, b.0), [303, 409], "{label}: mailbox: {} / {}", a.1, b.1);
    }
}
