//! Site-wide: two pages with the same title confuse readers and search results. Uses
//! `site` and `error`.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::error::{Diagnostic, Position, Severity, StageError};
use crate::site::Site;

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
    let mut first_with_title: HashMap<&str, usize> = HashMap::with_capacity(titles.len());
    let mut diagnostics = Vec::new();
    for (index, (page, key)) in site.pages.iter().zip(&titles).enumerate() {
        // A title that could not be read is the file's name for now.
        if !page.front.knows("title") {
            continue;
        }
        match first_with_title.get(key.as_str()) {
            None => {
                first_with_title.insert(key, index);
            }
            Some(&first) => {
                let error = SiteWideError::DuplicateTitle {
                    title: page.front.title.clone(),
                    other: site.pages[first]
                        .source
                        .display_path
                        .to_string_lossy()
                        .replace('\\', "/"),
                    position: page.front.key_positions.get("title").copied(),
                };
                diagnostics
                    .push(error.to_diagnostic(&page.source.display_path, Some(&page.source.text)));
            }
        }
    }
    diagnostics
}
