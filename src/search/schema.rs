//! The index schema. Changing a field or the analysis means bumping `VERSION`: the index lives
//! in a folder named after it, so a new version is built beside the old one and the old one is
//! deleted only once the new one is complete.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

use super::analyze::TOKENIZER;

pub const VERSION: u32 = 1;

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
    pub title: Field,
    pub summary: Field,
    pub body: Field,
    /// 文号, 索引号, 发布机构 and 主题分类 as searchable text.
    pub meta: Field,
    /// 文号 and 索引号 as exact keys (`analyze::id_key`).
    pub id_keys: Field,
    pub doc_no: Field,
    pub index_no: Field,
    pub issuer: Field,
    pub path: Field,
    pub published: Field,
}

impl Fields {
    pub fn new() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let full_text = |stored: bool| {
            let idx = TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions);
            let o = TextOptions::default().set_indexing_options(idx);
            if stored {
                o.set_stored()
            } else {
                o
            }
        };
        let fields = Fields {
            id: b.add_u64_field("id", INDEXED | FAST | STORED),
            rev: b.add_u64_field("rev", FAST),
            site: b.add_text_field("site", STRING | STORED),
            column: b.add_text_field("column", STRING | STORED),
            date: b.add_i64_field("date", INDEXED | FAST),
            title: b.add_text_field("title", full_text(true)),
            summary: b.add_text_field("summary", full_text(true)),
            body: b.add_text_field("body", full_text(true)),
            meta: b.add_text_field("meta", full_text(false)),
            id_keys: b.add_text_field("id_keys", STRING),
            doc_no: b.add_text_field("doc_no", STORED),
            index_no: b.add_text_field("index_no", STORED),
            issuer: b.add_text_field("issuer", STORED),
            path: b.add_text_field("path", STORED),
            published: b.add_text_field("published", STORED),
        };
        (b.build(), fields)
    }
}
