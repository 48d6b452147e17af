//! Hostile pages: each is refused with its reason, from the header where the header is the
//! problem (so nothing big is ever allocated).

use super::*;

/// A PNG chunk with its CRC.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

/// A PNG whose header declares `w` × `h` (`color` type, `depth` bits), with a tiny IDAT: the
/// shape of a decompression bomb, whose data would inflate to the declared size.
fn png_header(w: u32, h: u32, depth: u8, color: u8) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[depth, color, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    // zlib of a few zero bytes: a bomb's data is a long run of these.
    out.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x60, 0x18, 0x05, 0x00, 0x00, 0x00, 0x00],
    ));
    out.extend(chunk(b"IEND", &[]));
    out
}

fn real_png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8, y as u8, 90, 200]));
    let mut out = Vec::new();
    DynamicImage::ImageRgba8(img)
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn real_jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 40]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut out)
        .encode_image(&img)
        .unwrap();
    out
}

/// `jpeg` with its frame header (SOF0) saying `w` × `h`.
fn jpeg_claiming(mut jpeg: Vec<u8>, w: u16, h: u16) -> Vec<u8> {
    let sof = jpeg
        .windows(2)
        .position(|p| p == [0xFF, 0xC0])
        .expect("SOF0");
    jpeg[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    jpeg
}

fn too_large(r: Result<Vec<u8>, DecodeError>) -> String {
    match r {
        Err(DecodeError::TooLarge(why)) => why,
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn a_page_becomes_a_small_jpeg_thumbnail() {
    let thumb = thumbnail(&real_png(600, 900)).unwrap();
    let back = image::load_from_memory(&thumb).unwrap();
    assert_eq!(
        image::guess_format(&thumb).unwrap(),
        image::ImageFormat::Jpeg
    );
    assert_eq!((back.width(), back.height()), (THUMB_WIDTH, THUMB_HEIGHT));
    // A page smaller than a thumbnail is not enlarged.
    let small = image::load_from_memory(&thumbnail(&real_jpeg(40, 60)).unwrap()).unwrap();
    assert_eq!((small.width(), small.height()), (40, 60));
}

#[test]
fn a_30000_by_30000_png_header_is_refused_from_the_header() {
    let header = png_header(30_000, 30_000, 8, 6);
    assert!(header.len() < 100);
    too_large(thumbnail(&header));
}

#[test]
fn png_bombs_are_refused_by_pixels_and_by_decoded_bytes() {
    // Within the side limit, over the pixel limit (64 megapixels of grey).
    let why = too_large(thumbnail(&png_header(8_000, 8_000, 8, 0)));
    assert!(why.contains("pixels"), "{why}");
    // Within the pixel limit, but 16-bit RGBA would need 288 MB decoded.
    let why = too_large(thumbnail(&png_header(6_000, 6_000, 16, 6)));
    assert!(why.contains("bytes"), "{why}");
}

#[test]
fn jpeg_bombs_are_refused_from_the_frame_header() {
    let small = real_jpeg(16, 16);
    too_large(thumbnail(&jpeg_claiming(small.clone(), 60_000, 60_000)));
    let why = too_large(thumbnail(&jpeg_claiming(small, 8_000, 8_000)));
    assert!(why.contains("pixels"), "{why}");
}

#[test]
fn a_text_file_named_like_a_page_is_not_an_image() {
    assert_eq!(
        thumbnail(b"This is not a picture, whatever its name says.\n"),
        Err(DecodeError::NotAnImage)
    );
    assert_eq!(thumbnail(b""), Err(DecodeError::NotAnImage));
    // A format that is recognised but not built in (BMP) is not read either.
    assert_eq!(
        thumbnail(b"BM\0\0\0\0\0\0\0\0\0\0\0\0\0\0"),
        Err(DecodeError::NotAnImage)
    );
}

#[test]
fn a_truncated_image_is_broken() {
    let png = real_png(200, 300);
    assert!(matches!(
        thumbnail(&png[..png.len() / 2]),
        Err(DecodeError::Broken(_))
    ));
    let jpeg = real_jpeg(200, 300);
    // zune-jpeg fills a cut-off scan with grey rather than failing; either way no panic and no
    // thumbnail larger than the declared image.
    match thumbnail(&jpeg[..jpeg.len() / 3]) {
        Ok(t) => assert!(image::load_from_memory(&t).unwrap().width() <= 200),
        Err(e) => assert!(matches!(e, DecodeError::Broken(_)), "{e}"),
    }
}
