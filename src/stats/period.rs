//! The period a statistics request asks for: `from` and `to` (days, Beijing time, inclusive)
//! and the granularity of its series, with the defaults and bounds every stats page shares.

use chrono::{Days, NaiveDate};

/// Days shown when the request names none: the last 30 days, today included.
pub const DEFAULT_DAYS: u64 = 30;
/// Longest period by day: a year and a day, so that a whole leap year fits.
pub const MAX_DAYS: i64 = 366;
/// Longest period by hour: a month of hours is already 744 points.
pub const MAX_HOUR_DAYS: i64 = 31;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Day,
    Hour,
}

/// The query parameters, as given.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct PeriodQuery {
    pub from: String,
    pub to: String,
    pub granularity: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub granularity: Granularity,
}

/// A parameter the period cannot be made from, in words an administrator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("参数 {param}：{message}")]
pub struct PeriodError {
    pub param: &'static str,
    pub message: String,
}

fn error(param: &'static str, message: impl Into<String>) -> PeriodError {
    PeriodError { param, message: message.into() }
}

/// Today in Beijing time, where the counter's days begin.
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

fn date(param: &'static str, s: &str) -> Result<Option<NaiveDate>, PeriodError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| error(param, format!("“{}”不是有效日期，请写成 YYYY-MM-DD，例如 2026-11-01", clip(s))))
}

/// At most 20 characters of what the user typed, for an error message.
fn clip(s: &str) -> String {
    s.chars().take(20).collect()
}

impl Period {
    /// Reads the query; a missing `to` is today, a missing `from` the start of the default
    /// period (one day when by hour).
    pub fn parse(q: &PeriodQuery, today: NaiveDate) -> Result<Period, PeriodError> {
        let granularity = match q.granularity.trim() {
            "" | "day" => Granularity::Day,
            "hour" => Granularity::Hour,
            other => {
                return Err(error("granularity", format!("“{}”无效，只能是 day（按天）或 hour（按小时）", clip(other))))
            }
        };
        let to = date("to", &q.to)?.unwrap_or(today);
        let back = if granularity == Granularity::Hour { 0 } else { DEFAULT_DAYS - 1 };
        let from = date("from", &q.from)?.unwrap_or_else(|| to.checked_sub_days(Days::new(back)).unwrap_or(to));
        if from > to {
            return Err(error("from", format!("开始日期 {from} 晚于结束日期 {to}")));
        }
        let period = Period { from, to, granularity };
        let max = if granularity == Granularity::Hour { MAX_HOUR_DAYS } else { MAX_DAYS };
        if period.len_days() > max {
            let unit = if granularity == Granularity::Hour { "按小时统计" } else { "统计" };
            return Err(error("to", format!("{unit}最长 {max} 天，所选时段为 {} 天，请缩短时段", period.len_days())));
        }
        Ok(period)
    }

    pub fn len_days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Every day of the period, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> {
        self.from.iter_days().take(self.len_days() as usize)
    }

    /// The period of the same length just before this one, for comparison.
    pub fn previous(&self) -> Period {
        let n = Days::new(self.len_days() as u64);
        Period {
            from: self.from.checked_sub_days(n).unwrap_or(self.from),
            to: self.from.pred_opt().unwrap_or(self.from),
            granularity: self.granularity,
        }
    }

    pub fn from_str(&self) -> String {
        self.from.format("%Y-%m-%d").to_string()
    }

    pub fn to_str(&self) -> String {
        self.to.format("%Y-%m-%d").to_string()
    }

    /// The query that asks for this period again (for links and exports).
    pub fn query(&self) -> PeriodQuery {
        PeriodQuery {
            from: self.from_str(),
            to: self.to_str(),
            granularity: if self.granularity == Granularity::Hour { "hour" } else { "day" }.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(from: &str, to: &str, g: &str) -> PeriodQuery {
        PeriodQuery { from: from.into(), to: to.into(), granularity: g.into() }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn defaults_are_the_last_thirty_days_or_today_by_hour() {
        let today = d("2026-11-21");
        let p = Period::parse(&PeriodQuery::default(), today).unwrap();
        assert_eq!((p.from_str(), p.to_str(), p.len_days()), ("2026-10-23".into(), "2026-11-21".into(), 30));
        let p = Period::parse(&q("", "", "hour"), today).unwrap();
        assert_eq!((p.from, p.to), (today, today));
        assert_eq!(p.previous().from_str(), "2026-11-20");
    }

    #[test]
    fn bounds_are_exact() {
        let today = d("2026-11-21");
        assert!(Period::parse(&q("2025-11-21", "2026-11-21", ""), today).is_ok(), "366 days");
        assert_eq!(Period::parse(&q("2025-11-20", "2026-11-21", ""), today).unwrap_err().param, "to");
        assert!(Period::parse(&q("2026-10-22", "2026-11-21", "hour"), today).is_ok(), "31 days by hour");
        assert!(Period::parse(&q("2026-10-21", "2026-11-21", "hour"), today).is_err());
    }

    #[test]
    fn bad_parameters_are_named() {
        let today = d("2026-11-21");
        let e = Period::parse(&q("2026-13-01", "", ""), today).unwrap_err();
        assert_eq!(e.param, "from");
        assert!(e.to_string().contains("YYYY-MM-DD"), "{e}");
        assert_eq!(Period::parse(&q("", "昨天", ""), today).unwrap_err().param, "to");
        assert_eq!(Period::parse(&q("2026-11-02", "2026-11-01", ""), today).unwrap_err().param, "from");
        assert_eq!(Period::parse(&q("", "", "week"), today).unwrap_err().param, "granularity");
    }

    #[test]
    fn previous_period_has_the_same_length() {
        let p = Period::parse(&q("2026-11-01", "2026-11-10", ""), d("2026-11-21")).unwrap();
        let prev = p.previous();
        assert_eq!((prev.from_str(), prev.to_str()), ("2026-10-22".into(), "2026-10-31".into()));
    }
}
