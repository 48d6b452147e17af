//! Numbers and dates as written in names: `003`, `-1`, `12.50`, `½`, `5AU`, `78.BEY`,
//! `001-006`, `2021-08-04`, `(Sep 1973)`.

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

/// A number as written, normalised (`003` → `3`, `½` → `0.5`, `5AU` kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Num {
    pub value: String,
    /// Last number of a range (`001-006` → `6`).
    pub end: Option<String>,
    /// Written with leading zeros (`058`): scene names pad issue numbers, series names don't.
    pub padded: bool,
    /// A plain four-digit 1900–2039: maybe a year, maybe part of a series name.
    pub year_like: bool,
}

/// Letters after digits that are not an issue suffix (`42pgs`, `2048px`, `80th`).
const NOT_SUFFIX: &[&str] = &["p", "pg", "pgs", "px", "st", "nd", "rd", "th"];
/// Month names (and `FCBD`) that may stand beside a year in a bracket: `(Sep 1973)`.
const MONTHS: &str = "jan feb mar apr may jun jul aug sep sept oct nov dec january february \
    march april june july august september october november december fcbd";

/// `2021-08-04`, `2001-02`, `02-2005`, `02-24-2001` → the year.
pub(super) fn date_year(w: &str) -> Option<String> {
    let parts: Vec<&str> = w.trim_end_matches([',', '.']).split('-').collect();
    if parts.len() < 2
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    let year = match lens.as_slice() {
        [4, 2] | [4, 2, 2] => parts[0],
        [2, 4] | [2, 2, 4] => parts[parts.len() - 1],
        _ => return None,
    };
    is_year(year).then(|| year.to_string())
}

fn is_year(s: &str) -> bool {
    s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) && ("1900"..="2039").contains(&s)
}

/// Parts of one number: `007.50`, `5AU`, `78.BEY`, `1½`.
struct One<'a> {
    int: &'a str,
    frac: Option<&'a str>,
    half: bool,
    suffix: &'a str,
}

fn one(s: &str, suffix_ok: bool) -> Option<(One<'_>, &str)> {
    let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
    let mut rest = &s[int_len..];
    let mut frac = None;
    if int_len > 0 {
        if let Some(r) = rest.strip_prefix('.') {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            if n > 0 {
                frac = Some(&r[..n]);
                rest = &r[n..];
            }
        }
    }
    let half = frac.is_none() && rest.starts_with('½');
    if half {
        rest = &rest['½'.len_utf8()..];
    }
    if int_len == 0 && !half {
        return None;
    }
    // A release version or part count glued on: `011v002`, `006x1`.
    if let Some(r) = rest.strip_prefix(['v', 'V', 'x', 'X']) {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n > 0 {
            rest = &r[n..];
        }
    }
    let mut suffix = "";
    if suffix_ok && !half {
        let dot = usize::from(rest.starts_with('.'));
        let letters = rest[dot..]
            .bytes()
            .take_while(u8::is_ascii_alphabetic)
            .count();
        let after = &rest[dot + letters..];
        let word_ends = !after.starts_with(|c: char| c.is_alphanumeric());
        let tail = rest[dot..dot + letters].to_ascii_lowercase();
        if (1..=3).contains(&letters) && word_ends && !NOT_SUFFIX.contains(&tail.as_str()) {
            suffix = &rest[..dot + letters];
            rest = after;
        }
    }
    let int = &s[..int_len];
    Some((
        One {
            int,
            frac,
            half,
            suffix,
        },
        rest,
    ))
}

fn normalised(o: &One) -> String {
    let n = match o.frac {
        Some(f) => normalise_number(&format!("{}.{f}", o.int)),
        None if o.half => format!("{}.5", normalise_number(o.int)),
        None => normalise_number(o.int),
    };
    format!("{n}{}", o.suffix)
}

/// A whole word as a number or a range: `003`, `-1`, `12.50`, `½`, `5AU`, `001-006`,
/// `089-097+Omake`. Trailing punctuation is ignored.
pub(super) fn number(word: &str, suffix_ok: bool) -> Option<Num> {
    let s = word.trim_end_matches([',', ':', ';', '!', '?', '-', '.']);
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => (true, r),
        _ => (false, s),
    };
    let (first, mut rest) = one(s, suffix_ok)?;
    let mut end = None;
    if let Some(r) = rest.strip_prefix('-') {
        let r = ["ch", "c"]
            .iter()
            .find_map(|p| {
                r.get(..p.len())
                    .filter(|h| h.eq_ignore_ascii_case(p))
                    .map(|_| &r[p.len()..])
            })
            .unwrap_or(r);
        let (second, r2) = one(r, suffix_ok)?;
        end = Some(normalised(&second));
        rest = r2;
    }
    if !(rest.is_empty() || rest.starts_with('+')) {
        return None;
    }
    let value = format!("{}{}", if neg { "-" } else { "" }, normalised(&first));
    let plain = !neg && first.frac.is_none() && first.suffix.is_empty() && !first.half;
    Some(Num {
        value,
        end,
        padded: first.int.len() > 1 && first.int.starts_with('0'),
        year_like: plain && is_year(first.int),
    })
}

/// `(1986)`, `(1966-02)`, `(Sep 1973)`, `(December, 2004)`, `(FCBD 2021)`: only digits and
/// month names, one of them a year.
pub(super) fn year_in(content: &str) -> Option<String> {
    let runs: Vec<&str> = content
        .split(|c: char| !c.is_alphanumeric())
        .filter(|r| !r.is_empty())
        .collect();
    let yearish = runs.iter().all(|r| {
        r.bytes().all(|b| b.is_ascii_digit())
            || MONTHS.split_whitespace().any(|m| r.eq_ignore_ascii_case(m))
    });
    if !yearish {
        // `(Corno 1978-09-18)`: a full date among words.
        return content.split_whitespace().find_map(date_year);
    }
    runs.into_iter().find(|r| is_year(r)).map(str::to_string)
}
