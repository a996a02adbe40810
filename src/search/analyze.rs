//! Text analysis shared by indexing and querying: folding, jieba segmentation and the small
//! normalisations that make government text findable (full-width digits, bracket variants in
//! 文号, upper and lower case).
//!
//! Positions are character offsets (tantivy-jieba's default), so the overlapping words of
//! jieba's search mode (网络, 舆情 and 网络舆情 for 网络舆情) sit at their real places and a
//! phrase query built from a query's own segmentation matches the same characters in a page.

use std::rc::Rc;

use tantivy::tokenizer::{RemoveLongFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};
use tantivy_jieba::JiebaTokenizer;

/// Tokenizer names registered on the index: `zh` for the title, `zh_text` and `zh_pairs`
/// for the text and its pairs (see `segment`).
pub const TOKENIZER: &str = "zh";
pub const TEXT_TOKENIZER: &str = "zh_text";
pub const PAIRS_TOKENIZER: &str = "zh_pairs";

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
    TextAnalyzer::builder(jieba).filter(WordsOnly).filter(RemoveLongFilter::limit(LONGEST_TOKEN)).build()
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

/// A token of analysed text: its text, character offset and length in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub position: usize,
    pub len: usize,
}

impl Word {
    pub fn end(&self) -> usize {
        self.position + self.len
    }
}

/// Runs an analyzer over `text`, keeping each token's text, offset and length.
pub fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(Word { text: t.text.clone(), position: t.position, len: t.position_length.max(1) });
    }
    out
}

/// The term that says "`a` directly followed by `b`" in the pairs field.
pub fn pair(a: &str, b: &str) -> String {
    let mut s = String::with_capacity(a.len() + b.len() + 1);
    s.push_str(a);
    s.push('|');
    s.push_str(b);
    s
}

thread_local! {
    /// The segmentation of the last text the text field indexed on this thread. tantivy
    /// indexes a document's fields in field order on one thread, so it is here when the pairs
    /// field asks for the same string, and jieba runs once per text.
    static LAST: std::cell::RefCell<Option<(String, Rc<Segmented>)>> = const { std::cell::RefCell::new(None) };
}

/// The `zh_text` (tokens) and `zh_pairs` (pairs of touching tokens) tokenizers.
#[derive(Clone)]
pub struct TextTokenizer {
    analyzer: TextAnalyzer,
    pairs: bool,
}

impl TextTokenizer {
    pub fn text() -> TextTokenizer {
        TextTokenizer { analyzer: index_analyzer(), pairs: false }
    }

    pub fn pairs() -> TextTokenizer {
        TextTokenizer { analyzer: index_analyzer(), pairs: true }
    }
}

impl Tokenizer for TextTokenizer {
    type TokenStream<'a> = SegmentStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SegmentStream {
        let seg = LAST.with(|cell| {
            let mut last = cell.borrow_mut();
            if self.pairs {
                match last.take() {
                    Some((t, seg)) if t == text => seg,
                    _ => Rc::new(Segmented::of(&mut self.analyzer, text)),
                }
            } else {
                let seg = Rc::new(Segmented::of(&mut self.analyzer, text));
                *last = Some((text.to_string(), seg.clone()));
                seg
            }
        });
        SegmentStream { seg, pairs: self.pairs, next: 0, token: Token::default() }
    }
}

/// A token of a `Segmented`: where its text is in the buffer, where it is in the source.
#[derive(Debug, Clone, Copy)]
struct Span {
    text: (u32, u32),
    from: u32,
    to: u32,
    position: u32,
    len: u32,
}

/// Index-time segmentation of one text: its tokens (search mode) and every pair of tokens
/// that touch (one ends where the other starts). The pairs let a query test "these two words
/// side by side" by looking up one term instead of reading positions; jieba's overlapping
/// output gives both the fine pairs (实施|方案) and the coarse ones. Token texts share one
/// buffer: a page has thousands of tokens, and one allocation each would double the cost of
/// indexing.
#[derive(Debug, Default)]
pub struct Segmented {
    buffer: String,
    tokens: Vec<Span>,
    pairs: Vec<(u32, u32)>,
}

impl Segmented {
    pub fn of(analyzer: &mut TextAnalyzer, text: &str) -> Segmented {
        let mut seg = Segmented::default();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() {
            let t = stream.token();
            let start = seg.buffer.len() as u32;
            seg.buffer.push_str(&t.text);
            seg.tokens.push(Span {
                text: (start, seg.buffer.len() as u32),
                from: t.offset_from as u32,
                to: t.offset_to as u32,
                position: t.position as u32,
                len: t.position_length.max(1) as u32,
            });
        }
        let tokens = &seg.tokens;
        let mut by_start: Vec<u32> = (0..tokens.len() as u32).collect();
        by_start.sort_by_key(|&i| tokens[i as usize].position);
        for (a, t) in tokens.iter().enumerate() {
            let end = t.position + t.len;
            let first = by_start.partition_point(|&i| tokens[i as usize].position < end);
            for &b in by_start[first..].iter().take_while(|&&i| tokens[i as usize].position == end) {
                seg.pairs.push((a as u32, b));
            }
        }
        seg
    }

    fn text(&self, i: u32) -> &str {
        let (a, b) = self.tokens[i as usize].text;
        &self.buffer[a as usize..b as usize]
    }

    /// Token texts, then pair terms (for tests and tools).
    pub fn texts(&self) -> (Vec<&str>, Vec<String>) {
        let tokens = (0..self.tokens.len() as u32).map(|i| self.text(i)).collect();
        let pairs = self.pairs.iter().map(|&(a, b)| pair(self.text(a), self.text(b))).collect();
        (tokens, pairs)
    }
}

/// Hands out a `Segmented`'s tokens or pairs through one reused `Token`.
pub struct SegmentStream {
    seg: Rc<Segmented>,
    pairs: bool,
    next: usize,
    token: Token,
}

impl TokenStream for SegmentStream {
    fn advance(&mut self) -> bool {
        let seg = &*self.seg;
        let t = &mut self.token;
        if self.pairs {
            let Some(&(a, b)) = seg.pairs.get(self.next) else { return false };
            let (sa, sb) = (seg.tokens[a as usize], seg.tokens[b as usize]);
            t.text.clear();
            t.text.push_str(seg.text(a));
            t.text.push('|');
            t.text.push_str(seg.text(b));
            (t.offset_from, t.offset_to, t.position, t.position_length) =
                (sa.from as usize, sb.to as usize, sa.position as usize, 1);
        } else {
            let Some(&s) = seg.tokens.get(self.next) else { return false };
            t.text.clear();
            t.text.push_str(seg.text(self.next as u32));
            (t.offset_from, t.offset_to, t.position, t.position_length) =
                (s.from as usize, s.to as usize, s.position as usize, s.len as usize);
        }
        self.next += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Drops tokens without a letter, digit or ideograph (jieba hands out every space and
/// punctuation mark as a token, and indexing 。 or ， in every page helps no one), and lower-
/// cases ASCII letters. Latin in government pages is ASCII (full-width letters are folded
/// first), so the Unicode lower-caser's cost on every Chinese token buys nothing.
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

fn is_word(s: &str) -> bool {
    s.chars().any(|c| match c {
        '\u{4E00}'..='\u{9FFF}' => true,
        c if c.is_ascii() => c.is_ascii_alphanumeric(),
        c => c.is_alphanumeric(),
    })
}

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
            if is_word(&self.0.token().text) {
                self.0.token_mut().text.make_ascii_lowercase();
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

    #[test]
    fn pairs_are_touching_tokens_fine_and_coarse() {
        let seg = Segmented::of(&mut index_analyzer(), "优化营商环境的实施方案。下一步");
        let (tokens, pairs) = seg.texts();
        assert!(tokens.contains(&"实施方案"));
        let p: Vec<&str> = pairs.iter().map(String::as_str).collect();
        for want in ["优化|营商", "营商|环境", "实施|方案", "的|实施方案", "的|实施"] {
            assert!(p.contains(&want), "{want} missing from {p:?}");
        }
        assert!(!p.iter().any(|x| x.starts_with("方案|")), "no pair across the full stop: {p:?}");
    }

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
