//! Highlighted snippets: the passage of a page where the query's words gather, HTML-escaped,
//! with each match in `<mark>`. Matching is by substring on the folded text, which is exactly
//! what a reader scanning for their words expects, and needs no second segmentation.

use memchr::memmem;

use super::analyze::fold;
use crate::html::escape_into;

/// Characters shown around the matches.
pub const SNIPPET_CHARS: usize = 110;
/// Characters kept before the first match of the chosen passage, for context.
const LEAD_CHARS: usize = 16;

/// `text` with every occurrence of `terms` marked, whole (for titles).
pub fn highlight(text: &str, terms: &[String]) -> String {
    let ranges = matches(text, terms);
    render(text, 0, text.len(), &ranges)
}

/// The passage of `text` of about `SNIPPET_CHARS` characters with the most distinct terms
/// (the opening when none occurs), marked.
pub fn snippet(text: &str, terms: &[String]) -> String {
    let text = text.trim();
    let ranges = matches(text, terms);
    window(text, &ranges, terms)
}

/// Like `snippet`, but None when no term occurs in `text`: the caller may prefer another text.
pub fn passage(text: &str, terms: &[String]) -> Option<String> {
    let text = text.trim();
    let ranges = matches(text, terms);
    (!ranges.is_empty()).then(|| window(text, &ranges, terms))
}

fn window(text: &str, ranges: &[(usize, usize)], terms: &[String]) -> String {
    let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect();
    let chars = offsets.len() - 1;
    let char_at = |byte: usize| offsets.partition_point(|&o| o < byte);
    let (mut from, mut to) = (0, chars.min(SNIPPET_CHARS));
    if let Some(best) = best_window(text, ranges, terms, &char_at) {
        from = best.saturating_sub(LEAD_CHARS);
        to = (from + SNIPPET_CHARS).min(chars);
        from = to.saturating_sub(SNIPPET_CHARS);
    }
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(&render(text, offsets[from], offsets[to], ranges));
    if to < chars {
        out.push('…');
    }
    out
}

/// Byte ranges of the terms in `text`, sorted, overlapping and touching ones merged. The
/// terms are folded and lower case, the text as written: matching happens on a folded copy,
/// which has the same characters at the same places (`analyze::fold`).
fn matches(text: &str, terms: &[String]) -> Vec<(usize, usize)> {
    let folded = fold(text).to_ascii_lowercase();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for t in terms.iter().filter(|t| !t.is_empty()) {
        ranges.extend(memmem::find_iter(folded.as_bytes(), t.as_bytes()).map(|start| (start, start + t.len())));
    }
    if ranges.is_empty() {
        return ranges;
    }
    // Folding changes byte lengths (ＡＢ → AB), not characters: map back through char indexes.
    let folded_at: Vec<usize> = folded.char_indices().map(|(i, _)| i).chain([folded.len()]).collect();
    let text_at: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
    let back = |byte: usize| text_at[folded_at.partition_point(|&o| o < byte).min(text_at.len() - 1)];
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        let (s, e) = (back(s), back(e));
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Char index of the match that starts the window holding the most distinct terms (then the
/// most matches); None without matches.
fn best_window(
    text: &str,
    ranges: &[(usize, usize)],
    terms: &[String],
    char_at: &dyn Fn(usize) -> usize,
) -> Option<usize> {
    let starts: Vec<usize> = ranges.iter().map(|r| char_at(r.0)).collect();
    // (distinct terms, matches, start char); the earliest wins a tie.
    let mut best: Option<(usize, usize, usize)> = None;
    for (i, &start) in starts.iter().enumerate() {
        let end = start + SNIPPET_CHARS - LEAD_CHARS;
        let within = starts[i..].iter().take_while(|&&s| s < end).count();
        let mut seen: Vec<&str> = Vec::new();
        for r in &ranges[i..i + within] {
            let m = fold(&text[r.0..r.1]).to_ascii_lowercase();
            for t in terms.iter().filter(|t| m.contains(t.as_str())) {
                if !seen.contains(&t.as_str()) {
                    seen.push(t);
                }
            }
        }
        if best.is_none_or(|b| (seen.len(), within) > (b.0, b.1)) {
            best = Some((seen.len(), within, start));
        }
    }
    best.map(|b| b.2)
}

/// HTML of `text[from..to]` with `ranges` marked.
fn render(text: &str, from: usize, to: usize, ranges: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity((to - from) + ranges.len() * 13);
    let mut at = from;
    for &(s, e) in ranges {
        let (s, e) = (s.max(from), e.min(to));
        if s >= e {
            continue;
        }
        escape_into(&mut out, &text[at..s]);
        out.push_str("<mark>");
        escape_into(&mut out, &text[s..e]);
        out.push_str("</mark>");
        at = e;
    }
    escape_into(&mut out, &text[at..to]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn marks_every_match_and_merges_neighbours() {
        assert_eq!(highlight("加强网络舆情管理", &t(&["舆情", "管理"])), "加强网络<mark>舆情管理</mark>");
        assert_eq!(highlight("A & B <b>", &t(&["b"])), "A &amp; <mark>B</mark> &lt;<mark>b</mark>&gt;");
    }

    #[test]
    fn picks_the_passage_with_the_most_distinct_terms() {
        let filler = "无关内容。".repeat(60);
        let text = format!("开头提到舆情。{filler}这里同时讲网络舆情和管理制度。{filler}");
        let s = snippet(&text, &t(&["舆情", "管理"]));
        assert!(s.contains("<mark>舆情</mark>和<mark>管理</mark>"), "{s}");
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.chars().count() < SNIPPET_CHARS + 40);
    }

    #[test]
    fn full_width_text_is_matched_folded_and_shown_as_written() {
        assert_eq!(
            highlight("２００８年ＡＢＣ（一）", &t(&["2008", "abc"])),
            "<mark>２００８</mark>年<mark>ＡＢＣ</mark>（一）"
        );
    }

    #[test]
    fn without_matches_shows_the_opening() {
        let text = "一".repeat(300);
        let s = snippet(&text, &t(&["二"]));
        assert_eq!(s, format!("{}…", "一".repeat(SNIPPET_CHARS)));
        assert_eq!(snippet("短文本", &t(&[])), "短文本");
    }
}
