//! The text of one page as its search index reads it, from the HTML document made
//! for the index: every word of its body in order, each with the weight its place
//! gives it (a heading's words count for more than a paragraph's), and where each
//! heading with an id starts, so that a result can lead to the heading. Elements
//! that are not read (`head`, `nav`, `footer`, forms, scripts, and anything marked
//! `.visually-hidden`) are left out. Blocks are kept apart by a space, and by a
//! full stop where a sentence has none, so that an excerpt reads well. These are
//! the rules of Pagefind's own reading of a page. Uses lol_html and html-escape,
//! and `attributes`.

use std::cell::RefCell;
use std::rc::Rc;

use crate::support::attributes;

/// Elements that end a sentence.
const BLOCKS: &[&str] = &[
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "td", "div", "ul", "li", "article", "section",
];
/// Elements inside a line, whose text belongs to the heading they are in.
const INLINE: &[&str] = &[
    "a", "abbr", "acronym", "b", "bdo", "big", "br", "button", "cite", "code", "dfn", "em", "i",
    "img", "input", "kbd", "label", "map", "object", "output", "q", "samp", "script", "select",
    "small", "span", "strong", "sub", "sup", "textarea", "time", "tt", "var",
];
/// Elements whose text is never read.
const LEFT_OUT: &[&str] = &[
    "head", "style", "script", "noscript", "label", "form", "svg", "footer", "nav", "iframe",
    "template",
];
/// The class of text that is there for screen readers, such as the word that says
/// a care card's urgency: it is not what a page is about.
const HIDDEN_CLASS: &str = "visually-hidden";

/// A word's weight when nothing gives it one; Pagefind's scale is 24 to a unit.
pub const PLAIN_WEIGHT: u8 = 24;
const WEIGHT_UNIT: f32 = 24.0;
const HEAVIEST: f32 = 10.0;

/// Marks in the text, which cannot occur in a page: a private-use character.
const MARK: char = '\u{E000}';

/// One page's text, read.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PageText {
    /// The page's words, as written, with one space between each.
    pub content: String,
    /// The weight of each word, in order.
    pub weights: Vec<u8>,
    /// Each element with an id, in order: its tag, id, text and the number of
    /// words before it.
    pub anchors: Vec<Anchor>,
    /// The text of the page's first `h1`.
    pub title: Option<String>,
}

impl PageText {
    /// Each word, in order, with its weight.
    pub fn words(&self) -> impl Iterator<Item = (&str, u8)> {
        // No word is empty: only an empty page's text splits into one.
        let words = self.content.split(' ').filter(|word| !word.is_empty());
        words.zip(self.weights.iter().copied())
    }
}

/// An element of the page with an id, which a result may lead to.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    pub element: String,
    pub id: String,
    pub text: String,
    pub location: u32,
}

/// An element being read. Its text is the end of the reading's text: each piece
/// of text is written once, where it goes in the page's, not copied into each
/// element around it as they close.
struct Open {
    /// Whether it is an `h1`, whose text may be the page's title.
    h1: bool,
    left_out: bool,
    /// Where its own text starts in the reading's text, after the marks that open
    /// it.
    text_from: usize,
    /// Whether it ends a sentence.
    block: bool,
    /// Whether it gives its words a weight, which its closing mark ends.
    weighted: bool,
    /// The anchors whose text this element's text is part of.
    anchors: Vec<usize>,
}

#[derive(Default)]
struct Reading {
    open: Vec<Open>,
    /// The text of the page so far, with marks for where weights and anchors
    /// start.
    text: String,
    anchors: Vec<(String, String, String)>,
    title: Option<String>,
}

/// Reads `html`, a whole document, as the search index does.
pub fn read(html: &str) -> PageText {
    let reading = Rc::new(RefCell::new(Reading::default()));
    reading.borrow_mut().open.push(Open {
        h1: false,
        left_out: false,
        text_from: 0,
        block: false,
        weighted: false,
        anchors: Vec::new(),
    });
    let elements = {
        let reading = Rc::clone(&reading);
        lol_html::element!("body *", move |el| {
            start(&reading, el);
            Ok(())
        })
    };
    let texts = {
        let reading = Rc::clone(&reading);
        lol_html::text!("body", move |chunk| {
            let mut reading = reading.borrow_mut();
            let Reading {
                open,
                text,
                anchors,
                ..
            } = &mut *reading;
            if let Some(top) = open.last().filter(|top| !top.left_out) {
                text.push_str(chunk.as_str());
                for &anchor in &top.anchors {
                    anchors[anchor].2.push_str(chunk.as_str());
                }
            }
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
    let mut reading = std::mem::take(&mut *reading.borrow_mut());
    while reading.open.len() > 1 {
        close(&mut reading);
    }
    // The words are found between runs of white space, so the text's entities
    // are decoded, but its white space need not be made single spaces first.
    let text = html_escape::decode_html_entities(&reading.text);
    words_of(&text, reading.anchors, reading.title)
}

fn start(reading: &Rc<RefCell<Reading>>, el: &mut lol_html::html_content::Element) {
    let tag = el.tag_name();
    let mut state = reading.borrow_mut();
    let state = &mut *state;
    let parent = state.open.last().expect("the body is open");
    let [class, id, weight] = attributes::values(el, ["class", "id", "data-pagefind-weight"]);
    let hidden = class.is_some_and(|class| class.split_whitespace().any(|c| c == HIDDEN_CLASS));
    let left_out = parent.left_out || hidden || LEFT_OUT.contains(&tag.as_str());
    let mut anchors = match INLINE.contains(&tag.as_str()) {
        true => parent.anchors.clone(),
        false => Vec::new(),
    };
    if !left_out && let Some(id) = id {
        let id: String = id.chars().filter(|c| !c.is_whitespace()).collect();
        let number = state.anchors.len();
        state.anchors.push((tag.clone(), id, String::new()));
        mark(&mut state.text, format_args!("A{number}"));
        anchors.push(number);
    }
    if !left_out && tag == "br" {
        state.text.push(' ');
    }
    let Some(handlers) = el.end_tag_handlers() else {
        return;
    };
    let block = BLOCKS.contains(&tag.as_str());
    let weight = match (weight, heading_weight(&tag)) {
        (Some(weight), _) => Some(format!("W{weight}")),
        (None, Some(weight)) => Some(format!("H{weight}")),
        (None, None) => None,
    };
    if !left_out {
        if let Some(weight) = &weight {
            mark(&mut state.text, weight);
        }
        if block {
            state.text.push(' ');
        }
    }
    let depth = state.open.len();
    state.open.push(Open {
        h1: tag == "h1",
        left_out,
        text_from: state.text.len(),
        block,
        weighted: weight.is_some(),
        anchors,
    });
    let reading = Rc::clone(reading);
    handlers.push(Box::new(move |_| {
        let mut reading = reading.borrow_mut();
        // An element closed without its end tag is closed here with its parent.
        while reading.open.len() > depth + 1 {
            close(&mut reading);
        }
        if reading.open.len() == depth + 1 {
            close(&mut reading);
        }
        Ok(())
    }));
}

/// Writes a mark into `text`, with a space either side.
fn mark(text: &mut String, what: impl std::fmt::Display) {
    use std::fmt::Write;
    // Writing to a string cannot fail.
    let _ = write!(text, " {MARK}{what} ");
}

/// Closes the innermost open element, which is not the body: a block's text ends
/// a sentence, and the end of a weight is marked.
fn close(reading: &mut Reading) {
    if reading.open.len() < 2 {
        return;
    }
    let Some(node) = reading.open.pop().filter(|node| !node.left_out) else {
        return;
    };
    let text = &reading.text[node.text_from..];
    if node.h1 && reading.title.is_none() && !text.trim().is_empty() {
        let text: String = (text.split(' '))
            .filter(|word| !word.starts_with(MARK))
            .collect::<Vec<_>>()
            .join(" ");
        reading.title = Some(tidy(&text));
    }
    if node.block {
        if reading.text.chars().last().is_some_and(ends_without_stop) {
            reading.text.push('.');
        }
        reading.text.push(' ');
    }
    if node.weighted {
        mark(&mut reading.text, 'E');
    }
}

/// Whether a block ending in `c` needs a full stop: it ends in a word, a quote or
/// a bracket rather than a stop, a colon or other punctuation.
fn ends_without_stop(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || matches!(c, '\'' | '"' | ')' | '$' | '*')
}

fn heading_weight(tag: &str) -> Option<u8> {
    match tag {
        "h1" => Some(7),
        "h2" => Some(6),
        "h3" => Some(5),
        "h4" => Some(4),
        "h5" => Some(3),
        "h6" => Some(2),
        _ => None,
    }
}

/// `text` with its entities decoded and its runs of white space made one space.
fn tidy(text: &str) -> String {
    let decoded = html_escape::decode_html_entities(text);
    let mut tidy = String::with_capacity(decoded.len());
    for word in decoded.split(|c: char| c == '\n' || c == '\r' || c.is_whitespace()) {
        if !word.is_empty() {
            if !tidy.is_empty() {
                tidy.push(' ');
            }
            tidy.push_str(word);
        }
    }
    tidy
}

/// The words of the page's text, each with the weight of where it is, and where
/// each anchor is.
fn words_of(text: &str, anchors: Vec<(String, String, String)>, title: Option<String>) -> PageText {
    let mut weights: Vec<u8> = vec![PLAIN_WEIGHT];
    let mut content = String::with_capacity(text.len());
    let mut word_weights: Vec<u8> = Vec::new();
    let mut located: Vec<Anchor> = Vec::new();
    for word in text.split_whitespace() {
        if let Some(mark) = word.strip_prefix(MARK) {
            let (kind, value) = mark.split_at(1);
            match kind {
                "A" => {
                    let Some((element, id, text)) =
                        value.parse().ok().and_then(|n: usize| anchors.get(n))
                    else {
                        continue;
                    };
                    located.push(Anchor {
                        element: element.clone(),
                        id: id.clone(),
                        text: tidy(text),
                        location: u32::try_from(word_weights.len()).unwrap_or(u32::MAX),
                    });
                }
                "W" => weights.push(explicit_weight(value)),
                "H" if weights.len() == 1 => {
                    weights.push(explicit_weight(value));
                }
                "H" => weights.push(*weights.last().unwrap_or(&PLAIN_WEIGHT)),
                _ => {
                    weights.pop();
                    if weights.is_empty() {
                        weights.push(PLAIN_WEIGHT);
                    }
                }
            }
            continue;
        }
        let before = content.len();
        if !word_weights.is_empty() {
            content.push(' ');
        }
        let start = content.len();
        content.extend(word.chars().filter(|&c| c != '\u{200B}'));
        match content.len() == start {
            // A word of zero-width spaces alone is no word.
            true => content.truncate(before),
            false => word_weights.push(*weights.last().unwrap_or(&PLAIN_WEIGHT)),
        }
    }
    PageText {
        content,
        weights: word_weights,
        anchors: located,
        title,
    }
}

/// A weight as written, such as `5`, on Pagefind's scale: at most 10 units, and
/// none for 0 or less.
fn explicit_weight(written: &str) -> u8 {
    let weight: f32 = written.parse().unwrap_or(1.0);
    if weight <= 0.0 {
        return 0;
    }
    ((weight.clamp(0.0, HEAVIEST) * WEIGHT_UNIT) as u8).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

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
