//! Property tests for the file name template renderer (`app::naming`).
//!
//! Templates come from the settings form and name parts from folder names and ComicInfo.xml
//! inside archives, so both are outside input. What it attacks:
//! - `validate_template`, `file_name`, `check_name`, `sanitize` and `pad_issue` with arbitrary
//!   text and with templates and parts glued from hostile fragments (`.`, `..`, `/`, `\`, NUL,
//!   unicode whitespace, `.longbox-tmp-`, Windows device names, `()`/`[]` that fold away,
//!   unknown or unclosed placeholders): nothing may panic.
//! - Every name `file_name` returns is one Longbox can safely write: `check_name` accepts it,
//!   it does not start with `.`, holds no `/`, `\`, NUL or `..`, has no leading or trailing
//!   whitespace, fits in 255 bytes and ends with the extension asked for.
//! - A template `validate_template` accepts never renders, whatever the parts, a name that
//!   starts with `.longbox-tmp-` (Longbox's temporary files) or any `.`.
//! - `sanitize` and `pad_issue` keep their own promises (no refused characters, no trailing dot
//!   or space, never empty; padding only adds leading zeros to a numeric issue).

use app::naming::{
    check_name, file_name, pad_issue, sanitize, validate_template, NameParts, MAX_NAME_BYTES,
    PLACEHOLDERS, TEMP_PREFIX,
};
use proptest::prelude::*;

/// Literal pieces chosen to break a file name.
const HOSTILE: &[&str] = &[
    ".",
    "..",
    "...",
    "/",
    "\\",
    "\0",
    " ",
    "  ",
    "\t",
    "\n",
    "\r",
    "\u{a0}",
    "\u{3000}",
    "\u{2028}",
    "\u{200b}",
    "\u{feff}",
    TEMP_PREFIX,
    ".longbox-",
    "longbox-tmp-",
    "CON",
    "nul",
    "Com1",
    "LPT9",
    "()",
    "[]",
    "(",
    ")",
    "[",
    "]",
    "(.)",
    ".(",
    ").",
    ":",
    "*",
    "?",
    "\"",
    "<",
    ">",
    "|",
    "\u{7f}",
    "\u{85}",
    "é",
    "\u{1f600}",
    "%2e",
    "~",
    "-",
    "#",
    "0",
    "7.5",
    "a",
    "Saga",
];

/// Text mixing hostile pieces, arbitrary unicode and the odd very long run.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(HOSTILE).prop_map(str::to_string),
        2 => "[a-zA-Z0-9 ._-]{1,6}",
        1 => any::<char>().prop_map(String::from),
        1 => (1usize..300).prop_map(|n| "x".repeat(n)),
        1 => (1usize..100).prop_map(|n| "é".repeat(n)),
    ];
    prop_oneof![
        6 => proptest::collection::vec(piece, 0..8).prop_map(|p| p.concat()),
        2 => any::<String>(),
        1 => Just(String::new()),
    ]
}

/// Issue numbers: mostly number-like, sometimes anything.
fn issue_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{0,6}",
        "[0-9]{0,4}\\.[0-9]{0,3}",
        "-?[0-9]{1,3}[a-z]?",
        "\\.{1,3}[0-9]{0,2}",
        hostile_text(),
    ]
}

fn name_parts() -> impl Strategy<Value = NameParts> {
    (
        hostile_text(),
        issue_text(),
        hostile_text(),
        hostile_text(),
        hostile_text(),
    )
        .prop_map(|(series, issue, volume, year, publisher)| NameParts {
            series,
            issue,
            volume,
            year,
            publisher,
        })
}

/// Templates built from placeholders, broken braces and hostile text.
fn template() -> impl Strategy<Value = String> {
    let placeholder =
        proptest::sample::select(PLACEHOLDERS.to_vec()).prop_map(|p| format!("{{{p}}}"));
    let piece = prop_oneof![
        4 => placeholder,
        3 => proptest::sample::select(HOSTILE).prop_map(str::to_string),
        2 => "[a-zA-Z0-9 #._-]{1,8}",
        1 => Just("{".to_string()),
        1 => Just("}".to_string()),
        1 => Just("{}".to_string()),
        1 => Just("{nope}".to_string()),
        1 => Just("{Series}".to_string()),
        1 => Just("{{series}}".to_string()),
        1 => Just("{series".to_string()),
    ];
    prop_oneof![
        6 => proptest::collection::vec(piece, 1..10).prop_map(|p| p.concat()),
        1 => any::<String>(),
    ]
}

/// Templates that mostly pass `validate_template`: a placeholder or a letter first, then
/// placeholders, brackets, single dots and odd but allowed text.
fn likely_valid_template() -> impl Strategy<Value = String> {
    let placeholder =
        proptest::sample::select(PLACEHOLDERS.to_vec()).prop_map(|p| format!("{{{p}}}"));
    let piece = prop_oneof![
        4 => placeholder.clone(),
        2 => "[a-zA-Z0-9 #_-]{1,6}",
        1 => proptest::sample::select(vec![
            "()", "[]", "(", ")", "[", "]", ".", " .", "x.longbox-tmp-", "CON", "\u{200b}",
            "\u{a0}", "é", "\u{1f600}", "%2e", ":", "*", "?", "|",
        ])
        .prop_map(str::to_string),
    ];
    let first = prop_oneof![placeholder, "[a-zA-Z0-9]"];
    (first, proptest::collection::vec(piece, 0..8))
        .prop_map(|(first, rest)| format!("{first}{}", rest.concat()))
        .prop_filter("valid template", |t| validate_template(t).is_ok())
}

/// Extensions: the real ones most of the time, anything now and then.
fn extension() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(".cbz".to_string()),
        2 => Just(".CBR".to_string()),
        1 => Just(String::new()),
        1 => hostile_text(),
    ]
}

/// Everything a written name must be, beyond `check_name`'s own verdict.
fn assert_safe_name(name: &str, ext: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(check_name(name), Ok(()), "name {:?}", name);
    prop_assert!(!name.is_empty());
    prop_assert!(!name.starts_with('.'), "hidden: {:?}", name);
    prop_assert!(!name.starts_with(TEMP_PREFIX), "temp-like: {:?}", name);
    prop_assert!(
        !name.contains(['/', '\\', '\0']),
        "separator or NUL: {:?}",
        name
    );
    prop_assert!(!name.contains(".."), "'..' in {:?}", name);
    prop_assert!(
        !name.starts_with(char::is_whitespace),
        "leading space: {:?}",
        name
    );
    prop_assert!(
        !name.ends_with(char::is_whitespace),
        "trailing space: {:?}",
        name
    );
    prop_assert!(
        name.len() <= MAX_NAME_BYTES,
        "{} bytes: {:?}",
        name.len(),
        name
    );
    prop_assert!(name.ends_with(ext), "{:?} lost extension {:?}", name, ext);
    prop_assert!(name != "." && name != "..");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>(), width in 0usize..=255) {
        let _ = validate_template(&text);
        let _ = check_name(&text);
        let _ = sanitize(&text);
        let _ = pad_issue(&text, width);
        let parts = NameParts { series: text.clone(), issue: text.clone(), ..NameParts::default() };
        if let Ok(name) = file_name(&text, width, &parts, ".cbz") {
            assert_safe_name(&name, ".cbz")?;
        }
    }

    #[test]
    fn every_rendered_name_is_safe(
        template in template(),
        padding in 0usize..=255,
        parts in name_parts(),
        ext in extension(),
    ) {
        let _ = validate_template(&template);
        if let Ok(name) = file_name(&template, padding, &parts, &ext) {
            assert_safe_name(&name, &ext)?;
        }
    }

    #[test]
    fn validated_templates_never_render_hidden_or_temp_names(
        template in prop_oneof![
            3 => likely_valid_template(),
            1 => template().prop_filter("valid template", |t| validate_template(t).is_ok()),
        ],
        padding in 0usize..=8,
        parts in name_parts(),
        ext in extension(),
    ) {
        // The template's own literal text is safe.
        prop_assert!(!template.starts_with('.'));
        prop_assert!(!template.contains(['/', '\\', '\0']) && !template.contains(".."));
        for ext in [ext.as_str(), ".cbz", ""] {
            if let Ok(name) = file_name(&template, padding, &parts, ext) {
                prop_assert!(!name.starts_with(TEMP_PREFIX), "{:?} → {:?}", template, name);
                assert_safe_name(&name, ext)?;
            }
        }
    }

    #[test]
    fn validated_templates_with_temp_like_parts(
        template in prop_oneof![
            3 => likely_valid_template(),
            1 => template().prop_filter("valid template", |t| validate_template(t).is_ok()),
        ],
        tail in "[a-z0-9]{0,8}",
    ) {
        // Every part tries to make the name a temp file name.
        let temp = format!("{TEMP_PREFIX}{tail}");
        let parts = NameParts {
            series: temp.clone(),
            issue: temp.clone(),
            volume: temp.clone(),
            year: temp.clone(),
            publisher: temp,
        };
        if let Ok(name) = file_name(&template, 4, &parts, ".cbz") {
            prop_assert!(!name.starts_with(TEMP_PREFIX), "{:?} → {:?}", template, name);
            assert_safe_name(&name, ".cbz")?;
        }
    }

    #[test]
    fn sanitize_keeps_its_promises(stem in hostile_text()) {
        let clean = sanitize(&stem);
        prop_assert!(!clean.is_empty());
        prop_assert!(
            !clean.contains(['/', '\\', ':', '*', '?', '"', '<', '>', '|']),
            "{:?} → {:?}", stem, clean
        );
        prop_assert!(!clean.chars().any(char::is_control), "{:?} → {:?}", stem, clean);
        prop_assert!(!clean.starts_with(char::is_whitespace), "{:?} → {:?}", stem, clean);
        prop_assert!(!clean.ends_with(char::is_whitespace), "{:?} → {:?}", stem, clean);
        prop_assert!(!clean.ends_with('.'), "{:?} → {:?}", stem, clean);
        prop_assert!(!clean.contains("  "), "{:?} → {:?}", stem, clean);
        // Sanitising twice changes nothing more.
        prop_assert_eq!(sanitize(&clean), clean.clone());
    }

    #[test]
    fn pad_issue_only_adds_leading_zeros(issue in issue_text(), width in 0usize..=255) {
        let padded = pad_issue(&issue, width);
        let (int, _) = issue.split_once('.').unwrap_or((&issue, ""));
        if int.chars().all(|c| c.is_ascii_digit()) {
            prop_assert!(padded.ends_with(&issue), "{:?} → {:?}", issue, padded);
            let zeros = &padded[..padded.len() - issue.len()];
            prop_assert!(zeros.bytes().all(|b| b == b'0'), "{:?} → {:?}", issue, padded);
            prop_assert_eq!(zeros.len(), width.saturating_sub(int.len()));
        } else {
            prop_assert_eq!(padded, issue);
        }
    }
}

#[test]
fn pad_issue_with_any_width_the_ui_can_send() {
    // The settings form holds the padding in a `u8`; the server refuses more than 8.
    for width in 0..=u8::MAX as usize {
        assert_eq!(pad_issue("7", width).len(), width.max(1));
    }
}

#[test]
fn known_hostile_names_are_refused() {
    let plain = NameParts {
        series: "Saga".into(),
        issue: "1".into(),
        ..NameParts::default()
    };
    for (template, parts, ext) in [
        (
            "{series}",
            NameParts {
                series: ".longbox-tmp-1".into(),
                ..plain.clone()
            },
            ".cbz",
        ),
        ("{series}", plain.clone(), ".."),
        (
            "{series}",
            NameParts {
                series: "CON".into(),
                ..plain.clone()
            },
            ".cbz",
        ),
        ("{series}", plain.clone(), "/../x.cbz"),
        ("{series}", plain.clone(), ".cbz\0"),
        ("{series}", plain.clone(), ".cbz "),
        (
            "{series}",
            NameParts {
                series: "x".repeat(300),
                ..plain.clone()
            },
            ".cbz",
        ),
    ] {
        assert!(
            file_name(template, 4, &parts, ext).is_err(),
            "{template:?} {parts:?} {ext:?}"
        );
    }
    for template in [
        ".{series}",
        " {series}",
        "{series}/x",
        "a..{issue}",
        TEMP_PREFIX,
    ] {
        assert!(validate_template(template).is_err(), "{template:?}");
    }
}

#[test]
fn pad_issue_never_panics_on_wide_padding() {
    for width in [u16::MAX as usize, u16::MAX as usize + 1] {
        assert!(
            std::panic::catch_unwind(|| pad_issue("7", width)).is_ok(),
            "width {width}"
        );
        let parts = NameParts {
            issue: "7".into(),
            ..NameParts::default()
        };
        let rendered = std::panic::catch_unwind(|| file_name("{issue}", width, &parts, ".cbz"));
        assert!(
            matches!(rendered, Ok(Err(_))),
            "width {width}: too long a name must be an error, not a panic"
        );
    }
}
