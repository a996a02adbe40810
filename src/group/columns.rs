//! The rules of a site's column list, in one place. `zhanqun check` reports a broken rule at
//! `FILE:LINE:COL` in English with a hint; the admin's column editor shows the same finding in
//! Chinese beside the column it concerns. Both judge the whole list, so what the editor saves
//! is exactly what the check accepts.

use std::collections::HashMap;

use super::formats::is_slug;
use super::model::{ColumnDef, ColumnKind};
use super::urls::RESERVED_SLUGS;

/// Longest column name: it has to fit the navigation bar.
pub const MAX_NAME_CHARS: usize = 20;
/// Longest landing text of a 专题.
pub const MAX_INTRO_CHARS: usize = 1000;

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnProblem {
    /// The column concerned; None for the list as a whole (a base column missing).
    pub index: Option<usize>,
    /// The field the problem is in (`slug`, `name`, `parent`, `hidden`, `ends`, `intro` …).
    pub field: &'static str,
    pub english: String,
    pub hint: String,
    /// What a site administrator reads.
    pub chinese: String,
}

fn problem(index: Option<usize>, field: &'static str, english: String, hint: String, chinese: String) -> ColumnProblem {
    ColumnProblem { index, field, english, hint, chinese }
}

pub(crate) fn is_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// Everything wrong with `columns` as a site's list under the group's `base` columns.
pub fn problems(base: &[ColumnDef], columns: &[ColumnDef]) -> Vec<ColumnProblem> {
    let mut out = Vec::new();
    let mut by_slug: HashMap<&str, usize> = HashMap::new();
    let is_base = |slug: &str| base.iter().any(|b| b.slug == slug);
    for (i, c) in columns.iter().enumerate() {
        let at = Some(i);
        if !is_slug(&c.slug) {
            out.push(problem(
                at,
                "slug",
                format!("column slug `{}` is not a lower-case ASCII path segment", c.slug),
                "use letters, digits, - and _, e.g. tzgg".into(),
                format!("栏目代码“{}”只能使用小写字母、数字、- 和 _（不超过 40 个字符），例如 tzgg", c.slug),
            ));
        } else if RESERVED_SLUGS.contains(&c.slug.as_str()) {
            out.push(problem(
                at,
                "slug",
                format!("column slug `{}` is reserved", c.slug),
                "the shared services use it on every host; choose another".into(),
                format!("栏目代码“{}”已被站群的公共服务（检索、计数、留言等）占用，请换一个", c.slug),
            ));
        }
        if let Some(first) = by_slug.insert(c.slug.as_str(), i) {
            out.push(problem(
                at,
                "slug",
                format!("column slug `{}` is used twice", c.slug),
                format!("first used by columns[{first}]"),
                format!("栏目代码“{}”已被栏目“{}”使用，请换一个", c.slug, columns[first].name),
            ));
        }
        let name_chars = c.name.trim().chars().count();
        if name_chars == 0 {
            out.push(problem(
                at,
                "name",
                "column name is empty".into(),
                "give the Chinese column name".into(),
                "请填写栏目名称".into(),
            ));
        } else if name_chars > MAX_NAME_CHARS {
            out.push(problem(
                at,
                "name",
                format!("column name {} is longer than {MAX_NAME_CHARS} characters", c.name),
                "shorten it: it has to fit the navigation bar".into(),
                format!("栏目名称最多 {MAX_NAME_CHARS} 个字，导航栏才放得下"),
            ));
        }
        if let Some(parent) = &c.parent {
            // Parents come first, which also rules out cycles.
            match columns[..i].iter().find(|x| &x.slug == parent) {
                None => out.push(problem(
                    at,
                    "parent",
                    format!("parent column `{parent}` is not defined above this column"),
                    "list the parent column before its children".into(),
                    format!("上级栏目“{parent}”不存在，或排在本栏目之后"),
                )),
                // The navigation shows two levels; a third would be unreachable from it.
                Some(p) if p.parent.is_some() => out.push(problem(
                    at,
                    "parent",
                    format!("parent column `{parent}` is itself a sub-column"),
                    "columns nest two levels deep at most".into(),
                    format!("栏目最多两级：上级栏目“{}”本身是子栏目", p.name),
                )),
                Some(_) => {}
            }
        }
        if c.kind != ColumnKind::Topic {
            let set = [("intro", c.intro.is_some()), ("ends", c.ends.is_some()), ("archived", c.archived)];
            for (field, present) in set {
                if present {
                    out.push(problem(
                        at,
                        field,
                        format!("`{field}` is set on column `{}`, which is not a topic", c.slug),
                        "only a column of kind topic (专题) has a landing text, an end date or an archive".into(),
                        "只有专题可以设置导语、结束日期或归档".into(),
                    ));
                }
            }
        }
        if let Some(ends) = c.ends.as_deref().filter(|e| !is_date(e)) {
            out.push(problem(
                at,
                "ends",
                format!("end date `{ends}` is not a date"),
                "write it as 2026-12-31".into(),
                format!("结束日期“{ends}”不是有效日期，请写成 2026-12-31 的形式"),
            ));
        }
        if c.intro.as_deref().is_some_and(|t| t.chars().count() > MAX_INTRO_CHARS) {
            out.push(problem(
                at,
                "intro",
                format!("the landing text of `{}` is longer than {MAX_INTRO_CHARS} characters", c.slug),
                "shorten it; articles carry the details".into(),
                format!("专题导语最多 {MAX_INTRO_CHARS} 字，详细内容请发布为稿件"),
            ));
        }
        if c.hidden && is_base(&c.slug) {
            out.push(problem(
                at,
                "hidden",
                format!("base column {} is hidden", c.name),
                "base columns are always shown".into(),
                format!("“{}”是统一基本栏目，不能隐藏", c.name),
            ));
        }
    }
    for b in base {
        match columns.iter().position(|c| c.slug == b.slug) {
            None => {
                let renamed = columns.iter().position(|c| c.name == b.name);
                let (index, english) = match renamed {
                    Some(i) => (
                        Some(i),
                        format!("base column {} has slug `{}` instead of `{}`", b.name, columns[i].slug, b.slug),
                    ),
                    None => (None, format!("base column {} (`{}`) is missing", b.name, b.slug)),
                };
                out.push(problem(
                    index,
                    "slug",
                    english,
                    format!(
                        "every site carries `- {{ slug: {}, name: {} }}`; base columns cannot be removed",
                        b.slug, b.name
                    ),
                    format!("缺少统一基本栏目“{}”（{}），基本栏目不能删除或改代码", b.name, b.slug),
                ));
            }
            Some(i) => {
                let c = &columns[i];
                if c.name != b.name {
                    out.push(problem(
                        Some(i),
                        "name",
                        format!("base column `{}` is renamed to {}", b.slug, c.name),
                        format!("base columns keep the group's name {}", b.name),
                        format!("“{}”是统一基本栏目，名称由信息化办统一规定，不能改为“{}”", b.name, c.name),
                    ));
                }
                if c.parent.is_some() {
                    out.push(problem(
                        Some(i),
                        "parent",
                        format!("base column {} is nested under another column", b.name),
                        "base columns stay at the top level".into(),
                        format!("“{}”是统一基本栏目，只能是一级栏目", b.name),
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(slug: &str, name: &str, parent: Option<&str>) -> ColumnDef {
        ColumnDef::new(slug, name, ColumnKind::News, parent)
    }

    fn found(base: &[ColumnDef], cols: &[ColumnDef]) -> Vec<(Option<usize>, &'static str)> {
        problems(base, cols).into_iter().map(|p| (p.index, p.field)).collect()
    }

    #[test]
    fn a_well_formed_list_passes() {
        let base = [col("tzgg", "通知公告", None)];
        let mut topic = ColumnDef::new("zt-2026", "优化营商环境专题", ColumnKind::Topic, Some("ztzl"));
        topic.ends = Some("2026-12-31".into());
        topic.intro = Some("围绕优化营商环境，集中发布政策措施和工作动态。".into());
        let cols = [col("tzgg", "通知公告", None), col("ztzl", "专题专栏", None), topic];
        assert_eq!(found(&base, &cols), []);
    }

    #[test]
    fn each_rule_names_its_column_and_field() {
        let base = [col("tzgg", "通知公告", None), col("gk", "单位概况", None)];
        let mut hidden_base = col("tzgg", "公告", Some("a"));
        hidden_base.hidden = true;
        let mut not_topic = col("b", "动态", None);
        not_topic.ends = Some("2026-13-01".into());
        let cols = [
            col("a", "栏目甲", None),
            col("A b", "", None),
            col("search", "检索", None),
            col("a", "这是一个名字长得实在放不进导航栏的栏目名称啊", Some("zz")),
            col("c", "三级", Some("d")),
            col("d", "二级", Some("a")),
            col("e", "三级", Some("d")),
            hidden_base,
            not_topic,
        ];
        let got = found(&base, &cols);
        for want in [
            (Some(1), "slug"),
            (Some(1), "name"),
            (Some(2), "slug"),
            (Some(3), "slug"),
            (Some(3), "name"),
            (Some(3), "parent"),
            (Some(4), "parent"),
            (Some(6), "parent"),
            (Some(7), "hidden"),
            (Some(7), "name"),
            (Some(7), "parent"),
            (Some(8), "ends"),
            (None, "slug"),
        ] {
            assert!(got.contains(&want), "{want:?} in {got:?}");
        }
        let p = problems(&base, &cols);
        let dup = p.iter().find(|p| p.index == Some(3) && p.field == "slug").unwrap();
        assert!(dup.chinese.contains("栏目甲") && dup.english.contains("used twice"), "{dup:?}");
        assert!(p.iter().any(|p| p.chinese.contains("缺少统一基本栏目“单位概况”")));
        // A bad date on a column that is no 专题 is two findings: the kind, and the date.
        assert!(p.iter().any(|p| p.index == Some(8) && p.chinese.contains("只有专题")));
    }

    #[test]
    fn a_topic_is_over_when_archived_or_past_its_last_day() {
        let mut t = ColumnDef::new("zt", "专题", ColumnKind::Topic, None);
        assert!(!t.is_over("2026-11-27"));
        t.ends = Some("2026-11-27".into());
        assert!(!t.is_over("2026-11-27"), "its last day still counts");
        assert!(t.is_over("2026-11-28"));
        t.ends = None;
        t.archived = true;
        assert!(t.is_over("2026-11-27"));
        let mut news = col("x", "动态", None);
        news.archived = true;
        assert!(!news.is_over("2026-11-27"), "only a 专题 ends");
    }
}
