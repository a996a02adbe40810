//! The working-day calendar (`sites/calendar/<year>.yaml`): public holidays and the weekend days
//! made working days (调休) by the State Council's yearly announcement. Message deadlines count
//! working days with it, so a message received before the National Day week is not due in it.
//! A year without a file counts Monday to Friday, which is only ever wrong around holidays; the
//! check warns about it through `Calendar::covers`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

use super::positions::{Pos, Positions};
use super::Problems;

/// Folder under `sites/` holding one file per year.
pub const CALENDAR_DIR: &str = "calendar";

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    holidays: BTreeMap<NaiveDate, String>,
    workdays: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
    /// Years whose file is marked provisional (statutory days only, no 调休 yet).
    provisional: BTreeSet<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    #[serde(default)]
    provisional: bool,
    holidays: Vec<Holiday>,
    #[serde(default)]
    workdays: Vec<Workday>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Holiday {
    name: String,
    from: NaiveDate,
    to: NaiveDate,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Workday {
    #[allow(dead_code)]
    name: String,
    date: NaiveDate,
}

impl Calendar {
    /// Reads every `<year>.yaml` of `dir`; a missing folder is an empty calendar.
    pub fn load(dir: &Path, problems: &mut Problems) -> Calendar {
        let mut cal = Calendar::default();
        let Ok(entries) = std::fs::read_dir(dir) else { return cal };
        let mut files: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .collect();
        files.sort();
        for path in files {
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(&path, Pos::START, format!("cannot read: {e}"), "check the file is UTF-8 text");
                    continue;
                }
            };
            match serde_norway::from_str::<YearFile>(&text) {
                Ok(f) => cal.add(&path, &f, &Positions::index(&text), problems),
                Err(e) => problems.0.push(super::serde_problem(&path, &e)),
            }
        }
        cal
    }

    fn add(&mut self, path: &Path, f: &YearFile, pos: &Positions, problems: &mut Problems) {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if stem != f.year.to_string() {
            problems.push(
                path,
                pos.value("year"),
                format!("year {} in a file named {stem}", f.year),
                "name the file <year>.yaml",
            );
        }
        if !self.years.insert(f.year) {
            problems.push(
                path,
                pos.value("year"),
                format!("year {} is defined twice", f.year),
                "keep one file per year",
            );
        }
        if f.provisional {
            self.provisional.insert(f.year);
        }
        for (i, h) in f.holidays.iter().enumerate() {
            let at = pos.value(&format!("holidays[{i}].from"));
            if h.from.year() != f.year || h.to.year() != f.year || h.to < h.from || (h.to - h.from).num_days() > 15 {
                problems.push(
                    path,
                    at,
                    format!("holiday `{}` {}..{} is not a run of days in {}", h.name, h.from, h.to, f.year),
                    "give `from` and `to` within the year, `to` not before `from`, at most 16 days",
                );
                continue;
            }
            for d in h.from.iter_days().take_while(|d| *d <= h.to) {
                self.holidays.insert(d, h.name.clone());
            }
        }
        for (i, w) in f.workdays.iter().enumerate() {
            let at = pos.value(&format!("workdays[{i}].date"));
            if w.date.year() != f.year {
                problems.push(
                    path,
                    at,
                    format!("workday {} is not in {}", w.date, f.year),
                    "list only this year's days",
                );
            } else if self.holidays.contains_key(&w.date) {
                problems.push(path, at, format!("{} is both a holiday and a workday", w.date), "remove one of them");
            } else if !is_weekend(w.date) {
                problems.push(
                    path,
                    at,
                    format!("workday {} is a weekday already", w.date),
                    "list only the weekend days made working days (调休)",
                );
            } else {
                self.workdays.insert(w.date);
            }
        }
    }

    /// Whether people work on `day`.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        !is_weekend(day) && !self.holidays.contains_key(&day)
    }

    /// The holiday `day` belongs to, if any.
    pub fn holiday(&self, day: NaiveDate) -> Option<&str> {
        self.holidays.get(&day).map(String::as_str)
    }

    /// The `n`th working day after `day` (`day` itself never counts: a message received on a
    /// working day has that day's remainder as a bonus, not as its first day).
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> NaiveDate {
        let mut d = day;
        let mut left = n;
        while left > 0 {
            d = d + Days::new(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        from.iter_days().skip(1).take_while(|d| *d <= to).filter(|d| self.is_working_day(*d)).count() as i64
    }

    /// Whether the calendar has a file for `year`, and whether that file is final.
    pub fn covers(&self, year: i32) -> Coverage {
        match (self.years.contains(&year), self.provisional.contains(&year)) {
            (false, _) => Coverage::Missing,
            (true, true) => Coverage::Provisional,
            (true, false) => Coverage::Final,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    Final,
    Provisional,
    Missing,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Calendar {
        let mut p = Problems::default();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sites").join(CALENDAR_DIR);
        let cal = Calendar::load(&dir, &mut p);
        assert!(p.is_empty(), "{p}");
        cal
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn national_day_week_and_its_adjusted_days() {
        let cal = shipped();
        // Received Friday 2026-09-18: Sunday 09-20 is worked (调休), 10-01..07 are off, Saturday
        // 10-10 is worked. Working days: 09-20, 21, 22, 23, 24, 28, 29 -> the 7th is 09-29.
        assert_eq!(cal.add_working_days(d("2026-09-18"), 7), d("2026-09-29"));
        // Received 2026-09-29 (Tuesday): 09-30, 10-08, 10-09, 10-10 (Sat, worked), 10-12, 13, 14.
        assert_eq!(cal.add_working_days(d("2026-09-29"), 7), d("2026-10-14"));
        // Received during the holiday: the count starts after it.
        assert_eq!(cal.add_working_days(d("2026-10-03"), 1), d("2026-10-08"));
        assert_eq!(cal.add_working_days(d("2026-10-03"), 15), d("2026-10-27"));
        assert!(cal.is_working_day(d("2026-10-10")) && !cal.is_working_day(d("2026-10-05")));
        assert_eq!(cal.holiday(d("2026-10-05")), Some("国庆节"));
        assert_eq!(cal.working_days_between(d("2026-09-29"), d("2026-10-14")), 7);
    }

    #[test]
    fn spring_festival_and_the_year_boundary() {
        let cal = shipped();
        // 2026-02-13 (Friday): 02-14 (Sat, worked), then 02-15..23 off.
        assert_eq!(cal.add_working_days(d("2026-02-13"), 1), d("2026-02-14"));
        assert_eq!(cal.add_working_days(d("2026-02-13"), 2), d("2026-02-24"));
        // Across New Year 2027 into the next year's file: 12-31 (Thu), 01-01 off.
        assert_eq!(cal.add_working_days(d("2026-12-30"), 2), d("2027-01-04"));
        assert_eq!(cal.covers(2026), Coverage::Final);
        assert_eq!(cal.covers(2027), Coverage::Provisional);
        assert_eq!(cal.covers(2030), Coverage::Missing);
        // Beyond the files: Monday to Friday.
        assert_eq!(cal.add_working_days(d("2030-01-04"), 1), d("2030-01-07"));
    }

    #[test]
    fn bad_files_are_reported_where_they_are_wrong() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("2026.yaml"),
            "year: 2026\nholidays:\n- {name: 国庆节, from: 2026-10-07, to: 2026-10-01}\nworkdays:\n- {name: x, date: 2026-10-09}\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("2025.yaml"), "year: 2025\nholiday: []\n").unwrap();
        let mut p = Problems::default();
        Calendar::load(dir.path(), &mut p);
        let text = p.to_string();
        assert!(text.contains("2025.yaml:2:1: unknown field `holiday`"), "{text}");
        assert!(text.contains("2026.yaml:3:"), "{text}");
        assert!(text.contains("workday 2026-10-09 is a weekday already"), "{text}");
    }
}
