//! The group's one clock. Timestamps are stored as Unix seconds; every date a person reads,
//! and every day a deadline, a statistic or a publication counts, is a Beijing day (UTC+8, no
//! daylight saving), whatever the server's own time zone.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Beijing's distance from UTC.
pub const BEIJING_OFFSET_SECONDS: i64 = 8 * 3600;

/// The Beijing time zone.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(BEIJING_OFFSET_SECONDS as i32).expect("a valid offset")
}

/// Seconds since the Unix epoch; every timestamp column holds this.
pub fn now_unix() -> i64 {
    Utc::now().timestamp()
}

/// The wall-clock time in Beijing as `YYYY-MM-DD HH:MM:SS`, the format of `publish_at`.
pub fn now_local() -> String {
    Utc::now().with_timezone(&beijing()).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The Beijing calendar day of a Unix time.
pub fn beijing_day(unix: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp(unix, 0).unwrap_or_default().with_timezone(&beijing()).date_naive()
}

/// The Unix time at which Beijing day `day` starts.
pub fn start_of_day(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp() - BEIJING_OFFSET_SECONDS)
}

/// The Unix time at which Beijing day `day` ends (the next day starts).
pub fn end_of_day(day: NaiveDate) -> i64 {
    start_of_day(day.succ_opt().unwrap_or(day))
}

/// `YYYY-MM-DD HH:MM:SS` in Beijing → Unix seconds.
pub fn local_to_unix(at: &str) -> Option<i64> {
    NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| t.and_utc().timestamp() - BEIJING_OFFSET_SECONDS)
}

/// Unix seconds → `YYYY-MM-DD HH:MM` in Beijing, as pages show a moment.
pub fn minutes(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0)
        .unwrap_or_default()
        .with_timezone(&beijing())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `YYYY-MM-DD HH:MM:SS` in Beijing as an RFC 2822 date (feeds).
pub fn local_to_rfc2822(local: &str) -> String {
    NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S")
        .ok()
        .and_then(|t| beijing().from_local_datetime(&t).single())
        .map(|t| t.to_rfc2822())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_days_cross_midnight_at_16_utc() {
        // 2026-01-01 00:30 in Beijing is 2025-12-31 16:30 UTC.
        let t = 1_767_198_600;
        assert_eq!(beijing_day(t).to_string(), "2026-01-01");
        assert_eq!(beijing_day(t - 3600).to_string(), "2025-12-31");
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(start_of_day(day), 1_767_196_800);
        assert_eq!(end_of_day(day), 1_767_196_800 + 86_400);
        assert_eq!(local_to_unix("2026-01-01 00:30:00"), Some(t));
        assert_eq!(local_to_unix("2026-13-01 00:30:00"), None);
        assert_eq!(minutes(t), "2026-01-01 00:30");
        assert_eq!(local_to_rfc2822("2026-01-01 00:30:00"), "Thu, 1 Jan 2026 00:30:00 +0800");
    }
}
