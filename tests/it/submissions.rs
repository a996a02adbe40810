//! 信息报送 on both backends: a department submits a published article to the portal, the
//! portal's reviewer accepts it into a declared column or declines it; the accepted page
//! follows every edit and withdrawal at the source in the same publish (or waits for
//! re-acceptance when the group asks for it); the portal may take its copy down alone; the
//! live portal always equals a full build; and each step is refused to other tenants and
//! answered 409 when two people race for it.

use std::path::Path;

use zhanqun::auth::Role;
use zhanqun::content::draft::DraftInput;
use zhanqun::project::Project;
use zhanqun::publish::incremental::run_due;
use zhanqun::publish::NginxOptions;
use zhanqun::search::index::SearchIndex;
use zhanqun::search::request::{Scope, SearchRequest};
use zhanqun::store::import::import_dir;
use zhanqun::store::mailboxes::Actor;
use zhanqun::store::submissions::SubmissionState;
use zhanqun::store::tenant::{Job, Tenant};
use zhanqun::store::users::{NewUser, User};
use zhanqun::store::workflow::Decision;
use zhanqun::store::StoreError;

use crate::common::{databases, open, temp_project};
use crate::publishing::{assert_same_tree, full_build_of};

pub(crate) const FROM: &str = "fgw";
const TO: &str = "www";
pub(crate) const IP: &str = "127.0.0.1";

/// An editor and a reviewer of one site.
pub(crate) struct Desk {
    pub(crate) scope: Tenant,
    pub(crate) site_id: i64,
    pub(crate) editor: User,
    pub(crate) reviewer: User,
}

pub(crate) async fn desk(project: &Project, code: &str) -> Desk {
    let site_id = project.store.site_rows().await.unwrap()[code].id;
    let scope = Tenant::system_site(Job::Test, site_id);
    let mut users = Vec::new();
    for (role, name) in [(Role::Editor, "editor"), (Role::Reviewer, "reviewer")] {
        let username = format!("{code}-{name}");
        let u = NewUser {
            username: &username,
            display_name: &username,
            role,
            site_id: Some(site_id),
            password: "Test#Pass2026",
            must_change_password: false,
        };
        let id = project.store.create_user(scope, &u, "operator:test", None).await.unwrap();
        users.push(project.store.user_by_id(scope, id).await.unwrap().unwrap());
    }
    let reviewer = users.pop().unwrap();
    let editor = users.pop().unwrap();
    Desk { scope, site_id, editor, reviewer }
}

pub(crate) fn input(title: &str, validity: &str) -> DraftInput {
    let mut i = DraftInput {
        title: title.into(),
        column: "gzdt".into(),
        body: format!("{title}的正文。\n\n请各单位认真落实。"),
        validity: validity.into(),
        ..Default::default()
    };
    i.normalize();
    i
}

impl Desk {
    pub(crate) fn as_editor(&self) -> Actor<'_> {
        Actor { name: &self.editor.username, ip: Some(IP), user_id: Some(self.editor.id) }
    }

    pub(crate) fn as_reviewer(&self) -> Actor<'_> {
        Actor { name: &self.reviewer.username, ip: Some(IP), user_id: Some(self.reviewer.id) }
    }

    pub(crate) async fn approve(&self, project: &Project, id: Option<i64>, input: &DraftInput) -> i64 {
        let s = &project.store;
        let id = s.save_draft(self.scope, &self.editor, id, input).await.unwrap();
        s.submit(self.scope, &self.editor, id, IP).await.unwrap();
        let decision = Decision { secrecy_reviewed: true, ..Default::default() };
        s.approve(self.scope, &project.group(), &self.reviewer, id, &decision, IP).await.unwrap();
        id
    }

    async fn offer(&self, project: &Project, id: i64) -> Result<i64, StoreError> {
        project.store.submit_to(self.scope, &project.group(), self.as_editor(), id, TO, "请采用").await
    }
}

pub(crate) async fn publish(project: &Project) {
    run_due(&project.group(), &project.themes, &project.store, &project.paths.out, None).await.unwrap();
}

/// A project with a few dozen imported articles on both sites, built; `edit` changes its
/// group definition first.
pub(crate) async fn project(dir: &Path, url: &str, edit: impl FnOnce(&Path)) -> Project {
    edit(&dir.join("sites"));
    let project = open(dir, url).await;
    let sites: Vec<zhanqun::demo::DemoSite> = [FROM, TO]
        .iter()
        .map(|code| {
            let group = project.group();
            let site = group.site(code).unwrap();
            zhanqun::demo::DemoSite {
                code: site.code().into(),
                name: site.def.name.clone(),
                short: site.def.name.clone(),
                kind: site.def.kind,
            }
        })
        .collect();
    let content = dir.join(format!("content-{}", url.len()));
    zhanqun::demo::write_content(&content, &sites, 40, zhanqun::demo::content_day()).unwrap();
    for code in [FROM, TO] {
        let group = project.group();
        let site = group.site(code).unwrap();
        let r = import_dir(&project.store, Tenant::system(Job::Test), site, &content.join(code), None, "operator:test")
            .await
            .unwrap();
        assert!(r.problems.is_empty(), "{:?}", r.problems);
    }
    let opts = project.build_options(vec![FROM.into(), TO.into()], false, Some(NginxOptions::default()));
    project.build(&opts).await.unwrap();
    project
}

pub(crate) fn host(project: &Project, code: &str) -> std::path::PathBuf {
    project.paths.out.join(&project.group().site(code).unwrap().host)
}

/// The live page of article `id` on a site, if any.
pub(crate) fn page(project: &Project, code: &str, id: i64) -> Option<String> {
    let suffix = format!("_{id}.html");
    crate::common::html_files(&host(project, code))
        .into_iter()
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.starts_with('t') && name.ends_with(&suffix)
        })
        .map(|p| std::fs::read_to_string(p).unwrap())
}

pub(crate) fn listed_on(project: &Project, code: &str, column: &str, id: i64) -> bool {
    let html = std::fs::read_to_string(host(project, code).join(column).join("index.html")).unwrap_or_default();
    html.contains(&format!("_{id}.html\""))
}

async fn index_no(project: &Project, id: i64) -> String {
    use sqlx::Row;
    sqlx::query("SELECT index_no FROM articles WHERE id = $1")
        .bind(id)
        .fetch_one(project.store.pool())
        .await
        .unwrap()
        .get("index_no")
}

/// The live portal equals a full build of the same database.
async fn same_as_built(tmp: &Path, label: &str, p: &Project) {
    let dir = tmp.join(format!("full-{}", label.replace([' ', ':'], "-")));
    let built = full_build_of(p, TO, &dir).await;
    assert_same_tree(label, &host(p, TO), &built);
}

pub(crate) fn conflict<T: std::fmt::Debug>(r: Result<T, StoreError>, label: &str) -> String {
    match r {
        Err(StoreError::Conflict(m)) => m,
        other => panic!("{label}: expected a conflict, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_accept_follow_and_withdraw() {
    let tmp = temp_project();
    for (backend, url) in databases(tmp.path()) {
        let p = project(tmp.path(), &url, |_| {}).await;
        let (dept, portal) = (desk(&p, FROM).await, desk(&p, TO).await);
        let czj = desk(&p, "czj").await;
        let store = &p.store;

        // A draft cannot be offered; a published article can, once per receiving site.
        let draft = store.save_draft(dept.scope, &dept.editor, None, &input("尚未发布的稿件", "")).await.unwrap();
        conflict(dept.offer(&p, draft).await, backend);
        let a = dept.approve(&p, None, &input("发改委推进重点项目建设", "")).await;
        publish(&p).await;
        let sub = dept.offer(&p, a).await.unwrap();
        assert!(conflict(dept.offer(&p, a).await, backend).contains("正在等待采用"));
        let refused = store.submit_to(dept.scope, &p.group(), dept.as_editor(), a, "czj", "").await;
        assert!(
            matches!(refused, Err(StoreError::Invalid(ref m)) if m.contains("不接收报送")),
            "{backend}: {refused:?}"
        );
        // Another department cannot offer fgw's article, nor see the submission.
        let foreign = store.submit_to(czj.scope, &p.group(), czj.as_editor(), a, TO, "").await;
        assert!(matches!(foreign, Err(StoreError::NotFound)), "{backend}: {foreign:?}");
        assert!(matches!(store.submission(czj.scope, sub).await, Err(StoreError::NotFound)));
        assert!(matches!(store.submissions(czj.scope, portal.site_id, true).await, Err(StoreError::NotFound)));

        // The portal sees it waiting; the sender sees the same row.
        let queue = store.submissions(portal.scope, portal.site_id, true).await.unwrap();
        assert_eq!(queue.len(), 1, "{backend}");
        assert_eq!((queue[0].state, queue[0].from_site.as_str()), (SubmissionState::Submitted, FROM));
        let sent = store.submissions(dept.scope, dept.site_id, false).await.unwrap();
        assert_eq!(sent[0].id, sub);

        // Only the receiving site decides, and only into a column the group declares.
        let by_sender = store.accept_submission(dept.scope, &p.group(), dept.as_reviewer(), sub, "bmdt").await;
        assert!(matches!(by_sender, Err(StoreError::NotFound)), "{backend}: {by_sender:?}");
        let wrong = store.accept_submission(portal.scope, &p.group(), portal.as_reviewer(), sub, "gzdt").await;
        assert!(matches!(wrong, Err(StoreError::Invalid(_))), "{backend}: {wrong:?}");
        let copy = store.accept_submission(portal.scope, &p.group(), portal.as_reviewer(), sub, "bmdt").await.unwrap();
        conflict(store.accept_submission(portal.scope, &p.group(), portal.as_reviewer(), sub, "bmdt").await, backend);
        publish(&p).await;
        let html = page(&p, TO, copy).expect("the accepted page is live on the portal");
        assert!(html.contains("发改委推进重点项目建设"), "{backend}");
        assert!(html.contains(&index_no(&p, a).await), "{backend}: the source's 索引号 is shown");
        assert!(!html.contains(&index_no(&p, copy).await), "{backend}: not the portal's own key");
        let group = p.group();
        let fgw_host = &group.site(FROM).unwrap().host;
        assert!(html.contains("查看示例市发展和改革委员会原文") && html.contains(fgw_host.as_str()), "{backend}");
        assert!(listed_on(&p, TO, "bmdt", copy), "{backend}: on the portal's 部门动态");
        assert!(page(&p, FROM, a).is_some(), "{backend}: the source page stays");
        same_as_built(tmp.path(), &format!("{backend}: accepted"), &p).await;
        // Searched on the portal it is the portal's page, by its source's 索引号 too; across the
        // group it is found once, at its source.
        let index = std::sync::Arc::new(SearchIndex::open(&tmp.path().join(format!("search-{backend}"))).unwrap());
        zhanqun::search::sync::refresh(&index, store, vec![a, copy]).await.unwrap();
        let find = |text: &str, scope: Scope| {
            let req = SearchRequest {
                text: text.into(),
                scope,
                column: None,
                from: None,
                to: None,
                sort: Default::default(),
                page: 1,
            };
            zhanqun::search::search(&index, &req, &Default::default())
                .unwrap()
                .hits
                .iter()
                .map(|h| h.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(find("重点项目建设", Scope::All), [a], "{backend}");
        assert_eq!(find("重点项目建设", Scope::Site(TO.into())), [copy], "{backend}");
        assert_eq!(find(&index_no(&p, a).await, Scope::Site(TO.into())), [copy], "{backend}: the source's 索引号");

        // The portal never edits the copy; an edit at the source reaches it in one publish,
        // and so does 失效.
        let edit = store.save_draft(portal.scope, &portal.editor, Some(copy), &input("门户改的标题", "")).await;
        assert!(conflict(edit, backend).contains("来源单位"));
        dept.approve(&p, Some(a), &input("发改委推进重点项目建设（更新）", "")).await;
        publish(&p).await;
        assert!(page(&p, TO, copy).unwrap().contains("发改委推进重点项目建设（更新）"), "{backend}");
        dept.approve(&p, Some(a), &input("发改委推进重点项目建设（更新）", "失效")).await;
        publish(&p).await;
        let html = page(&p, TO, copy).unwrap();
        assert!(html.contains("<td>失效</td>"), "{backend}: marked 失效 on the portal too");
        same_as_built(tmp.path(), &format!("{backend}: edited at the source"), &p).await;

        // The portal takes its copy down alone; the source stays, and may be offered again.
        store.withdraw(portal.scope, &portal.reviewer, copy, "版面调整", IP).await.unwrap();
        publish(&p).await;
        assert!(page(&p, TO, copy).is_none() && page(&p, FROM, a).is_some(), "{backend}");
        assert_eq!(store.submission(dept.scope, sub).await.unwrap().state, SubmissionState::Withdrawn);
        same_as_built(tmp.path(), &format!("{backend}: withdrawn by the portal"), &p).await;
        let again = dept.offer(&p, a).await.unwrap();
        let copy2 =
            store.accept_submission(portal.scope, &p.group(), portal.as_reviewer(), again, "xqdt").await.unwrap();
        publish(&p).await;
        assert!(listed_on(&p, TO, "xqdt", copy2), "{backend}");

        // A withdrawal at the source takes both pages down in the same publish.
        store.withdraw(dept.scope, &dept.reviewer, a, "内容有误", IP).await.unwrap();
        publish(&p).await;
        assert!(page(&p, FROM, a).is_none() && page(&p, TO, copy2).is_none(), "{backend}");
        assert!(!listed_on(&p, TO, "xqdt", copy2), "{backend}");
        assert_eq!(store.submission(portal.scope, again).await.unwrap().state, SubmissionState::Withdrawn);
        same_as_built(tmp.path(), &format!("{backend}: withdrawn at the source"), &p).await;

        // Declining needs a reason, which the sender reads; a declined article may come again.
        let b = dept.approve(&p, None, &input("发改委召开专题会议", "")).await;
        publish(&p).await;
        let sub_b = dept.offer(&p, b).await.unwrap();
        let empty = store.decline_submission(portal.scope, portal.as_reviewer(), sub_b, " ").await;
        assert!(matches!(empty, Err(StoreError::Invalid(_))), "{backend}: {empty:?}");
        let foreign = store.decline_submission(czj.scope, czj.as_reviewer(), sub_b, "不相关").await;
        assert!(matches!(foreign, Err(StoreError::NotFound)), "{backend}: {foreign:?}");
        store
            .decline_submission(portal.scope, portal.as_reviewer(), sub_b, "属内部事务，不宜在门户发布")
            .await
            .unwrap();
        let seen = store.submission(dept.scope, sub_b).await.unwrap();
        assert_eq!(seen.state, SubmissionState::Declined);
        assert_eq!(seen.reason.as_deref(), Some("属内部事务，不宜在门户发布"));
        conflict(store.accept_submission(portal.scope, &p.group(), portal.as_reviewer(), sub_b, "bmdt").await, backend);
        dept.offer(&p, b).await.unwrap();

        // Two reviewers accepting at once, two editors offering at once: one wins, the
        // other gets a conflict, never a server error.
        let c = dept.approve(&p, None, &input("发改委发布价格监测报告", "")).await;
        publish(&p).await;
        let (x, y) = tokio::join!(dept.offer(&p, c), dept.offer(&p, c));
        assert_eq!([&x, &y].iter().filter(|r| r.is_ok()).count(), 1, "{backend}: {x:?} {y:?}");
        let sub_c = x.or(y).unwrap();
        let group = p.group();
        let (x, y) = tokio::join!(
            store.accept_submission(portal.scope, &group, portal.as_reviewer(), sub_c, "bmdt"),
            store.accept_submission(portal.scope, &group, portal.as_reviewer(), sub_c, "bmdt"),
        );
        assert_eq!([&x, &y].iter().filter(|r| r.is_ok()).count(), 1, "{backend}: {x:?} {y:?}");
        assert!([x, y].into_iter().any(|r| matches!(r, Err(StoreError::Conflict(_)))), "{backend}");
        publish(&p).await;
        same_as_built(tmp.path(), &format!("{backend}: raced"), &p).await;

        // Every step is in the audit log of the site that took it.
        use sqlx::Row;
        let actions: Vec<String> =
            sqlx::query("SELECT action FROM audit_log WHERE action LIKE 'submission.%' ORDER BY id")
                .fetch_all(store.pool())
                .await
                .unwrap()
                .iter()
                .map(|r| r.get("action"))
                .collect();
        for action in ["submission.submit", "submission.accept", "submission.decline"] {
            assert!(actions.iter().any(|a| a == action), "{backend}: {action} in {actions:?}");
        }

        // The month's figures, counted by the day of submission: five sent, three of them
        // taken (two later withdrawn, still counted), one declined, one waiting.
        let now = zhanqun::store::now_unix();
        let (from, to) = (now - 86_400, now + 86_400);
        let central = Tenant::system(Job::Test);
        let figures = store.submission_figures(central, from, to).await.unwrap();
        let sent = figures[&dept.site_id];
        assert_eq!(
            (sent.submitted, sent.accepted, sent.declined, sent.waiting, sent.rate()),
            (5, 3, 1, 1, Some(75)),
            "{backend}"
        );
        let got = figures[&portal.site_id];
        assert_eq!((got.received, got.to_decide, got.submitted), (5, 1, 0), "{backend}");
        // A site reads its own figures only.
        let own = store.submission_figures(dept.scope, from, to).await.unwrap();
        assert_eq!(own.keys().collect::<Vec<_>>(), [&dept.site_id], "{backend}");
        assert!(store.submission_figures(czj.scope, from, to).await.unwrap().is_empty(), "{backend}");
        // Dated last month, the declined one leaves this month's figures for that month's.
        store.backdate_submission(sub_b, now - 40 * 86_400, Some(now - 39 * 86_400)).await.unwrap();
        let sent = store.submission_figures(central, from, to).await.unwrap()[&dept.site_id];
        assert_eq!((sent.submitted, sent.declined, sent.rate()), (4, 0, Some(100)), "{backend}");
        let before = store.submission_figures(central, now - 45 * 86_400, from).await.unwrap();
        assert_eq!((before[&dept.site_id].submitted, before[&dept.site_id].declined), (1, 1), "{backend}");
        assert_eq!(before[&portal.site_id].to_decide, 1, "{backend}: the queue is the queue of now");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_wait_for_reacceptance_when_the_group_asks() {
    let tmp = temp_project();
    for (backend, url) in databases(tmp.path()) {
        let p = project(tmp.path(), &url, |sites| {
            let path = sites.join("group.yaml");
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replace("reaccept_edits: false", "reaccept_edits: true")).unwrap();
        })
        .await;
        let (dept, portal) = (desk(&p, FROM).await, desk(&p, TO).await);
        let store = &p.store;
        let a = dept.approve(&p, None, &input("发改委部署安全生产工作", "")).await;
        publish(&p).await;
        let sub = dept.offer(&p, a).await.unwrap();
        let copy = store.accept_submission(portal.scope, &p.group(), portal.as_reviewer(), sub, "bmdt").await.unwrap();
        publish(&p).await;

        // The edit goes live at the source only; the portal keeps the accepted text.
        dept.approve(&p, Some(a), &input("发改委部署安全生产工作（修订）", "")).await;
        publish(&p).await;
        assert!(page(&p, FROM, a).unwrap().contains("（修订）"), "{backend}");
        assert!(!page(&p, TO, copy).unwrap().contains("（修订）"), "{backend}: waits for the portal");
        let waiting = store.submission(portal.scope, sub).await.unwrap();
        assert!(waiting.edit_waiting && waiting.state == SubmissionState::Accepted, "{backend}");

        // Declining the edit keeps the old text; accepting the next one shows it.
        store.decline_submission(portal.scope, portal.as_reviewer(), sub, "修订内容待核实").await.unwrap();
        assert!(!store.submission(portal.scope, sub).await.unwrap().edit_waiting);
        dept.approve(&p, Some(a), &input("发改委部署安全生产工作（再次修订）", "")).await;
        store.accept_submission(portal.scope, &p.group(), portal.as_reviewer(), sub, "bmdt").await.unwrap();
        publish(&p).await;
        assert!(page(&p, TO, copy).unwrap().contains("（再次修订）"), "{backend}");
        let dir = tmp.path().join(format!("full-reaccept-{backend}"));
        assert_same_tree(backend, &host(&p, TO), &full_build_of(&p, TO, &dir).await);
    }
}

/// The demo group ships months of submissions from many units, fgw's among them, with every
/// outcome represented: the figures and their ranking mean something at the first start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_ships_months_of_submissions() {
    use std::collections::BTreeSet;
    use zhanqun::demo::seed::{seed_demo_content, seed_demo_submissions};
    let tmp = temp_project();
    let db = tmp.path().join("demo.db").display().to_string();
    let p = open(tmp.path(), &db).await;
    seed_demo_content(&p, &tmp.path().join("demo"), 40, "operator:test").await.unwrap();
    let n = seed_demo_submissions(&p).await.unwrap();
    assert_eq!(seed_demo_submissions(&p).await.unwrap(), 0, "seeded once");
    let all = p.store.all_submissions(Tenant::system(Job::Test)).await.unwrap();
    assert_eq!(all.len(), n);
    let senders: BTreeSet<&str> = all.iter().map(|s| s.from_site.as_str()).collect();
    assert!(senders.contains(FROM) && senders.len() >= 30, "{} units: {senders:?}", senders.len());
    assert!(senders.len() < p.group().sites.len() - 20, "some units never report");
    let months: BTreeSet<String> =
        all.iter().map(|s| zhanqun::clock::beijing_day(s.submitted_at).format("%Y-%m").to_string()).collect();
    assert!(months.len() >= 3, "{months:?}");
    let count = |state| all.iter().filter(|s| s.state == state).count();
    let (accepted, declined, waiting) =
        (count(SubmissionState::Accepted), count(SubmissionState::Declined), count(SubmissionState::Submitted));
    assert!(accepted > declined && declined > 0 && waiting > 0, "{accepted} {declined} {waiting}");
    assert!(
        all.iter().any(|s| s.from_site == FROM && s.state == SubmissionState::Submitted),
        "fgw's demo accounts find one of theirs waiting at the portal"
    );
    for s in all.iter().filter(|s| s.decided_at.is_some()) {
        assert!(s.decided_at.unwrap() >= s.submitted_at, "decided after it came: {s:?}");
    }
}
