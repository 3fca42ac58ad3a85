//! Minification: shrinks HTML pages and stylesheets with minify-html. Its settings live
//! here and nowhere else; they keep the output valid HTML (a normal doctype, quoted
//! attributes where the standard needs them). Pages go through minify-html's one-pass
//! minifier, which is several times faster. It leaves out the closing tags the HTML
//! standard lets a page leave out, such as `</li>` and `</p>`. A page it cannot read
//! (it is strict about stray closing tags) goes through the full minifier instead.
//! Uses only minify-html and minify-html-onepass.

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

/// Minifies a whole HTML page.
pub fn html(page: &[u8]) -> Vec<u8> {
    let mut bytes = page.to_vec();
    let one_pass = minify_html_onepass::Cfg {
        minify_css: true,
        minify_js: false,
    };
    match minify_html_onepass::in_place(&mut bytes, &one_pass) {
        Ok(length) => {
            bytes.truncate(length);
            bytes
        }
        Err(_) => minify_html::minify(page, &settings()),
    }
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
    fn html_keeps_the_doctype_and_loses_spaces_and_comments() {
        let page = b"<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head><title>T</title></head>\n<body>\n  <p>One   two</p>\n  <!-- note -->\n<pre>  kept\n  as is</pre></body>\n</html>\n";
        let minified = String::from_utf8(html(page)).unwrap();
        assert!(
            minified.starts_with("<!DOCTYPE html><html lang=en-GB>"),
            "{minified}"
        );
        assert!(minified.contains("<p>One two"), "{minified}");
        assert!(
            minified.contains("<pre>  kept\n  as is</pre>"),
            "{minified}"
        );
        assert!(!minified.contains("note"));
    }

    #[test]
    fn a_page_the_one_pass_minifier_refuses_is_still_minified() {
        let page =
            b"<!DOCTYPE html>\n<html><body>\n<p>Stray</span> closing tag</p>\n</body></html>\n";
        let minified = String::from_utf8(html(page)).unwrap();
        assert!(minified.starts_with("<!doctype html>"), "{minified}");
        assert!(minified.contains("<p>Stray closing tag"), "{minified}");
    }

    #[test]
    fn css_loses_whitespace_and_comments() {
        let minified = css(b"/* theme */\nbody {\n  margin: 0;\n  color: #ffffff;\n}\n");
        let minified = String::from_utf8(minified).unwrap();
        assert_eq!(minified, "body{color:#fff;margin:0}");
    }
}
