//! Where a mistake in a page's HTML was written: in the page's markdown if it is
//! there, else in the template that holds it. Uses `page`, `site` and `error`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::model::page::{SourceFile, TemplateFile};
use crate::model::site::Site;
use crate::support::error::{Diagnostic, LineIndex, Position, StageError};

use super::HtmlError;

/// Finds where a link was written: in the page's markdown, else in a template.
pub(super) struct Locator<'a> {
    /// Each page's source, by its address: its output file without `index.html`.
    pages: HashMap<&'a str, &'a SourceFile>,
    /// The project's own templates first: a mistake is likelier in an override than
    /// in the theme.
    templates: Vec<&'a TemplateFile>,
}

impl<'a> Locator<'a> {
    pub(super) fn new(site: &'a Site, templates: &'a [TemplateFile]) -> Self {
        let pages = site
            .pages
            .iter()
            .map(|p| (p.source.url_path.as_str(), &p.source))
            .collect();
        let mut templates: Vec<&TemplateFile> = templates.iter().collect();
        templates.sort_by_key(|t| !t.display_path.starts_with("templates"));
        Locator { pages, templates }
    }

    /// The page whose output file is `file`.
    pub(super) fn page(&self, file: &str) -> Option<&'a SourceFile> {
        let address = file.strip_suffix("index.html")?;
        self.pages.get(address).copied()
    }

    /// The file and spot where `needle` was written for the output file `file`.
    pub(super) fn find(&self, file: &str, needle: &str) -> (PathBuf, Option<Position>) {
        if let Some(source) = self.page(file) {
            if let Some(at) = source.text.find(needle) {
                let position = position_in(&source.text, at);
                return (source.display_path.clone(), Some(position));
            }
        }
        let tail = without_fingerprint(
            needle
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(needle),
        );
        for wanted in [needle, tail.as_str()] {
            for template in &self.templates {
                if let Some(at) = find_in_template(&template.text, wanted) {
                    return (
                        template.display_path.clone(),
                        Some(position_in(&template.text, at)),
                    );
                }
            }
        }
        match self.page(file) {
            Some(source) => (source.display_path.clone(), None),
            None => (PathBuf::from("templates"), None),
        }
    }

    pub(super) fn diagnostic(&self, path: &Path, error: &HtmlError) -> Diagnostic {
        let source = self
            .pages
            .values()
            .find(|source| source.display_path == path)
            .map(|source| &*source.text)
            .or_else(|| {
                self.templates
                    .iter()
                    .find(|t| t.display_path == path)
                    .map(|t| t.text.as_str())
            });
        error.to_diagnostic(path, source)
    }
}

/// Where `wanted` is written in a template; for `<img`, the first image tag that has
/// no alt attribute.
pub(super) fn find_in_template(text: &str, wanted: &str) -> Option<usize> {
    if wanted != "<img" {
        return text.find(wanted);
    }
    text.match_indices("<img").map(|(at, _)| at).find(|&at| {
        let tag = &text[at..];
        let end = tag.find('>').unwrap_or(tag.len());
        !tag[..end].contains("alt=")
    })
}

/// A file name without the fingerprint tellyou adds: `style.1a2b3c4d5e.css` is
/// written `style.css` in templates.
pub(super) fn without_fingerprint(name: &str) -> String {
    let parts: Vec<&str> = name.split('.').collect();
    match parts.as_slice() {
        [stem @ .., hash, extension]
            if !stem.is_empty()
                && hash.len() == 10
                && hash.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            format!("{}.{extension}", stem.join("."))
        }
        _ => name.to_owned(),
    }
}

pub(super) fn position_in(text: &str, offset: usize) -> Position {
    LineIndex::new(text).position(text, offset)
}
