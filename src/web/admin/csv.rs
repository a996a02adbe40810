//! CSV downloads of the admin: UTF-8 with a byte-order mark (so that Excel reads the Chinese),
//! CRLF lines, every field quoted and formula-looking text defused (`crate::csv`).

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A CSV document being written.
pub struct Csv(String);

impl Csv {
    pub fn new(header: &[&str]) -> Csv {
        let mut c = Csv(String::from("\u{feff}"));
        c.row(header.iter().map(|h| h.to_string()));
        c
    }

    pub fn row(&mut self, values: impl IntoIterator<Item = String>) {
        let values: Vec<String> = values.into_iter().collect();
        self.0.push_str(&crate::csv::line(values.iter().map(String::as_str)));
    }

    /// The download, named `<stem>-<now>.csv`.
    pub fn attachment(self, stem: &str) -> Response {
        let name = format!("{stem}-{}.csv", chrono::Utc::now().format("%Y%m%d%H%M"));
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            ],
            self.0,
        )
            .into_response()
    }
}
