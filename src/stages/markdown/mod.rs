//! Markdown: turns a page's body into an HTML fragment with pulldown-cmark. On the
//! way it gives headings stable, unique ids, rewrites links to other pages' `.md`
//! files and to images into URLs that work from the page's own address (a link
//! written as the site's own full address too), records every heading and link with
//! its line and column, and renders the care card and callout blocks (`::: kind
//! heading` … `:::`), with their labels in the page's language. In a translation, a
//! link to a page that is not translated goes to the page in the site's own
//! language, and says so. It refuses raw HTML and addresses that could run script
//! in a reader's browser (see `raw_html`). Its blocks, links, text and the events it
//! reads are modules of their own. It reads the page's words for the search index
//! as it writes them (see `reading`), and writes the page's HTML minified as well
//! (see `minified`). Uses `page`, `paths`, `messages`, `escape`,
//! `search_reading`, `memo`, `cache_key` and `error`.

mod blocks;
mod events;
mod links;
mod minified;
pub mod raw_html;
mod reading;
mod text;

pub use blocks::BlockKind;
use blocks::Segment;
use events::*;
pub use links::LinkIndex;
use links::normalise_label;

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{BrokenLink, CowStr, Event, Options, Parser, Tag};

use crate::memo::MemoKey;
use crate::model::page::{
    AsMade, BlockSummary, DECORATIVE, Heading, Link, Page, RenderedPage, TableSummary, TextBlocks,
};
use crate::support::error::{Diagnostic, LineIndex, Position, StageError, did_you_mean};
use crate::support::escape::escape_html;
use crate::support::messages::Catalogue;
use crate::support::paths;
use crate::support::search_reading::WordsAsMade;

/// What can be wrong in a page's markdown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkdownError {
    #[error("unknown block kind '{kind}'")]
    UnknownKind { kind: String, position: Position },
    #[error("this '::: {kind}' block is never closed")]
    Unclosed {
        kind: String,
        position: Position,
        /// The line of the next block's `:::`, if one starts while this is open.
        next: Option<usize>,
    },
    #[error("this ':::' closes a block that was never opened")]
    StrayClose { position: Position },
    #[error(
        "this block starts inside the '::: {kind}' block, and blocks cannot go inside each other"
    )]
    Nested { kind: String, position: Position },
    #[error("this care card has no heading")]
    NoCardHeading { position: Position },
    #[error("raw HTML `<{name}>` is not allowed in a page")]
    RefusedElement { name: String, position: Position },
    #[error("the `{name}` attribute is not allowed on `<{element}>`")]
    RefusedAttribute {
        element: String,
        name: String,
        position: Position,
    },
    #[error("the address \"{written}\" is not allowed in a page")]
    RefusedAddress { written: String, position: Position },
    #[error("this HTML could be read two ways, so it cannot be checked")]
    AmbiguousHtml { position: Position },
    #[error("{attribute}=\"{written}\" is not a language tag")]
    BadLanguageTag {
        attribute: String,
        written: String,
        position: Position,
    },
    #[error("dir=\"{written}\" is not a direction")]
    BadDirection { written: String, position: Position },
    #[error(
        "this is nested {depth} deep, counting each list, item, quote and HTML element; the most a page can nest is {MAX_NESTING}"
    )]
    TooDeep { depth: usize, position: Position },
}

/// How deep a page's lists, block quotes and HTML elements can be nested. No reader
/// can follow more; and a limit keeps every later stage's work within bounds.
pub const MAX_NESTING: usize = 100;

impl StageError for MarkdownError {
    fn position(&self) -> Option<Position> {
        match self {
            MarkdownError::UnknownKind { position, .. }
            | MarkdownError::Unclosed { position, .. }
            | MarkdownError::StrayClose { position }
            | MarkdownError::Nested { position, .. }
            | MarkdownError::NoCardHeading { position }
            | MarkdownError::RefusedElement { position, .. }
            | MarkdownError::RefusedAttribute { position, .. }
            | MarkdownError::RefusedAddress { position, .. }
            | MarkdownError::TooDeep { position, .. }
            | MarkdownError::AmbiguousHtml { position }
            | MarkdownError::BadLanguageTag { position, .. }
            | MarkdownError::BadDirection { position, .. } => Some(*position),
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            MarkdownError::UnknownKind { kind, .. } => {
                match did_you_mean(kind, BlockKind::NAMES.iter().copied()) {
                    Some(s) => format!("did you mean '{s}'?"),
                    None => format!("the kinds are: {}", BlockKind::NAMES.join(", ")),
                }
            }
            MarkdownError::Unclosed { next: Some(line), .. } => {
                format!("add a line with just ':::' where the block ends, before the next block on line {line}")
            }
            MarkdownError::Unclosed { .. } => {
                "add a line with just ':::' where the block ends".into()
            }
            MarkdownError::StrayClose { .. } => {
                "remove this line, or open a block above it with a line such as '::: info'".into()
            }
            MarkdownError::Nested { kind, .. } => {
                format!("close the '::: {kind}' block with a line with just ':::' before this one starts")
            }
            MarkdownError::NoCardHeading { .. } => {
                "write what to do after the kind, such as '::: urgent Call 111 if:'".into()
            }
            MarkdownError::RefusedElement { name, .. } => match name.as_str() {
                "script" | "noscript" => {
                    "pages cannot run scripts, so that no page can harm a reader; remove it".into()
                }
                "style" | "link" => "the theme styles every page; remove it".into(),
                "iframe" | "frame" | "object" | "embed" | "video" | "audio" | "source"
                | "track" | "canvas" | "svg" | "math" => {
                    "link to it instead, such as [Watch the video](https://…)".into()
                }
                "form" | "input" | "button" | "select" | "textarea" | "option" | "label" => {
                    "link to the form on its own site instead".into()
                }
                _ => "a page's HTML can hold text, links, images, lists and tables; \"HTML in a page\" in docs/editors.md lists the elements allowed".into(),
            },
            MarkdownError::RefusedAttribute { name, .. } => {
                if name.starts_with("on") {
                    "event handlers run scripts, which pages cannot; remove it".into()
                } else if name == "style" {
                    "the theme styles every page; remove it, or use a class".into()
                } else {
                    "remove it; \"HTML in a page\" in docs/editors.md lists the attributes allowed".into()
                }
            }
            MarkdownError::AmbiguousHtml { .. } => {
                "close each element you open, and use only the elements listed under \"HTML in a page\" in docs/editors.md".into()
            }
            MarkdownError::TooDeep { .. } => {
                "use headings to split the page, and lists of one or two levels".into()
            }
            MarkdownError::RefusedAddress { .. } => {
                "link to a page or file of the site, or to an address that starts with https:, http:, mailto: or tel:".into()
            }
            MarkdownError::BadLanguageTag { .. } => {
                "write the language's tag, such as `pl` for Polish, `ur` for Urdu or `cy` for Welsh".into()
            }
            MarkdownError::BadDirection { .. } => {
                "write `rtl` for text written right to left, such as Urdu or Arabic, `ltr` for text written left to right, or `auto`".into()
            }
        })
    }
}

/// One page to render, with the index of where its links can point and the
/// interface messages its blocks' labels come from.
pub struct Input<'a> {
    pub page: &'a Page,
    pub links: &'a LinkIndex<'a>,
    pub messages: &'a Catalogue,
}

impl MemoKey for Input<'_> {
    fn memo_key(&self) -> blake3::Hash {
        made_from(self.page, self.links, self.messages)
    }
}

/// The key of what a page's rendered markdown is made from.
fn made_from(page: &Page, links: &LinkIndex, messages: &Catalogue) -> blake3::Hash {
    crate::support::cache_key::of([
        links.key.as_bytes(),
        messages.key().as_bytes(),
        page.source.memo_key().as_bytes(),
    ])
}

/// Renders one page's body as well as it can, with every mistake in it as a
/// diagnostic.
pub fn render_page(input: &Input) -> (std::sync::Arc<RenderedPage>, Vec<Diagnostic>) {
    let (rendered, errors) = render_despite_mistakes(input.page, input.links, input.messages);
    (
        std::sync::Arc::new(rendered),
        diagnostics(input.page, &errors),
    )
}

/// Renders one page's body as well as it can, with every mistake in it. The
/// headings, links and text of a page with mistakes are still there for the checks
/// of the rest of the site, so that one mistake is not reported again elsewhere.
pub fn render_despite_mistakes(
    page: &Page,
    links: &LinkIndex,
    messages: &Catalogue,
) -> (RenderedPage, Vec<MarkdownError>) {
    let text: &str = &page.source.text;
    let body_start = page.front.body_start.min(text.len());
    let body = &text[body_start..];
    let mut renderer = Renderer::new(page, links, messages, body.len());
    if body.contains(":::") {
        let segments = renderer.split_blocks(body_start, body);
        renderer.collect_references(body);
        for segment in segments {
            match segment {
                Segment::Markdown(range) => {
                    renderer.render_markdown(range);
                }
                Segment::Block {
                    kind,
                    heading,
                    heading_at,
                    opened_at,
                    inner,
                } => renderer.render_block(kind, &heading, (heading_at, opened_at), inner),
            }
        }
    } else {
        renderer.render_markdown(body_start..text.len());
    }
    if let Some(position) = renderer.first_raw_html {
        let depth = raw_html::nesting_depth(&renderer.html);
        if depth > MAX_NESTING && renderer.errors.is_empty() {
            renderer
                .errors
                .push(MarkdownError::TooDeep { depth, position });
        }
    }
    let complete = !renderer
        .errors
        .iter()
        .any(|error| matches!(error, MarkdownError::TooDeep { .. }));
    // HTML nested too deep is never handed on: no later stage need bear it.
    if !complete {
        renderer.html.clear();
    }
    let (words, minified) = renderer.reading.finish();
    let words = words.filter(|_| complete);
    let minified = minified.filter(|_| complete);
    let rendered = RenderedPage {
        made_from: made_from(page, links, messages),
        html: renderer.html.into(),
        headings: renderer.headings,
        links: renderer.records,
        text: renderer.text_blocks.into(),
        blocks: renderer.blocks,
        tables: renderer.tables,
        complete,
        words: AsMade(WordsAsMade::new(words)),
        minified: AsMade(minified),
    };
    (rendered, renderer.errors)
}

/// Every problem in a page's markdown as diagnostics.
pub fn diagnostics(page: &Page, errors: &[MarkdownError]) -> Vec<Diagnostic> {
    errors
        .iter()
        .map(|e| e.to_diagnostic(&page.source.display_path, Some(&page.source.text)))
        .collect()
}

/// The events of a stretch of markdown, each with where it is in the stretch.
type Events<'e> = Vec<(Event<'e>, Range<usize>)>;

/// Makes the item that starts at event `i` of a "do not" list start with "do not":
/// screen reader users can miss the list's heading, so each item says it too, as
/// the NHS's lists of what not to do do.
fn say_do_not(events: &mut Events, i: usize) {
    let first_text = events[i + 1..]
        .iter()
        .position(|(e, _)| !matches!(e, Event::Start(Tag::Paragraph)))
        .map(|skip| i + 1 + skip);
    if let Some(at) = first_text {
        let says_do_not =
            matches!(&events[at].0, Event::Text(t) if t.to_lowercase().starts_with("do not"));
        if !says_do_not {
            let range = events[at].1.clone();
            events.insert(at, (Event::Text(CowStr::from("do not ")), range));
        }
    }
}

/// Markdown options: the CommonMark extensions editors expect.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

struct Renderer<'a> {
    text: &'a str,
    index: LineIndex,
    page: &'a Page,
    links: &'a LinkIndex<'a>,
    messages: &'a Catalogue,
    html: String,
    headings: Vec<Heading>,
    records: Vec<Link>,
    used_ids: HashSet<String>,
    /// The level of the last heading, so a block's heading fits the outline.
    last_level: u8,
    /// Link reference definitions of the whole body, by normalised label, so that a
    /// link inside a block can use a definition written outside it.
    references: HashMap<String, (String, String)>,
    errors: Vec<MarkdownError>,
    /// Inside a `dont` block, where every item must start with "do not".
    in_dont_list: bool,
    text_blocks: TextBlocks,
    blocks: Vec<BlockSummary>,
    tables: Vec<TableSummary>,
    /// Where the page's first raw HTML is, if it has any.
    first_raw_html: Option<Position>,
    /// The page's words as the search index reads them.
    reading: reading::Reading<'a>,
    /// The HTML written into the events of the stretch being rendered.
    written: reading::Written,
}

impl<'a> Renderer<'a> {
    fn new(
        page: &'a Page,
        links: &'a LinkIndex<'a>,
        messages: &'a Catalogue,
        body_len: usize,
    ) -> Renderer<'a> {
        let text: &str = &page.source.text;
        Renderer {
            text,
            index: LineIndex::new(text),
            page,
            links,
            messages,
            html: String::with_capacity(body_len * 3 / 2),
            headings: Vec::new(),
            records: Vec::new(),
            used_ids: HashSet::new(),
            last_level: 1,
            references: HashMap::new(),
            errors: Vec::new(),
            in_dont_list: false,
            text_blocks: TextBlocks::default(),
            blocks: Vec::new(),
            tables: Vec::new(),
            first_raw_html: None,
            reading: reading::Reading::new(
                &page.front.title,
                page.front.search_words(),
                body_len * 3 / 2,
            ),
            written: reading::Written::new(),
        }
    }

    fn position(&self, offset: usize) -> Position {
        self.index.position(self.text, offset)
    }

    /// The interface message `id` in the page's language.
    fn message(&self, id: &str) -> String {
        let language = self.page.source.translates.as_ref();
        self.messages
            .text(language.map(|t| t.language.as_str()), id, &[])
    }

    /// Writes markup of this stage's own into the page and its reading.
    fn markup(&mut self) -> reading::Markup<'_, 'a> {
        reading::Markup {
            html: &mut self.html,
            reading: &mut self.reading,
        }
    }

    /// Renders a stretch of markdown; says whether it starts with a list.
    fn render_markdown(&mut self, range: Range<usize>) -> bool {
        let base = range.start;
        let text = &self.text[range];
        let references = &self.references;
        let mut callback = |broken: BrokenLink<'_>| {
            references
                .get(&normalise_label(&broken.reference))
                .map(|(dest, title)| (CowStr::from(dest.clone()), CowStr::from(title.clone())))
        };
        let parser = Parser::new_with_broken_link_callback(text, options(), Some(&mut callback));
        // Room for an event for each 6 bytes of markdown, about what a list of
        // links makes, so that the list is rarely grown and copied.
        let mut events: Events = Vec::with_capacity(text.len() / 6 + 16);
        events.extend(parser.into_offset_iter());
        let starts_with_list = matches!(events.first(), Some((Event::Start(Tag::List(_)), _)));
        if let Some((depth, offset)) = too_deep(&events) {
            let position = self.position(base + offset);
            self.errors.push(MarkdownError::TooDeep { depth, position });
            return starts_with_list;
        }

        self.written.clear();
        let mut i = 0;
        while i < events.len() {
            i = self.read_event(&mut events, i, base);
        }
        self.collect_text(&events, base);
        self.reading.events(&events, &self.written);
        pulldown_cmark::html::push_html(&mut self.html, events.into_iter().map(|(e, _)| e));
        starts_with_list
    }

    /// Reads event `i` of a stretch that starts at `base`, changing it and those
    /// after it where the page needs them to be; gives the next event to read.
    fn read_event(&mut self, events: &mut Events, i: usize, base: usize) -> usize {
        let offset = base + events[i].1.start;
        match &events[i].0 {
            Event::Start(Tag::Heading { .. }) => return self.heading(events, i, offset),
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => self.link(events, i, offset),
            Event::Start(Tag::TableHead) => {
                let end = find_end(events, i);
                self.tables.push(TableSummary {
                    position: self.position(offset),
                    has_header: !plain_text(&events[i + 1..end]).is_empty(),
                });
            }
            Event::Start(Tag::HtmlBlock) => {
                let end = find_end(events, i);
                self.read_raw_html(&mut events[i + 1..end], base);
                return end;
            }
            Event::InlineHtml(_) => self.read_raw_html(&mut events[i..=i], base),
            Event::TaskListMarker(done) => {
                let (tick, hidden) = task_marker(*done);
                events[i].0 = Event::InlineHtml(CowStr::from(task_marker_html((tick, hidden))));
                (self.written).insert(i, reading::WrittenHtml::TaskMarker(tick, hidden));
            }
            Event::Start(Tag::Item) if self.in_dont_list => say_do_not(events, i),
            _ => {}
        }
        i + 1
    }

    /// Gives the heading that starts at event `i` its id and keeps it for the
    /// outline; gives the event after the heading.
    fn heading(&mut self, events: &mut Events, i: usize, offset: usize) -> usize {
        let end = find_end(events, i);
        let plain = plain_text(&events[i + 1..end]);
        let position = self.position(offset);
        if let Event::Start(Tag::Heading { level, id, .. }) = &mut events[i].0 {
            let wanted = match id {
                Some(explicit) => explicit.to_string(),
                None => paths::heading_id(&plain),
            };
            let unique = self.unique_id(wanted);
            *id = Some(CowStr::from(unique.clone()));
            let level = heading_level(*level);
            self.last_level = level;
            self.headings.push(Heading {
                level,
                id: unique,
                text: plain,
                position,
            });
        }
        end
    }

    /// Settles where the link or image that starts at event `i` goes, and keeps it
    /// for the checks. An image described as decorative gets empty alt text; a link
    /// that leaves the site says so.
    fn link(&mut self, events: &mut Events, i: usize, offset: usize) {
        let end = find_end(events, i);
        let mut label = plain_text(&events[i + 1..end]);
        let position = self.position(offset);
        let is_image = matches!(events[i].0, Event::Start(Tag::Image { .. }));
        let decorative = is_image && label.eq_ignore_ascii_case(DECORATIVE);
        if decorative {
            for (event, _) in &mut events[i + 1..end] {
                *event = Event::Text(CowStr::Borrowed(""));
            }
            label.clear();
        }
        let dest_url = match &mut events[i].0 {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => dest_url,
            _ => unreachable!("called for links and images only"),
        };
        // A refused address is reported as that, and goes nowhere.
        if !raw_html::is_allowed_address(dest_url) {
            self.errors.push(MarkdownError::RefusedAddress {
                written: dest_url.to_string(),
                position,
            });
            *dest_url = CowStr::Borrowed("#");
            return;
        }
        let (href, target, in_own_language) = self.resolve(dest_url);
        if let Some(href) = href {
            *dest_url = CowStr::from(href);
        }
        if !is_image && raw_html::leaves_site(dest_url) {
            let attributes = write_link(events, (i, end), ("rel", "noopener noreferrer"), "");
            self.wrote_link((i, end), attributes, None);
        } else if !is_image && raw_html::is_phone(dest_url) {
            let attributes = write_link(events, (i, end), ("dir", "ltr"), "");
            self.wrote_link((i, end), attributes, None);
        } else if !is_image && in_own_language {
            // A translation's link to a page that is not translated goes to the
            // page in the site's own language, and says so in the reader's.
            let hreflang = ("hreflang", self.links.language);
            let language = self.message("in-english");
            let label = format!(
                " <span class=\"link-language\">{}</span>",
                escape_html(&language)
            );
            let attributes = write_link(events, (i, end), hreflang, &label);
            self.wrote_link((i, end), attributes, Some(language));
        }
        self.records.push(Link {
            target,
            position,
            is_image,
            text: label,
            decorative,
        });
    }

    /// Notes that the link from event `start` to `end` is written as HTML with
    /// `attributes`, with the words for `language` at its end, if any.
    fn wrote_link(
        &mut self,
        (start, end): (usize, usize),
        attributes: Option<Vec<(&'static str, String)>>,
        language: Option<String>,
    ) {
        if let Some(attributes) = attributes {
            (self.written).insert(start, reading::WrittenHtml::LinkStart(attributes));
            (self.written).insert(end, reading::WrittenHtml::LinkEnd(language));
        }
    }

    fn unique_id(&mut self, wanted: String) -> String {
        let base = if wanted.is_empty() {
            "section".to_owned()
        } else {
            wanted
        };
        let mut candidate = base.clone();
        let mut suffix = 0;
        while self.used_ids.contains(&candidate) {
            suffix += 1;
            candidate = format!("{base}-{suffix}");
        }
        self.used_ids.insert(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default theme's messages, in English.
    pub(super) fn english() -> Catalogue {
        Catalogue::new(&crate::stages::load::theme::message_files(), ("en-GB", &[])).0
    }
    use crate::model::assets::AssetMap;
    use crate::model::page::FrontMatter;

    pub(super) fn page(content_path: &str, body: &str) -> Page {
        let text = format!("---\ntitle: T\ndescription: D\n---\n{body}");
        Page {
            source: crate::stages::load::page_source(content_path, &text),
            front: std::sync::Arc::new(FrontMatter {
                body_start: "---\ntitle: T\ndescription: D\n---\n".len(),
                ..FrontMatter::default()
            }),
        }
    }

    /// `bytes` as a fuzz target reads them: as text up to the first byte that is
    /// not.
    pub(super) fn as_the_fuzz_target_reads(bytes: &[u8]) -> &str {
        match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => std::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap_or(""),
        }
    }

    /// Pages with every kind of block, care card, list, table and link, heading
    /// attributes, text with entities and spaces, and images: for the tests that
    /// hold what is made as a page is made to what its HTML gives.
    const EVERY_KIND_OF_BODY: [&str; 21] = [
        "",
        "## Part 0\n\nCopy the sounds.\nEvery baby   is different.\n\n- one\n- two\n",
        "![A parent smiling](picture.svg)\n",
        "## Crying\n\nBabies cry. *Often* **loudly** and ~~never~~ quietly\n",
        "- one\n- two\n  - nested\n    - deeper\n\n1. first\n2. second\n\n3. third\n",
        "- loose\n\n  more\n\n- two\n\n7. seven\n8. eight\n",
        "| Cue | Meaning | Left | Right |\n|---|:-:|:--|--:|\n| Looking away | A break | a | b |\n",
        "| Only | A head |\n|---|---|\n\nAfter the table\n",
        "> A quote\n> goes on\n\n---\n\nOne line  \nand the next\\\nand one more\n",
        "```rust\nlet x = 1;\n  if a < b && c { }\n```\n\n    indented  code\n\nUse `a  <b>  code` here.\n",
        "See [the NHS](https://www.nhs.uk/ \"NHS's page\") or call [111](tel:111).\n\n\
         ![A baby](picture.svg \"A title\") ![decorative](x.svg) [play](play.md#peek)\n",
        "[a query](https://example.org/?a=1&b=2&copy=3) and [spaces](https://example.org/a b) \
         and <https://example.org/x'y> and <me@example.org> and [ü](https://example.org/ü)\n",
        "- [x] done\n- [ ] to do\n",
        "## Hidden {#own .visually-hidden .more}\n\nText\n\n## Heavy {data-pagefind-weight=3}\n",
        "Tom \\&lt; Jerry &amp; AT&T A&E said \"hello\" and 'bye' a < b > c &copy &notin; \u{226B}\u{20D2}\n",
        "# A first heading\n\n# A second\n\n#### Deep\n\n###### Deepest\n",
        "Ends with a colon:\n\n## Crying\n\nText (in brackets)\n",
        "::: urgent Call 111 if:\n- your baby is hot\n:::\n\n::: emergency\nCall 999\n:::\n\n\
         ::: non-urgent See a GP if:\n\n| A | B |\n|---|---|\n:::\n\n\
         ::: warning Important\nText\n:::\n\n::: info\nA note\n:::\n\n\
         ::: info A heading\n> quoted\n:::\n\n::: do Do\n- this\n:::\n\n\
         ::: dont Do not\n- shake\n1. and this\n:::\n\nAfter the blocks\n",
        "![An *image* with `code` and\na break](a.svg)\n",
        "A  line\twith   spaces\n\n\n\n   and more   \n",
        "::: info\n- [x] done\n:::\n",
    ];

    /// Holds what `both_ways` makes of a page's body as the page is made to what it
    /// makes of the page's HTML, for every kind of body and every page of the
    /// fuzzers' corpus of markdown, odd pages all: those it could make as the page
    /// was made (`Some`), which must be at least 80 of the corpus.
    pub(super) fn same_both_ways<T: PartialEq + std::fmt::Debug>(
        both_ways: impl Fn(&str) -> (Option<T>, T),
    ) {
        for body in EVERY_KIND_OF_BODY {
            let (as_made, from_html) = both_ways(body);
            assert_eq!(as_made, Some(from_html), "{body}");
        }
        let mut made = 0;
        for body in fuzz_corpus() {
            if let (Some(as_made), from_html) = both_ways(&body) {
                assert_eq!(as_made, from_html, "{body}");
                made += 1;
            }
        }
        assert!(made >= 80, "only {made} of the corpus's pages were made so");
    }

    /// Every page of the fuzzers' corpus of markdown, as the fuzz target reads it.
    pub(super) fn fuzz_corpus() -> Vec<String> {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/markdown");
        (std::fs::read_dir(folder).unwrap())
            .map(|entry| {
                let bytes = std::fs::read(entry.unwrap().path()).unwrap();
                as_the_fuzz_target_reads(&bytes).to_owned()
            })
            .collect()
    }

    /// `page` rendered, whatever mistakes it holds, in a site of a few pages.
    pub(super) fn rendered(page: &Page) -> (RenderedPage, Vec<MarkdownError>) {
        let pages = [
            ("crying/soothing.md", "crying/soothing/"),
            ("crying/_index.md", "crying/"),
            ("play.md", "play/"),
        ];
        let assets = AssetMap::default();
        let links = LinkIndex::new(pages, &assets, ("", "en-GB"));
        render_despite_mistakes(page, &links, &english())
    }

    pub(super) fn render_body(
        content_path: &str,
        body: &str,
    ) -> Result<RenderedPage, Vec<MarkdownError>> {
        match rendered(&page(content_path, body)) {
            (rendered, errors) if errors.is_empty() => Ok(rendered),
            (_, errors) => Err(errors),
        }
    }

    #[test]
    fn links_that_leave_the_site_and_phone_numbers_are_marked() {
        let page = render_body(
            "play.md",
            "See [the NHS](https://www.nhs.uk/ \"NHS\") or call [01632 960 201](TEL:01632960201).\n",
        )
        .unwrap();
        assert!(page.html.contains(
            r#"<a href="https://www.nhs.uk/" title="NHS" rel="noopener noreferrer">the NHS</a>"#
        ));
        assert!(
            page.html
                .contains(r#"<a href="TEL:01632960201" dir="ltr">01632 960 201</a>"#)
        );
    }

    #[test]
    fn heading_ids_are_unique_within_a_page() {
        let page = render_body(
            "play.md",
            "## Crying\n\n## Crying\n\n## Crying-1\n\n### Crying\n",
        )
        .unwrap();
        let ids: Vec<_> = page.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["crying", "crying-1", "crying-1-1", "crying-2"]);
        assert!(page.html.contains("<h2 id=\"crying-1\">"));
    }

    #[test]
    fn links_to_markdown_files_become_page_urls() {
        let page = render_body(
            "crying/soothing.md",
            "See [play](../play.md#peek) and [crying](_index.md).\n",
        )
        .unwrap();
        assert!(
            page.html.contains("href=\"../../play/#peek\""),
            "{}",
            page.html
        );
        assert!(
            page.html.contains("href=\"../../crying/\""),
            "{}",
            page.html
        );
        assert_eq!(page.links[0].position, Position { line: 5, col: 5 });
    }

    #[test]
    fn blocks_render_with_a_hidden_prefix_and_a_fitting_heading_level() {
        let page = render_body(
            "play.md",
            "## When to get help\n\n::: urgent Call 111 if:\n- your baby is floppy\n:::\n\nAfter.\n",
        )
        .unwrap();
        assert!(page.html.contains("<h3 class=\"care-card__heading\"><span class=\"visually-hidden\">Urgent advice: </span>Call 111 if:</h3>"), "{}", page.html);
        assert!(page.html.contains("<li>your baby is floppy</li>"));
        assert!(page.html.ends_with("<p>After.</p>\n"));
    }

    #[test]
    fn a_warning_that_says_important_gets_no_second_prefix() {
        let page =
            render_body("play.md", "::: warning Important: safe sleep\nText.\n:::\n").unwrap();
        assert!(!page.html.contains("visually-hidden"), "{}", page.html);
        let page = render_body("play.md", "::: warning Safe sleep\nText.\n:::\n").unwrap();
        assert!(
            page.html
                .contains("<span class=\"visually-hidden\">Important: </span>Safe sleep")
        );
    }

    #[test]
    fn every_dont_item_starts_with_do_not() {
        let page = render_body(
            "play.md",
            "::: dont\n- shake your baby\n- do not leave them\n- Do not smoke\n:::\n",
        )
        .unwrap();
        assert!(
            page.html.contains("<li>do not shake your baby</li>"),
            "{}",
            page.html
        );
        assert!(page.html.contains("<li>do not leave them</li>"));
        assert!(page.html.contains("<li>Do not smoke</li>"));
    }

    #[test]
    fn colons_in_code_are_left_alone() {
        let page = render_body("play.md", "```\n::: nonsense\n```\n").unwrap();
        assert!(page.html.contains("::: nonsense"));
    }

    #[test]
    fn block_mistakes_are_reported_where_they_are() {
        let errors = render_body(
            "play.md",
            "::: emergancy Call 999 if:\n- x\n:::\n\n:::\n\n::: info\n",
        )
        .unwrap_err();
        assert_eq!(
            errors,
            [
                MarkdownError::UnknownKind {
                    kind: "emergancy".into(),
                    position: Position { line: 5, col: 5 }
                },
                MarkdownError::StrayClose {
                    position: Position { line: 9, col: 1 }
                },
                MarkdownError::Unclosed {
                    kind: "info".into(),
                    position: Position { line: 11, col: 1 },
                    next: None,
                },
            ]
        );
    }

    #[test]
    fn a_block_left_open_is_reported_where_it_starts_and_one_put_inside_another_where_that_starts()
    {
        let left_open = render_body(
            "play.md",
            "::: urgent Call 111 if:\n- a\n\n::: info Note\nText.\n:::\n",
        )
        .unwrap_err();
        assert_eq!(
            left_open,
            [MarkdownError::Unclosed {
                kind: "urgent".into(),
                position: Position { line: 5, col: 1 },
                next: Some(8),
            }]
        );
        let inside = render_body(
            "play.md",
            "::: info Outer\n::: warning Inner\nText.\n:::\n:::\n",
        )
        .unwrap_err();
        assert_eq!(
            inside,
            [MarkdownError::Nested {
                kind: "info".into(),
                position: Position { line: 6, col: 1 },
            }]
        );
    }

    #[test]
    fn reference_links_work_inside_blocks() {
        let page = render_body(
            "play.md",
            "::: info\nSee [the guide][g].\n:::\n\n[g]: crying/soothing.md\n",
        )
        .unwrap();
        assert!(
            page.html.contains("href=\"../crying/soothing/\""),
            "{}",
            page.html
        );
    }
}

#[cfg(test)]
mod odd_input_tests {
    use super::*;
    use crate::model::assets::AssetMap;
    use crate::stages::front_matter;

    /// Runs text through front matter and markdown the way the pipeline does.
    fn render_file(text: &str) {
        let source = crate::stages::load::page_source("a/b.md", text);
        let Ok(front) = front_matter::parse(&source) else {
            return;
        };
        let page = Page {
            source,
            front: front.into(),
        };
        let assets = AssetMap::default();
        let _ = render_despite_mistakes(
            &page,
            &LinkIndex::new([], &assets, ("", "en-GB")),
            &super::tests::english(),
        );
    }

    /// Inputs the fuzzers found, each of which once stopped the program.
    #[test]
    fn what_the_fuzzers_found_never_panics() {
        let found: &[&[u8]] = &[include_bytes!(
            "../../../tests/fixtures/fuzz-found/markdown-select-makes-lol-html-stop.bin"
        )];
        for bytes in found {
            let text = super::tests::as_the_fuzz_target_reads(bytes);
            let _ = super::tests::render_body("crying/soothing.md", text);
        }
    }

    #[test]
    fn odd_inputs_never_panic() {
        let head = "---\ntitle: T\ndescription: D\n---\n";
        let bodies = [
            "",
            ":::",
            "::: ",
            ":::\n:::",
            "::: info",
            "::: info\n",
            "::: info\n::: info\n:::\n:::",
            "```\n:::\n",
            "    ::: info\n",
            "[x](#)",
            "[x]()",
            "[x](%)",
            "[x](%e9.md)",
            "[x](../../../../a.md)",
            "[x](/)",
            "[x](/#a)",
            "![](é.png)",
            "# \n## \n###### x {#}",
            "[^1]\n\n[^1]: ::: info",
            "::: urgent Ünïcödé if:\n- é\n:::",
            "\r\n::: info\r\nx\r\n:::\r\n",
            "<div>\n::: info\n</div>",
            "> ::: info\n> x\n> :::",
            "- ::: warning\n  x\n:::",
            "::: info\n```\n:::\n```\n:::",
        ];
        for body in bodies {
            render_file(&format!("{head}{body}"));
        }
        for text in [
            "",
            "---",
            "---\n",
            "---\n---",
            "---\n---\n",
            "---\r\n---\r\n",
            "\u{feff}",
            "---\n: x\n---",
            "---\n- a\n---",
            "---\n[1, 2]\n---",
            "---\n\"title\": x\n---",
            "---\ntitle: é\n  x: y\n---",
            "---\ntitle: T\ndescription: D\naliases: [\"/é/\", \"\"]\n---",
            "---\n? [a]\n: b\n---",
            "---\ntitle: &a T\ndescription: *a\n---",
            "---\ntitle: T\ndescription: D\nsources: [{}]\n---",
            "---\n\ttitle: T\n---",
            "---\ntitle: T\ndescription: D\nreviewed: 2026-1-1\n---",
        ] {
            render_file(text);
        }
    }
}
