//! Site-wide: two pages in one language with the same title confuse readers and
//! search results (a translation may keep its page's title), and
//! two files written to one path, or to paths that differ only in case, would
//! overwrite each other. Uses `site`, `page`, `paths` and `error`, and rustc-hash.

use std::collections::HashMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::model::page::OutputFile;
use crate::model::site::Site;
use crate::support::error::{Diagnostic, Position, Severity, StageError};

/// What can be wrong across pages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteWideError {
    #[error("this page has the same title as {other}: {title:?}")]
    DuplicateTitle {
        title: String,
        other: String,
        position: Option<Position>,
    },
}

impl StageError for SiteWideError {
    fn position(&self) -> Option<Position> {
        match self {
            SiteWideError::DuplicateTitle { position, .. } => *position,
        }
    }

    fn severity(&self) -> Severity {
        Severity::Warning
    }

    fn hint(&self) -> Option<String> {
        Some("give each page a title that says what is different about it".into())
    }
}

/// Checks what no single page can show.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    let titles: Vec<String> = site
        .pages
        .par_iter()
        .map(|page| page.front.title.trim().to_lowercase())
        .collect();
    let mut first_with_title: HashMap<(Option<&str>, &str), usize> =
        HashMap::with_capacity(titles.len());
    let mut diagnostics = Vec::new();
    for (index, (page, key)) in site.pages.iter().zip(&titles).enumerate() {
        // A title that could not be read is the file's name for now.
        if !page.front.knows("title") {
            continue;
        }
        let key = (site.language(index), key.as_str());
        match first_with_title.get(&key) {
            None => {
                first_with_title.insert(key, index);
            }
            Some(&first) => {
                let error = SiteWideError::DuplicateTitle {
                    title: page.front.title.clone(),
                    other: site.pages[first].source.shown_path(),
                    position: page.front.key_positions.get("title").copied(),
                };
                diagnostics
                    .push(error.to_diagnostic(&page.source.display_path, Some(&page.source.text)));
            }
        }
    }
    diagnostics
}
/// Two files that would be written to the same path, also where the paths differ
/// only in case: on Windows and macOS one would overwrite the other. A clash with an
/// alias is reported at the aliases of the page that has it.
pub fn clashing_paths(files: &[OutputFile], site: &Site) -> Vec<Diagnostic> {
    let hint =
        "an alias or a file in static/ has the same address as a page or another file: rename one";
    let mut diagnostics: Vec<Diagnostic> = files
        .windows(2)
        .filter(|pair| pair[0].path == pair[1].path)
        .map(|pair| {
            Diagnostic::error(
                "content",
                format!("two files would be written to {}", pair[0].path),
            )
            .with_hint(hint)
        })
        .collect();
    // Most paths are lowercase already; only the others need a lowercase copy.
    // They are the build's own, so they are hashed with FxHash, without a guard
    // against chosen collisions.
    let mut by_lowercase: FxHashMap<std::borrow::Cow<str>, &str> =
        FxHashMap::with_capacity_and_hasher(files.len(), Default::default());
    let mut clashes = Vec::new();
    for file in files {
        let path = file.path.as_str();
        let lowercase = if path.chars().any(char::is_uppercase) {
            std::borrow::Cow::Owned(path.to_lowercase())
        } else {
            std::borrow::Cow::Borrowed(path)
        };
        match by_lowercase.get(&lowercase) {
            Some(&first) if first != path => clashes.push([first, path]),
            Some(_) => {}
            None => {
                by_lowercase.insert(lowercase, path);
            }
        }
    }
    if clashes.is_empty() {
        return diagnostics;
    }
    clashes.sort_unstable();
    let alias_owners: HashMap<String, &crate::model::page::Page> = site
        .pages
        .iter()
        .flat_map(|page| {
            page.front
                .aliases
                .iter()
                .map(move |alias| (crate::support::paths::alias_file(alias), page))
        })
        .collect();
    for [first, second] in clashes {
        let message = format!(
            "{first} and {second} differ only in capital letters, so one would overwrite the other on Windows and macOS"
        );
        let hint = "use lowercase letters in addresses, aliases and file names";
        let owner = alias_owners.get(second).or_else(|| alias_owners.get(first));
        diagnostics.push(match owner {
            Some(page) => {
                let diagnostic =
                    Diagnostic::error(&page.source.display_path, message).with_hint(hint);
                match page.front.key_positions.get("aliases") {
                    Some(&position) => diagnostic.at(&page.source.text, position),
                    None => diagnostic,
                }
            }
            None => Diagnostic::error("content", message).with_hint(hint),
        });
    }
    diagnostics
}
