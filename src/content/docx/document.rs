//! WordprocessingML (`word/document.xml`) to HTML: paragraphs with their alignment and
//! indents, headings by style, bold/italic/underline runs, line breaks, lists by numbering,
//! tables with merged cells and header rows, hyperlinks and embedded images. Everything else
//! Word keeps (fonts, colours, spacing, comments, tracked deletions, fields' codes) is left
//! behind. Elements are matched by local name, so Word's and WPS's prefixes both read.

use std::collections::HashMap;
use std::fmt::Write;

use roxmltree::Node;

/// One top-level block of the document, with what the title guess needs to know.
pub struct Block {
    pub html: String,
    pub text: String,
    pub kind: BlockKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A paragraph in Word's Title style.
    Title,
    Heading,
    /// A centred paragraph whose every character is bold: how most notices set their title.
    CentredBold,
    Other,
}

/// An image the document embeds, by its part name, with its alt text if Word has one.
pub struct ImageRef {
    pub part: String,
    pub alt: Option<String>,
}

/// What the rest of the package says about the document's parts.
#[derive(Default)]
pub struct Context {
    /// Relationship id → (target, external).
    pub rels: HashMap<String, (String, bool)>,
    /// Style id → heading level (0 for the Title style).
    pub headings: HashMap<String, u8>,
    /// (numId, level) → ordered list.
    pub ordered: HashMap<(String, u8), bool>,
    /// Style id → the numbering its paragraphs carry (Word's 列表编号 and 列表项目符号 styles).
    pub style_numbering: HashMap<String, (String, u8)>,
}

pub struct Converter<'c> {
    cx: &'c Context,
    pub images: Vec<ImageRef>,
}

/// The placeholder an image's `src` carries until the caller knows where it is stored.
pub fn placeholder(n: usize) -> String {
    format!("zq-docx-image-{n}")
}

fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attributes().find(|a| a.name() == name).map(|a| a.value())
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn on(node: Option<Node<'_, '_>>) -> bool {
    node.is_some_and(|n| !matches!(attr(n, "val"), Some("0" | "false" | "off" | "none")))
}

fn escape(text: &str, out: &mut String) {
    crate::html::escape_into(out, text);
}

#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct Format {
    bold: bool,
    italic: bool,
    underline: bool,
    sup: bool,
    sub: bool,
}

impl Format {
    fn tags(&self) -> Vec<&'static str> {
        let mut t = Vec::new();
        if self.bold {
            t.push("strong");
        }
        if self.italic {
            t.push("em");
        }
        if self.underline {
            t.push("u");
        }
        if self.sup {
            t.push("sup");
        }
        if self.sub {
            t.push("sub");
        }
        t
    }
}

/// Inline content being written, with formatting opened and closed only where it changes
/// (Word splits one bold phrase into many runs).
#[derive(Default)]
struct Inline {
    html: String,
    text: String,
    open: Format,
    /// Characters written while bold, and in all, for the title guess.
    bold_chars: usize,
    chars: usize,
}

impl Inline {
    fn set(&mut self, f: Format) {
        if f == self.open {
            return;
        }
        for t in self.open.tags().iter().rev() {
            let _ = write!(self.html, "</{t}>");
        }
        for t in f.tags() {
            let _ = write!(self.html, "<{t}>");
        }
        self.open = f;
    }
    fn text(&mut self, f: Format, s: &str) {
        if s.is_empty() {
            return;
        }
        self.set(f);
        escape(s, &mut self.html);
        self.text.push_str(s);
        let n = s.chars().filter(|c| !c.is_whitespace()).count();
        self.chars += n;
        if f.bold {
            self.bold_chars += n;
        }
    }
    fn raw(&mut self, f: Format, html: &str) {
        self.set(f);
        self.html.push_str(html);
    }
    fn finish(mut self) -> (String, String, bool) {
        self.set(Format::default());
        let all_bold = self.chars > 0 && self.bold_chars == self.chars;
        (self.html, self.text, all_bold)
    }
}

impl<'c> Converter<'c> {
    pub fn new(cx: &'c Context) -> Self {
        Converter { cx, images: Vec::new() }
    }

    /// The blocks of `w:body`, lists gathered.
    pub fn body(&mut self, body: Node<'_, '_>) -> Vec<Block> {
        let mut blocks = Vec::new();
        let mut list = ListWriter::default();
        for node in block_nodes(body) {
            match node.tag_name().name() {
                "p" => {
                    if let Some((num, level)) = self.numbering(node) {
                        let ordered = self.cx.ordered.get(&(num, level)).copied().unwrap_or(true);
                        let (inner, text, _) = self.inline(node);
                        list.item(level, ordered, &inner, &text);
                        continue;
                    }
                    if let Some(b) = list.finish() {
                        blocks.push(b);
                    }
                    blocks.push(self.paragraph(node));
                }
                "tbl" => {
                    if let Some(b) = list.finish() {
                        blocks.push(b);
                    }
                    let html = self.table(node);
                    blocks.push(Block { text: String::new(), html, kind: BlockKind::Other });
                }
                _ => {}
            }
        }
        if let Some(b) = list.finish() {
            blocks.push(b);
        }
        blocks
    }

    /// The list a paragraph belongs to: its own numbering, else its style's.
    fn numbering(&self, p: Node<'_, '_>) -> Option<(String, u8)> {
        let ppr = child(p, "pPr")?;
        let own = child(ppr, "numPr").and_then(num_pr);
        let numbering = own.or_else(|| {
            let style = attr(child(ppr, "pStyle")?, "val")?;
            self.cx.style_numbering.get(style).cloned()
        })?;
        (numbering.0 != "0").then_some(numbering) // numId 0 switches numbering off
    }

    fn paragraph(&mut self, p: Node<'_, '_>) -> Block {
        let ppr = child(p, "pPr");
        let heading = ppr
            .and_then(|pr| child(pr, "pStyle"))
            .and_then(|s| attr(s, "val"))
            .and_then(|id| self.cx.headings.get(id).copied())
            .or_else(|| {
                ppr.and_then(|pr| child(pr, "outlineLvl"))
                    .and_then(|o| attr(o, "val"))
                    .and_then(|v| v.parse::<u8>().ok())
                    .filter(|l| *l < 6)
                    .map(|l| l + 1)
            });
        let style = ppr.map(paragraph_style).unwrap_or_default();
        let (inner, text, all_bold) = self.inline(p);
        let (tag, kind) = match heading {
            Some(0) => ("p", BlockKind::Title),
            Some(level) => (["h2", "h3", "h4", "h4", "h4", "h4"][usize::from(level - 1).min(5)], BlockKind::Heading),
            None if all_bold && style.contains("text-align: center") => ("p", BlockKind::CentredBold),
            None => ("p", BlockKind::Other),
        };
        let mut html = String::new();
        if style.is_empty() {
            let _ = write!(html, "<{tag}>{inner}</{tag}>");
        } else {
            let _ = write!(html, "<{tag} style=\"{style}\">{inner}</{tag}>");
        }
        Block { html, text, kind }
    }

    /// A paragraph's runs, links and images as inline HTML, with its plain text.
    fn inline(&mut self, p: Node<'_, '_>) -> (String, String, bool) {
        let mut out = Inline::default();
        self.inline_into(p, &mut out);
        out.finish()
    }

    fn inline_into(&mut self, node: Node<'_, '_>, out: &mut Inline) {
        for c in node.children().filter(Node::is_element) {
            match c.tag_name().name() {
                "r" => self.run(c, out),
                "hyperlink" => {
                    let href = attr(c, "id")
                        .and_then(|id| self.cx.rels.get(id))
                        .filter(|(_, external)| *external)
                        .map(|(t, _)| t.clone())
                        .or_else(|| attr(c, "anchor").map(|a| format!("#{a}")));
                    match href {
                        Some(href) => {
                            let mut a = String::from("<a href=\"");
                            escape(&href, &mut a);
                            a.push_str("\">");
                            out.raw(Format::default(), &a);
                            self.inline_into(c, out);
                            out.raw(Format::default(), "</a>");
                        }
                        None => self.inline_into(c, out),
                    }
                }
                // Tracked insertions, content controls, smart tags, simple fields: their text.
                "ins" | "sdt" | "sdtContent" | "smartTag" | "customXml" | "fldSimple" | "moveTo" => {
                    self.inline_into(c, out)
                }
                "AlternateContent" => {
                    if let Some(choice) = child(c, "Choice") {
                        self.inline_into(choice, out);
                    }
                }
                _ => {} // pPr, deletions, bookmarks, comments, proofing marks
            }
        }
    }

    fn run(&mut self, r: Node<'_, '_>, out: &mut Inline) {
        let rpr = child(r, "rPr");
        let get = |name: &str| rpr.and_then(|pr| child(pr, name));
        let vert = get("vertAlign").and_then(|v| attr(v, "val"));
        let f = Format {
            bold: on(get("b")),
            italic: on(get("i")),
            underline: get("u").is_some_and(|u| attr(u, "val") != Some("none")),
            sup: vert == Some("superscript"),
            sub: vert == Some("subscript"),
        };
        if get("vanish").is_some_and(|v| on(Some(v))) {
            return; // hidden text
        }
        for c in r.children().filter(Node::is_element) {
            match c.tag_name().name() {
                "t" => out.text(f, c.text().unwrap_or_default()),
                "tab" => out.text(f, " "),
                "noBreakHyphen" => out.text(f, "-"),
                "br" if matches!(attr(c, "type"), Some("page" | "column")) => {}
                "br" | "cr" => out.raw(f, "<br>"),
                "drawing" | "pict" | "object" => self.images_in(c, out),
                "AlternateContent" => {
                    if let Some(choice) = child(c, "Choice") {
                        for d in choice.children().filter(Node::is_element) {
                            if matches!(d.tag_name().name(), "drawing" | "pict") {
                                self.images_in(d, out);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The images of a drawing (`a:blip r:embed`) or a legacy picture (`v:imagedata r:id`).
    fn images_in(&mut self, drawing: Node<'_, '_>, out: &mut Inline) {
        let alt = drawing
            .descendants()
            .find(|n| n.tag_name().name() == "docPr")
            .and_then(|d| attr(d, "descr").filter(|s| !s.trim().is_empty()).or_else(|| attr(d, "title")))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        for n in drawing.descendants().filter(|n| matches!(n.tag_name().name(), "blip" | "imagedata")) {
            let id = attr(n, "embed").or_else(|| attr(n, "id"));
            let Some((target, false)) = id.and_then(|id| self.cx.rels.get(id)) else { continue };
            let alt = alt.clone().or_else(|| attr(n, "title").map(str::to_string).filter(|s| !s.trim().is_empty()));
            let n = self.images.len();
            self.images.push(ImageRef { part: part_name(target), alt: alt.clone() });
            let mut html = format!("<img src=\"{}\" alt=\"", placeholder(n));
            escape(alt.as_deref().unwrap_or_default(), &mut html);
            html.push_str("\">");
            out.raw(Format::default(), &html);
        }
    }

    fn table(&mut self, tbl: Node<'_, '_>) -> String {
        struct Cell {
            html: String,
            colspan: usize,
            rowspan: usize,
            header: bool,
            merged_away: bool,
        }
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        // Column → (row, cell) of the cell a vertical merge started in.
        let mut open: HashMap<usize, (usize, usize)> = HashMap::new();
        for tr in tbl.children().filter(|n| n.tag_name().name() == "tr") {
            let trpr = child(tr, "trPr");
            let header = trpr.and_then(|p| child(p, "tblHeader")).is_some_and(|h| on(Some(h)));
            let mut col = trpr
                .and_then(|p| child(p, "gridBefore"))
                .and_then(|g| attr(g, "val"))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0usize);
            let ri = rows.len();
            let mut cells = Vec::new();
            for tc in tr.children().filter(|n| n.tag_name().name() == "tc") {
                let tcpr = child(tc, "tcPr");
                let span = tcpr
                    .and_then(|p| child(p, "gridSpan"))
                    .and_then(|g| attr(g, "val"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(1usize)
                    .clamp(1, 100);
                let vmerge = tcpr.and_then(|p| child(p, "vMerge")).map(|v| attr(v, "val").unwrap_or("continue"));
                let mut cell = Cell { html: String::new(), colspan: span, rowspan: 1, header, merged_away: false };
                match vmerge {
                    Some("continue") => match open.get(&col) {
                        Some(&(r, c)) => {
                            rows[r][c].rowspan += 1;
                            cell.merged_away = true;
                        }
                        None => cell.html = self.cell_content(tc),
                    },
                    Some(_) => {
                        open.insert(col, (ri, cells.len()));
                        cell.html = self.cell_content(tc);
                    }
                    None => {
                        open.remove(&col);
                        cell.html = self.cell_content(tc);
                    }
                }
                col += span;
                cells.push(cell);
            }
            rows.push(cells);
        }
        let mut html = String::from("<table>");
        let header_rows = rows.iter().take_while(|r| r.first().is_some_and(|c| c.header)).count();
        for (ri, row) in rows.iter().enumerate() {
            if ri == 0 && header_rows > 0 {
                html.push_str("<thead>");
            }
            if ri == header_rows {
                if header_rows > 0 {
                    html.push_str("</thead>");
                }
                html.push_str("<tbody>");
            }
            html.push_str("<tr>");
            for c in row.iter().filter(|c| !c.merged_away) {
                let tag = if c.header { "th" } else { "td" };
                html.push('<');
                html.push_str(tag);
                if c.header {
                    html.push_str(" scope=\"col\"");
                }
                if c.colspan > 1 {
                    let _ = write!(html, " colspan=\"{}\"", c.colspan);
                }
                if c.rowspan > 1 {
                    let _ = write!(html, " rowspan=\"{}\"", c.rowspan);
                }
                let _ = write!(html, ">{}</{tag}>", c.html);
            }
            html.push_str("</tr>");
        }
        if rows.len() == header_rows && header_rows > 0 {
            html.push_str("</thead>");
        } else if !rows.is_empty() {
            html.push_str("</tbody>");
        }
        html.push_str("</table>");
        html
    }

    /// A cell's paragraphs (one alone is written without its `<p>`) and nested tables.
    fn cell_content(&mut self, tc: Node<'_, '_>) -> String {
        let blocks = self.body(tc);
        match blocks.as_slice() {
            [one] if one.html.starts_with("<p>") && one.html.ends_with("</p>") => {
                one.html["<p>".len()..one.html.len() - "</p>".len()].to_string()
            }
            _ => blocks.iter().map(|b| b.html.as_str()).collect(),
        }
    }
}

/// The `(numId, level)` of a `w:numPr`.
pub fn num_pr(num_pr: Node<'_, '_>) -> Option<(String, u8)> {
    let num = attr(child(num_pr, "numId")?, "val")?;
    let level = child(num_pr, "ilvl").and_then(|l| attr(l, "val")).and_then(|v| v.parse::<u8>().ok()).unwrap_or(0);
    Some((num.to_string(), level.min(8)))
}

/// The block-level children of a body or cell, looking through content controls.
fn block_nodes<'a, 'i>(parent: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
    let mut out = Vec::new();
    for c in parent.children().filter(Node::is_element) {
        match c.tag_name().name() {
            "p" | "tbl" => out.push(c),
            "sdt" => {
                if let Some(content) = child(c, "sdtContent") {
                    out.extend(block_nodes(content));
                }
            }
            "customXml" | "ins" => out.extend(block_nodes(c)),
            _ => {}
        }
    }
    out
}

/// Alignment and indents of a paragraph, as the CSS `richtext` keeps.
fn paragraph_style(ppr: Node<'_, '_>) -> String {
    let mut style = Vec::new();
    if let Some(jc) = child(ppr, "jc").and_then(|j| attr(j, "val")) {
        let align = match jc {
            "center" => Some("center"),
            "right" | "end" => Some("right"),
            "both" | "distribute" => Some("justify"),
            _ => None,
        };
        if let Some(a) = align {
            style.push(format!("text-align: {a}"));
        }
    }
    if let Some(ind) = child(ppr, "ind") {
        let number = |name: &str| attr(ind, name).and_then(|v| v.parse::<i64>().ok()).filter(|v| *v > 0);
        // Hundredths of a character, or twentieths of a point.
        if let Some(chars) = number("firstLineChars") {
            style.push(format!("text-indent: {}em", trim_number(chars as f64 / 100.0)));
        } else if let Some(twips) = number("firstLine") {
            style.push(format!("text-indent: {}pt", trim_number(twips as f64 / 20.0)));
        }
        if let Some(chars) = number("leftChars").or_else(|| number("startChars")) {
            style.push(format!("margin-left: {}em", trim_number(chars as f64 / 100.0)));
        } else if let Some(twips) = number("left").or_else(|| number("start")) {
            if attr(ind, "hanging").is_none() {
                style.push(format!("margin-left: {}pt", trim_number(twips as f64 / 20.0)));
            }
        }
    }
    style.join("; ")
}

fn trim_number(n: f64) -> String {
    let s = format!("{n:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The package part a relationship of `word/document.xml` points at.
pub fn part_name(target: &str) -> String {
    match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => crate::content::relative_path("word/document.xml", target),
    }
}

/// Lists written as they come: items at deeper levels open a list inside the item above.
#[derive(Default)]
struct ListWriter {
    html: String,
    text: String,
    /// Open lists, innermost last: ordered or not.
    stack: Vec<bool>,
}

impl ListWriter {
    fn item(&mut self, level: u8, ordered: bool, inner: &str, text: &str) {
        let depth = usize::from(level) + 1;
        while self.stack.len() > depth {
            self.close_one();
        }
        if self.stack.len() == depth {
            self.html.push_str("</li>");
            if self.stack.last() != Some(&ordered) {
                let was = self.stack.pop().unwrap_or(true);
                self.html.push_str(if was { "</ol>" } else { "</ul>" });
            }
        }
        while self.stack.len() < depth {
            self.html.push_str(if ordered { "<ol>" } else { "<ul>" });
            self.stack.push(ordered);
        }
        self.html.push_str("<li>");
        self.html.push_str(inner);
        self.text.push_str(text);
        self.text.push(' ');
    }

    fn close_one(&mut self) {
        if let Some(ordered) = self.stack.pop() {
            self.html.push_str("</li>");
            self.html.push_str(if ordered { "</ol>" } else { "</ul>" });
        }
    }

    fn finish(&mut self) -> Option<Block> {
        if self.stack.is_empty() {
            return None;
        }
        while !self.stack.is_empty() {
            self.close_one();
        }
        Some(Block {
            html: std::mem::take(&mut self.html),
            text: std::mem::take(&mut self.text),
            kind: BlockKind::Other,
        })
    }
}
