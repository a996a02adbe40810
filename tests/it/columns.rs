//! Columns and 专题 managed in the admin, on both backends: a site administrator adds a
//! 专题 and a column, renames, nests, hides, moves and archives them; each change is written
//! into the site's YAML (which `zhanqun check` still accepts, comments kept), taken into the
//! running service and published to the whole site (the live site equals a full build); bad
//! input (a reserved slug, a duplicate, a base column, a third level, a bad date, a stale form)
//! is refused with the reason and changes nothing; two administrators at once get one change
//! and a 409; other roles and tenants are refused; the central office vetoes a change.

use std::path::Path;

use zhanqun::group::Group;

use crate::admin_fixture::{self as fx, signed_in, Client, Env, FOREIGN, OWN};
use crate::publishing::full_build_of;

/// A form that must be refused: where it goes, its fields, words the refusal contains.
type Refusal<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

fn site_file(env: &Env) -> std::path::PathBuf {
    env.project.group().site(OWN).unwrap().file.clone()
}

fn live(env: &Env, path: &str) -> Option<String> {
    let host = env.project.group().site(OWN).unwrap().host.clone();
    std::fs::read_to_string(env.project.paths.out.join(host).join(path)).ok()
}

/// The form's version, read from the column page as the browser would.
async fn version(c: &Client) -> String {
    let (_, page) = c.get(&format!("/admin/columns?site={OWN}")).await;
    fx::between(&page, "name=\"version\" value=\"", "\"").expect("the page carries the file's version")
}

async fn pending(env: &Env) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM publish_jobs WHERE done_at IS NULL")
        .fetch_one(env.project.store.pool())
        .await
        .unwrap()
        .get("n")
}

/// Waits until the publisher has nothing left to do.
async fn published(env: &Env) {
    let started = std::time::Instant::now();
    while pending(env).await > 0 {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the publisher did not catch up");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn post(c: &Client, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let v = version(c).await;
    let mut all = vec![("version", v.as_str())];
    all.extend_from_slice(form);
    c.post(path, &all).await
}

/// The live site against a full build of the same database, after the publisher caught up.
async fn same_as_built(env: &Env, tmp: &Path, label: &str) {
    published(env).await;
    let host = env.project.group().site(OWN).unwrap().host.clone();
    let built = full_build_of(&env.project, OWN, &tmp.join(label.replace([' ', ':'], "-"))).await;
    let pages = |root: &Path| -> std::collections::BTreeMap<String, Vec<u8>> {
        crate::common::snapshot(root).into_iter().filter(|(rel, _)| !rel.starts_with("files/")).collect()
    };
    let (live, full) = (pages(&env.project.paths.out.join(host)), pages(&built));
    assert!(live.len() > 20, "{label}: {} files", live.len());
    let differ: Vec<&String> = full.keys().chain(live.keys()).filter(|k| live.get(*k) != full.get(*k)).collect();
    assert!(differ.is_empty(), "{label}: the live site differs from a full build in {differ:?}");
}

fn check_passes(env: &Env, label: &str) {
    let p = &env.project.paths;
    if let Err(problems) = Group::load(&p.sites, Some(&p.themes)) {
        panic!("{label}: zhanqun check fails after the admin's change: {problems:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_admins_manage_columns_and_topics() {
    let tmp = tempfile::tempdir().unwrap();
    for (label, env) in fx::envs_apart(1800).await {
        let sa = signed_in(&env, "sa1").await;
        let file = site_file(&env);
        let add = format!("/admin/columns/{OWN}/add");

        // A 专题 with its landing text and last day.
        let (s, _) = post(
            &sa,
            &add,
            &[
                ("name", "优化营商环境专题"),
                ("slug", "zt-yshj"),
                ("kind", "topic"),
                ("ends", "2099-12-31"),
                ("intro", "围绕优化营商环境，集中发布政策措施。\n欢迎社会各界监督。"),
            ],
        )
        .await;
        assert_eq!(s, 303, "{label}");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("# "), "{label}: the file's header comment stays");
        assert!(text.contains("slug: zt-yshj") && text.contains("ends: 2099-12-31"), "{label}: {text}");
        assert!(env.project.group().site(OWN).unwrap().def.columns.iter().any(|c| c.slug == "zt-yshj"), "{label}");
        check_passes(&env, label);
        published(&env).await;
        let home = live(&env, "index.html").unwrap();
        assert!(home.contains("优化营商环境专题"), "{label}: the navigation has it at once");
        let topic = live(&env, "zt-yshj/index.html").expect("the 专题's page");
        assert!(topic.contains("围绕优化营商环境") && topic.contains("专题时间：至 2099-12-31"), "{label}");
        same_as_built(&env, tmp.path(), &format!("{label}: topic added")).await;

        // Editors can publish into it at once.
        let ed = signed_in(&env, "ed1").await;
        let rv = signed_in(&env, "rv1").await;
        let id = fx::publish_article(&ed, &[&rv], "营商环境专项行动推进会召开", "zt-yshj").await;
        published(&env).await;
        assert!(live(&env, "zt-yshj/index.html").unwrap().contains(&format!("_{id}.html")), "{label}");

        // A channel to hold it, then renamed, nested, hidden and moved.
        let (s, _) = post(&sa, &add, &[("name", "专题专栏"), ("slug", "ztzl"), ("kind", "news")]).await;
        assert_eq!(s, 303, "{label}");
        let update = format!("/admin/columns/{OWN}/zt-yshj");
        let (s, _) = post(&sa, &update, &[("name", "营商环境专题"), ("parent", "ztzl"), ("ends", "2099-12-31")]).await;
        assert_eq!(s, 303, "{label}");
        let cols = env.project.group().site(OWN).unwrap().def.columns.clone();
        let at = |slug: &str| cols.iter().position(|c| c.slug == slug).unwrap();
        assert_eq!(at("zt-yshj"), at("ztzl") + 1, "{label}: a child right after its parent");
        assert_eq!(cols[at("zt-yshj")].parent.as_deref(), Some("ztzl"));
        published(&env).await;
        let article = live(&env, &format!("zt-yshj/{}", page_of(&env, id))).expect("the article page");
        assert!(
            article.contains("营商环境专题") && !article.contains("优化营商环境专题"),
            "{label}: every page renamed"
        );
        let (s, _) = post(&sa, &format!("/admin/columns/{OWN}/ztzl/move"), &[("dir", "up")]).await;
        assert_eq!(s, 303, "{label}");
        let cols = env.project.group().site(OWN).unwrap().def.columns.clone();
        let moved = cols.iter().position(|c| c.slug == "ztzl").unwrap();
        assert_eq!(cols[moved + 1].slug, "zt-yshj", "{label}: the child moves with it");
        let (s, _) = post(&sa, &format!("/admin/columns/{OWN}/ztzl"), &[("name", "专题专栏"), ("hidden", "on")]).await;
        assert_eq!(s, 303, "{label}");
        published(&env).await;
        let home = live(&env, "index.html").unwrap();
        assert!(!home.contains("href=\"/ztzl/\""), "{label}: hidden from the navigation");
        assert!(live(&env, "ztzl/index.html").is_some(), "{label}: its pages stay online");
        same_as_built(&env, tmp.path(), &format!("{label}: renamed nested moved hidden")).await;

        // An empty 专题 is an empty column for the inspection, until it is archived.
        let (s, _) = post(&sa, &add, &[("name", "空专题"), ("slug", "zt-empty"), ("kind", "topic")]).await;
        assert_eq!(s, 303, "{label}");
        let empty = |r: &zhanqun::audit::AuditReport| {
            r.sites
                .iter()
                .flat_map(|s| &s.findings)
                .any(|f| f.rule == "fresh.empty_column" && f.column.as_deref() == Some("zt-empty"))
        };
        let now = zhanqun::content::now_local();
        let unix = zhanqun::store::now_unix();
        let r = zhanqun::audit::run(&env.project, Some(OWN), &now, unix).await.unwrap();
        assert!(empty(&r), "{label}: an open 专题 must not stay empty");
        let (s, _) =
            post(&sa, &format!("/admin/columns/{OWN}/zt-empty"), &[("name", "空专题"), ("archived", "on")]).await;
        assert_eq!(s, 303, "{label}");
        let r = zhanqun::audit::run(&env.project, Some(OWN), &now, unix).await.unwrap();
        assert!(!empty(&r), "{label}: an archived 专题 leaves the freshness rules");
        published(&env).await;
        assert!(live(&env, "zt-empty/index.html").unwrap().contains("本专题已结束"), "{label}");
        let late = [("title", "迟到的稿件"), ("column", "zt-empty"), ("body", "正文"), ("intent", "submit")];
        let (s, page) = ed.post("/admin/articles", &late).await;
        assert_eq!(s, 400, "{label}: an ended 专题 takes no new article");
        assert!(page.contains("专题“空专题”已结束"), "{label}");
        let (_, form) = ed.get("/admin/articles/new").await;
        assert!(form.contains("value=\"zt-yshj\"") && !form.contains("value=\"zt-empty\""), "{label}: not offered");

        // Refused with the reason, nothing written: a reserved slug, a duplicate, a base
        // column, a third level, a bad date, a non-topic with an end date.
        let before = std::fs::read_to_string(&file).unwrap();
        let changes = env.project.store.column_changes(crate::common::whole_group(), None, 100).await.unwrap().len();
        let base_update = format!("/admin/columns/{OWN}/gzdt");
        let refusals: [Refusal; 8] = [
            (&add, vec![("name", "检索"), ("slug", "search"), ("kind", "news")], "公共服务"),
            (&add, vec![("name", "动态"), ("slug", "gzdt"), ("kind", "news")], "已被栏目“工作动态”使用"),
            (&add, vec![("name", "大写"), ("slug", "Bad Slug"), ("kind", "news")], "只能使用小写字母"),
            (&add, vec![("name", "三级"), ("slug", "sanji"), ("kind", "news"), ("parent", "zt-yshj")], "最多两级"),
            (&add, vec![("name", "日期"), ("slug", "zt-d"), ("kind", "topic"), ("ends", "2026-02-30")], "不是有效日期"),
            (&base_update, vec![("name", "工作信息")], "统一基本栏目"),
            (&format!("/admin/columns/{OWN}/gzdt/move"), vec![("dir", "up")], "统一基本栏目"),
            (&add, vec![("name", "互动"), ("slug", "hd2"), ("kind", "interaction")], "请选择栏目类型"),
        ];
        for (path, form, why) in &refusals {
            let (s, page) = post(&sa, path, form).await;
            assert_eq!(s, 400, "{label}: {path} {form:?}");
            assert!(page.contains(why) && page.contains("未作任何修改"), "{label}: {why}: {}", excerpt(&page));
        }
        // What was typed stays in the form.
        let (_, page) = post(&sa, &add, &[("name", "保留的名称"), ("slug", "search"), ("kind", "news")]).await;
        assert!(page.contains("value=\"保留的名称\""), "{label}");
        // A form shown before someone else's change is a conflict.
        let (s, page) =
            sa.post(&add, &[("version", "0123456789abcdef"), ("name", "过期"), ("slug", "gq"), ("kind", "news")]).await;
        assert_eq!(s, 409, "{label}");
        assert!(page.contains("刚被其他人修改过"), "{label}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), before, "{label}: nothing half-applied");
        let after = env.project.store.column_changes(crate::common::whole_group(), None, 100).await.unwrap().len();
        assert_eq!(after, changes, "{label}: no change recorded");

        // Two administrators at once, from the same page: one change, one conflict.
        let central = signed_in(&env, "cadmin").await;
        let v = version(&sa).await;
        let jia = [("version", v.as_str()), ("name", "甲栏目"), ("slug", "jia"), ("kind", "news")];
        let yi = [("version", v.as_str()), ("name", "乙栏目"), ("slug", "yi"), ("kind", "news")];
        let (x, y) = tokio::join!(sa.post(&add, &jia), central.post(&add, &yi));
        let mut codes = [x.0, y.0];
        codes.sort_unstable();
        assert_eq!(codes, [303, 409], "{label}");
        check_passes(&env, label);

        // Other roles and tenants.
        let (s, _) = ed.post(&add, &[("version", "x"), ("name", "信息员加的"), ("slug", "xx"), ("kind", "news")]).await;
        assert_eq!(s, 403, "{label}: an editor manages no columns");
        let xsa = signed_in(&env, "xsa").await;
        let (s, _) = xsa.post(&add, &[("version", "x"), ("name", "别人的"), ("slug", "xx"), ("kind", "news")]).await;
        assert_eq!(s, 404, "{label}: another site's administrator");
        let (s, _) = xsa.get(&format!("/admin/columns?site={OWN}")).await;
        assert_eq!(s, 200, "{label}");
        let (s, _) = sa
            .post(
                &format!("/admin/columns/{FOREIGN}/add"),
                &[("version", "x"), ("name", "n"), ("slug", "n"), ("kind", "news")],
            )
            .await;
        assert_eq!(s, 404, "{label}");

        // The central office sees the changes and vetoes the last one: the list before returns.
        let log = env.project.store.column_changes(crate::common::whole_group(), None, 100).await.unwrap();
        let last = &log[0];
        let older = &log[1];
        let (s, page) = central.get(&format!("/admin/columns?site={OWN}")).await;
        assert_eq!(s, 200);
        assert!(page.contains(&last.summary) && page.contains("撤销"), "{label}");
        let (s, _) = central.post(&format!("/admin/column-changes/{}/veto", older.id), &[("reason", "顺序不对")]).await;
        assert_eq!(s, 409, "{label}: a change with a later one on top is not vetoed alone");
        let (s, _) = sa.post(&format!("/admin/column-changes/{}/veto", last.id), &[("reason", "自己撤")]).await;
        assert_eq!(s, 403, "{label}: only the central office vetoes");
        let (s, _) = central.post(&format!("/admin/column-changes/{}/veto", last.id), &[("reason", "")]).await;
        assert_eq!(s, 400, "{label}: a veto says why");
        let (s, _) =
            central.post(&format!("/admin/column-changes/{}/veto", last.id), &[("reason", "栏目设置不规范")]).await;
        assert_eq!(s, 303, "{label}");
        let cols = env.project.group().site(OWN).unwrap().def.columns.clone();
        assert!(!cols.iter().any(|c| c.slug == "jia" || c.slug == "yi"), "{label}: the column is gone again");
        let (s, _) = central.post(&format!("/admin/column-changes/{}/veto", last.id), &[("reason", "再撤一次")]).await;
        assert_eq!(s, 409, "{label}");
        let (_, page) = sa.get(&format!("/admin/columns?site={OWN}")).await;
        assert!(page.contains("已撤销") && page.contains("栏目设置不规范"), "{label}: the site reads why");
        check_passes(&env, label);
        same_as_built(&env, tmp.path(), &format!("{label}: vetoed")).await;

        // A veto never takes published articles off the site with their column.
        let (s, _) = post(&sa, &add, &[("name", "临时栏目"), ("slug", "lsl"), ("kind", "news")]).await;
        assert_eq!(s, 303, "{label}");
        fx::publish_article(&ed, &[&rv], "临时栏目里的稿件", "lsl").await;
        let newest = env.project.store.column_changes(crate::common::whole_group(), None, 1).await.unwrap();
        let (s, page) =
            central.post(&format!("/admin/column-changes/{}/veto", newest[0].id), &[("reason", "不需要")]).await;
        assert_eq!(s, 409, "{label}");
        assert!(page.contains("已有 1 篇已发布的稿件"), "{label}: {}", excerpt(&page));
        assert!(env.project.group().site(OWN).unwrap().def.columns.iter().any(|c| c.slug == "lsl"), "{label}");

        use sqlx::Row;
        let actions: Vec<String> = sqlx::query("SELECT action FROM audit_log WHERE action LIKE 'column.%'")
            .fetch_all(env.project.store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("action"))
            .collect();
        assert!(actions.iter().any(|a| a == "column.change") && actions.iter().any(|a| a == "column.veto"), "{label}");
    }
}

/// The file name of article `id`'s page in its column folder.
fn page_of(env: &Env, id: i64) -> String {
    let host = env.project.group().site(OWN).unwrap().host.clone();
    let root = env.project.paths.out.join(host);
    let suffix = format!("_{id}.html");
    crate::common::html_files(&root)
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().ends_with(&suffix))
        .map(|p| p.strip_prefix(root.join("zt-yshj")).unwrap().display().to_string())
        .expect("the article is published")
}

fn excerpt(page: &str) -> String {
    fx::between(page, "role=\"alert\"", "</div>").unwrap_or_else(|| page.chars().take(300).collect())
}

/// An operator's edit of a site file while the service is down reaches every page of that site
/// once it starts again: opening the project queues the whole site's publication.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_definition_changed_while_stopped_is_published_on_start() {
    let databases = tempfile::tempdir().unwrap();
    for (label, url) in crate::common::databases(databases.path()) {
        let tmp = crate::common::temp_project();
        let first = crate::common::open(tmp.path(), &url).await;
        first.build(&first.build_options(Vec::new(), false, None)).await.unwrap();
        let group = first.group();
        let site = group.site(OWN).unwrap();
        let text = std::fs::read_to_string(&site.file).unwrap();
        std::fs::write(&site.file, text.replace("name: 通知公告", "name: 通知公示")).unwrap();
        let again = crate::common::open(tmp.path(), &url).await;
        let report =
            zhanqun::publish::incremental::run_due(&again.group(), &again.themes, &again.store, &again.paths.out, None)
                .await
                .unwrap();
        assert_eq!(report.sites, 1, "{label}: the one site whose file changed");
        let home = again.paths.out.join(&site.host).join("index.html");
        let html = std::fs::read_to_string(home).unwrap();
        assert!(html.contains("通知公示") && !html.contains("通知公告"), "{label}");
        // Unchanged files queue nothing.
        crate::common::open(tmp.path(), &url).await;
        let report =
            zhanqun::publish::incremental::run_due(&again.group(), &again.themes, &again.store, &again.paths.out, None)
                .await
                .unwrap();
        assert_eq!(report.jobs, 0, "{label}");
    }
}
