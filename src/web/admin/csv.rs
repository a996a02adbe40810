//! CSV downloads of the admin: UTF-8 with a byte-order mark (so that Excel reads the Chinese),
//! CRLF lines, every field quoted and formula-looking text defused.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A CSV field: quoted, with formula-looking text defused so that a spreadsheet opening the
/// export never runs what a user (or a reader's browser) typed.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A CSV document being written.
pub struct Csv(String);

impl Csv {
    pub fn new(header: &[&str]) -> Csv {
        let mut c = Csv(String::from("\u{feff}"));
        c.row(header.iter().map(|h| h.to_string()));
        c
    }

    pub fn row(&mut self, values: impl IntoIterator<Item = String>) {
        let line: Vec<String> = values.into_iter().map(|v| field(&v)).collect();
        self.0.push_str(&line.join(","));
        self.0.push_str("\r\n");
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

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(super::field("a\"b"), "\"a\"\"b\"");
        assert_eq!(super::field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
