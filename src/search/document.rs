//! A live article turned into an index document.

use tantivy::TantivyDocument;

use rayon::prelude::*;

use super::analyze::{fold, id_key};
use super::schema::Fields;
use crate::content::{article_path, markdown};
use crate::store::searchable::SearchableArticle;

/// Unix seconds of a `YYYY-MM-DD HH:MM:SS` local time, read as if it were UTC: every date in
/// the index and in the filters goes through here, so they compare correctly.
pub fn local_seconds(at: &str) -> i64 {
    chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(at.get(..10).unwrap_or(at), "%Y-%m-%d")
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
        .map(|t| t.and_utc().timestamp())
        .unwrap_or(0)
}

/// The documents of many articles, built in parallel (Markdown to text is the costly part).
pub fn documents(list: &[SearchableArticle], f: &Fields) -> Vec<TantivyDocument> {
    list.par_iter().map(|a| document(a, f)).collect()
}

/// Builds the document of a live article.
pub fn document(a: &SearchableArticle, f: &Fields) -> TantivyDocument {
    let mut d = TantivyDocument::new();
    d.add_u64(f.id, a.id as u64);
    d.add_u64(f.rev, a.revision_id as u64);
    d.add_text(f.site, &a.site);
    d.add_text(f.column, &a.column);
    d.add_i64(f.date, local_seconds(&a.publish_at));
    d.add_text(f.published, &a.publish_at);
    d.add_u64(f.copy, u64::from(a.copy));
    d.add_text(f.path, article_path(&a.column, &a.publish_at, a.id));
    // Indexed folded (full-width digits and letters as ASCII), stored as written.
    let body = markdown::plain_text(&a.body_md, usize::MAX);
    d.add_text(f.index_no, &a.index_no);
    d.add_text(f.id_keys, id_key(&a.index_no));
    let nonblank = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let mut meta = vec![a.index_no.clone()];
    if let Some(no) = nonblank(&a.doc_number) {
        d.add_text(f.doc_no, &no);
        d.add_text(f.id_keys, id_key(&no));
        meta.push(no);
    }
    if let Some(issuer) = nonblank(&a.issuer) {
        d.add_text(f.issuer, &issuer);
        meta.push(issuer);
    }
    meta.extend(nonblank(&a.topic));
    let meta = meta.join(" ");
    // One value: the pairs field then meets the same string right after the text field
    // (`analyze::TextTokenizer`). Line breaks keep the parts from touching.
    let all = fold(&[a.title.as_str(), a.summary.as_str(), meta.as_str(), body.as_str()].join("\n"));
    d.add_text(f.text, &all);
    d.add_text(f.pairs, &all);
    d.add_text(f.title, fold(&a.title));
    d.add_text(f.title_shown, &a.title);
    d.add_text(f.summary, &a.summary);
    d.add_text(f.body, body);
    d
}
