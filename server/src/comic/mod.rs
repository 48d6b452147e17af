//! Comic archives: ComicInfo.xml, reading and (atomically) rewriting `.cbz` files, naming,
//! and parsing file names.

pub mod archive;
pub mod comicinfo;
/// File names → series, issue, volume, year, count, title and tags (tokenise, then classify).
pub mod filename;
pub mod naming;
