//! What changed between two versions of an article, as a reviewer reads it: each changed
//! field with its old and new value, and the body block by block (paragraphs, headings, list
//! items, table rows), with the changed characters marked inside a changed block (红删绿增).
//! Blocks are compared by their text; a change of formatting alone is reported as such.

use similar::{ChangeTag, TextDiff};

use super::draft::DraftInput;
use super::{markdown, richtext};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldChange {
    pub label: &'static str,
    pub old: String,
    pub new: String,
}

/// One block of the body in the comparison. `html` is escaped text with `<del>` and `<ins>`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BlockChange {
    /// `same`, `removed`, `added`, `changed` or `restyled` (same text, other formatting).
    pub kind: &'static str,
    pub html: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Comparison {
    pub fields: Vec<FieldChange>,
    pub body: Vec<BlockChange>,
    /// Whether any block of the body differs.
    pub body_changed: bool,
}

impl Comparison {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && !self.body_changed
    }
}

/// Compares the live version with the one under review. `files` are the two versions' file
/// names, compared as one field.
pub fn compare(old: &DraftInput, new: &DraftInput, files: (&[String], &[String])) -> Comparison {
    let mut fields = Vec::new();
    // A live article keeps its publication time; what can change is a schedule.
    let (old_at, new_at) = (old.scheduled_at().unwrap_or_default(), new.scheduled_at().unwrap_or_default());
    let pairs: [(&'static str, &str, &str); 13] = [
        ("标题", &old.title, &new.title),
        ("栏目", &old.column, &new.column),
        ("摘要", &old.summary, &new.summary),
        ("文号", &old.doc_number, &new.doc_number),
        ("发布机构", &old.issuer, &new.issuer),
        ("来源", &old.source, &new.source),
        ("成文日期", &old.written_date, &new.written_date),
        ("主题分类", &old.topic, &new.topic),
        ("公开属性", &old.disclosure, &new.disclosure),
        ("有效性", &old.validity, &new.validity),
        ("所解读的文件", &old.interprets, &new.interprets),
        ("置顶", if old.pinned() { "是" } else { "否" }, if new.pinned() { "是" } else { "否" }),
        ("定时发布", &old_at, &new_at),
    ];
    for (label, a, b) in pairs {
        if a.trim() != b.trim() {
            fields.push(FieldChange { label, old: a.trim().to_string(), new: b.trim().to_string() });
        }
    }
    if files.0 != files.1 {
        fields.push(FieldChange { label: "附件和图片", old: files.0.join("、"), new: files.1.join("、") });
    }
    let (body, body_changed) = body_changes(&old.body, &new.body);
    Comparison { fields, body, body_changed }
}

/// A body's blocks: the rendered HTML of each paragraph, heading, list item or table row,
/// with its readable text.
fn blocks(body: &str) -> Vec<(String, String)> {
    let html = markdown::render(body);
    let mut out = Vec::new();
    let mut rest = html.as_str();
    const ENDS: [&str; 11] =
        ["</p>", "</h1>", "</h2>", "</h3>", "</h4>", "</h5>", "</h6>", "</li>", "</tr>", "</pre>", "</blockquote>"];
    while !rest.trim().is_empty() {
        let cut = ENDS.iter().filter_map(|e| rest.find(e).map(|i| i + e.len())).min().unwrap_or(rest.len());
        let piece = &rest[..cut];
        let text = richtext::text_of(piece).trim().to_string();
        let has_image = piece.contains("<img");
        if !text.is_empty() || has_image {
            let text = if text.is_empty() { image_label(piece) } else { text };
            out.push((normalise_markup(piece), text));
        }
        rest = &rest[cut..];
    }
    out
}

/// `[图片：说明]` for a block that is only an image.
fn image_label(piece: &str) -> String {
    let alt = piece.split("alt=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default();
    format!("[图片：{alt}]")
}

/// The markup of a block without what every block has around it, for telling a change of
/// formatting from none.
fn normalise_markup(piece: &str) -> String {
    piece.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn body_changes(old: &str, new: &str) -> (Vec<BlockChange>, bool) {
    let (a, b) = (blocks(old), blocks(new));
    let a_text: Vec<&str> = a.iter().map(|(_, t)| t.as_str()).collect();
    let b_text: Vec<&str> = b.iter().map(|(_, t)| t.as_str()).collect();
    let ops = similar::capture_diff_slices(similar::Algorithm::Patience, &a_text, &b_text);
    let mut out = Vec::new();
    let mut changed = false;
    for op in ops {
        match op {
            similar::DiffOp::Equal { old_index, new_index, len } => {
                for i in 0..len {
                    let (old_markup, text) = &a[old_index + i];
                    let new_markup = &b[new_index + i].0;
                    let kind = if old_markup == new_markup { "same" } else { "restyled" };
                    changed |= kind != "same";
                    out.push(BlockChange { kind, html: crate::html::escape(text) });
                }
            }
            similar::DiffOp::Delete { old_index, old_len, .. } => {
                changed = true;
                out.extend(
                    (old_index..old_index + old_len)
                        .map(|i| BlockChange { kind: "removed", html: wrap("del", &a[i].1) }),
                );
            }
            similar::DiffOp::Insert { new_index, new_len, .. } => {
                changed = true;
                out.extend(
                    (new_index..new_index + new_len).map(|i| BlockChange { kind: "added", html: wrap("ins", &b[i].1) }),
                );
            }
            similar::DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                changed = true;
                // Pair the replaced blocks one to one and mark the characters that changed; the
                // blocks left over were removed or added whole.
                let pairs = old_len.min(new_len);
                for i in 0..pairs {
                    out.push(BlockChange {
                        kind: "changed",
                        html: inline_diff(&a[old_index + i].1, &b[new_index + i].1),
                    });
                }
                out.extend(
                    (old_index + pairs..old_index + old_len)
                        .map(|i| BlockChange { kind: "removed", html: wrap("del", &a[i].1) }),
                );
                out.extend(
                    (new_index + pairs..new_index + new_len)
                        .map(|i| BlockChange { kind: "added", html: wrap("ins", &b[i].1) }),
                );
            }
        }
    }
    (out, changed)
}

fn wrap(tag: &str, text: &str) -> String {
    format!("<{tag}>{}</{tag}>", crate::html::escape(text))
}

/// Character by character, which suits Chinese, where a word has no spaces around it.
fn inline_diff(old: &str, new: &str) -> String {
    let diff = TextDiff::from_chars(old, new);
    let mut out = String::new();
    let mut open: Option<ChangeTag> = None;
    for change in diff.iter_all_changes() {
        let tag = change.tag();
        if open != Some(tag) {
            match open {
                Some(ChangeTag::Delete) => out.push_str("</del>"),
                Some(ChangeTag::Insert) => out.push_str("</ins>"),
                _ => {}
            }
            match tag {
                ChangeTag::Delete => out.push_str("<del>"),
                ChangeTag::Insert => out.push_str("<ins>"),
                ChangeTag::Equal => {}
            }
            open = Some(tag);
        }
        crate::html::escape_into(&mut out, change.value());
    }
    match open {
        Some(ChangeTag::Delete) => out.push_str("</del>"),
        Some(ChangeTag::Insert) => out.push_str("</ins>"),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(title: &str, body: &str) -> DraftInput {
        let mut d = DraftInput { title: title.into(), column: "gzdt".into(), body: body.into(), ..Default::default() };
        d.normalize();
        d
    }

    #[test]
    fn fields_and_blocks_that_changed_are_marked() {
        let old = input("关于开展培训的通知", "各单位：\n\n请于11月30日前报名。\n\n联系人：张三");
        let mut new = input("关于开展网络安全培训的通知", "各单位：\n\n请于12月5日前报名。\n\n附件：日程表");
        new.doc_number = "示发〔2026〕1号".into();
        let c = compare(&old, &new, (&["日程.pdf".into()], &["日程.pdf".into()]));
        assert_eq!(
            c.fields[0],
            FieldChange {
                label: "标题", old: "关于开展培训的通知".into(), new: "关于开展网络安全培训的通知".into()
            }
        );
        assert_eq!(c.fields[1].label, "文号");
        assert_eq!(c.fields.len(), 2, "{:?}", c.fields);
        let kinds: Vec<&str> = c.body.iter().map(|b| b.kind).collect();
        assert_eq!(kinds, ["same", "changed", "changed"], "{:?}", c.body);
        assert_eq!(c.body[1].html, "请于1<del>1</del><ins>2</ins>月<del>30</del><ins>5</ins>日前报名。");
        assert!(c.body_changed);
    }

    #[test]
    fn added_removed_restyled_and_escaped() {
        let old = input("t", "<p>第一段</p>\n\n<p>第二段 <b>x</b></p>");
        let mut new = DraftInput {
            title: "t".into(),
            column: "gzdt".into(),
            body: "<p style=\"text-align: right\">第一段</p><p>新增&lt;script&gt;</p>".into(),
            body_format: "html".into(),
            ..Default::default()
        };
        new.normalize();
        let c = compare(&old, &new, (&[], &[]));
        let kinds: Vec<&str> = c.body.iter().map(|b| b.kind).collect();
        assert_eq!(kinds, ["restyled", "changed"], "{:?}", c.body);
        assert_eq!(c.body[1].html, "<del>第二段 x</del><ins>新增&lt;script&gt;</ins>");
        assert!(compare(&old, &old, (&[], &[])).is_empty());
        let c = compare(&input("t", "一\n\n二"), &input("t", "二"), (&[], &[]));
        assert_eq!(c.body[0], BlockChange { kind: "removed", html: "<del>一</del>".into() });
    }
}
