//! File name templates, shared by the server (renaming) and the UI (live preview).
//!
//! Issue-number parsing stays on the server (it needs `regex`, too heavy for the browser).

/// Placeholders a template may use.
pub const PLACEHOLDERS: [&str; 7] = [
    "series",
    "issue",
    "issue_no_pad",
    "title",
    "volume",
    "year",
    "publisher",
];

/// The default file name template.
pub const DEFAULT_TEMPLATE: &str = "{series} - Chapter {issue}";

/// Prefix of Longbox's temporary files. No name Longbox writes may start with it (or with any
/// `.`), so a comic can never be mistaken for one.
pub const TEMP_PREFIX: &str = ".longbox-tmp-";

/// Longest file name, in bytes (what ext4, NTFS and APFS allow per path component).
pub const MAX_NAME_BYTES: usize = 255;

/// Names Windows refuses whatever their extension (SMB shares pass them on).
const WINDOWS_RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Zero-pads the integer part to `width` digits: `7.5`, 4 → `0007.5`.
pub fn pad_issue(issue: &str, width: usize) -> String {
    // No name may be longer than MAX_NAME_BYTES anyway; wider widths would panic in `format!`.
    let width = width.min(MAX_NAME_BYTES);
    let (int, rest) = match issue.split_once('.') {
        Some((i, f)) => (i, format!(".{f}")),
        None => (issue, String::new()),
    };
    if int.chars().all(|c| c.is_ascii_digit()) {
        format!("{int:0>width$}{rest}")
    } else {
        issue.to_string()
    }
}

/// A template that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// `{something}` that is not a placeholder.
    Unknown(String),
    /// A `{` without its `}`.
    Unclosed,
    /// Nothing but whitespace.
    Empty,
    /// The template (or a name rendered from it) is not a safe file name; says why.
    UnsafeName(&'static str),
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TemplateError::Unknown(key) => write!(
                f,
                "unknown placeholder {{{key}}}; use one of {}",
                PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(" ")
            ),
            TemplateError::Unclosed => f.write_str("unclosed '{' in template"),
            TemplateError::Empty => f.write_str("template is empty"),
            TemplateError::UnsafeName(why) => write!(f, "unsafe file name: {why}"),
        }
    }
}

impl std::error::Error for TemplateError {}

/// Checks a template: known placeholders, and a literal text that cannot make a hidden, temp,
/// reserved or path-escaping name (names rendered from it are checked again by [`file_name`]).
pub fn validate_template(template: &str) -> Result<(), TemplateError> {
    if template.trim().is_empty() {
        return Err(TemplateError::Empty);
    }
    render_template(template, &|_| Some(String::new()))?;
    if template.starts_with('.') {
        return Err(TemplateError::UnsafeName(
            "it must not start with '.' (hidden and temporary files)",
        ));
    }
    if template.starts_with(char::is_whitespace) || template.ends_with(char::is_whitespace) {
        return Err(TemplateError::UnsafeName(
            "it must not start or end with a space",
        ));
    }
    if template.contains(['/', '\\', '\0']) {
        return Err(TemplateError::UnsafeName(
            "it must not contain '/', '\\' or NUL: names stay in their folder",
        ));
    }
    if template.contains("..") {
        return Err(TemplateError::UnsafeName("it must not contain '..'"));
    }
    // Sample values stand in for the placeholders, so the fixed text alone is judged too.
    let sample = render_template(template, &|key| {
        Some(if key == "series" {
            "Series".into()
        } else {
            "1".into()
        })
    })?;
    check_name(&sample)
}

/// Checks a finished file name (extension included): not hidden or temp-like, no leading or
/// trailing space, no `..`, no separator or NUL, not a Windows-reserved name, at most
/// [`MAX_NAME_BYTES`] bytes.
pub fn check_name(name: &str) -> Result<(), TemplateError> {
    let unsafe_name = |why| Err(TemplateError::UnsafeName(why));
    if name.is_empty() {
        return unsafe_name("the name is empty");
    }
    if name.starts_with('.') || name.starts_with(TEMP_PREFIX) {
        return unsafe_name("the name would start with '.' (hidden and temporary files)");
    }
    if name.starts_with(char::is_whitespace) || name.ends_with(char::is_whitespace) {
        return unsafe_name("the name would start or end with a space");
    }
    if name.contains(['/', '\\', '\0']) {
        return unsafe_name("the name would contain '/', '\\' or NUL");
    }
    if name.contains("..") {
        return unsafe_name("the name would contain '..'");
    }
    if name.len() > MAX_NAME_BYTES {
        return unsafe_name("the name would be longer than 255 bytes");
    }
    let base = name.split('.').next().unwrap_or(name).trim_end();
    if WINDOWS_RESERVED
        .iter()
        .any(|r| r.eq_ignore_ascii_case(base))
    {
        return unsafe_name("the name would be reserved on Windows (CON, NUL, COM1, ...)");
    }
    Ok(())
}

fn render_template(
    template: &str,
    value: &dyn Fn(&str) -> Option<String>,
) -> Result<String, TemplateError> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('}').ok_or(TemplateError::Unclosed)?;
        let key = &after[..end];
        if !PLACEHOLDERS.contains(&key) {
            return Err(TemplateError::Unknown(key.to_string()));
        }
        out.push_str(&value(key).unwrap_or_default());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// What a file name is made of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameParts {
    /// Series (from the folder).
    pub series: String,
    /// Issue number, unpadded.
    pub issue: String,
    /// Volume, from ComicInfo.
    pub volume: String,
    /// Year, from ComicInfo.
    pub year: String,
    /// Publisher, from ComicInfo.
    pub publisher: String,
}

impl NameParts {
    /// `Chapter {issue}`.
    pub fn title(&self) -> String {
        format!("Chapter {}", self.issue)
    }
}

/// The target file name: template filled, characters filesystems refuse replaced, extension kept.
pub fn file_name(
    template: &str,
    padding: usize,
    parts: &NameParts,
    ext: &str,
) -> Result<String, TemplateError> {
    let stem = render_template(template, &|key| {
        Some(match key {
            "series" => parts.series.clone(),
            "issue" => pad_issue(&parts.issue, padding),
            "issue_no_pad" => parts.issue.clone(),
            "title" => parts.title(),
            "volume" => parts.volume.clone(),
            "year" => parts.year.clone(),
            "publisher" => parts.publisher.clone(),
            _ => return None,
        })
    })?;
    // An empty placeholder in brackets (`({year})` without a year) leaves no `()` behind.
    let stem = stem.replace("()", "").replace("[]", "");
    let name = format!("{}{ext}", sanitize(&stem));
    check_name(&name)?;
    Ok(name)
}

/// Replaces characters that Windows, macOS or Linux refuse in names, folds whitespace, and trims
/// trailing dots and spaces.
pub fn sanitize(stem: &str) -> String {
    let replaced: String = stem
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let folded = replaced.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = folded.trim_end_matches(['.', ' ']).trim_start();
    if trimmed.is_empty() {
        "_".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding() {
        assert_eq!(pad_issue("7", 4), "0007");
        assert_eq!(pad_issue("7.5", 4), "0007.5");
        assert_eq!(pad_issue("12345", 4), "12345");
        assert_eq!(pad_issue("3", 0), "3");
    }

    #[test]
    fn file_names_from_templates() {
        let parts = NameParts {
            series: "Batman: Year One".into(),
            issue: "7.5".into(),
            year: "1987".into(),
            ..NameParts::default()
        };
        assert_eq!(
            file_name(DEFAULT_TEMPLATE, 4, &parts, ".cbz").unwrap(),
            "Batman_ Year One - Chapter 0007.5.cbz"
        );
        assert_eq!(
            file_name("{series} #{issue_no_pad} ({year})", 3, &parts, ".CBR").unwrap(),
            "Batman_ Year One #7.5 (1987).CBR"
        );
        assert_eq!(
            file_name("{title}", 4, &parts, ".cbz").unwrap(),
            "Chapter 7.5.cbz"
        );
        assert_eq!(
            file_name(
                "{series} [{publisher}] {issue} ({volume})",
                1,
                &parts,
                ".cbz"
            )
            .unwrap(),
            "Batman_ Year One 7.5.cbz"
        );
        assert_eq!(
            file_name("{series} {volume} - {issue}", 2, &parts, ".cbz").unwrap(),
            "Batman_ Year One - 07.5.cbz",
            "empty placeholders fold"
        );
        assert_eq!(
            sanitize("a/b\\c*d?e\"f<g>h|i\u{1}j. "),
            "a_b_c_d_e_f_g_h_i_j"
        );
    }

    #[test]
    fn template_validation() {
        assert!(validate_template(DEFAULT_TEMPLATE).is_ok());
        assert!(
            validate_template("{series} {issue_no_pad} {title} {volume} {year} {publisher}")
                .is_ok()
        );
        assert_eq!(
            validate_template("{series} {nope}"),
            Err(TemplateError::Unknown("nope".into()))
        );
        assert_eq!(validate_template("{series"), Err(TemplateError::Unclosed));
        assert_eq!(validate_template("  "), Err(TemplateError::Empty));
        assert!(TemplateError::Unknown("x".into())
            .to_string()
            .contains("{x}"));
    }

    #[test]
    fn unsafe_templates_and_names_are_refused() {
        for bad in [
            ".longbox-tmp-{series}-{issue_no_pad}",
            ".{series} {issue}",
            " {series}",
            "{series} ",
            "{series}/{issue}",
            "{series}\\{issue}",
            "../{series}",
            "{series}..{issue}",
            "a\0{series}",
            "CON",
            "aux",
            "COM9",
        ] {
            assert!(
                matches!(validate_template(bad), Err(TemplateError::UnsafeName(_))),
                "{bad:?}"
            );
        }
        for bad in [
            ".x.cbz", " x.cbz", "x.cbz ", "a..b.cbz", "NUL.cbz", "lpt1.cbr",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_name(&format!("{}.cbz", "x".repeat(251))).is_ok());
        assert!(check_name(&format!("{}.cbz", "x".repeat(252))).is_err());
        assert!(
            check_name("Console 1.cbz").is_ok(),
            "reserved only as a whole name"
        );
        let dotted = NameParts {
            series: ".hidden".into(),
            issue: "1".into(),
            ..NameParts::default()
        };
        assert!(file_name("{series} {issue}", 0, &dotted, ".cbz").is_err());
    }
}
