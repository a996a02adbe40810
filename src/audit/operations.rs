//! Operations (运行维护): submissions left waiting for review, a site without a single view
//! yesterday (from the shared counter), and the public-security filing (公安备案) not done within
//! 30 days of opening.

use chrono::NaiveDate;

use super::finding::Finding;
use super::rules::{PSB_FILING_DAYS, REVIEW_WAIT_HOURS};

/// A submission waiting for review: title and seconds since it was submitted.
pub struct Waiting {
    pub title: String,
    pub waited_seconds: i64,
}

pub fn review_waits(site: &str, waiting: &[Waiting]) -> Vec<Finding> {
    waiting
        .iter()
        .filter(|w| w.waited_seconds > REVIEW_WAIT_HOURS * 3600)
        .map(|w| {
            Finding::new(
                "ops.review_waiting",
                site,
                format!("《{}》已等待审核 {} 小时", w.title, w.waited_seconds / 3600),
                format!("{REVIEW_WAIT_HOURS} 小时"),
            )
        })
        .collect()
}

/// `views` of the site on `day`; `group_views` of the whole group that day. When the whole
/// group had none the counter itself was down, which is not this site's fault.
pub fn zero_traffic(site: &str, day: NaiveDate, views: i64, group_views: i64) -> Option<Finding> {
    (views == 0 && group_views > 0)
        .then(|| Finding::new("ops.zero_traffic", site, format!("{day} 访问量为 0"), "每日大于 0"))
}

/// `opened` and `filed` as written in the site's YAML (validated there).
pub fn psb_filing(site: &str, opened: &str, filed: Option<&str>, today: NaiveDate) -> Option<Finding> {
    let opened = NaiveDate::parse_from_str(opened, "%Y-%m-%d").ok()?;
    let deadline = opened + chrono::Days::new(PSB_FILING_DAYS as u64);
    let limit = format!("开通后 {PSB_FILING_DAYS} 日内（{deadline} 前）");
    match filed.and_then(|f| NaiveDate::parse_from_str(f, "%Y-%m-%d").ok()) {
        Some(f) if f > deadline => {
            Some(Finding::new("unify.psb_filing", site, format!("{opened} 开通，{f} 才完成备案"), limit))
        }
        Some(_) => None,
        None if today > deadline => {
            Some(Finding::new("unify.psb_filing", site, format!("{opened} 开通，至今未填写备案日期"), limit))
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn review_wait_boundary() {
        let w = |h: i64| Waiting { title: "通知".into(), waited_seconds: h * 3600 };
        assert!(review_waits("s", &[w(72)]).is_empty());
        assert_eq!(review_waits("s", &[w(72), Waiting { title: "x".into(), waited_seconds: 72 * 3600 + 1 }]).len(), 1);
    }

    #[test]
    fn zero_traffic_only_when_the_counter_was_up() {
        let day = d("2026-11-20");
        assert!(zero_traffic("s", day, 0, 10).is_some());
        assert!(zero_traffic("s", day, 1, 10).is_none());
        assert!(zero_traffic("s", day, 0, 0).is_none(), "the whole group silent: the counter, not the site");
    }

    #[test]
    fn filing_within_thirty_days() {
        let today = d("2026-11-21");
        assert!(psb_filing("s", "2026-01-01", Some("2026-01-31"), today).is_none(), "day 30");
        assert!(psb_filing("s", "2026-01-01", Some("2026-02-01"), today).is_some(), "day 31");
        assert!(psb_filing("s", "2026-10-22", None, today).is_none(), "not due yet");
        assert!(psb_filing("s", "2026-10-21", None, today).is_some(), "due yesterday, not filed");
    }
}
