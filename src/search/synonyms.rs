//! How citizens write the group's units: 发改委 for 发展和改革委员会, 人社局 for 人力资源和社会
//! 保障局. Each site gives its name without the city (示例市发展和改革委员会 → 发展和改革委员会)
//! and the `short_names` of its definition; `search.synonyms` in `group.yaml` adds the group's
//! own equivalent terms. A word of the query that holds one of them also matches with each of
//! the others in its place, and a query that finds nothing is offered the unit it resembles
//! (您是不是要找).

use std::collections::HashSet;

use super::analyze::fold;
use crate::group::Group;

/// The group's sets of equivalent terms, folded as the index folds text.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    sets: Vec<Vec<String>>,
    /// Every site's names as readers may type them, for the suggestion.
    units: Vec<Unit>,
}

#[derive(Debug, Clone)]
struct Unit {
    code: String,
    /// The name the suggestion shows and searches for (without the city).
    name: String,
    names: Vec<String>,
}

/// At most this many other forms of one word are searched; the first sets matched win.
const MAX_ALTERNATIVES: usize = 6;

/// What a query that found nothing may have meant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Suggestion {
    /// The query to try instead.
    pub text: String,
    /// The site it names.
    pub site: String,
}

impl Synonyms {
    pub fn of_group(group: &Group) -> Synonyms {
        let city = group.def.city.as_str();
        let mut sets: Vec<Vec<String>> = Vec::new();
        let mut units = Vec::new();
        for s in &group.sites {
            let name = s.def.name.as_str();
            let plain = name.strip_prefix(city).filter(|p| p.chars().count() >= 2).unwrap_or(name);
            let mut names = vec![fold(plain)];
            for short in &s.def.short_names {
                let short = fold(short.trim());
                if !short.is_empty() && !names.contains(&short) {
                    names.push(short);
                }
            }
            if names.len() > 1 {
                sets.push(names.clone());
            }
            units.push(Unit { code: s.def.code.clone(), name: plain.to_string(), names });
        }
        for set in &group.def.search.synonyms {
            let folded: Vec<String> = dedup(set.iter().map(|t| fold(t.trim())).filter(|t| !t.is_empty()));
            if folded.len() > 1 {
                sets.push(folded);
            }
        }
        Synonyms { sets, units }
    }

    /// `word` with one term of a set replaced by each other term of that set. The longest
    /// term found wins, so 发展和改革委员会 is not also read as a smaller name inside it.
    pub fn alternatives(&self, word: &str) -> Vec<String> {
        let word = fold(word);
        let mut out: Vec<String> = Vec::new();
        let mut found: Vec<(&str, &Vec<String>)> = Vec::new();
        for set in &self.sets {
            for term in set {
                if word.contains(term.as_str()) {
                    found.push((term, set));
                }
            }
        }
        found.sort_by_key(|(t, _)| std::cmp::Reverse(t.chars().count()));
        let mut covered: Vec<&str> = Vec::new();
        for (term, set) in found {
            if covered.iter().any(|c| c.contains(term)) {
                continue;
            }
            covered.push(term);
            for other in set.iter().filter(|o| o.as_str() != term) {
                let alt = word.replacen(term, other, 1);
                if alt != word && !out.contains(&alt) {
                    out.push(alt);
                }
            }
        }
        out.truncate(MAX_ALTERNATIVES);
        out
    }

    /// The unit a query that found nothing most resembles: the one whose name or short name
    /// has the largest share of its character pairs in the query (at least half, and two pairs
    /// or all of a short query's), so 发改委员会议程表 reads as 发改委.
    pub fn suggest(&self, text: &str) -> Option<Suggestion> {
        let q = fold(text).chars().filter(|c| !c.is_whitespace()).collect::<String>();
        if q.chars().count() < 2 {
            return None;
        }
        let qp = pairs(&q);
        let mut best: Option<((f32, usize), &Unit)> = None;
        for u in &self.units {
            for n in &u.names {
                if n == &q {
                    continue; // the query is this name already: it found nothing for other reasons
                }
                let np = pairs(n);
                let shared = qp.intersection(&np).count();
                let score = (shared as f32 / np.len().max(1) as f32, shared);
                let enough = shared >= 2 || (shared >= 1 && shared == qp.len());
                if enough && score.0 >= 0.5 && best.is_none_or(|(b, _)| score > b) {
                    best = Some((score, u));
                }
            }
        }
        best.map(|(_, u)| Suggestion { text: u.name.clone(), site: u.code.clone() })
    }
}

fn pairs(s: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synonyms() -> Synonyms {
        let unit = |code: &str, name: &str, names: &[&str]| Unit {
            code: code.into(),
            name: name.into(),
            names: names.iter().map(|n| n.to_string()).collect(),
        };
        Synonyms {
            sets: vec![
                vec!["发展和改革委员会".into(), "发改委".into()],
                vec!["人力资源和社会保障局".into(), "人社局".into()],
                vec!["政务服务".into(), "网上办事".into()],
            ],
            units: vec![
                unit("fgw", "发展和改革委员会", &["发展和改革委员会", "发改委"]),
                unit("rsj", "人力资源和社会保障局", &["人力资源和社会保障局", "人社局"]),
                unit("jyj", "教育局", &["教育局"]),
            ],
        }
    }

    #[test]
    fn a_short_name_is_also_searched_in_full_and_the_other_way() {
        let s = synonyms();
        assert_eq!(s.alternatives("发改委"), vec!["发展和改革委员会"]);
        assert_eq!(s.alternatives("市发改委通知"), vec!["市发展和改革委员会通知"]);
        assert_eq!(s.alternatives("发展和改革委员会"), vec!["发改委"]);
        assert_eq!(s.alternatives("人社局网上办事"), vec!["人社局政务服务", "人力资源和社会保障局网上办事"]);
        assert!(s.alternatives("教育局").is_empty());
    }

    #[test]
    fn a_query_that_resembles_a_unit_is_offered_it() {
        let s = synonyms();
        assert_eq!(s.suggest("发改委员会").map(|x| x.site), Some("fgw".into()));
        assert_eq!(s.suggest("发改委员会议程表").map(|x| x.site), Some("fgw".into()));
        assert_eq!(s.suggest("体育局"), None, "one pair in common is not a likeness");
        assert_eq!(s.suggest("人社").map(|x| x.text), Some("人力资源和社会保障局".into()));
        assert_eq!(s.suggest("天气预报"), None);
        assert_eq!(s.suggest("教育局"), None, "the query is the name itself");
        assert_eq!(s.suggest("局"), None);
    }
}
