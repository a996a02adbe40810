//! Citizen messages (政民互动) end to end over HTTP, on both backends: the public API with its
//! spam defences and bad input, storage before the query code, the inbox and its tenant
//! isolation, acknowledgement, transfer, complex marking, extensions, the reply through review
//! levels, the masked published answer, the status page and rating, deadlines, reminders and
//! the audit's interaction rules.

use chrono::NaiveDate;
use serde_json::Value;
use zhanqun::interaction::deadline::{self, beijing_day};
use zhanqun::interaction::{pow, Category};
use zhanqun::service::reminders;
use zhanqun::store::messages::{HandledMessage, InboxFilter};

use crate::admin_fixture::{self as fx, signed_in, Env, FOREIGN, OWN};

/// A citizen's browser on one site, from one address.
struct Citizen {
    http: reqwest::Client,
    base: String,
    host: String,
    ip: String,
}

impl Citizen {
    fn new(env: &Env, code: &str, ip: &str) -> Citizen {
        Citizen {
            http: reqwest::Client::new(),
            base: env.base.clone(),
            host: env.project.group().site(code).unwrap().host.clone(),
            ip: ip.to_string(),
        }
    }

    async fn send(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("host", &self.host)
            .header("x-real-ip", &self.ip)
            .form(form)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn challenge(&self) -> String {
        let r = self
            .http
            .get(format!("{}/api/messages/challenge", self.base))
            .header("host", &self.host)
            .header("x-real-ip", &self.ip)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let v: Value = r.json().await.unwrap();
        v["challenge"].as_str().unwrap().to_string()
    }

    /// Submits `fields` with a solved challenge.
    async fn submit(&self, fields: &[(&str, &str)]) -> (u16, Value) {
        let challenge = self.challenge().await;
        let nonce = pow::solve(&challenge);
        let mut form = fields.to_vec();
        form.push(("challenge", &challenge));
        form.push(("nonce", &nonce));
        self.send("/api/messages", &form).await
    }
}

const WRITER: &str = "李小明";
const PHONE: &str = "13912345678";

fn letter<'a>(subject: &'a str, content: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("recipient", "主任信箱"),
        ("category", "consult"),
        ("subject", subject),
        ("content", content),
        ("name", WRITER),
        ("phone", PHONE),
        ("publishable", "1"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_from_the_form_to_the_published_answer() {
    for (label, env) in fx::envs(1800).await {
        let store = &env.project.store;
        let citizen = Citizen::new(&env, OWN, "203.0.113.10");
        let count = || async {
            store.inbox(crate::common::whole_group(), InboxFilter::All, beijing_day(0), 1000).await.unwrap().len()
        };

        // Bad input: every field named, nothing stored.
        let (s, v) =
            citizen.submit(&[("category", "praise"), ("subject", ""), ("content", "短"), ("phone", "12")]).await;
        assert_eq!(s, 400, "{label}: {v}");
        let fields: Vec<&str> = v["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["category", "subject", "content", "name", "phone"], "{label}");
        let long = "很".repeat(3001);
        let (s, v) = citizen.submit(&letter("标题", &long)).await;
        assert_eq!((s, v["fields"][0]["field"].as_str()), (400, Some("content")), "{label}: too long");
        let huge = "长".repeat(20_000);
        let (s, _) = citizen.send("/api/messages", &letter("标题", &huge)).await;
        assert_eq!(s, 413, "{label}: a body over the limit is cut off before it is read");
        // The honeypot, a wrong nonce, another site's challenge.
        let mut robot = letter("关于停车位的咨询", "小区停车位紧张，请问能否增设？");
        robot.push(("website", "http://spam.example"));
        assert_eq!(citizen.submit(&robot).await.0, 400, "{label}: honeypot");
        let challenge = citizen.challenge().await;
        let mut form = letter("关于停车位的咨询", "小区停车位紧张，请问能否增设？");
        form.extend([("challenge", challenge.as_str()), ("nonce", "x")]);
        let (s, v) = citizen.send("/api/messages", &form).await;
        assert_eq!((s, v["field"].as_str()), (400, Some("challenge")), "{label}: unsolved");
        let other = Citizen::new(&env, FOREIGN, "203.0.113.10").challenge().await;
        let nonce = pow::solve(&other);
        let mut form = letter("关于停车位的咨询", "小区停车位紧张，请问能否增设？");
        form.extend([("challenge", other.as_str()), ("nonce", nonce.as_str())]);
        assert_eq!(citizen.send("/api/messages", &form).await.0, 400, "{label}: another site's challenge");
        assert_eq!(count().await, 0, "{label}: nothing stored");

        // A good letter: stored before the code is shown, once per challenge.
        let content = format!(
            "我家小区的充电桩一直没人安装，请问找哪个部门？我是{WRITER}，电话{PHONE}，身份证430102199001011234。"
        );
        let challenge = citizen.challenge().await;
        let nonce = pow::solve(&challenge);
        let mut form = letter("关于充电桩安装的咨询", &content);
        form.extend([("challenge", challenge.as_str()), ("nonce", nonce.as_str())]);
        let (s, v) = citizen.send("/api/messages", &form).await;
        assert_eq!(s, 201, "{label}: {v}");
        let code = v["code"].as_str().unwrap().to_string();
        assert!(store.message_status(&code, PHONE).await.unwrap().is_some(), "{label}: stored");
        let (s, v) = citizen.send("/api/messages", &form).await;
        assert_eq!((s, v["field"].as_str()), (400, Some("challenge")), "{label}: a challenge is spent once");
        assert_eq!(count().await, 1, "{label}");

        // The status page: the code with the phone, nothing without it.
        let (s, v) = citizen.send("/api/messages/status", &[("code", &code.to_lowercase()), ("phone", PHONE)]).await;
        assert_eq!((s, v["status"].as_str()), (200, Some("待受理")), "{label}: {v}");
        let (s, _) = citizen.send("/api/messages/status", &[("code", &code), ("phone", "13900000000")]).await;
        assert_eq!(s, 404, "{label}: wrong phone");
        let (s, _) = citizen.send("/api/messages/rating", &[("code", &code), ("phone", PHONE), ("rating", "5")]).await;
        assert_eq!(s, 409, "{label}: no rating before the answer");

        // The responsible site sees everything; another site nothing.
        let id = store.inbox(crate::common::whole_group(), InboxFilter::All, beijing_day(0), 10).await.unwrap()[0].id;
        let ed = signed_in(&env, "ed1").await;
        let (s, page) = ed.get(&format!("/admin/messages/{id}")).await;
        assert_eq!(s, 200, "{label}");
        assert!(page.contains(WRITER) && page.contains(PHONE) && page.contains("主任信箱"), "{label}");
        let xed = signed_in(&env, "xed").await;
        assert_eq!(xed.get(&format!("/admin/messages/{id}")).await.0, 404, "{label}: another site");
        assert_eq!(xed.post(&format!("/admin/messages/{id}/acknowledge"), &[("text", "x")]).await.0, 404, "{label}");
        assert!(!xed.get("/admin/messages?f=all").await.1.contains("充电桩"), "{label}: not in its inbox");

        // Acknowledge, write, review; the reply cannot be submitted before the acknowledgement.
        let (s, _) = ed.post(&format!("/admin/messages/{id}/reply"), &[("text", "答复"), ("submit", "1")]).await;
        assert_eq!(s, 409, "{label}: acknowledge first");
        let (s, _) = ed.post(&format!("/admin/messages/{id}/acknowledge"), &[("text", "")]).await;
        assert_eq!(s, 409, "{label}: the text is required");
        let (s, _) = ed
            .post(&format!("/admin/messages/{id}/acknowledge"), &[("text", zhanqun::interaction::DEFAULT_ACK_TEXT)])
            .await;
        assert_eq!(s, 303, "{label}");
        let (_, v) = citizen.send("/api/messages/status", &[("code", &code), ("phone", PHONE)]).await;
        assert_eq!(v["status"].as_str(), Some("办理中"), "{label}");
        assert_eq!(v["ack_text"].as_str(), Some(zhanqun::interaction::DEFAULT_ACK_TEXT), "{label}");
        let reply =
            format!("{WRITER}您好！<script>alert(1)</script>小区充电桩请向供电营业厅申请，电话{PHONE}可咨询进度。");
        let (s, _) = ed.post(&format!("/admin/messages/{id}/reply"), &[("text", &reply), ("submit", "1")]).await;
        assert_eq!(s, 303, "{label}");
        let (s, _) = ed.post(&format!("/admin/messages/{id}/review"), &[("decision", "approve")]).await;
        assert_eq!(s, 403, "{label}: editors do not review");
        let rv = signed_in(&env, "rv1").await;
        let (s, _) = rv.post(&format!("/admin/messages/{id}/review"), &[("decision", "reject")]).await;
        assert_eq!(s, 409, "{label}: a rejection needs a comment");
        let (s, loc) =
            rv.post(&format!("/admin/messages/{id}/review"), &[("decision", "approve"), ("comment", "同意")]).await;
        assert_eq!((s, loc.as_str()), (303, format!("/admin/messages/{id}?ok=answered").as_str()), "{label}");

        // On the site: masked, escaped, listed; the status page has the reply; one rating.
        let group = env.project.group();
        let site = group.site(OWN).unwrap();
        let root = env.project.paths.out.join(&site.host);
        let page = std::fs::read_to_string(root.join(format!("hdjl/hf/{id}.html"))).unwrap();
        assert!(
            page.contains("李某") && page.contains("139****5678") && page.contains("**************1234"),
            "{label}"
        );
        assert!(!page.contains(WRITER) && !page.contains(PHONE) && !page.contains("430102199001011234"), "{label}");
        assert!(page.contains("&lt;script&gt;") && !page.contains("<script>alert"), "{label}: escaped");
        let list = std::fs::read_to_string(root.join("hdjl/index.html")).unwrap();
        assert!(list.contains("关于充电桩安装的咨询") && list.contains(&format!("/hdjl/hf/{id}.html")), "{label}");
        let sitemap = crate::common::sitemaps(&root);
        assert!(sitemap.contains(&format!("/hdjl/hf/{id}.html")), "{label}");
        for (feed, text) in [("rss.xml", std::fs::read_to_string(root.join("rss.xml")).unwrap()), ("sitemaps", sitemap)]
        {
            assert!(!text.contains(WRITER) && !text.contains(PHONE), "{label}: {feed}");
        }
        let (_, v) = citizen.send("/api/messages/status", &[("code", &code), ("phone", PHONE)]).await;
        assert_eq!(v["status"].as_str(), Some("已答复"), "{label}");
        assert!(v["reply"].as_str().unwrap().contains("供电营业厅"), "{label}");
        let rate = |r: &'static str| [("code", code.clone()), ("phone", PHONE.to_string()), ("rating", r.to_string())];
        assert_eq!(citizen.send("/api/messages/rating", &to_refs(&rate("9"))).await.0, 400, "{label}");
        assert_eq!(citizen.send("/api/messages/rating", &to_refs(&rate("4"))).await.0, 200, "{label}");
        assert_eq!(citizen.send("/api/messages/rating", &to_refs(&rate("5"))).await.0, 409, "{label}: once");

        // Search never finds messages, and the audit log never has the writer's details.
        let hits = tokio::task::block_in_place(|| crate::search::api(&env, OWN, &crate::search::enc("充电桩")));
        assert_eq!(hits["total"], 0, "{label}: {hits}");
        let log = store.audit_tail(crate::common::whole_group(), 200).await.unwrap();
        let steps: Vec<&str> =
            log.iter().filter(|r| r.target == format!("message {id}")).map(|r| r.action.as_str()).collect();
        for step in
            ["message.receive", "message.acknowledge", "message.reply-submit", "message.reply-approve", "message.rate"]
        {
            assert!(steps.contains(&step), "{label}: {step} in {steps:?}");
        }
        assert!(
            log.iter().all(|r| !r.detail.contains(WRITER) && !r.detail.contains(PHONE)),
            "{label}: no personal data"
        );
    }
}

fn to_refs<'a>(pairs: &'a [(&'static str, String); 3]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_address_is_throttled_and_others_get_through() {
    for (label, env) in fx::envs(1800).await {
        let flood = Citizen::new(&env, OWN, "198.51.100.7");
        for i in 0..5 {
            let subject = format!("关于路灯维修的建议{i}");
            let (s, v) = flood.submit(&letter(&subject, "人民路的路灯坏了很久，请尽快维修。")).await;
            assert_eq!(s, 201, "{label}: {v}");
        }
        let (s, v) = flood.submit(&letter("关于路灯维修的建议5", "人民路的路灯坏了很久，请尽快维修。")).await;
        assert_eq!(s, 429, "{label}: {v}");
        assert!(
            v["retry_after"].as_i64().unwrap() > 0 && v["error"].as_str().unwrap().contains("分钟后再试"),
            "{label}"
        );
        // A wrong form from the same address is still answered with its faults, not the limit.
        let (s, _) = flood.submit(&[("subject", "")]).await;
        assert_eq!(s, 400, "{label}");
        let neighbour = Citizen::new(&env, OWN, "198.51.100.8");
        let (s, v) = neighbour.submit(&letter("关于路灯维修的建议", "人民路的路灯坏了很久，请尽快维修。")).await;
        assert_eq!(s, 201, "{label}: another address is not affected: {v}");
        let stored =
            env.project.store.inbox(crate::common::whole_group(), InboxFilter::All, beijing_day(0), 100).await.unwrap();
        assert_eq!(stored.len(), 6, "{label}: every accepted message is kept");
        // An unknown host is no site.
        let mut stranger = Citizen::new(&env, OWN, "198.51.100.9");
        stranger.host = "evil.example".into();
        assert_eq!(stranger.send("/api/messages", &[]).await.0, 404, "{label}");
    }
}

fn received(days_ago: i64) -> i64 {
    zhanqun::store::now_unix() - days_ago * 86_400
}

pub(crate) fn handled(env: &Env, code: &str, category: Category, subject: &str, received_at: i64) -> HandledMessage {
    let site_id = env.sites[code];
    HandledMessage {
        origin_site_id: site_id,
        site_id,
        transferred_to: None,
        recipient: String::new(),
        category,
        subject: subject.into(),
        content: "请问这个问题由哪个部门负责？".into(),
        name: WRITER.into(),
        phone: PHONE.into(),
        publishable: true,
        received_at,
        due_date: deadline::due_date(&env.project.group().calendar, received_at, false, 0),
        complex: None,
        acknowledged: Some((received_at + 3600, "已受理".into())),
        answered: None,
        rating: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_deadlines_reminders_and_the_audit() {
    for (label, env) in fx::envs(1800).await {
        let store = &env.project.store;
        let cal = &env.project.group().calendar;
        let today = beijing_day(zhanqun::store::now_unix());

        // A transfer makes the receiving site responsible; the deadline stays.
        let id = store
            .insert_handled_message(
                crate::common::whole_group(),
                &handled(&env, OWN, Category::Complain, "噪音扰民", received(1)),
            )
            .await
            .unwrap();
        let ed = signed_in(&env, "ed1").await;
        let (_, before) = ed.get(&format!("/admin/messages/{id}")).await;
        let due = fx::between(&before, "<dt>答复期限</dt><dd>", "（").unwrap();
        let (s, _) = ed.post(&format!("/admin/messages/{id}/transfer"), &[("site", FOREIGN), ("reason", "")]).await;
        assert_eq!(s, 409, "{label}: a reason is required");
        let (s, loc) = ed
            .post(&format!("/admin/messages/{id}/transfer"), &[("site", FOREIGN), ("reason", "属于财政局职责")])
            .await;
        assert_eq!((s, loc.as_str()), (303, "/admin/messages?ok=transferred"), "{label}");
        assert_eq!(ed.get(&format!("/admin/messages/{id}")).await.0, 404, "{label}: no longer ours");
        let xed = signed_in(&env, "xed").await;
        let (s, page) = xed.get(&format!("/admin/messages/{id}")).await;
        assert_eq!(s, 200, "{label}");
        assert!(page.contains("属于财政局职责") && page.contains(&format!("<dt>答复期限</dt><dd>{due}")), "{label}");
        let notices = store.notices(crate::common::one_site(env.sites[FOREIGN]), 5).await.unwrap();
        assert!(
            notices.iter().any(|n| n.kind == "message.transfer" && n.link == format!("/admin/messages/{id}")),
            "{label}"
        );
        // Its two review levels both pass before the answer.
        let (s, _) = xed
            .post(&format!("/admin/messages/{id}/reply"), &[("text", "已责令停止夜间施工。"), ("submit", "1")])
            .await;
        assert_eq!(s, 303, "{label}");
        let (s, loc) = signed_in(&env, "xrv1")
            .await
            .post(&format!("/admin/messages/{id}/review"), &[("decision", "approve")])
            .await;
        assert_eq!((s, loc.ends_with("ok=approved")), (303, true), "{label}: first level");
        let (s, loc) = signed_in(&env, "xrv2")
            .await
            .post(&format!("/admin/messages/{id}/review"), &[("decision", "approve")])
            .await;
        assert_eq!((s, loc.ends_with("ok=answered")), (303, true), "{label}: second level");
        let foreign = env.project.paths.out.join(&env.project.group().site(FOREIGN).unwrap().host);
        assert!(foreign.join(format!("hdjl/hf/{id}.html")).is_file(), "{label}: published by the site that answered");

        // Complex: 15 working days from receipt; an extension needs the central office.
        let at = received(1);
        let id = store
            .insert_handled_message(
                crate::common::whole_group(),
                &handled(&env, OWN, Category::Consult, "多部门问题", at),
            )
            .await
            .unwrap();
        let (s, _) = ed.post(&format!("/admin/messages/{id}/complex"), &[("text", "涉及住建、供电两个部门")]).await;
        assert_eq!(s, 303, "{label}");
        let complex_due = deadline::due_date(cal, at, true, 0);
        let (s, _) = ed.post(&format!("/admin/messages/{id}/extension"), &[("days", "99"), ("reason", "x")]).await;
        assert_eq!(s, 409, "{label}: at most 15 days");
        let (s, _) =
            ed.post(&format!("/admin/messages/{id}/extension"), &[("days", "5"), ("reason", "需要现场勘查")]).await;
        assert_eq!(s, 303, "{label}");
        assert_eq!(
            ed.post(&format!("/admin/messages/{id}/extension/decide"), &[("decision", "approve")]).await.0,
            403,
            "{label}"
        );
        let central = signed_in(&env, "cadmin").await;
        let (s, _) = central.post(&format!("/admin/messages/{id}/extension/decide"), &[("decision", "approve")]).await;
        assert_eq!(s, 303, "{label}");
        let (m, events) = store.message(crate::common::whole_group(), id).await.unwrap();
        assert_eq!(m.due_date, deadline::due_date(cal, at, true, 5).to_string(), "{label}");
        assert_eq!(m.due(), cal.add_working_days(beijing_day(at), 20), "{label}");
        assert!(m.due() > complex_due, "{label}");
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["receive", "acknowledge", "complex", "extension-request", "extension-approve"], "{label}");

        // Overdue: past its 7 working days, listed, noticed once; a reminder for one due soon.
        let late = store
            .insert_handled_message(
                crate::common::whole_group(),
                &handled(&env, OWN, Category::Suggest, "超期的建议", received(20)),
            )
            .await
            .unwrap();
        let mut soon = handled(&env, OWN, Category::Suggest, "快到期的建议", received(1));
        soon.due_date = today;
        store.insert_handled_message(crate::common::whole_group(), &soon).await.unwrap();
        let overdue: Vec<i64> = store
            .inbox(crate::common::one_site(env.sites[OWN]), InboxFilter::Overdue, today, 100)
            .await
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(overdue, [late], "{label}");
        assert_eq!(reminders::send_due(&env.project, today).await.unwrap(), 2, "{label}: one overdue, one reminder");
        assert_eq!(reminders::send_due(&env.project, today).await.unwrap(), 0, "{label}: each once");
        let notices = store.notices(crate::common::one_site(env.sites[OWN]), 10).await.unwrap();
        let kinds: Vec<&str> = notices.iter().map(|n| n.kind.as_str()).collect();
        assert!(kinds.contains(&"message.overdue") && kinds.contains(&"message.remind"), "{label}: {kinds:?}");
        let (_, dash) = central.get("/admin/interaction").await;
        assert!(dash.contains("超期的建议") && dash.contains("当前超期未答复（1）"), "{label}");

        // The audit: a consultation unanswered for over 3 months vetoes; so does a site whose
        // published interaction page lost its form.
        store
            .insert_handled_message(
                crate::common::whole_group(),
                &handled(&env, OWN, Category::Consult, "四个月没人回", received(120)),
            )
            .await
            .unwrap();
        let now = zhanqun::content::now_local();
        let r = zhanqun::audit::run(&env.project, Some(OWN), &now, zhanqun::store::now_unix()).await.unwrap();
        let rules: Vec<&str> =
            r.sites[0].findings.iter().map(|f| f.rule).filter(|r| r.starts_with("interaction.")).collect();
        assert_eq!(rules, ["interaction.unanswered"], "{label}");
        assert!(!r.sites[0].passed, "{label}: a veto");
        std::fs::write(foreign.join("hdjl/index.html"), "<html><body>维护中</body></html>").unwrap();
        let r = zhanqun::audit::run(&env.project, Some(FOREIGN), &now, zhanqun::store::now_unix()).await.unwrap();
        assert!(r.sites[0].findings.iter().any(|f| f.rule == "interaction.no_channel"), "{label}");
    }
}

#[test]
fn national_day_deadline_from_the_shipped_calendar() {
    let group = zhanqun::group::Group::load(std::path::Path::new("sites"), None).unwrap();
    let cal = &group.calendar;
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    // Received Tuesday 29 September 2026: 30 Sep, then 8, 9, 10 (Saturday, worked), 12, 13, 14 Oct.
    assert_eq!(cal.add_working_days(d("2026-09-29"), 7), d("2026-10-14"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opinion_solicitation_from_draft_to_feedback() {
    for (label, env) in fx::envs(1800).await {
        let store = &env.project.store;
        let ed = signed_in(&env, "ed1").await;
        let rv = signed_in(&env, "rv1").await;
        let today = beijing_day(zhanqun::store::now_unix());
        let day = |n: i64| (today + chrono::Duration::days(n)).to_string();

        // Bad dates are named; a good draft is saved, submitted, approved and published.
        let draft = |opens: String, closes: String| {
            vec![
                ("title", "关于停车管理办法征求意见".to_string()),
                ("body", "## 征求意见稿\n\n第一条 为规范停车秩序……".to_string()),
                ("opens", opens),
                ("closes", closes),
            ]
        };
        let refs = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
        let post = |path: String, form: Vec<(&'static str, String)>| {
            let ed = &ed;
            async move {
                let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                ed.post(&path, &pairs).await
            }
        };
        let (s, body) = post("/admin/solicitations".into(), refs(&draft(day(5), day(1)))).await;
        assert_eq!(s, 409, "{label}: {body}");
        assert!(body.contains("截止日期：不能早于开始日期"), "{label}");
        let (s, loc) = post("/admin/solicitations".into(), refs(&draft(day(-1), day(10)))).await;
        assert_eq!(s, 303, "{label}: {loc}");
        let id: i64 = loc.trim_start_matches("/admin/solicitations/").parse().unwrap();
        let mut submit = refs(&draft(day(-1), day(10)));
        submit.push(("submit", "1".into()));
        assert_eq!(post(format!("/admin/solicitations/{id}"), submit.clone()).await.0, 303, "{label}");
        assert_eq!(post(format!("/admin/solicitations/{id}"), submit).await.0, 409, "{label}: no edits once submitted");
        let group = env.project.group();
        let site = group.site(OWN).unwrap();
        let page = env.project.paths.out.join(&site.host).join(format!("hdjl/yjzj/{id}.html"));
        assert!(!page.exists(), "{label}: nothing online before review");
        let (s, _) = rv.post(&format!("/admin/solicitations/{id}/review"), &[("decision", "approve")]).await;
        assert_eq!(s, 303, "{label}");
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.contains("征集中") && html.contains(&format!("/api/solicitations/{id}/comments")), "{label}");
        let home = std::fs::read_to_string(env.project.paths.out.join(&site.host).join("hdjl/index.html")).unwrap();
        assert!(home.contains("关于停车管理办法征求意见"), "{label}: listed on the interaction page");

        // Citizens comment through the same protection; another site's host finds nothing.
        let citizen = Citizen::new(&env, OWN, "203.0.113.50");
        let path = format!("/api/solicitations/{id}/comments");
        let comment = |content: &'static str| {
            let citizen = &citizen;
            let path = path.clone();
            async move {
                let challenge = citizen.challenge().await;
                let nonce = pow::solve(&challenge);
                let form = [
                    ("content", content),
                    ("name", WRITER),
                    ("phone", PHONE),
                    ("challenge", &challenge),
                    ("nonce", &nonce),
                ];
                citizen.send(&path, &form).await
            }
        };
        assert_eq!(comment("建议增加夜间免费停车时段。").await.0, 201, "{label}");
        assert_eq!(comment("短").await.0, 400, "{label}");
        let stranger = Citizen::new(&env, FOREIGN, "203.0.113.51");
        let challenge = stranger.challenge().await;
        let nonce = pow::solve(&challenge);
        let form = [
            ("content", "建议增加夜间免费停车时段。"),
            ("name", WRITER),
            ("phone", PHONE),
            ("challenge", challenge.as_str()),
            ("nonce", nonce.as_str()),
        ];
        assert_eq!(stranger.send(&path, &form).await.0, 404, "{label}: only on its own site");

        // The summary waits for the close; a closed solicitation takes no more comments.
        let (s, _) =
            ed.post(&format!("/admin/solicitations/{id}/summary"), &[("text", "共收到意见一条，已采纳。")]).await;
        assert_eq!(s, 409, "{label}: still open");
        let (s, loc) = post("/admin/solicitations".into(), refs(&draft(day(-20), day(-2)))).await;
        assert_eq!(s, 303, "{label}");
        let closed: i64 = loc.trim_start_matches("/admin/solicitations/").parse().unwrap();
        let mut submit = refs(&draft(day(-20), day(-2)));
        submit.push(("submit", "1".into()));
        post(format!("/admin/solicitations/{closed}"), submit).await;
        rv.post(&format!("/admin/solicitations/{closed}/review"), &[("decision", "approve")]).await;
        let challenge = citizen.challenge().await;
        let nonce = pow::solve(&challenge);
        let form = [
            ("content", "建议增加夜间免费停车时段。"),
            ("name", WRITER),
            ("phone", PHONE),
            ("challenge", challenge.as_str()),
            ("nonce", nonce.as_str()),
        ];
        let (s, v) = citizen.send(&format!("/api/solicitations/{closed}/comments"), &form).await;
        assert_eq!(s, 409, "{label}: {v}");
        assert!(v["error"].as_str().unwrap().contains("不在征集期内"), "{label}");
        let (s, _) = ed
            .post(
                &format!("/admin/solicitations/{closed}/summary"),
                &[("text", "收到的意见主要涉及收费标准，已部分采纳。"), ("submit", "1")],
            )
            .await;
        assert_eq!(s, 303, "{label}");
        let (s, _) = rv.post(&format!("/admin/solicitations/{closed}/review"), &[("decision", "approve")]).await;
        assert_eq!(s, 303, "{label}");
        let html = std::fs::read_to_string(page.with_file_name(format!("{closed}.html"))).unwrap();
        assert!(
            html.contains("意见反馈情况") && html.contains("已部分采纳") && !html.contains("zq-comment-form"),
            "{label}"
        );

        // The comments are the site's to read, with the writer; never on a page, never abroad.
        let (_, admin_page) = ed.get(&format!("/admin/solicitations/{id}")).await;
        assert!(admin_page.contains("建议增加夜间免费停车时段") && admin_page.contains(PHONE), "{label}");
        assert_eq!(signed_in(&env, "xed").await.get(&format!("/admin/solicitations/{id}")).await.0, 404, "{label}");
        assert!(!html.contains(WRITER) && !html.contains(PHONE), "{label}");
        let (s, _) = store
            .solicitation(crate::common::one_site(env.sites[FOREIGN]), id)
            .await
            .map(|_| (200, ()))
            .unwrap_or((404, ()));
        assert_eq!(s, 404, "{label}");
    }
}
