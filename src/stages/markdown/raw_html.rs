//! Raw HTML and addresses in a page's markdown: what a page may hold. A parent's
//! browser must never run script from content, so a page may use only the elements,
//! attributes and kinds of address listed here. [`read`] finds every other one in a
//! piece of raw HTML, with where it is, for the markdown stage to refuse, with any
//! language that is not a language tag and any direction that is not one, and marks
//! links that leave the site `rel="noopener noreferrer"`. Uses lol_html, and
//! `language`.

use std::cell::RefCell;

use crate::support::language;

use lol_html::{HtmlRewriter, Settings, element};

/// The elements a page's raw HTML may use: text, links, images, lists and tables.
pub const ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

/// The attributes any of those elements may have.
pub const ATTRIBUTES: &[&str] = &["class", "dir", "id", "lang", "title"];

/// The attributes only some elements may have.
pub const ELEMENT_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href", "hreflang"]),
    ("blockquote", &["cite"]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("del", &["cite", "datetime"]),
    ("details", &["open"]),
    ("img", &["alt", "height", "src", "width"]),
    ("ins", &["cite", "datetime"]),
    ("li", &["value"]),
    ("ol", &["reversed", "start", "type"]),
    ("q", &["cite"]),
    ("td", &["colspan", "headers", "rowspan"]),
    ("th", &["abbr", "colspan", "headers", "rowspan", "scope"]),
    ("time", &["datetime"]),
];

/// The attributes that hold an address.
const ADDRESS_ATTRIBUTES: &[&str] = &["cite", "href", "src"];

/// The kinds of address a page may link to, besides its own site's pages and files.
pub const SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// Something in a page's raw HTML that a page may not use, at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    Element {
        name: String,
        at: usize,
    },
    Attribute {
        element: String,
        name: String,
        at: usize,
    },
    Address {
        written: String,
        at: usize,
    },
    /// Markup that a browser could read two ways.
    Ambiguous {
        at: usize,
    },
    /// A `lang` or `hreflang` that is not a language tag.
    Language {
        attribute: String,
        written: String,
        at: usize,
    },
    /// A `dir` that is not `ltr`, `rtl` or `auto`.
    Direction {
        written: String,
        at: usize,
    },
}

impl Refused {
    /// Where it is, as a byte offset.
    pub fn at(&self) -> usize {
        match self {
            Refused::Element { at, .. }
            | Refused::Attribute { at, .. }
            | Refused::Address { at, .. }
            | Refused::Ambiguous { at }
            | Refused::Language { at, .. }
            | Refused::Direction { at, .. } => *at,
        }
    }
}

/// What is wrong with the value of the allowed attribute `name`, written at `at`,
/// if anything: a language that is not a language tag, or a direction that is not
/// one. An empty language says that the language is not known, as HTML allows.
fn bad_value(name: &str, value: String, at: usize) -> Option<Refused> {
    match name {
        "lang" | "hreflang" if !value.is_empty() && !language::is_tag(&value) => {
            Some(Refused::Language {
                attribute: name.to_owned(),
                written: value,
                at,
            })
        }
        "dir" if !matches!(value.to_ascii_lowercase().as_str(), "ltr" | "rtl" | "auto") => {
            Some(Refused::Direction { written: value, at })
        }
        _ => None,
    }
}

/// What reading a piece of raw HTML found: what it may not use, and the piece again
/// with `rel="noopener noreferrer"` on its links that leave the site.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Read {
    pub refused: Vec<Refused>,
    pub html: String,
}

/// Whether a page may link to `address`: a page or file of the site, or an address
/// of one of the [`SCHEMES`]. Browsers ignore tabs and line breaks in an address and
/// spaces around it, so they are ignored here too. An `&` before the scheme's colon
/// could hide a scheme as a character reference, so it is refused.
pub fn is_allowed_address(address: &str) -> bool {
    let address = address.trim_matches(|c: char| c <= ' ');
    let address: std::borrow::Cow<str> = if address.contains(['\t', '\n', '\r']) {
        let kept = address.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r'));
        std::borrow::Cow::Owned(kept.collect())
    } else {
        std::borrow::Cow::Borrowed(address)
    };
    let scheme_end = address.find([':', '/', '?', '#']);
    match scheme_end {
        Some(colon) if address[colon..].starts_with(':') => {
            let scheme = &address[..colon];
            SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme))
        }
        _ => !address[..scheme_end.unwrap_or(address.len())].contains('&'),
    }
}

/// Whether `address` leaves the site for another one on the web.
pub fn leaves_site(address: &str) -> bool {
    let address = address.trim_start();
    starts_with_scheme(address, "http:")
        || starts_with_scheme(address, "https:")
        || address.starts_with("//")
}

/// Whether `address` is a phone number to call.
pub fn is_phone(address: &str) -> bool {
    starts_with_scheme(address.trim_start(), "tel:")
}

/// Whether `address` starts with `scheme`, in any case.
fn starts_with_scheme(address: &str, scheme: &str) -> bool {
    address
        .get(..scheme.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(scheme))
}

fn allowed_attribute(element: &str, attribute: &str) -> bool {
    ATTRIBUTES.contains(&attribute)
        || attribute.starts_with("aria-")
        || ELEMENT_ATTRIBUTES
            .iter()
            .any(|(name, attributes)| *name == element && attributes.contains(&attribute))
}

/// Reads a piece of raw HTML from a page's markdown.
pub fn read(fragment: &str) -> Read {
    let refused = RefCell::new(Vec::new());
    let mut html = Vec::with_capacity(fragment.len() + 32);
    let settings = Settings::new().append_element_content_handler(element!("*", |el| {
        let name = el.tag_name();
        let at = el.source_location().bytes().start;
        // An element refused whole is not looked into further.
        if !ELEMENTS.contains(&name.as_str()) {
            refused.borrow_mut().push(Refused::Element { name, at });
            return Ok(());
        }
        let mut external = false;
        for attribute in el.attributes() {
            let attribute_name = attribute.name();
            let attribute_at = attribute
                .name_source_location()
                .map_or(at, |location| location.bytes().start);
            if !allowed_attribute(&name, &attribute_name) {
                refused.borrow_mut().push(Refused::Attribute {
                    element: name.clone(),
                    name: attribute_name,
                    at: attribute_at,
                });
            } else if ADDRESS_ATTRIBUTES.contains(&attribute_name.as_str()) {
                let written = attribute.value();
                if !is_allowed_address(&written) {
                    refused.borrow_mut().push(Refused::Address {
                        written,
                        at: attribute_at,
                    });
                } else if name == "a" && attribute_name == "href" && leaves_site(&written) {
                    external = true;
                }
            } else if let Some(bad) = bad_value(&attribute_name, attribute.value(), attribute_at) {
                refused.borrow_mut().push(bad);
            }
        }
        if external {
            el.set_attribute("rel", "noopener noreferrer")?;
        }
        Ok(())
    }));
    let mut rewriter = HtmlRewriter::new(settings, |chunk: &[u8]| html.extend_from_slice(chunk));
    // lol_html stops at markup that a browser could read two ways, such as
    // `<select><xmp><script>`, where it cannot tell whether a script would run. The
    // whole piece is refused then, since what follows was not read.
    let read = rewriter
        .write(fragment.as_bytes())
        .and_then(|()| rewriter.end());
    let mut refused = refused.into_inner();
    if read.is_err() {
        refused.push(Refused::Ambiguous { at: 0 });
    }
    Read {
        refused,
        html: String::from_utf8(html).unwrap_or_else(|_| fragment.to_owned()),
    }
}

/// Elements whose end tag may be left out, so that a run of them written without it
/// is a list of them, not one inside another.
const OPTIONAL_END_TAG: &[&str] = &[
    "caption", "colgroup", "dd", "dt", "li", "option", "p", "tbody", "td", "tfoot", "th", "thead",
    "tr",
];

/// How deep elements are nested in `html`, a page's content. An element whose end
/// tag is missing counts as open to the end, so this is at least the real depth.
pub fn nesting_depth(html: &str) -> usize {
    use std::cell::Cell;
    use std::rc::Rc;
    let depth = Rc::new(Cell::new(0usize));
    let deepest = Cell::new(0usize);
    let settings = Settings::new().append_element_content_handler(element!("*", |el| {
        if !el.can_have_content() || OPTIONAL_END_TAG.contains(&el.tag_name().as_str()) {
            return Ok(());
        }
        depth.set(depth.get() + 1);
        deepest.set(deepest.get().max(depth.get()));
        if let Some(handlers) = el.end_tag_handlers() {
            let depth = Rc::clone(&depth);
            let closed: lol_html::EndTagHandler<'static> = Box::new(move |_| {
                depth.set(depth.get().saturating_sub(1));
                Ok(())
            });
            handlers.push(closed);
        }
        Ok(())
    }));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    // Markup that lol_html stops at has been refused by `read`: the depth so far will do.
    let _ = rewriter
        .write(html.as_bytes())
        .and_then(|()| rewriter.end());
    deepest.get()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(fragment: &str) -> Vec<Refused> {
        read(fragment).refused
    }

    #[test]
    fn text_links_images_lists_and_tables_are_allowed() {
        for fragment in [
            "<p>Call <a href=\"tel:111\">111</a></p>",
            "<abbr title=\"National Health Service\">NHS</abbr>",
            "<img src=\"baby.jpg\" alt=\"A baby smiling\" width=\"300\">",
            "<table><tr><th scope=\"col\">Age</th></tr><tr><td colspan=\"2\">1</td></tr></table>",
            "<details open><summary>More</summary><p>Text</p></details>",
            "<span aria-hidden=\"true\" class=\"x\" lang=\"cy\">Helo</span>",
            "<!-- a note for editors -->",
            "</div>",
        ] {
            assert_eq!(refused(fragment), [], "{fragment}");
        }
    }

    #[test]
    fn scripts_handlers_frames_and_forms_are_refused_where_they_are() {
        assert_eq!(
            refused("<p>Hi</p><script>alert(1)</script>"),
            [Refused::Element {
                name: "script".into(),
                at: 9
            }]
        );
        assert_eq!(
            refused("<img src=x.png alt=\"\" onerror=\"alert(1)\">"),
            [Refused::Attribute {
                element: "img".into(),
                name: "onerror".into(),
                at: 22
            }]
        );
        for element in [
            "iframe", "form", "object", "embed", "style", "svg", "input", "base",
        ] {
            let found = refused(&format!("<{element}></{element}>"));
            assert!(
                matches!(&found[..], [Refused::Element { name, at: 0 }] if name == element),
                "{element}: {found:?}"
            );
        }
        assert!(matches!(
            &refused("<SCRIPT SRC=x.js></SCRIPT>")[..],
            [Refused::Element { name, .. }] if name == "script"
        ));
        assert!(matches!(
            &refused("<div style=\"color:red\">x</div>")[..],
            [Refused::Attribute { name, .. }] if name == "style"
        ));
    }

    #[test]
    fn only_web_email_and_phone_addresses_and_the_site_s_own_are_allowed() {
        for allowed in [
            "https://www.nhs.uk/",
            "http://example.org/?a=1&b=2",
            "mailto:help@example.gov.uk",
            "tel:01632960000",
            "../crying/",
            "crying.md#soothing",
            "#top",
            "/start/",
            "page?x=a:b",
        ] {
            assert!(is_allowed_address(allowed), "{allowed}");
        }
        for refused in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " java\tscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "vbscript:msgbox",
            "jav&#x61;script:alert(1)",
            "file:///etc/passwd",
        ] {
            assert!(!is_allowed_address(refused), "{refused:?}");
        }
        assert!(matches!(
            &read("<a href=\"javascript:alert(1)\">x</a>").refused[..],
            [Refused::Address { written, at: 3 }] if written == "javascript:alert(1)"
        ));
        assert!(matches!(
            &read("<img src=\"data:image/png;base64,AAAA\" alt=\"\">").refused[..],
            [Refused::Address { .. }]
        ));
    }

    #[test]
    fn the_docs_editors_md_lists_every_element_and_attribute_allowed() {
        let guide = include_str!("../../../docs/editors.md");
        let section = guide
            .split("### HTML in a page")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("docs/editors.md has the section");
        let named = |name: &str| section.contains(&format!("`{name}`"));
        for element in ELEMENTS
            .iter()
            .filter(|e| !matches!(**e, "h3" | "h4" | "h5"))
        {
            assert!(named(element), "{element}");
        }
        let attributes = ELEMENT_ATTRIBUTES
            .iter()
            .flat_map(|(_, names)| names.iter());
        for attribute in ATTRIBUTES.iter().chain(attributes) {
            assert!(named(attribute), "{attribute}");
        }
        for scheme in SCHEMES {
            assert!(guide.contains(&format!("`{scheme}:`")), "{scheme}");
        }
    }

    #[test]
    fn nesting_is_measured_by_elements_that_close() {
        assert_eq!(
            nesting_depth("<p>a</p><div><div><span>b</span></div></div>"),
            3
        );
        assert_eq!(nesting_depth("<ul><li>a<li>b<li>c</ul><br><img src=x>"), 1);
        assert_eq!(nesting_depth(&"<div>".repeat(10_000)), 10_000);
    }

    #[test]
    fn markup_a_browser_could_read_two_ways_is_refused_whole() {
        let read = read("<select><iframe>x</iframe></select><p>After</p>");
        assert!(
            read.refused.contains(&Refused::Ambiguous { at: 0 }),
            "{read:?}"
        );
        assert!(nesting_depth("<select><xmp><script>x</script></xmp></select>") > 0);
    }

    #[test]
    fn links_that_leave_the_site_open_without_access_to_the_page() {
        let read = read("<a href=\"https://www.nhs.uk/\">NHS</a> <a href=\"../a/\">A</a>");
        assert_eq!(
            read.html,
            "<a href=\"https://www.nhs.uk/\" rel=\"noopener noreferrer\">NHS</a> <a href=\"../a/\">A</a>"
        );
    }

    #[test]
    fn languages_and_directions_must_be_ones_a_browser_knows() {
        let fine = r#"<p lang="ur" dir="RTL">x</p><span lang="">y</span><a href="/" hreflang="pa-Guru" dir="auto">z</a>"#;
        assert_eq!(read(fine).refused, []);
        let found =
            read(r#"<p lang="Polish" dir="right">x</p><a href="/" hreflang="en_GB!">y</a>"#)
                .refused;
        assert_eq!(
            found,
            [
                Refused::Language {
                    attribute: "lang".into(),
                    written: "Polish".into(),
                    at: 3
                },
                Refused::Direction {
                    written: "right".into(),
                    at: 17
                },
                Refused::Language {
                    attribute: "hreflang".into(),
                    written: "en_GB!".into(),
                    at: 46
                },
            ]
        );
    }
}
