//! The search index's reading of a page from HTML: a document made for the index,
//! whose elements and text lol_html gives to a [`Reader`] in order, for a page whose
//! words the markdown stage did not read as it made it. Uses lol_html, and
//! `search_reading` and `attributes`.

use std::cell::RefCell;
use std::rc::Rc;

use crate::support::attributes;
use crate::support::search_reading::{Element, PageText, Reader};

/// Reads `html`, a whole document, as the search index does.
pub fn read(html: &str) -> PageText {
    let reader = Rc::new(RefCell::new(Reader::of_html()));
    let elements = {
        let reader = Rc::clone(&reader);
        lol_html::element!("body *", move |el| {
            start(&reader, el);
            Ok(())
        })
    };
    let texts = {
        let reader = Rc::clone(&reader);
        lol_html::text!("body", move |chunk| {
            reader.borrow_mut().text(chunk.as_str());
            Ok(())
        })
    };
    let settings = lol_html::Settings::new()
        .append_element_content_handler(elements)
        .append_element_content_handler(texts);
    // The document is the site's own, made for the index; were it unreadable, the
    // page would have no words, and no result. What the rewriter writes is not
    // wanted: it is let go of as it is written, not gathered into a copy.
    let mut rewriter = lol_html::HtmlRewriter::new(settings, |_: &[u8]| {});
    let _ = rewriter
        .write(html.as_bytes())
        .and_then(|()| rewriter.end());
    let reader = std::mem::replace(&mut *reader.borrow_mut(), Reader::of_html());
    reader.finish()
}

fn start(reader: &Rc<RefCell<Reader>>, el: &mut lol_html::html_content::Element) {
    let tag = el.tag_name();
    let [class, id, weight] = attributes::values(el, ["class", "id", "data-pagefind-weight"]);
    let handlers = el.end_tag_handlers();
    let mut state = reader.borrow_mut();
    state.open(Element {
        tag: &tag,
        class: class.as_deref(),
        id: id.as_deref(),
        weight: weight.as_deref(),
        has_end: handlers.is_some(),
    });
    let Some(handlers) = handlers else {
        return;
    };
    let depth = state.depth() - 1;
    let reader = Rc::clone(reader);
    handlers.push(Box::new(move |_| {
        let mut reader = reader.borrow_mut();
        // An element closed without its end tag is closed here with its parent.
        while reader.depth() > depth + 1 {
            reader.close();
        }
        if reader.depth() == depth + 1 {
            reader.close();
        }
        Ok(())
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::search_reading::Anchor;

    fn read_body(body: &str) -> PageText {
        read(&format!(
            "<!DOCTYPE html><html lang=\"en\"><head><title>T</title></head><body>{body}</body></html>"
        ))
    }

    fn words(text: &PageText) -> String {
        let words: Vec<&str> = text.words().map(|(word, _)| word).collect();
        assert_eq!(words.join(" "), text.content);
        text.content.clone()
    }

    #[test]
    fn blocks_end_sentences_and_inline_elements_join_words() {
        let text = read_body(
            "<p>Hold your baby</p><p>Unless one <b>exi</b>sts.</p><ul><li>Rest</li></ul>",
        );
        assert_eq!(words(&text), "Hold your baby. Unless one exists. Rest.");
    }

    #[test]
    fn headings_weigh_more_and_mark_where_they_start() {
        let text = read_body(
            "<h1>Crying</h1><p>Babies cry.</p><h2 id=\"help\">Getting help</h2><p>Call 111.</p>",
        );
        assert_eq!(words(&text), "Crying. Babies cry. Getting help. Call 111.");
        assert_eq!(text.weights, [168, 24, 24, 144, 144, 24, 24]);
        assert_eq!(text.title.as_deref(), Some("Crying"));
        assert_eq!(
            text.anchors,
            [Anchor {
                element: "h2".into(),
                id: "help".into(),
                text: "Getting help".into(),
                location: 3,
            }]
        );
    }

    #[test]
    fn hidden_and_left_out_text_is_not_read() {
        let text = read_body(
            "<nav>Menu</nav><p><span class=\"visually-hidden\">Urgent:</span> Call 999 &amp; stay</p><form>Search</form>",
        );
        assert_eq!(words(&text), "Call 999 & stay.");
    }

    #[test]
    fn an_explicit_weight_counts() {
        let text = read_body("<p data-pagefind-weight=\"5\">colic, wind</p>");
        assert!(
            text.weights.iter().all(|weight| *weight == 120),
            "{:?}",
            text.weights
        );
    }

    #[test]
    fn unclosed_elements_are_closed_with_their_parent() {
        let text = read_body("<div><p>One<p>Two</div><p>Three</p>");
        // The second paragraph is read as inside the first, as it never closed.
        assert_eq!(words(&text), "One Two. Three.");
    }
}
