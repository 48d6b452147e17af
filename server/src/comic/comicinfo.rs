//! ComicInfo.xml: read into a document that keeps everything Longbox does not own, and written
//! back valid against the ComicInfo schema (elements in schema order).
//!
//! Longbox owns only the fields it sets. Every other element (`<Pages>` and its `<Page>`
//! attributes, enumerated and numeric fields, unknown elements), the root's attributes and
//! namespace declarations, comments and the XML declaration are written back byte for byte;
//! only whitespace between top-level elements is re-indented.

mod pages;
mod read;
mod schema;
#[cfg(test)]
mod tests;

pub use pages::front_cover;
pub use schema::ELEMENT_ORDER;

/// Deepest element nesting accepted (the root is level 1); ComicInfo needs 3.
pub const MAX_DEPTH: usize = 32;

/// The XML declaration of files Longbox creates.
const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";

/// Indentation of top-level elements when the file gives none to copy.
const INDENT: &str = "  ";

/// A ComicInfo.xml document that can be edited field by field and written back losslessly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComicInfo {
    /// Whether the source started with a UTF-8 byte order mark (kept).
    bom: bool,
    /// Everything before the root start tag, verbatim.
    prolog: String,
    /// The root start tag between `<` and `>`: name, attributes and namespace declarations.
    root: String,
    root_name: String,
    /// Line break and indentation put before each top-level element.
    newline: &'static str,
    indent: String,
    /// Top-level elements, always in schema order.
    children: Vec<Child>,
    /// Comments, PIs or stray text after the last top-level element, verbatim.
    trailing: Vec<String>,
    /// Everything after the root end tag, verbatim.
    epilog: String,
}

/// One top-level element.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Child {
    name: String,
    /// Comments, PIs or stray text just before it, verbatim; they move with it.
    leading: Vec<String>,
    /// Its markup as read, written back verbatim until Longbox changes the element.
    raw: Option<String>,
    content: Content,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Content {
    /// A simple field: its text, references resolved.
    Text(String),
    /// An element with child elements (`<Pages>`, unknown structures).
    Nested { pages: usize },
}

/// XML whitespace, which readers do not treat as part of a field's value at either end.
fn trim_xml(text: &str) -> &str {
    text.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// Whether XML 1.0 can carry `c` at all (not even a character reference can carry the others).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Escapes element text; `\r` as a reference because readers turn a literal one into `\n`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

impl Default for ComicInfo {
    fn default() -> Self {
        Self::new()
    }
}

impl ComicInfo {
    /// An empty ComicInfo, as Longbox writes into an archive that has none.
    pub fn new() -> Self {
        Self {
            bom: false,
            prolog: format!("{DECLARATION}\n"),
            root: "ComicInfo xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"".to_string(),
            root_name: "ComicInfo".to_string(),
            newline: "\n",
            indent: INDENT.to_string(),
            children: Vec::new(),
            trailing: Vec::new(),
            epilog: "\n".to_string(),
        }
    }

    /// Parses a ComicInfo.xml; malformed XML, a DOCTYPE, a root other than `<ComicInfo>` or
    /// nesting deeper than [`MAX_DEPTH`] is an error (never a panic).
    pub fn parse(xml: &str) -> Result<Self, String> {
        read::parse(xml)
    }

    /// The text of simple field `field` (trimmed), if present; `None` for `<Pages>` and other
    /// elements with child elements.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.children
            .iter()
            .find(|c| c.name == field)
            .and_then(|c| match &c.content {
                Content::Text(text) => Some(trim_xml(text)),
                Content::Nested { .. } => None,
            })
    }

    /// Sets simple field `field` to `value` (trimmed; characters XML cannot carry dropped); an
    /// empty value removes the element. Other elements of the same name are removed, since the
    /// schema allows one. Setting the value it already has keeps the element's bytes.
    ///
    /// Panics unless `field` is a plain element name (`[A-Za-z_][A-Za-z0-9_.-]*`); field names
    /// are constants in Longbox, and [`render`] checks them first.
    pub fn set(&mut self, field: &str, value: &str) {
        assert!(
            schema::is_element_name(field),
            "not a ComicInfo element name: {field:?}"
        );
        let value: String = trim_xml(value)
            .chars()
            .filter(|&c| is_xml_char(c))
            .collect();
        let value = trim_xml(&value).to_string();
        // One pass (a file may repeat an element many times): keep the first element of this
        // name if there is a value, drop the rest, their comments moving on to what follows.
        let mut first = None;
        let mut carried: Vec<String> = Vec::new();
        let mut kept = Vec::with_capacity(self.children.len());
        for mut child in std::mem::take(&mut self.children) {
            if child.name == field && (first.is_some() || value.is_empty()) {
                carried.append(&mut child.leading);
                continue;
            }
            if !carried.is_empty() {
                child.leading.splice(0..0, carried.drain(..));
            }
            if child.name == field {
                first = Some(kept.len());
            }
            kept.push(child);
        }
        self.children = kept;
        self.trailing.splice(0..0, carried);
        match first {
            Some(i) => {
                let child = &mut self.children[i];
                let unchanged =
                    matches!(&child.content, Content::Text(t) if trim_xml(t) == value.as_str());
                if !unchanged {
                    child.raw = None;
                    child.content = Content::Text(value);
                }
            }
            None if value.is_empty() => {}
            None => {
                let rank = schema::rank(field);
                let at = self
                    .children
                    .iter()
                    .position(|c| schema::rank(&c.name) > rank)
                    .unwrap_or(self.children.len());
                self.children.insert(
                    at,
                    Child {
                        name: field.to_string(),
                        leading: Vec::new(),
                        raw: None,
                        content: Content::Text(value),
                    },
                );
            }
        }
    }

    /// Top-level fields in written order, text trimmed: simple fields with their text, `<Pages>`
    /// as e.g. `("Pages", "12 pages")`; other nested elements are left out.
    pub fn fields(&self) -> Vec<(String, String)> {
        self.children
            .iter()
            .filter_map(|c| match &c.content {
                Content::Text(text) => Some((c.name.clone(), trim_xml(text).to_string())),
                Content::Nested { pages } if c.name == "Pages" => {
                    let plural = if *pages == 1 { "" } else { "s" };
                    Some((c.name.clone(), format!("{pages} page{plural}")))
                }
                Content::Nested { .. } => None,
            })
            .collect()
    }

    /// The document as XML (UTF-8): elements in schema order, unknown ones after the known ones.
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        if self.bom {
            out.push('\u{FEFF}');
        }
        out.push_str(&self.prolog);
        out.push('<');
        out.push_str(&self.root);
        out.push('>');
        let line = |out: &mut String, markup: &str| {
            out.push_str(self.newline);
            out.push_str(&self.indent);
            out.push_str(markup);
        };
        for child in &self.children {
            for misc in &child.leading {
                line(&mut out, misc);
            }
            match (&child.raw, &child.content) {
                (Some(raw), _) => line(&mut out, raw),
                (None, Content::Text(text)) => {
                    let name = &child.name;
                    line(&mut out, &format!("<{name}>{}</{name}>", escape(text)));
                }
                // Nested content is only ever read, so it always has its markup.
                (None, Content::Nested { .. }) => {}
            }
        }
        for misc in &self.trailing {
            line(&mut out, misc);
        }
        out.push_str(self.newline);
        out.push_str("</");
        out.push_str(&self.root_name);
        out.push('>');
        out.push_str(&self.epilog);
        out
    }
}

/// The top-level fields of a ComicInfo.xml (see [`ComicInfo::fields`]).
pub fn parse(xml: &str) -> Result<Vec<(String, String)>, String> {
    Ok(ComicInfo::parse(xml)?.fields())
}

/// `existing_xml` (or a new ComicInfo if `None`) with `updates` applied, written in schema order
/// with everything else preserved; an empty value removes that field.
pub fn render(existing_xml: Option<&str>, updates: &[(&str, String)]) -> Result<String, String> {
    let mut doc = match existing_xml {
        Some(xml) => ComicInfo::parse(xml)?,
        None => ComicInfo::new(),
    };
    for (field, value) in updates {
        if !schema::is_element_name(field) {
            return Err(format!("ComicInfo.xml: {field:?} is not an element name"));
        }
        doc.set(field, value);
    }
    Ok(doc.to_xml())
}
