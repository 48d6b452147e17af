//! A realistic sample library: series folders, valid .cbz archives with small generated PNG pages,
//! some with ComicInfo.xml, and the messy file names real libraries have.

use std::io::Write;
use std::path::Path;

/// `(folder, file name, pages, ComicInfo.xml number if the archive carries one)`.
const DEMO_FILES: &[(&str, &str, usize, Option<&str>)] = &[
    ("Batman", "Batman ch 12.cbz", 3, None),
    ("Batman", "Batman ch 13.cbz", 3, None),
    ("Batman", "batman CH 14 (2016) (digital).cbz", 2, None),
    ("Saga", "Saga #003 (2012).cbz", 4, Some("3")),
    ("Saga", "Saga #004 (2012).cbz", 3, None),
    ("Spider-Man", "spider man chapter 7.5.cbz", 2, None),
    ("Spider-Man", "spider man chapter 8.cbz", 2, None),
    ("Batman_ Year One", "Batman Year One 001.cbz", 3, Some("1")),
    ("Batman_ Year One", "Batman Year One 002.cbz", 3, None),
    ("One Piece", "One Piece v01 c001 [Scans].cbz", 4, None),
    ("One Piece", "One_Piece_Issue_2.cbz", 3, None),
    (
        "The Walking Dead",
        "TWD No. 48 (2008) (digital).cbz",
        2,
        Some("48"),
    ),
    ("Invincible", "Invincible - Chapter 0005.cbz", 2, None),
    ("Invincible", "invincible 006.CBZ", 2, None),
];

/// Writes the sample library into `dir`; files already there are left alone. Returns how many
/// comics the library holds afterwards.
pub fn write_demo_library(dir: &Path) -> std::io::Result<usize> {
    for (i, (folder, name, pages, number)) in DEMO_FILES.iter().enumerate() {
        let folder_path = dir.join(folder);
        std::fs::create_dir_all(&folder_path)?;
        let path = folder_path.join(name);
        if path.exists() {
            continue;
        }
        let series = folder.replace("_ ", ": ");
        let info = number.map(|n| comic_info(&series, n));
        let bytes = build_cbz(*pages, i as u8, info.as_deref())?;
        std::fs::write(&path, bytes)?;
    }
    Ok(DEMO_FILES.len())
}

fn comic_info(series: &str, number: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ComicInfo xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n  <Series>{series}</Series>\n  <Number>{number}</Number>\n  <Publisher>Demo Comics</Publisher>\n  <Year>2012</Year>\n  <Summary>A sample issue written by longbox demo-library.</Summary>\n</ComicInfo>\n"
    )
}

/// A .cbz with `pages` PNG pages (stored, as comic archives usually are) and an optional
/// ComicInfo.xml.
pub fn build_cbz(pages: usize, seed: u8, comic_info: Option<&str>) -> std::io::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for page in 0..pages {
        zip.start_file(format!("{:03}.png", page + 1), stored)
            .map_err(std::io::Error::other)?;
        zip.write_all(&png(
            48,
            72,
            seed.wrapping_mul(37).wrapping_add(page as u8 * 50),
        ))?;
    }
    if let Some(xml) = comic_info {
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("ComicInfo.xml", deflated)
            .map_err(std::io::Error::other)?;
        zip.write_all(xml.as_bytes())?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

/// A .cbz of `pages` stored pages of `page_bytes` pseudo-random (incompressible) bytes, like
/// scanned JPEGs as far as size and zip handling go; for benchmarks and crash tests.
pub fn build_noise_cbz(pages: usize, page_bytes: usize, seed: u64) -> std::io::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut x = seed | 1;
    for page in 0..pages {
        zip.start_file(format!("{:03}.jpg", page + 1), stored)
            .map_err(std::io::Error::other)?;
        let data: Vec<u8> = (0..page_bytes)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        zip.write_all(&data)?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

/// A small RGB PNG with a diagonal colour pattern, zlib-stored (no compression needed).
pub fn png(width: u32, height: u32, hue: u8) -> Vec<u8> {
    let mut raw = Vec::with_capacity(((width * 3 + 1) * height) as usize);
    for y in 0..height {
        raw.push(0); // filter: none
        for x in 0..width {
            let band = ((x + y) / 8) as u8;
            raw.extend_from_slice(&[
                hue.wrapping_add(band.wrapping_mul(20)),
                128u8.wrapping_add(band.wrapping_mul(7)),
                255 - hue,
            ]);
        }
    }
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// zlib framing around stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in data {
        a = (a + u32::from(*byte)) % 65521;
        b = (b + a) % 65521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}
