//! The page's words as the search index reads them, read as the markdown is written
//! rather than from its HTML afterwards: each event is given to a [`Reader`] as the
//! element or text that pulldown-cmark writes for it, with the newlines it writes
//! between blocks, so that the reading is the one of the HTML. What the search
//! index reads is the page's title as its `h1`, its words for the page, and its
//! body with the words for each heading after the heading (see `search_index`).
//! Links and tick boxes this stage writes as HTML are read as what it wrote; a page
//! with raw HTML of its own, a footnote or anything else not read here is left to
//! the search index to read from its HTML. As it gives each element and text to
//! the reader, it gives it to the page's HTML written minified too (see
//! `minified`), which gives up where the reading does, and where it must. Uses
//! pulldown-cmark, and `page`, `search_reading` and `escape`.

use std::collections::HashMap;

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, LinkType, Tag, TagEnd};

use super::events::{alt_text, href_value};
use super::minified::MinifiedHtml;
use crate::model::page::MinifiedBody;
use crate::support::escape::push_escaped;
use crate::support::search_reading::{Element, PageText, Reader};

/// HTML this stage wrote into a stretch's events in place of pulldown-cmark's own,
/// by where it is in them.
pub(super) type Written = HashMap<usize, WrittenHtml>;

/// What an event of HTML that this stage wrote is.
pub(super) enum WrittenHtml {
    /// The start of a link, with its attributes: its own, and pulldown-cmark's.
    LinkStart(Vec<(&'static str, String)>),
    /// Its end, after the words that say what language it leads to, if any.
    LinkEnd(Option<String>),
    /// A task list's tick box: the box, and the hidden words that say it.
    TaskMarker(char, &'static str),
}

/// A page's words, being read.
pub(super) struct Reading<'p> {
    /// `None` once the page holds something not read here.
    reader: Option<Reader>,
    /// `None` once the page holds something not written minified here.
    minified: Option<MinifiedHtml>,
    for_headings: HashMap<&'p str, Vec<&'p str>>,
    /// Whether what was written last ends a line, as pulldown-cmark keeps it.
    end_newline: bool,
    /// How deep in an image: its words are its alt text, which is not read.
    in_image: usize,
    in_table_head: bool,
    /// How the table's columns are aligned, and which cell of its row is next.
    alignments: Vec<Alignment>,
    cell: usize,
    /// The id of each heading open, for its words after it.
    headings: Vec<(HeadingLevel, Option<String>)>,
}

impl<'p> Reading<'p> {
    /// A reading of a page titled `title`, with `for_page` and `for_headings` the
    /// words it is found by besides its own, and room for `capacity` bytes of
    /// HTML written minified.
    pub(super) fn new(
        title: &str,
        (for_page, for_headings): (Vec<&str>, HashMap<&'p str, Vec<&'p str>>),
        capacity: usize,
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
            minified: Some(MinifiedHtml::new(capacity)),
            for_headings,
            end_newline: true,
            in_image: 0,
            in_table_head: false,
            alignments: Vec::new(),
            cell: 0,
            headings: Vec::new(),
        }
    }

    /// The words read, unless the page held something not read here; and the
    /// HTML written minified, unless it held something not written so.
    pub(super) fn finish(self) -> (Option<PageText>, Option<MinifiedBody>) {
        (
            self.reader.map(Reader::finish),
            self.minified.and_then(MinifiedHtml::finish),
        )
    }

    /// Reads a stretch of markdown's events, which pulldown-cmark writes on its own.
    pub(super) fn events(
        &mut self,
        events: &[(Event<'_>, std::ops::Range<usize>)],
        written: &Written,
    ) {
        self.end_newline = true;
        for (at, (event, _)) in events.iter().enumerate() {
            if self.reader.is_none() && self.minified.is_none() {
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
                Event::Start(Tag::Image {
                    dest_url, title, ..
                }) => {
                    self.image(dest_url, title, &events[at + 1..]);
                    Some(())
                }
                Event::Start(tag) => self.start(tag),
                Event::End(tag) => self.end(*tag),
                Event::Html(_) | Event::InlineHtml(_) => self.written(written.get(&at)),
                event => self.inline(event),
            };
            if read.is_none() {
                self.reader = None;
                self.minified = None;
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
            } => self.heading(*level, id.as_deref(), classes, attrs),
            Tag::Table(alignments) => {
                self.alignments.clone_from(alignments);
                self.open("table");
            }
            Tag::TableHead => {
                self.in_table_head = true;
                self.cell = 0;
                self.open("thead");
                self.open("tr");
            }
            Tag::TableRow => {
                self.cell = 0;
                self.open("tr");
            }
            Tag::TableCell => self.table_cell(),
            Tag::BlockQuote(None) => {
                self.open_block("blockquote");
                self.line();
            }
            Tag::CodeBlock(kind) => self.code_block(kind),
            Tag::List(start) => {
                self.new_line();
                match start {
                    Some(start) if *start != 1 => {
                        let start = start.to_string();
                        self.enter(element("ol", None), &[("start", &start)]);
                    }
                    Some(_) => self.open("ol"),
                    None => self.open("ul"),
                }
                self.line();
            }
            Tag::Item => self.open_block("li"),
            Tag::Emphasis => self.open("em"),
            Tag::Strong => self.open("strong"),
            Tag::Strikethrough => self.open("del"),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } if self.minified.is_some() => {
                let mut href = href_value(dest_url);
                if *link_type == LinkType::Email {
                    href.insert_str(0, "mailto:");
                }
                let mut attributes = vec![("href", href.as_str())];
                if !title.is_empty() {
                    attributes.push(("title", title));
                }
                self.enter(element("a", None), &attributes);
            }
            // Only the minified writer reads an element's attributes.
            Tag::Link { .. } => self.open("a"),
            _ => return None,
        }
        Some(())
    }

    /// A heading, with its id and classes, and attributes such as its weight.
    fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<&str>,
        classes: &[pulldown_cmark::CowStr<'_>],
        attrs: &[(
            pulldown_cmark::CowStr<'_>,
            Option<pulldown_cmark::CowStr<'_>>,
        )],
    ) {
        self.new_line();
        let class = classes
            .iter()
            .map(|c| c.as_ref())
            .collect::<Vec<_>>()
            .join(" ");
        let attributes: Vec<(&str, &str)> = (attrs.iter())
            .map(|(name, value)| (name.as_ref(), value.as_deref().unwrap_or("")))
            .collect();
        let weight = attributes
            .iter()
            .find(|(name, _)| *name == "data-pagefind-weight");
        let element = Element {
            tag: heading_tag(level),
            class: (!classes.is_empty()).then_some(class.as_str()),
            id,
            weight: weight.map(|(_, value)| *value),
            has_end: true,
        };
        self.enter(element, &attributes);
        self.headings.push((level, id.map(str::to_owned)));
    }

    /// A table's cell, with its column's alignment.
    fn table_cell(&mut self) {
        let tag = if self.in_table_head { "th" } else { "td" };
        let style = match self.alignments.get(self.cell) {
            Some(Alignment::Left) => Some("text-align: left"),
            Some(Alignment::Center) => Some("text-align: center"),
            Some(Alignment::Right) => Some("text-align: right"),
            Some(Alignment::None) | None => None,
        };
        match style {
            Some(style) => self.enter(element(tag, None), &[("style", style)]),
            None => self.open(tag),
        }
    }

    /// A block of code, with the class of its language, if it names one.
    fn code_block(&mut self, kind: &CodeBlockKind<'_>) {
        self.open_block("pre");
        let language = match kind {
            CodeBlockKind::Fenced(info) => info.split(' ').next().unwrap_or_default(),
            CodeBlockKind::Indented => "",
        };
        match language {
            "" => self.open("code"),
            language => {
                let class = format!("language-{language}");
                self.enter(element("code", Some(&class)), &[]);
            }
        }
    }

    /// An image: an element with no end, whose alt text is the text of the events
    /// up to its end, as pulldown-cmark writes it.
    fn image(
        &mut self,
        dest_url: &str,
        title: &str,
        inside: &[(Event<'_>, std::ops::Range<usize>)],
    ) {
        self.in_image = 1;
        let image = Element {
            has_end: false,
            ..element("img", None)
        };
        if self.minified.is_none() {
            return self.enter(image, &[]);
        }
        let Some(alt) = alt_text(inside) else {
            self.minified = None;
            return;
        };
        let src = href_value(dest_url);
        let mut attributes = vec![("src", src.as_str()), ("alt", alt.as_str())];
        if !title.is_empty() {
            attributes.push(("title", title));
        }
        self.enter(image, &attributes);
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
                if let (Some(words), Some(reader)) = (words, self.reader.as_mut()) {
                    words_for(reader, words);
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
            TagEnd::TableCell => {
                self.cell += 1;
                self.close();
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link => {
                self.close()
            }
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
            WrittenHtml::LinkStart(_) if self.minified.is_none() => self.open("a"),
            WrittenHtml::LinkStart(attributes) => {
                let attributes: Vec<(&str, &str)> = (attributes.iter())
                    .map(|(name, value)| (*name, value.as_str()))
                    .collect();
                self.enter(element("a", None), &attributes);
            }
            WrittenHtml::LinkEnd(language) => {
                if let Some(language) = language {
                    self.text(" ");
                    self.enter(element("span", Some("link-language")), &[]);
                    self.text(language);
                    self.close();
                }
                self.close();
            }
            WrittenHtml::TaskMarker(tick, hidden) => {
                let marker = element("span", Some("task-list__marker"));
                self.enter(marker, &[("aria-hidden", "true")]);
                self.text(tick.encode_utf8(&mut [0; 4]));
                self.close();
                self.enter(element("span", Some("visually-hidden")), &[]);
                self.text(hidden);
                self.close();
            }
        }
        Some(())
    }

    /// Opens `element`, or writes it if it has no end, for the reader and in the
    /// HTML written minified, where it has its class and id and `attributes`, in
    /// the order pulldown-cmark writes them.
    fn enter(&mut self, element: Element<'_>, attributes: &[(&str, &str)]) {
        self.end_newline = false;
        if let Some(html) = &mut self.minified {
            let mut own = [("", ""); 2];
            let mut count = 0;
            for attribute in [
                element.id.map(|id| ("id", id)),
                element.class.map(|c| ("class", c)),
            ]
            .into_iter()
            .flatten()
            {
                own[count] = attribute;
                count += 1;
            }
            let joined;
            let all = match (count, attributes.is_empty()) {
                (0, _) => attributes,
                (_, true) => &own[..count],
                (_, false) => {
                    joined = [&own[..count], attributes].concat();
                    &joined[..]
                }
            };
            let written = match element.has_end {
                true => html.open(element.tag, all),
                false => html.void(element.tag, all),
            };
            if written.is_none() {
                self.minified = None;
            }
        }
        if let Some(reader) = &mut self.reader {
            reader.open(element);
        }
    }

    fn open(&mut self, tag: &str) {
        self.enter(element(tag, None), &[]);
    }

    /// Opens a block that pulldown-cmark starts on a line of its own.
    fn open_block(&mut self, tag: &str) {
        self.new_line();
        self.open(tag);
    }

    fn void(&mut self, tag: &str) {
        let void = Element {
            has_end: false,
            ..element(tag, None)
        };
        self.enter(void, &[]);
    }

    fn close(&mut self) {
        self.end_newline = false;
        if let Some(html) = &mut self.minified
            && html.close().is_none()
        {
            self.minified = None;
        }
        if let Some(reader) = &mut self.reader {
            reader.close();
        }
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.end_newline = text.ends_with('\n');
        if let Some(html) = &mut self.minified {
            html.text(text);
        }
        if let Some(reader) = &mut self.reader {
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
        self.reading.enter(element(tag, Some(class)), &[]);
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

    use super::super::tests::{page, rendered, same_both_ways};
    use super::*;
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
        let (rendered, _) = rendered(&page);
        let from_html =
            crate::stages::search_index::words_from_html(&page, "en-GB", &rendered.html);
        (rendered.words.take(), from_html)
    }

    #[test]
    fn words_read_as_a_page_is_made_are_those_its_html_gives() {
        same_both_ways(read_both_ways);
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
