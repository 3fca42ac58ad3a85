//! A page's HTML written minified as it is made: given the elements and text that
//! pulldown-cmark and this stage write, it writes what minify-html makes of them
//! inside the theme's `<div>`, byte for byte. It keeps and drops the same spaces
//! (by minify-html's rules for each element), writes the same characters as
//! entities, and writes attributes in the same order, quoting and form. The page
//! is then finished without minify-html reading its content again. Whatever it
//! cannot write as minify-html would gives it up: text outside every block, whose
//! spaces depend on the theme, an element it does not know, or a style other than
//! a table cell's alignment. Such a page's content is minified with the rest of the
//! page, as before. It notes each element with attributes, and each image, with
//! its attributes as written, for the HTML check to read rather than the HTML.
//! Uses minify-html-common, whose tables of elements, attributes and entities
//! minify-html itself uses, and `page` and `written_elements`.

use std::borrow::Cow;

use minify_html_common::r#gen::attrs::ATTRS;
use minify_html_common::r#gen::codepoints::ALPHANUMERIC_OR_EQUALS;
use minify_html_common::r#gen::entities::{ENTITY, EntityType};
use minify_html_common::pattern::TrieNodeMatch;
use minify_html_common::spec::tag::ns::Namespace;
use minify_html_common::spec::tag::whitespace::{
    WhitespaceMinification, get_whitespace_minification_for_tag,
};
use minify_html_common::whitespace::{
    collapse_whitespace, is_all_whitespace, left_trim, right_trim,
};

use crate::model::page::MinifiedBody;
use crate::model::written_elements::WrittenElements;

/// The elements this stage and pulldown-cmark write, each by a `'static` name, so
/// that the open elements are held without copying; `None` for any other.
fn known_element(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "a" => "a",
        "blockquote" => "blockquote",
        "br" => "br",
        "code" => "code",
        "del" => "del",
        "div" => "div",
        "em" => "em",
        "h1" => "h1",
        "h2" => "h2",
        "h3" => "h3",
        "h4" => "h4",
        "h5" => "h5",
        "h6" => "h6",
        "hr" => "hr",
        "img" => "img",
        "li" => "li",
        "ol" => "ol",
        "p" => "p",
        "pre" => "pre",
        "span" => "span",
        "strong" => "strong",
        "table" => "table",
        "tbody" => "tbody",
        "td" => "td",
        "th" => "th",
        "thead" => "thead",
        "tr" => "tr",
        "ul" => "ul",
        _ => return None,
    })
}

/// The one element that may hold the whole content: the theme's `<div>`, which
/// the pipeline checks for before it uses what is written here.
const CONTENT_HOLDER: &str = "div";

/// An element open in the HTML being written.
struct Open {
    tag: &'static str,
    /// How minify-html treats the spaces of the element's children.
    spaces: &'static WhitespaceMinification,
    /// Whether it is a `<pre>` or inside one, where every space is kept.
    in_pre: bool,
    /// Whether a child element or text has come yet: the first text child of an
    /// element that trims loses its leading spaces.
    started: bool,
}

impl Open {
    fn new(tag: &'static str, in_pre: bool) -> Open {
        Open {
            tag,
            spaces: get_whitespace_minification_for_tag(Namespace::Html, tag.as_bytes(), in_pre),
            in_pre,
            started: false,
        }
    }
}

/// A page's content being written minified.
pub(super) struct MinifiedHtml {
    out: Vec<u8>,
    /// The open elements, the theme's `<div>` first.
    open: Vec<Open>,
    /// Text given since the last element began or ended: minify-html reads text
    /// between two tags as one.
    text: Vec<u8>,
    /// Each element written with attributes, and each image.
    elements: WrittenElements,
}

impl MinifiedHtml {
    pub(super) fn new(capacity: usize) -> MinifiedHtml {
        MinifiedHtml {
            out: Vec::with_capacity(capacity),
            open: vec![Open::new(CONTENT_HOLDER, false)],
            text: Vec::new(),
            elements: WrittenElements::default(),
        }
    }

    /// Opens `tag` with `attributes`; `None` if it cannot be written as minify-html
    /// would.
    pub(super) fn open(&mut self, tag: &str, attributes: &[(&str, &str)]) -> Option<()> {
        let tag = start_tag(self, tag, attributes)?;
        let in_pre = self.open.last()?.in_pre || tag == "pre";
        self.open.push(Open::new(tag, in_pre));
        Some(())
    }

    /// Writes `tag`, which has no end, with `attributes`.
    pub(super) fn void(&mut self, tag: &str, attributes: &[(&str, &str)]) -> Option<()> {
        start_tag(self, tag, attributes).map(|_| ())
    }

    /// Closes the element open last.
    pub(super) fn close(&mut self) -> Option<()> {
        self.write_text(true)?;
        if self.open.len() < 2 {
            return None;
        }
        let open = self.open.pop()?;
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(open.tag.as_bytes());
        self.out.push(b'>');
        Some(())
    }

    /// Text, as it reads: not yet written as HTML.
    pub(super) fn text(&mut self, text: &str) {
        self.text.extend_from_slice(text.as_bytes());
    }

    /// The content written; `None` if an element is left open.
    pub(super) fn finish(mut self) -> Option<MinifiedBody> {
        self.write_text(true)?;
        if self.open.len() != 1 {
            return None;
        }
        Some(MinifiedBody {
            html: String::from_utf8(self.out).ok()?.into(),
            elements: std::sync::Arc::new(self.elements),
        })
    }

    /// Writes the text given since the last tag, with its spaces as minify-html
    /// keeps them in the element it is in; `last` when nothing follows it there.
    fn write_text(&mut self, last: bool) -> Option<()> {
        if self.text.is_empty() {
            return Some(());
        }
        let mut text = std::mem::take(&mut self.text);
        let in_holder = self.open.len() == 1;
        let parent = self.open.last_mut()?;
        let spaces = parent.spaces;
        if !parent.started {
            parent.started = true;
            if spaces.trim {
                left_trim(&mut text);
            }
        }
        if spaces.destroy_whole && is_all_whitespace(&text) {
            text.clear();
        } else if spaces.collapse {
            collapse_whitespace(&mut text);
        }
        if last && spaces.trim {
            right_trim(&mut text);
        }
        // Text beside the blocks joins the theme's own, whose spaces are not known
        // here.
        if in_holder && !text.is_empty() {
            return None;
        }
        encode_text(&text, &mut self.out);
        self.text = text;
        self.text.clear();
        Some(())
    }
}

/// Writes the start of `tag` with `attributes` after the text before it; gives the
/// tag's `'static` name.
fn start_tag(
    html: &mut MinifiedHtml,
    tag: &str,
    attributes: &[(&str, &str)],
) -> Option<&'static str> {
    let tag = known_element(tag)?;
    html.write_text(false)?;
    html.open.last_mut()?.started = true;
    let out = &mut html.out;
    out.push(b'<');
    out.extend_from_slice(tag.as_bytes());
    let noted = html.elements.attribute_count();
    write_attributes(tag, attributes, (out, &mut html.elements))?;
    out.push(b'>');
    if tag == "img" || html.elements.attribute_count() > noted {
        html.elements.push_element(tag)?;
    }
    Some(tag)
}

/// An attribute's value as minify-html writes it.
enum Value<'v> {
    /// Left out: the element's default.
    Redundant,
    /// The name alone.
    NameOnly,
    Quoted(Vec<u8>),
    Unquoted(Cow<'v, [u8]>),
}

/// Writes `attributes` as minify-html does: those whose values are quoted first,
/// then the others, each set in order of name. An attribute named twice has the
/// value it is given last, as minify-html reads it.
fn write_attributes(
    tag: &str,
    attributes: &[(&str, &str)],
    (out, written): (&mut Vec<u8>, &mut WrittenElements),
) -> Option<()> {
    if !(attributes.iter())
        .all(|(name, _)| name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
    {
        return None;
    }
    if let [(name, value)] = attributes {
        return write_attribute(name, minified_value(tag, name, value)?, (out, written));
    }
    let mut named: Vec<(&str, &str)> = Vec::with_capacity(attributes.len());
    for &(name, value) in attributes {
        match named.iter_mut().find(|(known, _)| *known == name) {
            Some(known) => known.1 = value,
            None => named.push((name, value)),
        }
    }
    let mut quoted = Vec::new();
    let mut unquoted = Vec::new();
    for (name, value) in named {
        match minified_value(tag, name, value)? {
            Value::Redundant => {}
            value @ Value::Quoted(_) => quoted.push((name, value)),
            value => unquoted.push((name, value)),
        }
    }
    quoted.sort_unstable_by(|a, b| a.0.cmp(b.0));
    unquoted.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (name, value) in quoted.into_iter().chain(unquoted) {
        write_attribute(name, value, (out, written))?;
    }
    Some(())
}

fn write_attribute(
    name: &str,
    value: Value,
    (out, written): (&mut Vec<u8>, &mut WrittenElements),
) -> Option<()> {
    // The value as written, if any, and how many of its bytes at each end are
    // quotes.
    let (value, quotes) = match &value {
        Value::Redundant => return Some(()),
        Value::NameOnly => (None, 0),
        Value::Quoted(bytes) => (Some(&bytes[..]), 1),
        Value::Unquoted(bytes) => (Some(&bytes[..]), 0),
    };
    out.push(b' ');
    let name_at = out.len()..out.len() + name.len();
    out.extend_from_slice(name.as_bytes());
    let mut value_at = out.len()..out.len();
    if let Some(value) = value {
        out.push(b'=');
        let start = out.len() + quotes;
        out.extend_from_slice(value);
        value_at = start..(out.len() - quotes).max(start);
    }
    written.push_attribute(name_at, value_at)
}

/// Whether minify-html might write `byte` of a value other than as it is, or
/// quote the value for it.
fn needs_care(byte: u8) -> bool {
    matches!(
        byte,
        b'&' | b'"' | b'\'' | b'=' | b'<' | b'>' | b'`' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' '
    )
}

/// The value of attribute `name` of `tag` as minify-html writes it, with the
/// settings the pipeline minifies with; `None` for a style other than a table
/// cell's alignment, whose CSS minify-html's CSS minifier would rewrite.
fn minified_value<'v>(tag: &str, name: &str, value: &'v str) -> Option<Value<'v>> {
    let rules = ATTRS.get(Namespace::Html, tag.as_bytes(), name.as_bytes());
    let lowered = rules.is_some_and(|rules| rules.case_insensitive)
        && value.bytes().any(|b| b.is_ascii_uppercase());
    let plain = !value.is_empty() && name != "style" && !value.bytes().any(needs_care) && !lowered;
    if plain {
        // What the steps below would make of it, without copying it.
        let value = value.as_bytes();
        return Some(match rules {
            Some(rules) if rules.default_value == Some(value) => Value::Redundant,
            Some(rules) if rules.boolean => Value::NameOnly,
            _ => Value::Unquoted(Cow::Borrowed(value)),
        });
    }
    let mut value = value.as_bytes().to_vec();
    if rules.is_some_and(|rules| rules.trim) {
        right_trim(&mut value);
        left_trim(&mut value);
    }
    if rules.is_some_and(|rules| rules.collapse) {
        collapse_whitespace(&mut value);
    }
    if name == "style" {
        value = match &value[..] {
            b"text-align: left" => b"text-align:left".to_vec(),
            b"text-align: center" => b"text-align:center".to_vec(),
            b"text-align: right" => b"text-align:right".to_vec(),
            _ => return None,
        };
    }
    if rules.is_some_and(|rules| rules.case_insensitive) {
        value.make_ascii_lowercase();
    }
    let redundant = rules.is_some_and(|rules| {
        (value.is_empty() && rules.redundant_if_empty) || rules.default_value == Some(&value[..])
    });
    if redundant {
        return Some(Value::Redundant);
    }
    if rules.is_some_and(|rules| rules.boolean) || value.is_empty() {
        return Some(Value::NameOnly);
    }
    let encoded = encode_entities(&value, true);
    let double = replace_bytes(&encoded, |b| (b == b'"').then_some(&b"&#34;"[..]));
    let single = replace_bytes(&encoded, |b| (b == b'\'').then_some(&b"&#39;"[..]));
    let bare = replace_bytes(&encoded, unquoted_entity);
    // Double quotes unless single ones are shorter; quotes over none when as long.
    let quoted = match single.len() < double.len() {
        true => quote(b'\'', single),
        false => quote(b'"', double),
    };
    Some(match bare.len() < quoted.len() {
        true => Value::Unquoted(Cow::Owned(bare)),
        false => Value::Quoted(quoted),
    })
}

fn quote(mark: u8, value: Vec<u8>) -> Vec<u8> {
    let mut quoted = Vec::with_capacity(value.len() + 2);
    quoted.push(mark);
    quoted.extend_from_slice(&value);
    quoted.push(mark);
    quoted
}

/// What a character becomes in a value without quotes, by the HTML standard's
/// rules as minify-html writes them (a backtick as `&#6;` included).
fn unquoted_entity(byte: u8) -> Option<&'static [u8]> {
    Some(match byte {
        b'\t' => b"&#9;",
        b'\n' => b"&#10;",
        b'\x0c' => b"&#12;",
        b'\r' => b"&#13;",
        b' ' => b"&#32;",
        b'"' => b"&#34;",
        b'\'' => b"&#39;",
        b'=' => b"&#61;",
        b'`' => b"&#6;",
        b'<' => b"&lt;",
        b'>' => b"&gt;",
        _ => return None,
    })
}

/// `bytes` with each byte that `entity` names replaced by what it gives.
fn replace_bytes(bytes: &[u8], entity: impl Fn(u8) -> Option<&'static [u8]>) -> Vec<u8> {
    let mut replaced = Vec::with_capacity(bytes.len());
    for &byte in bytes {
        match entity(byte) {
            Some(written) => replaced.extend_from_slice(written),
            None => replaced.push(byte),
        }
    }
    replaced
}

/// Writes text as minify-html does: `<` always as `&lt;`, and `&` as `&amp;` only
/// where what follows it could be read as an entity.
fn encode_text(text: &[u8], out: &mut Vec<u8>) {
    if !text.iter().any(|&b| b == b'&' || b == b'<') && !has_shorter_as_entity(text) {
        out.extend_from_slice(text);
        return;
    }
    let encoded = encode_entities(text, false);
    for &byte in &encoded {
        match byte {
            b'<' => out.extend_from_slice(b"&lt;"),
            _ => out.push(byte),
        }
    }
}

/// The only characters minify-html writes as entities because they are shorter so:
/// `≫⃒` and `≪⃒`.
const SHORTER_AS_ENTITY: [(&str, &str); 2] =
    [("\u{226B}\u{20D2}", "&nGt;"), ("\u{226A}\u{20D2}", "&nLt;")];

/// Whether `text` has a character shorter as an entity. Both start with the byte
/// that starts every curly quote and dash, so each such byte is looked at.
fn has_shorter_as_entity(text: &[u8]) -> bool {
    memchr::memchr_iter(0xE2, text).any(|at| {
        (SHORTER_AS_ENTITY.iter())
            .any(|(character, _)| text[at..].starts_with(character.as_bytes()))
    })
}

/// minify-html's encoding of `&`: as `&amp;` where it and what follows could be
/// read as an entity (in an attribute, not when a named entity without its `;` is
/// followed by a letter, digit or `=`, which the standard does not read as one),
/// and otherwise as it is; then the characters shorter as entities.
fn encode_entities(mut code: &[u8], in_attribute: bool) -> Vec<u8> {
    let mut encoded = Vec::with_capacity(code.len() + 8);
    while !code.is_empty() {
        let Some(at) = memchr::memchr(b'&', code) else {
            encoded.extend_from_slice(code);
            break;
        };
        encoded.extend_from_slice(&code[..at]);
        code = &code[at..];
        let (start, end) = match ENTITY.longest_matching_prefix(code) {
            TrieNodeMatch::NotFound { reached } => (0, reached),
            TrieNodeMatch::Found { len, value } => match value {
                EntityType::Named(_)
                    if in_attribute
                        && code[len - 1] != b';'
                        && code.get(len).is_some_and(|&c| ALPHANUMERIC_OR_EQUALS[c]) =>
                {
                    (0, len)
                }
                _ => {
                    encoded.extend_from_slice(b"&amp;");
                    (1, len)
                }
            },
        };
        // The entity trie starts at `&`, so at least the `&` is read.
        let end = end.max(1);
        encoded.extend_from_slice(&code[start.min(end)..end]);
        code = &code[end..];
    }
    if has_shorter_as_entity(&encoded) {
        for (character, entity) in SHORTER_AS_ENTITY {
            if memchr::memmem::find(&encoded, character.as_bytes()).is_some() {
                encoded = replace_all(&encoded, character.as_bytes(), entity.as_bytes());
            }
        }
    }
    encoded
}

fn replace_all(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut replaced = Vec::with_capacity(bytes.len());
    let mut rest = 0;
    for at in memchr::memmem::find_iter(bytes, from) {
        replaced.extend_from_slice(&bytes[rest..at]);
        replaced.extend_from_slice(to);
        rest = at + from.len();
    }
    replaced.extend_from_slice(&bytes[rest..]);
    replaced
}

#[cfg(test)]
mod tests {
    use super::super::tests::{page, rendered, same_both_ways};
    use super::known_element;

    /// Elements with their attributes' names and values.
    type Elements = Vec<(&'static str, Vec<(String, String)>)>;

    /// A page with `body`'s content as written minified as it was made, and as
    /// minify-html makes it from the content's HTML inside a `<div>`.
    fn minified_both_ways(body: &str) -> (Option<String>, String) {
        let (rendered, _) = rendered(&page("play.md", body));
        let held = format!("<div>\n{}\n</div>", &*rendered.html);
        let minified = crate::stages::minify::html(held.as_bytes());
        let minified = String::from_utf8(minified).unwrap();
        let inside = minified
            .strip_prefix("<div>")
            .and_then(|rest| rest.strip_suffix("</div>"))
            .unwrap()
            .to_owned();
        if let Some(made) = &*rendered.minified {
            let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).unwrap();
            let written: Elements = (made.elements.each(made.html.as_bytes()))
                .map(|(tag, attributes)| {
                    let attributes = attributes.map(|(name, value)| (text(name), text(value)));
                    (tag, attributes.collect())
                })
                .collect();
            assert_eq!(written, elements_of(&inside), "{body}");
        }
        (rendered.minified.0.map(|made| made.html.into()), inside)
    }

    /// Each element of `html` with attributes, and each image, with its attributes
    /// as lol_html gives them, as the HTML check reads them.
    fn elements_of(html: &str) -> Elements {
        let found = std::cell::RefCell::new(Vec::new());
        let settings = lol_html::RewriteStrSettings::new().append_element_content_handler(
            lol_html::element!("*", |el| {
                let attributes: Vec<(String, String)> = (el.attributes().iter())
                    .map(|a| (a.name(), a.value()))
                    .collect();
                let tag = known_element(&el.tag_name()).expect("an element written here");
                if tag == "img" || !attributes.is_empty() {
                    found.borrow_mut().push((tag, attributes));
                }
                Ok(())
            }),
        );
        lol_html::rewrite_str(html, settings).unwrap();
        found.into_inner()
    }

    #[test]
    fn content_written_minified_is_what_minify_html_makes_of_it() {
        same_both_ways(minified_both_ways);
    }
}
