//! The audit as people and programs read it: text for a terminal or a cron mail, JSON for
//! other tools, CSV (one finding a line) for a spreadsheet.

use std::fmt::Write;

use super::rules::rule;
use super::AuditReport;

pub fn text(r: &AuditReport) -> String {
    let mut out = String::new();
    let passed = r.sites.iter().filter(|s| s.passed).count();
    let _ = writeln!(
        out,
        "站群检查 {}：{} 个网站，{} 个合格，{} 个被否决，共 {} 项否决",
        r.day,
        r.sites.len(),
        passed,
        r.sites.len() - passed,
        r.vetoes()
    );
    for (rank, s) in r.sites.iter().enumerate() {
        let verdict = if s.passed { format!("合格 {} 分", s.score) } else { "否决".to_string() };
        let _ = writeln!(out, "\n{:>3}. {} ({}, {})：{verdict}", rank + 1, s.name, s.code, s.host);
        for f in &s.findings {
            let r = rule(f.rule);
            let _ = writeln!(
                out,
                "     [{}] {} {}：{}（标准：{}）",
                f.severity.label(),
                f.rule,
                r.title,
                f.found,
                f.threshold
            );
            if let Some(url) = &f.url {
                let _ = writeln!(out, "          {url}");
            }
            let _ = writeln!(out, "          整改：{}", r.fix);
        }
    }
    out
}

pub fn json(r: &AuditReport) -> String {
    serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

pub fn csv(r: &AuditReport) -> String {
    let mut out = String::from("\u{feff}日期,网站代码,网站,结论,得分,规则,级别,问题,栏目,页面,发现,标准,整改\r\n");
    for s in &r.sites {
        let verdict = if s.passed { "合格" } else { "否决" };
        for f in &s.findings {
            let rule = rule(f.rule);
            let row = [
                r.day.as_str(),
                &s.code,
                &s.name,
                verdict,
                &s.score.to_string(),
                f.rule,
                f.severity.label(),
                rule.title,
                f.column.as_deref().unwrap_or_default(),
                f.url.as_deref().unwrap_or_default(),
                &f.found,
                &f.threshold,
                rule.fix,
            ];
            out.push_str(&crate::csv::line(row.iter().copied()));
        }
    }
    out
}
