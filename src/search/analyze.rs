//! Text analysis shared by indexing and querying: folding, jieba segmentation and the small
//! normalisations that make government text findable (full-width digits, bracket variants in
//! 文号, upper and lower case).
//!
//! Positions are character offsets (tantivy-jieba's default), so the overlapping words of
//! jieba's search mode (网络, 舆情 and 网络舆情 for 网络舆情) sit at their real places and a
//! phrase query built from a query's own segmentation matches the same characters in a page.

use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};
use tantivy_jieba::JiebaTokenizer;

/// The tokenizer name registered on the index for every full-text field.
pub const TOKENIZER: &str = "zh";

/// Longest token kept, in bytes: longer runs are base64, hashes or garbage.
const LONGEST_TOKEN: usize = 64;

/// Index-side analyzer: jieba search mode, so a page holding 网络舆情 is found by 舆情 too.
/// HMM guessing of unknown words is off on both sides: it depends on context, and a name that
/// is guessed one way in a page and another in a query would never match; without it such a
/// name falls apart into characters, which phrase queries still find.
pub fn index_analyzer() -> TextAnalyzer {
    analyzer(true)
}

/// Query-side analyzer: jieba's default (non-overlapping) mode.
pub fn query_analyzer() -> TextAnalyzer {
    analyzer(false)
}

fn analyzer(search_mode: bool) -> TextAnalyzer {
    let mut jieba = JiebaTokenizer::with_hmm(false);
    jieba.set_search_mode(search_mode);
    TextAnalyzer::builder(jieba)
        .filter(WordsOnly)
        .filter(LowerCaser)
        .filter(RemoveLongFilter::limit(LONGEST_TOKEN))
        .build()
}

/// Folds full-width ASCII and the ideographic space to their half-width forms. Keeps the
/// character count, so offsets into the folded text are offsets into the original.
pub fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect()
}

/// The key a 文号 or 索引号 is matched by: folded, lower case, without spaces, with every
/// bracket pair people type (〔〕, 【】, [], (), ［］, ﹝﹞, 〖〗) made the same, so
/// `衡蒸办发[2008]15号` finds `衡蒸办发〔2008〕15号`.
pub fn id_key(text: &str) -> String {
    fold(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '【' | '[' | '(' | '﹝' | '〖' | '（' => '〔',
            '】' | ']' | ')' | '﹞' | '〗' | '）' => '〕',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// A token of analysed text: its text and its character offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub position: usize,
}

/// Runs an analyzer over `text`, keeping each token's text and character offset.
pub fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(Word { text: t.text.clone(), position: t.position });
    }
    out
}

/// Drops tokens without a letter, digit or ideograph: jieba hands out every space and
/// punctuation mark as a token, and indexing 。 or ， in every page helps no one.
#[derive(Clone)]
struct WordsOnly;

impl TokenFilter for WordsOnly {
    type Tokenizer<T: Tokenizer> = WordsOnlyTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordsOnlyTokenizer<T> {
        WordsOnlyTokenizer(tokenizer)
    }
}

#[derive(Clone)]
struct WordsOnlyTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for WordsOnlyTokenizer<T> {
    type TokenStream<'a> = WordsOnlyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordsOnlyStream(self.0.token_stream(text))
    }
}

struct WordsOnlyStream<S>(S);

impl<S: TokenStream> TokenStream for WordsOnlyStream<S> {
    fn advance(&mut self) -> bool {
        while self.0.advance() {
            if self.0.token().text.chars().any(char::is_alphanumeric) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(search: bool, s: &str) -> Vec<(String, usize)> {
        let mut a = analyzer(search);
        words(&mut a, s).into_iter().map(|w| (w.text, w.position)).collect()
    }

    #[test]
    fn search_mode_emits_the_parts_of_long_words_at_their_offsets() {
        let t = texts(true, "加强网络舆情管理");
        for w in [("网络", 2), ("舆情", 4), ("管理", 6)] {
            assert!(t.contains(&(w.0.to_string(), w.1)), "{w:?} missing from {t:?}");
        }
        assert!(t.iter().all(|(w, _)| !w.trim().is_empty()));
    }

    #[test]
    fn punctuation_and_spaces_are_not_tokens_and_latin_is_lower_cased() {
        let t = texts(false, "关于（Ａ）级“文明”单位， AND title:x");
        assert!(t.iter().all(|(w, _)| w.chars().any(char::is_alphanumeric)), "{t:?}");
        assert!(t.iter().any(|(w, _)| w == "and"), "{t:?}");
        assert!(texts(false, &fold("２００８年")).iter().any(|(w, _)| w == "2008"));
    }

    #[test]
    fn folding_keeps_offsets_and_id_keys_ignore_bracket_style() {
        let s = "衡蒸办发【２００８】15号";
        assert_eq!(fold(s).chars().count(), s.chars().count());
        assert_eq!(id_key(s), id_key("衡蒸办发〔2008〕15号"));
        assert_eq!(id_key(" 衡蒸办发[2008]15号 "), "衡蒸办发〔2008〕15号");
        assert_eq!(id_key("114304000061627440/2024-00007"), "114304000061627440/2024-00007");
    }
}
