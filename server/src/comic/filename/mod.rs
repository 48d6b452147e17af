//! How: the `lex` submodule cuts a name into words, numbers, keyword numbers (`#3`, `ch 12`,
//! `v2`) and bracket groups; [`parse`] then decides which number is the issue. Keyword numbers
//! win; otherwise a zero-padded number (`058`: scene names pad issues, series names don't),
//! otherwise the last number before the first ` - ` title. So digits in series names stay there
//! (`100 Bullets 058`, `30 Days of Night 01`, `2000 AD 1234`, `Mob Psycho 100 v02`). Bracket
//! groups are never the issue unless nothing outside is (`Batman & Wildcat (1 of 3)`).
//!
//! Numbers are normalised by `normalise_number` (`003` → `3`, `12.50` kept), letter
//! suffixes kept (`5AU`, `78.BEY`), and `½` written as a decimal (`½` → `0.5`, `1½` → `1.5`) so
//! that issue numbers stay sortable.

mod lex;
mod number;

use lex::{Group, Item, Kind, Mark};
pub use number::normalise_number;
use number::Num;

/// What a comic file name says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedName {
    /// The series as written, separators normalised (`Batman - Superman`, `100 Bullets`).
    pub series: Option<String>,
    /// The issue or chapter number, normalised (`003` → `3`); the first of a range.
    pub issue: Option<String>,
    /// How many issues the series has (`(of 6)`, `01 of 12`).
    pub issue_count: Option<String>,
    /// The volume (`v2`, `Vol. 3`, `Volume 02` → `2`; `V2010` → `2010`).
    pub volume: Option<String>,
    /// The (cover) year: a bracketed year after the issue wins over one before it.
    pub year: Option<String>,
    /// The story title after the issue (`Fables 150 - Farewell` → `Farewell`).
    pub title: Option<String>,
    /// Issue, annual, one-shot or range.
    pub kind: NameKind,
    /// The last issue of a range (`001-006` → `6`).
    pub range_end: Option<String>,
    /// Bracketed scene/scan tags and format words, as written (`Digital`, `Zone-Empire`, `TPB`).
    pub tags: Vec<String>,
}

/// What kind of book a file name describes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NameKind {
    /// A numbered issue or chapter.
    Issue,
    /// An annual (`Batman Annual 03`), numbered or not.
    Annual,
    /// No issue number: a TPB, graphic novel, one-shot or collected volume.
    #[default]
    OneShot,
    /// Several issues in one file (`001-006`).
    Range,
}

/// Extensions removed before parsing (any case).
const EXTENSIONS: &[&str] = &[
    "cbz", "cbr", "cb7", "cbt", "zip", "rar", "7z", "pdf", "epub",
];
/// Loose words after the issue that are scan tags, not a title.
const LOOSE_TAGS: &[&str] = &["c2c", "ctc", "digital", "webrip", "noads", "fixed"];

/// Parses a file name (extension optional). Never panics; unknown parts become series text.
pub fn parse(file_name: &str) -> ParsedName {
    let name = file_name.trim();
    let stem = match name.rsplit_once('.') {
        Some((stem, ext)) if EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext)) => stem,
        _ => name,
    };
    classify(&lex::lex(stem.trim()))
}

/// Keyword numbers by strength: `#`/`issue`, then chapter, then `No.`, then episode.
fn tier(item: &Item) -> Option<u8> {
    match item.kind {
        Kind::Mark(Mark::Hash | Mark::Issue, Some(_)) => Some(0),
        Kind::Mark(Mark::Chapter, Some(_)) => Some(1),
        Kind::Mark(Mark::No, Some(_)) => Some(2),
        Kind::Mark(Mark::Episode, Some(_)) => Some(3),
        _ => None,
    }
}

fn num(item: &Item) -> Option<&Num> {
    match &item.kind {
        Kind::Num(n) | Kind::Mark(_, Some(n)) | Kind::NumOf(n, _) => Some(n),
        _ => None,
    }
}

fn group(item: &Item) -> Option<&Group> {
    match &item.kind {
        Kind::Group(g) => Some(g),
        _ => None,
    }
}

/// The first keyword number of the best tier, unless the series owns it.
fn marked_issue(items: &[Item]) -> Option<usize> {
    (0..4).find_map(|t| {
        (0..items.len())
            .filter(|&i| tier(&items[i]) == Some(t))
            .find_map(|i| {
                // `Kaiju No. 8 036`, `Love Potion #9 5`, `Kaiju No. 8 v01`: part of the series.
                match items.get(i + 1).map(|n| &n.kind) {
                    Some(Kind::Num(n)) if t != 1 && !n.year_like => Some(i + 1),
                    Some(Kind::Mark(Mark::Hash, Some(_))) if t != 1 => Some(i + 1),
                    Some(Kind::Mark(Mark::Volume, _)) if t != 1 => None,
                    _ => Some(i),
                }
            })
    })
}

/// The index of the item holding the issue number, outside brackets.
fn pick_issue(items: &[Item], vol: Option<usize>) -> Option<usize> {
    if let Some(i) = marked_issue(items) {
        return Some(i);
    }
    // Segments are the runs between ` - ` separators.
    let seg: Vec<usize> = (items.iter())
        .scan(0, |s, it| {
            *s += usize::from(it.kind == Kind::Sep);
            Some(*s)
        })
        .collect();
    let mut has_text = vec![false; seg.last().map_or(0, |s| s + 1)];
    for (i, it) in items.iter().enumerate() {
        has_text[seg[i]] |= it.kind == Kind::Text;
    }
    // After `v09 - ` a number ending words is the title's (`Battle for Power Part 1`); a
    // number alone between dashes is still the issue (`Daredevil - v6 - 10`).
    let in_title = |i: usize| vol.is_some_and(|v| i > v && seg[i] > seg[v] && has_text[seg[i]]);
    // Before a volume only padded numbers (`Mob Psycho 100 v02`), unless the volume is a year
    // (`DV8 28 V2007`).
    let before_vol_ok = vol.and_then(|v| num(&items[v])).is_none_or(|n| n.year_like);
    let cands: Vec<(usize, &Num, bool)> = (items.iter().enumerate())
        .filter_map(|(i, it)| match &it.kind {
            Kind::Num(n) if n.padded => Some((i, n, true)),
            Kind::Num(n) if (before_vol_ok || vol.is_some_and(|v| i > v)) && !in_title(i) => {
                Some((i, n, false))
            }
            Kind::NumOf(n, _) if !in_title(i) => Some((i, n, n.padded)),
            _ => None,
        })
        .collect();
    // Padded numbers: the last one in the first segment that has one.
    if let Some(first) = cands.iter().find(|c| c.2) {
        let s = seg[first.0];
        return cands
            .iter()
            .rev()
            .find(|c| c.2 && seg[c.0] == s)
            .map(|c| c.0);
    }
    // Otherwise the last number of the first segment that has one, minding years.
    let start = items.iter().position(|it| group(it).is_none());
    let mut segs: Vec<usize> = cands.iter().map(|c| seg[c.0]).collect();
    segs.dedup();
    for s in segs {
        let in_seg: Vec<_> = cands.iter().filter(|c| seg[c.0] == s).collect();
        let last = in_seg[in_seg.len() - 1];
        if !last.1.year_like {
            return Some(last.0);
        }
        // `Saga 54 2018`: a year after the issue; `2000 AD 2000`: the series starts with digits.
        if let [.., prev, _] = in_seg.as_slice() {
            return Some(if Some(prev.0) == start {
                last.0
            } else {
                prev.0
            });
        }
        // `Free Comic Book Day 2021`: a year ending the name is part of it, not an issue.
        let ends =
            (items.get(last.0 + 1)).is_none_or(|n| matches!(n.kind, Kind::Sep | Kind::Group(_)));
        if !ends {
            return Some(last.0);
        }
    }
    None
}

/// Joins item texts, one separator between runs, trimmed of separators and punctuation.
fn join<'a>(items: impl Iterator<Item = &'a Item>) -> Option<String> {
    let mut out = String::new();
    let mut sep: Option<&str> = None;
    for it in items {
        if it.kind == Kind::Sep {
            sep = sep.or(Some(&it.raw));
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
            if let Some(s) = sep {
                out.push_str(s);
                out.push(' ');
            }
        }
        sep = None;
        out.push_str(&it.raw);
    }
    let trim =
        |c: char| c.is_whitespace() || matches!(c, '-' | '–' | '—' | ',' | ':' | ';' | '~' | '|');
    let t = out.trim_matches(trim).trim_end_matches('#').trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// After the issue (or volume): loose tags, a bare year, `of N`, then the title up to the next
/// bracket. Returns the bare year.
fn tail(items: &[Item], anchor: usize, out: &mut ParsedName) -> Option<String> {
    let mut bare_year = None;
    let mut title: Vec<&Item> = Vec::new();
    let mut seen_sep = false;
    let mut i = anchor + 1;
    while let Some(it) = items.get(i) {
        i += 1;
        if !title.is_empty() {
            if group(it).is_some() {
                break;
            }
            title.push(it);
            continue;
        }
        let lower = it.raw.to_ascii_lowercase();
        match &it.kind {
            Kind::Sep => seen_sep = true,
            Kind::Group(_) | Kind::Format | Kind::Tag | Kind::Date(_) => {}
            // `Solanin 028 Vol. 2`; after a ` - ` it is title text (`- Volume 3 Extras`).
            Kind::Mark(Mark::Volume, _) if !seen_sep => {}
            Kind::Num(n) if n.year_like && !seen_sep => {
                bare_year.get_or_insert_with(|| n.value.clone());
            }
            Kind::Text if LOOSE_TAGS.contains(&lower.as_str()) => out.tags.push(it.raw.clone()),
            Kind::Text if lower == "of" && out.issue_count.is_none() => {
                match items.get(i).map(|n| &n.kind) {
                    Some(Kind::Num(c)) => {
                        out.issue_count = Some(c.value.clone());
                        i += 1;
                    }
                    _ => title.push(it),
                }
            }
            _ => title.push(it),
        }
    }
    out.title = join(title.into_iter());
    bare_year
}

fn classify(items: &[Item]) -> ParsedName {
    let mut out = ParsedName::default();
    let groups = || items.iter().filter_map(group);
    let vol_idx = (items.iter()).position(|i| matches!(i.kind, Kind::Mark(Mark::Volume, Some(_))));
    let issue_idx = pick_issue(items, vol_idx);
    let chosen = issue_idx.and_then(|i| num(&items[i])).or_else(|| {
        groups().find_map(|g| match g {
            Group::Issue(n) | Group::IssueCount(n, _) => Some(n),
            _ => None,
        })
    });
    out.issue = chosen.map(|n| n.value.clone());
    out.range_end = chosen.and_then(|n| n.end.clone());
    out.volume = vol_idx
        .and_then(|i| num(&items[i]))
        .map(|n| n.value.clone())
        .or_else(|| {
            groups().find_map(|g| match g {
                Group::Volume(n) => Some(n.value.clone()),
                _ => None,
            })
        });
    if let Some(Kind::NumOf(_, c)) = issue_idx.map(|i| &items[i].kind) {
        out.issue_count = Some(c.clone());
    }
    let bare_year = issue_idx.or(vol_idx).and_then(|a| tail(items, a, &mut out));

    // The series: everything before the issue (or volume, or first bracket), markers removed.
    let first_word = items.iter().position(|i| group(i).is_none());
    let after_text = |i: &usize| first_word.is_some_and(|f| *i > f) && group(&items[*i]).is_some();
    let end = (issue_idx.or(vol_idx))
        .or_else(|| (0..items.len()).find(after_text))
        .unwrap_or(items.len());
    let series_items = items[..end].iter().enumerate().filter(|(i, it)| {
        let text = matches!(
            it.kind,
            Kind::Text | Kind::Sep | Kind::Num(_) | Kind::Mark(..) | Kind::NumOf(..)
        );
        Some(*i) != vol_idx && text
    });
    out.series = join(series_items.map(|(_, it)| it));
    let bare = issue_idx.is_some_and(|i| {
        matches!(
            items[i].kind,
            Kind::Num(_) | Kind::NumOf(..) | Kind::Mark(Mark::Hash, _)
        )
    });
    if out.series.is_none() && bare && issue_idx == first_word {
        // `3 - Critter`, `#3 Scratch9`: a leading number, the series after it.
        out.series = out.title.take();
    }

    // Years: bracketed after the issue, bracketed, a date, bare after the issue, ending the name.
    let years: Vec<(usize, &String)> = (items.iter().enumerate())
        .filter_map(|(i, it)| match group(it) {
            Some(Group::Year(y)) => Some((i, y)),
            _ => None,
        })
        .collect();
    // `Cory Story 2010`: a year ending the name; `Blade Runner 2019 - Volume 1` is a series name.
    let name_year = (0..end).rev().find_map(|i| match &items[i].kind {
        Kind::Num(n) if n.year_like && items.get(i + 1).is_none_or(|n| group(n).is_some()) => {
            Some(n.value.clone())
        }
        _ => None,
    });
    let date = items.iter().find_map(|i| match &i.kind {
        Kind::Date(y) => Some(y.clone()),
        _ => None,
    });
    out.year = (issue_idx.and_then(|k| years.iter().find(|(i, _)| *i > k)))
        .or(years.first())
        .map(|(_, y)| (*y).clone())
        .or(date)
        .or(bare_year)
        .or(name_year);

    for it in items {
        match &it.kind {
            Kind::Group(Group::Count(c) | Group::IssueCount(_, c)) => {
                out.issue_count.get_or_insert_with(|| c.clone());
            }
            Kind::Group(Group::Tag) if !it.raw.is_empty() => out.tags.push(it.raw.clone()),
            Kind::Format | Kind::Tag => out.tags.push(it.raw.clone()),
            _ => {}
        }
    }
    let annual = items[..end].iter().any(|i| {
        i.kind == Kind::Text && matches!(i.raw.to_ascii_lowercase().as_str(), "annual" | "annuals")
    });
    out.kind = match (&out.range_end, &out.issue) {
        (Some(_), _) => NameKind::Range,
        _ if annual => NameKind::Annual,
        (_, None) => NameKind::OneShot,
        _ => NameKind::Issue,
    };
    out
}

#[cfg(test)]
mod tests;
