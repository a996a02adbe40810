//! Interaction (政民互动) as the inspection judges it: a site must offer a consultation
//! channel, and no consultation received within the past year may stay unanswered for more
//! than 3 months. The facts come from the messages (`store::messages`) and from the site's
//! published interaction page, which must carry the message form.

use chrono::{Months, NaiveDate};

use super::finding::Finding;

/// What a site's consultations look like on the day judged.
#[derive(Debug, Clone, Default)]
pub struct InteractionFacts {
    /// The site has a consultation form or leader mailbox, its own or the group's.
    pub has_channel: bool,
    /// Consultations received within the past year and not answered: (subject, received).
    pub unanswered: Vec<(String, NaiveDate)>,
}

/// Whether the published site at `root` offers the message form on its interaction page
/// (a theme that drops the form, or a site never published, has no channel).
pub fn has_channel(root: &std::path::Path) -> bool {
    let page = root.join(crate::group::urls::INTERACTION_DIR).join("index.html");
    std::fs::read_to_string(page)
        .is_ok_and(|html| html.contains("id=\"zq-message-form\"") && html.contains("action=\"/api/messages\""))
}

/// Months after which an unanswered consultation vetoes the site.
pub const UNANSWERED_MONTHS: u32 = 3;

pub fn check(site: &str, facts: &InteractionFacts, today: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    if !facts.has_channel {
        out.push(Finding::new("interaction.no_channel", site, "网站没有咨询渠道（留言、信箱）", "须开设"));
    }
    let year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let limit = today.checked_sub_months(Months::new(UNANSWERED_MONTHS)).unwrap_or(today);
    for (subject, received) in &facts.unanswered {
        if *received >= year_ago && *received < limit {
            out.push(Finding::new(
                "interaction.unanswered",
                site,
                format!("“{subject}”{received} 收到，至今未答复"),
                format!("{UNANSWERED_MONTHS} 个月内答复"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn three_months_within_the_past_year() {
        let today = d("2026-11-21");
        let facts =
            |received: &str| InteractionFacts { has_channel: true, unanswered: vec![("咨询".into(), d(received))] };
        assert!(check("s", &facts("2026-08-21"), today).is_empty(), "exactly 3 months: not yet");
        assert_eq!(check("s", &facts("2026-08-20"), today)[0].rule, "interaction.unanswered");
        assert!(check("s", &facts("2025-11-20"), today).is_empty(), "older than a year: outside the window");
        assert!(!check("s", &facts("2025-11-21"), today).is_empty(), "a year ago to the day: inside");
        let none = InteractionFacts::default();
        assert_eq!(check("s", &none, today).iter().map(|f| f.rule).collect::<Vec<_>>(), ["interaction.no_channel"]);
    }
}
