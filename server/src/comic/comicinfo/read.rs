//! Reading ComicInfo.xml into a [`ComicInfo`] that keeps every byte Longbox does not own.
//!
//! Hostile input is expected (archives come from anywhere): no panics, nesting bounded, no DTD
//! (so no entity declarations and nothing to expand), every event's source slice kept verbatim.

use super::{trim_xml, Child, ComicInfo, Content, MAX_DEPTH};
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

/// Where the reader is in the document.
enum Stage {
    /// Before the root element: XML declaration, comments, PIs, whitespace.
    Prolog,
    /// Directly inside the root element.
    Root,
    /// Inside a top-level element.
    Child(Open),
    /// After the root element: comments, PIs, whitespace.
    Epilog,
}

/// A top-level element being read.
struct Open {
    name: String,
    /// Where its start tag begins in the source.
    start: usize,
    /// Nesting depth of the reader (the root is 1, this element 2).
    depth: usize,
    /// Its own text (refs resolved, CDATA included); grandchildren's text is not part of it.
    text: String,
    /// Whether it has child elements (then it is not a simple field).
    nested: bool,
    /// How many `<Page>` children it has (meaningful for `<Pages>`).
    pages: usize,
}

fn err(what: impl std::fmt::Display) -> String {
    format!("ComicInfo.xml: {what}")
}

/// Refuses ill-formed attributes (duplicates, missing quotes), which quick-xml checks lazily.
fn check_attributes(tag: &BytesStart) -> Result<(), String> {
    for attribute in tag.attributes() {
        attribute.map_err(err)?;
    }
    Ok(())
}

fn is_xml_space(text: &str) -> bool {
    text.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// Appends what a reference stands for: a character reference or one of XML's five entities.
/// Anything else is kept as written: without a DTD nothing else can be defined, and Longbox never
/// expands entities.
fn push_reference(out: &mut String, reference: &BytesRef) {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        out.push(c);
    } else if let Some(s) = quick_xml::escape::resolve_xml_entity(reference) {
        out.push_str(s);
    } else {
        out.push('&');
        out.push_str(reference);
        out.push(';');
    }
}

/// The indentation a whitespace run ends with, if it is a plain newline-and-indent.
fn indent_of(space: &str) -> Option<(&'static str, String)> {
    let (_, tail) = space.rsplit_once('\n')?;
    let newline = if space.contains("\r\n") { "\r\n" } else { "\n" };
    tail.chars()
        .all(|c| c == ' ' || c == '\t')
        .then(|| (newline, tail.to_string()))
}

/// An XML declaration, kept unless it names an encoding other than UTF-8 (Longbox always writes
/// UTF-8, so such a declaration would lie).
fn declaration(raw: &str, decl: &quick_xml::events::BytesDecl) -> String {
    match decl.encoding() {
        None => raw.to_string(),
        Some(Ok(enc)) if enc.eq_ignore_ascii_case("utf-8") || enc.eq_ignore_ascii_case("utf8") => {
            raw.to_string()
        }
        Some(_) => super::DECLARATION.to_string(),
    }
}

/// Takes the comments, PIs and stray text read since the last element; stray text is trimmed
/// because the writer puts each piece on a line of its own.
fn file(pending: &mut Vec<String>) -> Vec<String> {
    std::mem::take(pending)
        .into_iter()
        .map(|p| trim_xml(&p).to_string())
        .collect()
}

/// Parses `xml` (see [`ComicInfo::parse`]).
pub(super) fn parse(xml: &str) -> Result<ComicInfo, String> {
    let (bom, text) = match xml.strip_prefix('\u{FEFF}') {
        Some(rest) => (true, rest),
        None => (false, xml),
    };
    let mut doc = ComicInfo {
        bom,
        prolog: String::new(),
        root: String::new(),
        root_name: String::new(),
        newline: "\n",
        indent: String::new(),
        children: Vec::new(),
        trailing: Vec::new(),
        epilog: String::new(),
    };
    let mut indent: Option<(&'static str, String)> = None;
    let mut pending: Vec<String> = Vec::new();
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_comments = true;
    let mut stage = Stage::Prolog;
    let mut in_text = false;
    let mut pos = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| err(format!("{e} (at byte {})", reader.error_position())))?;
        let end = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let start = pos;
        let raw = text
            .get(start..end)
            .ok_or_else(|| err("reader lost its place"))?;
        pos = end;
        if let Event::DocType(_) = event {
            return Err(err("DOCTYPE declarations are not allowed"));
        }
        if let Event::Decl(decl) = &event {
            if start != 0 {
                return Err(err("XML declaration not at the start"));
            }
            doc.prolog.push_str(&declaration(raw, decl));
            continue;
        }
        let is_empty = matches!(event, Event::Empty(_));
        let was_text = std::mem::take(&mut in_text);
        stage = match stage {
            Stage::Prolog => match event {
                Event::Comment(_) | Event::PI(_) => {
                    doc.prolog.push_str(raw);
                    Stage::Prolog
                }
                Event::Text(t) if is_xml_space(&t) => {
                    doc.prolog.push_str(raw);
                    Stage::Prolog
                }
                Event::Start(tag) | Event::Empty(tag) => {
                    let name = tag.name();
                    if name.as_ref() != "ComicInfo" {
                        let name = name.as_ref().to_string();
                        return Err(err(format!("root element is <{name}>, not <ComicInfo>")));
                    }
                    check_attributes(&tag)?;
                    doc.root = tag.to_string();
                    doc.root_name = "ComicInfo".to_string();
                    if is_empty {
                        Stage::Epilog
                    } else {
                        Stage::Root
                    }
                }
                Event::Eof => return Err(err("no <ComicInfo> element")),
                _ => return Err(err("content before the root element")),
            },
            Stage::Root => match event {
                // Stray text continues a run of text: kept as one piece (trimmed when filed).
                Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) if was_text => {
                    in_text = true;
                    if let Some(run) = pending.last_mut() {
                        run.push_str(raw);
                    }
                    Stage::Root
                }
                Event::Text(t) if is_xml_space(&t) => {
                    if indent.is_none() && doc.children.is_empty() && pending.is_empty() {
                        indent = indent_of(&t);
                    }
                    Stage::Root
                }
                Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) => {
                    pending.push(raw.to_string());
                    in_text = true;
                    Stage::Root
                }
                Event::Comment(_) | Event::PI(_) => {
                    pending.push(raw.to_string());
                    Stage::Root
                }
                Event::Start(tag) => {
                    check_attributes(&tag)?;
                    Stage::Child(Open {
                        name: tag.name().as_ref().to_string(),
                        start,
                        depth: 2,
                        text: String::new(),
                        nested: false,
                        pages: 0,
                    })
                }
                Event::Empty(tag) => {
                    check_attributes(&tag)?;
                    let name = tag.name().as_ref().to_string();
                    let content = if name == "Pages" {
                        Content::Nested { pages: 0 }
                    } else {
                        Content::Text(String::new())
                    };
                    doc.children.push(Child {
                        name,
                        leading: file(&mut pending),
                        raw: Some(raw.to_string()),
                        content,
                    });
                    Stage::Root
                }
                Event::End(_) => {
                    doc.trailing = file(&mut pending);
                    Stage::Epilog
                }
                Event::Eof => return Err(err("<ComicInfo> is not closed")),
                _ => return Err(err("unexpected markup inside <ComicInfo>")),
            },
            Stage::Child(mut open) => {
                let is_start = matches!(event, Event::Start(_));
                match event {
                    Event::Start(tag) | Event::Empty(tag) => {
                        check_attributes(&tag)?;
                        if open.depth + 1 > MAX_DEPTH {
                            return Err(err(format!("nested deeper than {MAX_DEPTH} levels")));
                        }
                        if open.depth == 2 {
                            open.nested = true;
                            if tag.name().as_ref() == "Page" {
                                open.pages += 1;
                            }
                        }
                        if is_start {
                            open.depth += 1;
                        }
                    }
                    Event::Text(t) if open.depth == 2 => open.text.push_str(&t.xml10_content()),
                    Event::CData(t) if open.depth == 2 => open.text.push_str(&t.xml10_content()),
                    Event::GeneralRef(r) if open.depth == 2 => push_reference(&mut open.text, &r),
                    Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {}
                    Event::Comment(_) | Event::PI(_) => {}
                    Event::End(_) => open.depth -= 1,
                    Event::Eof => return Err(err(format!("<{}> is not closed", open.name))),
                    _ => return Err(err(format!("unexpected markup inside <{}>", open.name))),
                }
                if open.depth == 1 {
                    let raw = text
                        .get(open.start..end)
                        .ok_or_else(|| err("reader lost its place"))?;
                    let content = if open.nested || open.name == "Pages" {
                        Content::Nested { pages: open.pages }
                    } else {
                        Content::Text(open.text)
                    };
                    doc.children.push(Child {
                        name: open.name,
                        leading: file(&mut pending),
                        raw: Some(raw.to_string()),
                        content,
                    });
                    Stage::Root
                } else {
                    Stage::Child(open)
                }
            }
            Stage::Epilog => match event {
                Event::Comment(_) | Event::PI(_) => {
                    doc.epilog.push_str(raw);
                    Stage::Epilog
                }
                Event::Text(t) if is_xml_space(&t) => {
                    doc.epilog.push_str(raw);
                    Stage::Epilog
                }
                Event::Eof => break,
                _ => return Err(err("content after the root element")),
            },
        };
    }
    if let Some((newline, indent)) = indent {
        doc.newline = newline;
        doc.indent = indent;
    } else {
        doc.indent = super::INDENT.to_string();
    }
    // Schema order; stable, so unknown elements (and duplicates) keep their relative order.
    doc.children.sort_by_key(|c| super::schema::rank(&c.name));
    Ok(doc)
}
