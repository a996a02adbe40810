//! `zhanqun import`: legacy Markdown becomes published articles with 索引号, revisions,
//! attachments and policy links; bad files are reported at FILE:LINE and skipped whole;
//! re-importing updates instead of duplicating. Runs on every configured backend.

use std::path::Path;
use std::process::Command;

use sqlx::Row;
use zhanqun::publish::NginxOptions;
use zhanqun::store::import::import_dir;

use crate::common::{bin, databases, open, temp_project, write_md};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn legacy_folder(dir: &Path) {
    write_md(
        dir,
        "gzdt/a.md",
        "title: 发改委召开优化营商环境工作会议\ncolumn: gzdt\ndate: 2024-05-01 09:30\n",
        "会议要求，**切实**优化营商环境。\n",
    );
    write_md(
        dir,
        "zcfg/policy.md",
        "title: 关于印发《示例市优化营商环境实施方案》的通知\ncolumn: zcfg\ndate: 2024-04-02\ndoc_number: 示发改发〔2024〕15号\nwritten_date: 2024-03-28\ntopic: 综合政务\nattachments: [实施方案.pdf]\n",
        "各有关单位：\n\n现将方案印发给你们。\n",
    );
    std::fs::write(dir.join("zcfg/实施方案.pdf"), PDF).unwrap();
    write_md(
        dir,
        "zcjd/jd.md",
        "title: 图解：示例市优化营商环境实施方案\ncolumn: zcjd\ndate: 2024-04-03\ninterprets: ../zcfg/policy.md\n",
        "一图读懂。\n",
    );
    // Four bad files, each with its problem on a known line.
    write_md(dir, "bad/unknown.md", "title: 标题\ntitel: 拼错\ncolumn: gzdt\ndate: 2024-05-01\n", "正文\n");
    write_md(dir, "bad/column.md", "title: 标题\ndate: 2024-05-01\ncolumn: nosuch\n", "正文\n");
    write_md(dir, "bad/date.md", "title: 标题\ncolumn: gzdt\ndate: 2024-13-45\n", "正文\n");
    write_md(dir, "bad/fake.md", "title: 标题\ncolumn: tzgg\ndate: 2024-05-01\nattachments:\n  - fake.pdf\n", "正文\n");
    std::fs::write(dir.join("bad/fake.pdf"), b"<html><script>alert(1)</script></html>").unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_reimport_and_publish() {
    let tmp = temp_project();
    for (backend, url) in databases(tmp.path()) {
        let legacy = tmp.path().join(format!("legacy-{backend}"));
        legacy_folder(&legacy);
        let project = open(tmp.path(), &url).await;
        let group = project.group();
        let site = group.site("fgw").unwrap();

        let report = import_dir(&project.store, crate::common::whole_group(), site, &legacy, None, "operator:test")
            .await
            .unwrap();
        assert_eq!(report.stats.created, 3, "{backend}");
        let problems: Vec<String> =
            report.problems.iter().map(|p| p.to_string().replace(&format!("{}/", legacy.display()), "")).collect();
        assert_eq!(problems.len(), 4, "{backend}: {problems:?}");
        assert!(problems[0].starts_with("bad/column.md:4: site fgw has no column `nosuch`"), "{problems:?}");
        assert!(problems[1].starts_with("bad/date.md:4: date `2024-13-45` is not"), "{problems:?}");
        assert!(
            problems[2].starts_with("bad/fake.md:6: attachment `fake.pdf` does not contain a .pdf file"),
            "{problems:?}"
        );
        assert!(problems[3].starts_with("bad/unknown.md:3: unknown field `titel`"), "{problems:?}");

        // 索引号: <org code>/<year>-<5-digit serial>, allocated in order and never changed.
        let rows = sqlx::query("SELECT source_key, index_no FROM articles ORDER BY id")
            .fetch_all(project.store.pool())
            .await
            .unwrap();
        let numbers: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        assert_eq!(numbers.len(), 3);
        assert_eq!(numbers[0], ("gzdt/a.md".to_string(), "11439900MB0001002X/2024-00001".to_string()));
        assert_eq!(numbers[2].1, "11439900MB0001002X/2024-00003");

        // Unchanged files write nothing; an edited one gets a new revision, same 索引号.
        let again = import_dir(&project.store, crate::common::whole_group(), site, &legacy, None, "operator:test")
            .await
            .unwrap();
        assert_eq!((again.stats.created, again.stats.updated, again.stats.unchanged), (0, 0, 3), "{backend}");
        write_md(
            &legacy,
            "gzdt/a.md",
            "title: 发改委召开优化营商环境工作会议（更新）\ncolumn: gzdt\ndate: 2024-05-01 09:30\n",
            "更新后的正文。\n",
        );
        let third = import_dir(&project.store, crate::common::whole_group(), site, &legacy, None, "operator:test")
            .await
            .unwrap();
        assert_eq!((third.stats.created, third.stats.updated, third.stats.unchanged), (0, 1, 2), "{backend}");
        let r = sqlx::query("SELECT a.index_no, r.number, r.title FROM articles a JOIN revisions r ON r.id = a.published_revision_id WHERE a.source_key = 'gzdt/a.md'")
            .fetch_one(project.store.pool())
            .await
            .unwrap();
        assert_eq!(r.get::<String, _>(0), "11439900MB0001002X/2024-00001");
        assert_eq!(r.get::<i64, _>(1), 2);
        assert!(r.get::<String, _>(2).ends_with("（更新）"));
        let count: i64 =
            sqlx::query("SELECT COUNT(*) FROM articles").fetch_one(project.store.pool()).await.unwrap().get(0);
        assert_eq!(count, 3, "re-import must not duplicate");

        // The audit log records who imported what, and refuses to be rewritten.
        let audit = project.store.audit_tail(crate::common::whole_group(), 10).await.unwrap();
        // One entry per import, with its counts.
        assert_eq!(audit[0].action, "import");
        assert_eq!(audit[0].actor, "operator:test");
        assert_eq!(audit[0].detail, "新建 0 篇，更新 1 篇，未变 2 篇");
        assert!(audit.iter().any(|e| e.action == "import" && e.detail == "新建 3 篇，更新 0 篇，未变 0 篇"));
        assert!(
            sqlx::query("UPDATE audit_log SET actor = 'x'").execute(project.store.pool()).await.is_err(),
            "{backend}: audit log is append-only"
        );
        assert!(
            sqlx::query("DELETE FROM audit_log").execute(project.store.pool()).await.is_err(),
            "{backend}: audit log is append-only"
        );

        // Published: the policy page links its interpretation and attachment, and back.
        let out = tmp.path().join(format!("publish-{backend}"));
        let mut opts = project.build_options(vec!["fgw".into()], false, Some(NginxOptions::default()));
        opts.out = out.clone();
        project.build(&opts).await.unwrap();
        let site_dir = out.join("fgw.shili.gov.cn");
        let ids: Vec<i64> = sqlx::query("SELECT id FROM articles ORDER BY id")
            .fetch_all(project.store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let policy = std::fs::read_to_string(site_dir.join(format!("zcfg/202404/t20240402_{}.html", ids[1]))).unwrap();
        assert!(policy.contains("示发改发〔2024〕15号"));
        assert!(policy.contains("11439900MB0001002X/2024-00002"));
        assert!(policy.contains("政策解读</span><a href=\"/zcjd/202404/t20240403_"), "{backend}");
        assert!(policy.contains("download=\"实施方案.pdf\""));
        let pdf_link = policy.split("<a href=\"/files/").nth(1).unwrap().split('"').next().unwrap();
        assert_eq!(std::fs::read(site_dir.join("files").join(pdf_link)).unwrap(), PDF);
        let interp = std::fs::read_to_string(site_dir.join(format!("zcjd/202404/t20240403_{}.html", ids[2]))).unwrap();
        assert!(interp.contains("政策文件</span><a href=\"/zcfg/202404/t20240402_"));
        project.store.close().await;
    }
}

#[test]
fn cli_import_reports_bad_files_and_fails() {
    let tmp = temp_project();
    let legacy = tmp.path().join("legacy");
    legacy_folder(&legacy);
    let out = Command::new(bin()).current_dir(tmp.path()).args(["import", "legacy", "--site", "fgw"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("legacy/bad/unknown.md:3: unknown field `titel`"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 created, 0 updated, 0 unchanged, 4 failed"));
    let out =
        Command::new(bin()).current_dir(tmp.path()).args(["import", "legacy", "--site", "nosuch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no site `nosuch`"));
}

/// A legacy system's export names fields the way the government forms do and columns by their
/// names; both import, and a bad value is still reported at the line it is on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chinese_field_names_and_column_names() {
    let tmp = temp_project();
    for (backend, url) in databases(tmp.path()) {
        let legacy = tmp.path().join(format!("cn-{backend}"));
        write_md(
            &legacy,
            "通知.md",
            "标题: 关于开展安全生产大检查的通知\n栏目: 工作动态\n发布日期: 2024-06-03 10:00\n文号: 示发改发〔2024〕21号\n\
             发布机构: 示例市发展和改革委员会\n成文日期: 2024-05-30\n主题分类: 市场监管、安全生产监管\n公开属性: 依申请公开\n来源: 应急管理部网站\n",
            "各有关单位：\n\n请认真组织开展检查。\n",
        );
        write_md(&legacy, "坏/日期.md", "标题: 标题\n栏目: gzdt\n日期: 2024-06-03\n成文日期: 2024-99-01\n", "正文\n");
        write_md(&legacy, "坏/栏目.md", "标题: 标题\n发布日期: 2024-06-03\n栏目: 没有的栏目\n", "正文\n");
        write_md(&legacy, "坏/分类.md", "标题: 标题\n栏目: gzdt\n发布日期: 2024-06-03\n主题分类: 安全生产\n", "正文\n");
        let project = open(tmp.path(), &url).await;
        let group = project.group();
        let site = group.site("fgw").unwrap();
        let report = import_dir(&project.store, crate::common::whole_group(), site, &legacy, None, "operator:test")
            .await
            .unwrap();
        assert_eq!(report.stats.created, 1, "{backend}: {:?}", report.problems);
        let problems: Vec<String> =
            report.problems.iter().map(|p| p.to_string().replace(&format!("{}/", legacy.display()), "")).collect();
        assert_eq!(problems.len(), 3, "{backend}: {problems:?}");
        assert!(
            problems[0].starts_with("坏/分类.md:5: topic `安全生产` is not in the group's 主题分类"),
            "{problems:?}"
        );
        assert!(problems[0].contains("市场监管、安全生产监管"), "the allowed values are listed: {problems:?}");
        assert!(problems[1].starts_with("坏/日期.md:5: written_date `2024-99-01` is not YYYY-MM-DD"), "{problems:?}");
        assert!(problems[2].starts_with("坏/栏目.md:4: site fgw has no column `没有的栏目`"), "{problems:?}");
        assert!(problems[2].contains("gzdt（工作动态）"), "{problems:?}");
        let r = sqlx::query(
            "SELECT c.slug, r.doc_number, r.issuer, r.written_date, r.topic, r.disclosure, r.publish_at, r.source
             FROM articles a JOIN revisions r ON r.id = a.published_revision_id JOIN site_columns c ON c.id = a.column_id",
        )
        .fetch_one(project.store.pool())
        .await
        .unwrap();
        let got: Vec<String> = (0..8).map(|i| r.get::<String, _>(i)).collect();
        assert_eq!(
            got,
            [
                "gzdt",
                "示发改发〔2024〕21号",
                "示例市发展和改革委员会",
                "2024-05-30",
                "市场监管、安全生产监管",
                "依申请公开",
                "2024-06-03 10:00:00",
                "应急管理部网站"
            ],
            "{backend}"
        );
    }
}

fn find_page(root: &Path, needle: &str) -> Option<String> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .find(|html| html.contains(needle) && html.contains("zq-article-body"))
}

/// Word documents import beside Markdown, with their fields from a sidecar `NAME.yaml`, their
/// title and date from the document otherwise, and `--column` for the rest; their structure
/// and images reach the published pages. Files that are not .docx, or are zip bombs, are
/// reported with what to do and import nothing.
#[test]
fn word_documents_import_through_the_command_line() {
    use std::io::Write;
    let tmp = temp_project();
    let word = tmp.path().join("word");
    std::fs::create_dir_all(word.join("坏")).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docx");
    for name in ["notice.docx", "report.docx", "no_alt.docx"] {
        std::fs::copy(fixtures.join(name), word.join(name)).unwrap();
    }
    std::fs::write(word.join("notice.yaml"), "发布日期: 2026-01-20 09:00\n栏目: 通知公告\n文号: 示发改办〔2026〕3号\n")
        .unwrap();
    std::fs::copy(fixtures.join("report.docx"), word.join("坏/边车.docx")).unwrap();
    std::fs::write(word.join("坏/边车.yaml"), "文号: 示发改〔2026〕1号\n发布日期: 2026-13-01\n").unwrap();
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(4096, 0);
    std::fs::write(word.join("坏/旧版.docx"), ole).unwrap();
    std::fs::write(word.join("坏/改名.docx"), "这其实是一个文本文件").unwrap();
    let mut bomb = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut bomb);
        z.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(&vec![b' '; 40 << 20]).unwrap();
        z.finish().unwrap();
    }
    std::fs::write(word.join("坏/炸弹.docx"), bomb.into_inner()).unwrap();

    let out = Command::new(bin())
        .current_dir(tmp.path())
        .args(["import", "word", "--site", "fgw", "--column", "gzdt"])
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("3 created, 0 updated, 0 unchanged, 4 failed"), "{stdout}{stderr}");
    for expected in [
        "word/坏/旧版.docx:1: this is an old binary Word/WPS file (.doc/.wps), not a .docx",
        "word/坏/改名.docx:1: not a .docx file",
        "word/坏/炸弹.docx:1: part `word/document.xml` unpacks to more than",
        "word/坏/边车.yaml:2: date `2026-13-01` is not YYYY-MM-DD",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }

    let out = Command::new(bin()).current_dir(tmp.path()).arg("build").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let publish = tmp.path().join("publish");
    let notice = find_page(&publish, "关于做好2026年春节期间值班工作的通知").expect("the notice is published");
    assert!(notice.contains("示发改办〔2026〕3号"), "the sidecar's 文号");
    assert!(notice.contains("<td colspan=\"3\">值班安排</td>"), "{notice}");
    assert!(notice.contains("<td rowspan=\"2\">李四</td>"), "{notice}");
    assert!(notice.contains("<p style=\"text-align: right\">示例市发展和改革委员会<br>2026年1月20日</p>"));
    let src = notice.split("<img src=\"").nth(1).and_then(|s| s.split('"').next()).expect("the image is in the body");
    assert!(notice.contains("alt=\"值班室现场照片\""), "Word's alt text");
    let host_dir = std::fs::read_dir(&publish)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.join(src.trim_start_matches('/')).is_file());
    assert!(host_dir.is_some(), "the image {src} is published beside the page");
    assert!(!notice.contains("zq-attachments"), "the image is not listed again as an attachment");
    let report = find_page(&publish, "2026年一季度重点项目推进情况").expect("the report is published, in --column");
    assert!(
        report.contains("<h2>一、总体情况</h2>") && report.contains("<ul><li>部分项目用地手续办理滞后；"),
        "{report}"
    );
    let no_alt = find_page(&publish, "项目现场图片").expect("published");
    assert!(no_alt.contains("alt=\"《项目现场图片》附图1\""), "an image without alt text gets one naming the document");
}
