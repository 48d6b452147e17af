//! Property tests for client path resolution (`longbox::paths`), the one gate between
//! a path in a URL or a job request and the disk.
//!
//! What it attacks:
//! - `RelPath::parse` with arbitrary text and with text glued from escape attempts: `..`, `.`,
//!   empty segments, `%2e`/`%2F`/`%5c`/`%00` (any case, double-encoded), backslashes, drive
//!   letters, leading and doubled `/`, NUL, look-alike unicode (fullwidth dots, division
//!   slash, right-to-left override). It must never panic, and anything it accepts must be a
//!   plain relative path: no `..`/`.`/empty segment, no leading `/`, no backslash, no NUL, only
//!   `Normal` components for `std::path`, and `parse(p.as_str()) == Ok(p)`.
//! - `RelPath::resolve` of accepted paths against a real library in a temp dir holding a
//!   folder, a file, symlinks inside, and symlinks leading outside (to a folder, to a file, to
//!   the parent, dangling, looping). It either refuses the path or returns `library/<path>`
//!   whose deepest existing ancestor, canonicalised, is inside the library.
//! - `name`/`folder`/`with_name`/`from_disk`/`is_comic` stay consistent with the parsed text.

use longbox::paths::{is_comic, RelPath};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::path::{Component, Path, PathBuf};

/// Segments an attacker would try, plus names that exist in the fixture library.
const SEGMENTS: &[&str] = &[
    "..",
    ".",
    "",
    "...",
    "%2e",
    "%2E",
    "%2e%2e",
    "%2E%2e",
    "%2f",
    "%2F",
    "%5c",
    "%5C",
    "%00",
    "%252e",
    "%252f",
    "%",
    "%2",
    "\\",
    "..\\..",
    "C:",
    "c:",
    "C:\\",
    "/",
    "//",
    "\0",
    " ",
    ".hidden",
    ".longbox-tmp-1.cbz",
    "~",
    "$HOME",
    "\u{ff0e}\u{ff0e}",
    "\u{2024}\u{2024}",
    "\u{2215}",
    "\u{ff0f}",
    "\u{202e}",
    "\u{feff}",
    "é",
    "\u{1f600}",
    "a",
    "x.cbz",
    "X.CBR",
    // Fixture entries.
    "Saga",
    "a.cbz",
    "inner",
    "out",
    "outfile.cbz",
    "up",
    "dangle",
    "loop",
    "missing",
];

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(SEGMENTS).prop_map(str::to_string),
        1 => "[a-zA-Z0-9 ._%:-]{1,6}",
        1 => any::<char>().prop_map(String::from),
    ]
}

/// Segments joined by `/` (or glued without one), sometimes with a leading `/`.
fn hostile_path() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (proptest::collection::vec(segment(), 1..7), any::<bool>()).prop_map(|(s, lead)| {
            format!("{}{}", if lead { "/" } else { "" }, s.join("/"))
        }),
        1 => proptest::collection::vec(segment(), 1..7).prop_map(|s| s.concat()),
        1 => any::<String>(),
    ]
}

/// Paths made only of fixture names, so most are accepted by `parse` and reach `resolve`.
fn fixture_path() -> impl Strategy<Value = String> {
    let name = proptest::sample::select(vec![
        "Saga",
        "a.cbz",
        "inner",
        "out",
        "outfile.cbz",
        "up",
        "dangle",
        "loop",
        "missing",
        "lib",
        "outside",
        "secret.cbz",
        "x.cbz",
    ]);
    proptest::collection::vec(name, 1..6).prop_map(|s| s.join("/"))
}

/// What every accepted path must look like.
fn assert_plain(raw: &str, p: &RelPath) -> Result<(), TestCaseError> {
    let s = p.as_str();
    prop_assert_eq!(s, raw);
    prop_assert!(!s.is_empty());
    prop_assert!(!s.starts_with('/'), "absolute: {:?}", s);
    prop_assert!(!s.contains('\\') && !s.contains('\0'), "{:?}", s);
    let lower = s.to_ascii_lowercase();
    for encoded in ["%2e", "%2f", "%5c", "%00"] {
        prop_assert!(!lower.contains(encoded), "{:?} holds {}", s, encoded);
    }
    prop_assert!(s.as_bytes().get(1) != Some(&b':'), "drive letter: {:?}", s);
    for seg in s.split('/') {
        prop_assert!(
            !seg.is_empty() && seg != "." && seg != "..",
            "segment {:?} in {:?}",
            seg,
            s
        );
    }
    let components: Vec<Component> = Path::new(s).components().collect();
    prop_assert_eq!(components.len(), s.split('/').count(), "{:?}", s);
    prop_assert!(
        components.iter().all(|c| matches!(c, Component::Normal(_))),
        "{:?} → {:?}",
        s,
        components
    );
    // Round trip, display, and the helpers agree with the text.
    prop_assert_eq!(RelPath::parse(s), Ok(p.clone()));
    prop_assert_eq!(p.to_string(), s);
    let rejoined = match p.folder() {
        "" => p.name().to_string(),
        folder => format!("{folder}/{}", p.name()),
    };
    prop_assert_eq!(rejoined, s);
    prop_assert_eq!(&p.with_name(p.name()), p);
    let lib = Path::new("/library");
    prop_assert_eq!(RelPath::from_disk(lib, &p.on_disk(lib)), Some(p.clone()));
    Ok(())
}

/// A library with traps, inside a temp dir that also holds an `outside` folder.
struct Fixture {
    _tmp: tempfile::TempDir,
    lib: PathBuf,
    outside: PathBuf,
}

fn fixture() -> Fixture {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().canonicalize().unwrap();
    let lib = base.join("lib");
    let outside = base.join("outside");
    std::fs::create_dir_all(lib.join("Saga")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(lib.join("Saga/a.cbz"), b"PK").unwrap();
    std::fs::write(lib.join("a.cbz"), b"PK").unwrap();
    std::fs::write(outside.join("secret.cbz"), b"secret").unwrap();
    symlink("Saga", lib.join("inner")).unwrap(); // inside, relative
    symlink(&outside, lib.join("out")).unwrap(); // a folder outside
    symlink(outside.join("secret.cbz"), lib.join("outfile.cbz")).unwrap(); // a file outside
    symlink("..", lib.join("up")).unwrap(); // the library's parent
    symlink("..", lib.join("Saga/up")).unwrap(); // back to the library: fine
    symlink(outside.join("missing"), lib.join("dangle")).unwrap(); // dangling, outside
    symlink("loop", lib.join("loop")).unwrap(); // ELOOP
    Fixture {
        _tmp: tmp,
        lib,
        outside,
    }
}

/// The canonical form of `path`'s deepest ancestor (itself included) that exists.
fn deepest_existing_canonical(path: &Path) -> PathBuf {
    path.ancestors()
        .find_map(|a| a.canonicalize().ok())
        .expect("`/` always exists")
}

/// Where `path` really leads if every symlink on it is followed, dangling ones included (what
/// `File::create` or `create_dir` would touch); `None` for a symlink loop.
fn followed(path: &Path, hops: &mut u32) -> Option<PathBuf> {
    let mut current = PathBuf::from("/");
    for component in path.components() {
        match component {
            Component::RootDir | Component::Prefix(_) => current = PathBuf::from("/"),
            Component::CurDir => {}
            // `current` holds no symlinks, so `..` is its lexical parent.
            Component::ParentDir => {
                current.pop();
            }
            Component::Normal(name) => {
                let next = current.join(name);
                match std::fs::read_link(&next) {
                    Ok(target) => {
                        *hops += 1;
                        if *hops > 40 {
                            return None;
                        }
                        current = followed(&current.join(target), hops)?;
                    }
                    Err(_) => current = next,
                }
            }
        }
    }
    Some(current)
}

/// `resolve` either refuses `rel` or returns `lib/rel` whose deepest existing ancestor is inside.
fn check_resolve(fx: &Fixture, rel: &RelPath) -> Result<(), TestCaseError> {
    let joined = fx.lib.join(rel.as_str());
    let real = deepest_existing_canonical(&joined);
    match rel.resolve(&fx.lib) {
        Ok(path) => {
            prop_assert_eq!(&path, &joined);
            prop_assert!(path.starts_with(&fx.lib));
            prop_assert!(
                real.starts_with(&fx.lib),
                "{:?} accepted but leads to {:?}",
                rel.as_str(),
                real
            );
            prop_assert!(
                !real.starts_with(&fx.outside),
                "{:?} → {:?}",
                rel.as_str(),
                real
            );
        }
        Err(e) if e.reason == "goes through a symlink that points nowhere" => {
            // Dangling links (and self-loops) are refused wherever they point.
            let mut probe = joined.as_path();
            let mut dangling = false;
            while probe.starts_with(&fx.lib) && probe != fx.lib {
                dangling |=
                    probe.canonicalize().is_err() && std::fs::symlink_metadata(probe).is_ok();
                probe = probe.parent().unwrap();
            }
            prop_assert!(
                dangling,
                "{:?} refused with no dangling link on the way",
                rel.as_str()
            );
        }
        Err(e) => {
            prop_assert_eq!(e.reason, "resolves outside the library");
            prop_assert!(
                !real.starts_with(&fx.lib),
                "{:?} refused though it stays inside at {:?}",
                rel.as_str(),
                real
            );
        }
    }
    Ok(())
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config::with_cases(cases))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn parse_never_panics_on_arbitrary_text(raw in any::<String>()) {
        if let Ok(p) = RelPath::parse(&raw) {
            assert_plain(&raw, &p)?;
        }
        let _ = is_comic(&raw);
    }

    #[test]
    fn parse_accepts_only_plain_relative_paths(raw in hostile_path()) {
        if let Ok(p) = RelPath::parse(&raw) {
            assert_plain(&raw, &p)?;
        }
    }

    #[test]
    fn plain_paths_are_accepted_and_round_trip(
        segments in proptest::collection::vec("[a-zA-Z0-9 _#()\\-]{1,8}(\\.[a-zA-Z]{1,4})?", 1..6),
    ) {
        // No escape in sight: these must all be accepted (a gate that refuses everything is
        // safe but useless). Segments never start with `.`, so none is `.` or `..`.
        let raw = segments.join("/");
        let p = RelPath::parse(&raw);
        prop_assert!(p.is_ok(), "{:?} refused: {:?}", raw, p);
        assert_plain(&raw, &p.unwrap())?;
    }

    #[test]
    fn is_comic_matches_its_rule(name in prop_oneof![
        any::<String>(),
        ("[a-z.\\-]{0,12}", proptest::sample::select(vec![".cbz", ".CBR", ".CbZ", ".zip", "cbz", ""]))
            .prop_map(|(stem, ext)| format!("{stem}{ext}")),
        "[a-z0-9]{0,6}".prop_map(|s| format!(".longbox-tmp-{s}.cbz")),
    ]) {
        let lower = name.to_ascii_lowercase();
        let expected = !name.starts_with(".longbox-")
            && (lower.ends_with(".cbz") || lower.ends_with(".cbr"));
        prop_assert_eq!(is_comic(&name), expected, "{:?}", name);
    }
}

#[test]
fn resolve_never_escapes_the_library() {
    let fx = fixture();
    let mut runner = runner(1024);
    runner
        .run(&prop_oneof![fixture_path(), hostile_path()], |raw| {
            if let Ok(rel) = RelPath::parse(&raw) {
                check_resolve(&fx, &rel)?;
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn resolve_never_accepts_a_path_that_leads_outside_once_created() {
    let fx = fixture();
    let mut runner = runner(1024);
    runner
        .run(&fixture_path(), |raw| {
            let Ok(rel) = RelPath::parse(&raw) else {
                return Ok(());
            };
            if let Ok(path) = rel.resolve(&fx.lib) {
                if let Some(target) = followed(&path, &mut 0) {
                    prop_assert!(
                        target.starts_with(&fx.lib),
                        "{:?} accepted, but creating it touches {:?}",
                        raw,
                        target
                    );
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn dangling_symlink_out_of_the_library_is_refused() {
    let fx = fixture();
    let rel = RelPath::parse("dangle").unwrap();
    let resolved = rel.resolve(&fx.lib);
    // What a caller that trusted `Ok` could do with it:
    if let Ok(path) = &resolved {
        if std::fs::File::create(path).is_ok() {
            assert!(
                !fx.outside.join("missing").exists(),
                "writing {path:?} created {:?}",
                fx.outside.join("missing")
            );
        }
    }
    assert!(resolved.is_err(), "{resolved:?}");
}

#[test]
fn fixture_traps_behave_as_intended() {
    let fx = fixture();
    let resolve = |raw: &str| RelPath::parse(raw).unwrap().resolve(&fx.lib);
    for inside in [
        "Saga",
        "Saga/a.cbz",
        "inner/a.cbz",
        "Saga/up/a.cbz",
        "new/x.cbz",
    ] {
        assert!(resolve(inside).is_ok(), "{inside} must be accepted");
    }
    // A self-looping link resolves to nothing: refused like a dangling one.
    assert!(resolve("loop/x").is_err(), "loop/x must be refused");
    for escaping in [
        "out",
        "out/secret.cbz",
        "out/new.cbz",
        "outfile.cbz",
        "up",
        "up/outside",
    ] {
        assert!(resolve(escaping).is_err(), "{escaping} must be refused");
    }
    // `up/lib/...` goes out and comes back in: it stays inside, so it may be accepted.
    assert!(resolve("up/lib/Saga/a.cbz").is_ok());
}
