//! The fixtures are real .docx packages (tests/fixtures/docx, made by make.py there); the
//! hostile files are built here, byte by byte.

use std::io::Write;

use super::*;
use crate::content::markdown;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docx").join(name)).unwrap()
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in parts {
            z.start_file(*name, opts).unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap();
    }
    out.into_inner()
}

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;

fn document(body: &str) -> String {
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>"#)
}

#[test]
fn a_notice_keeps_title_list_merged_cells_image_and_signature() {
    let doc = convert(fixture("notice.docx")).unwrap();
    assert_eq!(doc.title.as_deref(), Some("关于做好2026年春节期间值班工作的通知"), "the centred bold first line");
    assert_eq!(doc.images.len(), 1);
    assert_eq!(doc.images[0].alt.as_deref(), Some("值班室现场照片"));
    assert_eq!(doc.images[0].name, "图1.png");
    let body = doc.body_with(&["/files/ab/abc.png".to_string()]);
    let html = markdown::render(&body);
    assert!(!html.contains("关于做好2026年春节期间值班工作的通知"), "the title leaves the body: {html}");
    assert!(html.contains("<p>各科室、各直属单位：</p>"), "{html}");
    assert!(html.contains("<p style=\"text-indent: 32pt\">为做好春节期间值班工作"), "{html}");
    assert!(html.contains("<ol><li>值班人员须保持通讯畅通。</li><li>遇有突发事件及时报告。</li></ol>"), "{html}");
    assert!(html.contains("<td colspan=\"3\">值班安排</td>"), "{html}");
    assert!(html.contains("<td rowspan=\"2\">李四</td><td rowspan=\"2\">8100002</td>"), "{html}");
    assert!(html.contains("<tr><td>2月12日</td></tr>"), "the merged-away cells are gone: {html}");
    assert!(
        html.contains("<p style=\"text-align: center\"><img src=\"/files/ab/abc.png\" alt=\"值班室现场照片\"></p>"),
        "{html}"
    );
    assert!(html.contains("<p style=\"text-align: right\">示例市发展和改革委员会<br>2026年1月20日</p>"), "{html}");
    assert_eq!(doc.created.as_deref(), Some("2013-12-23 23:15:00"));
}

#[test]
fn a_report_keeps_headings_runs_bullets_links_and_character_indents() {
    let doc = convert(fixture("report.docx")).unwrap();
    assert_eq!(doc.title.as_deref(), Some("2026年一季度重点项目推进情况"), "the title property");
    let html = markdown::render(&doc.body_with(&[]));
    assert!(html.starts_with("<h2>一、总体情况</h2>"), "heading 1 is the body's h2: {html}");
    assert!(
        html.contains(
            "<p style=\"text-indent: 2em\">一季度全市<strong>新开工项目42个</strong>，完成投资<em>86.5亿元</em>。</p>"
        ),
        "{html}"
    );
    assert!(html.contains("<ul><li>部分项目用地手续办理滞后；</li><li>个别项目资金到位率偏低。</li></ul>"), "{html}");
    assert!(html.contains("<h3>（一）下一步工作</h3>"), "{html}");
    assert!(
        html.contains("<a href=\"https://www.gov.cn/zhengce/\" rel=\"noopener noreferrer\">中国政府网政策栏目</a>"),
        "{html}"
    );
}

#[test]
fn an_image_without_alt_text_says_so_and_can_be_given_one() {
    let mut doc = convert(fixture("no_alt.docx")).unwrap();
    assert_eq!(doc.title.as_deref(), Some("项目现场图片"), "the first heading");
    assert_eq!(doc.images[0].alt, None);
    doc.fill_missing_alt(|n| format!("“项目现场图片”附图{n}"));
    assert_eq!(doc.images[0].alt.as_deref(), Some("“项目现场图片”附图1"));
    let html = markdown::render(&doc.body_with(&["/files/x.png".into()]));
    assert!(html.contains("<img src=\"/files/x.png\" alt=\"“项目现场图片”附图1\">"), "{html}");
}

#[test]
fn nested_lists_and_text_that_looks_like_markup() {
    let body = r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>一</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>一之一</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>二</w:t></w:r></w:p>
<w:p><w:r><w:t>&lt;script&gt;alert(1)&lt;/script&gt;</w:t></w:r><w:hyperlink r:id="rId9"><w:r><w:t>链接</w:t></w:r></w:hyperlink><w:del><w:r><w:delText>删掉的</w:delText></w:r></w:del></w:p>"#;
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="javascript:alert(2)" TargetMode="External"/></Relationships>"#;
    let file =
        zip_of(&[("word/document.xml", document(body).as_bytes()), ("word/_rels/document.xml.rels", rels.as_bytes())]);
    let html = markdown::render(&convert(file).unwrap().body_with(&[]));
    assert!(html.contains("<ol><li>一<ol><li>一之一</li></ol></li><li>二</li></ol>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "text stays text: {html}");
    assert!(!html.contains("javascript") && !html.contains("<script"), "{html}");
    assert!(!html.contains("删掉的"), "tracked deletions are not text: {html}");
}

#[test]
fn hostile_and_broken_files_are_refused_with_what_to_do() {
    assert_eq!(convert(b"just text, renamed to .docx".to_vec()).unwrap_err(), DocxError::NotZip);
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend_from_slice(&[0; 512]);
    let e = convert(ole).unwrap_err();
    assert_eq!(e, DocxError::OldFormat);
    assert!(e.zh().contains("另存为"), "{}", e.zh());
    let e = convert(zip_of(&[("xl/workbook.xml", b"<workbook/>")])).unwrap_err();
    assert_eq!(e, DocxError::Missing("word/document.xml"));
    assert!(e.zh().contains("Excel"));
    // 40 MB of one character packs into ~40 KB.
    let bomb = vec![b' '; 40 << 20];
    let e = convert(zip_of(&[("word/document.xml", &bomb)])).unwrap_err();
    assert!(matches!(e, DocxError::PartTooLarge { .. }), "{e:?}");
    assert!(e.zh().contains("恶意压缩"), "{}", e.zh());
    let entities = r#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><w:document xmlns:w="x"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"#;
    let e = convert(zip_of(&[("word/document.xml", entities.as_bytes())])).unwrap_err();
    assert!(matches!(e, DocxError::Xml { .. }), "no DTD is read: {e:?}");
    let e = convert(zip_of(&[("word/document.xml", b"<w:document><w:body><w:p>")])).unwrap_err();
    assert!(matches!(e, DocxError::Xml { .. }), "{e:?}");
    assert!(e.zh().contains("重新保存"));
}

#[test]
fn an_image_too_large_to_decode_is_refused_by_its_header() {
    let png = crate::content::photo::png_header(50_000, 40_000);
    let body = r#"<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><wp:docPr id="1" name="p" descr="大图"/><a:blip xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" r:embed="rId1"/></wp:inline></w:drawing></w:r></w:p>"#;
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/big.png"/></Relationships>"#;
    let file = zip_of(&[
        ("word/document.xml", document(body).as_bytes()),
        ("word/_rels/document.xml.rels", rels.as_bytes()),
        ("word/media/big.png", &png),
    ]);
    let e = convert(file).unwrap_err();
    assert_eq!(e, DocxError::HugeImage { n: 1, width: 50_000, height: 40_000 });
    assert!(e.zh().contains("第 1 张图片"), "{}", e.zh());
    assert_eq!(crate::content::photo::size(&png), Some((50_000, 40_000)));
}
