//! Escaping text for HTML and XML: the one escaper that markdown blocks, templates
//! and the sitemap all use. It escapes the five characters that can end text or an
//! attribute value and leaves everything else, such as `/`, readable. Uses nothing
//! else in the crate.

/// Escapes `&`, `<`, `>`, `"` and `'` so that text is safe in element content and in
/// quoted attribute values of HTML and XML.
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + text.len() / 8);
    push_escaped(&mut escaped, text);
    escaped
}

/// Adds `text` to `out`, escaped as [`escape_html`] does.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::escape_html;

    #[test]
    fn markup_characters_are_escaped_and_slashes_are_not() {
        assert_eq!(
            escape_html(r#"<a href="x">A&E's</a> 1/2"#),
            "&lt;a href=&quot;x&quot;&gt;A&amp;E&#39;s&lt;/a&gt; 1/2"
        );
    }
}
