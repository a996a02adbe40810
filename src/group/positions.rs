//! Where each key and value of a YAML file sits, so that a rule broken by a value can be
//! reported at `FILE:LINE:COL` of that value. serde gives locations only for its own errors;
//! the rules of the group run after deserialising, so they look positions up here by path.

use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, col: 1 };
}

/// Positions by path: `contact.email`, `columns[2].name`.
#[derive(Debug, Default)]
pub struct Positions {
    keys: HashMap<String, Pos>,
    values: HashMap<String, Pos>,
}

impl Positions {
    /// Indexes `text`; a syntax error leaves the index partial, which only costs precision
    /// (serde reports the syntax error itself).
    pub fn index(text: &str) -> Positions {
        let mut sink = Sink { out: Positions::default(), stack: Vec::new() };
        let mut parser = Parser::new_from_str(text);
        let _ = parser.load(&mut sink, false);
        sink.out
    }

    /// Position of the value at `path`, falling back to its key, then to its nearest parent.
    pub fn value(&self, path: &str) -> Pos {
        self.values.get(path).or_else(|| self.keys.get(path)).copied().unwrap_or_else(|| self.parent(path))
    }

    /// Whether the document has a key or value at `path`.
    pub fn has(&self, path: &str) -> bool {
        self.values.contains_key(path) || self.keys.contains_key(path)
    }

    /// Position of the key at `path` (for "this field should not be here" problems).
    pub fn key(&self, path: &str) -> Pos {
        self.keys.get(path).copied().unwrap_or_else(|| self.value(path))
    }

    fn parent(&self, path: &str) -> Pos {
        match path.rfind(['.', '[']) {
            Some(cut) => self.value(&path[..cut]),
            None => Pos::START,
        }
    }
}

enum Frame {
    Map { path: String, key: Option<String>, keys_seen: usize },
    Seq { path: String, next: usize },
}

struct Sink {
    out: Positions,
    stack: Vec<Frame>,
}

fn pos(mark: Marker) -> Pos {
    Pos { line: mark.line(), col: mark.col() + 1 }
}

impl Sink {
    /// Called when a value starts; returns the path of that value.
    fn value_path(&mut self, mark: Marker) -> Option<String> {
        let path = match self.stack.last_mut() {
            None => String::new(),
            Some(Frame::Map { path, key, .. }) => {
                let key = key.take()?;
                if path.is_empty() {
                    key
                } else {
                    format!("{path}.{key}")
                }
            }
            Some(Frame::Seq { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                p
            }
        };
        self.out.values.entry(path.clone()).or_insert(pos(mark));
        Some(path)
    }

    /// True when the next scalar of the innermost mapping is a key.
    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }
}

impl MarkedEventReceiver for Sink {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(text, ..) if self.expecting_key() => {
                if let Some(Frame::Map { path, key, keys_seen }) = self.stack.last_mut() {
                    // The parser marks a block mapping's start imprecisely; its first key is
                    // where a reader sees the mapping begin.
                    if *keys_seen == 0 && !path.is_empty() {
                        self.out.values.insert(path.clone(), pos(mark));
                    }
                    *keys_seen += 1;
                    let full = if path.is_empty() { text.clone() } else { format!("{path}.{text}") };
                    self.out.keys.entry(full).or_insert(pos(mark));
                    *key = Some(text);
                }
            }
            Event::Scalar(..) | Event::Alias(..) => {
                self.value_path(mark);
            }
            Event::MappingStart(..) => {
                if self.expecting_key() {
                    // A complex key: not used in our files; index it as an anonymous key.
                    if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                        *key = Some("?".into());
                    }
                }
                let path = self.value_path(mark).unwrap_or_default();
                self.stack.push(Frame::Map { path, key: None, keys_seen: 0 });
            }
            Event::SequenceStart(..) => {
                let path = self.value_path(mark).unwrap_or_default();
                self.stack.push(Frame::Seq { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_and_values() {
        let text = "code: fgw\ncontact:\n  email: a@b.cn\ncolumns:\n  - slug: gk\n    name: 单位概况\n  - slug: zc\n    name: 政策法规\n";
        let p = Positions::index(text);
        assert_eq!(p.value("code"), Pos { line: 1, col: 7 });
        assert_eq!(p.key("contact.email"), Pos { line: 3, col: 3 });
        assert_eq!(p.value("contact.email"), Pos { line: 3, col: 10 });
        assert_eq!(p.value("columns[1].name"), Pos { line: 8, col: 11 });
        // Unknown paths fall back to the nearest parent that exists.
        assert_eq!(p.value("columns[1].kind"), Pos { line: 7, col: 5 });
        assert_eq!(p.value("nothing.here"), Pos::START);
    }
}
