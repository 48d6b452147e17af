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

/// Zero-pads the integer part to `width` digits: `7.5`, 4 → `0007.5`.
pub fn pad_issue(issue: &str, width: usize) -> String {
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
        }
    }
}

impl std::error::Error for TemplateError {}

/// Checks a template.
pub fn validate_template(template: &str) -> Result<(), TemplateError> {
    if template.trim().is_empty() {
        return Err(TemplateError::Empty);
    }
    render_template(template, &|_| Some(String::new())).map(|_| ())
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
    Ok(format!("{}{ext}", sanitize(&stem)))
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
}
