//! The shared search service (统一信息检索): one tantivy index of every published article of
//! the group, segmented with jieba, kept equal to what is live by the publisher, and queried
//! by `/search` and `/api/search` on every host.
//!
//! `analyze` segments text, `schema` and `document` define what is indexed, `index` owns the
//! files and the single writer, `sync` keeps the index equal to the database, `request` checks
//! the query string, `query` turns words into a tantivy query, `snippet` marks the passages.

pub mod analyze;
pub mod document;
pub mod follow;
pub mod index;
pub mod query;
pub mod request;
pub mod schema;
pub mod snippet;
pub mod sync;
pub mod synonyms;

use std::time::Instant;

use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;
use tantivy::{DocAddress, Score, SegmentReader, TantivyDocument};

pub use index::{SearchError, SearchIndex};
use request::{SearchRequest, Sort, PAGE_SIZE};
use synonyms::{Suggestion, Synonyms};

/// One result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub id: i64,
    pub site: String,
    pub column: String,
    /// Path of the page on its site's host.
    pub path: String,
    pub title: String,
    /// The title with the matches marked (HTML).
    pub title_html: String,
    /// The passage with the matches marked (HTML).
    pub snippet_html: String,
    /// `YYYY-MM-DD HH:MM:SS`.
    pub published: String,
    pub doc_no: Option<String>,
    pub index_no: String,
    pub issuer: Option<String>,
    /// The query was this page's 文号 (typed in full, with any brackets).
    pub doc_no_matched: bool,
    /// The query was this page's 索引号.
    pub index_no_matched: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Pages of results there are (at most `MAX_PAGE`).
    pub pages: usize,
    pub micros: u64,
    /// Nothing searchable in the query (only punctuation).
    pub nothing_to_search: bool,
    /// 您是不是要找: the unit a query that found nothing resembles.
    pub suggestion: Option<Suggestion>,
}

/// Runs a request against the last commit. The request's text must not be empty.
pub fn search(index: &SearchIndex, req: &SearchRequest, synonyms: &Synonyms) -> Result<Results, SearchError> {
    let started = Instant::now();
    let analyzed = query::analyze(&req.text, synonyms);
    if analyzed.is_empty() {
        return Ok(Results { nothing_to_search: true, ..Default::default() });
    }
    let f = index.fields;
    let q = query::build(&analyzed, req, &f);
    let searcher = index.searcher();
    let top = TopDocs::with_limit(PAGE_SIZE).and_offset((req.page - 1) * PAGE_SIZE);
    let err = |e| SearchError::Index { dir: index.dir().to_path_buf(), source: e };
    let now = crate::clock::now_unix() + crate::clock::BEIJING_OFFSET_SECONDS;
    let (total, addresses): (usize, Vec<DocAddress>) = match req.sort {
        Sort::Relevance => {
            let (total, docs) = searcher
                .search(&q, &(Count, top.tweak_score(move |seg: &SegmentReader| relevance(seg, now))))
                .map_err(err)?;
            (total, docs.into_iter().map(|(_, a)| a).collect())
        }
        Sort::Date => {
            let (total, docs) =
                searcher.search(&q, &(Count, top.tweak_score(|seg: &SegmentReader| newest(seg)))).map_err(err)?;
            (total, docs.into_iter().map(|(_, a)| a).collect())
        }
    };
    let mut hits = Vec::with_capacity(addresses.len());
    for a in addresses {
        let doc: TantivyDocument = searcher.doc(a).map_err(err)?;
        hits.push(hit(&doc, &f, &analyzed));
    }
    let pages = total.div_ceil(PAGE_SIZE).min(request::MAX_PAGE);
    let suggestion = if total == 0 { synonyms.suggest(&req.text) } else { None };
    Ok(Results {
        total,
        hits,
        pages,
        micros: started.elapsed().as_micros() as u64,
        nothing_to_search: false,
        suggestion,
    })
}

/// Sort key by relevance: BM25 with a mild freshness lift (10 % for today's pages, 5 % at a
/// year old, fading after), then the newer page first when scores tie. Computed for every
/// match, so it is kept to one division.
fn relevance(seg: &SegmentReader, now: i64) -> impl Fn(tantivy::DocId, Score) -> (Score, i64) + use<> {
    const YEAR: f32 = 365.0 * 86400.0;
    let dates = date_column(seg);
    move |doc, score| {
        let date = dates.as_ref().map_or(0, |c| c.get_val(doc));
        let age_years = ((now - date).max(0) as f32) / YEAR;
        (score * (1.0 + 0.1 / (1.0 + age_years)), date)
    }
}

/// Sort key by date: newest first, relevance between pages of the same second.
fn newest(seg: &SegmentReader) -> impl Fn(tantivy::DocId, Score) -> (i64, Score) + use<> {
    let dates = date_column(seg);
    move |doc, score| (dates.as_ref().map_or(0, |c| c.get_val(doc)), score)
}

fn date_column(seg: &SegmentReader) -> Option<std::sync::Arc<dyn tantivy::columnar::ColumnValues<i64>>> {
    seg.fast_fields().i64("date").ok().map(|c| c.first_or_default_col(0))
}

fn hit(doc: &TantivyDocument, f: &schema::Fields, analyzed: &query::Analyzed) -> Hit {
    let terms = &analyzed.highlights;
    let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let opt = |field| doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string);
    let title = text(f.title_shown);
    let summary = text(f.summary);
    let body = text(f.body);
    // The passage of the body where the words are; when they are not in it (a match on the
    // title or 文号 alone), the summary reads better than the opening of the body.
    let snippet_html = snippet::passage(&body, terms)
        .unwrap_or_else(|| snippet::snippet(if summary.is_empty() { &body } else { &summary }, terms));
    Hit {
        id: doc.get_first(f.id).and_then(|v| v.as_u64()).unwrap_or_default() as i64,
        site: text(f.site),
        column: text(f.column),
        path: text(f.path),
        title_html: snippet::highlight(&title, terms),
        snippet_html,
        title,
        published: text(f.published),
        doc_no_matched: opt(f.doc_no).is_some_and(|v| analyze::id_key(&v) == analyzed.id_key),
        index_no_matched: analyze::id_key(&text(f.index_no)) == analyzed.id_key,
        doc_no: opt(f.doc_no),
        index_no: text(f.index_no),
        issuer: opt(f.issuer),
    }
}
