//! Care cards and callouts: the `:::` blocks of a page, found around code and
//! rendered with their hidden prefix and a heading that fits the outline. A block
//! left open, put inside another or of an unknown kind is reported where it is.
//! Uses `page`.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

use super::reading::Markup;
use super::{MarkdownError, Renderer, options};
use crate::model::page::{BLOCK_KINDS, BlockSummary, TextRole, TextRun, Urgency};

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
    pub const NAMES: &'static [&'static str] = BLOCK_KINDS;

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

    /// The message read out before the heading by screen readers, so urgency
    /// never rests on colour alone.
    fn hidden_prefix(self) -> Option<&'static str> {
        match self {
            BlockKind::Emergency => Some("emergency-card"),
            BlockKind::Urgent => Some("urgent-card"),
            BlockKind::NonUrgent => Some("non-urgent-card"),
            BlockKind::Warning => Some("warning-callout"),
            BlockKind::Info => Some("info-callout"),
            BlockKind::Do | BlockKind::Dont => None,
        }
    }

    /// The message that is the block's heading when the page gives none.
    fn default_heading(self) -> Option<&'static str> {
        match self {
            BlockKind::Warning => Some("warning-heading"),
            BlockKind::Do => Some("do-list"),
            BlockKind::Dont => Some("dont-list"),
            _ => None,
        }
    }
}

/// A stretch of the body: plain markdown, or a `:::` block around some markdown.
pub(super) enum Segment {
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
pub(super) struct OpenBlock {
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

/// Where in `body` its code blocks and HTML blocks are, in which a `:::` line is
/// text, not a fence.
fn code_ranges(body: &str) -> Vec<Range<usize>> {
    if !could_hold_code(body) {
        return Vec::new();
    }
    parsed_code_ranges(body)
}

/// [`code_ranges`], found by parsing the whole of `body`.
fn parsed_code_ranges(body: &str) -> Vec<Range<usize>> {
    Parser::new_ext(body, options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock) => Some(range),
            _ => None,
        })
        .collect()
}

/// Whether `body` has what a code block or an HTML block needs: a fence of three
/// backticks or tildes, a `<` to open HTML, or code's indent of four columns past
/// its container's, which is four spaces or a tab. Most pages have none of these,
/// and need not be parsed whole to find no code.
fn could_hold_code(body: &str) -> bool {
    let bytes = body.as_bytes();
    memchr::memchr2(b'<', b'\t', bytes).is_some()
        || ["```", "~~~", "    "]
            .iter()
            .any(|needle| memchr::memmem::find(bytes, needle.as_bytes()).is_some())
}

/// What splitting a page's body around its `:::` lines has found so far.
struct Split {
    segments: Vec<Segment>,
    /// Where the plain markdown after the last block starts.
    plain_start: usize,
    /// A block that a new `:::` line closed, as it was left open: the error said so,
    /// at its index in `errors`, unless a stray `:::` later shows that the new block
    /// was meant to be inside it. With the kind of the block, and where the new one
    /// opened.
    closed_by_next: Option<(usize, BlockKind, usize)>,
    open: Option<OpenBlock>,
}

/// A line that starts with `:::`, outside code.
struct FenceLine<'t> {
    line: &'t str,
    /// Where the line starts in the file.
    at: usize,
    /// The spaces before its `:::`.
    indent: usize,
    /// Where the next line starts in the file.
    next_line: usize,
}

impl<'a> Renderer<'a> {
    /// Finds the `:::` lines that are not inside code and splits the body around them.
    pub(super) fn split_blocks(&mut self, body_start: usize, body: &str) -> Vec<Segment> {
        let code = code_ranges(body);
        let in_code = |offset: usize| code.iter().any(|r| r.contains(&offset));

        let mut split = Split {
            segments: Vec::new(),
            plain_start: body_start,
            closed_by_next: None,
            open: None,
        };
        let mut offset = 0;
        for line in body.split_inclusive('\n') {
            let line_start = offset;
            offset += line.len();
            let indent = line.len() - line.trim_start_matches(' ').len();
            let trimmed = line.trim();
            if indent > 3 || !trimmed.starts_with(":::") || in_code(line_start) {
                continue;
            }
            let fence = FenceLine {
                line,
                at: body_start + line_start,
                indent,
                next_line: body_start + offset,
            };
            match trimmed.trim_start_matches(':').trim() {
                "" => self.close_block(&mut split, &fence),
                rest => self.open_block(&mut split, &fence, rest),
            }
        }
        if let Some(block) = split.open {
            self.errors.push(MarkdownError::Unclosed {
                kind: block.kind.name().to_owned(),
                position: self.position(block.opened_at),
                next: None,
            });
        }
        let mut segments = split.segments;
        segments.push(Segment::Markdown(split.plain_start..self.text.len()));
        segments.retain(|s| !matches!(s, Segment::Markdown(r) if r.is_empty()));
        segments
    }

    /// A `:::` line with nothing after it: closes the open block, or is reported as
    /// closing none.
    fn close_block(&mut self, split: &mut Split, fence: &FenceLine) {
        if let Some(block) = split.open.take() {
            split.segments.push(block.closed_at(fence.at));
            split.plain_start = fence.next_line;
            return;
        }
        match split.closed_by_next.take() {
            Some((index, outer, inner_at)) => {
                self.errors[index] = MarkdownError::Nested {
                    kind: outer.name().to_owned(),
                    position: self.position(inner_at),
                };
            }
            None => self.errors.push(MarkdownError::StrayClose {
                position: self.position(fence.at + fence.indent),
            }),
        }
    }

    /// A `:::` line that opens a block of the kind and with the heading in `rest`.
    fn open_block(&mut self, split: &mut Split, fence: &FenceLine, rest: &str) {
        let (kind_name, heading) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let line = fence.line;
        let kind_in_line = line.find(kind_name).unwrap_or(fence.indent);
        let kind_offset = fence.at + kind_in_line;
        let after_kind = &line[kind_in_line + kind_name.len()..];
        let heading_at =
            kind_offset + kind_name.len() + (after_kind.len() - after_kind.trim_start().len());
        let opened_at = fence.at + fence.indent;
        // Blocks do not nest, so a block that starts while another is open most
        // likely follows one whose `:::` was left out: that one is reported, where it
        // starts, and this one is read as a block of its own.
        if let Some(block) = split.open.take() {
            split.closed_by_next = Some((self.errors.len(), block.kind, opened_at));
            self.errors.push(MarkdownError::Unclosed {
                kind: block.kind.name().to_owned(),
                position: self.position(block.opened_at),
                next: Some(self.position(opened_at).line),
            });
            split.segments.push(block.closed_at(fence.at));
            split.plain_start = fence.at;
        }
        let (kind, heading) = match BlockKind::from_name(kind_name) {
            Some(kind) => (kind, heading.trim().to_owned()),
            None => {
                self.errors.push(MarkdownError::UnknownKind {
                    kind: kind_name.to_owned(),
                    position: self.position(kind_offset),
                });
                // Read as a block anyway, so that its closing line is not reported too.
                (BlockKind::Info, String::new())
            }
        };
        if kind.is_care_card() && heading.is_empty() {
            self.errors.push(MarkdownError::NoCardHeading {
                position: self.position(opened_at),
            });
        }
        split
            .segments
            .push(Segment::Markdown(split.plain_start..fence.at));
        split.open = Some(OpenBlock {
            kind,
            heading,
            heading_at,
            opened_at,
            inner_start: fence.next_line,
        });
    }

    pub(super) fn render_block(
        &mut self,
        kind: BlockKind,
        heading: &str,
        (heading_at, opened_at): (usize, usize),
        inner: Range<usize>,
    ) {
        let level = (self.last_level + 1).clamp(2, 6);
        let heading_position = self.position(heading_at);
        if !heading.is_empty() {
            let run = TextRun {
                text_start: 0,
                position: heading_position,
                verbatim: true,
            };
            (self.text_blocks).push(TextRole::BlockHeading, heading, &[run]);
        }
        let default_heading;
        let heading = match kind.default_heading() {
            Some(id) if heading.is_empty() => {
                default_heading = self.message(id);
                &default_heading
            }
            _ => heading,
        };
        let prefix = kind.hidden_prefix().map(|id| self.message(id));
        block_opening(
            &mut self.markup(),
            kind,
            (heading, prefix.as_deref()),
            level,
        );
        // Each item of a list of what not to do says "do not", in English.
        self.in_dont_list = kind == BlockKind::Dont && self.page.source.translates.is_none();
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
        let mut markup = self.markup();
        if kind.is_care_card() {
            markup.close("div").line();
        }
        markup.close("div").line();
    }
}

/// Writes what opens a block of `kind` with `heading`, a heading of `level`, up to
/// where its content goes.
fn block_opening(
    markup: &mut Markup,
    kind: BlockKind,
    (heading, prefix): (&str, Option<&str>),
    level: u8,
) {
    // A heading that already says "important" needs no hidden "Important: ".
    let says_prefix = |prefix: &str| {
        let word = prefix.trim().trim_end_matches(':').to_lowercase();
        kind == BlockKind::Warning && heading.to_lowercase().contains(&word)
    };
    let prefix = prefix.filter(|p| !p.is_empty() && !says_prefix(p));
    let hidden = |markup: &mut Markup| {
        if let Some(prefix) = prefix {
            markup
                .open("span", "visually-hidden")
                .text(prefix)
                .text(" ");
            markup.close("span");
        }
    };
    let h = format!("h{level}");
    match kind {
        BlockKind::Emergency | BlockKind::Urgent | BlockKind::NonUrgent => {
            let class = format!("care-card care-card--{}", kind.name());
            markup.open("div", &class).line();
            markup.open("div", "care-card__heading-container").line();
            markup.open(&h, "care-card__heading");
            hidden(markup);
            markup.text(heading).close(&h).line().close("div").line();
            markup.open("div", "care-card__content").line();
        }
        BlockKind::Warning => {
            markup.open("div", "warning-callout").line();
            markup.open(&h, "warning-callout__label");
            hidden(markup);
            markup.text(heading).close(&h).line();
        }
        BlockKind::Info => {
            markup.open("div", "inset-text").line();
            if heading.is_empty() {
                hidden(markup);
            } else {
                markup.open(&h, "inset-text__heading");
                hidden(markup);
                markup.text(heading).close(&h);
            }
            markup.line();
        }
        BlockKind::Do | BlockKind::Dont => {
            let class = format!("do-dont-list do-dont-list--{}", kind.name());
            markup.open("div", &class).line();
            markup
                .open(&h, "do-dont-list__label")
                .text(heading)
                .close(&h)
                .line();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::markdown::tests::fuzz_corpus;

    #[test]
    fn code_is_looked_for_wherever_a_parse_could_find_some() {
        let with_code = [
            "```\n:::\n```\n",
            "~~~\n:::\n~~~\n",
            "    :::\n",
            "\t:::\n",
            "> ```\n> :::\n",
            ">     :::\n",
            ">\t\t:::\n",
            "-     :::\n",
            "1. A step\n\n        :::\n",
            "- > - A cue\n  >\n  >       :::\n",
            "<div>\n:::\n</div>\n",
            "> <!-- a note\n> :::\n",
        ];
        for body in with_code {
            assert!(could_hold_code(body), "{body:?}");
            assert!(!code_ranges(body).is_empty(), "{body:?}");
        }
        let without = [
            "::: urgent Call 111 if:\n- your baby is hot\n:::\n",
            "Every baby   is different.\n\n- one\n   - two\n\n| A | B |\n|---|---|\n",
            "> A quote\n>  goes on\n\n`code` and ``more``\n",
        ];
        for body in without {
            assert!(!could_hold_code(body), "{body:?}");
        }
    }

    #[test]
    fn a_body_without_what_code_needs_has_no_code() {
        let mut without = 0;
        for body in fuzz_corpus() {
            if !could_hold_code(&body) {
                assert!(parsed_code_ranges(&body).is_empty(), "{body:?}");
                without += 1;
            }
        }
        assert!(
            without >= 10,
            "only {without} of the corpus's pages have no code"
        );
    }
}
