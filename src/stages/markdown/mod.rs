//! Markdown: turns a page's body into an HTML fragment with pulldown-cmark. On the
//! way it gives headings stable, unique ids, rewrites links to other pages' `.md`
//! files and to images into URLs that work from the page's own address (a link
//! written as the site's own full address too), records every heading and link with
//! its line and column, and renders the care card and callout blocks (`::: kind
//! heading` … `:::`). It refuses raw HTML and addresses that could run script in a
//! reader's browser (see `raw_html`). Uses `page`, `assets`, `paths`, `domains`,
//! `escape`, `memo`, `cache_key` and `error`.

pub mod raw_html;

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{BrokenLink, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::memo::MemoKey;
use crate::model::assets::AssetMap;
use crate::model::page::{
    BlockSummary, DECORATIVE, Heading, Link, LinkTarget, Page, RenderedPage, TableSummary,
    TextBlock, TextRole, TextRun, Urgency,
};
use crate::support::error::{Diagnostic, LineIndex, Position, StageError, did_you_mean};
use crate::support::escape::escape_html;
use crate::support::{domains, paths};

/// What a care card or callout block is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Emergency,
    Urgent,
    NonUrgent,
    Warning,
    Info,
    Do,
    Dont,
}

impl BlockKind {
    pub const NAMES: &'static [&'static str] = &[
        "emergency",
        "urgent",
        "non-urgent",
        "warning",
        "info",
        "do",
        "dont",
    ];

    fn from_name(name: &str) -> Option<BlockKind> {
        Some(match name {
            "emergency" => BlockKind::Emergency,
            "urgent" => BlockKind::Urgent,
            "non-urgent" => BlockKind::NonUrgent,
            "warning" => BlockKind::Warning,
            "info" => BlockKind::Info,
            "do" => BlockKind::Do,
            "dont" => BlockKind::Dont,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// How urgent a care card is; `None` for a callout.
    fn urgency(self) -> Option<Urgency> {
        match self {
            BlockKind::Emergency => Some(Urgency::Emergency),
            BlockKind::Urgent => Some(Urgency::Urgent),
            BlockKind::NonUrgent => Some(Urgency::NonUrgent),
            BlockKind::Warning | BlockKind::Info | BlockKind::Do | BlockKind::Dont => None,
        }
    }

    fn is_care_card(self) -> bool {
        self.urgency().is_some()
    }

    /// Read out before the heading by screen readers, so urgency never rests on
    /// colour alone.
    fn hidden_prefix(self) -> &'static str {
        match self {
            BlockKind::Emergency => "Immediate action required: ",
            BlockKind::Urgent => "Urgent advice: ",
            BlockKind::NonUrgent => "Non-urgent advice: ",
            BlockKind::Warning => "Important: ",
            BlockKind::Info => "Information: ",
            BlockKind::Do | BlockKind::Dont => "",
        }
    }

    fn default_heading(self) -> &'static str {
        match self {
            BlockKind::Warning => "Important",
            BlockKind::Do => "Do",
            BlockKind::Dont => "Do not",
            _ => "",
        }
    }
}

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
            | MarkdownError::AmbiguousHtml { position } => Some(*position),
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
        })
    }
}

/// Where links can point: every page by its content path, and every asset.
#[derive(Debug)]
pub struct LinkIndex<'a> {
    /// URL path of each page, by content path.
    page_urls: HashMap<&'a str, &'a str>,
    /// Content path of each page, by URL path.
    pages_by_url: HashMap<&'a str, &'a str>,
    assets: &'a AssetMap,
    /// The site's own address, if it has one: a link to an address under it is a
    /// link inside the site, checked as one.
    site: Option<domains::SiteAddress>,
    key: blake3::Hash,
}

impl<'a> LinkIndex<'a> {
    /// The index of `pages`, each a content path and its URL path, in a fixed order,
    /// of `assets`, and of the site's own address, `site_url`.
    pub fn new(
        pages: impl IntoIterator<Item = (&'a str, &'a str)>,
        assets: &'a AssetMap,
        site_url: &str,
    ) -> LinkIndex<'a> {
        let mut key = crate::support::cache_key::Key::new();
        key.field(assets.memo_key().as_bytes()).field(site_url);
        let mut page_urls = HashMap::new();
        for (content_path, url_path) in pages {
            key.field(content_path).field(url_path);
            page_urls.insert(content_path, url_path);
        }
        LinkIndex {
            pages_by_url: page_urls.iter().map(|(c, u)| (*u, *c)).collect(),
            page_urls,
            assets,
            site: domains::SiteAddress::new(site_url),
            key: key.finish(),
        }
    }
}

/// One page to render, with the index of where its links can point.
pub struct Input<'a> {
    pub page: &'a Page,
    pub links: &'a LinkIndex<'a>,
}

impl MemoKey for Input<'_> {
    fn memo_key(&self) -> blake3::Hash {
        made_from(self.page, self.links)
    }
}

/// The key of what a page's rendered markdown is made from.
fn made_from(page: &Page, links: &LinkIndex) -> blake3::Hash {
    crate::support::cache_key::of([links.key.as_bytes(), page.source.memo_key().as_bytes()])
}

/// Renders one page's body as well as it can, with every mistake in it as a
/// diagnostic.
pub fn render_page(input: &Input) -> (std::sync::Arc<RenderedPage>, Vec<Diagnostic>) {
    let (rendered, errors) = render_despite_mistakes(input.page, input.links);
    (
        std::sync::Arc::new(rendered),
        diagnostics(input.page, &errors),
    )
}

/// Renders one page's body, or says every mistake in it.
pub fn render(page: &Page, links: &LinkIndex) -> Result<RenderedPage, Vec<MarkdownError>> {
    let (rendered, errors) = render_despite_mistakes(page, links);
    if errors.is_empty() {
        Ok(rendered)
    } else {
        Err(errors)
    }
}

/// Renders one page's body as well as it can, with every mistake in it. The
/// headings, links and text of a page with mistakes are still there for the checks
/// of the rest of the site, so that one mistake is not reported again elsewhere.
pub fn render_despite_mistakes(
    page: &Page,
    links: &LinkIndex,
) -> (RenderedPage, Vec<MarkdownError>) {
    let text: &str = &page.source.text;
    let body_start = page.front.body_start.min(text.len());
    let body = &text[body_start..];
    let mut renderer = Renderer {
        text,
        index: LineIndex::new(text),
        page,
        links,
        html: String::with_capacity(body.len() * 3 / 2),
        headings: Vec::new(),
        records: Vec::new(),
        used_ids: HashSet::new(),
        last_level: 1,
        references: HashMap::new(),
        errors: Vec::new(),
        in_dont_list: false,
        text_blocks: Vec::new(),
        blocks: Vec::new(),
        tables: Vec::new(),
        first_raw_html: None,
    };
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
    let rendered = RenderedPage {
        made_from: made_from(page, links),
        html: renderer.html,
        headings: renderer.headings,
        links: renderer.records,
        text: renderer.text_blocks,
        blocks: renderer.blocks,
        tables: renderer.tables,
        complete,
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

/// Markdown options: the CommonMark extensions editors expect.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A stretch of the body: plain markdown, or a `:::` block around some markdown.
enum Segment {
    Markdown(Range<usize>),
    Block {
        kind: BlockKind,
        heading: String,
        /// Byte offset in the file where the heading is written.
        heading_at: usize,
        /// Byte offset in the file where the block's `:::` is written.
        opened_at: usize,
        inner: Range<usize>,
    },
}

/// A `:::` block whose closing line has not been found yet.
struct OpenBlock {
    kind: BlockKind,
    heading: String,
    /// Byte offsets in the file of the heading and of the block's `:::`.
    heading_at: usize,
    opened_at: usize,
    /// Where the block's content starts.
    inner_start: usize,
}

impl OpenBlock {
    /// The block, with its content ending at `end`.
    fn closed_at(self, end: usize) -> Segment {
        Segment::Block {
            kind: self.kind,
            heading: self.heading,
            heading_at: self.heading_at,
            opened_at: self.opened_at,
            inner: self.inner_start..end,
        }
    }
}

struct Renderer<'a> {
    text: &'a str,
    index: LineIndex,
    page: &'a Page,
    links: &'a LinkIndex<'a>,
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
    text_blocks: Vec<TextBlock>,
    blocks: Vec<BlockSummary>,
    tables: Vec<TableSummary>,
    /// Where the page's first raw HTML is, if it has any.
    first_raw_html: Option<Position>,
}

impl<'a> Renderer<'a> {
    fn position(&self, offset: usize) -> Position {
        self.index.position(self.text, offset)
    }

    /// Finds the `:::` lines that are not inside code and splits the body around them.
    fn split_blocks(&mut self, body_start: usize, body: &str) -> Vec<Segment> {
        let code: Vec<Range<usize>> = Parser::new_ext(body, options())
            .into_offset_iter()
            .filter_map(|(event, range)| match event {
                Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock) => Some(range),
                _ => None,
            })
            .collect();
        let in_code = |offset: usize| code.iter().any(|r| r.contains(&offset));

        let mut segments = Vec::new();
        let mut plain_start = body_start;
        // A block that a new `:::` line closed, as it was left open: the error said
        // so, at its index in `errors`, unless a stray `:::` later shows that the new
        // block was meant to be inside it.
        let mut closed_by_next: Option<(usize, BlockKind, usize)> = None;
        let mut open: Option<OpenBlock> = None;
        let mut offset = 0;
        for line in body.split_inclusive('\n') {
            let line_start = offset;
            offset += line.len();
            let indent = line.len() - line.trim_start_matches(' ').len();
            let trimmed = line.trim();
            if indent > 3 || !trimmed.starts_with(":::") || in_code(line_start) {
                continue;
            }
            let absolute = body_start + line_start;
            let rest = trimmed.trim_start_matches(':').trim();
            if rest.is_empty() {
                match open.take() {
                    Some(block) => {
                        segments.push(block.closed_at(absolute));
                        plain_start = body_start + offset;
                    }
                    None => match closed_by_next.take() {
                        Some((index, outer, inner_at)) => {
                            self.errors[index] = MarkdownError::Nested {
                                kind: outer.name().to_owned(),
                                position: self.position(inner_at),
                            };
                        }
                        None => self.errors.push(MarkdownError::StrayClose {
                            position: self.position(absolute + indent),
                        }),
                    },
                }
                continue;
            }
            let (kind_name, heading) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let kind_in_line = line.find(kind_name).unwrap_or(indent);
            let kind_offset = absolute + kind_in_line;
            let after_kind = &line[kind_in_line + kind_name.len()..];
            let heading_at =
                kind_offset + kind_name.len() + (after_kind.len() - after_kind.trim_start().len());
            // Blocks do not nest, so a block that starts while another is open
            // most likely follows one whose `:::` was left out: that one is
            // reported, where it starts, and this one is read as a block of its own.
            if let Some(block) = open.take() {
                closed_by_next = Some((self.errors.len(), block.kind, absolute + indent));
                self.errors.push(MarkdownError::Unclosed {
                    kind: block.kind.name().to_owned(),
                    position: self.position(block.opened_at),
                    next: Some(self.position(absolute + indent).line),
                });
                segments.push(block.closed_at(absolute));
                plain_start = absolute;
            }
            let Some(kind) = BlockKind::from_name(kind_name) else {
                self.errors.push(MarkdownError::UnknownKind {
                    kind: kind_name.to_owned(),
                    position: self.position(kind_offset),
                });
                // Treat it as a block anyway, so its closing line is not reported too.
                open = Some(OpenBlock {
                    kind: BlockKind::Info,
                    heading: String::new(),
                    heading_at,
                    opened_at: absolute + indent,
                    inner_start: body_start + offset,
                });
                segments.push(Segment::Markdown(plain_start..absolute));
                continue;
            };
            let heading = heading.trim().to_owned();
            if kind.is_care_card() && heading.is_empty() {
                self.errors.push(MarkdownError::NoCardHeading {
                    position: self.position(absolute + indent),
                });
            }
            segments.push(Segment::Markdown(plain_start..absolute));
            open = Some(OpenBlock {
                kind,
                heading,
                heading_at,
                opened_at: absolute + indent,
                inner_start: body_start + offset,
            });
        }
        if let Some(block) = open {
            self.errors.push(MarkdownError::Unclosed {
                kind: block.kind.name().to_owned(),
                position: self.position(block.opened_at),
                next: None,
            });
        }
        segments.push(Segment::Markdown(plain_start..self.text.len()));
        segments.retain(|s| !matches!(s, Segment::Markdown(r) if r.is_empty()));
        segments
    }

    fn collect_references(&mut self, body: &str) {
        // A definition is a label followed at once by a colon, `[label]:`; most
        // pages have none, and need not be parsed whole for them.
        if memchr::memmem::find(body.as_bytes(), b"]:").is_none() {
            return;
        }
        let parser = Parser::new_ext(body, options());
        for (label, definition) in parser.reference_definitions().iter() {
            self.references.insert(
                normalise_label(label),
                (
                    definition.dest.to_string(),
                    definition.title.as_deref().unwrap_or("").to_owned(),
                ),
            );
        }
    }

    fn render_block(
        &mut self,
        kind: BlockKind,
        heading: &str,
        (heading_at, opened_at): (usize, usize),
        inner: Range<usize>,
    ) {
        let level = (self.last_level + 1).clamp(2, 6);
        let heading_position = self.position(heading_at);
        if !heading.is_empty() {
            self.text_blocks.push(TextBlock {
                role: TextRole::BlockHeading,
                text: heading.to_owned(),
                runs: vec![TextRun {
                    text_start: 0,
                    position: heading_position,
                    verbatim: true,
                }],
            });
        }
        let heading = if heading.is_empty() {
            kind.default_heading()
        } else {
            heading
        };
        // A heading that already says "important" needs no hidden "Important: ".
        let prefix = match kind {
            BlockKind::Warning if heading.to_lowercase().contains("important") => "",
            _ => kind.hidden_prefix(),
        };
        let hidden = |html: &mut String| {
            if !prefix.is_empty() {
                html.push_str("<span class=\"visually-hidden\">");
                html.push_str(prefix);
                html.push_str("</span>");
            }
        };
        let mut html = String::new();
        let heading_html = escape_html(heading);
        match kind {
            BlockKind::Emergency | BlockKind::Urgent | BlockKind::NonUrgent => {
                html.push_str(&format!(
                    "<div class=\"care-card care-card--{}\">\n<div class=\"care-card__heading-container\">\n<h{level} class=\"care-card__heading\">",
                    kind.name()
                ));
                hidden(&mut html);
                html.push_str(&format!(
                    "{heading_html}</h{level}>\n</div>\n<div class=\"care-card__content\">\n"
                ));
            }
            BlockKind::Warning => {
                html.push_str(&format!(
                    "<div class=\"warning-callout\">\n<h{level} class=\"warning-callout__label\">"
                ));
                hidden(&mut html);
                html.push_str(&format!("{heading_html}</h{level}>\n"));
            }
            BlockKind::Info => {
                html.push_str("<div class=\"inset-text\">\n");
                if heading.is_empty() {
                    hidden(&mut html);
                } else {
                    html.push_str(&format!("<h{level} class=\"inset-text__heading\">"));
                    hidden(&mut html);
                    html.push_str(&format!("{heading_html}</h{level}>"));
                }
                html.push('\n');
            }
            BlockKind::Do | BlockKind::Dont => {
                html.push_str(&format!(
                    "<div class=\"do-dont-list do-dont-list--{}\">\n<h{level} class=\"do-dont-list__label\">{heading_html}</h{level}>\n",
                    kind.name()
                ));
            }
        }
        self.html.push_str(&html);
        self.in_dont_list = kind == BlockKind::Dont;
        let starts_with_list = self.render_markdown(inner);
        self.in_dont_list = false;
        self.blocks.push(BlockSummary {
            kind: kind.name(),
            urgency: kind.urgency(),
            heading: heading.to_owned(),
            position: heading_position,
            opened_at: self.position(opened_at),
            starts_with_list,
        });
        if kind.is_care_card() {
            self.html.push_str("</div>\n");
        }
        self.html.push_str("</div>\n");
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
        let mut events: Vec<(Event<'_>, Range<usize>)> = parser.into_offset_iter().collect();
        let starts_with_list = matches!(events.first(), Some((Event::Start(Tag::List(_)), _)));
        if let Some((depth, offset)) = too_deep(&events) {
            let position = self.position(base + offset);
            self.errors.push(MarkdownError::TooDeep { depth, position });
            return starts_with_list;
        }

        let mut i = 0;
        while i < events.len() {
            let offset = base + events[i].1.start;
            match &events[i].0 {
                Event::Start(Tag::Heading { .. }) => {
                    let end = find_end(&events, i);
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
                    i = end;
                }
                Event::Start(Tag::Link { .. } | Tag::Image { .. }) => {
                    let end = find_end(&events, i);
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
                    let (dest_url, is_image) = match &mut events[i].0 {
                        Event::Start(Tag::Link { dest_url, .. }) => (dest_url, false),
                        Event::Start(Tag::Image { dest_url, .. }) => (dest_url, true),
                        _ => unreachable!("matched above"),
                    };
                    // A refused address is reported as that, and goes nowhere.
                    if !raw_html::is_allowed_address(dest_url) {
                        self.errors.push(MarkdownError::RefusedAddress {
                            written: dest_url.to_string(),
                            position,
                        });
                        *dest_url = CowStr::Borrowed("#");
                        i += 1;
                        continue;
                    }
                    let (href, target) = self.resolve(dest_url);
                    if let Some(href) = href {
                        *dest_url = CowStr::from(href);
                    }
                    if !is_image && raw_html::leaves_site(dest_url) {
                        mark_leaving(&mut events, i, end);
                    }
                    self.records.push(Link {
                        target,
                        position,
                        is_image,
                        text: label,
                        decorative,
                    });
                    i += 1;
                }
                Event::Start(Tag::TableHead) => {
                    let end = find_end(&events, i);
                    self.tables.push(TableSummary {
                        position: self.position(offset),
                        has_header: !plain_text(&events[i + 1..end]).is_empty(),
                    });
                    i += 1;
                }
                Event::Start(Tag::HtmlBlock) => {
                    let end = find_end(&events, i);
                    self.read_raw_html(&mut events[i + 1..end], base);
                    i = end;
                }
                Event::InlineHtml(_) => {
                    self.read_raw_html(&mut events[i..=i], base);
                    i += 1;
                }
                Event::TaskListMarker(done) => {
                    events[i].0 = Event::InlineHtml(CowStr::from(task_marker(*done)));
                    i += 1;
                }
                // Screen reader users can miss a list's "Do not" heading, so each
                // item says it too, as NHS don't lists do.
                Event::Start(Tag::Item) if self.in_dont_list => {
                    let first_text = events[i + 1..]
                        .iter()
                        .position(|(e, _)| !matches!(e, Event::Start(Tag::Paragraph)))
                        .map(|skip| i + 1 + skip);
                    if let Some(at) = first_text {
                        let says_do_not = matches!(&events[at].0, Event::Text(t) if t.to_lowercase().starts_with("do not"));
                        if !says_do_not {
                            let range = events[at].1.clone();
                            events.insert(at, (Event::Text(CowStr::from("do not ")), range));
                        }
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        self.collect_text(&events, base);
        pulldown_cmark::html::push_html(&mut self.html, events.into_iter().map(|(e, _)| e));
        starts_with_list
    }

    /// Reads raw HTML, given as the events of one HTML block or one inline tag, as a
    /// whole: refuses what a page may not use, at its line, and puts back the HTML
    /// with links that leave the site marked `rel="noopener noreferrer"`.
    fn read_raw_html(&mut self, events: &mut [(Event<'_>, Range<usize>)], base: usize) {
        // Where each event's text starts in the whole, and in the page's text.
        let mut starts = Vec::with_capacity(events.len());
        let mut whole = String::new();
        for (event, range) in events.iter() {
            if let Event::Html(text) | Event::InlineHtml(text) = event {
                starts.push((whole.len(), base + range.start));
                whole.push_str(text);
            }
        }
        let read = raw_html::read(&whole);
        if self.first_raw_html.is_none() {
            let at = starts.first().map_or(base, |(_, in_page)| *in_page);
            self.first_raw_html = Some(self.position(at));
        }
        for refused in read.refused {
            let at = match &refused {
                raw_html::Refused::Element { at, .. }
                | raw_html::Refused::Attribute { at, .. }
                | raw_html::Refused::Address { at, .. }
                | raw_html::Refused::Ambiguous { at } => *at,
            };
            let (in_whole, in_page) = starts
                .iter()
                .rev()
                .find(|(start, _)| *start <= at)
                .copied()
                .unwrap_or((0, base));
            let position = self.position(in_page + (at - in_whole));
            self.errors.push(match refused {
                raw_html::Refused::Element { name, .. } => {
                    MarkdownError::RefusedElement { name, position }
                }
                raw_html::Refused::Attribute { element, name, .. } => {
                    MarkdownError::RefusedAttribute {
                        element,
                        name,
                        position,
                    }
                }
                raw_html::Refused::Address { written, .. } => {
                    MarkdownError::RefusedAddress { written, position }
                }
                raw_html::Refused::Ambiguous { .. } => MarkdownError::AmbiguousHtml { position },
            });
        }
        let inline = matches!(events.first(), Some((Event::InlineHtml(_), _)));
        let mut html = Some(read.html);
        for (event, _) in events.iter_mut() {
            if let Event::Html(_) | Event::InlineHtml(_) = event {
                let text = CowStr::from(html.take().unwrap_or_default());
                *event = if inline {
                    Event::InlineHtml(text)
                } else {
                    Event::Html(text)
                };
            }
        }
    }

    /// Records the text a reader sees, block by block, with where each run of it was
    /// written. Code, raw HTML and image alt text are not part of it.
    fn collect_text(&mut self, events: &[(Event<'_>, Range<usize>)], base: usize) {
        let mut roles: Vec<TextRole> = Vec::new();
        let mut hidden_depth = 0usize;
        let mut block = TextBlock {
            role: TextRole::Paragraph,
            text: String::new(),
            runs: Vec::new(),
        };
        let finish = |block: &mut TextBlock, blocks: &mut Vec<TextBlock>, role| {
            let taken = std::mem::replace(
                block,
                TextBlock {
                    role,
                    text: String::new(),
                    runs: Vec::new(),
                },
            );
            if !taken.text.trim().is_empty() {
                blocks.push(taken);
            }
        };
        for (event, range) in events {
            let role = |roles: &[TextRole]| roles.last().copied().unwrap_or(TextRole::Paragraph);
            match event {
                Event::Start(Tag::Image { .. } | Tag::CodeBlock(_) | Tag::HtmlBlock) => {
                    hidden_depth += 1
                }
                Event::End(TagEnd::Image | TagEnd::CodeBlock | TagEnd::HtmlBlock) => {
                    hidden_depth = hidden_depth.saturating_sub(1)
                }
                Event::Start(tag) if is_text_block(tag) => {
                    let pushed = match tag {
                        Tag::Heading { .. } => Some(TextRole::Heading),
                        Tag::Item => Some(TextRole::ListItem),
                        Tag::TableCell => Some(TextRole::TableCell),
                        _ => None,
                    };
                    if let Some(pushed) = pushed {
                        roles.push(pushed);
                    }
                    finish(&mut block, &mut self.text_blocks, role(&roles));
                }
                Event::End(tag) if ends_text_block(*tag) => {
                    if matches!(tag, TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell) {
                        roles.pop();
                    }
                    finish(&mut block, &mut self.text_blocks, role(&roles));
                }
                Event::Text(text) | Event::Code(text) if hidden_depth == 0 => {
                    let written = &self.text[base + range.start..base + range.end];
                    block.runs.push(TextRun {
                        text_start: block.text.len(),
                        position: self.index.position(self.text, base + range.start),
                        verbatim: written == text.as_ref(),
                    });
                    block.text.push_str(text);
                }
                Event::SoftBreak | Event::HardBreak if hidden_depth == 0 => block.text.push(' '),
                _ => {}
            }
        }
        finish(&mut block, &mut self.text_blocks, TextRole::Paragraph);
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

    /// Works out where a link goes and what to write in its `href`; `None` keeps it
    /// as written.
    fn resolve(&self, written: &str) -> (Option<String>, LinkTarget) {
        let source = &self.page.source;
        let here = source.url_path.as_str();
        let inside = match paths::is_external(written) {
            false => None,
            true => match self
                .links
                .site
                .as_ref()
                .and_then(|site| site.path_of(written))
            {
                // Written as the site's own address: found from the site's root.
                Some(inside) => Some(format!("/{inside}")),
                None => {
                    return (
                        None,
                        LinkTarget::External {
                            url: written.to_owned(),
                        },
                    );
                }
            },
        };
        let (before_fragment, fragment) = match inside.as_deref().unwrap_or(written).split_once('#')
        {
            Some((path, fragment)) => (path, Some(fragment.to_owned())),
            None => (inside.as_deref().unwrap_or(written), None),
        };
        let path = before_fragment.split('?').next().unwrap_or("");
        if path.is_empty() && fragment.is_some() {
            let target = LinkTarget::Page {
                content_path: source.content_path.clone(),
                fragment,
            };
            return (None, target);
        }
        let missing = |resolved: &str| LinkTarget::Missing {
            written: written.to_owned(),
            resolved: resolved.to_owned(),
        };
        let decoded = paths::percent_decode(path);
        let Some(resolved) = paths::resolve(&source.content_path, &decoded) else {
            return (None, missing(&decoded));
        };
        let with_fragment = |url: String| match &fragment {
            Some(f) => format!("{url}#{f}"),
            None => url,
        };

        if resolved.ends_with(".md") {
            return match self.links.page_urls.get(resolved.as_str()) {
                Some(url) => (
                    Some(with_fragment(paths::relative_url(here, url))),
                    LinkTarget::Page {
                        content_path: resolved,
                        fragment,
                    },
                ),
                None => (None, missing(&resolved)),
            };
        }
        if let Some(output) = self.links.assets.output_path(&resolved) {
            let href = with_fragment(paths::relative_url(here, output));
            return (
                Some(href),
                LinkTarget::File {
                    site_path: resolved,
                },
            );
        }
        // A site-root link to a page's address, such as `/crying/`.
        if decoded.starts_with('/') {
            let url = if resolved.is_empty() {
                resolved.clone()
            } else {
                format!("{resolved}/")
            };
            if let Some(content_path) = self.links.pages_by_url.get(url.as_str()) {
                let href = with_fragment(paths::relative_url(here, &url));
                let target = LinkTarget::Page {
                    content_path: (*content_path).to_owned(),
                    fragment,
                };
                return (Some(href), target);
            }
        }
        (None, missing(&resolved))
    }
}

/// Tags that start a new block of text.
fn is_text_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::List(_)
            | Tag::Item
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::FootnoteDefinition(_)
    )
}

/// Tags whose end closes a block of text.
fn ends_text_block(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::FootnoteDefinition
    )
}

/// Writes the link from `events[start]` to `events[end]`, which leaves the site, with
/// `rel="noopener noreferrer"`, so that the site it opens cannot reach back to the
/// page or learn where the reader came from. It is written as `Event::Html`, which
/// pulldown-cmark writes as it is and the raw HTML check does not read.
fn mark_leaving(events: &mut [(Event<'_>, Range<usize>)], start: usize, end: usize) {
    let Event::Start(Tag::Link {
        dest_url, title, ..
    }) = &events[start].0
    else {
        return;
    };
    let mut open = String::from("<a href=\"");
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_href(&mut open, dest_url);
    if !title.is_empty() {
        open.push_str("\" title=\"");
        let _ = pulldown_cmark_escape::escape_html(&mut open, title);
    }
    open.push_str("\" rel=\"noopener noreferrer\">");
    events[start].0 = Event::Html(CowStr::from(open));
    events[end].0 = Event::Html(CowStr::Borrowed("</a>"));
}

/// How deep `events` nest, and where, if deeper than [`MAX_NESTING`].
fn too_deep(events: &[(Event<'_>, Range<usize>)]) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut deepest: Option<(usize, usize)> = None;
    for (event, range) in events {
        match event {
            Event::Start(_) => {
                depth += 1;
                if depth > MAX_NESTING && deepest.is_none_or(|(d, _)| depth > d) {
                    deepest = Some((depth, deepest.map_or(range.start, |(_, at)| at)));
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn find_end(events: &[(Event<'_>, Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (i, (event, _)) in events.iter().enumerate().skip(start) {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

fn plain_text(events: &[(Event<'_>, Range<usize>)]) -> String {
    let mut text = String::new();
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                text.push_str(t)
            }
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph) => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// A task list's tick box as text rather than a form control, which would need a
/// label and could not be used anyway.
fn task_marker(done: bool) -> &'static str {
    if done {
        "<span class=\"task-list__marker\" aria-hidden=\"true\">\u{2611}</span><span class=\"visually-hidden\">Done: </span>"
    } else {
        "<span class=\"task-list__marker\" aria-hidden=\"true\">\u{2610}</span><span class=\"visually-hidden\">To do: </span>"
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn normalise_label(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::page::FrontMatter;

    fn page(content_path: &str, body: &str) -> Page {
        let text = format!("---\ntitle: T\ndescription: D\n---\n{body}");
        Page {
            source: crate::stages::load::page_source(content_path, &text),
            front: std::sync::Arc::new(FrontMatter {
                body_start: "---\ntitle: T\ndescription: D\n---\n".len(),
                ..FrontMatter::default()
            }),
        }
    }

    pub(super) fn render_body(
        content_path: &str,
        body: &str,
    ) -> Result<RenderedPage, Vec<MarkdownError>> {
        let pages = [
            ("crying/soothing.md", "crying/soothing/"),
            ("crying/_index.md", "crying/"),
            ("play.md", "play/"),
        ];
        let assets = AssetMap::default();
        render(
            &page(content_path, body),
            &LinkIndex::new(pages, &assets, ""),
        )
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
        let _ = render(&page, &LinkIndex::new([], &assets, ""));
    }

    /// Inputs the fuzzers found, each of which once stopped the program.
    #[test]
    fn what_the_fuzzers_found_never_panics() {
        let found: &[&[u8]] = &[include_bytes!(
            "../../../tests/fixtures/fuzz-found/markdown-select-makes-lol-html-stop.bin"
        )];
        for bytes in found {
            // The fuzz target reads its input as text up to the first byte that is not.
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(error) => std::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap(),
            };
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
