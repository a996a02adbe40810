//! 扫一扫在手机打开: every article page carries a QR code that a phone reads as the page's own
//! address; the code is drawn once and kept, and drawn again when the address changes.

use base64::Engine;
use sqlx::Row;
use zhanqun::publish::page_code::draw;
use zhanqun::publish::NginxOptions;
use zhanqun::store::import::import_dir;

use crate::common::{databases, open, temp_project, write_md};

/// What a phone reads from a page's code: the PNG decoded, set in its quiet zone as the page
/// pads it, each module enlarged to several pixels as on a screen, and scanned.
fn scan(png_base64: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD.decode(png_base64).expect("base64");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png data");
    // The page's padding is the quiet zone: 4 light modules around the image.
    let (w, h, scale, quiet) = (info.width as usize, info.height as usize, 4, 4);
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale((w + 2 * quiet) * scale, (h + 2 * quiet) * scale, |x, y| {
            let (mx, my) = ((x / scale).wrapping_sub(quiet), (y / scale).wrapping_sub(quiet));
            if mx < w && my < h {
                buf[my * info.line_size + mx]
            } else {
                255
            }
        });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one code in the image");
    grids[0].decode().expect("the code decodes").1
}

/// The base64 PNG of the page's code, or None when the page has none.
fn page_code(html: &str) -> Option<String> {
    let rest = html.split_once("class=\"zq-qr\"")?.1;
    let src = rest.split_once("src=\"data:image/png;base64,")?.1;
    Some(src.split_once('"')?.0.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_article_page_carries_the_code_of_its_own_address() {
    let tmp = temp_project();
    for (backend, url) in databases(tmp.path()) {
        let project = open(tmp.path(), &url).await;
        let src = tmp.path().join(format!("src-{backend}"));
        write_md(&src, "a.md", "title: 关于开展营商环境评价的通知\ncolumn: tzgg\ndate: 2026-11-02 09:00\n", "正文。\n");
        write_md(&src, "b.md", "title: 市发展改革委召开专题会议\ncolumn: gzdt\ndate: 2026-11-03 10:00\n", "正文。\n");
        let fgw = project.group().site("fgw").unwrap().clone();
        let r =
            import_dir(&project.store, crate::common::whole_group(), &fgw, &src, None, "operator:test").await.unwrap();
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let pool = project.store.pool().clone();
        let id_of = |key: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query("SELECT id FROM articles WHERE source_key = $1")
                    .bind(key)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
                    .get::<i64, _>(0)
            }
        };
        let (a, b) = (id_of("a.md").await, id_of("b.md").await);
        let mut opts = project.build_options(vec!["fgw".into()], false, Some(NginxOptions::default()));
        opts.out = tmp.path().join(format!("publish-{backend}"));
        let root = opts.out.join(&fgw.host);
        let page_a = root.join(format!("tzgg/202611/t20261102_{a}.html"));
        let url_a = format!("https://{}/tzgg/202611/t20261102_{a}.html", fgw.host);
        let url_b = format!("https://{}/gzdt/202611/t20261103_{b}.html", fgw.host);

        // The first build draws each code and keeps it with its address.
        project.build(&opts).await.unwrap();
        let html = std::fs::read_to_string(&page_a).unwrap();
        assert!(html.contains("扫一扫"), "{backend}: the code has its caption");
        let shown = page_code(&html).expect("the article page shows a code");
        assert_eq!(scan(&shown), url_a, "{backend}: the code opens the page itself");
        let kept = |id: i64| {
            let pool = pool.clone();
            async move {
                let r = sqlx::query("SELECT url, png FROM page_codes WHERE article_id = $1")
                    .bind(id)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                (r.get::<String, _>("url"), r.get::<String, _>("png"))
            }
        };
        assert_eq!(kept(a).await, (url_a.clone(), shown.clone()), "{backend}");
        assert_eq!(kept(b).await.0, url_b, "{backend}");

        // The next build reads the kept code instead of drawing it: a kept code that differs
        // from what drawing would give shows up on the page.
        let marker = draw("https://www.shili.gov.cn/marker.html").unwrap();
        sqlx::query("UPDATE page_codes SET png = $1 WHERE article_id = $2")
            .bind(&marker)
            .bind(a)
            .execute(&pool)
            .await
            .unwrap();
        project.build(&opts).await.unwrap();
        assert_eq!(page_code(&std::fs::read_to_string(&page_a).unwrap()).as_deref(), Some(marker.as_str()));

        // A code kept for an earlier address (the site's domain or the column changed) is drawn
        // again for the new one, and kept in its place.
        sqlx::query("UPDATE page_codes SET url = 'https://old.shili.gov.cn/tzgg/1.html' WHERE article_id = $1")
            .bind(a)
            .execute(&pool)
            .await
            .unwrap();
        project.build(&opts).await.unwrap();
        let shown = page_code(&std::fs::read_to_string(&page_a).unwrap()).unwrap();
        assert_eq!(scan(&shown), url_a, "{backend}");
        assert_eq!(kept(a).await, (url_a.clone(), shown), "{backend}");

        // Only article pages carry one: the home page and lists do not.
        let home = std::fs::read_to_string(root.join("index.html")).unwrap();
        assert!(page_code(&home).is_none(), "{backend}");
        project.store.close().await;
    }
}
