//! A page's name: the address it is published at, whether it is a section's page,
//! and, for a translation, its language and the page it translates, all from its
//! path under `content/`; and the checks that each name can be part of an address.
//! Uses `page`, `paths`, `stored` and `language`.

use std::path::{Path, PathBuf};

use crate::model::page::{SourceFile, Translates};
use crate::support::paths;
use crate::support::stored::StoredText;

use super::{LoadError, normalise_text};

/// The languages a page's file name can name.
pub(super) struct PageLanguages<'a> {
    /// The codes of the languages the site is published in, besides its own.
    pub(super) published: Vec<&'a str>,
    /// The codes of the languages `site.yaml` lists that this council's site leaves
    /// out.
    pub(super) unpublished: &'a [String],
    /// Whether the list of languages could not be read: then which languages a
    /// file names is not known.
    pub(super) unread: bool,
}

impl PageLanguages<'_> {
    /// Whether the page at `content_path` is published, or what is wrong with its
    /// name: a translation's name is its page's, then its language's code, as in
    /// `soothing.pl.md`; a translation into a language this site leaves out is not
    /// published.
    pub(super) fn check_page_name(&self, content_path: &str) -> Result<bool, LoadError> {
        let Some((original, code)) = paths::split_language(content_path) else {
            return check_page_name(content_path).map_or(Ok(true), Err);
        };
        if !crate::support::language::is_tag(code) {
            return check_page_name(content_path).map_or(Ok(true), Err);
        }
        if let Some(error) = check_page_name(&original) {
            return Err(error);
        }
        if self.published.contains(&code) {
            return Ok(true);
        }
        if self.unread || self.unpublished.iter().any(|c| c == code) {
            return Ok(false);
        }
        Err(LoadError::UnknownLanguage {
            code: code.to_owned(),
            known: self.published.iter().map(|c| (*c).to_owned()).collect(),
        })
    }
}

/// A page's source made from its path under `content/` and its text, normalised as
/// loading normalises a file's: for the stages' tests and the fuzz targets.
pub fn page_source(content_path: &str, text: &str) -> SourceFile {
    let text = normalise_text(text.to_owned());
    let hash = blake3::hash(text.as_bytes());
    let display_path = Path::new("content").join(content_path);
    page_source_at(content_path.to_owned(), display_path, (text.into(), hash))
}

/// The source of the page at `content_path`, shown as `display_path`, whose text
/// has the hash `hash`: with its address, whether it is a section, and, for a
/// translation, its language and the page it translates. A translation is
/// published under its language's code: `crying/soothing.pl.md` at
/// `pl/crying/soothing/`.
pub(super) fn page_source_at(
    content_path: String,
    display_path: PathBuf,
    (text, hash): (StoredText, blake3::Hash),
) -> SourceFile {
    let translates = paths::split_language(&content_path).map(|(original, code)| Translates {
        language: code.to_owned(),
        original,
    });
    let page_path = translates
        .as_ref()
        .map_or(content_path.as_str(), |t| &t.original);
    let is_section = page_path == "_index.md" || page_path.ends_with("/_index.md");
    let url_path = match &translates {
        Some(t) => paths::translated_url_path(&paths::url_path_for(page_path), &t.language),
        None => paths::url_path_for(page_path),
    };
    SourceFile {
        display_path,
        content_path,
        text,
        hash,
        url_path,
        is_section,
        translates,
    }
}

/// Every folder and file name in a page's path must be a valid slug, since each
/// becomes part of its web address; `_index.md` is the one exception.
fn check_page_name(content_path: &str) -> Option<LoadError> {
    let parts: Vec<&str> = content_path.split('/').collect();
    let (file, folders) = parts.split_last()?;
    let stem = &file[..file.len() - 3];
    let names = folders
        .iter()
        .copied()
        .chain((*file != "_index.md").then_some(stem));
    for name in names {
        if !paths::is_valid_slug(name) {
            return Some(LoadError::BadName {
                name: name.to_owned(),
                suggestion: paths::slugify(name),
            });
        }
    }
    if !file.ends_with(".md") {
        return Some(LoadError::BadName {
            name: file.to_string(),
            suggestion: format!("{}.md", paths::slugify(stem)),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_names_become_slugs() {
        assert!(check_page_name("crying/soothing.md").is_none());
        assert!(check_page_name("crying/_index.md").is_none());
        assert!(matches!(
            check_page_name("Crying/soothing.md"),
            Some(LoadError::BadName { name, suggestion }) if name == "Crying" && suggestion == "crying"
        ));
        assert!(check_page_name("crying/Soothing Baby.md").is_some());
        assert!(check_page_name("crying/page.MD").is_some());
    }
}
