//! Real Chinese government prose for synthetic articles: the seed documents the product was
//! born from, split into sentences, with their real place names moved to the fictional city.

use std::sync::OnceLock;

const SEEDS: &[&str] = &[
    include_str!("corpus/000_3e758c4a8b6553b5.txt"),
    include_str!("corpus/001_08da2c23f9985de2.txt"),
    include_str!("corpus/002_ed9781fd1b00dc1b.txt"),
    include_str!("corpus/003_1d211297414aa53e.txt"),
    include_str!("corpus/004_d411956d470fefaa.txt"),
];

const PLACES: &[(&str, &str)] = &[
    ("XX市XX区", "示例市青山区"),
    ("衡阳市", "示例市"),
    ("衡阳", "示例"),
    ("蒸湘区", "青山区"),
    ("蒸湘", "青山"),
    ("宣城市", "示例市"),
    ("宣城", "示例"),
    ("闻韶镇", "石桥镇"),
    ("闻韶", "石桥"),
    ("兴庆区", "临江区"),
    ("兴庆", "临江"),
];

pub struct Corpus {
    /// Sentences of ordinary length, ending with their punctuation.
    pub sentences: Vec<String>,
    /// Lines that read as section headings (一、…).
    pub headings: Vec<String>,
}

pub fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(build)
}

fn build() -> Corpus {
    let mut sentences = Vec::new();
    let mut headings = Vec::new();
    for seed in SEEDS {
        let mut text = seed.replace('.', "。");
        for (from, to) in PLACES {
            text = text.replace(from, to);
        }
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let n = line.chars().count();
            let numbered = ["一、", "二、", "三、", "四、", "五、", "六、"].iter().any(|p| line.starts_with(p));
            if numbered && n <= 30 {
                let h = line.trim_end_matches(['。', '：', ':']).split_once('、').map(|(_, t)| t).unwrap_or(line);
                headings.push(h.trim_end_matches('。').to_string());
                continue;
            }
            let mut cur = String::new();
            for c in line.chars() {
                cur.push(c);
                if matches!(c, '。' | '！' | '？' | '；') {
                    push_sentence(&mut sentences, &cur);
                    cur.clear();
                }
            }
            push_sentence(&mut sentences, &cur);
        }
    }
    if headings.is_empty() {
        headings.push("总体要求".into());
    }
    Corpus { sentences, headings }
}

fn push_sentence(out: &mut Vec<String>, s: &str) {
    let s = s.trim();
    let n = s.chars().count();
    // Fragments and run-ons read badly; the replacement character marks a cut-off seed.
    let junk = ["\u{fffd}", "您现在所在的位置", "发布时间", "浏览:", "XX", "**", "•", " 。", "公司", "MSISA"];
    if (16..=160).contains(&n) && !junk.iter().any(|j| s.contains(j)) {
        let mut s = s.to_string();
        if !s.ends_with(['。', '！', '？', '；']) {
            s.push('。');
        }
        out.push(s.replace('；', "。"));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn corpus_has_prose() {
        let c = super::corpus();
        assert!(c.sentences.len() > 100, "{}", c.sentences.len());
        assert!(c.sentences.iter().all(|s| !s.contains("衡阳")));
        assert!(!c.headings.is_empty());
    }
}
