//! Minification: shrinks HTML pages and stylesheets with minify-html, and finishes
//! each page a template made in the form it is kept in: readable, for snapshots, or
//! minified, as a build writes it and `check` checks it, with each part that many
//! pages share minified once and held once. The settings of minify-html live here and
//! nowhere else; they keep the output valid HTML (a normal doctype, quoted
//! attributes where the standard needs them, closing tags). minify-html's faster
//! one-pass minifier is not used: it leaves `=` in unquoted attribute values, such
//! as a web address with a query, which the HTML standard does not allow. A page's
//! content that the markdown stage wrote minified is not minified again: the rest
//! of the page is minified around it. Uses minify-html and memchr, and
//! `shared_parts`, `stored`, `memo` and `cache_key`.

use std::ops::Range;
use std::sync::Arc;

use minify_html::Cfg;

use crate::memo::MemoKey;
use crate::support::shared_parts::{self, Body, Part, PartId, PartList};
use crate::support::stored::Stored;

/// The form pages are finished in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// As the templates wrote them, for snapshots.
    Readable,
    /// Minified as soon as each is made, as a build writes them, so that only one
    /// copy of each page is ever held; the HTML check then reads what is written.
    Minified,
}

impl Form {
    /// Finishes HTML that is not a whole page, leaving any shared parts in place.
    pub fn finish(self, text: String) -> Vec<u8> {
        let text = shared_parts::unmark(text);
        match self {
            Form::Readable => text.into_bytes(),
            Form::Minified => html(text.as_bytes()),
        }
    }

    /// Finishes a page: its own bytes, and its shared parts, each given by `part`,
    /// with `list` where its mark is. Readable pages keep their marked parts in
    /// place. `part` gives the same bytes for the same text, kept once, so that each
    /// part is held once, however many pages have it. A minified page whose
    /// `content` was written minified as it was made is minified without it, and
    /// has it put back where it was: where that is in the page's own bytes comes
    /// with the page.
    pub fn finish_page(
        self,
        page: String,
        content: Option<MadeContent>,
        list: Option<&PartList>,
        part: &(dyn Fn(PartText) -> Arc<Part> + Sync),
    ) -> (Body, Option<Range<usize>>) {
        if self == Form::Minified {
            if let Some(content) = content
                && let Some(finished) = minified_around(&page, content, list, part)
            {
                let at = find_once(finished.own(), content.minified.as_bytes());
                return (finished, at.map(|at| at..at + content.minified.len()));
            }
            if let Some(finished) = minified_apart(&page, list, part, Some) {
                return (finished, None);
            }
        }
        let whole = self.finish(page);
        let finished = match shared_parts::put_back(&whole, Vec::new(), list) {
            Some(put_back) => put_back,
            None => Body::Whole(Stored::from(whole)),
        };
        (finished, None)
    }

    /// A byte for keys: the same page is kept apart in each form.
    pub fn marker(self) -> u8 {
        u8::from(self == Form::Minified)
    }
}

/// A page's content as the templates were given it, and as it was written minified
/// as it was made: minify-html would make the one the other within a `<div>`.
#[derive(Debug, Clone, Copy)]
pub struct MadeContent<'a> {
    pub readable: &'a str,
    pub minified: &'a str,
}

/// Holds the content's place while the rest of a page is minified. minify-html
/// drops the space between the two elements only in an element whose spaces it
/// drops whole, such as a `<div>`, which is what the content was written minified
/// for; and keeps the spaces inside each only where an HTML element's text keeps
/// them, not in SVG. Anywhere else, or wherever a `<pre>` keeps every space, the
/// placeholder is not found as it should be, and the page is minified whole. A
/// `<span>` neither closes the element it is in nor is closed by what follows, as
/// a `<p>` could be. The mark in each is [`shared_parts::CONTENT_MARK`].
const CONTENT_PLACEHOLDER: &str = "<span> \u{FDD3} </span> <span> \u{FDD3} </span>";
const CONTENT_PLACEHOLDER_MINIFIED: &str = "<span> \u{FDD3} </span><span> \u{FDD3} </span>";

/// A page minified with its shared parts cut out and each finished once through
/// `part`, and `splice` made of the rest before the parts go back into it. `None` if
/// `splice` gives nothing, or the parts and their places do not pair up.
fn minified_apart(
    page: &str,
    list: Option<&PartList>,
    part: &(dyn Fn(PartText) -> Arc<Part> + Sync),
    splice: impl FnOnce(Vec<u8>) -> Option<Vec<u8>>,
) -> Option<Body> {
    let (rest, parts) = match shared_parts::cut(page) {
        Some(cut) => {
            let parts = (cut.parts.iter())
                .map(|text| {
                    part(PartText {
                        form: Form::Minified,
                        text,
                    })
                })
                .collect();
            (html(cut.rest.as_bytes()), parts)
        }
        None => (
            html(shared_parts::unmark(page.to_owned()).as_bytes()),
            Vec::new(),
        ),
    };
    shared_parts::put_back(&splice(rest)?, parts, list)
}

/// A page minified around its content: the content, where the templates put it, is
/// held by a placeholder while the rest is minified, and then put back as written
/// minified. `None` if the content is not in the page, or not where it can go back
/// as it was written, or if the page or the content holds a mark of its own, which
/// would pair up with other marks differently once the content is taken out.
fn minified_around(
    page: &str,
    content: MadeContent,
    list: Option<&PartList>,
    part: &(dyn Fn(PartText) -> Arc<Part> + Sync),
) -> Option<Body> {
    let readable = content.readable;
    if readable.is_empty()
        || shared_parts::has_any_mark(content.minified)
        || page.contains(shared_parts::CONTENT_MARK)
    {
        return None;
    }
    let at = find(page.as_bytes(), readable.as_bytes())?;
    let held = [
        &page[..at],
        CONTENT_PLACEHOLDER,
        &page[at + readable.len()..],
    ]
    .concat();
    minified_apart(&held, list, part, |rest| {
        let placeholder = CONTENT_PLACEHOLDER_MINIFIED.as_bytes();
        let mut found = memchr::memmem::find_iter(&rest, placeholder);
        let at = found.next()?;
        if found.next().is_some() {
            return None;
        }
        let mut own = Vec::with_capacity(rest.len() + content.minified.len());
        own.extend_from_slice(&rest[..at]);
        own.extend_from_slice(content.minified.as_bytes());
        own.extend_from_slice(&rest[at + placeholder.len()..]);
        Some(own)
    })
}

/// Where `text`, which is not empty, first is in `page`. Its first bytes are looked
/// for, and the rest compared where they are: made ready for the whole of a long
/// text, memchr's search costs more than the search itself.
fn find(page: &[u8], text: &[u8]) -> Option<usize> {
    let start = &text[..text.len().min(32)];
    memchr::memmem::find_iter(page, start).find(|&at| page[at..].starts_with(text))
}

/// Where `text`, which is not empty, is in `page`, if it is there once only.
fn find_once(page: &[u8], text: &[u8]) -> Option<usize> {
    let at = find(page, text)?;
    find(&page[at + 1..], text).is_none().then_some(at)
}

/// The input of a stage whose output is finished in `form`: the same input makes a
/// different output in each form.
pub struct InForm<I> {
    pub input: I,
    pub form: Form,
}

impl<I: MemoKey> MemoKey for InForm<I> {
    fn memo_key(&self) -> blake3::Hash {
        crate::support::cache_key::of([&[self.form.marker()], self.input.memo_key().as_bytes()])
    }
}

/// The text of a part that many pages share, to be finished once in `form`.
#[derive(Debug, Clone, Copy)]
pub struct PartText<'a> {
    pub form: Form,
    pub text: &'a str,
}

impl MemoKey for PartText<'_> {
    /// A part can be long: it is hashed where it is, not gathered first.
    fn memo_key(&self) -> blake3::Hash {
        let mut hasher = blake3::Hasher::new();
        hasher.update(&[self.form.marker()]);
        hasher.update(self.text.as_bytes());
        hasher.finalize()
    }
}

/// A part that many pages share, finished.
pub fn part(part: &PartText) -> Arc<Part> {
    Arc::new(Part {
        id: PartId(part.memo_key()),
        bytes: part.form.finish(part.text.to_owned()).into_boxed_slice(),
    })
}

/// A stylesheet, to be minified once.
pub struct Stylesheet<'a>(pub &'a [u8]);

impl MemoKey for Stylesheet<'_> {
    fn memo_key(&self) -> blake3::Hash {
        blake3::hash(self.0)
    }
}

/// A stylesheet, minified.
pub fn stylesheet(stylesheet: &Stylesheet) -> Arc<[u8]> {
    Arc::from(css(stylesheet.0))
}

fn settings() -> Cfg {
    Cfg {
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        keep_comments: false,
        minify_css: true,
        minify_js: false,
        minify_doctype: false,
        allow_noncompliant_unquoted_attribute_values: false,
        allow_optimal_entities: false,
        allow_removing_spaces_between_attributes: false,
        ..Cfg::default()
    }
}

/// Minifies a whole HTML page, or a part of one.
pub fn html(page: &[u8]) -> Vec<u8> {
    minify_html::minify(page, &settings())
}

/// Minifies a stylesheet, using the same CSS minifier as for `<style>` elements.
pub fn css(stylesheet: &[u8]) -> Vec<u8> {
    const OPEN: &[u8] = b"<style>";
    const CLOSE: &[u8] = b"</style>";
    let mut wrapped = Vec::with_capacity(stylesheet.len() + OPEN.len() + CLOSE.len());
    wrapped.extend_from_slice(OPEN);
    wrapped.extend_from_slice(stylesheet);
    wrapped.extend_from_slice(CLOSE);
    let minified = minify_html::minify(&wrapped, &settings());
    match minified
        .strip_prefix(OPEN)
        .and_then(|rest| rest.strip_suffix(CLOSE))
    {
        Some(inner) => inner.to_vec(),
        None => stylesheet.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_keeps_doctype_and_closing_tags() {
        let page = b"<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head><title>T</title></head>\n<body>\n  <p>One   two</p>\n  <!-- note -->\n<pre>  kept\n  as is</pre></body>\n</html>\n";
        let minified = String::from_utf8(html(page)).unwrap();
        assert!(
            minified.starts_with("<!doctype html><html lang=en-GB>"),
            "{minified}"
        );
        assert!(minified.contains("<p>One two</p>"), "{minified}");
        assert!(
            minified.contains("<pre>  kept\n  as is</pre>"),
            "{minified}"
        );
        assert!(!minified.contains("note"));
    }

    #[test]
    fn web_addresses_with_a_query_stay_quoted() {
        let minified = html(b"<a href=\"https://example.org/?p=153\">x</a>");
        let minified = String::from_utf8(minified).unwrap();
        assert_eq!(minified, "<a href=\"https://example.org/?p=153\">x</a>");
    }

    #[test]
    fn a_part_of_a_page_minifies_on_its_own() {
        let item = b"\n<li class=\"contents-list__item\"><a href=\"../a/\">A</a></li>\n";
        let minified = String::from_utf8(html(item)).unwrap();
        assert_eq!(
            minified,
            "<li class=contents-list__item><a href=../a/>A</a></li>"
        );
    }

    /// A page finished with its content written minified as `minified`, and
    /// finished whole.
    fn finished_both_ways(page: &str, readable: &str, minified: &str) -> (Vec<u8>, Vec<u8>) {
        let shared = |text: PartText| part(&text);
        let content = MadeContent { readable, minified };
        let (around, at) =
            Form::Minified.finish_page(page.to_owned(), Some(content), None, &shared);
        let (whole, _) = Form::Minified.finish_page(page.to_owned(), None, None, &shared);
        if let Some(at) = at {
            assert_eq!(&around.own()[at], minified.as_bytes());
        }
        (
            around.contents().into_owned(),
            whole.contents().into_owned(),
        )
    }

    #[test]
    fn content_made_minified_goes_back_in_a_div() {
        let readable = "<h2 id=\"a\">A</h2>\n<p>One\ntwo</p>\n";
        let page = format!(
            "<!DOCTYPE html><html><body>\u{FDD1}<header>Site</header>\u{FDD2}\n\
             <div class=\"page-content\">\n{readable}\n</div>\n<p>After</p></body></html>"
        );
        let (around, whole) = finished_both_ways(&page, readable, "<h2 id=a>A</h2><p>One two</p>");
        assert_eq!(
            String::from_utf8(around).unwrap(),
            String::from_utf8(whole).unwrap()
        );
    }

    /// Where minify-html keeps the spaces between the content's blocks, content
    /// written minified for a `<div>` cannot go back: the page is minified whole,
    /// whatever was written.
    #[test]
    fn content_anywhere_but_in_a_div_is_minified_with_the_page() {
        let readable = "<p>One</p>\n<p>Two</p>\n";
        for (open, close) in [
            ("<pre>", "</pre>"),
            ("<p>", "</p>"),
            ("<span>", "</span>"),
            ("<textarea>", "</textarea>"),
            ("<svg><foreignObject><div>", "</div></foreignObject></svg>"),
        ] {
            let page = format!("<div>{open}\n{readable}{close}</div>");
            let (around, whole) = finished_both_ways(&page, readable, "not what minify-html makes");
            assert_eq!(around, whole, "{open}");
        }
        let (around, whole) = finished_both_ways("<div><p>Other</p></div>", readable, "wrong");
        assert_eq!(around, whole);
    }

    /// Text with a noncharacter that marks a shared part would pair up with the
    /// marks of the page's own parts, and a placeholder of the page's own could be
    /// taken for the content's: such a page is minified whole.
    #[test]
    fn content_or_a_page_with_a_mark_of_its_own_is_minified_whole() {
        let readable = "<p>A \u{FDD1}mark</p>\n";
        let page =
            format!("<body>\u{FDD1}<header>Site</header>\u{FDD2}<div>\n{readable}</div></body>");
        let (around, whole) = finished_both_ways(&page, readable, "<p>A \u{FDD1}mark</p>");
        assert_eq!(around, whole);
        // A page with a placeholder of its own, and its content in a shared part.
        let page = format!(
            "<body><div>{CONTENT_PLACEHOLDER}</div>\u{FDD1}<div>\n<p>Plain</p>\n</div>\u{FDD2}</body>"
        );
        let (around, whole) = finished_both_ways(&page, "<p>Plain</p>\n", "<p>Wrong</p>");
        assert_eq!(around, whole);
        assert!(CONTENT_PLACEHOLDER.contains(shared_parts::CONTENT_MARK));
    }

    #[test]
    fn css_loses_whitespace_and_comments() {
        let minified = css(b"/* theme */\nbody {\n  margin: 0;\n  color: #ffffff;\n}\n");
        let minified = String::from_utf8(minified).unwrap();
        assert_eq!(minified, "body{color:#fff;margin:0}");
    }
}
