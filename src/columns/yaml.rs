//! Writes a column list back into a site's YAML file. Only the top-level `columns:` block is
//! replaced; everything else in the file (its comments, its other keys, their layout) stays as
//! the operator wrote it.

use crate::group::model::ColumnDef;

/// `text` with its `columns:` block holding `columns` (appended when the file has none).
pub fn with_columns(text: &str, columns: &[ColumnDef]) -> Result<String, String> {
    let block = serde_norway::to_string(columns).map_err(|e| format!("cannot write the columns: {e}"))?;
    let lines: Vec<&str> = text.lines().collect();
    let is_key = |l: &str| !l.is_empty() && !l.starts_with([' ', '\t', '-', '#']);
    let start = lines.iter().position(|l| l.starts_with("columns:"));
    let mut out = String::with_capacity(text.len() + block.len());
    let push_block = |out: &mut String| {
        out.push_str("columns:\n");
        out.push_str(&block);
        if !block.ends_with('\n') {
            out.push('\n');
        }
    };
    match start {
        Some(s) => {
            // The block runs to its last indented or `- ` line before the next top-level key;
            // blank lines and comments after that belong to what follows.
            let next_key = lines[s + 1..].iter().position(|l| is_key(l)).map_or(lines.len(), |k| s + 1 + k);
            let end =
                (s + 1..next_key).rev().find(|&k| lines[k].starts_with([' ', '\t', '-'])).map_or(s + 1, |k| k + 1);
            for l in &lines[..s] {
                out.push_str(l);
                out.push('\n');
            }
            push_block(&mut out);
            for l in &lines[end..] {
                out.push_str(l);
                out.push('\n');
            }
        }
        None => {
            out.push_str(text);
            if !text.is_empty() && !text.ends_with('\n') {
                out.push('\n');
            }
            push_block(&mut out);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::model::ColumnKind;

    const SITE: &str = "# 示例 — site definition
code: fgw
name: 示例市发展和改革委员会
columns:
- slug: gk
  name: 单位概况
  kind: overview

# the look
theme:
  variant: blue
review_levels: 1
";

    #[test]
    fn only_the_columns_block_changes() {
        let mut topic = ColumnDef::new("zt", "优化营商环境专题", ColumnKind::Topic, None);
        topic.ends = Some("2026-12-31".into());
        topic.intro = Some("第一段。\n\n第二段：含“引号”和 #号。".into());
        let cols = vec![ColumnDef::new("gk", "单位概况", ColumnKind::Overview, None), topic];
        let text = with_columns(SITE, &cols).unwrap();
        assert!(text.starts_with("# 示例 — site definition\ncode: fgw\n"), "{text}");
        assert!(text.contains("\n\n# the look\ntheme:\n  variant: blue\nreview_levels: 1\n"), "{text}");
        assert!(text.contains("name: 优化营商环境专题"), "Chinese stays readable: {text}");
        let back: serde_norway::Value = serde_norway::from_str(&text).unwrap();
        let again: Vec<ColumnDef> = serde_norway::from_value(back["columns"].clone()).unwrap();
        assert_eq!(again, cols);
    }

    #[test]
    fn a_file_without_columns_gets_them_at_the_end() {
        let text = with_columns("code: x\nname: 名称", &[ColumnDef::new("gk", "单位概况", ColumnKind::Overview, None)]);
        let text = text.unwrap();
        assert!(text.starts_with("code: x\nname: 名称\ncolumns:\n- slug: gk\n"), "{text}");
        let _: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    }
}
