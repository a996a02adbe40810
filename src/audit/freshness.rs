//! Freshness (内容更新), as the inspection counts it: the home page, stale columns by kind,
//! long un-updated columns and empty columns. Works on facts (each column's live articles and
//! newest date, sub-columns included), so every threshold is tested at its boundary.

use chrono::{Months, NaiveDate};

use super::finding::Finding;
use super::rules::*;
use crate::group::model::ColumnKind;

/// What the site has live in one column and its sub-columns.
#[derive(Debug, Clone)]
pub struct ColumnFacts {
    pub slug: String,
    pub name: String,
    pub kind: ColumnKind,
    pub live: i64,
    pub newest: Option<NaiveDate>,
}

fn days(today: NaiveDate, d: NaiveDate) -> i64 {
    (today - d).num_days()
}

/// The findings of one site. `home_newest` is the newest live article of the whole site (the
/// home page lists the newest of its columns); `url` makes a column's public address.
pub fn check(
    site: &str,
    home_newest: Option<NaiveDate>,
    columns: &[ColumnFacts],
    today: NaiveDate,
    url: impl Fn(&str) -> String,
) -> Vec<Finding> {
    let mut out = Vec::new();
    match home_newest {
        None => {
            out.push(Finding::new("fresh.home", site, "首页没有任何信息", format!("{HOME_STALE_DAYS} 天")).url(url("")))
        }
        Some(d) if days(today, d) > HOME_STALE_DAYS => out.push(
            Finding::new(
                "fresh.home",
                site,
                format!("最近更新 {d}，已 {} 天", days(today, d)),
                format!("{HOME_STALE_DAYS} 天"),
            )
            .url(url("")),
        ),
        Some(_) => {}
    }
    let mut stale = Vec::new();
    let mut long = Vec::new();
    let mut empty = Vec::new();
    // Messages, not articles, fill interaction columns; their rules come with the mailboxes.
    for c in columns.iter().filter(|c| c.kind != ColumnKind::Interaction) {
        let Some(newest) = c.newest.filter(|_| c.live > 0) else {
            empty.push(c);
            out.push(
                Finding::new("fresh.empty_column", site, format!("栏目“{}”没有任何信息", c.name), "不得空白")
                    .column(&c.slug)
                    .url(url(&c.slug)),
            );
            continue;
        };
        let age = days(today, newest);
        let stale_limit = match c.kind {
            ColumnKind::News => {
                Some((today - chrono::Days::new(NEWS_STALE_DAYS as u64), format!("{NEWS_STALE_DAYS} 天")))
            }
            ColumnKind::Notice | ColumnKind::Policy => today
                .checked_sub_months(Months::new(NOTICE_STALE_MONTHS))
                .map(|d| (d, format!("{NOTICE_STALE_MONTHS} 个月"))),
            _ => None,
        };
        if let Some((limit, words)) = stale_limit {
            if newest < limit {
                stale.push(c);
                out.push(
                    Finding::new(
                        "fresh.column",
                        site,
                        format!("栏目“{}”最近更新 {newest}，已 {age} 天", c.name),
                        words,
                    )
                    .column(&c.slug)
                    .url(url(&c.slug)),
                );
            }
        }
        if age > LONG_UNUPDATED_DAYS {
            long.push(c);
            out.push(
                Finding::new(
                    "fresh.column_long",
                    site,
                    format!("栏目“{}”最近更新 {newest}，已 {age} 天", c.name),
                    format!("{LONG_UNUPDATED_DAYS} 天"),
                )
                .column(&c.slug)
                .url(url(&c.slug)),
            );
        }
    }
    let names = |list: &[&ColumnFacts]| list.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join("、");
    if stale.len() >= STALE_COLUMNS_VETO {
        out.push(Finding::new(
            "fresh.columns_stale",
            site,
            format!("{} 个栏目未按时更新：{}", stale.len(), names(&stale)),
            format!("少于 {STALE_COLUMNS_VETO} 个"),
        ));
    }
    if long.len() >= LONG_UNUPDATED_VETO {
        out.push(Finding::new(
            "fresh.long_unupdated",
            site,
            format!("{} 个栏目超过 1 年未更新：{}", long.len(), names(&long)),
            format!("少于 {LONG_UNUPDATED_VETO} 个"),
        ));
    }
    if empty.len() >= EMPTY_COLUMNS_VETO {
        out.push(Finding::new(
            "fresh.empty_columns",
            site,
            format!("{} 个空白栏目：{}", empty.len(), names(&empty)),
            format!("少于 {EMPTY_COLUMNS_VETO} 个"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn col(slug: &str, kind: ColumnKind, newest: Option<&str>) -> ColumnFacts {
        ColumnFacts { slug: slug.into(), name: slug.into(), kind, live: newest.map_or(0, |_| 3), newest: newest.map(d) }
    }

    const TODAY: &str = "2026-11-21";

    fn rules(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.rule).collect()
    }

    fn run(home: Option<&str>, columns: &[ColumnFacts]) -> Vec<Finding> {
        check("s", home.map(d), columns, d(TODAY), |c| format!("/{c}/"))
    }

    #[test]
    fn home_page_boundary_is_fourteen_days() {
        assert!(run(Some("2026-11-07"), &[]).is_empty(), "14 days: still fresh");
        assert_eq!(rules(&run(Some("2026-11-06"), &[])), ["fresh.home"], "15 days: veto");
        assert_eq!(rules(&run(None, &[])), ["fresh.home"], "never updated");
    }

    #[test]
    fn stale_columns_by_kind_at_their_boundaries() {
        let ok = [
            col("a", ColumnKind::News, Some("2026-11-07")),
            col("b", ColumnKind::Notice, Some("2026-05-21")),
            col("c", ColumnKind::Policy, Some("2026-05-21")),
            col("d", ColumnKind::Guide, Some("2025-11-21")),
        ];
        assert!(run(Some(TODAY), &ok).is_empty(), "{:?}", run(Some(TODAY), &ok));
        let late = [
            col("a", ColumnKind::News, Some("2026-11-06")),
            col("b", ColumnKind::Notice, Some("2026-05-20")),
            col("c", ColumnKind::Policy, Some("2026-05-20")),
            col("d", ColumnKind::Guide, Some("2025-11-20")),
        ];
        let f = run(Some(TODAY), &late);
        assert_eq!(rules(&f), ["fresh.column", "fresh.column", "fresh.column", "fresh.column_long"]);
        assert_eq!(f[0].column.as_deref(), Some("a"));
        assert_eq!(f[0].url.as_deref(), Some("/a/"));
        assert!(f[0].found.contains("15 天"), "{}", f[0].found);
    }

    #[test]
    fn vetoes_count_columns_cumulatively() {
        let stale = |n: usize| -> Vec<ColumnFacts> {
            (0..n)
                .map(|i| {
                    col(
                        &format!("n{i}"),
                        if i % 2 == 0 { ColumnKind::News } else { ColumnKind::Notice },
                        Some("2020-01-01"),
                    )
                })
                .collect()
        };
        let four = run(Some(TODAY), &stale(4));
        assert!(!rules(&four).contains(&"fresh.columns_stale"), "4 stale: no veto");
        assert!(rules(&run(Some(TODAY), &stale(5))).contains(&"fresh.columns_stale"), "5 stale: veto");
        assert!(!rules(&run(Some(TODAY), &stale(9))).contains(&"fresh.long_unupdated"), "9 long: no veto");
        assert!(rules(&run(Some(TODAY), &stale(10))).contains(&"fresh.long_unupdated"), "10 long: veto");
        let empty = |n: usize| -> Vec<ColumnFacts> {
            (0..n).map(|i| col(&format!("e{i}"), ColumnKind::Overview, None)).collect()
        };
        let f = run(Some(TODAY), &empty(4));
        assert_eq!(rules(&f), ["fresh.empty_column"; 4], "any empty column: a deduction each");
        assert!(rules(&run(Some(TODAY), &empty(5))).contains(&"fresh.empty_columns"), "5 empty: veto");
        let interaction = [col("hd", ColumnKind::Interaction, None)];
        assert!(run(Some(TODAY), &interaction).is_empty(), "interaction columns hold messages");
    }
}
