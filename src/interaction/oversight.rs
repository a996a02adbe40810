//! The oversight figures of citizen messages (督查督办): per site and per month, how many were
//! received, acknowledged in time, answered, answered on time, answered late and overdue,
//! the on-time rate, the average time to answer and the citizens' satisfaction.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::deadline::{self, beijing_day};
use super::Category;

/// One message's clocks, for the oversight figures.
#[derive(Debug, Clone)]
pub struct MessageFact {
    pub site_id: i64,
    pub category: Category,
    pub received_at: i64,
    pub acknowledged_at: Option<i64>,
    pub due_date: NaiveDate,
    pub answered_at: Option<i64>,
    pub rating: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    pub received: usize,
    pub acknowledged: usize,
    /// Acknowledged after 24 hours, or not yet and past 24 hours.
    pub ack_late: usize,
    pub answered: usize,
    pub on_time: usize,
    /// Answered after the due day.
    pub late: usize,
    /// Unanswered and past the due day.
    pub overdue: usize,
    /// Unanswered, within the deadline.
    pub open: usize,
    /// On time over everything whose deadline has come (answered, or overdue), in percent.
    pub on_time_rate: Option<f64>,
    /// Days from receipt to the approved answer, on average.
    pub avg_days: Option<f64>,
    pub rated: usize,
    pub avg_rating: Option<f64>,
}

impl Figures {
    fn add(&mut self, f: &MessageFact, now: i64, today: NaiveDate, sums: &mut Sums) {
        self.received += 1;
        match f.acknowledged_at {
            Some(at) => {
                self.acknowledged += 1;
                if at > deadline::ack_due(f.received_at) {
                    self.ack_late += 1;
                }
            }
            None if now > deadline::ack_due(f.received_at) => self.ack_late += 1,
            None => {}
        }
        match f.answered_at {
            Some(at) => {
                self.answered += 1;
                if deadline::on_time(at, f.due_date) {
                    self.on_time += 1;
                } else {
                    self.late += 1;
                }
                sums.days += (at - f.received_at) as f64 / 86_400.0;
            }
            None if deadline::overdue(f.due_date, today) => self.overdue += 1,
            None => self.open += 1,
        }
        if let Some(r) = f.rating {
            self.rated += 1;
            sums.rating += r as f64;
        }
    }

    fn finish(&mut self, sums: &Sums) {
        let judged = self.answered + self.overdue;
        self.on_time_rate = (judged > 0).then(|| round1(100.0 * self.on_time as f64 / judged as f64));
        self.avg_days = (self.answered > 0).then(|| round1(sums.days / self.answered as f64));
        self.avg_rating = (self.rated > 0).then(|| round1(sums.rating / self.rated as f64));
    }
}

#[derive(Default)]
struct Sums {
    days: f64,
    rating: f64,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The figures of `facts` as of `now`, in total, by site id and by month (`YYYY-MM` of receipt).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Oversight {
    pub total: Figures,
    pub by_site: BTreeMap<i64, Figures>,
    pub by_month: BTreeMap<String, Figures>,
}

pub fn figures(facts: &[MessageFact], now: i64) -> Oversight {
    let today = beijing_day(now);
    let mut total = (Figures::default(), Sums::default());
    let mut by_site: BTreeMap<i64, (Figures, Sums)> = BTreeMap::new();
    let mut by_month: BTreeMap<String, (Figures, Sums)> = BTreeMap::new();
    for f in facts {
        total.0.add(f, now, today, &mut total.1);
        let s = by_site.entry(f.site_id).or_default();
        s.0.add(f, now, today, &mut s.1);
        let m = by_month.entry(beijing_day(f.received_at).format("%Y-%m").to_string()).or_default();
        m.0.add(f, now, today, &mut m.1);
    }
    let done = |(mut f, s): (Figures, Sums)| {
        f.finish(&s);
        f
    };
    Oversight {
        total: done(total),
        by_site: by_site.into_iter().map(|(k, v)| (k, done(v))).collect(),
        by_month: by_month.into_iter().map(|(k, v)| (k, done(v))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interaction::Category;

    const DAY: i64 = 86_400;

    fn fact(
        site: i64,
        received: i64,
        ack: Option<i64>,
        due: &str,
        answered: Option<i64>,
        rating: Option<i64>,
    ) -> MessageFact {
        MessageFact {
            site_id: site,
            category: Category::Consult,
            received_at: received,
            acknowledged_at: ack,
            due_date: due.parse().unwrap(),
            answered_at: answered,
            rating,
        }
    }

    #[test]
    fn on_time_late_overdue_and_open() {
        // 2026-10-01 00:00 UTC = 08:00 Beijing.
        let t0 = 1_790_812_800;
        let now = t0 + 30 * DAY;
        let facts = [
            // Acknowledged in an hour, answered on day 5 (due 10-14): on time.
            fact(1, t0, Some(t0 + 3600), "2026-10-14", Some(t0 + 5 * DAY), Some(5)),
            // Acknowledged after two days, answered after the due day: late.
            fact(1, t0, Some(t0 + 2 * DAY), "2026-10-14", Some(t0 + 20 * DAY), Some(2)),
            // Never acknowledged, past due: overdue.
            fact(2, t0, None, "2026-10-14", None, None),
            // Received yesterday: open, not yet late for the acknowledgement.
            fact(2, now - 3600, None, "2026-11-12", None, None),
        ];
        let o = figures(&facts, now);
        let t = &o.total;
        assert_eq!((t.received, t.acknowledged, t.ack_late), (4, 2, 2));
        assert_eq!((t.answered, t.on_time, t.late, t.overdue, t.open), (2, 1, 1, 1, 1));
        assert_eq!(t.on_time_rate, Some(33.3));
        assert_eq!(t.avg_days, Some(12.5));
        assert_eq!(t.avg_rating, Some(3.5));
        assert_eq!(o.by_site[&1].on_time_rate, Some(50.0));
        assert_eq!(o.by_site[&2].on_time_rate, Some(0.0));
        assert_eq!(o.by_month.keys().cloned().collect::<Vec<_>>(), vec!["2026-10".to_string()]);
        assert_eq!(o.by_month["2026-10"].received, 4);
    }

    #[test]
    fn nothing_received() {
        let o = figures(&[], 0);
        assert_eq!(o.total.on_time_rate, None);
        assert_eq!(o.total.avg_days, None);
    }
}
