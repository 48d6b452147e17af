//! Naming rules: series from the folder, issue number from ComicInfo or the file name, and the
//! file name template.

use regex::Regex;
use std::sync::LazyLock;

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

/// Series from a folder name: `_ ` stands for `:` (folders cannot hold colons everywhere).
pub fn series_from_folder(folder_name: &str) -> String {
    folder_name.replace("_ ", ": ").trim().to_string()
}

/// `ch 12`, `chapter 7.5`, `#003`, `issue 2`, `no. 48` (any case; `_`, `-`, `.` or spaces may
/// separate keyword and number). Keywords must not be the tail of a word (`Punch 5`).
static KEYWORD_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^a-z0-9])(?:chapter|ch|issue|no\.?)[\s_.\-]*(\d+(?:\.\d+)?)|#\s*(\d+(?:\.\d+)?)")
        .expect("keyword regex")
});

/// Bracketed and parenthesised parts: never the issue number (years, groups, tags).
static BRACKETED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}").expect("bracket regex"));

/// Any number, decimals kept.
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:\.\d+)?").expect("number regex"));

/// The issue number in a file name (extension included or not), normalised (`003` → `3`).
pub fn issue_from_name(file_name: &str) -> Option<String> {
    let stem = strip_extension(file_name);
    let outside = BRACKETED.replace_all(stem, " ");
    if let Some(c) = KEYWORD_NUMBER.captures(&outside) {
        let m = c.get(1).or_else(|| c.get(2))?;
        return Some(normalise_number(m.as_str()));
    }
    NUMBER.find(&outside).map(|m| normalise_number(m.as_str()))
}

/// `003` → `3`, `007.50` → `7.50` (decimals as written), `0` → `0`.
pub fn normalise_number(n: &str) -> String {
    let (int, frac) = match n.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (n, None),
    };
    let trimmed = int.trim_start_matches('0');
    let int = if trimmed.is_empty() { "0" } else { trimmed };
    match frac {
        Some(f) => format!("{int}.{f}"),
        None => int.to_string(),
    }
}

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

fn strip_extension(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((stem, ext)) if matches!(ext.to_ascii_lowercase().as_str(), "cbz" | "cbr") => stem,
        _ => name,
    }
}

/// The extension of a file name including the dot, as written (`.CBZ` stays `.CBZ`).
pub fn extension(name: &str) -> &str {
    name.rfind('.').map_or("", |i| &name[i..])
}

/// A template that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `{something}` that is not a placeholder.
    #[error("unknown placeholder {{{0}}}; use one of {{series}} {{issue}} {{issue_no_pad}} {{title}} {{volume}} {{year}} {{publisher}}")]
    Unknown(String),
    /// A `{` without its `}`.
    #[error("unclosed '{{' in template")]
    Unclosed,
    /// Nothing but whitespace.
    #[error("template is empty")]
    Empty,
}

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
    fn issue_numbers_from_real_world_names() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Batman ch 12.cbz", Some("12")),
            ("Batman ch12.cbz", Some("12")),
            ("Batman CH 14 (2016) (digital).cbz", Some("14")),
            ("Saga #003 (2012).cbz", Some("3")),
            ("Saga #3.cbz", Some("3")),
            ("Saga # 3.cbz", Some("3")),
            ("spider man chapter 7.5.cbz", Some("7.5")),
            ("Spider-Man Chapter 008.cbz", Some("8")),
            ("One_Piece_Issue_2.cbz", Some("2")),
            ("One Piece issue-1000.cbz", Some("1000")),
            ("TWD No. 48 (2008) (digital).cbz", Some("48")),
            ("TWD no.49.cbz", Some("49")),
            ("TWD No 50.cbr", Some("50")),
            ("Invincible - Chapter 0005.cbz", Some("5")),
            ("invincible 006.CBZ", Some("6")),
            ("Batman Year One 001.cbz", Some("1")),
            ("X-Men 097 (1975).cbz", Some("97")),
            ("X-Men (1991) 001.cbz", Some("1")),
            ("Hellboy (2004) #5 [Dark Horse].cbz", Some("5")),
            ("[Group] Berserk 12.cbz", Some("12")),
            ("[Group] Berserk v01 ch 012.cbz", Some("12")),
            ("Berserk v01 c001 [Scans].cbz", Some("1")),
            ("Naruto Chapter 700.1.cbz", Some("700.1")),
            ("Naruto_ch_699.cbz", Some("699")),
            ("Naruto.ch.698.cbz", Some("698")),
            ("Punch 5.cbz", Some("5")),
            ("Punchline ch 3.cbz", Some("3")),
            ("Richie Rich 12.cbz", Some("12")),
            ("Watchmen (1986).cbz", None),
            ("Watchmen.cbz", None),
            ("2000 AD 1234.cbz", Some("2000")),
            ("Monster #0.cbz", Some("0")),
            ("Monster ch 000.cbz", Some("0")),
            ("Akira Chapter 12.50.cbz", Some("12.50")),
            ("Saga #054 (2018) (Digital) (Zone-Empire).cbz", Some("54")),
            ("Daredevil (2019) Issue 25 (of 36).cbz", Some("25")),
            ("Sandman_ Overture #6.cbz", Some("6")),
            ("Sandman {HQ} 7.cbr", Some("7")),
            ("BPRD - Hell on Earth No.120.cbz", Some("120")),
            ("Y The Last Man 060 (2008) (c2c).cbz", Some("60")),
            ("Chew CHAPTER 45.cbz", Some("45")),
            ("Fables 150 - Farewell.cbz", Some("150")),
            ("The Boys #1.5 Special.cbz", Some("1.5")),
            ("ch 3.cbz", Some("3")),
        ];
        assert!(cases.len() >= 40);
        for (name, want) in cases {
            assert_eq!(issue_from_name(name).as_deref(), *want, "{name}");
        }
    }

    #[test]
    fn series_from_folders() {
        assert_eq!(series_from_folder("Batman_ Year One"), "Batman: Year One");
        assert_eq!(series_from_folder("Saga"), "Saga");
        assert_eq!(
            series_from_folder("Star Wars_ Doctor Aphra_ Vol 2"),
            "Star Wars: Doctor Aphra: Vol 2"
        );
        assert_eq!(series_from_folder("snake_case"), "snake_case");
    }

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
