//! Minification: shrinks HTML pages and stylesheets with minify-html. Its settings live
//! here and nowhere else; they keep the output valid HTML (a normal doctype, quoted
//! attributes where the standard needs them, closing tags). minify-html's faster
//! one-pass minifier is not used: it leaves `=` in unquoted attribute values, such as
//! a web address with a query, which the HTML standard does not allow. Uses only
//! minify-html.

use minify_html::Cfg;

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

    #[test]
    fn css_loses_whitespace_and_comments() {
        let minified = css(b"/* theme */\nbody {\n  margin: 0;\n  color: #ffffff;\n}\n");
        let minified = String::from_utf8(minified).unwrap();
        assert_eq!(minified, "body{color:#fff;margin:0}");
    }
}
