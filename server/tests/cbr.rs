//! `.cbr` (RAR) reading and CBR → CBZ conversion: samples from the `unrar` crate, archives
//! made here (stored RAR4 and RAR5 entries, and a hand-assembled RAR5 "bomb"), hostile and
//! broken files, and a property test that mutated archives never panic.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use longbox::comic::archive::{self, ArchiveError, TempLedger};
use longbox::comic::rar::{self, Limits};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/rar");

fn sample(name: &str) -> PathBuf {
    Path::new(SAMPLES).join(name)
}

/// A temp ledger that only remembers.
#[derive(Default)]
struct Ledger(Mutex<Vec<PathBuf>>);

impl TempLedger for Ledger {
    fn record(&self, temp: &Path, _target: &Path) -> Result<(), String> {
        self.0.lock().unwrap().push(temp.to_path_buf());
        Ok(())
    }
    fn release(&self, temp: &Path) {
        self.0.lock().unwrap().retain(|t| t != temp);
    }
    fn recorded(&self) -> Vec<PathBuf> {
        self.0.lock().unwrap().clone()
    }
}

/// A ledger that, on recording, creates the conversion's target: another process winning the
/// race for the `.cbz` name between the existence check and the final rename.
struct RacingLedger(Ledger);

impl TempLedger for RacingLedger {
    fn record(&self, temp: &Path, target: &Path) -> Result<(), String> {
        std::fs::write(target, b"someone else's").unwrap();
        self.0.record(temp, target)
    }
    fn release(&self, temp: &Path) {
        self.0.release(temp)
    }
    fn recorded(&self) -> Vec<PathBuf> {
        self.0.recorded()
    }
}

/// Copies `bytes` to `<dir>/<name>`.
fn put(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The folder's file names, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Converting `cbr` fails, leaving it byte for byte as it was, no `.cbz` and no temp file.
fn assert_convert_fails_cleanly(cbr: &Path) -> ArchiveError {
    let before = std::fs::read(cbr).unwrap();
    let dir_before = files_in(cbr.parent().unwrap());
    let ledger = Ledger::default();
    let err = rar::convert_to_cbz(cbr, &ledger).expect_err("conversion should fail");
    assert_eq!(std::fs::read(cbr).unwrap(), before, "the .cbr changed");
    assert_eq!(
        files_in(cbr.parent().unwrap()),
        dir_before,
        "files were left behind"
    );
    assert!(
        ledger.recorded().is_empty(),
        "a temp file is still recorded"
    );
    err
}

/// Reading and converting `cbr` both fail with an error of the kind `kind` accepts, and the
/// failed conversion leaves everything as it was.
fn assert_both_fail(cbr: &Path, kind: fn(&ArchiveError) -> bool) {
    let read = rar::summarize(cbr).expect_err("reading should fail");
    assert!(kind(&read), "summarize: {read:?}");
    let converted = assert_convert_fails_cleanly(cbr);
    assert!(kind(&converted), "convert: {converted:?}");
}

/// Every file entry of a RAR, in order, read with the `unrar` crate directly.
fn rar_entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut arc = unrar::Archive::new(path).open_for_processing().unwrap();
    let mut out = Vec::new();
    while let Some(at) = arc.read_header().unwrap() {
        if at.entry().is_directory() {
            arc = at.skip().unwrap();
            continue;
        }
        let name = at.entry().filename.to_string_lossy().into_owned();
        let (bytes, next) = at.read().unwrap();
        out.push((name, bytes));
        arc = next;
    }
    out
}

/// Every entry of a zip, in order, with its compression method.
fn zip_entries(path: &Path) -> Vec<(String, Vec<u8>, zip::CompressionMethod)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().to_string(), bytes, entry.compression())
        })
        .collect()
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Writes RAR archives for the tests: stored (uncompressed) entries with exact headers, in the
/// RAR 4 and RAR 5 formats, following RARLAB's published format descriptions.
mod make {
    /// 2024-05-06 12:30:00 as an MS-DOS date and time.
    pub const DOS_TIME: u32 = ((44 << 9 | 5 << 5 | 6) << 16) | (12 << 11 | 30 << 5);

    fn crc(bytes: &[u8]) -> u32 {
        crc32fast::hash(bytes)
    }

    /// One entry, with the header fields tests may falsify.
    #[derive(Clone)]
    pub struct Entry {
        pub name: String,
        pub data: Vec<u8>,
        /// Unpacked size as the header states it.
        pub unpacked: u64,
        /// CRC32 of the unpacked data as the header states it.
        pub crc: u32,
        /// RAR 5: compression information; RAR 4: method byte (0x30 stored).
        pub method: u64,
        /// Extra header flags (RAR 4 `LHD_*`, RAR 5 file flags).
        pub flags: u64,
    }

    /// A stored entry with true headers.
    pub fn entry(name: &str, data: &[u8]) -> Entry {
        Entry {
            name: name.into(),
            data: data.to_vec(),
            unpacked: data.len() as u64,
            crc: crc(data),
            method: 0,
            flags: 0,
        }
    }

    fn rar4_block(kind: u8, flags: u16, body: &[u8]) -> Vec<u8> {
        let mut h = vec![kind];
        h.extend(flags.to_le_bytes());
        h.extend(((7 + body.len()) as u16).to_le_bytes());
        h.extend(body);
        let mut out = (crc(&h) as u16).to_le_bytes().to_vec();
        out.extend(h);
        out
    }

    /// A RAR 4 archive; `main_flags` are its `MHD_*` flags.
    pub fn rar4(entries: &[Entry], main_flags: u16) -> Vec<u8> {
        let mut out = b"Rar!\x1a\x07\x00".to_vec();
        out.extend(rar4_block(0x73, main_flags, &[0; 6]));
        for e in entries {
            let mut body = Vec::new();
            body.extend((e.data.len() as u32).to_le_bytes());
            body.extend((e.unpacked as u32).to_le_bytes());
            body.push(3); // Unix
            body.extend(e.crc.to_le_bytes());
            body.extend(DOS_TIME.to_le_bytes());
            body.push(29);
            body.push(if e.method == 0 { 0x30 } else { e.method as u8 });
            body.extend((e.name.len() as u16).to_le_bytes());
            body.extend(0o100644u32.to_le_bytes());
            body.extend(e.name.as_bytes());
            out.extend(rar4_block(0x74, 0x8000 | e.flags as u16, &body));
            out.extend(&e.data);
        }
        out.extend(rar4_block(0x7b, 0x4000, &[]));
        out
    }

    fn vint(mut v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                return out;
            }
            out.push(byte | 0x80);
        }
    }

    fn rar5_block(kind: u64, data_size: Option<u64>, fields: &[u8]) -> Vec<u8> {
        let mut h = vint(kind);
        h.extend(vint(if data_size.is_some() { 2 } else { 0 }));
        if let Some(size) = data_size {
            h.extend(vint(size));
        }
        h.extend(fields);
        let mut sized = vint(h.len() as u64);
        sized.extend(h);
        let mut out = crc(&sized).to_le_bytes().to_vec();
        out.extend(sized);
        out
    }

    /// A RAR 5 archive; `archive_flags` are its main header's flags (1: volume).
    pub fn rar5(entries: &[Entry], archive_flags: u64) -> Vec<u8> {
        let mut out = b"Rar!\x1a\x07\x01\x00".to_vec();
        out.extend(rar5_block(1, None, &vint(archive_flags)));
        for e in entries {
            let mut f = vint(0x0006 | e.flags); // mtime and CRC32 present
            f.extend(vint(e.unpacked));
            f.extend(vint(0o644));
            f.extend(1_714_998_600u32.to_le_bytes());
            f.extend(e.crc.to_le_bytes());
            f.extend(vint(e.method));
            f.extend(vint(1)); // Unix
            f.extend(vint(e.name.len() as u64));
            f.extend(e.name.as_bytes());
            out.extend(rar5_block(2, Some(e.data.len() as u64), &f));
            out.extend(&e.data);
        }
        out.extend(rar5_block(5, None, &vint(0)));
        out
    }

    /// MSB-first bit writer.
    struct Bits {
        bytes: Vec<u8>,
        used: u32,
    }

    impl Bits {
        fn put(&mut self, value: u32, count: u32) {
            for i in (0..count).rev() {
                if self.used.is_multiple_of(8) {
                    self.bytes.push(0);
                    self.used = 0;
                }
                let bit = ((value >> i) & 1) as u8;
                *self.bytes.last_mut().unwrap() |= bit << (7 - self.used);
                self.used += 1;
            }
        }
    }

    /// RAR 5 compressed data (one block) that unpacks to `1 + 4097 * (1 + repeats)` bytes of
    /// `A`: a literal, one longest match at distance 1, then `repeats` "repeat last match"
    /// codes of 2 bits each. Hand-assembled (a fixed bit string, not a compressor): Huffman
    /// tables with only the five symbols it uses, then those codes.
    pub fn rar5_bomb_stream(repeats: usize) -> Vec<u8> {
        let mut b = Bits {
            bytes: Vec::new(),
            used: 0,
        };
        // Bit lengths of the code-length alphabet: 1, 2, 18 → 2 bits (00, 01, 10);
        // 0, 19 → 3 bits (110, 111).
        for i in 0..20 {
            let len = match i {
                1 | 2 | 18 => 2,
                0 | 19 => 3,
                _ => 0,
            };
            b.put(len, 4);
        }
        // Main table (306): 'A', 'B', 257 (repeat last), 305 (longest length slot) → 2 bits;
        // distance table (64): slots 0 and 1 → 1 bit; the other two tables empty.
        let mut lengths = [0u8; 430];
        for s in [65, 66, 257, 305] {
            lengths[s] = 2;
        }
        lengths[306] = 1;
        lengths[307] = 1;
        let mut i = 0;
        while i < lengths.len() {
            if lengths[i] != 0 {
                b.put(lengths[i] as u32 - 1, 2); // codes of 1 and 2: 00, 01
                i += 1;
                continue;
            }
            let run = lengths[i..].iter().take_while(|&&l| l == 0).count();
            let n = if run >= 11 {
                let n = run.min(138);
                b.put(0b111, 3);
                b.put(n as u32 - 11, 7);
                n
            } else if run >= 3 {
                let n = run.min(10);
                b.put(0b10, 2);
                b.put(n as u32 - 3, 3);
                n
            } else {
                b.put(0b110, 3);
                1
            };
            i += n;
        }
        b.put(0b00, 2); // literal 'A'
        b.put(0b11, 2); // length slot 43 ...
        b.put(511, 9); // ... + 511 = 4097 bytes
        b.put(0, 1); // distance slot 0: distance 1
        for _ in 0..repeats {
            b.put(0b10, 2); // repeat the last match
        }
        let data = b.bytes;
        let size = data.len() as u32;
        let size_bytes: Vec<u8> = size.to_le_bytes().into_iter().take(3).collect();
        assert!(size < 1 << 24);
        let flags = 0x80 | 0x40 | (2 << 3) | (b.used as u8 - 1); // tables, last block, 3 size bytes
        let check = 0x5a ^ flags ^ size_bytes[0] ^ size_bytes[1] ^ size_bytes[2];
        let mut out = vec![flags, check];
        out.extend(size_bytes);
        out.extend(data);
        out
    }

    /// How many bytes [`rar5_bomb_stream`] unpacks to.
    pub fn bomb_len(repeats: usize) -> u64 {
        1 + 4097 * (1 + repeats as u64)
    }
}

/// A JPEG-ish page of `len` bytes that differs per `seed`.
fn page(seed: u8, len: usize) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xd8, 0xff, 0xe0];
    bytes.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    bytes
}

const COMIC_INFO: &str = "<?xml version=\"1.0\"?>\n<ComicInfo>\n  <Series>Saga</Series>\n  \
                          <Number>12</Number>\n</ComicInfo>\n";

/// A comic's entries: three pages, a nested folder, ComicInfo.xml and a text file.
fn comic_entries() -> Vec<make::Entry> {
    vec![
        make::entry("Saga 012/001.jpg", &page(1, 3000)),
        make::entry("Saga 012/002.png", &page(2, 2000)),
        make::entry("ComicInfo.xml", COMIC_INFO.as_bytes()),
        make::entry("Saga 012/003.webp", &page(3, 1000)),
        make::entry("release.nfo", b"scanned by nobody\n"),
    ]
}

#[test]
fn upstream_rar4_and_rar5_samples_are_summarized() {
    for (name, signature) in [
        ("version.rar", &b"Rar!\x1a\x07\x00"[..]),
        ("solid.rar", &b"Rar!\x1a\x07\x01\x00"[..]),
        ("unicode-entry.rar", &b"Rar!\x1a\x07\x01\x00"[..]),
    ] {
        assert!(
            std::fs::read(sample(name)).unwrap().starts_with(signature),
            "{name}"
        );
        let summary = rar::summarize(&sample(name)).unwrap();
        assert_eq!(summary.page_count, 0, "{name}");
        assert_eq!(summary.comic_info, None, "{name}");
        assert_eq!(summary.xml, None, "{name}");
    }
}

#[test]
fn rar4_and_rar5_comics_are_summarized() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("saga4.cbr", make::rar4(&comic_entries(), 0)),
        ("saga5.cbr", make::rar5(&comic_entries(), 0)),
    ] {
        let path = put(dir.path(), name, &bytes);
        let summary = rar::summarize(&path).unwrap();
        assert_eq!(summary.page_count, 3, "{name}");
        let fields = summary.comic_info.expect("ComicInfo.xml is read");
        assert!(
            fields.contains(&("Series".into(), "Saga".into())),
            "{fields:?}"
        );
        assert!(
            fields.contains(&("Number".into(), "12".into())),
            "{fields:?}"
        );
        assert_eq!(summary.xml.as_deref(), Some(COMIC_INFO));
    }
}

/// Converts `cbr` and checks the new `.cbz` against the RAR, both read independently here.
fn convert_and_compare(cbr: &Path) {
    let before = std::fs::read(cbr).unwrap();
    let ledger = Ledger::default();
    let cbz = rar::convert_to_cbz(cbr, &ledger).unwrap();
    assert_eq!(cbz, cbr.with_extension("cbz"));
    assert_eq!(
        std::fs::read(cbr).unwrap(),
        before,
        "the .cbr must be left as it was"
    );
    assert!(ledger.recorded().is_empty());
    let dir = files_in(cbr.parent().unwrap());
    assert!(
        !dir.iter().any(|n| n.starts_with(archive::TEMP_PREFIX)),
        "{dir:?}"
    );

    let from_rar = rar_entries(cbr);
    let from_zip = zip_entries(&cbz);
    assert_eq!(from_zip.len(), from_rar.len(), "entry count");
    for ((rar_name, rar_bytes), (zip_name, zip_bytes, method)) in from_rar.iter().zip(&from_zip) {
        assert_eq!(rar_name, zip_name, "order and names");
        assert_eq!(sha256(rar_bytes), sha256(zip_bytes), "{rar_name} differs");
        if archive::is_image(zip_name) && !zip_name.ends_with(".bmp") {
            assert_eq!(*method, zip::CompressionMethod::Stored, "{zip_name}");
        } else {
            assert_eq!(*method, zip::CompressionMethod::Deflated, "{zip_name}");
        }
    }
    let pages = from_rar
        .iter()
        .filter(|(n, _)| archive::is_image(n))
        .count();
    let summary = archive::summarize(&cbz).unwrap();
    assert_eq!(summary.page_count as usize, pages);
    assert_eq!(
        summary,
        rar::summarize(cbr).unwrap(),
        "the .cbz reads as the .cbr did"
    );
}

#[test]
fn rar4_and_rar5_comics_convert_to_identical_cbz() {
    let dir = tempfile::tempdir().unwrap();
    convert_and_compare(&put(
        dir.path(),
        "saga4.cbr",
        &make::rar4(&comic_entries(), 0),
    ));
    convert_and_compare(&put(
        dir.path(),
        "saga5.cbr",
        &make::rar5(&comic_entries(), 0),
    ));
    let cbz = zip_entries(&dir.path().join("saga5.cbz"));
    let names: Vec<&str> = cbz.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Saga 012/001.jpg",
            "Saga 012/002.png",
            "ComicInfo.xml",
            "Saga 012/003.webp",
            "release.nfo"
        ]
    );
    // A dotted name keeps its whole stem.
    convert_and_compare(&put(
        dir.path(),
        "Saga v1.5.cbr",
        &make::rar5(&comic_entries(), 0),
    ));
    assert!(dir.path().join("Saga v1.5.cbz").is_file());
}

#[test]
fn upstream_compressed_samples_convert_to_identical_cbz() {
    // version.rar: RAR 4, compressed; solid.rar: RAR 5, solid, compressed; unicode-entry.rar:
    // RAR 5, stored, non-ASCII name.
    let dir = tempfile::tempdir().unwrap();
    for name in ["version.rar", "solid.rar", "unicode-entry.rar"] {
        let path = put(dir.path(), name, &std::fs::read(sample(name)).unwrap());
        convert_and_compare(&path);
    }
}

#[test]
fn conversion_never_replaces_an_existing_cbz() {
    let dir = tempfile::tempdir().unwrap();
    let cbr = put(dir.path(), "saga.cbr", &make::rar5(&comic_entries(), 0));
    let cbz = put(dir.path(), "saga.cbz", b"the one already there");
    match assert_convert_fails_cleanly(&cbr) {
        ArchiveError::Write(msg) => assert!(msg.contains("already exists"), "{msg}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&cbz).unwrap(), b"the one already there");

    // The name taken between the check and the rename: the rename refuses, the temp goes.
    std::fs::remove_file(&cbz).unwrap();
    let ledger = RacingLedger(Ledger::default());
    let before = std::fs::read(&cbr).unwrap();
    match rar::convert_to_cbz(&cbr, &ledger) {
        Err(ArchiveError::Write(msg)) => assert!(msg.contains("already exists"), "{msg}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&cbz).unwrap(), b"someone else's");
    assert_eq!(std::fs::read(&cbr).unwrap(), before);
    assert!(ledger.recorded().is_empty());
    assert_eq!(files_in(dir.path()), ["saga.cbr", "saga.cbz"]);
}

#[test]
fn broken_rars_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let good = make::rar5(&comic_entries(), 0);
    let good4 = make::rar4(&comic_entries(), 0);
    let version = std::fs::read(sample("version.rar")).unwrap();
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("garbage", b"this is not a RAR archive at all".to_vec()),
        ("zip named cbr", b"PK\x03\x04rest of a zip".to_vec()),
        ("truncated rar5 in a page", good[..good.len() / 2].to_vec()),
        (
            "truncated rar4 in a page",
            good4[..good4.len() / 2].to_vec(),
        ),
        (
            "truncated compressed rar4",
            version[..version.len() - 20].to_vec(),
        ),
    ];
    // A flipped bit in the first file header (its CRC no longer matches).
    let mut header = good.clone();
    header[30] ^= 0x10;
    cases.push(("bad rar5 header", header));
    let mut header4 = good4.clone();
    header4[30] ^= 0x10;
    cases.push(("bad rar4 header", header4));
    // A flipped byte in a page's data: summarize reads no page, conversion fails its CRC.
    let mut data = good.clone();
    let at = data
        .windows(4)
        .position(|w| w == [0xff, 0xd8, 0xff, 0xe0])
        .unwrap()
        + 100;
    data[at] ^= 0xff;
    cases.push(("bad page data", data));
    for (i, (what, bytes)) in cases.into_iter().enumerate() {
        let path = put(dir.path(), &format!("broken{i}.cbr"), &bytes);
        let summary = rar::summarize(&path);
        eprintln!(
            "{what}: {summary:?} / {:?}",
            rar::convert_to_cbz(&path, &Ledger::default())
        );
        let _ = std::fs::remove_file(path.with_extension("cbz"));
        if what == "bad page data" {
            assert_eq!(summary.unwrap().page_count, 3);
        } else {
            assert!(
                matches!(summary, Err(ArchiveError::Unreadable(_))),
                "{what}: {summary:?}"
            );
        }
        let err = assert_convert_fails_cleanly(&path);
        assert!(
            matches!(err, ArchiveError::Unreadable(_)),
            "{what}: {err:?}"
        );
    }
    // A bare signature lists no entry: it reads as an empty archive (as an empty .cbz does),
    // and there is nothing to convert.
    let path = put(dir.path(), "bare.cbr", b"Rar!\x1a\x07\x01\x00");
    assert_eq!(rar::summarize(&path).unwrap().page_count, 0);
    assert!(matches!(
        assert_convert_fails_cleanly(&path),
        ArchiveError::Unreadable(_)
    ));
    let missing = dir.path().join("missing.cbr");
    assert!(matches!(
        rar::summarize(&missing),
        Err(ArchiveError::Unreadable(_))
    ));
    assert!(matches!(
        rar::summarize(dir.path()),
        Err(ArchiveError::Unreadable(_))
    ));
}

#[test]
fn encrypted_rars_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // crypted.rar: RAR 4, encrypted entry; comment-hpw-password.rar: RAR 5, encrypted headers.
    for name in ["crypted.rar", "comment-hpw-password.rar"] {
        let path = put(dir.path(), name, &std::fs::read(sample(name)).unwrap());
        let summary = rar::summarize(&path);
        match &summary {
            Err(ArchiveError::Refused(msg)) => assert!(msg.contains("encrypted"), "{msg}"),
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(assert_convert_fails_cleanly(&path), summary.unwrap_err());
    }
    // A made RAR 4 whose entry claims a password (LHD_PASSWORD).
    let mut entries = comic_entries();
    entries[1].flags = 0x04;
    let path = put(dir.path(), "password4.cbr", &make::rar4(&entries, 0));
    assert_both_fail(&path, |e| matches!(e, ArchiveError::Refused(_)));
}

#[test]
fn multi_volume_rars_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    // archive.part1.rar: first volume of a RAR 4 set; 100M.part00002.rar: a later RAR 5 volume.
    for name in ["archive.part1.rar", "100M.part00002.rar"] {
        paths.push(put(dir.path(), name, &std::fs::read(sample(name)).unwrap()));
    }
    paths.push(put(
        dir.path(),
        "volume5.cbr",
        &make::rar5(&comic_entries(), 1),
    ));
    paths.push(put(
        dir.path(),
        "volume4.cbr",
        &make::rar4(&comic_entries(), 0x0101),
    ));
    // Not a volume, but an entry flagged as continuing in the next one.
    let mut entries = comic_entries();
    entries[0].flags = 0x02; // LHD_SPLIT_AFTER
    paths.push(put(dir.path(), "split4.cbr", &make::rar4(&entries, 0)));
    for path in paths {
        match rar::summarize(&path) {
            Err(ArchiveError::Refused(msg)) => assert!(msg.contains("volume"), "{msg}"),
            other => panic!("{}: {other:?}", path.display()),
        }
        assert!(matches!(
            assert_convert_fails_cleanly(&path),
            ArchiveError::Refused(_)
        ));
    }
}

#[test]
fn nested_archives_and_unsafe_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut entries = comic_entries();
    entries.push(make::entry("extra/inner.cbz", b"PK"));
    let path = put(dir.path(), "nested.cbr", &make::rar5(&entries, 0));
    assert_both_fail(&path, |e| matches!(e, ArchiveError::Refused(_)));
    let mut entries = comic_entries();
    entries.push(make::entry("../../escape.jpg", &page(9, 10)));
    let path = put(dir.path(), "climb.cbr", &make::rar5(&entries, 0));
    assert!(matches!(
        assert_convert_fails_cleanly(&path),
        ArchiveError::Refused(_)
    ));
}

/// A RAR 5 entry unpacking to [`make::bomb_len`] bytes while its header says `claimed`.
fn bomb_entry(name: &str, repeats: usize, claimed: u64, crc_of: u64) -> make::Entry {
    make::Entry {
        name: name.into(),
        data: make::rar5_bomb_stream(repeats),
        unpacked: claimed,
        crc: crc32fast::hash(&vec![b'A'; crc_of as usize]),
        method: 3 << 7, // "normal" compression, 128 KiB dictionary
        flags: 0,
    }
}

#[test]
fn a_real_rar_bomb_is_refused_before_it_is_unpacked() {
    let dir = tempfile::tempdir().unwrap();
    // 5 KB that unpack to 80 MiB, above the 64 MiB entry limit; the header tells the truth.
    let repeats = 80 * 1024 * 1024 / 4097;
    let len = make::bomb_len(repeats);
    assert!(len > archive::MAX_ENTRY_BYTES);
    let bomb = bomb_entry("Saga 012/004.jpg", repeats, len, len);
    assert!(bomb.data.len() < 6_000);
    let mut entries = comic_entries();
    entries.push(bomb.clone());
    let path = put(dir.path(), "bomb.cbr", &make::rar5(&entries, 0));
    // The stream is real: unrar itself unpacks it to exactly `len` bytes of 'A'.
    let (name, bytes) = rar_entries(&path).pop().unwrap();
    assert_eq!(
        (name.as_str(), bytes.len() as u64),
        ("Saga 012/004.jpg", len)
    );
    assert!(bytes.iter().all(|&b| b == b'A'));
    drop(bytes);
    let started = std::time::Instant::now();
    for result in [
        rar::summarize(&path).map(|_| ()),
        Err(assert_convert_fails_cleanly(&path)),
    ] {
        match result {
            Err(ArchiveError::OverLimit(msg)) => assert!(msg.contains("004.jpg"), "{msg}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "it was unpacked"
    );

    // A ComicInfo.xml bomb: 2 MiB, over the 1 MiB ComicInfo limit.
    let repeats = 2 * 1024 * 1024 / 4097;
    let len = make::bomb_len(repeats);
    let mut entries = comic_entries();
    entries[2] = bomb_entry("ComicInfo.xml", repeats, len, len);
    let path = put(dir.path(), "info-bomb.cbr", &make::rar5(&entries, 0));
    match rar::summarize(&path) {
        Err(ArchiveError::OverLimit(msg)) => assert!(msg.contains("ComicInfo.xml"), "{msg}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        assert_convert_fails_cleanly(&path),
        ArchiveError::OverLimit(_)
    ));
}

#[test]
fn a_lying_header_bounds_what_unrar_unpacks() {
    let dir = tempfile::tempdir().unwrap();
    let repeats = 80 * 1024 * 1024 / 4097;
    // The header says 1000 bytes; the data would unpack to 80 MiB. unrar stops at 1000 bytes:
    // with the CRC of those 1000 the entry reads as 1000 bytes, and converts as such.
    let mut entries = comic_entries();
    entries.push(bomb_entry("Saga 012/004.jpg", repeats, 1000, 1000));
    let path = put(dir.path(), "liar.cbr", &make::rar5(&entries, 0));
    assert_eq!(rar_entries(&path).pop().unwrap().1, vec![b'A'; 1000]);
    convert_and_compare(&path);
    let cbz = zip_entries(&dir.path().join("liar.cbz"));
    assert_eq!(cbz.last().unwrap().1, vec![b'A'; 1000]);

    // With the CRC of what the data really holds, the entry fails its CRC check.
    let mut entries = comic_entries();
    entries.push(bomb_entry("Saga 012/004.jpg", 10, 1000, make::bomb_len(10)));
    let path = put(dir.path(), "liar-crc.cbr", &make::rar5(&entries, 0));
    assert!(matches!(
        assert_convert_fails_cleanly(&path),
        ArchiveError::Unreadable(_)
    ));

    // A stored entry claiming fewer bytes than it holds unpacks to the claimed size, no more.
    let mut entries = comic_entries();
    let mut big = make::entry("Saga 012/004.jpg", &page(4, 200_000));
    big.unpacked = 100;
    big.crc = crc32fast::hash(&big.data[..100]);
    entries.push(big);
    let path = put(dir.path(), "liar-stored.cbr", &make::rar5(&entries, 0));
    convert_and_compare(&path);
    assert_eq!(
        zip_entries(&dir.path().join("liar-stored.cbz"))
            .last()
            .unwrap()
            .1
            .len(),
        100
    );

    // "Unpacked size unknown" (RAR 5 file flag 8; RAR 4 size 0xffffffff): refused.
    let mut entries = comic_entries();
    entries[0].flags = 0x08;
    let path = put(dir.path(), "unknown5.cbr", &make::rar5(&entries, 0));
    assert!(matches!(
        rar::summarize(&path),
        Err(ArchiveError::OverLimit(_))
    ));
    let mut entries = comic_entries();
    entries[0].unpacked = 0xffff_ffff;
    let path = put(dir.path(), "unknown4.cbr", &make::rar4(&entries, 0));
    assert!(matches!(
        rar::summarize(&path),
        Err(ArchiveError::OverLimit(_))
    ));
}

#[test]
fn a_dictionary_too_large_for_unrar_fails_without_a_panic() {
    // RAR 7 compression (version 1) with an 8 GiB dictionary: unrar answers ERAR_LARGE_DICT,
    // which the unrar crate cannot map and unwraps; summarize and convert catch that.
    let dir = tempfile::tempdir().unwrap();
    let mut entries = comic_entries();
    entries[2] = bomb_entry("ComicInfo.xml", 1, make::bomb_len(1), make::bomb_len(1));
    entries[2].method = 1 | 3 << 7 | 16 << 10;
    let path = put(dir.path(), "dict.cbr", &make::rar5(&entries, 0));
    assert_both_fail(&path, |e| matches!(e, ArchiveError::Unreadable(_)));
}

#[test]
fn entry_count_and_size_limits_apply() {
    let dir = tempfile::tempdir().unwrap();
    // 10,001 empty entries: over the real limit.
    let many: Vec<make::Entry> = (0..=archive::MAX_ENTRIES)
        .map(|i| make::entry(&format!("{i:05}.txt"), b""))
        .collect();
    let path = put(dir.path(), "many.cbr", &make::rar5(&many, 0));
    assert_both_fail(&path, |e| matches!(e, ArchiveError::OverLimit(_)));
    let path = put(dir.path(), "enough.cbr", &make::rar5(&many[1..], 0));
    assert_eq!(rar::summarize(&path).unwrap().page_count, 0);

    // Lowered limits, on the made comic (pages of 3004, 2004 and 1004 bytes; 6,123 bytes in all).
    let path = put(dir.path(), "saga.cbr", &make::rar4(&comic_entries(), 0));
    let ok = Limits {
        entries: 5,
        entry_bytes: 3004,
        comic_info_bytes: COMIC_INFO.len() as u64,
        total_bytes: 6_123,
    };
    assert_eq!(rar::summarize_with(&path, ok).unwrap().page_count, 3);
    let ledger = Ledger::default();
    let cbz = rar::convert_to_cbz_with(&path, &ledger, ok).unwrap();
    std::fs::remove_file(cbz).unwrap();
    for tight in [
        Limits { entries: 4, ..ok },
        Limits {
            entry_bytes: 3003,
            ..ok
        },
        Limits {
            comic_info_bytes: COMIC_INFO.len() as u64 - 1,
            ..ok
        },
        Limits {
            total_bytes: 6_122,
            ..ok
        },
    ] {
        let summary = rar::summarize_with(&path, tight);
        assert!(
            matches!(summary, Err(ArchiveError::OverLimit(_))),
            "{tight:?}: {summary:?}"
        );
        let before = files_in(dir.path());
        let err = rar::convert_to_cbz_with(&path, &ledger, tight).unwrap_err();
        assert!(
            matches!(err, ArchiveError::OverLimit(_)),
            "{tight:?}: {err:?}"
        );
        assert_eq!(files_in(dir.path()), before);
        assert!(ledger.recorded().is_empty());
    }
}

#[test]
fn remove_or_trash_moves_without_replacing() {
    let dir = tempfile::tempdir().unwrap();
    let trash = dir.path().join("trash");
    for i in 0..3 {
        let cbr = put(dir.path(), "saga.cbr", format!("copy {i}").as_bytes());
        rar::remove_or_trash(&cbr, Some(&trash)).unwrap();
        assert!(!cbr.exists());
    }
    assert_eq!(
        files_in(&trash),
        ["saga (1).cbr", "saga (2).cbr", "saga.cbr"]
    );
    assert_eq!(std::fs::read(trash.join("saga.cbr")).unwrap(), b"copy 0");
    assert_eq!(
        std::fs::read(trash.join("saga (2).cbr")).unwrap(),
        b"copy 2"
    );
    let cbr = put(dir.path(), "gone.cbr", b"x");
    rar::remove_or_trash(&cbr, None).unwrap();
    assert!(!cbr.exists());
    assert!(matches!(
        rar::remove_or_trash(&cbr, None),
        Err(ArchiveError::Write(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Random byte changes, truncations and insertions never panic, and a failed conversion
    /// leaves nothing behind.
    #[test]
    fn mutated_rars_never_panic(
        which in 0usize..3,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in proptest::option::of(any::<usize>()),
        insert in proptest::option::of((any::<usize>(), proptest::collection::vec(any::<u8>(), 1..16))),
    ) {
        let mut bytes = match which {
            0 => make::rar5(&comic_entries(), 0),
            1 => make::rar4(&comic_entries(), 0),
            _ => std::fs::read(sample("solid.rar")).unwrap(),
        };
        for (at, value) in flips {
            let at = at % bytes.len();
            bytes[at] ^= value;
        }
        if let Some((at, extra)) = insert {
            let at = at % bytes.len();
            bytes.splice(at..at, extra);
        }
        if let Some(cut) = cut {
            bytes.truncate(cut % (bytes.len() + 1));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = put(dir.path(), "mutant.cbr", &bytes);
        let _ = rar::summarize(&path);
        let ledger = Ledger::default();
        match rar::convert_to_cbz(&path, &ledger) {
            Ok(cbz) => prop_assert!(zip_entries(&cbz).len() <= 5),
            Err(_) => prop_assert_eq!(files_in(dir.path()), vec!["mutant.cbr".to_string()]),
        }
        prop_assert_eq!(std::fs::read(&path).unwrap(), bytes);
        prop_assert!(ledger.recorded().is_empty());
    }
}

#[tokio::test]
async fn a_job_converts_a_cbr_when_asked_and_only_then() {
    let dirs = common::Dirs::empty();
    let trash = tempfile::tempdir().unwrap();
    let lib = dirs.library.path().canonicalize().unwrap();
    std::fs::create_dir(lib.join("Saga")).unwrap();
    let rar_bytes = make::rar5(&comic_entries(), 0);
    let cbr = put(&lib.join("Saga"), "Saga 12.cbr", &rar_bytes);
    let pages = rar_entries(&cbr);
    let mut config = dirs.config();
    config.os_watch = false;
    let server = common::TestServer::start_with(config).await;
    server.scanned().await;
    let (_, details) = common::get_json(&server.url("/api/files/Saga/Saga 12.cbr")).await;
    assert_eq!(details["page_count"], 3, "{details}");
    assert!(
        details["comic_info"].to_string().contains("Saga"),
        "{details}"
    );

    // Converting is off by default: a process job renames the .cbr and leaves it a .cbr.
    let (_, preview) = common::send_json(
        &server,
        reqwest::Method::POST,
        "/api/jobs",
        serde_json::json!({"action": "process", "files": ["Saga/Saga 12.cbr"], "dry_run": true}),
    )
    .await;
    assert_eq!(
        preview["items"][0]["new_path"], "Saga/Saga - Chapter 0012.cbr",
        "{preview}"
    );

    let (_, mut settings) = common::get_json(&server.url("/api/settings")).await;
    assert_eq!(settings["convert_cbr"], false);
    settings["convert_cbr"] = serde_json::json!(true);
    settings["cbr_trash"] = serde_json::json!(lib.join("trash").to_str().unwrap());
    let (status, _) = common::send_json(
        &server,
        reqwest::Method::PUT,
        "/api/settings",
        settings.clone(),
    )
    .await;
    assert_eq!(status, 400, "a trash folder inside the library is refused");
    settings["cbr_trash"] = serde_json::json!(trash.path().to_str().unwrap());
    let (status, saved) =
        common::send_json(&server, reqwest::Method::PUT, "/api/settings", settings).await;
    assert_eq!(status, 200, "{saved}");

    let (_, preview) = common::send_json(
        &server,
        reqwest::Method::POST,
        "/api/jobs",
        serde_json::json!({"action": "process", "files": ["Saga/Saga 12.cbr"], "dry_run": true}),
    )
    .await;
    assert_eq!(
        preview["items"][0]["new_path"], "Saga/Saga - Chapter 0012.cbz",
        "{preview}"
    );
    assert!(
        preview["items"][0]["note"]
            .as_str()
            .unwrap()
            .contains("converted"),
        "{preview}"
    );
    let (status, created) = common::send_json(
        &server,
        reqwest::Method::POST,
        "/api/jobs",
        serde_json::json!({"action": "process", "files": ["Saga/Saga 12.cbr"]}),
    )
    .await;
    assert_eq!(status, 202, "{created}");
    let id = created["job_id"].as_str().unwrap().to_string();
    let job = common::eventually("the job finishes", || async {
        let (_, j) = common::get_json(&server.url(&format!("/api/jobs/{id}"))).await;
        (j["status"] == "completed").then_some(j)
    })
    .await;
    assert_eq!(job["items"][0]["outcome"], "success", "{job}");
    let cbz = lib.join("Saga/Saga - Chapter 0012.cbz");
    assert!(!cbr.exists(), "the .cbr left the library");
    assert_eq!(
        std::fs::read(trash.path().join("Saga 12.cbr")).unwrap(),
        rar_bytes,
        "original kept in the trash"
    );
    let converted: Vec<(String, Vec<u8>)> = zip_entries(&cbz)
        .into_iter()
        .map(|(n, b, _)| (n, b))
        .filter(|(n, _)| n != "ComicInfo.xml")
        .collect();
    let originals: Vec<(String, Vec<u8>)> = pages
        .into_iter()
        .filter(|(n, _)| n != "ComicInfo.xml")
        .collect();
    assert_eq!(converted, originals, "every page byte-identical, in order");
    let (_, details) =
        common::get_json(&server.url("/api/files/Saga/Saga - Chapter 0012.cbz")).await;
    assert!(
        details["comic_info"].to_string().contains("Chapter 12"),
        "tagged after converting: {details}"
    );
    server.shutdown().await;
}
