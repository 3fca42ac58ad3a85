//! Text split at one ASCII byte, such as the `/` of a path or the space between
//! a page's words. The parts are found byte by byte: they are short, and
//! `str::split` would either read them a character at a time or, for a
//! character, ready a search meant for long texts for each part. Uses nothing
//! else in the crate.

/// The parts of `text` between each `separator`, which is ASCII, as
/// `text.split(char::from(separator))` gives them.
pub fn at_byte(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    debug_assert!(separator.is_ascii());
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        let (part, after) = match text.bytes().position(|b| b == separator) {
            Some(at) => (&text[..at], Some(&text[at + 1..])),
            None => (text, None),
        };
        rest = after;
        Some(part)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_those_str_split_gives() {
        for text in ["", "/", "a//b/", "é/ü", "/x/y", "naïve/", "a"] {
            let parts: Vec<&str> = at_byte(text, b'/').collect();
            assert_eq!(parts, text.split('/').collect::<Vec<_>>(), "{text:?}");
        }
        let words: Vec<&str> = at_byte("one  two\u{a0}three ", b' ').collect();
        assert_eq!(words, ["one", "", "two\u{a0}three", ""]);
    }
}
