//! 版本对比 on the article page: the version under review (or being edited) against the live
//! one, fields and body, with long unchanged stretches folded so the changes stand out.

use super::*;
use crate::content::diff::{compare, BlockChange, Comparison};

/// Unchanged blocks shown around a change; longer unchanged stretches fold into one line.
const CONTEXT: usize = 1;

#[derive(Debug, serde::Serialize)]
pub(super) struct ComparisonView {
    pub fields: Vec<crate::content::diff::FieldChange>,
    /// Blocks to show: a `folded` one stands for `html` (a count) unchanged blocks.
    pub body: Vec<BlockChange>,
}

/// The comparison of an article's working version with its live one, if it has both and
/// they differ.
pub(super) fn live_vs_work(site: &Site, article: &ArticleView) -> Option<ComparisonView> {
    let (live, work) = (article.live.as_ref()?, article.work.as_ref()?);
    let names =
        |r: &crate::store::editorial::RevisionView| r.attachments.iter().map(|a| a.name.clone()).collect::<Vec<_>>();
    let mut c: Comparison = compare(&live.input, &work.input, (&names(live), &names(work)));
    if c.is_empty() {
        return None;
    }
    let column_name = |slug: &str| site.def.columns.iter().find(|c| c.slug == slug).map(|c| c.name.clone());
    for f in c.fields.iter_mut().filter(|f| f.label == "栏目") {
        f.old = column_name(&f.old).unwrap_or_else(|| f.old.clone());
        f.new = column_name(&f.new).unwrap_or_else(|| f.new.clone());
    }
    Some(ComparisonView { fields: c.fields, body: fold(c.body) })
}

fn fold(blocks: Vec<BlockChange>) -> Vec<BlockChange> {
    let near_change = |i: usize| {
        let lo = i.saturating_sub(CONTEXT);
        let hi = (i + CONTEXT).min(blocks.len().saturating_sub(1));
        (lo..=hi).any(|j| blocks[j].kind != "same")
    };
    let mut out: Vec<BlockChange> = Vec::new();
    let mut folded = 0usize;
    for (i, b) in blocks.iter().enumerate() {
        if b.kind == "same" && !near_change(i) {
            folded += 1;
            continue;
        }
        if folded > 0 {
            out.push(BlockChange { kind: "folded", html: folded.to_string() });
            folded = 0;
        }
        out.push(b.clone());
    }
    if folded > 0 {
        out.push(BlockChange { kind: "folded", html: folded.to_string() });
    }
    out
}
