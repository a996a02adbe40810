//! The index schema. Changing a field or the analysis means bumping `VERSION`: the index lives
//! in a folder named after it, so a new version is built beside the old one and the old one is
//! deleted only once the new one is complete.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

use super::analyze::{PAIRS_TOKENIZER, TEXT_TOKENIZER, TOKENIZER};

pub const VERSION: u32 = 2;

#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Article id: what updates and deletions go by.
    pub id: Field,
    /// Revision id of the indexed (published) revision, to tell a stale document.
    pub rev: Field,
    /// Site code.
    pub site: Field,
    /// Column slug.
    pub column: Field,
    /// Publication time, Unix seconds (Beijing time as written by the editor).
    pub date: Field,
    /// The title (folded), searched on its own so that title matches weigh more.
    pub title: Field,
    /// The title as written, for display.
    pub title_shown: Field,
    /// Everything searchable in one field (title, summary, 文号, 索引号, 发布机构, 主题分类,
    /// body): one posting list per word keeps "every word somewhere" a plain intersection.
    pub text: Field,
    /// Pairs of touching words (`analyze::segment`), for cheap phrase boosts.
    pub pairs: Field,
    /// 文号 and 索引号 as exact keys (`analyze::id_key`).
    pub id_keys: Field,
    pub summary: Field,
    pub body: Field,
    pub doc_no: Field,
    pub index_no: Field,
    pub issuer: Field,
    pub path: Field,
    pub published: Field,
    /// 1 for a page another site took in (信息报送): found on that site, left out of a
    /// group-wide search where its source already is.
    pub copy: Field,
}

impl Fields {
    pub fn new() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let indexed = |tokenizer: &str, record: IndexRecordOption| {
            TextOptions::default()
                .set_indexing_options(TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(record))
        };
        let fields = Fields {
            id: b.add_u64_field("id", INDEXED | FAST | STORED),
            rev: b.add_u64_field("rev", FAST),
            site: b.add_text_field("site", STRING | STORED),
            column: b.add_text_field("column", STRING | STORED),
            date: b.add_i64_field("date", INDEXED | FAST),
            title: b.add_text_field("title", indexed(TOKENIZER, IndexRecordOption::WithFreqsAndPositions)),
            title_shown: b.add_text_field("title_shown", STORED),
            text: b.add_text_field("text", indexed(TEXT_TOKENIZER, IndexRecordOption::WithFreqsAndPositions)),
            pairs: b.add_text_field("pairs", indexed(PAIRS_TOKENIZER, IndexRecordOption::WithFreqs)),
            id_keys: b.add_text_field("id_keys", STRING),
            summary: b.add_text_field("summary", STORED),
            body: b.add_text_field("body", STORED),
            doc_no: b.add_text_field("doc_no", STORED),
            index_no: b.add_text_field("index_no", STORED),
            issuer: b.add_text_field("issuer", STORED),
            path: b.add_text_field("path", STORED),
            published: b.add_text_field("published", STORED),
            copy: b.add_u64_field("copy", INDEXED),
        };
        (b.build(), fields)
    }
}
