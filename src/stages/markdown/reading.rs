//! The page's words as the search index reads them, read as the markdown is written
//! rather than from its HTML afterwards: each event is given to a [`Reader`] as the
//! element or text that pulldown-cmark writes for it, with the newlines it writes
//! between blocks, so that the reading is the one of the HTML. What the search
//! index reads is the page's title as its `h1`, its words for the page, and its
//! body with the words for each heading after the heading (see `search_index`).
//! Links and tick boxes this stage writes as HTML are read as what it wrote; a page
//! with raw HTML of its own, a footnote or anything else not read here is left to
//! the search index to read from its HTML. Uses pulldown-cmark, and
//! `search_reading` and `escape`.

use std::collections::HashMap;

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

use crate::support::escape::push_escaped;
use crate::support::search_reading::{Element, PageText, Reader};

/// HTML this stage wrote into a stretch's events in place of pulldown-cmark's own,
/// by where it is in them.
pub(super) type Written = HashMap<usize, WrittenHtml>;

/// What an event of HTML that this stage wrote is.
pub(super) enum WrittenHtml {
    /// The start of a link, with attributes of its own.
    LinkStart,
    /// Its end, after the words that say what language it leads to, if any.
    LinkEnd(Option<String>),
    /// A task list's tick box: the box, and the hidden words that say it.
    TaskMarker(char, &'static str),
}

/// A page's words, being read.
pub(super) struct Reading<'p> {
    /// `None` once the page holds something not read here.
    reader: Option<Reader>,
    for_headings: HashMap<&'p str, Vec<&'p str>>,
    /// Whether what was written last ends a line, as pulldown-cmark keeps it.
    end_newline: bool,
    /// How deep in an image: its words are its alt text, which is not read.
    in_image: usize,
    in_table_head: bool,
    /// The id of each heading open, for its words after it.
    headings: Vec<(HeadingLevel, Option<String>)>,
}

impl<'p> Reading<'p> {
    /// A reading of a page titled `title`, with `for_page` and `for_headings` the
    /// words it is found by besides its own.
    pub(super) fn new(
        title: &str,
        (for_page, for_headings): (Vec<&str>, HashMap<&'p str, Vec<&'p str>>),
    ) -> Reading<'p> {
        let mut reader = Reader::of_text();
        reader.open(element("h1", None));
        reader.text(title);
        reader.close();
        if !for_page.is_empty() {
            words_for(&mut reader, &for_page);
        }
        Reading {
            reader: Some(reader),
            for_headings,
            end_newline: true,
            in_image: 0,
            in_table_head: false,
            headings: Vec::new(),
        }
    }

    /// The words read, unless the page held something not read here.
    pub(super) fn finish(self) -> Option<PageText> {
        self.reader.map(Reader::finish)
    }

    /// Reads a stretch of markdown's events, which pulldown-cmark writes on its own.
    pub(super) fn events(
        &mut self,
        events: &[(Event<'_>, std::ops::Range<usize>)],
        written: &Written,
    ) {
        self.end_newline = true;
        for (at, (event, _)) in events.iter().enumerate() {
            if self.reader.is_none() {
                return;
            }
            if self.in_image > 0 {
                match event {
                    Event::Start(_) => self.in_image += 1,
                    Event::End(_) => self.in_image -= 1,
                    _ => {}
                }
                continue;
            }
            let read = match event {
                Event::Start(tag) => self.start(tag),
                Event::End(tag) => self.end(*tag),
                Event::Html(_) | Event::InlineHtml(_) => self.written(written.get(&at)),
                event => self.inline(event),
            };
            if read.is_none() {
                self.reader = None;
            }
        }
    }

    fn start(&mut self, tag: &Tag<'_>) -> Option<()> {
        match tag {
            Tag::Paragraph => self.open_block("p"),
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => {
                self.new_line();
                let class = classes
                    .iter()
                    .map(|c| c.as_ref())
                    .collect::<Vec<_>>()
                    .join(" ");
                let weight = attrs
                    .iter()
                    .find(|(name, _)| name.as_ref() == "data-pagefind-weight");
                let tag = heading_tag(*level);
                self.reader()?.open(Element {
                    tag,
                    class: (!classes.is_empty()).then_some(class.as_str()),
                    id: id.as_deref(),
                    weight: weight.map(|(_, value)| value.as_deref().unwrap_or("")),
                    has_end: true,
                });
                self.end_newline = false;
                self.headings
                    .push((*level, id.as_deref().map(str::to_owned)));
            }
            Tag::Table(_) => self.open("table"),
            Tag::TableHead => {
                self.in_table_head = true;
                self.open("thead");
                self.open("tr");
            }
            Tag::TableRow => self.open("tr"),
            Tag::TableCell if self.in_table_head => self.open("th"),
            Tag::TableCell => self.open("td"),
            Tag::BlockQuote(_) => {
                self.open_block("blockquote");
                self.line();
            }
            Tag::CodeBlock(_) => {
                self.open_block("pre");
                self.open("code");
            }
            Tag::List(start) => {
                self.open_block(if start.is_some() { "ol" } else { "ul" });
                self.line();
            }
            Tag::Item => self.open_block("li"),
            Tag::Emphasis => self.open("em"),
            Tag::Strong => self.open("strong"),
            Tag::Strikethrough => self.open("del"),
            Tag::Link { .. } => self.open("a"),
            Tag::Image { .. } => {
                self.void("img");
                self.in_image = 1;
            }
            _ => return None,
        }
        Some(())
    }

    fn end(&mut self, tag: TagEnd) -> Option<()> {
        match tag {
            TagEnd::Paragraph
            | TagEnd::TableRow
            | TagEnd::BlockQuote(_)
            | TagEnd::List(_)
            | TagEnd::Item => {
                self.close();
                self.line();
            }
            TagEnd::Heading(_) => {
                self.close();
                let (level, id) = self.headings.pop()?;
                let words = id
                    .filter(|_| level != HeadingLevel::H1)
                    .and_then(|id| self.for_headings.get(id.as_str()));
                if let Some(words) = words {
                    let words = words.clone();
                    words_for(self.reader()?, &words);
                }
                self.line();
            }
            TagEnd::TableHead => {
                self.in_table_head = false;
                self.close();
                self.close();
                self.open("tbody");
                self.line();
            }
            TagEnd::Table => {
                self.close();
                self.close();
                self.line();
            }
            TagEnd::CodeBlock => {
                self.close();
                self.close();
                self.line();
            }
            TagEnd::TableCell
            | TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link => self.close(),
            _ => return None,
        }
        Some(())
    }

    fn inline(&mut self, event: &Event<'_>) -> Option<()> {
        match event {
            Event::Text(text) => self.text(text),
            Event::Code(code) => {
                self.open("code");
                self.text(code);
                self.close();
            }
            Event::SoftBreak => self.line(),
            Event::HardBreak => {
                self.void("br");
                self.line();
            }
            Event::Rule => {
                self.new_line();
                self.void("hr");
                self.line();
            }
            _ => return None,
        }
        Some(())
    }

    /// HTML this stage wrote, read as what it wrote; any other HTML is not read
    /// here.
    fn written(&mut self, written: Option<&WrittenHtml>) -> Option<()> {
        match written? {
            WrittenHtml::LinkStart => self.open("a"),
            WrittenHtml::LinkEnd(language) => {
                if let Some(language) = language {
                    self.text(" ");
                    self.open_with_class("span", "link-language");
                    self.text(language);
                    self.close();
                }
                self.close();
            }
            WrittenHtml::TaskMarker(tick, hidden) => {
                self.open_with_class("span", "task-list__marker");
                self.text(tick.encode_utf8(&mut [0; 4]));
                self.close();
                self.open_with_class("span", "visually-hidden");
                self.text(hidden);
                self.close();
            }
        }
        Some(())
    }

    fn reader(&mut self) -> Option<&mut Reader> {
        self.reader.as_mut()
    }

    fn open(&mut self, tag: &str) {
        self.end_newline = false;
        if let Some(reader) = self.reader() {
            reader.open(element(tag, None));
        }
    }

    fn open_with_class(&mut self, tag: &str, class: &str) {
        self.end_newline = false;
        if let Some(reader) = self.reader() {
            reader.open(element(tag, Some(class)));
        }
    }

    /// Opens a block that pulldown-cmark starts on a line of its own.
    fn open_block(&mut self, tag: &str) {
        self.new_line();
        self.open(tag);
    }

    fn void(&mut self, tag: &str) {
        self.end_newline = false;
        if let Some(reader) = self.reader() {
            reader.open(Element {
                has_end: false,
                ..element(tag, None)
            });
        }
    }

    fn close(&mut self) {
        self.end_newline = false;
        if let Some(reader) = self.reader() {
            reader.close();
        }
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.end_newline = text.ends_with('\n');
        if let Some(reader) = self.reader() {
            reader.text(text);
        }
    }

    /// The newline pulldown-cmark writes at the end of a block.
    fn line(&mut self) {
        self.text("\n");
    }

    /// The newline pulldown-cmark writes before a block, unless a line just ended.
    fn new_line(&mut self) {
        if !self.end_newline {
            self.line();
        }
    }
}

/// Writes markup this stage makes itself into the page's HTML and its reading at
/// once, so that what is read is what is written.
pub(super) struct Markup<'r, 'p> {
    pub(super) html: &'r mut String,
    pub(super) reading: &'r mut Reading<'p>,
}

impl Markup<'_, '_> {
    /// Opens `tag` with `class`.
    pub(super) fn open(&mut self, tag: &str, class: &str) -> &mut Self {
        self.html.push_str(&format!("<{tag} class=\"{class}\">"));
        self.reading.open_with_class(tag, class);
        self
    }

    pub(super) fn text(&mut self, text: &str) -> &mut Self {
        push_escaped(self.html, text);
        self.reading.text(text);
        self
    }

    pub(super) fn close(&mut self, tag: &str) -> &mut Self {
        self.html.push_str(&format!("</{tag}>"));
        self.reading.close();
        self
    }

    pub(super) fn line(&mut self) -> &mut Self {
        self.html.push('\n');
        self.reading.line();
        self
    }
}

/// The words a page or heading is found by, as the search index's document has
/// them: a paragraph of their own, with a weight of 5, on a line of its own.
fn words_for(reader: &mut Reader, words: &[&str]) {
    reader.text("\n");
    reader.open(Element {
        weight: Some("5"),
        ..element("p", None)
    });
    reader.text(&words.join(", "));
    reader.close();
    reader.text("\n");
}

fn element<'a>(tag: &'a str, class: Option<&'a str>) -> Element<'a> {
    Element {
        tag,
        class,
        id: None,
        weight: None,
        has_end: true,
    }
}

fn heading_tag(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "h1",
        HeadingLevel::H2 => "h2",
        HeadingLevel::H3 => "h3",
        HeadingLevel::H4 => "h4",
        HeadingLevel::H5 => "h5",
        HeadingLevel::H6 => "h6",
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::tests::{as_the_fuzz_target_reads, english, page};
    use super::super::{LinkIndex, render_despite_mistakes};
    use super::*;
    use crate::model::assets::AssetMap;
    use crate::model::page::AlsoKnownAs;

    /// The words of a page with `body`, as read while it was made, and as read
    /// from its HTML.
    fn read_both_ways(body: &str) -> (Option<PageText>, PageText) {
        let mut page = page("play.md", body);
        let front = Arc::make_mut(&mut page.front);
        front.keywords = vec!["colic".into(), "wind".into()];
        front.also_known_as = vec![AlsoKnownAs {
            term: "sobbing".into(),
            heading: Some("crying".into()),
            position: crate::support::error::Position { line: 1, col: 1 },
        }];
        let pages = [("play.md", "play/")];
        let assets = AssetMap::default();
        let links = LinkIndex::new(pages, &assets, ("", "en-GB"));
        let (rendered, _) = render_despite_mistakes(&page, &links, &english());
        let from_html =
            crate::stages::search_index::words_from_html(&page, "en-GB", &rendered.html);
        (rendered.words.take(), from_html)
    }

    #[test]
    fn words_read_as_a_page_is_made_are_those_its_html_gives() {
        let bodies = [
            "",
            "## Crying\n\nBabies cry. *Often* **loudly** and ~~never~~ quietly\n",
            "- one\n- two\n  - nested\n    - deeper\n\n1. first\n2. second\n\n3. third\n",
            "- loose\n\n  more\n\n- two\n",
            "| Cue | Meaning |\n|---|:-:|\n| Looking away | A break |\n",
            "| Only | A head |\n|---|---|\n\nAfter the table\n",
            "> A quote\n> goes on\n\n---\n\nOne line  \nand the next\\\nand one more\n",
            "```rust\nlet x = 1;\n```\n\n    indented code\n\nUse `code` here.\n",
            "See [the NHS](https://www.nhs.uk/ \"NHS\") or call [111](tel:111).\n\n\
             ![A baby](picture.svg) ![decorative](x.svg) [play](play.md#peek)\n",
            "- [x] done\n- [ ] to do\n",
            "## Hidden {#own .visually-hidden}\n\nText\n\n## Heavy {data-pagefind-weight=3}\n",
            "Tom \\&lt; Jerry &amp; AT&T said \"hello\" and 'bye' a < b > c\n",
            "# A first heading\n\n# A second\n\n#### Deep\n\n###### Deepest\n",
            "Ends with a colon:\n\n## Crying\n\nText (in brackets)\n",
            "::: urgent Call 111 if:\n- your baby is hot\n:::\n\n::: emergency\nCall 999\n:::\n\n\
             ::: non-urgent See a GP if:\n\n| A | B |\n|---|---|\n:::\n\n\
             ::: warning Important\nText\n:::\n\n::: info\nA note\n:::\n\n\
             ::: info A heading\n> quoted\n:::\n\n::: do Do\n- this\n:::\n\n\
             ::: dont Do not\n- shake\n1. and this\n:::\n\nAfter the blocks\n",
        ];
        for body in bodies {
            let (as_made, from_html) = read_both_ways(body);
            assert_eq!(as_made, Some(from_html), "{body}");
        }
    }

    /// The fuzzers' corpus of markdown: odd pages, each read both ways.
    #[test]
    fn every_page_of_the_fuzzers_corpus_reads_the_same_both_ways() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/markdown");
        let mut read_as_made = 0;
        for entry in std::fs::read_dir(folder).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let body = as_the_fuzz_target_reads(&bytes);
            if let (Some(as_made), from_html) = read_both_ways(body) {
                assert_eq!(as_made, from_html, "{body}");
                read_as_made += 1;
            }
        }
        assert!(
            read_as_made >= 80,
            "only {read_as_made} pages were read as made"
        );
    }

    #[test]
    fn a_page_with_html_of_its_own_or_a_footnote_is_read_from_its_html() {
        for body in [
            "<details><summary>More</summary>\n\nHidden text\n\n</details>\n",
            "Some <b>bold</b> words\n",
            "A claim[^1]\n\n[^1]: Its source\n",
        ] {
            let (as_made, _) = read_both_ways(body);
            assert_eq!(as_made, None, "{body}");
        }
    }
}
