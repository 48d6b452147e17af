//! Which page is the cover: the image ComicInfo.xml marks `FrontCover`, else the first image
//! in natural sort order (`2.jpg` before `10.jpg`), as comic readers order pages.

use crate::comic::{archive, comicinfo};
use std::cmp::Ordering;

/// Compares names the way people count: runs of digits by value, the rest case-insensitively.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (da, ra) = split_digits(a);
                let (db, rb) = split_digits(b);
                let (ta, tb) = (trim_zeros(da), trim_zeros(db));
                let by_value = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                // Equal values: fewer leading zeros first, so the order is total.
                match by_value.then_with(|| da.len().cmp(&db.len())) {
                    Ordering::Equal => (a, b) = (ra, rb),
                    other => return other,
                }
            }
            (Some(x), Some(y)) => match x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()) {
                Ordering::Equal => (a, b) = (&a[1..], &b[1..]),
                other => return other,
            },
        }
    }
}

fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    s.split_at(n)
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| **c == b'0').count();
    &s[n..]
}

/// Whether an entry is a page: an image, and not a hidden file or macOS metadata
/// (`__MACOSX/._001.jpg` is no picture).
fn is_page(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    archive::is_image(name) && !file.starts_with('.') && !name.starts_with("__MACOSX/")
}

/// The index (into `names`, archive order) of the cover page. ComicInfo's `Image` numbers the
/// pages in reading order (natural sort), from 0; an index past the last page is ignored.
pub fn choose(names: &[String], comic_info: Option<&str>) -> Option<usize> {
    let mut pages: Vec<usize> = (0..names.len()).filter(|&i| is_page(&names[i])).collect();
    pages.sort_by(|&x, &y| natural_cmp(&names[x], &names[y]));
    let marked = comic_info.and_then(comicinfo::front_cover);
    marked
        .and_then(|n| pages.get(n))
        .or_else(|| pages.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn natural_order_counts_numbers() {
        let mut v = names(&["p10.jpg", "p2.jpg", "P1.jpg", "p02.jpg", "a.jpg"]);
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            names(&["a.jpg", "P1.jpg", "p2.jpg", "p02.jpg", "p10.jpg"])
        );
        assert_eq!(natural_cmp("x", "x"), Ordering::Equal);
        assert_eq!(natural_cmp("x9", "x10"), Ordering::Less);
    }

    #[test]
    fn the_first_page_in_natural_order_is_the_cover() {
        let n = names(&[
            "ComicInfo.xml",
            "__MACOSX/._01.jpg",
            "pages/10.jpg",
            "pages/.hidden.jpg",
            "pages/2.jpg",
            "notes.txt",
        ]);
        assert_eq!(choose(&n, None), Some(4));
        assert_eq!(choose(&names(&["notes.txt", "ComicInfo.xml"]), None), None);
    }

    #[test]
    fn comic_info_front_cover_wins_when_it_names_a_page() {
        let n = names(&["3.png", "1.png", "2.png"]);
        let xml = |i: usize| {
            format!(
                r#"<ComicInfo><Pages><Page Image="{i}" Type="FrontCover"/></Pages></ComicInfo>"#
            )
        };
        // Image 1 is the second page in reading order: 2.png.
        assert_eq!(choose(&n, Some(&xml(1))), Some(2));
        assert_eq!(
            choose(&n, Some(&xml(7))),
            Some(1),
            "past the end: first page"
        );
    }
}
