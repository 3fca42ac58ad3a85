//! The text a reader sees, block by block, for the checks, and raw HTML read and
//! checked as the page is rendered. Uses `page`.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::model::page::{TextBlocks, TextRole, TextRun};

use super::events::*;
use super::{MarkdownError, Renderer, raw_html};

impl<'a> Renderer<'a> {
    /// Reads raw HTML, given as the events of one HTML block or one inline tag, as a
    /// whole: refuses what a page may not use, at its line, and puts back the HTML
    /// with links that leave the site marked `rel="noopener noreferrer"`.
    pub(super) fn read_raw_html(&mut self, events: &mut [(Event<'_>, Range<usize>)], base: usize) {
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
            let at = refused.at();
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
                raw_html::Refused::Language {
                    attribute, written, ..
                } => MarkdownError::BadLanguageTag {
                    attribute,
                    written,
                    position,
                },
                raw_html::Refused::Direction { written, .. } => {
                    MarkdownError::BadDirection { written, position }
                }
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
    pub(super) fn collect_text(&mut self, events: &[(Event<'_>, Range<usize>)], base: usize) {
        let mut roles: Vec<TextRole> = Vec::new();
        let mut hidden_depth = 0usize;
        let mut block = Block {
            role: TextRole::Paragraph,
            text: String::new(),
            runs: Vec::new(),
        };
        let finish = |block: &mut Block, blocks: &mut TextBlocks, role| {
            if !block.text.trim().is_empty() {
                blocks.push(block.role, &block.text, &block.runs);
            }
            block.role = role;
            block.text.clear();
            block.runs.clear();
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
}

/// A block of text as it is read, before it is added to the page's.
struct Block {
    role: TextRole,
    text: String,
    runs: Vec<TextRun>,
}
