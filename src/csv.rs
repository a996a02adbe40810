//! CSV fields for every export (admin downloads, `zhanqun audit --format csv`): quoted, with
//! formula-looking text defused so that a spreadsheet opening the file never runs what a user
//! (or a reader's browser) typed.

pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// One CSV line of `values`, with its CRLF.
pub fn line<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = values.into_iter().map(field).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_and_defused() {
        assert_eq!(super::field("a\"b"), "\"a\"\"b\"");
        assert_eq!(super::field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(super::line(["a", "-1"]), "\"a\",\"'-1\"\r\n");
    }
}
