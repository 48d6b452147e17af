//! Comic archives: ComicInfo.xml, reading and (atomically) rewriting `.cbz` files, naming,
//! and parsing file names.

pub mod archive;
pub mod comicinfo;
/// File names → series, issue, volume, year, count, title and tags (tokenise, then classify).
pub mod filename;
pub mod naming;
/// `.cbr` (RAR4, RAR5) archives: reading within the `.cbz` limits, verified conversion to `.cbz`.
pub mod rar;
