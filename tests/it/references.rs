//! 引用 on both backends: a reviewer shows a published article in further columns of its own
//! site; each column lists it, the reference's page names the source as canonical and is not
//! searched twice; an edit at the source reaches every reference in the same publish, a
//! withdrawal at the source takes them all down, and a reference can be taken down alone; a
//! reference in the column the source moves to goes. The live site equals a full build after
//! every step, other tenants are refused, and two reviewers racing get one page and a 409.

use std::path::Path;

use zhanqun::project::Project;
use zhanqun::store::StoreError;

use crate::common::databases;
use crate::common::temp_project;
use crate::publishing::{assert_same_tree, full_build_of};
use crate::submissions::{conflict, desk, host, input, listed_on, page, project, publish, FROM, IP};

async fn same_as_built(tmp: &Path, label: &str, p: &Project) {
    let dir = tmp.join(format!("full-ref-{}", label.replace([' ', ':'], "-")));
    assert_same_tree(label, &host(p, FROM), &full_build_of(p, FROM, &dir).await);
}

async fn searchable(p: &Project, id: i64) -> bool {
    let now = zhanqun::content::now_local();
    p.store.searchable_keys(&now).await.unwrap().iter().any(|(a, _)| *a == id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_show_one_source_in_other_columns() {
    let tmp = temp_project();
    for (backend, url) in databases(tmp.path()) {
        let p = project(tmp.path(), &url, |_| {}).await;
        let dept = desk(&p, FROM).await;
        let czj = desk(&p, "czj").await;
        let store = &p.store;
        let by = dept.as_reviewer();

        // Only a published article of one's own site, into a column of that site that lists
        // articles and does not hold it already.
        let draft = store.save_draft(dept.scope, &dept.editor, None, &input("尚未发布的通知", "")).await.unwrap();
        conflict(store.reference_in(dept.scope, by, draft, "tzgg").await, backend);
        let a = dept.approve(&p, None, &input("发改委公布重点项目清单", "")).await;
        publish(&p).await;
        let foreign = store.reference_in(czj.scope, czj.as_reviewer(), a, "tzgg").await;
        assert!(matches!(foreign, Err(StoreError::NotFound)), "{backend}: {foreign:?}");
        for (column, why) in [("nosuch", "本站没有栏目"), ("gk", "不发布文章"), ("bszn", "不发布文章")]
        {
            match store.reference_in(dept.scope, by, a, column).await {
                Err(StoreError::Invalid(m)) => assert!(m.contains(why), "{backend}: {column}: {m}"),
                other => panic!("{backend}: {column}: {other:?}"),
            }
        }
        assert!(conflict(store.reference_in(dept.scope, by, a, "gzdt").await, backend).contains("本来就在"));

        // Referenced in 通知公告: listed in both columns, one source (and one published article
        // in the site's figures).
        let published = || async { store.site_figures(dept.scope).await.unwrap()[&dept.site_id].published };
        let before = published().await;
        let r = store.reference_in(dept.scope, by, a, "tzgg").await.unwrap();
        assert_eq!(published().await, before, "{backend}");
        publish(&p).await;
        assert!(listed_on(&p, FROM, "gzdt", a) && listed_on(&p, FROM, "tzgg", r), "{backend}");
        let html = page(&p, FROM, r).expect("the reference's page is live");
        let source_url = p.group().url(p.group().site(FROM).unwrap(), "/gzdt/");
        assert!(html.contains("发改委公布重点项目清单"), "{backend}");
        assert!(
            html.contains(&format!("<link rel=\"canonical\" href=\"{source_url}")),
            "{backend}: the source page is canonical"
        );
        assert!(!html.contains("原文</a>"), "{backend}: no link to an 'original' on its own site");
        assert!(searchable(&p, a).await && !searchable(&p, r).await, "{backend}: searched once");
        let view = store.article(dept.scope, r).await.unwrap().unwrap();
        assert_eq!((view.reference_of, view.taken_from.as_deref(), view.column.as_str()), (Some(a), None, "tzgg"));
        let source = store.article(dept.scope, a).await.unwrap().unwrap();
        assert_eq!(source.references.iter().map(|x| x.column.as_str()).collect::<Vec<_>>(), ["tzgg"]);
        same_as_built(tmp.path(), &format!("{backend}: referenced"), &p).await;

        // Two reviewers referencing it in the same column at once: one page, one conflict.
        let (x, y) =
            tokio::join!(store.reference_in(dept.scope, by, a, "zcfg"), store.reference_in(dept.scope, by, a, "zcfg"),);
        assert_eq!([&x, &y].iter().filter(|r| r.is_ok()).count(), 1, "{backend}: {x:?} {y:?}");
        assert!([&x, &y].iter().any(|r| matches!(r, Err(StoreError::Conflict(_)))), "{backend}");
        let r2 = x.or(y).unwrap();

        // The reference is not edited; an edit at the source reaches both pages at once.
        let edit = store.save_draft(dept.scope, &dept.editor, Some(r), &input("改引用的标题", "")).await;
        assert!(conflict(edit, backend).contains("原稿件"), "{backend}");
        dept.approve(&p, Some(a), &input("发改委公布重点项目清单（更新）", "")).await;
        publish(&p).await;
        for id in [a, r, r2] {
            assert!(page(&p, FROM, id).unwrap().contains("（更新）"), "{backend}: {id}");
        }
        same_as_built(tmp.path(), &format!("{backend}: edited"), &p).await;

        // Taken down alone, the reference goes and the source stays; it may be placed again.
        store.withdraw(dept.scope, &dept.reviewer, r, "栏目调整", IP).await.unwrap();
        publish(&p).await;
        assert!(page(&p, FROM, r).is_none() && !listed_on(&p, FROM, "tzgg", r), "{backend}");
        assert!(page(&p, FROM, a).is_some() && listed_on(&p, FROM, "gzdt", a), "{backend}");
        same_as_built(tmp.path(), &format!("{backend}: reference withdrawn"), &p).await;
        let r3 = store.reference_in(dept.scope, by, a, "tzgg").await.unwrap();
        publish(&p).await;
        assert!(listed_on(&p, FROM, "tzgg", r3), "{backend}");

        // The source moves to 政策法规, where it is referenced: the reference there goes, so the
        // column lists it once.
        let mut moved = input("发改委公布重点项目清单（更新）", "");
        moved.column = "zcfg".into();
        dept.approve(&p, Some(a), &moved).await;
        publish(&p).await;
        assert!(listed_on(&p, FROM, "zcfg", a) && !listed_on(&p, FROM, "zcfg", r2), "{backend}");
        assert!(page(&p, FROM, r2).is_none() && listed_on(&p, FROM, "tzgg", r3), "{backend}");
        same_as_built(tmp.path(), &format!("{backend}: moved"), &p).await;

        // A withdrawal at the source takes every reference down in the same publish.
        store.withdraw(dept.scope, &dept.reviewer, a, "内容有误", IP).await.unwrap();
        publish(&p).await;
        assert!(page(&p, FROM, a).is_none() && page(&p, FROM, r3).is_none(), "{backend}");
        assert!(!listed_on(&p, FROM, "tzgg", r3), "{backend}");
        same_as_built(tmp.path(), &format!("{backend}: withdrawn at the source"), &p).await;

        use sqlx::Row;
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'article.reference'")
            .fetch_one(store.pool())
            .await
            .unwrap()
            .get("n");
        assert_eq!(n, 3, "{backend}: every reference is in the audit log");
    }
}
