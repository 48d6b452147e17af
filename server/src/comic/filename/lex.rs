//! Tokeniser: a file-name stem → [`Item`]s (words, numbers, keyword numbers, bracket groups).
//! Only shapes are recognised here; which number is the issue is decided in the parent module.

use super::number::{date_year, number, year_in, Num};

/// The keyword in front of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    Hash,
    Issue,
    /// `No.`/`Nr.`: weaker than `#`, since `Kaiju No. 8` is a series.
    No,
    Chapter,
    Episode,
    Volume,
}

/// What a bracketed group holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Group {
    Year(String),
    Volume(Num),
    Issue(Num),
    Count(String),
    IssueCount(Num, String),
    Tag,
}

/// What one item is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    /// A free-standing ` - `, `--`, `–`, `:` between words.
    Sep,
    Num(Num),
    Mark(Mark, Option<Num>),
    /// `2 of 5`, `2of5`.
    NumOf(Num, String),
    /// `2021-08-04`, `02-2005`: the year.
    Date(String),
    /// A page count (`42pgs`, `400 pages`).
    Tag,
    /// `TPB`, `GN`, `one-shot`: a collected or single-story book.
    Format,
    Group(Group),
}

/// One token and its text as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Item {
    pub kind: Kind,
    pub raw: String,
}

/// Keywords that may stand before a number, longest first; `c` and `v` only attach (`c012`, `v2`).
const KEYWORDS: &[(&str, Mark)] = &[
    ("chapters", Mark::Chapter),
    ("chapter", Mark::Chapter),
    ("chp", Mark::Chapter),
    ("ch", Mark::Chapter),
    ("c", Mark::Chapter),
    ("episode", Mark::Episode),
    ("ep", Mark::Episode),
    ("issue", Mark::Issue),
    ("nr", Mark::No),
    ("no", Mark::No),
    ("volume", Mark::Volume),
    ("vol", Mark::Volume),
    ("tome", Mark::Volume),
    ("v", Mark::Volume),
];

/// Collected or single-story books: a tag, and no issue number expected.
const FORMATS: &[&str] = &["tpb", "gn", "ogn", "hc", "one-shot", "oneshot"];
/// Page counts glued to digits: `42pgs`, `400p`.
const PAGE_WORDS: &[&str] = &["p", "pg", "pgs", "pages"];
/// Words after a number (or `N of M`) that make both a tag: `400 pages`, `03 of 04 covers`.
const COUNT_WORDS: &[&str] = &["p", "pg", "pgs", "pages", "cover", "covers"];

/// Items of a stem, in order.
pub(super) fn lex(stem: &str) -> Vec<Item> {
    items(&separators(stem))
}

fn items(text: &str) -> Vec<Item> {
    let mut out = Vec::new();
    for piece in split(text) {
        match piece {
            Piece::Word(w) => push_word(&mut out, w),
            Piece::Group(open, g) => out.push(Item {
                kind: Kind::Group(group(open, g)),
                raw: g.trim().to_string(),
            }),
        }
    }
    combine(out)
}

/// `_` and (in names without spaces) `.` or `-` are word separators; `Sandman_ Overture` is
/// ComicRack's `Sandman: Overture`, as in folder names.
fn separators(stem: &str) -> String {
    let mut s = if stem.contains(' ') {
        stem.replace("_ ", ": ")
    } else {
        stem.to_string()
    };
    s = s.replace('_', " ");
    if !s.contains(char::is_whitespace) && s.contains('.') {
        let chars: Vec<char> = s.chars().collect();
        s = (0..chars.len())
            .map(|i| {
                let digit = |j: Option<usize>| {
                    j.and_then(|j| chars.get(j))
                        .is_some_and(char::is_ascii_digit)
                };
                if chars[i] == '.' && !(digit(i.checked_sub(1)) && digit(Some(i + 1))) {
                    ' '
                } else {
                    chars[i]
                }
            })
            .collect();
    }
    if !s.contains(char::is_whitespace) && s.contains('-') {
        s = split_dashes(&s);
    }
    s
}

/// `Conan-the-Man-32`, `VanDread-v01-c001`: a dash before a number or a keyword separates;
/// `c001-008` stays a range and `X-Men` a word.
fn split_dashes(s: &str) -> String {
    let mut out = String::new();
    let mut prev = "";
    for (i, p) in s.split('-').enumerate() {
        if i > 0 {
            // Judge the word part only: `c001[MD]`.
            let p = p.split(['(', '[', '{']).next().unwrap_or(p);
            let digit_next = p.starts_with(|c: char| c.is_ascii_digit());
            let range = digit_next && prev.ends_with(|c: char| c.is_ascii_digit());
            let split = !p.is_empty()
                && !prev.is_empty()
                && ((digit_next && (!range || keyword_number(prev) == Some(Mark::Volume)))
                    || keyword(p).is_some()
                    || keyword_number(p).is_some());
            out.push(if split { ' ' } else { '-' });
        }
        out.push_str(p);
        prev = p;
    }
    out
}

enum Piece<'a> {
    Word(&'a str),
    /// The opening bracket and the content.
    Group(char, &'a str),
}

fn closer(c: char) -> Option<char> {
    match c {
        '(' => Some(')'),
        '[' => Some(']'),
        '{' => Some('}'),
        _ => None,
    }
}

/// Words and bracket groups; an unclosed bracket runs to the end, a stray closer separates.
fn split(s: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut word: Option<usize> = None;
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        let next = i + c.len_utf8();
        let boundary = c.is_whitespace() || closer(c).is_some() || matches!(c, ')' | ']' | '}');
        if boundary {
            if let Some(w) = word.take() {
                out.push(Piece::Word(&s[w..i]));
            }
        } else if word.is_none() {
            word = Some(i);
        }
        i = next;
        if let Some(close) = closer(c) {
            let mut stack = vec![close];
            let mut end = s.len();
            for (j, d) in s[next..].char_indices() {
                if let Some(cl) = closer(d) {
                    stack.push(cl);
                } else if let Some(k) = stack.iter().rposition(|&cl| cl == d) {
                    stack.truncate(k);
                    if stack.is_empty() {
                        end = next + j;
                        break;
                    }
                }
            }
            out.push(Piece::Group(c, &s[next..end]));
            i = (end + 1).min(s.len());
        }
    }
    if let Some(w) = word {
        out.push(Piece::Word(&s[w..]));
    }
    out
}

fn lower_trimmed(w: &str) -> String {
    w.trim_end_matches([',', ';', ':', '!', '?', '.'])
        .to_ascii_lowercase()
}

fn push_word(out: &mut Vec<Item>, w: &str) {
    // `2of5`, `of4`: split into number, `of`, number.
    let lower = w.to_ascii_lowercase();
    if let Some(at) = lower.find("of").filter(|&at| {
        lower[..at].bytes().all(|b| b.is_ascii_digit())
            && lower.len() > at + 2
            && lower[at + 2..].bytes().all(|b| b.is_ascii_digit())
    }) {
        if at > 0 {
            push_word(out, &w[..at]);
        }
        out.push(text(&w[at..at + 2]));
        push_word(out, &w[at + 2..]);
        return;
    }
    out.push(Item {
        kind: classify(w),
        raw: w.to_string(),
    });
}

fn text(w: &str) -> Item {
    Item {
        kind: Kind::Text,
        raw: w.to_string(),
    }
}

fn classify(w: &str) -> Kind {
    let lower = lower_trimmed(w);
    // `-`, `--`, `–`, `:`, `-.-`
    if w.chars()
        .all(|c| matches!(c, '-' | '–' | '—' | '~' | '|' | ':' | '.'))
        && w.contains(|c| c != '.')
    {
        return Kind::Sep;
    }
    if FORMATS.contains(&lower.as_str()) {
        return Kind::Format;
    }
    if let Some(y) = date_year(w) {
        return Kind::Date(y);
    }
    let digits = lower.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && PAGE_WORDS.contains(&&lower[digits..]) {
        return Kind::Tag;
    }
    if let Some(rest) = w.strip_prefix('#') {
        return match rest.trim() {
            "" => Kind::Mark(Mark::Hash, None),
            r => number(r, true).map_or(Kind::Text, |n| Kind::Mark(Mark::Hash, Some(n))),
        };
    }
    if let Some(m) = keyword(w) {
        return Kind::Mark(m, None);
    }
    if let Some((m, n)) = keyword_with_number(w) {
        return Kind::Mark(m, Some(n));
    }
    number(w, true).map_or(Kind::Text, Kind::Num)
}

/// A keyword alone (`Chapter`, `Vol.`, `No`), waiting for its number.
fn keyword(w: &str) -> Option<Mark> {
    let lower = lower_trimmed(w);
    KEYWORDS
        .iter()
        .find(|(kw, _)| *kw == lower && kw.len() > 1)
        .map(|&(_, m)| m)
}

fn keyword_number(w: &str) -> Option<Mark> {
    keyword_with_number(w).map(|(m, _)| m)
}

/// `ch12`, `Ch.15`, `c001-008`, `v01`, `Vol.4`, `issue-1000`, `no.49`, `Chapter11v2`.
fn keyword_with_number(w: &str) -> Option<(Mark, Num)> {
    KEYWORDS.iter().find_map(|&(kw, m)| {
        let head = w.get(..kw.len())?;
        if !head.eq_ignore_ascii_case(kw) {
            return None;
        }
        let rest = &w[kw.len()..];
        let short = kw.len() == 1;
        let rest = if short {
            rest
        } else {
            rest.strip_prefix(['.', '-']).unwrap_or(rest)
        };
        if !rest.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        // `c2c` is a scan tag, not chapter 2c.
        number(rest, !short).map(|n| (m, n))
    })
}

/// Folds keyword + number, `N of M`, page counts and `One Shot` into single items.
fn combine(items: Vec<Item>) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    let mut it = items.into_iter().peekable();
    while let Some(mut item) = it.next() {
        let lower = lower_trimmed(&item.raw);
        match &item.kind {
            Kind::Mark(m, None) => {
                let m = *m;
                let take = match it.peek().map(|n| &n.kind) {
                    Some(Kind::Num(_)) => true,
                    // `issue #25`
                    Some(Kind::Mark(Mark::Hash, Some(_))) => m == Mark::Issue,
                    _ => false,
                };
                match it.next_if(|_| take) {
                    Some(Item {
                        kind: Kind::Num(n) | Kind::Mark(_, Some(n)),
                        raw,
                    }) => {
                        item = Item {
                            kind: Kind::Mark(m, Some(n)),
                            raw: format!("{} {raw}", item.raw),
                        };
                    }
                    _ => item.kind = Kind::Text,
                }
            }
            Kind::Text if lower == "of" => {
                let count = match it.peek().map(|n| &n.kind) {
                    Some(Kind::Num(c)) => Some(c.value.clone()),
                    _ => None,
                };
                if let (Some(c), Some(Kind::Num(_))) = (count, out.last().map(|l| &l.kind)) {
                    let next = it.next().map(|n| n.raw).unwrap_or_default();
                    let prev = out.pop().expect("checked above");
                    if let Kind::Num(n) = prev.kind {
                        item = Item {
                            kind: Kind::NumOf(n, c),
                            raw: format!("{} {} {next}", prev.raw, item.raw),
                        };
                    }
                }
            }
            Kind::Text if COUNT_WORDS.contains(&lower.as_str()) => {
                if matches!(
                    out.last().map(|l| &l.kind),
                    Some(Kind::Num(_) | Kind::NumOf(..))
                ) {
                    let prev = out.pop().expect("checked above");
                    item = Item {
                        kind: Kind::Tag,
                        raw: format!("{} {}", prev.raw, item.raw),
                    };
                }
            }
            Kind::Text
                if lower == "shot"
                    && out
                        .last()
                        .is_some_and(|l| l.raw.eq_ignore_ascii_case("one")) =>
            {
                let prev = out.pop().expect("checked above");
                item = Item {
                    kind: Kind::Format,
                    raw: format!("{} {}", prev.raw, item.raw),
                };
            }
            _ => {}
        }
        out.push(item);
    }
    out
}

/// Classifies a bracket group's content: year, volume, issue or chapters, count, or a tag.
/// Braces only hold tags and revisions (`{HQ}`, `{v2}`), or a year.
fn group(open: char, content: &str) -> Group {
    if open == '{' {
        return year_in(content).map_or(Group::Tag, Group::Year);
    }
    let inner = items(content);
    let of = |i: &Item| i.kind == Kind::Text && i.raw.eq_ignore_ascii_case("of");
    match inner.as_slice() {
        [Item {
            kind: Kind::Mark(Mark::Volume, Some(n)),
            ..
        }] => Group::Volume(n.clone()),
        [Item {
            kind: Kind::Mark(_, Some(n)),
            ..
        }] => Group::Issue(n.clone()),
        [Item {
            kind: Kind::NumOf(n, c),
            ..
        }] => Group::IssueCount(n.clone(), c.clone()),
        [o, Item {
            kind: Kind::Num(n), ..
        }] if of(o) => Group::Count(n.value.clone()),
        _ => year_in(content).map_or(Group::Tag, Group::Year),
    }
}
