//! The statutory clocks of a message: acknowledged (受理) within 24 hours of receipt, answered
//! within 7 working days, or 15 when marked complex, plus any extension the central office
//! approved. Days are Beijing days; the reply is on time when it is approved by the end of the
//! due day.

use chrono::NaiveDate;

use crate::group::calendar::Calendar;

/// Hours to acknowledge a message.
pub const ACK_HOURS: i64 = 24;
/// Working days to answer an ordinary message.
pub const ORDINARY_DAYS: u32 = 7;
/// Working days to answer a complex (multi-department) message.
pub const COMPLEX_DAYS: u32 = 15;
/// Longest extension the central office may grant at once, in working days.
pub const MAX_EXTENSION_DAYS: u32 = 15;
/// A reminder goes out this many working days before the due day.
pub const REMIND_DAYS: u32 = 2;

pub use crate::clock::{beijing_day, end_of_day};

/// The day a reply is due for a message received at `received_at`.
pub fn due_date(cal: &Calendar, received_at: i64, complex: bool, extension_days: u32) -> NaiveDate {
    let days = if complex { COMPLEX_DAYS } else { ORDINARY_DAYS };
    cal.add_working_days(beijing_day(received_at), days + extension_days)
}

/// When the acknowledgement is due.
pub fn ack_due(received_at: i64) -> i64 {
    received_at + ACK_HOURS * 3600
}

/// Whether a reply approved at `answered_at` met `due`.
pub fn on_time(answered_at: i64, due: NaiveDate) -> bool {
    beijing_day(answered_at) <= due
}

/// Whether an unanswered message is past its due day on `today`.
pub fn overdue(due: NaiveDate, today: NaiveDate) -> bool {
    today > due
}

/// Whether a reminder is due on `today`: within `REMIND_DAYS` working days of the due day.
pub fn remind(cal: &Calendar, due: NaiveDate, today: NaiveDate) -> bool {
    today <= due && cal.working_days_between(today, due) < i64::from(REMIND_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::Problems;

    fn cal() -> Calendar {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sites/calendar");
        Calendar::load(&dir, &mut Problems::default())
    }

    fn at(s: &str) -> i64 {
        // Beijing wall time.
        let t = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        crate::clock::local_to_unix(&format!("{}", t.format("%Y-%m-%d %H:%M:%S"))).unwrap()
    }

    #[test]
    fn received_late_at_night_counts_from_the_beijing_day() {
        let c = cal();
        // 23:30 Beijing on Tuesday 2026-09-29 is still 09-29, although UTC says 15:30 the same day;
        // 00:30 on 09-30 is already the next day.
        assert_eq!(due_date(&c, at("2026-09-29 23:30"), false, 0), "2026-10-14".parse().unwrap());
        assert_eq!(due_date(&c, at("2026-09-30 00:30"), false, 0), "2026-10-15".parse().unwrap());
        assert_eq!(due_date(&c, at("2026-09-29 10:00"), true, 0), "2026-10-26".parse::<NaiveDate>().unwrap());
        assert_eq!(due_date(&c, at("2026-09-29 10:00"), false, 3), "2026-10-19".parse::<NaiveDate>().unwrap());
    }

    #[test]
    fn on_time_overdue_and_reminders() {
        let c = cal();
        let due: NaiveDate = "2026-10-14".parse().unwrap();
        assert!(on_time(at("2026-10-14 23:59"), due));
        assert!(!on_time(at("2026-10-15 00:01"), due));
        assert!(!overdue(due, due) && overdue(due, "2026-10-15".parse().unwrap()));
        assert_eq!(end_of_day(due), at("2026-10-15 00:00"));
        // Two working days ahead: 10-12 sees 10-13 and 10-14 still to come.
        assert!(!remind(&c, due, "2026-10-12".parse().unwrap()));
        assert!(remind(&c, due, "2026-10-13".parse().unwrap()));
        assert!(remind(&c, due, due));
        assert!(!remind(&c, due, "2026-10-15".parse().unwrap()));
        assert_eq!(ack_due(at("2026-10-01 10:00")), at("2026-10-02 10:00"));
    }
}
