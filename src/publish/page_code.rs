//! 扫一扫在手机打开: the QR code of an article's public address, as a small 1-bit PNG that the
//! page carries inline (the public sites' CSP allows `data:` images).
//!
//! Choosing the mask pattern as the standard asks costs about 0.3 ms a code, more than the
//! rest of a page's render, so a code is drawn once per address: the database keeps it beside
//! the article (`page_codes`), a build reads it back and draws only the codes whose address is
//! new or changed (`SiteRenderer::take_new_codes`).

use base64::Engine;
use qrcodegen::{QrCode, QrCodeEcc};

pub use crate::store::page_codes::NewCode;

/// The QR code of `url` as a base64 PNG, one pixel per module; None when the address is too
/// long for any QR version (some 2,300 characters), where the page shows no code.
///
/// The image holds the modules only: every page carries one, so the quiet zone the standard
/// asks for (4 light modules) is the stylesheet's white padding, not 80 more bytes a page.
pub fn draw(url: &str) -> Option<String> {
    // At least level M, which survives a scuffed print or a glare on a screen (qrcodegen
    // raises it when the version has room); an article's address fits version 4 (33 modules).
    let code = QrCode::encode_text(url, QrCodeEcc::Medium).ok()?;
    let side = code.size();
    let row_bytes = (side as usize).div_ceil(8);
    // 1-bit grey: 1 is light.
    let mut pixels = vec![0u8; row_bytes * side as usize];
    for y in 0..side {
        for x in 0..side {
            if !code.get_module(x, y) {
                pixels[y as usize * row_bytes + x as usize / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    let mut out = Vec::with_capacity(280);
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    // Row filters only cost bytes on a 1-bit image of noise-like modules (measured: 440 base64
    // characters with the adaptive filter, 408 without, for a code with its quiet zone).
    encoder.set_filter(png::Filter::NoFilter);
    encoder.set_compression(png::Compression::Balanced);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(&pixels).ok()?;
    writer.finish().ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(out))
}

/// Keeps the codes a render drew. They are derived data: a failure only means drawing them
/// again at the next build, so it is logged, not raised.
pub async fn keep(store: &crate::store::Store, codes: Vec<NewCode>) {
    if codes.is_empty() {
        return;
    }
    if let Err(e) = store.keep_page_codes(&codes).await {
        tracing::warn!(error = %e, codes = codes.len(), "could not keep the QR codes drawn; the next build draws them again");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pixels of a drawn code, one byte per module (0 dark, 255 light), and its side.
    fn pixels(png_base64: &str) -> (Vec<u8>, usize) {
        let bytes = base64::engine::general_purpose::STANDARD.decode(png_base64).unwrap();
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.width, info.height);
        let side = info.width as usize;
        let grid = (0..side * side).map(|i| buf[(i / side) * info.line_size + i % side]).collect();
        (grid, side)
    }

    #[test]
    fn an_article_address_is_a_small_image_of_its_modules() {
        // Reading the codes back as a phone does is tested on published pages (tests/it).
        let url = "https://www.shili.gov.cn/zwgk/zcwj/202611/t20261127_1234567.html";
        let png = draw(url).unwrap();
        assert!(png.len() < 400, "{} base64 characters", png.len());
        let (grid, side) = pixels(&png);
        let code = QrCode::encode_text(url, QrCodeEcc::Medium).unwrap();
        assert_eq!(side as i32, code.size());
        for y in 0..side {
            for x in 0..side {
                assert_eq!(grid[y * side + x] == 0, code.get_module(x as i32, y as i32), "module ({x}, {y})");
            }
        }
        assert_eq!(draw(url), Some(png), "the same address gives the same image");
    }

    #[test]
    fn an_address_too_long_for_any_version_has_no_code() {
        assert!(draw(&format!("https://www.shili.gov.cn/{}", "a".repeat(4000))).is_none());
    }
}
