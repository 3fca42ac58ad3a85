//! A feed's description, often HTML, made into plain paragraphs and lists. The
//! HTML is first cleaned by ammonia down to paragraphs, line breaks and lists,
//! with scripts and styles dropped whole; the cleaned HTML is then read with
//! lol_html into text. Nothing of the feed's markup reaches a page: templates
//! escape the text like any other. Uses `ammonia` and `lol_html` only.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use serde::Serialize;

/// A paragraph, or a list of items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Block {
    /// The paragraph's text; `None` for a list.
    pub paragraph: Option<String>,
    pub items: Vec<String>,
}

impl Block {
    pub fn paragraph(text: &str) -> Block {
        Block {
            paragraph: Some(text.to_owned()),
            items: Vec::new(),
        }
    }
}

/// The text of `written` as paragraphs and lists; empty when it holds no words,
/// such as `<p><br></p>`.
pub fn blocks(written: &str) -> Vec<Block> {
    let cleaned = ammonia::Builder::empty()
        .add_tags(["p", "br", "ul", "ol", "li", "div"])
        .clean_content_tags(HashSet::from(["script", "style"]))
        .clean(written)
        .to_string();
    let reader = Rc::new(RefCell::new(Reader::default()));
    let at_end = Rc::clone(&reader);
    let mut rewriter = lol_html::HtmlRewriter::new(
        lol_html::Settings::new()
            .append_element_content_handler(lol_html::element!("p, div, ul, ol", |element| {
                reader.borrow_mut().end_paragraph();
                let at_end = Rc::clone(&at_end);
                if let Some(handlers) = element.end_tag_handlers() {
                    let handler: lol_html::EndTagHandler<'static> = Box::new(move |_| {
                        at_end.borrow_mut().end_paragraph();
                        Ok(())
                    });
                    handlers.push(handler);
                }
                Ok(())
            }))
            .append_element_content_handler(lol_html::element!("li", |_| {
                reader.borrow_mut().start_item();
                Ok(())
            }))
            .append_element_content_handler(lol_html::element!("br", |_| {
                reader.borrow_mut().line_break();
                Ok(())
            }))
            .append_document_content_handler(lol_html::doc_text!(|chunk| {
                reader.borrow_mut().push_text(chunk.as_str());
                Ok(())
            })),
        |_: &[u8]| {},
    );
    // Ammonia's output is well formed, so the rewriter has nothing to refuse.
    let read = match rewriter.write(cleaned.as_bytes()) {
        Ok(()) => rewriter.end(),
        Err(error) => Err(error),
    };
    if read.is_err() {
        return Vec::new();
    }
    let mut reader = reader.borrow_mut();
    reader.end_paragraph();
    std::mem::take(&mut reader.blocks)
}

/// Text gathered into blocks as the cleaned HTML is read.
#[derive(Default)]
struct Reader {
    blocks: Vec<Block>,
    /// The text since the last block ended, or the current list item's.
    text: String,
    in_item: bool,
    items: Vec<String>,
}

impl Reader {
    fn push_text(&mut self, raw: &str) {
        self.text.push_str(&decode(raw));
    }

    fn line_break(&mut self) {
        if self.in_item {
            self.text.push(' ');
        } else {
            self.end_paragraph();
        }
    }

    fn start_item(&mut self) {
        self.end_item();
        self.in_item = true;
    }

    fn end_item(&mut self) {
        if self.in_item {
            let item = tidy(&self.text);
            if !item.is_empty() {
                self.items.push(item);
            }
            self.text.clear();
            self.in_item = false;
        }
    }

    /// Ends the paragraph or list being read, keeping it if it has words.
    fn end_paragraph(&mut self) {
        self.end_item();
        if !self.items.is_empty() {
            self.blocks.push(Block {
                paragraph: None,
                items: std::mem::take(&mut self.items),
            });
        }
        let text = tidy(&self.text);
        if !text.is_empty() {
            self.blocks.push(Block::paragraph(&text));
        }
        self.text.clear();
    }
}

/// Text with its runs of white space made single spaces.
fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text as html5ever writes it, which escapes only these.
fn decode(raw: &str) -> String {
    raw.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraphs(blocks: &[Block]) -> Vec<String> {
        blocks
            .iter()
            .map(|b| match &b.paragraph {
                Some(text) => text.clone(),
                None => format!("list: {}", b.items.join(" | ")),
            })
            .collect()
    }

    #[test]
    fn html_becomes_paragraphs_and_lists_of_plain_text() {
        let written = "<p>Songs &amp; rhymes for <strong>you</strong>.</p>\n<ul><li>Bring a <em>blanket</em></li><li>Free</li></ul>Drop in<br>any time";
        assert_eq!(
            paragraphs(&blocks(written)),
            [
                "Songs & rhymes for you.",
                "list: Bring a blanket | Free",
                "Drop in",
                "any time"
            ]
        );
    }

    #[test]
    fn nothing_of_a_feed_s_markup_survives() {
        let written = "<script>alert(1)</script><style>p{}</style><p onclick=\"x()\">Hi <a href=\"javascript:x\">there</a> &lt;b&gt;</p><img src=x onerror=alert(1)>";
        assert_eq!(paragraphs(&blocks(written)), ["Hi there <b>"]);
    }

    #[test]
    fn an_empty_paragraph_is_no_description() {
        assert!(blocks("<p><br></p>").is_empty());
        assert!(blocks("  \n ").is_empty());
        assert_eq!(paragraphs(&blocks("Plain text.")), ["Plain text."]);
    }
}
