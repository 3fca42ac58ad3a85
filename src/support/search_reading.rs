//! The text of one page as its search index reads it: every word of its body in
//! order, each with the weight its place gives it (a heading's words count for more
//! than a paragraph's), and where each heading with an id starts, so that a result
//! can lead to the heading. Elements that are not read (`head`, `nav`, `footer`,
//! forms, scripts, and anything marked `.visually-hidden`) are left out. Blocks are
//! kept apart by a space, and by a full stop where a sentence has none, so that an
//! excerpt reads well. These are the rules of Pagefind's own reading of a page. A
//! [`Reader`] is given a page's elements and text in order, by whatever read them:
//! the search index reads HTML, and the markdown stage gives what it writes as it
//! writes it, which the search index then takes ([`WordsAsMade`]). Uses
//! html-escape, and `split`.

use std::sync::Mutex;

use crate::support::split;

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
        let words = split::at_byte(&self.content, b' ').filter(|word| !word.is_empty());
        words.zip(self.weights.iter().copied())
    }
}

/// A page's words read as the page was made, for the search index to take once,
/// rather than read the page's HTML again.
#[derive(Default)]
pub struct WordsAsMade(Mutex<Option<PageText>>);

impl WordsAsMade {
    pub fn new(words: Option<PageText>) -> WordsAsMade {
        WordsAsMade(Mutex::new(words))
    }

    /// The words, if they are here and no one took them before.
    pub fn take(&self) -> Option<PageText> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl Clone for WordsAsMade {
    fn clone(&self) -> WordsAsMade {
        WordsAsMade::new(self.0.lock().unwrap_or_else(|p| p.into_inner()).clone())
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

/// What an element being opened is: its tag, and the attributes the reading uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct Element<'a> {
    pub tag: &'a str,
    pub class: Option<&'a str>,
    pub id: Option<&'a str>,
    /// Its `data-pagefind-weight`.
    pub weight: Option<&'a str>,
    /// Whether it has content and an end, unlike `br` or `img`.
    pub has_end: bool,
}

/// Reads a page's body given element by element, as Pagefind does.
pub struct Reader {
    open: Vec<Open>,
    /// The text of the page so far, with marks for where weights and anchors
    /// start.
    text: String,
    anchors: Vec<(String, String, String)>,
    title: Option<String>,
    /// Whether text is given as HTML writes it, with its entities, rather than as
    /// it reads.
    with_entities: bool,
}

impl Reader {
    /// A reader of text as HTML writes it, whose entities it decodes.
    pub fn of_html() -> Reader {
        Reader::new(true)
    }

    /// A reader of text as it reads, with no entities in it.
    pub fn of_text() -> Reader {
        Reader::new(false)
    }

    fn new(with_entities: bool) -> Reader {
        let body = Open {
            h1: false,
            left_out: false,
            text_from: 0,
            block: false,
            weighted: false,
            anchors: Vec::new(),
        };
        Reader {
            open: vec![body],
            text: String::new(),
            anchors: Vec::new(),
            title: None,
            with_entities,
        }
    }

    /// How many elements are open, the body among them.
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    /// Opens `element`, inside the innermost open one.
    pub fn open(&mut self, element: Element) {
        let tag = element.tag;
        let parent = self.open.last().expect("the body is open");
        let hidden = (element.class)
            .is_some_and(|class| class.split_whitespace().any(|c| c == HIDDEN_CLASS));
        let left_out = parent.left_out || hidden || LEFT_OUT.contains(&tag);
        let mut anchors = match INLINE.contains(&tag) {
            true => parent.anchors.clone(),
            false => Vec::new(),
        };
        if !left_out && let Some(id) = element.id {
            let id: String = id.chars().filter(|c| !c.is_whitespace()).collect();
            let number = self.anchors.len();
            self.anchors.push((tag.to_owned(), id, String::new()));
            mark(&mut self.text, format_args!("A{number}"));
            anchors.push(number);
        }
        if !left_out && tag == "br" {
            self.text.push(' ');
        }
        if !element.has_end {
            return;
        }
        let block = BLOCKS.contains(&tag);
        let heading = heading_weight(tag);
        if !left_out {
            match (element.weight, heading) {
                (Some(weight), _) => mark(&mut self.text, format_args!("W{weight}")),
                (None, Some(weight)) => mark(&mut self.text, format_args!("H{weight}")),
                (None, None) => {}
            }
            if block {
                self.text.push(' ');
            }
        }
        self.open.push(Open {
            h1: tag == "h1",
            left_out,
            text_from: self.text.len(),
            block,
            weighted: element.weight.is_some() || heading.is_some(),
            anchors,
        });
    }

    /// Reads `text`, inside the innermost open element.
    pub fn text(&mut self, text: &str) {
        if let Some(top) = self.open.last().filter(|top| !top.left_out) {
            self.text.push_str(text);
            for &anchor in &top.anchors {
                self.anchors[anchor].2.push_str(text);
            }
        }
    }

    /// Closes the innermost open element, which is not the body: a block's text ends
    /// a sentence, and the end of a weight is marked.
    pub fn close(&mut self) {
        if self.open.len() < 2 {
            return;
        }
        let Some(node) = self.open.pop().filter(|node| !node.left_out) else {
            return;
        };
        let text = &self.text[node.text_from..];
        if node.h1 && self.title.is_none() && !text.trim().is_empty() {
            let text: String = (text.split(' '))
                .filter(|word| !word.starts_with(MARK))
                .collect::<Vec<_>>()
                .join(" ");
            self.title = Some(tidy(&text, self.with_entities));
        }
        if node.block {
            if self.text.chars().last().is_some_and(ends_without_stop) {
                self.text.push('.');
            }
            self.text.push(' ');
        }
        if node.weighted {
            mark(&mut self.text, 'E');
        }
    }

    /// The page's words, once every element is closed.
    pub fn finish(mut self) -> PageText {
        while self.open.len() > 1 {
            self.close();
        }
        // The words are found between runs of white space, so the text's entities
        // are decoded, but its white space need not be made single spaces first.
        let text = match self.with_entities {
            true => html_escape::decode_html_entities(&self.text),
            false => std::borrow::Cow::Borrowed(self.text.as_str()),
        };
        words_of(&text, self.anchors, self.title, self.with_entities)
    }
}

/// Writes a mark into `text`, with a space either side.
fn mark(text: &mut String, what: impl std::fmt::Display) {
    use std::fmt::Write;
    // Writing to a string cannot fail.
    let _ = write!(text, " {MARK}{what} ");
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

/// `text` with any entities decoded and its runs of white space made one space.
fn tidy(text: &str, with_entities: bool) -> String {
    let decoded = match with_entities {
        true => html_escape::decode_html_entities(text),
        false => std::borrow::Cow::Borrowed(text),
    };
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
fn words_of(
    text: &str,
    anchors: Vec<(String, String, String)>,
    title: Option<String>,
    with_entities: bool,
) -> PageText {
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
                        text: tidy(text, with_entities),
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
        // A zero-width space starts with the byte 0xE2 in UTF-8: most words have
        // none, and are copied whole.
        if word.as_bytes().contains(&0xE2) {
            content.extend(word.chars().filter(|&c| c != '\u{200B}'));
        } else {
            content.push_str(word);
        }
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
