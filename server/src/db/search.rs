//! The list query of the files table (filters, sort, paging, search) and the trigram search
//! index it uses. Free functions over a connection, so both [`super::files`] and opening the
//! database can call them without depending on each other.

use app::api::{Direction, FileFilter, FilePage, FileQuery, FileRow, FileSort};
use rusqlite::{params, Connection};

/// The columns [`row_from`] reads, in its order.
pub(super) const ROW_COLUMNS: &str =
    "path, name, folder, size, mtime_ns, processed, duplicate, cover_key, cover_error";

/// The row columns named unambiguously, for the list query that may join the search index.
const LIST_COLUMNS: &str =
    "files.path, name, folder, size, mtime_ns, processed, duplicate, cover_key, cover_error";

/// Searches shorter than this scan every row: the trigram index needs three characters.
const MIN_INDEXED_SEARCH: usize = 3;

/// A listed file from a row selected as [`ROW_COLUMNS`].
pub(super) fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<FileRow> {
    let path: String = r.get(0)?;
    let (key, error): (Option<String>, Option<String>) = (r.get(7)?, r.get(8)?);
    Ok(FileRow {
        cover: crate::paths::cover_url(&path, key.as_deref(), error.is_some()),
        path,
        name: r.get(1)?,
        folder: r.get(2)?,
        size: r.get::<_, i64>(3)? as u64,
        modified: r.get::<_, i64>(4)? as f64 / 1e9,
        processed: r.get(5)?,
        duplicate: r.get(6)?,
    })
}

/// Adds the files not yet in the search index (new or renamed ones) to it, in the caller's
/// transaction. The index assigns increasing row ids, which keeps bulk indexing fast.
pub(super) fn index_new_files(conn: &Connection) -> rusqlite::Result<()> {
    let pending: Vec<(String, String)> = conn
        .prepare_cached("SELECT path, sort_key FROM files WHERE search_rowid IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut add = conn.prepare_cached("INSERT INTO files_search (key, path) VALUES (?1, ?2)")?;
    let mut link = conn.prepare_cached("UPDATE files SET search_rowid = ?2 WHERE path = ?1")?;
    for (path, key) in pending {
        add.execute(params![key, path])?;
        link.execute(params![path, conn.last_insert_rowid()])?;
    }
    Ok(())
}

/// One page of the list.
pub(super) fn list(conn: &Connection, q: &FileQuery) -> rusqlite::Result<FilePage> {
    // Marker conditions: counts use the narrow markers index; the page query writes them as
    // `+column` so SQLite walks the sort index instead of sorting every match.
    let mut count_conds: Vec<&str> = Vec::new();
    let mut page_conds: Vec<&str> = Vec::new();
    match q.filter {
        FileFilter::All => {}
        FileFilter::Processed => {
            count_conds.push("processed = 1");
            page_conds.push("+processed = 1");
        }
        FileFilter::Unprocessed => {
            count_conds.push("processed = 0");
            page_conds.push("+processed = 0");
        }
        FileFilter::Duplicates => {
            count_conds.push("duplicate = 1");
            page_conds.push("+duplicate = 1");
        }
    }
    let mut search = q.search.trim().to_lowercase();
    // Long enough for the trigram index: start from its matches (one FTS5 phrase matches as a
    // substring) and look each up by path, instead of testing every row.
    let indexed = search.chars().count() >= MIN_INDEXED_SEARCH;
    let from = if indexed {
        count_conds.push("files_search MATCH ?1");
        page_conds.push("files_search MATCH ?1");
        search = format!("\"{}\"", search.replace('"', "\"\""));
        "files_search CROSS JOIN files ON files.path = files_search.path"
    } else {
        "files"
    };
    if !indexed && !search.is_empty() {
        count_conds.push("instr(sort_key, ?1) > 0");
        page_conds.push("instr(sort_key, ?1) > 0");
    }
    let where_of = |conds: &[&str]| {
        if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        }
    };
    let (count_where, page_where) = (where_of(&count_conds), where_of(&page_conds));
    let dir = match q.direction {
        Direction::Asc => "ASC",
        Direction::Desc => "DESC",
    };
    let order = match q.sort {
        FileSort::Name => format!("sort_key {dir}"),
        FileSort::Date => format!("mtime_ns {dir}, sort_key {dir}"),
        FileSort::Size => format!("size {dir}, sort_key {dir}"),
    };
    let per_page = q.per_page.max(1);
    let page = q.page.max(1);
    let offset = (page as i64 - 1) * per_page as i64;
    let search_param: Vec<&dyn rusqlite::ToSql> = if search.is_empty() {
        vec![]
    } else {
        vec![&search]
    };
    let count = || -> rusqlite::Result<i64> {
        conn.prepare_cached(&format!("SELECT COUNT(*) FROM {from} {count_where}"))?
            .query_row(search_param.as_slice(), |r| r.get(0))
    };
    // An indexed search counts its matches in the page query itself, so the index is searched
    // once; the full list keeps its separate count (a window over every row would read them all).
    // The total follows the row columns read by `row_from` (0–8).
    let total_column = if indexed { ", COUNT(*) OVER ()" } else { "" };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LIST_COLUMNS}{total_column} FROM {from} {page_where} ORDER BY {order} LIMIT {per_page} OFFSET {offset}"
    ))?;
    let mut total = None;
    let files = stmt
        .query_map(search_param.as_slice(), |r| {
            if indexed {
                total = Some(r.get::<_, i64>(9)?);
            }
            row_from(r)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let total = match total {
        Some(n) => n,
        None => count()?,
    };
    let unprocessed: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM files WHERE processed = 0")?
        .query_row([], |r| r.get(0))?;
    let total = total as u64;
    Ok(FilePage {
        files,
        page,
        per_page,
        total_files: total,
        total_pages: (total.div_ceil(per_page as u64)).max(1) as u32,
        unprocessed_count: unprocessed as u64,
    })
}
