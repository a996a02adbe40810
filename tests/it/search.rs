//! The shared search over HTTP on every backend: Chinese recall (two-character words, phrases,
//! 文号 and 索引号), scoping to a site, relevance, bad input of every kind, and that nothing
//! unpublished, scheduled or withdrawn is ever found. Index lifecycle (missing, old schema,
//! corrupt, interrupted rebuild) is tested on the library, a kill on the real binary.

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use zhanqun::search::index::SearchError;
use zhanqun::search::SearchIndex;
use zhanqun::store::import::import_dir;

use crate::admin_fixture::{self as fx, publish_article, signed_in, Env, FOREIGN, OWN};
use crate::common::{bin, http_get, temp_project, write_md};

/// The seed document that cites 衡蒸办发【2008】15号 (with square-lenticular brackets).
fn seed_text() -> String {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/demo/corpus/000_3e758c4a8b6553b5.txt");
    std::fs::read_to_string(seeds).unwrap().lines().take(24).collect::<Vec<_>>().join("\n\n")
}

/// A small corpus with known answers, imported as published articles.
async fn import_corpus(env: &Env) {
    let tmp = tempfile::tempdir().unwrap();
    let own = tmp.path().join(OWN);
    write_md(
        &own,
        "tzgg/policy.md",
        "title: 关于印发《加强网络舆情管理工作的实施意见》的通知\ncolumn: zcfg\ndate: 2008-03-10 09:00\ndoc_number: 衡蒸办发〔2008〕15号\nissuer: 蒸湘区人民政府办公室\n",
        "各有关单位：\n\n现将实施意见印发给你们，请认真贯彻执行。\n",
    );
    write_md(
        &own,
        "gzdt/cites.md",
        "title: 蒸湘区党政门户网站群建设情况汇报\ncolumn: gzdt\ndate: 2009-06-01\n",
        &seed_text(),
    );
    write_md(
        &own,
        "gzdt/title.md",
        "title: 市发改委召开优化营商环境工作会议\ncolumn: gzdt\ndate: 2024-05-01 09:30\n",
        "会议听取了各单位工作汇报，部署下一阶段重点任务。\n",
    );
    write_md(
        &own,
        "gzdt/body.md",
        "title: 市发改委召开季度经济运行分析会\ncolumn: gzdt\ndate: 2024-05-02 09:30\n",
        "会议指出，要持续优化营商环境，稳住经济基本盘，做好统计监测工作。\n",
    );
    write_md(
        &own,
        "gzdt/phrase.md",
        "title: 基层工作动态（一）\ncolumn: gzdt\ndate: 2024-04-01\n",
        "本月重点推进政务公开标准化规范化建设，各科室按要求完成。\n",
    );
    write_md(
        &own,
        "gzdt/scattered.md",
        "title: 基层工作动态（二）\ncolumn: gzdt\ndate: 2024-04-02\n",
        "本月重点推进政务服务事项梳理，完成清单编制。另有一批行政权力运行数据已向社会公开。\n",
    );
    for (file, date) in [("old.md", "2023-01-05"), ("new.md", "2024-01-05")] {
        write_md(
            &own,
            &format!("tzgg/{file}"),
            &format!("title: 关于防汛抗旱应急演练的通知\ncolumn: tzgg\ndate: {date}\n"),
            "定于近期组织开展防汛抗旱应急演练，请相关单位做好准备。\n",
        );
    }
    let foreign = tmp.path().join(FOREIGN);
    write_md(
        &foreign,
        "gzdt/a.md",
        "title: 市财政局开展网络舆情应对培训\ncolumn: gzdt\ndate: 2024-03-01\n",
        "培训围绕舆情监测、研判和回应展开。\n",
    );
    write_md(
        &foreign,
        "tzgg/b.md",
        "title: 关于做好优化营商环境财政支持工作的通知\ncolumn: tzgg\ndate: 2024-02-01\n",
        "各区财政部门：为进一步优化营商环境，现就有关事项通知如下。\n",
    );
    for code in [OWN, FOREIGN] {
        let group = env.project.group();
        let site = group.site(code).unwrap();
        let r =
            import_dir(&env.project.store, crate::common::whole_group(), site, &tmp.path().join(code), None, "test")
                .await
                .unwrap();
        assert!(r.problems.is_empty(), "{:?}", r.problems);
    }
    let report = fx::reconcile(&env.project, &env.search).await;
    assert_eq!(report.added, 10, "the reconciliation indexes what the import published");
}

fn get(env: &Env, host: &str, path: &str) -> (u16, String) {
    let (status, _, body) = http_get(env.port, host, path, "");
    (status, String::from_utf8(body).unwrap())
}

fn host(env: &Env, code: &str) -> String {
    env.project.group().site(code).unwrap().host.clone()
}

pub(crate) fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("q", s)]).unwrap()
}

/// The JSON answer of /api/search on `code`'s host for `query` (a query string after `q=`).
pub(crate) fn api(env: &Env, code: &str, query: &str) -> Value {
    let (status, body) = get(env, &host(env, code), &format!("/api/search?{query}"));
    assert_eq!(status, 200, "{query}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn titles(v: &Value) -> Vec<String> {
    v["hits"].as_array().unwrap().iter().map(|h| h["title"].as_str().unwrap().to_string()).collect()
}

fn sites_of(v: &Value) -> Vec<String> {
    v["hits"].as_array().unwrap().iter().map(|h| h["site"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chinese_recall_relevance_and_scope() {
    for (label, env) in fx::envs(1800).await {
        import_corpus(&env).await;
        let all = |q: &str| api(&env, OWN, &format!("{}&site=all", enc(q)));

        // A two-character word inside a longer one (网络舆情 → 舆情), on both sites.
        let r = all("舆情");
        let t = titles(&r);
        assert!(t.iter().any(|x| x.contains("加强网络舆情管理")), "{label}: {t:?}");
        assert!(t.iter().any(|x| x.contains("网络舆情应对培训")), "{label}: {t:?}");
        assert_eq!(r["total"].as_u64(), Some(t.len() as u64));
        let hit = &r["hits"][0];
        for key in ["title", "url", "site", "date", "snippet"] {
            assert!(hit[key].is_string(), "{label}: hit has {key}: {hit}");
        }
        assert!(r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["snippet"].as_str().unwrap().contains("<mark>舆情</mark>")));

        // Title matches rank above body-only matches.
        let t = titles(&all("优化营商环境"));
        assert_eq!(t.len(), 3, "{label}: {t:?}");
        assert!(!t[2].contains("营商环境"), "{label}: the body-only match comes last: {t:?}");
        // The exact phrase ranks above the same characters scattered.
        let t = titles(&all("政务公开"));
        assert_eq!(t.first().map(String::as_str), Some("基层工作动态（一）"), "{label}: {t:?}");
        assert!(t.len() < 2 || t[1] == "基层工作动态（二）", "{label}: {t:?}");
        let t = titles(&all("\"政务公开\""));
        assert_eq!(t.first().map(String::as_str), Some("基层工作动态（一）"), "{label}: {t:?}");
        assert!(!t.iter().any(|x| x == "基层工作动态（二）"), "{label}: quotes ask for the exact phrase: {t:?}");
        // Equal scores: the newer page first.
        let r = all("防汛抗旱应急演练");
        let dates: Vec<&str> = r["hits"].as_array().unwrap().iter().map(|h| h["date"].as_str().unwrap()).collect();
        assert_eq!(dates, ["2024-01-05", "2023-01-05"], "{label}");
        // Several words: all must appear.
        assert_eq!(titles(&all("营商环境 财政")), ["关于做好优化营商环境财政支持工作的通知"], "{label}");

        // 文号: exactly, whatever brackets are typed; the document itself before those citing it.
        for q in ["衡蒸办发〔2008〕15号", "衡蒸办发[2008]15号", "衡蒸办发【2008】15号", "衡蒸办发（2008）15号"]
        {
            let t = titles(&all(q));
            assert_eq!(
                t.first().map(String::as_str),
                Some("关于印发《加强网络舆情管理工作的实施意见》的通知"),
                "{label}: {q}: {t:?}"
            );
            assert!(
                t.iter().any(|x| x == "蒸湘区党政门户网站群建设情况汇报"),
                "{label}: {q}: the citing page too: {t:?}"
            );
        }
        // 索引号: exactly.
        let r = all("衡蒸办发〔2008〕15号");
        let index_no = r["hits"][0]["index_no"].as_str().unwrap().to_string();
        let t = titles(&all(&index_no));
        assert_eq!(t.first().map(String::as_str), Some("关于印发《加强网络舆情管理工作的实施意见》的通知"), "{label}");

        // Scope: a site filter never returns another site's hits.
        for code in [OWN, FOREIGN] {
            let r = api(&env, OWN, &format!("{}&site={code}", enc("营商环境")));
            assert!(!sites_of(&r).is_empty(), "{label}");
            assert!(sites_of(&r).iter().all(|s| s == code), "{label}: {code}: {:?}", sites_of(&r));
        }
        // Defaults: a subsite searches itself, the portal the whole group.
        let r = api(&env, FOREIGN, &enc("营商环境"));
        assert_eq!(r["site"], FOREIGN);
        assert!(sites_of(&r).iter().all(|s| s == FOREIGN), "{label}");
        let r = api(&env, "www", &enc("营商环境"));
        assert_eq!(r["site"], "all");
        assert!(sites_of(&r).contains(&OWN.to_string()) && sites_of(&r).contains(&FOREIGN.to_string()), "{label}");
        // Filters: column and dates.
        let r = all("营商环境");
        assert_eq!(r["total"], 3);
        assert_eq!(api(&env, OWN, &format!("{}&site=all&column=tzgg", enc("营商环境")))["total"], 1, "{label}");
        assert_eq!(api(&env, OWN, &format!("{}&site=all&from=2024-05-01&to=2024-05-01", enc("营商环境")))["total"], 1);
        assert_eq!(api(&env, OWN, &format!("{}&site=all&from=2024-05-02", enc("营商环境")))["total"], 1);
        assert_eq!(api(&env, OWN, &format!("{}&site=all&to=2024-04-30", enc("营商环境")))["total"], 1);
        // Sorted by date, newest first.
        let r = api(&env, OWN, &format!("{}&site=all&sort=date", enc("营商环境")));
        let dates: Vec<&str> = r["hits"].as_array().unwrap().iter().map(|h| h["date"].as_str().unwrap()).collect();
        assert_eq!(dates, ["2024-05-02", "2024-05-01", "2024-02-01"], "{label}");

        // Links: the same site by path, another site by its own host.
        let (status, page) = get(&env, &host(&env, OWN), &format!("/search?{}&site=all", enc("营商环境")));
        assert_eq!(status, 200);
        assert!(page.contains("href=\"/gzdt/202405/"), "{label}: same-site links are paths");
        assert!(page.contains(&format!("href=\"https://{}/tzgg/", host(&env, FOREIGN))), "{label}");
        assert!(page.contains("找到 <strong>3</strong> 条结果"), "{label}");
        assert!(page.contains("<mark>"), "{label}: highlighted");
        let (_, page) = get(&env, &host(&env, OWN), &format!("/search?{}", enc("衡蒸办发[2008]15号")));
        assert!(page.contains("文号：<mark>衡蒸办发〔2008〕15号</mark>"), "{label}: the matched 文号 is marked");
        assert!(page.contains("data-zq-locked=\"header\"") && page.contains("data-zq-locked=\"footer\""));
        assert!(page.contains("data-zq-locked=\"beacon\""), "{label}: the locked parts are there");

        // How citizens write the units: the pages say 市发改委, the reader types the full name,
        // or the other way; a near miss is offered the unit (您是不是要找).
        let full = all("发展和改革委员会 营商环境");
        assert_eq!(titles(&full), ["市发改委召开优化营商环境工作会议", "市发改委召开季度经济运行分析会"], "{label}");
        assert_eq!(all("发改委 营商环境")["total"], 2, "{label}");
        let (_, page) = get(&env, &host(&env, OWN), &format!("/search?{}&site=all", enc("发改委员会")));
        assert!(page.contains("没有找到"), "{label}");
        assert!(
            page.contains("您是不是要找：<a href=\"/search?q=%E5%8F%91%E5%B1%95%E5%92%8C%E6%94%B9%E9%9D%A9%E5%A7%94%E5%91%98%E4%BC%9A&amp;site=all\">发展和改革委员会</a>"),
            "{label}: {}",
            &page[page.find("没有找到").unwrap_or(0)..][..600.min(page.len() - page.find("没有找到").unwrap_or(0))]
        );
        // 人社局 is the 人力资源和社会保障局's site, found by its short name.
        let (_, page) = get(&env, &host(&env, OWN), &format!("/search?{}&site=all", enc("人社局长")));
        assert!(page.contains("人力资源和社会保障局"), "{label}: a near miss of 人社局");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_unpublished_scheduled_or_withdrawn_is_found() {
    for (label, env) in fx::envs(1800).await {
        let found = |q: &str| -> Vec<String> { titles(&api(&env, OWN, &format!("{}&site=all", enc(q)))) };
        let ed = signed_in(&env, "ed1").await;
        let rv = signed_in(&env, "rv1").await;
        // A draft, and an article waiting for review, are not found.
        let (s, _) = ed
            .post(
                "/admin/articles",
                &[("title", "草稿里的甲乙丙词"), ("column", "gzdt"), ("body", "草稿正文"), ("intent", "save")],
            )
            .await;
        assert_eq!(s, 303);
        let waiting = publish_article(&ed, &[], "待审核的丁戊己词", "gzdt").await;
        let xed = signed_in(&env, "xed").await;
        let xrv1 = signed_in(&env, "xrv1").await;
        publish_article(&xed, &[&xrv1], "只过一审的庚辛壬词", "gzdt").await;
        assert!(found("甲乙丙").is_empty() && found("丁戊己").is_empty() && found("庚辛壬").is_empty(), "{label}");

        // Approval: found at once (the request returns after the index is updated).
        assert_eq!(rv.post(&format!("/admin/articles/{waiting}/approve"), &[("secrecy", "1")]).await.0, 303);
        assert_eq!(found("丁戊己"), ["待审核的丁戊己词"], "{label}");

        // An edit under review leaves the live text searchable; approval replaces it.
        let (s, _) = ed
            .post(
                &format!("/admin/articles/{waiting}"),
                &[("title", "改过的癸子丑词"), ("column", "gzdt"), ("body", "新正文"), ("intent", "submit")],
            )
            .await;
        assert_eq!(s, 303);
        assert_eq!(found("丁戊己"), ["待审核的丁戊己词"], "{label}: the live revision stays");
        assert!(found("癸子丑").is_empty(), "{label}: the revision under review is not found");
        assert_eq!(rv.post(&format!("/admin/articles/{waiting}/approve"), &[("secrecy", "1")]).await.0, 303);
        assert!(found("丁戊己").is_empty(), "{label}: the old title is gone");
        assert_eq!(found("癸子丑"), ["改过的癸子丑词"], "{label}");

        // Withdrawal: gone at once.
        assert_eq!(rv.post(&format!("/admin/articles/{waiting}/withdraw"), &[("comment", "有误")]).await.0, 303);
        assert!(found("癸子丑").is_empty(), "{label}: withdrawn articles are never found");

        // Scheduled for later: not before its time.
        let later = (chrono::Utc::now() + chrono::Duration::days(3))
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let (s, loc) = ed
            .post(
                "/admin/articles",
                &[
                    ("title", "定时的寅卯辰词"),
                    ("column", "gzdt"),
                    ("body", "定时正文"),
                    ("publish_mode", "scheduled"),
                    ("publish_at", &later),
                    ("intent", "submit"),
                ],
            )
            .await;
        assert_eq!(s, 303, "{loc}");
        assert_eq!(
            rv.post(&format!("/admin/articles/{}/approve", fx::article_id(&loc)), &[("secrecy", "1")]).await.0,
            303
        );
        assert!(found("寅卯辰").is_empty(), "{label}: scheduled articles wait for their time");
        // And the reconciliation agrees there is nothing to fix.
        let r = fx::reconcile(&env.project, &env.search).await;
        assert_eq!((r.added, r.removed), (0, 0), "{label}: the publisher kept the index exact");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_never_breaks_it() {
    let envs = fx::envs(1800).await;
    let (label, env) = &envs[0];
    import_corpus(env).await;
    let h = host(env, OWN);
    let long = "长".repeat(10 * 1024 / 3 + 1);
    let cases: Vec<(String, u16, &str)> = vec![
        ("/search".into(), 200, "请输入要查找的内容"),
        ("/search?q=".into(), 200, "请输入要查找的内容"),
        ("/search?q=%20%09%0A".into(), 200, "请输入要查找的内容"),
        (format!("/search?{}", enc(&long)), 400, "检索词过长"),
        (format!("/search?{}", enc("（）。，“”")), 200, "没有可检索的文字"),
        ("/search?q=%E8%88".into(), 200, "没有可检索的文字"),
        (format!("/search?{}&site=nosuch", enc("舆情")), 400, "没有代码为“nosuch”的站点"),
        (format!("/search?{}&column=nosuch", enc("舆情")), 400, "栏目“nosuch”不存在"),
        (format!("/search?{}&from=2024-13-01", enc("舆情")), 400, "起始日期“2024-13-01”无效"),
        (format!("/search?{}&to=tomorrow", enc("舆情")), 400, "截止日期“tomorrow”无效"),
        (format!("/search?{}&from=2024-05-01&to=2024-01-01", enc("舆情")), 400, "晚于截止日期"),
        (format!("/search?{}&sort=hot", enc("舆情")), 400, "排序方式“hot”无效"),
        (format!("/search?{}&page=99999", enc("舆情")), 400, "最多只显示前 100 页"),
        (format!("/search?{}&page=abc", enc("舆情")), 400, "页码“abc”无效"),
        (format!("/search?{}&page=7", enc("舆情")), 200, "第 7 页没有结果"),
        (format!("/search?{}", enc("没有这个词语的文章呀")), 200, "没有找到"),
    ];
    for (path, status, text) in &cases {
        let (s, body) = get(env, &h, path);
        assert_eq!(s, *status, "{label}: {path}: {body}");
        assert!(body.contains(text), "{label}: {path}: wants “{text}”");
        assert!(body.contains("data-zq-locked=\"footer\""), "{label}: {path}: a whole page in the site's theme");
    }
    // Query-parser syntax is plain text: never an error, and quoted words still work.
    for q in [
        "title:舆情",
        "舆情 AND 培训",
        "舆情 OR",
        "(舆情",
        "舆情)",
        "\"网络舆情",
        "+舆情 -培训",
        "舆情^10",
        "舆情~2",
        "*",
        "\\",
        "[2008 TO 2009]",
        "id:1",
        "body:*",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
    ] {
        let (s, body) = get(env, &h, &format!("/search?{}&site=all", enc(q)));
        assert_eq!(s, 200, "{label}: {q}: {body}");
        assert!(!body.contains("<script>alert(1)"), "{label}: {q}: the query is escaped");
        let (s, body) = get(env, &h, &format!("/api/search?{}&site=all", enc(q)));
        assert_eq!(s, 200, "{label}: {q}: {body}");
        serde_json::from_str::<Value>(&body).unwrap();
    }
    // An unclosed quote still reads as a phrase.
    assert!(titles(&api(env, OWN, &format!("{}&site=all", enc("\"网络舆情")))).iter().any(|t| t.contains("网络舆情")));
    // The JSON API: a 400 with the field and a Chinese message.
    for (query, field) in [("q=", "q"), ("q=%E8%88%86&site=x", "site"), ("q=%E8%88%86&page=0", "page")] {
        let (s, body) = get(env, &h, &format!("/api/search?{query}"));
        assert_eq!(s, 400, "{label}: {query}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["field"], field, "{label}: {body}");
        assert!(v["error"].as_str().unwrap().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    }
    // An unknown host gets the portal's page; results are never cached.
    let (s, head, body) = http_get(env.port, "unknown.example", &format!("/search?{}", enc("舆情")), "");
    assert_eq!(s, 200);
    assert!(String::from_utf8_lossy(&body).contains("示例市人民政府"));
    assert!(head.to_ascii_lowercase().contains("cache-control: no-store"), "{head}");
}

#[test]
fn index_survives_missing_old_corrupt_and_interrupted() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("search");
    // Missing: created, empty, not yet complete.
    let index = SearchIndex::open(&root).unwrap();
    assert!(!index.is_complete());
    let current = format!("v{}", zhanqun::search::schema::VERSION);
    assert!(root.join(&current).join("meta.json").is_file());
    // A second writer is refused with a clear message.
    let err = SearchIndex::open(&root).err().expect("the writer lock is held");
    assert!(matches!(err, SearchError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("in use by another zhanqun process"));
    drop(index);

    // An index of an older schema is deleted; a corrupt one is started afresh.
    std::fs::create_dir_all(root.join("v0")).unwrap();
    std::fs::write(root.join("v0/meta.json"), "{}").unwrap();
    std::fs::write(root.join(&current).join("meta.json"), "not json").unwrap();
    let index = SearchIndex::open(&root).unwrap();
    assert!(!root.join("v0").exists(), "older schema removed");
    assert!(!index.is_complete());

    // A rebuild that fails half-way commits nothing: the last commit stays searchable.
    let docs = |n: u64| {
        let mut d = tantivy::TantivyDocument::new();
        d.add_u64(index.fields.id, n);
        d.add_u64(index.fields.rev, n);
        d.add_text(index.fields.title, format!("第{n}号网络舆情通报"));
        d
    };
    index.rebuild(|| Ok(None), &|_| {}).unwrap();
    index.apply(&[], vec![docs(1), docs(2)]).unwrap();
    assert!(index.is_complete());
    let mut calls = 0;
    let failed = index.rebuild(
        || {
            calls += 1;
            match calls {
                1 => Ok(Some(vec![docs(7)])),
                _ => Err(SearchError::Io { path: "feed".into(), source: std::io::Error::other("killed") }),
            }
        },
        &|_| {},
    );
    assert!(failed.is_err());
    let keys = index.keys().unwrap();
    assert_eq!(keys.len(), 2, "the interrupted rebuild left the previous index: {keys:?}");
    // The next update does not commit the abandoned half either.
    index.apply(&[1], vec![]).unwrap();
    assert_eq!(index.keys().unwrap().into_keys().collect::<Vec<_>>(), [2]);
}

/// `zhanqun search reindex` killed half-way leaves the previous index whole and usable.
#[test]
fn a_killed_reindex_leaves_a_usable_index() {
    let tmp = temp_project();
    let dir = tmp.path();
    let run = |args: &[&str]| Command::new(bin()).current_dir(dir).args(args).output().unwrap();
    let out = run(&["demo-data", "--sites", "2", "--articles", "3000", "--out", "demo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for site in ["www", "fgw"] {
        let out = run(&["import", &format!("demo/content/{site}"), "--site", site]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let out = run(&["search", "reindex"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let first = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(first.contains("indexed 6000 published articles"), "{first}");

    let mut child = Command::new(bin()).current_dir(dir).args(["search", "reindex"]).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600));
    let _ = Command::new("kill").args(["-9", &child.id().to_string()]).status();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed before it finished (raise the article count if this fails)");

    let out = run(&["search", "query", "营商环境"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    let total: usize = text.split_whitespace().next().unwrap().parse().unwrap();
    assert!(total > 0, "the previous index answers: {text}");
}
