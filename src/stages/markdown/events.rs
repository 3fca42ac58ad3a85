//! Small questions about pulldown-cmark's events: which start or end a block of
//! text, how deep they nest, the plain text between them, and the values
//! pulldown-cmark gives a link's address and an image's alt text. Uses
//! pulldown-cmark-escape, and nothing else in the crate.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};

use super::MAX_NESTING;

/// Tags that start a new block of text.
pub(super) fn is_text_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::List(_)
            | Tag::Item
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::FootnoteDefinition(_)
    )
}

/// Tags whose end closes a block of text.
pub(super) fn ends_text_block(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::FootnoteDefinition
    )
}

/// Writes the link from `events[start]` to `events[end]` with the attribute `extra`
/// after its address: as `Event::Html`, which pulldown-cmark writes as it is and
/// the raw HTML check does not read. Gives the link's attributes, by name and value;
/// `None` if `events[start]` does not start a link. A link that leaves the site gets
/// `rel="noopener noreferrer"`, so that the site it opens cannot reach back to the
/// page or learn where the reader came from; a phone number gets `dir="ltr"`, so
/// that its digits keep their order in text written right to left.
pub(super) fn write_link(
    events: &mut [(Event<'_>, Range<usize>)],
    (start, end): (usize, usize),
    (name, value): (&'static str, &str),
    last_words: &str,
) -> Option<Vec<(&'static str, String)>> {
    let Event::Start(Tag::Link {
        dest_url, title, ..
    }) = &events[start].0
    else {
        return None;
    };
    let mut open = String::from("<a href=\"");
    let escaped = escaped_href(dest_url);
    open.push_str(&escaped);
    let mut attributes = vec![("href", unescaped_href(escaped))];
    if !title.is_empty() {
        open.push_str("\" title=\"");
        let _ = pulldown_cmark_escape::escape_html(&mut open, title);
        attributes.push(("title", title.to_string()));
    }
    open.push_str("\" ");
    open.push_str(name);
    open.push_str("=\"");
    let _ = pulldown_cmark_escape::escape_html(&mut open, value);
    open.push_str("\">");
    attributes.push((name, value.to_owned()));
    events[start].0 = Event::Html(CowStr::from(open));
    events[end].0 = Event::Html(CowStr::from(format!("{last_words}</a>")));
    Some(attributes)
}

/// How deep `events` nest, and where, if deeper than [`MAX_NESTING`].
pub(super) fn too_deep(events: &[(Event<'_>, Range<usize>)]) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut deepest: Option<(usize, usize)> = None;
    for (event, range) in events {
        match event {
            Event::Start(_) => {
                depth += 1;
                if depth > MAX_NESTING && deepest.is_none_or(|(d, _)| depth > d) {
                    deepest = Some((depth, deepest.map_or(range.start, |(_, at)| at)));
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

pub(super) fn find_end(events: &[(Event<'_>, Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (i, (event, _)) in events.iter().enumerate().skip(start) {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

pub(super) fn plain_text(events: &[(Event<'_>, Range<usize>)]) -> String {
    let mut text = String::new();
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                text.push_str(t)
            }
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph) => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// A task list's tick box as text rather than a form control, which would need a
/// label and could not be used anyway: the box, and the hidden words that say it.
pub(super) fn task_marker(done: bool) -> (char, &'static str) {
    if done {
        ('\u{2611}', "Done: ")
    } else {
        ('\u{2610}', "To do: ")
    }
}

/// The tick box `task_marker` gives, as HTML.
pub(super) fn task_marker_html((tick, hidden): (char, &str)) -> String {
    format!(
        "<span class=\"task-list__marker\" aria-hidden=\"true\">{tick}</span><span class=\"visually-hidden\">{hidden}</span>"
    )
}

pub(super) fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// A link's address as the value pulldown-cmark gives its attribute: with the
/// characters an address cannot hold written with `%`.
pub(super) fn href_value(address: &str) -> String {
    unescaped_href(escaped_href(address))
}

/// An address as pulldown-cmark writes it in HTML.
fn escaped_href(address: &str) -> String {
    let mut escaped = String::with_capacity(address.len());
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_href(&mut escaped, address);
    escaped
}

/// An address as pulldown-cmark writes it, read back from its HTML.
fn unescaped_href(escaped: String) -> String {
    if !escaped.contains('&') {
        return escaped;
    }
    // Every `&` that `escape_href` writes starts one of its two entities.
    let mut value = String::with_capacity(escaped.len());
    let mut rest = escaped.as_str();
    while let Some(at) = rest.find('&') {
        value.push_str(&rest[..at]);
        rest = &rest[at..];
        let (character, entity) = match rest.starts_with("&amp;") {
            true => ('&', "&amp;"),
            false => ('\'', "&#x27;"),
        };
        value.push(character);
        rest = rest.get(entity.len()..).unwrap_or_default();
    }
    value.push_str(rest);
    value
}

/// The alt text of an image whose events after its start are `inside`, as
/// pulldown-cmark writes it: their text, up to the image's end. `None` if it holds
/// a footnote's number, which pulldown-cmark gives as it writes the page.
pub(super) fn alt_text(inside: &[(Event<'_>, std::ops::Range<usize>)]) -> Option<String> {
    let mut alt = String::new();
    let mut depth = 0usize;
    for (event, _) in inside {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 0 => break,
            Event::End(_) => depth -= 1,
            Event::InlineHtml(text) | Event::Code(text) | Event::Text(text) => alt.push_str(text),
            Event::InlineMath(text) => alt.push_str(&format!("${text}$")),
            Event::DisplayMath(text) => alt.push_str(&format!("$${text}$$")),
            Event::SoftBreak | Event::HardBreak | Event::Rule => alt.push(' '),
            Event::TaskListMarker(true) => alt.push_str("[x]"),
            Event::TaskListMarker(false) => alt.push_str("[ ]"),
            Event::Html(_) => {}
            Event::FootnoteReference(_) => return None,
        }
    }
    Some(alt)
}
