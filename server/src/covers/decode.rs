//! Decoding a page within limits and shrinking it to a thumbnail.
//!
//! Pages come from archives anyone may have made, so the image's header is read first and
//! checked (format, width, height, pixels, bytes the decoded image needs) before a single pixel
//! is decoded: a 30,000 × 30,000 PNG header or a small file that would inflate to gigabytes is
//! refused from its first bytes. The `image` crate is built with only the PNG, JPEG, GIF and
//! WebP decoders; anything else is "not an image Longbox reads".

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use std::io::Cursor;

/// Widest or tallest page decoded, in pixels.
pub const MAX_SIDE: u32 = 16_384;

/// Most pixels a page may have (about a 600 dpi scan of a comic page).
pub const MAX_PIXELS: u64 = 40_000_000;

/// Most bytes decoding may allocate (the decoded image and the decoder's buffers).
pub const MAX_DECODE_BYTES: u64 = 192 * 1024 * 1024;

/// Bounding box of a thumbnail, in pixels (comic pages are about 2:3).
pub const THUMB_WIDTH: u32 = 320;
/// See [`THUMB_WIDTH`].
pub const THUMB_HEIGHT: u32 = 480;

/// JPEG quality of thumbnails.
pub const THUMB_QUALITY: u8 = 80;

/// Why a page gave no thumbnail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not a PNG, JPEG, GIF or WebP (by its bytes, whatever its name says).
    #[error("not an image Longbox reads (PNG, JPEG, GIF or WebP)")]
    NotAnImage,
    /// The header declares an image over the limits; nothing was decoded.
    #[error("{0}")]
    TooLarge(String),
    /// The image data is broken or truncated.
    #[error("broken image: {0}")]
    Broken(String),
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

/// Decodes `bytes` within the limits.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, DecodeError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DecodeError::Broken(e.to_string()))?;
    if reader.format().is_none() {
        return Err(DecodeError::NotAnImage);
    }
    reader.limits(limits());
    // Reads the header only; the dimension limits are checked here.
    let decoder = reader.into_decoder().map_err(classify)?;
    let (w, h) = decoder.dimensions();
    let pixels = u64::from(w) * u64::from(h);
    if pixels > MAX_PIXELS {
        return Err(DecodeError::TooLarge(format!(
            "{w} × {h} pixels; the limit is {MAX_PIXELS} pixels"
        )));
    }
    if decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(DecodeError::TooLarge(format!(
            "{w} × {h} needs {} bytes decoded; the limit is {MAX_DECODE_BYTES}",
            decoder.total_bytes()
        )));
    }
    DynamicImage::from_decoder(decoder).map_err(classify)
}

fn classify(e: image::ImageError) -> DecodeError {
    match e {
        image::ImageError::Limits(l) => DecodeError::TooLarge(format!(
            "over the decoding limits ({MAX_SIDE} pixels a side, {MAX_DECODE_BYTES} bytes): {l}"
        )),
        image::ImageError::Unsupported(_) => DecodeError::NotAnImage,
        other => DecodeError::Broken(other.to_string()),
    }
}

/// A JPEG thumbnail of `bytes` (a page image), at most [`THUMB_WIDTH`] × [`THUMB_HEIGHT`].
pub fn thumbnail(bytes: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let page = decode(bytes)?;
    let small = if page.width() > THUMB_WIDTH || page.height() > THUMB_HEIGHT {
        page.thumbnail(THUMB_WIDTH, THUMB_HEIGHT)
    } else {
        page
    };
    // JPEG has no alpha: transparent pages are laid on white, as a reader shows them.
    let rgb = flatten(small);
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, THUMB_QUALITY);
    rgb.write_with_encoder(encoder)
        .map_err(|e| DecodeError::Broken(e.to_string()))?;
    Ok(out)
}

fn flatten(image: DynamicImage) -> DynamicImage {
    if !image.color().has_alpha() {
        return DynamicImage::ImageRgb8(image.into_rgb8());
    }
    let rgba = image.into_rgba8();
    let rgb = image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    });
    DynamicImage::ImageRgb8(rgb)
}

#[cfg(test)]
mod tests;
