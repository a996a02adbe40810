//! One thing wrong with the site-group definition, printed as `FILE:LINE:COL: message (hint)`
//! so that editors and CI logs can jump straight to it.

use std::fmt;
use std::path::PathBuf;

use super::positions::Pos;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub pos: Pos,
    pub message: String,
    pub hint: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file.display(), self.pos.line, self.pos.col, self.message)?;
        if !self.hint.is_empty() {
            write!(f, " ({})", self.hint)?;
        }
        Ok(())
    }
}

/// Every problem found in one pass; the group is usable only when this is empty.
#[derive(Debug, Clone, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn push(&mut self, file: &std::path::Path, pos: Pos, message: impl Into<String>, hint: impl Into<String>) {
        self.0.push(Problem { file: file.to_path_buf(), pos, message: message.into(), hint: hint.into() });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.0.iter()
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        write!(f, "{} problem(s) in the site group; nothing was published", self.0.len())
    }
}

impl std::error::Error for Problems {}

/// Levenshtein distance over chars, for "did you mean" hints on misspelled fields.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb { prev } else { 1 + prev.min(cur).min(row[j]) };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("emial", "email"), 2);
        assert_eq!(edit_distance("hots", "host"), 2);
        assert_eq!(edit_distance("icp", "icp"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
