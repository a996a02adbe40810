//! `zhanqun check`: the shipped group passes, and each kind of broken rule is reported at the
//! exact FILE:LINE:COL of the offending value with a hint.

use std::path::Path;
use std::process::Command;

use zhanqun::group::Group;

use crate::common::{bin, repo, temp_project};

/// 1-based line and column (in characters) of the first occurrence of `needle`.
fn pos(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap_or_else(|| panic!("`{needle}` not in text"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line, col)
}

/// Applies `edit` to a copy of the shipped group and returns the problems, one line each.
fn problems_after(edit: impl FnOnce(&Path)) -> Vec<String> {
    let dir = temp_project();
    edit(&dir.path().join("sites"));
    match Group::load(&dir.path().join("sites"), Some(&dir.path().join("themes"))) {
        Ok(_) => Vec::new(),
        Err(p) => p.iter().map(|p| p.to_string().replace(&format!("{}/", dir.path().display()), "")).collect(),
    }
}

fn replace_in(sites: &Path, file: &str, from: &str, to: &str) -> String {
    let path = sites.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} lacks `{from}`");
    let text = text.replacen(from, to, 1);
    std::fs::write(&path, &text).unwrap();
    text
}

/// Asserts one problem sits at the position of `needle` in `file` and says `message`.
fn expect_at(problems: &[String], file: &str, text: &str, needle: &str, message: &str) {
    let (line, col) = pos(text, needle);
    let prefix = format!("sites/{file}:{line}:{col}: ");
    assert!(
        problems.iter().any(|p| p.starts_with(&prefix) && p.contains(message)),
        "expected `{prefix}… {message}` among:\n{}",
        problems.join("\n")
    );
}

#[test]
fn shipped_group_passes_with_at_least_150_subsites() {
    let group = Group::load(&repo().join("sites"), Some(&repo().join("themes"))).unwrap_or_else(|p| panic!("{p}"));
    assert!(group.sites.len() >= 151, "{} sites", group.sites.len());
    assert_eq!(group.portal().host, "www.shili.gov.cn");
    assert!(group.sites.iter().all(|s| s.host.ends_with(".shili.gov.cn")));
}

#[test]
fn host_outside_root_domain() {
    let mut text = String::new();
    let p = problems_after(|s| {
        text = replace_in(s, "fgw.yaml", "kind: department\n", "kind: department\nhost: fgw.example.com\n")
    });
    expect_at(&p, "fgw.yaml", &text, "fgw.example.com", "is not under the root domain shili.gov.cn");
    assert!(p.iter().any(|l| l.contains("(use a label such as `fgw`")), "{p:?}");
}

#[test]
fn duplicate_host_and_code() {
    let mut text = String::new();
    let p = problems_after(|s| text = replace_in(s, "jyj.yaml", "kind: department\n", "kind: department\nhost: fgw\n"));
    expect_at(&p, "jyj.yaml", &text, "fgw\n", "duplicate host fgw.shili.gov.cn (already used by");
    let p = problems_after(|s| text = replace_in(s, "kjj.yaml", "code: kjj", "code: fgw"));
    expect_at(&p, "kjj.yaml", &text, "fgw", "duplicate code `fgw`");
    expect_at(&p, "kjj.yaml", &text, "fgw", "does not match the file name `kjj.yaml`");
}

#[test]
fn malformed_filing_numbers() {
    let mut text = String::new();
    let p = problems_after(|s| text = replace_in(s, "fgw.yaml", "湘ICP备19004321号-3", "湘ICP备1900432X号"));
    expect_at(&p, "fgw.yaml", &text, "湘ICP备1900432X号", "ICP number `湘ICP备1900432X号` is malformed");
    let p = problems_after(|s| {
        text = replace_in(s, "fgw.yaml", "湘公网安备 43990002000003号", "湘公网安备 4399000200003号")
    });
    expect_at(&p, "fgw.yaml", &text, "湘公网安备 4399000200003号", "public-security filing number");
    let p = problems_after(|s| text = replace_in(s, "fgw.yaml", "'4399000003'", "'439900003'"));
    expect_at(&p, "fgw.yaml", &text, "'439900003'", "网站标识码 `439900003` is malformed");
}

#[test]
fn base_column_missing_or_renamed() {
    let mut text = String::new();
    let p = problems_after(|s| text = replace_in(s, "fgw.yaml", "name: 工作动态", "name: 工作信息"));
    expect_at(
        &p,
        "fgw.yaml",
        &text,
        "工作信息",
        "base column `gzdt` is renamed to 工作信息 (base columns keep the group's name 工作动态)",
    );
    let p = problems_after(|s| text = replace_in(s, "fgw.yaml", "- slug: gzdt\n  name: 工作动态\n  kind: news\n", ""));
    expect_at(&p, "fgw.yaml", &text, "slug: gk", "base column 工作动态 (`gzdt`) is missing");
    let p = problems_after(|s| text = replace_in(s, "fgw.yaml", "slug: gzdt", "slug: dongtai"));
    expect_at(&p, "fgw.yaml", &text, "dongtai", "base column 工作动态 has slug `dongtai` instead of `gzdt`");
}

#[test]
fn mailbox_outside_mail_domain() {
    let mut text = String::new();
    let p = problems_after(|s| text = replace_in(s, "fgw.yaml", "fgw@shili.gov.cn", "fgw_office@qq.com"));
    expect_at(
        &p,
        "fgw.yaml",
        &text,
        "fgw_office@qq.com",
        "mailbox `fgw_office@qq.com` is not an official mailbox (use an address @shili.gov.cn",
    );
}

#[test]
fn misspelled_field() {
    let mut text = String::new();
    let p = problems_after(|s| text = replace_in(s, "fgw.yaml", "organizer:", "organiser:"));
    expect_at(&p, "fgw.yaml", &text, "organiser", "unknown field `organiser`");
    assert!(p.iter().any(|l| l.ends_with("(did you mean `organizer`?)")), "{p:?}");
    let p = problems_after(|s| text = replace_in(s, "group.yaml", "mail_domain:", "mail_domian:"));
    expect_at(&p, "group.yaml", &text, "mail_domian", "unknown field `mail_domian`");
}

#[test]
fn missing_logo_file() {
    let text = std::fs::read_to_string(repo().join("sites/group.yaml")).unwrap();
    let p = problems_after(|s| std::fs::remove_file(s.join("assets/logo.svg")).unwrap());
    expect_at(&p, "group.yaml", &text, "assets/logo.svg", "logo file `assets/logo.svg` does not exist");
}

#[test]
fn missing_portal_site() {
    let text = std::fs::read_to_string(repo().join("sites/group.yaml")).unwrap();
    let p = problems_after(|s| std::fs::remove_file(s.join("www.yaml")).unwrap());
    expect_at(&p, "group.yaml", &text, "www\n", "the portal site `www` is not defined");
}

#[test]
fn unknown_theme_variant_and_bad_review_levels() {
    let mut text = String::new();
    let p = problems_after(|s| {
        // fgw reviews once (the demo accounts' site), so the "before" value is 1.
        replace_in(s, "fgw.yaml", "review_levels: 1", "review_levels: 5");
        text = replace_in(s, "fgw.yaml", "variant: blue", "variant: purple");
    });
    expect_at(
        &p,
        "fgw.yaml",
        &text,
        "purple",
        "theme `default` has no variant `purple` (choose one of blue, green, red)",
    );
    expect_at(&p, "fgw.yaml", &text, "5\n", "review_levels is 5");
}

#[test]
fn cli_prints_one_line_per_problem_and_fails() {
    let dir = temp_project();
    replace_in(&dir.path().join("sites"), "fgw.yaml", "fgw@shili.gov.cn", "fgw@163.com");
    replace_in(&dir.path().join("sites"), "jyj.yaml", "湘ICP备19004321号-4", "ICP12345");
    let out = Command::new(bin()).current_dir(dir.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines.iter().any(|l| l.starts_with("sites/fgw.yaml:") && l.contains("fgw@163.com")), "{stdout}");
    assert!(lines.iter().any(|l| l.starts_with("sites/jyj.yaml:") && l.contains("ICP12345")), "{stdout}");

    // Every other command validates first and publishes nothing.
    let out = Command::new(bin()).current_dir(dir.path()).arg("build").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was published"));
    assert!(!dir.path().join("publish").exists());

    let ok = Command::new(bin()).current_dir(repo()).arg("check").output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));
}

#[test]
fn audit_settings_name_known_deduction_rules_and_real_leaders() {
    let mut text = String::new();
    let p = problems_after(|s| {
        replace_in(
            s,
            "group.yaml",
            "  leaders:\n  - name: 李明华\n",
            "  weights:\n    fresh.colum: 3\n    fresh.home: 5\n    links.broken: 2\n  leaders:\n  - name: Wang\n",
        );
        text = replace_in(s, "group.yaml", "    enabled: false\n", "    enabled: false\n    concurrency: 50\n");
    });
    expect_at(&p, "group.yaml", &text, "fresh.colum:", "unknown audit rule `fresh.colum` in audit.weights");
    assert!(p.iter().any(|l| l.contains("one of: fresh.column")), "{p:?}");
    expect_at(&p, "group.yaml", &text, "fresh.home:", "audit rule `fresh.home` is a veto and has no weight");
    expect_at(&p, "group.yaml", &text, "Wang", "leader name `Wang` is not a name of 2 to 6 Chinese characters");
    expect_at(&p, "group.yaml", &text, "50", "audit.external_links.concurrency 50 is out of range");
    assert_eq!(p.len(), 4, "links.broken takes a weight: {p:?}");
}

#[test]
fn corrections_and_availability_settings_are_checked_at_their_line() {
    let mut text = String::new();
    let p = problems_after(|s| {
        replace_in(
            s,
            "group.yaml",
            "  - {wrong: 中华人民共合国, right: 中华人民共和国}\n",
            "  - {wrong: 中华人民共合国, right: 中华人民共合国}\n",
        );
        text = replace_in(
            s,
            "group.yaml",
            "  external_links:\n",
            "  availability:\n    base: ftp://127.0.0.1\n    per_day: 5\n    timeout_seconds: 0\n  external_links:\n",
        );
    });
    expect_at(
        &p,
        "group.yaml",
        &text,
        "wrong: 中华人民共合国, right: 中华人民共合国",
        "needs a wrong and a different right form",
    );
    expect_at(&p, "group.yaml", &text, "ftp://", "audit.availability.base `ftp://127.0.0.1` is not an http(s) address");
    expect_at(&p, "group.yaml", &text, "5\n    timeout", "audit.availability.per_day 5 is out of range");
    expect_at(&p, "group.yaml", &text, "0\n  external", "audit.availability.timeout_seconds 0 is out of range");
    assert_eq!(p.len(), 4, "{p:?}");
}

#[test]
fn days_of_mourning_are_dates_in_order() {
    let mut text = String::new();
    let p = problems_after(|s| {
        text = replace_in(
            s,
            "group.yaml",
            "- {from: 2026-12-13, to: 2026-12-13, reason: 国家公祭日}\n",
            "- {from: 2026-12-13, to: 2026-12-31x, reason: 国家公祭日}\n- {from: 2026-12-20, to: 2026-12-19}\n",
        );
    });
    expect_at(&p, "group.yaml", &text, "2026-12-31x", "mourning day `2026-12-31x` is not a date");
    expect_at(&p, "group.yaml", &text, "2026-12-19}", "mourning ends on 2026-12-19 before it starts on 2026-12-20");
    assert_eq!(p.len(), 2, "{p:?}");
}

#[test]
fn nesting_too_deep_is_refused_at_once() {
    // 100,000 levels once took `check` 23 s (both YAML parsers are quadratic in depth).
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let started = std::time::Instant::now();
    let problems = problems_after(|sites| {
        replace_in(sites, "fgw.yaml", "name: ", &format!("extra: {deep}\nname: "));
    });
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "refused without parsing the nest");
    let line = problems.iter().find(|p| p.starts_with("sites/fgw.yaml:")).expect("fgw.yaml is named");
    assert!(line.contains("nesting deeper than 32 levels"), "{line}");
    // Block nesting by indentation too; a real file's depth passes (the shipped group loads).
    let problems = problems_after(|sites| {
        let nest: String = (0..40).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect();
        replace_in(sites, "czj.yaml", "name: ", &format!("{nest}name: "));
    });
    assert!(problems.iter().any(|p| p.starts_with("sites/czj.yaml:") && p.contains("nesting deeper")), "{problems:?}");
}

#[test]
fn submissions_name_real_sites_and_columns_that_take_articles() {
    let mut text = String::new();
    let p = problems_after(|s| {
        text = replace_in(
            s,
            "group.yaml",
            "submissions:\n- site: www\n  columns: [bmdt, xqdt]\n",
            "submissions:\n- site: www\n  columns: [bmdt, nosuch, gk]\n- site: wwx\n  columns: [bmdt]\n- site: www\n  columns: []\n",
        );
    });
    expect_at(&p, "group.yaml", &text, "nosuch", "submissions: site `www` has no column `nosuch`");
    expect_at(&p, "group.yaml", &text, "gk]", "submissions: column `gk` of `www` is of kind overview");
    expect_at(&p, "group.yaml", &text, "wwx", "submissions: no site `wwx` in the group");
    let (line, _) = pos(&text, "columns: []");
    assert!(
        p.iter().any(|l| l.starts_with(&format!("sites/group.yaml:{}:", line - 1)) && l.contains("is listed twice")),
        "{p:?}"
    );
    assert!(p.iter().any(|l| l.contains("takes submissions into no column")), "{p:?}");
    assert_eq!(p.len(), 5, "{p:?}");
}
