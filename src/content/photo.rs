//! Photos as a web page needs them. A camera's 4,000-pixel photo is 5 MB that every reader
//! on a phone downloads to see it 400 pixels wide; one wider than `MAX_WIDTH` is scaled down
//! on upload (turned upright first, as the camera recorded), and re-encoding drops its
//! metadata, GPS position included. The editor may keep the original instead. GIFs are left
//! as they are (they may move); an image too large to decode safely is refused by its header.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// Wider photos are scaled down to this width.
pub const MAX_WIDTH: u32 = 1600;
/// Images wider or taller than this are refused: decoding one would take gigabytes.
pub const MAX_SIDE: u32 = 12_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the image is {width}×{height} pixels; images may be at most {MAX_SIDE} pixels on a side")]
    Huge { width: u32, height: u32 },
    #[error("the image cannot be decoded ({0}); save it again as JPEG or PNG")]
    Broken(String),
}

impl PhotoError {
    pub fn zh(&self) -> String {
        match self {
            PhotoError::Huge { width, height } => {
                format!("图片为 {width}×{height} 像素，超过每边 {MAX_SIDE} 像素的上限，请缩小后再上传")
            }
            PhotoError::Broken(_) => "图片已损坏，无法读取，请重新导出为 JPG 或 PNG 后再上传".into(),
        }
    }
}

/// Width and height read from the image's header, without decoding it.
pub fn size(data: &[u8]) -> Option<(u32, u32)> {
    let be32 = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    if data.starts_with(b"\x89PNG") && data.len() >= 24 {
        return Some((be32(&data[16..20]), be32(&data[20..24])));
    }
    if data.starts_with(b"GIF8") && data.len() >= 10 {
        return Some((
            u32::from(u16::from_le_bytes([data[6], data[7]])),
            u32::from(u16::from_le_bytes([data[8], data[9]])),
        ));
    }
    if data.starts_with(&[0xFF, 0xD8]) {
        // Walk the JPEG segments to the first start-of-frame.
        let mut i = 2;
        while i + 9 < data.len() {
            if data[i] != 0xFF {
                i += 1;
                continue;
            }
            let marker = data[i + 1];
            let len = usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
            if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
                let h = u32::from(u16::from_be_bytes([data[i + 5], data[i + 6]]));
                let w = u32::from(u16::from_be_bytes([data[i + 7], data[i + 8]]));
                return Some((w, h));
            }
            i += 2 + len;
        }
    }
    None
}

/// Refuses an image whose header says it is too large to decode.
pub fn check_size(data: &[u8]) -> Result<(), PhotoError> {
    match size(data) {
        Some((width, height)) if width > MAX_SIDE || height > MAX_SIDE => Err(PhotoError::Huge { width, height }),
        _ => Ok(()),
    }
}

/// The image as it should be stored: unchanged when it is a GIF, not a photo format, or at
/// most `MAX_WIDTH` wide; otherwise upright, `MAX_WIDTH` wide, in its own format.
pub fn fit_for_web(data: Vec<u8>) -> Result<Vec<u8>, PhotoError> {
    check_size(&data)?;
    let format = if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        ImageFormat::Jpeg
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        ImageFormat::Png
    } else {
        return Ok(data);
    };
    if size(&data).is_some_and(|(w, _)| w <= MAX_WIDTH) {
        return Ok(data);
    }
    let broken = |e: image::ImageError| PhotoError::Broken(e.to_string());
    let mut reader = ImageReader::with_format(Cursor::new(&data), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(1 << 30);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(broken)?;
    let orientation = decoder.orientation().map_err(broken)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(broken)?;
    img.apply_orientation(orientation);
    if img.width() <= MAX_WIDTH {
        return Ok(data); // wide only before it was turned upright
    }
    let height = (u64::from(img.height()) * u64::from(MAX_WIDTH) / u64::from(img.width())).max(1) as u32;
    let small = img.resize_exact(MAX_WIDTH, height, image::imageops::FilterType::Triangle);
    let mut out = Cursor::new(Vec::new());
    match format {
        ImageFormat::Jpeg => {
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
            small.into_rgb8().write_with_encoder(encoder).map_err(broken)?;
        }
        _ => small.write_to(&mut out, ImageFormat::Png).map_err(broken)?,
    }
    Ok(out.into_inner())
}

/// The header of a PNG that claims `width`×`height` and holds nothing: what a decompression
/// bomb looks like before it is decoded.
#[cfg(test)]
pub(crate) fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    png.extend_from_slice(&width.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    png
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img).write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn wide_photos_are_scaled_down_and_small_ones_left_alone() {
        let big = photo(2400, 1200, ImageFormat::Jpeg);
        let fitted = fit_for_web(big.clone()).unwrap();
        assert_eq!(size(&fitted), Some((1600, 800)));
        assert!(fitted.starts_with(&[0xFF, 0xD8, 0xFF]), "still a JPEG");
        let png = fit_for_web(photo(2000, 100, ImageFormat::Png)).unwrap();
        assert_eq!(size(&png), Some((1600, 80)));
        let small = photo(800, 600, ImageFormat::Png);
        assert_eq!(fit_for_web(small.clone()).unwrap(), small, "unchanged, byte for byte");
        assert_eq!(size(&big), Some((2400, 1200)), "the header is read without decoding");
    }

    #[test]
    fn huge_and_broken_images_are_refused() {
        let png = png_header(50_000, 40_000);
        let e = fit_for_web(png).unwrap_err();
        assert_eq!(e, PhotoError::Huge { width: 50_000, height: 40_000 });
        assert!(e.zh().contains("50000×40000"));
        let mut truncated = photo(2400, 1200, ImageFormat::Jpeg);
        truncated.truncate(600);
        assert!(matches!(fit_for_web(truncated), Err(PhotoError::Broken(_)) | Ok(_)), "never a panic");
    }
}
