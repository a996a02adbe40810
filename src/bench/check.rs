//! `zhanqun bench check`: the cost of the content check before publishing, as the editor pays
//! it on every save and autosave (`content::check::article`: render, text, every rule) on an
//! article of real government sentences written as the rich editor stores it, at 1,000 and at
//! 10,000 characters, with the group's rules loaded from `sites/`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

use crate::content::check::{self, Rules};
use crate::group::Group;

pub struct CheckBench {
    pub sites: PathBuf,
    pub rounds: usize,
}

/// A body of about `chars` characters: sentences of the demo corpus in paragraphs, one leader
/// name written wrong and one 错敏词, as an editor's slip would be.
fn body(chars: usize) -> String {
    let corpus = crate::demo::corpus::corpus();
    let mut out = String::from("<p>市长李明化主持召开专题会议。</p>\n<p>依据中华人民共合国有关法律。</p>\n");
    let mut n = 0;
    let mut para = String::new();
    for s in corpus.sentences.iter().cycle() {
        if n >= chars {
            break;
        }
        para.push_str(s);
        n += s.chars().count();
        if para.chars().count() > 200 {
            out.push_str(&format!("<p style=\"text-indent: 2em\">{para}</p>\n"));
            para.clear();
        }
    }
    out.push_str(&format!("<p>{para}</p>\n"));
    out
}

pub fn check_bench(b: &CheckBench, report: impl Fn(String)) -> anyhow::Result<()> {
    let group = Group::load(&b.sites, None).map_err(|p| anyhow::anyhow!("{p}"))?;
    let cancelled = HashSet::new();
    let rules = Rules { settings: &group.def.audit, mail_domain: &group.def.mail_domain, cancelled: &cancelled };
    report(format!(
        "content check of one article, {} rounds each (the group's rules from {})",
        b.rounds,
        b.sites.display()
    ));
    for chars in [1_000, 10_000] {
        let text = body(chars);
        let mut ms: Vec<f64> = (0..b.rounds.max(1))
            .map(|_| {
                let t = Instant::now();
                let found = check::article("市长调研工业企业", &text, &rules, &|_| false);
                assert!(found.len() >= 2, "the planted slips are found");
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
        report(format!(
            "{:>6} characters: median {:.2} ms, p90 {:.2} ms, max {:.2} ms",
            text.chars().count(),
            at(0.5),
            at(0.9),
            ms[ms.len() - 1]
        ));
    }
    Ok(())
}
