//! `zhanqun build`: every page of every site carries its own locked parts; only published,
//! due revisions are rendered; a theme that drops a locked part fails the build and the live
//! output stays as it was.

use sqlx::Row;
use zhanqun::demo::seed::seed_demo_content;
use zhanqun::publish::{NginxOptions, PublishError};
use zhanqun::store::import::import_dir;

use crate::common::{databases, html_files, open, snapshot, temp_project, write_md};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_every_site_carries_its_locked_parts() {
    let tmp = temp_project();
    for (backend, url) in databases(tmp.path()) {
        let project = open(tmp.path(), &url).await;
        let stats =
            seed_demo_content(&project, &tmp.path().join(format!("demo-{backend}")), 3, "operator:test").await.unwrap();
        assert_eq!(stats.created, project.group().sites.len() * 3 + zhanqun::demo::seed::FLAWS.len());
        // A news photograph on the portal, for its 图片新闻.
        let photo = tmp.path().join(format!("photo-{backend}"));
        write_md(
            &photo,
            "szyw/1.md",
            "title: 市政府召开全市优化营商环境大会\ncolumn: szyw\ndate: 2026-11-01 09:00\ncover: 1.png\n",
            "会议现场。\n",
        );
        std::fs::write(photo.join("szyw/1.png"), zhanqun::demo::demo_photo(1).unwrap()).unwrap();
        let www = project.group().site("www").unwrap().clone();
        let r = import_dir(&project.store, crate::common::whole_group(), &www, &photo, None, "operator:test")
            .await
            .unwrap();
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let mut opts = project.build_options(Vec::new(), false, Some(NginxOptions::default()));
        opts.out = tmp.path().join(format!("publish-{backend}"));
        let summary = project.build(&opts).await.unwrap();
        assert!(summary.sites >= 151, "{backend}: {summary}");
        let mut pages = 0;
        for site in &project.group().sites {
            let d = &site.def;
            let root = opts.out.join(&site.host);
            assert!(
                std::fs::symlink_metadata(&root).unwrap().file_type().is_symlink(),
                "{} is swapped in by symlink",
                site.host
            );
            for f in [
                "sitemap.xml",
                "rss.xml",
                "robots.txt",
                "404.html",
                "static/style.css",
                "_group/logo.svg",
                "_group/party-mark.svg",
                "gzdt/rss.xml",
                "wzdt/index.html",
            ] {
                assert!(root.join(f).is_file(), "{backend}: {} lacks {f}", site.host);
            }
            let expected = [
                "<img src=\"/_group/logo.svg\" alt=\"示例市人民政府网站群\"".to_string(),
                format!("<p class=\"zq-site-name\"><a href=\"/\">{}</a></p>", d.name),
                format!("主办单位：{}", d.organizer),
                format!("网站标识码：{}", d.site_id),
                format!(">{}</a>", d.icp),
                format!("{}</a>", d.psb),
                "alt=\"党政机关网站标识\"".to_string(),
                format!("jiucuo.html?site_code={}", d.site_id),
                "<form class=\"zq-search\" data-zq-locked=\"search\" action=\"/search\"".to_string(),
                format!("{{s:\"{}\",p:location.pathname", d.code),
                "<a href=\"/wzdt/\">网站地图</a>".to_string(),
                "<html lang=\"zh-CN\">".to_string(),
                // 哀悼日 comes from the group's stylesheet, 关怀版 from the switch on every page.
                "<link rel=\"stylesheet\" href=\"/_group/mode.css\">".to_string(),
                "<a class=\"zq-care-on\" href=\"/_care/on?to=/".to_string(),
            ];
            for page in html_files(&root) {
                let html = std::fs::read_to_string(&page).unwrap();
                for e in &expected {
                    assert!(html.contains(e.as_str()), "{backend}: {} lacks `{e}`", page.display());
                }
                pages += 1;
            }
        }
        assert!(pages >= summary.sites * 10, "{pages} pages");
        let conf = std::fs::read_to_string(opts.out.join("nginx/zhanqun.conf")).unwrap();
        assert_eq!(conf.matches("server_name ").count(), project.group().sites.len());
        assert!(conf.contains("server_name fgw.shili.gov.cn;") && conf.contains("listen [::]:80;"));
        let sitemap = crate::common::sitemaps(&opts.out.join("fgw.shili.gov.cn"));
        assert_eq!(
            sitemap.matches("<url>").count(),
            1 + 1 + 1 + 2 + 6 + 3,
            "home, contact, site map, interaction and its answers, six column pages, three articles"
        );
        // The portal's home: 图片新闻 from the cover of its news, and the service entrances.
        let home = std::fs::read_to_string(opts.out.join("www.shili.gov.cn/index.html")).unwrap();
        assert!(home.contains("<h2 id=\"h-pictures\">图片新闻</h2>"), "{backend}");
        assert!(home.contains("<li class=\"zq-picture-lead\"><a href=\"/szyw/"), "{backend}");
        assert!(home.contains("<span>市政府召开全市优化营商环境大会</span>"), "{backend}");
        assert!(home.contains("<img src=\"/files/"), "{backend}: the cover is published beside");
        for (name, url) in [("政府信息公开", "/zcfg/"), ("政务服务", "/bszn/"), ("互动交流", "/hdjl/")] {
            assert!(home.contains(&format!("<li><a href=\"{url}\"><strong>{name}</strong>")), "{backend}: {name}");
        }
        let fgw_home = std::fs::read_to_string(opts.out.join("fgw.shili.gov.cn/index.html")).unwrap();
        assert!(!fgw_home.contains("图片新闻") && !fgw_home.contains("zq-entrances"), "{backend}: portal only");
        // 浏览次数: every article asks the counter for its own figure; the page stays static.
        let article = html_files(&opts.out.join("fgw.shili.gov.cn"))
            .into_iter()
            .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('t') && n.contains('_')))
            .expect("an article page of fgw");
        let article = std::fs::read_to_string(article).unwrap();
        assert!(article.contains("<span class=\"zq-views\" data-zq-views=\"fgw\" hidden>"), "{backend}");
        assert!(article.contains("<script src=\"/static/reading.js\" defer></script>"), "{backend}");
        // The site map readers open: every column of the navigation, and on the portal every site.
        let group = project.group();
        for code in ["fgw", "www"] {
            let site = group.site(code).unwrap();
            let map = std::fs::read_to_string(opts.out.join(&site.host).join("wzdt/index.html")).unwrap();
            for c in site.def.columns.iter().filter(|c| !c.hidden) {
                assert!(
                    map.contains(&format!("<a href=\"/{}/\">{}</a>", c.slug, c.name)),
                    "{backend}: {code} {}",
                    c.slug
                );
            }
            assert!(map.contains("<a href=\"/sitemap.xml\">sitemap.xml</a>"), "{backend}");
            let sites_listed = map.matches(".shili.gov.cn/\">").count();
            if code == "www" {
                assert!(sites_listed >= group.sites.len() - 1, "{backend}: the portal's map names every site");
            }
        }
        project.store.close().await;
    }
}

/// Inserts an article whose live state is given by raw SQL, bypassing the workflow.
async fn raw_article(
    pool: &sqlx::AnyPool,
    (site_id, column_id): (i64, i64),
    no: &str,
    status: &str,
    publish_at: &str,
    title: &str,
    live: bool,
) -> i64 {
    let id: i64 = sqlx::query("INSERT INTO articles (site_id, column_id, index_no, status, pinned, created_at, updated_at) VALUES ($1, $2, $3, $4, 0, 0, 0) RETURNING id")
        .bind(site_id)
        .bind(column_id)
        .bind(no)
        .bind(status)
        .fetch_one(pool)
        .await
        .unwrap()
        .get(0);
    let rev: i64 = sqlx::query(
        "INSERT INTO revisions (article_id, number, title, summary, body_md, publish_at, disclosure, validity, content_hash, created_by, created_at)
         VALUES ($1, 1, $2, '', '正文', $3, '主动公开', '有效', 'x', 'test', 0) RETURNING id",
    )
    .bind(id)
    .bind(title)
    .bind(publish_at)
    .fetch_one(pool)
    .await
    .unwrap()
    .get(0);
    if live {
        sqlx::query("UPDATE articles SET published_revision_id = $1 WHERE id = $2")
            .bind(rev)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
    }
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_published_due_revisions_are_rendered() {
    let tmp = temp_project();
    for (backend, url) in databases(tmp.path()) {
        let project = open(tmp.path(), &url).await;
        let legacy = tmp.path().join(format!("legacy-{backend}"));
        write_md(
            &legacy,
            "a.md",
            "title: 已发布的文章<script>alert(1)</script>\ncolumn: gzdt\ndate: 2024-05-01\n",
            "正文<script>alert(2)</script>[链接](javascript:alert(3))\n",
        );
        import_dir(
            &project.store,
            crate::common::whole_group(),
            project.group().site("fgw").unwrap(),
            &legacy,
            None,
            "operator:test",
        )
        .await
        .unwrap();
        let row = project.store.site_row("fgw").await.unwrap();
        let col = row.columns["gzdt"];
        let pool = project.store.pool();
        raw_article(pool, (row.id, col), "T/2024-90001", "draft", "2024-05-02 00:00:00", "草稿不应发布", false).await;
        raw_article(pool, (row.id, col), "T/2024-90002", "submitted", "2024-05-02 00:00:00", "待审不应发布", true)
            .await;
        raw_article(pool, (row.id, col), "T/2024-90003", "withdrawn", "2024-05-02 00:00:00", "已撤稿不应发布", true)
            .await;
        raw_article(pool, (row.id, col), "T/2099-90004", "published", "2099-01-01 00:00:00", "定时未到不应发布", true)
            .await;
        // A newer revision under review must not replace the live one.
        let live_id: i64 =
            sqlx::query("SELECT id FROM articles WHERE source_key = 'a.md'").fetch_one(pool).await.unwrap().get(0);
        sqlx::query("INSERT INTO revisions (article_id, number, title, summary, body_md, publish_at, disclosure, validity, content_hash, created_by, created_at) VALUES ($1, 2, '修改稿待审不应发布', '', 'x', '2024-05-01 00:00:00', '主动公开', '有效', 'y', 'test', 0)")
            .bind(live_id)
            .execute(pool)
            .await
            .unwrap();

        let mut opts = project.build_options(vec!["fgw".into()], false, Some(NginxOptions::default()));
        opts.out = tmp.path().join(format!("publish-{backend}"));
        let summary = project.build(&opts).await.unwrap();
        assert_eq!(summary.sites, 1);
        let mut all = String::new();
        for f in html_files(&opts.out.join("fgw.shili.gov.cn")) {
            all.push_str(&std::fs::read_to_string(f).unwrap());
        }
        for f in ["rss.xml", "gzdt/rss.xml"] {
            all.push_str(&std::fs::read_to_string(opts.out.join("fgw.shili.gov.cn").join(f)).unwrap());
        }
        all.push_str(&crate::common::sitemaps(&opts.out.join("fgw.shili.gov.cn")));
        assert!(all.contains("已发布的文章&lt;script&gt;"), "{backend}: the title is escaped");
        assert!(
            !all.contains("alert(1)</script>")
                && !all.contains("<script>alert(2)")
                && !all.contains("javascript:alert(3)"),
            "{backend}: no injected script"
        );
        for hidden in ["草稿不应发布", "待审不应发布", "已撤稿不应发布", "定时未到不应发布", "修改稿待审不应发布"]
        {
            assert!(!all.contains(hidden), "{backend}: `{hidden}` leaked into the site");
        }
        // Only the named site was built.
        assert!(!opts.out.join("jyj.shili.gov.cn").exists());
        project.store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_theme_without_the_locked_footer_fails_and_keeps_the_live_site() {
    let tmp = temp_project();
    // A site may add its own banner; it is published under /static/.
    let sites = tmp.path().join("sites");
    std::fs::copy(sites.join("assets/logo.svg"), sites.join("assets/fgw-banner.svg")).unwrap();
    let fgw = std::fs::read_to_string(sites.join("fgw.yaml")).unwrap();
    std::fs::write(
        sites.join("fgw.yaml"),
        fgw.replace("  variant: blue\n", "  variant: blue\n  banner: assets/fgw-banner.svg\n"),
    )
    .unwrap();
    let db = tmp.path().join("t.db").display().to_string();
    let mut project = open(tmp.path(), &db).await;
    seed_demo_content(&project, &tmp.path().join("demo"), 2, "operator:test").await.unwrap();
    let opts = project.build_options(vec!["fgw".into(), "www".into()], false, Some(NginxOptions::default()));
    project.build(&opts).await.unwrap();
    let home = std::fs::read_to_string(opts.out.join("fgw.shili.gov.cn/index.html")).unwrap();
    assert!(home.contains("<img class=\"zq-banner\" src=\"/static/banner.svg\""), "banner on the home page");
    assert!(opts.out.join("fgw.shili.gov.cn/static/banner.svg").is_file());
    let before = snapshot(&opts.out.join("fgw.shili.gov.cn"));
    let link_before = std::fs::read_link(opts.out.join("fgw.shili.gov.cn")).unwrap();

    let base = tmp.path().join("themes/default/templates/base.html");
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(&base, text.replace("{{ locked.footer }}", "<footer>自制页脚</footer>")).unwrap();
    project.reload().await.unwrap();
    let err = project.build(&opts).await.unwrap_err();
    assert!(matches!(err, PublishError::LockedPartMissing { part: "footer", .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("themes/default/templates/") && msg.contains("lacks the locked footer"), "{msg}");

    assert_eq!(std::fs::read_link(opts.out.join("fgw.shili.gov.cn")).unwrap(), link_before);
    assert_eq!(snapshot(&opts.out.join("fgw.shili.gov.cn")), before, "the live site is untouched");
    let staging = opts.out.join(".staging");
    assert!(!staging.exists() || std::fs::read_dir(&staging).unwrap().count() == 0, "the failed build cleaned up");

    // A template that alters the footer's text, not just drops it, is caught too.
    std::fs::write(&base, text.replace("{{ locked.footer }}", "{{ locked.footer | replace('网站标识码', '标识码') }}"))
        .unwrap();
    project.reload().await.unwrap();
    assert!(matches!(project.build(&opts).await.unwrap_err(), PublishError::LockedPartMissing { .. }));
}
