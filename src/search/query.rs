//! From the words a citizen typed to a tantivy query, built term by term: the query parser
//! never sees user input, so `AND`, quotes, brackets or `title:` are only text.
//!
//! Every word must match (each of its jieba tokens somewhere in the page); exact phrases and
//! title matches score higher; a 文号 or 索引号 typed in full matches its document exactly,
//! whatever brackets it was typed with.

use std::ops::Bound;

use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::analyze::{fold, id_key, index_analyzer, pair, query_analyzer, words, Word};
use super::document::local_seconds;
use super::request::{Scope, SearchRequest};
use super::schema::Fields;
use super::synonyms::Synonyms;

/// Function words that do not have to appear when a word has others (的, 和, …); they still
/// count inside phrases.
const OPTIONAL: &[&str] = &["的", "了", "和", "与", "及", "或", "在", "是", "对", "等", "之", "把", "被"];

/// Weight of a word found in the title, on top of its weight in the text.
const TITLE_TERM_BOOST: f32 = 3.0;
/// A word's parts side by side in the title, and in the text.
const TITLE_PHRASE_BOOST: f32 = 6.0;
const PAIR_BOOST: f32 = 1.5;
const ID_BOOST: f32 = 50.0;
/// Weight of a word's other form (a unit's full name for its short name, a synonym).
const ALTERNATIVE_BOOST: f32 = 0.5;

/// One word of the query (a run without spaces, or a quoted phrase).
#[derive(Debug, Clone)]
pub struct QueryWord {
    pub tokens: Vec<Word>,
    /// Quoted: the tokens must appear as a phrase.
    pub exact: bool,
    /// The same word with a unit's short name or full name in place of the other
    /// (`synonyms`): a page matching any of them matches the word.
    pub alternatives: Vec<Vec<Word>>,
}

/// The analysed query.
#[derive(Debug, Clone, Default)]
pub struct Analyzed {
    pub words: Vec<QueryWord>,
    /// The whole query as a 文号/索引号 key.
    pub id_key: String,
    /// What snippets mark: every token and every whole word, longest first.
    pub highlights: Vec<String>,
}

impl Analyzed {
    /// Nothing searchable: only punctuation or spaces.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| w.tokens.is_empty()) && self.id_key.is_empty()
    }
}

pub fn analyze(text: &str, synonyms: &Synonyms) -> Analyzed {
    let folded = fold(text);
    let mut analyzer = query_analyzer();
    let mut words_out = Vec::new();
    let mut highlights: Vec<String> = Vec::new();
    for (part, exact) in split(&folded) {
        let tokens = words(&mut analyzer, part);
        if tokens.is_empty() {
            continue;
        }
        let whole = part.to_lowercase();
        if tokens.len() > 1 && whole.chars().all(char::is_alphanumeric) {
            highlights.push(whole);
        }
        for t in &tokens {
            let optional = OPTIONAL.contains(&t.text.as_str()) && tokens.len() > 1;
            if !optional {
                highlights.push(t.text.clone());
            }
        }
        let mut alternatives = Vec::new();
        for alt in synonyms.alternatives(part) {
            let alt_tokens = words(&mut analyzer, &alt);
            for t in &alt_tokens {
                if !OPTIONAL.contains(&t.text.as_str()) {
                    highlights.push(t.text.clone());
                }
            }
            if !alt_tokens.is_empty() {
                alternatives.push(alt_tokens);
            }
        }
        words_out.push(QueryWord { tokens, exact, alternatives });
    }
    highlights.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    highlights.dedup();
    let key = id_key(text);
    let id_key = if key.chars().any(char::is_alphanumeric) { key } else { String::new() };
    Analyzed { words: words_out, id_key, highlights }
}

/// Splits on spaces, keeping "quoted" (or “quoted”) runs together as exact phrases.
fn split(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let open = rest.find(['"', '“', '「']);
        let (plain, quoted) = match open {
            Some(i) => {
                let q = &rest[i..];
                let open_len = q.chars().next().map_or(1, char::len_utf8);
                let body = &q[open_len..];
                let close = body.find(['"', '”', '」']);
                let (inner, after) = match close {
                    Some(j) => (&body[..j], &body[j + body[j..].chars().next().map_or(1, char::len_utf8)..]),
                    None => (body, ""),
                };
                let plain = &rest[..i];
                rest = after;
                (plain, Some(inner))
            }
            None => {
                let plain = rest;
                rest = "";
                (plain, None)
            }
        };
        out.extend(plain.split_whitespace().map(|w| (w, false)));
        if let Some(q) = quoted.map(str::trim).filter(|q| !q.is_empty()) {
            out.push((q, true));
        }
    }
    out
}

/// The full query: the words (or the exact 文号/索引号) within the request's filters.
///
/// Each word must be in the text; where it sits in the title, and where its parts stand side
/// by side (as pairs, not positions: a term lookup instead of reading every position of two
/// common words), it scores more. Only a quoted phrase reads positions.
pub fn build(a: &Analyzed, req: &SearchRequest, f: &Fields) -> Box<dyn Query> {
    let mut text: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for w in &a.words {
        let tokens = required(&w.tokens);
        if w.alternatives.is_empty() {
            for q in word_match(w.exact, &w.tokens, f) {
                text.push((Occur::Must, q));
            }
        } else {
            // The word as typed, or any of its other forms, each with all of its tokens; the
            // words the reader typed weigh more than the forms read into them.
            let forms: Vec<(Occur, Box<dyn Query>)> = std::iter::once(&w.tokens)
                .chain(&w.alternatives)
                .enumerate()
                .map(|(i, form)| {
                    let all = word_match(w.exact, form, f).into_iter().map(|q| (Occur::Must, q)).collect();
                    let q: Box<dyn Query> = Box::new(BooleanQuery::new(all));
                    (Occur::Should, if i == 0 { q } else { boosted(q, ALTERNATIVE_BOOST) })
                })
                .collect();
            text.push((Occur::Must, Box::new(BooleanQuery::new(forms))));
            for form in &w.alternatives {
                for t in required(form) {
                    text.push((Occur::Should, boosted(term(f.title, &t.text), TITLE_TERM_BOOST)));
                }
            }
        }
        for t in &tokens {
            text.push((Occur::Should, boosted(term(f.title, &t.text), TITLE_TERM_BOOST)));
        }
        if w.tokens.len() > 1 {
            text.push((Occur::Should, boosted(phrase(f.title, &w.tokens), TITLE_PHRASE_BOOST)));
            for p in touching_pairs(&w.tokens) {
                text.push((Occur::Should, boosted(term(f.pairs, &p), PAIR_BOOST)));
            }
        }
    }
    let mut either: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if text.iter().any(|(o, _)| *o == Occur::Must) {
        either.push((Occur::Should, Box::new(BooleanQuery::new(text))));
    }
    if !a.id_key.is_empty() {
        let key = Box::new(TermQuery::new(Term::from_field_text(f.id_keys, &a.id_key), IndexRecordOption::Basic));
        either.push((Occur::Should, boosted(key, ID_BOOST)));
    }
    let mut all: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(BooleanQuery::new(either)))];
    for filter in filters(req, f) {
        // Filters decide membership, not rank: a small site's rarer code must not score.
        all.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    // Across the group an article taken in by another site is the same article: found once,
    // at its source.
    if req.scope == Scope::All {
        all.push((Occur::MustNot, Box::new(TermQuery::new(Term::from_field_u64(f.copy, 1), IndexRecordOption::Basic))));
    }
    Box::new(BooleanQuery::new(all))
}

/// The tokens of a word that must be found: all but its function words, unless it is one.
fn required(tokens: &[Word]) -> Vec<&Word> {
    tokens.iter().filter(|t| !(OPTIONAL.contains(&t.text.as_str()) && tokens.len() > 1)).collect()
}

/// What one form of a word requires: its phrase when quoted, else each of its tokens.
fn word_match(exact: bool, tokens: &[Word], f: &Fields) -> Vec<Box<dyn Query>> {
    if exact && tokens.len() > 1 {
        vec![phrase(f.text, tokens)]
    } else {
        required(tokens).into_iter().map(|t| token_match(t, f)).collect()
    }
}

/// A token in the text; a long one also as its parts side by side, since a page may have cut
/// the same characters differently (实施方案 → 实施 / 方案).
fn token_match(t: &Word, f: &Fields) -> Box<dyn Query> {
    let whole = term(f.text, &t.text);
    let Some(parts) = parts(&t.text) else { return whole };
    let pieces: Vec<(Occur, Box<dyn Query>)> =
        touching_pairs(&parts).iter().map(|p| (Occur::Must, term(f.pairs, p))).collect();
    Box::new(BooleanQuery::new(vec![(Occur::Should, whole), (Occur::Should, Box::new(BooleanQuery::new(pieces)))]))
}

/// The pair terms of consecutive tokens that touch.
fn touching_pairs(tokens: &[Word]) -> Vec<String> {
    tokens.windows(2).filter(|w| w[0].end() == w[1].position).map(|w| pair(&w[0].text, &w[1].text)).collect()
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

/// The search-mode pieces that cover a token of three or more characters end to end without
/// overlapping, when there are such pieces.
fn parts(token: &str) -> Option<Vec<Word>> {
    if token.chars().count() < 3 || !token.chars().all(|c| !c.is_ascii()) {
        return None;
    }
    let mut pieces: Vec<Word> = words(&mut index_analyzer(), token).into_iter().filter(|w| w.text != token).collect();
    pieces.sort_by_key(|w| (w.position, std::cmp::Reverse(w.len)));
    let total = token.chars().count();
    let mut cover = Vec::new();
    let mut at = 0;
    for p in pieces {
        if p.position == at {
            at += p.len;
            cover.push(p);
        }
    }
    (at == total && cover.len() > 1).then_some(cover)
}

fn phrase(field: Field, tokens: &[Word]) -> Box<dyn Query> {
    let base = tokens.first().map_or(0, |t| t.position);
    if tokens.len() == 1 {
        return term(field, &tokens[0].text);
    }
    let terms = tokens.iter().map(|t| (t.position - base, Term::from_field_text(field, &t.text))).collect();
    Box::new(PhraseQuery::new_with_offset(terms))
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if boost == 1.0 {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

fn filters(req: &SearchRequest, f: &Fields) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    if let Scope::Site(code) = &req.scope {
        out.push(Box::new(TermQuery::new(Term::from_field_text(f.site, code), IndexRecordOption::Basic)));
    }
    if let Some(c) = &req.column {
        out.push(Box::new(TermQuery::new(Term::from_field_text(f.column, c), IndexRecordOption::Basic)));
    }
    if req.from.is_some() || req.to.is_some() {
        let seconds = |d: chrono::NaiveDate| local_seconds(&format!("{d} 00:00:00"));
        let lower = req.from.map_or(Bound::Unbounded, |d| Bound::Included(Term::from_field_i64(f.date, seconds(d))));
        let upper = req
            .to
            .and_then(|d| d.succ_opt())
            .map_or(Bound::Unbounded, |d| Bound::Excluded(Term::from_field_i64(f.date, seconds(d))));
        out.push(Box::new(RangeQuery::new(lower, upper)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyze_plain(text: &str) -> Analyzed {
        analyze(text, &Synonyms::default())
    }

    fn texts(a: &Analyzed) -> Vec<Vec<&str>> {
        a.words.iter().map(|w| w.tokens.iter().map(|t| t.text.as_str()).collect()).collect()
    }

    #[test]
    fn words_quotes_and_syntax_are_plain_text() {
        let a = analyze_plain("网络舆情  \"政务 公开\" title:通知 (AND)");
        let t = texts(&a);
        assert_eq!(t[0], ["网络", "舆情"]);
        assert!(a.words.iter().any(|w| w.exact), "{t:?}");
        assert!(t.iter().flatten().any(|w| *w == "title"), "{t:?}");
        assert!(t.iter().flatten().any(|w| *w == "and"), "{t:?}");
        assert!(t.iter().flatten().all(|w| w.chars().all(char::is_alphanumeric)), "{t:?}");
    }

    #[test]
    fn punctuation_only_is_empty_and_unclosed_quotes_are_fine() {
        assert!(analyze_plain("（）：\"\"").words.is_empty());
        assert_eq!(texts(&analyze_plain("“政务公开")), vec![vec!["政务", "公开"]]);
    }

    #[test]
    fn long_tokens_split_into_covering_parts() {
        let p = parts("发展改革").map(|v| v.into_iter().map(|w| (w.text, w.position)).collect::<Vec<_>>());
        assert_eq!(p, Some(vec![("发展".to_string(), 0), ("改革".to_string(), 2)]));
        assert_eq!(parts("舆情"), None);
    }

    #[test]
    fn highlights_skip_function_words_and_put_long_ones_first() {
        let a = analyze_plain("政府的工作");
        assert!(!a.highlights.contains(&"的".to_string()), "{:?}", a.highlights);
        assert_eq!(a.highlights.first().map(String::as_str), Some("政府的工作"));
    }
}
