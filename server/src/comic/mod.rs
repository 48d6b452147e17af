//! Comic archives: ComicInfo.xml, reading and (atomically) rewriting `.cbz` files, naming.

pub mod archive;
pub mod comicinfo;
pub mod naming;
