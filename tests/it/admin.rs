//! The admin's security: every route × every role × own and foreign tenant against the exact
//! expected outcome, and the attacks (CSRF, foreign ids, privilege escalation, self-approval,
//! disguised and oversized uploads, XSS, brute force), on SQLite and PostgreSQL.

use zhanqun::auth::Role;
use zhanqun::web::admin::routes::{Access, Target, ROUTES};

use crate::admin_fixture::{self as fx, between, publish_article, signed_in, Client, Env, FOREIGN, OWN};

/// The ids each tenant's requests aim at.
struct Aims {
    article: i64,
    user: i64,
    site: &'static str,
    file: String,
    mailbox: i64,
    notice: i64,
    message: i64,
    solicitation: i64,
    submission: i64,
    /// A column change of the site whose list no longer matches (a veto is a conflict).
    column_change: i64,
}

async fn prepare_aims(env: &Env) -> (Aims, Aims) {
    let mut aims = Vec::new();
    for (editor, reviewers, other_editor, site) in
        [("ed1", vec!["rv1"], "ed2", OWN), ("xed", vec!["xrv1", "xrv2"], "xed", FOREIGN)]
    {
        let ed = signed_in(env, editor).await;
        let mut rs = Vec::new();
        for r in reviewers {
            rs.push(signed_in(env, r).await);
        }
        let refs: Vec<&Client> = rs.iter().collect();
        let id = publish_article(&ed, &refs, &format!("{site} 的文章"), "gzdt").await;
        let (status, body) = ed.upload(&format!("/admin/articles/{id}/attachments"), "a.pdf", fx::pdf(site), "").await;
        assert_eq!(status, 200, "{body}");
        let sha = between(&body, "\"sha256\":\"", "\"").unwrap();
        let site_id = env.sites[site];
        let by = zhanqun::store::mailboxes::Actor { name: "test", ip: None, user_id: None };
        let fields = zhanqun::store::mailboxes::MailboxFields {
            address: format!("{site}.matrix@{}", env.project.group().def.mail_domain),
            holder: None,
            purpose: "矩阵测试".into(),
            listed: false,
        };
        let store = &env.project.store;
        let mailbox = store.apply_mailbox(crate::common::whole_group(), site_id, &fields, by).await.unwrap();
        let notice = zhanqun::store::notices::NewNotice {
            site_id,
            kind: "audit.veto".into(),
            title: "矩阵测试".into(),
            body: "矩阵测试".into(),
            link: "/admin/inspection".into(),
            mail: None,
        };
        store.add_notices(crate::common::whole_group(), std::slice::from_ref(&notice)).await.unwrap();
        let scope = crate::common::one_site(site_id);
        let notice = store.notices(scope, 1).await.unwrap()[0].id;
        let received_at = zhanqun::store::now_unix();
        let message = store
            .insert_handled_message(
                crate::common::whole_group(),
                &zhanqun::store::messages::HandledMessage {
                    origin_site_id: site_id,
                    site_id,
                    transferred_to: None,
                    recipient: String::new(),
                    category: zhanqun::interaction::Category::Consult,
                    subject: "矩阵测试".into(),
                    content: "矩阵测试的留言内容".into(),
                    name: "测试".into(),
                    phone: "13900000000".into(),
                    publishable: false,
                    received_at,
                    due_date: zhanqun::interaction::deadline::due_date(
                        &env.project.group().calendar,
                        received_at,
                        false,
                        0,
                    ),
                    complex: None,
                    acknowledged: None,
                    answered: None,
                    rating: None,
                },
            )
            .await
            .unwrap();
        let today = zhanqun::interaction::deadline::beijing_day(received_at);
        let fields = zhanqun::store::solicitations::SolicitationFields {
            title: "矩阵测试".into(),
            body_md: "矩阵测试的征求意见稿".into(),
            opens: today,
            closes: today,
        };
        let solicitation =
            store.create_solicitation(crate::common::one_site(site_id), &fields, None, by).await.unwrap();
        // A submission this site received (written directly: the shipped group lets only the
        // portal receive, and the matrix aims at fgw and czj).
        use sqlx::Row;
        let submission: i64 = sqlx::query(
            "INSERT INTO submissions (article_id, from_site_id, to_site_id, state, submitted_by, submitted_at)
             VALUES ($1, $2, $2, 'submitted', 'test', $3) RETURNING id",
        )
        .bind(id)
        .bind(site_id)
        .bind(received_at)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get("id");
        let column_change: i64 = sqlx::query(
            "INSERT INTO column_changes (site_id, at, actor, summary, before_json, after_json)
             VALUES ($1, $2, 'test', '矩阵测试', '[]', '[]') RETURNING id",
        )
        .bind(site_id)
        .bind(received_at)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get("id");
        aims.push(Aims {
            article: id,
            user: env.users[other_editor],
            site,
            file: format!("{}/{sha}.pdf", &sha[..2]),
            mailbox,
            notice,
            message,
            solicitation,
            submission,
            column_change,
        });
    }
    let foreign = aims.pop().unwrap();
    (aims.pop().unwrap(), foreign)
}

fn fill(path: &str, aims: &Aims) -> String {
    path.replace("{id}", &aims.article.to_string())
        .replace("/admin/users/{id}", &format!("/admin/users/{}", aims.user))
        .replace("{pos}", "0")
        .replace("{other}", "0")
        .replace("{number}", "1")
        .replace("{dir}/{name}", &aims.file)
        .replace("{code}", aims.site)
        .replace("{mid}", &aims.mailbox.to_string())
        .replace("{nid}", &aims.notice.to_string())
        .replace("{msg}", &aims.message.to_string())
        .replace("{sid}", &aims.solicitation.to_string())
        .replace("{bid}", &aims.submission.to_string())
        .replace("{cid}", &aims.column_change.to_string())
        .replace("{slug}", "gzdt")
        .replace("{*path}", "index.html")
        .replace("{file}", "admin.css")
}

fn fill_user(path: &str, aims: &Aims) -> String {
    path.replace("{id}", &aims.user.to_string())
}

fn body_for(path: &str) -> Vec<(&'static str, &'static str)> {
    match path {
        "/admin/password" => vec![("current", "wrong"), ("new", "x"), ("confirm", "x")],
        p if p.starts_with("/admin/users") => vec![("role", "editor"), ("display_name", "改名"), ("active", "on")],
        p if p.ends_with("/approve") => vec![("comment", "矩阵测试"), ("secrecy", "1")],
        p if p.ends_with("/reject") || p.ends_with("/withdraw") => vec![("comment", "矩阵测试")],
        p if p.ends_with("/accept") => vec![("column", "gzdt")],
        p if p.ends_with("/decline") => vec![("reason", "矩阵测试")],
        p if p.ends_with("/offer") => vec![("to", "www"), ("note", "矩阵测试")],
        p if p.ends_with("/reference") => vec![("column", "tzgg")],
        p if p.ends_with("/veto") => vec![("reason", "矩阵测试")],
        p if p.starts_with("/admin/columns/") => vec![("version", "x"), ("name", "矩阵测试"), ("dir", "up")],
        _ => vec![("title", "矩阵测试"), ("column", "gzdt"), ("body", "正文")],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_role_and_tenant() {
    for (label, env) in fx::envs(1800).await {
        let (own, foreign) = prepare_aims(&env).await;
        let mut failures = Vec::new();
        let mut checked = 0;
        for (username, role) in
            [("cadmin", Role::Central), ("sa1", Role::SiteAdmin), ("rv1", Role::Reviewer), ("ed1", Role::Editor)]
        {
            let client = signed_in(&env, username).await;
            // Logging out ends the session, so it goes last.
            let mut routes: Vec<_> = ROUTES.iter().filter(|r| r.access != Access::Public).collect();
            routes.sort_by_key(|r| r.path == "/admin/logout");
            for route in routes {
                let Access::Signed(action) = route.access else { continue };
                let tenants: &[(&str, &Aims)] = if route.target == Target::None {
                    &[("own", &own)]
                } else {
                    &[("own", &own), ("foreign", &foreign)]
                };
                for (tenant, aims) in tenants {
                    let path =
                        if route.target == Target::User { fill_user(route.path, aims) } else { fill(route.path, aims) };
                    let (status, body) = if route.method == "GET" {
                        client.get(&path).await
                    } else {
                        client.post(&path, &body_for(route.path)).await
                    };
                    let expected = if !role.can(action) {
                        "403"
                    } else if *tenant == "foreign" && role != Role::Central {
                        "404"
                    } else {
                        "allowed"
                    };
                    let ok = match expected {
                        "403" => status == 403,
                        "404" => status == 404,
                        _ => ![401, 403, 404].contains(&status) && status < 500,
                    };
                    checked += 1;
                    if !ok {
                        failures.push(format!(
                            "{label}: {username} {} {path} ({tenant}) expected {expected}, got {status}: {}",
                            route.method,
                            body.chars().take(160).collect::<String>()
                        ));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{} of {checked} checks failed:\n{}", failures.len(), failures.join("\n"));
        assert!(checked > 150, "{label}: the matrix covered {checked} cases");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attacks_are_refused() {
    for (label, env) in fx::envs(1800).await {
        let ed = signed_in(&env, "ed1").await;
        let (_, loc) = ed.post("/admin/articles", &[("title", "草稿"), ("column", "gzdt"), ("body", "x")]).await;
        let id = fx::article_id(&loc);

        // CSRF: missing, wrong, another session's, and a foreign Origin with the right token.
        let path = format!("/admin/articles/{id}");
        let (s, _) = ed.post_raw(&path, &[("title", "改")], &[]).await;
        assert_eq!(s, 403, "{label}: no CSRF token");
        let (s, _) = ed.post_raw(&path, &[("_csrf", "0".repeat(64).as_str()), ("title", "改")], &[]).await;
        assert_eq!(s, 403, "{label}: wrong CSRF token");
        let other = signed_in(&env, "ed2").await;
        let (s, _) = ed.post_raw(&path, &[("_csrf", other.csrf.as_str()), ("title", "改")], &[]).await;
        assert_eq!(s, 403, "{label}: another session's token");
        let (s, _) = ed
            .post_raw(&path, &[("_csrf", ed.csrf.as_str()), ("title", "改")], &[("origin", "http://evil.example")])
            .await;
        assert_eq!(s, 403, "{label}: cross-site origin");
        let (s, _) = ed.post(&path, &[("title", "改"), ("column", "gzdt")]).await;
        assert_eq!(s, 303, "{label}: the right token works");

        // Foreign ids are 404, never 403, so ids cannot be probed.
        let xed = signed_in(&env, "xed").await;
        assert_eq!(xed.get(&path).await.0, 404, "{label}");
        assert_eq!(xed.post(&path, &[("title", "偷改"), ("column", "gzdt")]).await.0, 404, "{label}");
        assert_eq!(xed.post(&format!("/admin/articles/{id}/submit"), &[]).await.0, 404, "{label}");

        // Privilege escalation through the user form.
        let sa = signed_in(&env, "sa1").await;
        let (s, _) = sa
            .post(
                "/admin/users",
                &[("username", "evil"), ("display_name", "x"), ("role", "central"), ("password", fx::PASSWORD)],
            )
            .await;
        assert_eq!(s, 403, "{label}: a site admin cannot create a central admin");
        let (s, _) = sa
            .post(
                "/admin/users",
                &[
                    ("username", "planted"),
                    ("display_name", "x"),
                    ("role", "editor"),
                    ("site", FOREIGN),
                    ("password", fx::PASSWORD),
                ],
            )
            .await;
        assert_eq!(s, 303, "{label}");
        let planted = env
            .project
            .store
            .users(crate::common::whole_group())
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.username == "planted")
            .unwrap();
        assert_eq!(planted.site_id, Some(env.sites[OWN]), "{label}: a site admin's user lands on their own site");
        assert!(planted.must_change_password);
        let ca = env.users["cadmin"];
        assert_eq!(sa.post(&format!("/admin/users/{ca}"), &[("role", "editor"), ("display_name", "x")]).await.0, 404);
        let rv1 = env.users["rv1"];
        let (s, _) = sa
            .post(&format!("/admin/users/{rv1}"), &[("role", "central"), ("display_name", "x"), ("active", "on")])
            .await;
        assert_eq!(s, 403, "{label}: no promotion to central");
        assert_eq!(ed.post("/admin/users", &[("username", "e2"), ("role", "editor")]).await.0, 403);

        // A reviewer never approves their own draft: ed2 writes, is made a reviewer, tries.
        let ed2 = other;
        let (_, loc) = ed2
            .post(
                "/admin/articles",
                &[("title", "自己的稿件"), ("column", "gzdt"), ("body", "x"), ("intent", "submit")],
            )
            .await;
        let own_id = fx::article_id(&loc);
        let ed2_id = env.users["ed2"];
        let (s, _) = sa
            .post(&format!("/admin/users/{ed2_id}"), &[("role", "reviewer"), ("display_name", "ed2"), ("active", "on")])
            .await;
        assert_eq!(s, 303);
        assert_eq!(ed2.get("/admin").await.0, 303, "{label}: a role change ends the sessions");
        let turned = signed_in(&env, "ed2").await;
        let (s, body) = turned.post(&format!("/admin/articles/{own_id}/approve"), &[("secrecy", "1")]).await;
        assert_eq!(s, 403, "{label}: {body}");
        assert!(body.contains("不能审核自己撰写的稿件"), "{body}");

        // Uploads are checked by content and size; images need alt text.
        let up = format!("/admin/articles/{id}/attachments");
        let (s, body) = ed.upload(&up, "通知.pdf", b"MZ\x90\x00\x03 this is a PE executable".to_vec(), "").await;
        assert_eq!(s, 422, "{label}: executable renamed to .pdf: {body}");
        assert!(body.contains("扩展名与内容不符"), "{body}");
        let (s, _) = ed.upload(&up, "run.exe", b"MZ".to_vec(), "").await;
        assert_eq!(s, 422);
        let (s, body) = ed.upload(&up, "图.png", fx::png(), "").await;
        assert_eq!(s, 422, "{body}");
        assert!(body.contains("替代文字"), "{body}");
        let mut big = fx::pdf("big");
        big.resize(51 << 20, b' ');
        let (s, body) = ed.upload(&up, "big.pdf", big, "").await;
        assert_eq!(s, 413, "{label}: {body}");
        let (s, body) = ed.upload(&up, "../../etc/通知.pdf", fx::pdf("ok"), "").await;
        assert_eq!(s, 200, "{body}");
        assert!(body.contains("\"name\":\"通知.pdf\""), "{body}");
        let file = format!("/admin/files/{}", between(&body, "\"url\":\"/files/", "\"").unwrap());
        assert_eq!(ed.get(&file).await.0, 200);
        assert_eq!(xed.get(&file).await.0, 404, "{label}: a draft's file is not another tenant's");

        // Brute force: five failures lock the account, whatever the address; and an address.
        let mut guess = Client::new(&env);
        for _ in 0..5 {
            assert_eq!(guess.login("rv2", "wrong").await, 401);
        }
        let mut elsewhere = Client::new(&env);
        assert_eq!(elsewhere.login("rv2", fx::PASSWORD).await, 429, "{label}: account locked");
        // An address is limited in rate, not locked by a few typos: an office behind one NAT
        // address keeps working after five failures, a sprayer is stopped after thirty.
        let mut spray = Client::new(&env);
        for i in 0..5 {
            spray.login(&format!("ghost{i}"), "wrong").await;
        }
        assert_eq!(spray.login("xrv1", fx::PASSWORD).await, 303, "{label}: five typos do not lock an address");
        let mut spray = Client::new(&env);
        for i in 0..zhanqun::store::users::MAX_ADDRESS_FAILURES {
            spray.login(&format!("ghost{i}"), "wrong").await;
        }
        assert_eq!(spray.login("xrv1", fx::PASSWORD).await, 429, "{label}: address throttled");
        assert_eq!(Client::new(&env).login("xrv1", fx::PASSWORD).await, 303);

        // Disabling a user ends their sessions at once.
        let victim = signed_in(&env, "xrv2").await;
        let xsa = signed_in(&env, "xsa").await;
        let xrv2 = env.users["xrv2"];
        assert_eq!(
            xsa.post(&format!("/admin/users/{xrv2}"), &[("role", "reviewer"), ("display_name", "x")]).await.0,
            303
        );
        assert_eq!(victim.get("/admin").await.0, 303);
        assert_eq!(victim.post("/admin/logout", &[]).await.0, 401);
        assert_eq!(Client::new(&env).login("xrv2", fx::PASSWORD).await, 403, "{label}: disabled");

        // Every one of these is in the audit log with its address.
        let log = env.project.store.audit_tail(crate::common::whole_group(), 500).await.unwrap();
        for action in
            ["login", "login.failed", "login.locked", "login.throttled", "user.create", "user.update", "login.disabled"]
        {
            assert!(log.iter().any(|r| r.action == action), "{label}: audit has {action}");
        }
        let (rows, _) =
            env.project.store.audit_query(crate::common::whole_group(), &Default::default(), Some(500)).await.unwrap();
        assert!(rows.iter().filter(|r| r.action == "login.failed").all(|r| r.ip.starts_with("10.")), "{label}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_and_first_login_forces_a_new_password() {
    for (label, env) in fx::envs(1800).await {
        let sa = signed_in(&env, "sa1").await;
        let (s, _) = sa
            .post(
                "/admin/users",
                &[("username", "newbie"), ("display_name", "新人"), ("role", "editor"), ("password", "Init#Pass2026")],
            )
            .await;
        assert_eq!(s, 303, "{label}");
        let mut c = Client::new(&env);
        assert_eq!(c.login("newbie", "Init#Pass2026").await, 303);
        assert_eq!(c.get("/admin/articles").await, (303, "/admin/password".to_string()), "{label}");
        let weak = [("current", "Init#Pass2026"), ("new", "password"), ("confirm", "password")];
        let (s, body) = c.post("/admin/password", &weak).await;
        assert_eq!(s, 400);
        assert!(body.contains("至少三类"), "{body}");
        let good = [("current", "Init#Pass2026"), ("new", "Fresh#Word99"), ("confirm", "Fresh#Word99")];
        assert_eq!(c.post("/admin/password", &good).await.0, 303);
        assert_eq!(c.get("/admin/articles").await.0, 200, "{label}");

        // Idle for longer than the timeout: the session is gone.
        let db = env.project.store.pool();
        sqlx::query("UPDATE sessions SET last_seen = last_seen - 3600").execute(db).await.unwrap();
        let (s, to) = c.get("/admin/articles").await;
        assert_eq!(s, 303);
        assert!(to.starts_with("/admin/login"), "{label}: {to}");

        // Session cookies are HttpOnly and SameSite=Strict; stored only as hashes.
        let (_, page) = Client::new(&env).get("/admin/login").await;
        let token = between(&page, "name=\"_login\" value=\"", "\"").unwrap();
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(format!("{}/admin/login", env.base))
            .header("cookie", format!("zq_login={token}"))
            .header("x-forwarded-proto", "https")
            .form(&[("_login", token.as_str()), ("username", "ed1"), ("password", fx::PASSWORD)])
            .send()
            .await
            .unwrap();
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("zq_session="))
            .unwrap();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"),
            "{cookie}"
        );
        let raw = cookie.trim_start_matches("zq_session=").split(';').next().unwrap().to_string();
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = $1")
            .bind(&raw)
            .fetch_one(db)
            .await
            .unwrap();
        assert_eq!(stored, 0, "the raw token is never stored");
        let _ = label;
    }
}

/// A wide photo is scaled down to 1,600 pixels on upload, unless the editor keeps the
/// original; a header claiming 50,000 pixels is refused before anything is decoded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wide_photos_are_scaled_down_on_upload() {
    use zhanqun::content::photo;
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(2400, 1200, |x, _| image::Rgb([(x % 256) as u8, 80, 160])))
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .unwrap();
    let jpeg = jpeg.into_inner();
    for (label, env) in fx::envs(1800).await {
        let ed = signed_in(&env, "ed1").await;
        let (_, loc) = ed.post("/admin/articles", &[("title", "照片"), ("column", "gzdt"), ("body", "正文")]).await;
        let up = format!("/admin/articles/{}/attachments", fx::article_id(&loc));
        for (keep, width) in [("", 1600), ("on", 2400)] {
            let (s, body) =
                ed.upload_with(&up, "现场.jpg", jpeg.clone(), &[("alt", "现场"), ("keep_original", keep)]).await;
            assert_eq!(s, 200, "{label}: {body}");
            let reply: serde_json::Value = serde_json::from_str(&body).unwrap();
            let url = reply["url"].as_str().unwrap();
            let (status, _) = ed.get(&format!("/admin{url}")).await;
            assert_eq!(status, 200, "{label}");
            let stored = env
                .project
                .store
                .scoped_blob(crate::common::whole_group(), url.rsplit('/').next().unwrap().split('.').next().unwrap())
                .await
                .unwrap()
                .expect("stored")
                .1;
            assert_eq!(photo::size(&stored).map(|s| s.0), Some(width), "{label}: keep_original={keep:?}");
        }
        let mut huge = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        huge.extend_from_slice(&50_000u32.to_be_bytes());
        huge.extend_from_slice(&50_000u32.to_be_bytes());
        huge.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        let (s, body) = ed.upload(&up, "巨图.png", huge, "巨图").await;
        assert_eq!(s, 422, "{label}: {body}");
        assert!(body.contains("超过每边"), "{label}: {body}");
    }
}
