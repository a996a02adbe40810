//! A live article turned into an index document.

use tantivy::TantivyDocument;

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

pub fn document(a: &SearchableArticle, f: &Fields) -> TantivyDocument {
    let mut d = TantivyDocument::new();
    d.add_u64(f.id, a.id as u64);
    d.add_u64(f.rev, a.revision_id as u64);
    d.add_text(f.site, &a.site);
    d.add_text(f.column, &a.column);
    d.add_i64(f.date, local_seconds(&a.publish_at));
    d.add_text(f.published, &a.publish_at);
    d.add_text(f.path, article_path(&a.column, &a.publish_at, a.id));
    d.add_text(f.title, fold(&a.title));
    d.add_text(f.summary, fold(&a.summary));
    d.add_text(f.body, fold(&markdown::plain_text(&a.body_md, usize::MAX)));
    d.add_text(f.index_no, &a.index_no);
    d.add_text(f.id_keys, id_key(&a.index_no));
    let mut meta = a.index_no.clone();
    if let Some(no) = a.doc_number.as_deref().filter(|s| !s.is_empty()) {
        d.add_text(f.doc_no, no);
        d.add_text(f.id_keys, id_key(no));
        meta.push(' ');
        meta.push_str(no);
    }
    if let Some(issuer) = a.issuer.as_deref().filter(|s| !s.is_empty()) {
        d.add_text(f.issuer, issuer);
        meta.push(' ');
        meta.push_str(issuer);
    }
    if let Some(topic) = a.topic.as_deref().filter(|s| !s.is_empty()) {
        meta.push(' ');
        meta.push_str(topic);
    }
    d.add_text(f.meta, fold(&meta));
    d
}
