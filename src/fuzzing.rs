//! Entry points for the fuzz targets in `fuzz/`: each runs one stage on any text, as
//! the build does, and makes the diagnostics for every problem found, with their
//! lines, so that the fuzzers reach the stages while the stages stay the crate's
//! own. Uses `config`, `front_matter`, `markdown`, `assets`, `load`, `page`,
//! `messages` and `error`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config;
use crate::model::page::{AssetFile, Page};
use crate::stages::load::{self, page_source};
use crate::stages::markdown::{self, LinkIndex};
use crate::stages::{assets, front_matter};
use crate::support::error::{Diagnostic, StageError};
use crate::support::messages::Catalogue;

/// What reading a page's front matter gave.
pub struct FrontMatterRead {
    /// Where the page's body starts in its text.
    pub body_start: usize,
    /// How long the page's text is, once loading has normalised it.
    pub text_len: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// Splits and reads the front matter of a page whose text is `text`, as well as it
/// can be read, as the build does.
pub fn front_matter(text: &str) -> FrontMatterRead {
    let source = page_source("crying/soothing.md", text);
    let (front, errors) = front_matter::read(&source);
    FrontMatterRead {
        body_start: front.body_start,
        text_len: source.text.len(),
        diagnostics: front_matter::diagnostics(&source, &errors),
    }
}

/// Renders `body`, the markdown of a page with good front matter, as the build
/// does: its links against a small site of pages and a file, its care cards and
/// callouts, and its raw HTML.
pub fn markdown(body: &str) -> Vec<Diagnostic> {
    let front = "---\ntitle: Soothing\ndescription: Ways to soothe.\n---\n";
    let source = page_source("crying/soothing.md", &format!("{front}{body}"));
    let Ok(front) = front_matter::parse(&source) else {
        return Vec::new();
    };
    let page = Page {
        source,
        front: Arc::new(front),
    };
    let pages = [
        ("_index.md", ""),
        ("crying/_index.md", "crying/"),
        ("crying/soothing.md", "crying/soothing/"),
        ("play/songs.md", "play/songs/"),
    ];
    let (assets, _) = assets::fingerprint(&[AssetFile {
        site_path: "crying/cot.png".into(),
        display_path: PathBuf::from("content/crying/cot.png"),
        bytes: Arc::from(&b"not really a png"[..]),
    }]);
    let links = LinkIndex::new(pages, &assets, ("https://example.gov.uk/", "en-GB"));
    let (messages, _) = Catalogue::new(&load::theme::message_files(), ("en-GB", &[]));
    let (_, errors) = markdown::render_despite_mistakes(&page, &links, &messages);
    markdown::diagnostics(&page, &errors)
}

/// Reads `text` as a project's `site.yaml`.
pub fn site_settings(text: &str) -> Vec<Diagnostic> {
    let (_, errors) = config::parse_site(text, None);
    (errors.iter())
        .map(|error| error.to_diagnostic(Path::new("site.yaml"), Some(text)))
        .collect()
}

/// Reads `text` as a council's file, checking every value in it.
pub fn council(text: &str) -> Vec<Diagnostic> {
    let (_, errors) = config::council::parse(
        "eastmere",
        text,
        "en-GB",
        config::services::SnapshotState::Missing,
    );
    (errors.iter())
        .map(|error| error.to_diagnostic(Path::new("councils/eastmere.yaml"), Some(text)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_entry_point_reports_what_is_wrong() {
        let read = front_matter("---\ntitel: Crying\n---\nBody");
        assert_eq!(read.body_start, read.text_len - "Body".len());
        assert!(read.diagnostics.iter().any(|d| d.message.contains("titel")));
        let found = markdown("[gone](missing.md)\n\n::: emergency\nCall 999\n");
        assert!(
            found.iter().any(|d| d.message.contains("never closed")),
            "{found:?}"
        );
        assert!(!site_settings("title: [").is_empty());
        assert!(!council("name: [").is_empty());
    }
}
