//! The layering of `src/`, written down once: each top-level module with the modules it may
//! use. The table is in dependency order (a module may only name modules above it), so a cycle
//! cannot be written into it; the test reads every source file and fails on a `crate::` path
//! the table does not allow, naming the file and line. `docs/architecture.md` draws the same
//! table. Moving a module down or adding an edge is a change to this table, made on purpose.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Every top-level module of the library, lowest first, with what it may use.
const LAYERS: &[(&str, &[&str])] = &[
    // Leaves: small helpers that know nothing of the product.
    ("clock", &[]),
    ("csv", &[]),
    ("hex", &[]),
    ("html", &[]),
    ("metrics", &[]),
    // The rules: the group's definition, accounts, articles and citizens' messages, no I/O but files.
    ("group", &["clock"]),
    ("auth", &["hex"]),
    ("theme", &["group", "html"]),
    ("content", &["clock", "group", "hex", "html"]),
    ("interaction", &["clock", "content", "group", "hex"]),
    ("workflow", &[]),
    // The one database.
    ("store", &["auth", "clock", "content", "group", "hex", "interaction", "workflow"]),
    // What runs on the database.
    ("mail", &["store"]),
    ("search", &["clock", "content", "group", "html", "store"]),
    ("counter", &["clock", "group", "store"]),
    ("stats", &["clock", "html", "store"]),
    ("project", &["group", "mail", "store", "theme"]),
    // The column editor: a site's YAML written back, the service's group replaced.
    ("columns", &["group", "hex", "project", "store"]),
    ("publish", &["clock", "content", "group", "hex", "html", "interaction", "project", "search", "store", "theme"]),
    (
        "audit",
        &["clock", "content", "csv", "group", "html", "interaction", "mail", "project", "publish", "store", "theme"],
    ),
    ("demo", &["auth", "clock", "content", "group", "hex", "interaction", "project", "stats", "store"]),
    // Operations: a group's backup and its restore.
    ("backup", &["clock", "hex", "project", "publish", "search", "store"]),
    // The running service and its edges.
    ("service", &["audit", "clock", "counter", "mail", "metrics", "project", "publish", "search", "store"]),
    (
        "web",
        &[
            "audit",
            "auth",
            "clock",
            "columns",
            "content",
            "counter",
            "csv",
            "group",
            "hex",
            "html",
            "interaction",
            "mail",
            "metrics",
            "project",
            "publish",
            "search",
            "service",
            "stats",
            "store",
            "theme",
            "workflow",
        ],
    ),
    ("bench", &["audit", "auth", "clock", "content", "demo", "group", "project", "publish", "search", "store", "web"]),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn the_table_has_no_cycle() {
    let mut above: BTreeSet<&str> = BTreeSet::new();
    for (module, uses) in LAYERS {
        for u in *uses {
            assert!(above.contains(u), "`{module}` may use `{u}`, which is not above it in LAYERS");
        }
        assert!(above.insert(module), "`{module}` is in LAYERS twice");
    }
}

#[test]
fn every_module_of_the_library_is_placed() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let declared: BTreeSet<&str> =
        lib.lines().filter_map(|l| l.trim().strip_prefix("pub mod ").and_then(|m| m.strip_suffix(';'))).collect();
    let placed: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    assert_eq!(declared, placed, "lib.rs declares a module LAYERS does not place, or the other way round");
}

#[test]
fn modules_use_only_what_their_layer_allows() {
    let mut wrong = Vec::new();
    for (module, uses) in LAYERS {
        let folder = src().join(module);
        let files: Vec<PathBuf> = if folder.is_dir() {
            walkdir::WalkDir::new(&folder)
                .into_iter()
                .filter_map(Result::ok)
                .map(|e| e.into_path())
                .filter(|p| p.extension().is_some_and(|e| e == "rs"))
                .collect()
        } else {
            vec![src().join(format!("{module}.rs"))]
        };
        assert!(!files.is_empty(), "no source for `{module}`");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (line, used) in crate_paths(&text) {
                if used != *module && !uses.contains(&used.as_str()) {
                    wrong.push(format!(
                        "{}:{line}: `{module}` uses `{used}`, which its layer does not allow",
                        file.strip_prefix(src().parent().unwrap()).unwrap_or(&file).display()
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{}\n(the layering is the table LAYERS in tests/it/layering.rs, drawn in docs/architecture.md)",
        wrong.join("\n")
    );
}

/// The top-level modules named by `crate::…` paths in `text`, with their line numbers; comments
/// and the unit tests at the end of a file are left out.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let code = text.split("\n#[cfg(test)]\nmod tests").next().unwrap_or(text);
    let mut found = Vec::new();
    for (i, line) in code.lines().enumerate() {
        let line = match line.find("//") {
            // A `//` inside a string ("https://…") is rare in a line that names a crate path;
            // cutting there at worst hides a path, and the path also appears in a `use` line.
            Some(at) => &line[..at],
            None => line,
        };
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                found.extend(group_heads(group, code, i).into_iter().map(|m| (i + 1, m)));
            } else {
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    found.push((i + 1, name));
                }
            }
        }
    }
    found
}

/// The first names of a `use crate::{a::x, b, c::{y, z}}` list, which may span lines.
fn group_heads(start: &str, code: &str, line: usize) -> Vec<String> {
    let mut text = start.to_string();
    for more in code.lines().skip(line + 1) {
        if text.contains('}') && depth_closes(&text) {
            break;
        }
        text.push(' ');
        text.push_str(more);
    }
    let mut heads = Vec::new();
    let (mut depth, mut item) = (0, String::new());
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                heads.push(std::mem::take(&mut item));
                continue;
            }
            _ => {}
        }
        if depth == 0 || c != '{' {
            item.push(c);
        }
    }
    heads.push(item);
    heads
        .into_iter()
        .map(|h| h.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>())
        .filter(|h| !h.is_empty() && h != "self")
        .collect()
}

fn depth_closes(text: &str) -> bool {
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return true,
            '}' => depth -= 1,
            _ => {}
        }
    }
    false
}

#[test]
fn the_reader_sees_grouped_and_plain_paths() {
    let text = "use crate::{audit::rules, store::{Store, StoreError},\n    web};\nlet x = crate::clock::now(); // crate::hidden\n";
    let got: Vec<(usize, String)> = crate_paths(text);
    let names: Vec<&str> = got.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(names, ["audit", "store", "web", "clock"]);
    assert_eq!(got[3].0, 3);
}

/// `Job::Test` is the tests' way to read what was stored; the product itself never acts as it
/// (a handler reaches tenant rows only through its session's `Tenant`).
#[test]
fn only_the_tests_act_as_the_test_job() {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(src()).into_iter().filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let code = text.split("\n#[cfg(test)]\nmod tests").next().unwrap_or(&text);
        for (i, line) in code.lines().enumerate() {
            if line.contains("Job::Test") && !line.trim_start().starts_with("//") {
                found.push(format!("{}:{}", path.display(), i + 1));
            }
        }
    }
    assert!(found.is_empty(), "Job::Test named in the product: {}", found.join(", "));
}
