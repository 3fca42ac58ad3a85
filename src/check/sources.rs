//! Sources: each document a page cites is the publisher's own page, reached over a
//! secure connection. A source on a document-sharing site (the site's
//! `blocked_source_domains`, which keep copies of other people's documents) or with
//! a plain `http://` address is a warning at its `url:` in the front matter. Uses
//! `page`, `config`, `domains` and `error`.

use crate::config::CheckSettings;
use crate::model::page::Page;
use crate::support::domains;
use crate::support::error::{Diagnostic, Position, Severity, StageError};

/// What can be wrong with where a page's source is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error(
        "this source is a copy on a document-sharing site ({domain}), not the publisher's own page"
    )]
    DocumentSharingSite { domain: String, position: Position },
    #[error("this source's address starts with http://, so it is not a secure link")]
    NotSecure { position: Position },
}

impl StageError for SourceError {
    fn position(&self) -> Option<Position> {
        match self {
            SourceError::DocumentSharingSite { position, .. }
            | SourceError::NotSecure { position } => Some(*position),
        }
    }

    fn severity(&self) -> Severity {
        Severity::Warning
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            SourceError::DocumentSharingSite { .. } => {
                "link to the page on the publisher's own website, such as nhs.uk, gov.uk or the charity's site".into()
            }
            SourceError::NotSecure { .. } => {
                "use the https:// address of the publisher's page: open the page in your browser and copy the address it shows".into()
            }
        })
    }
}

/// Checks where each of a page's sources is.
pub fn check(page: &Page, settings: &CheckSettings) -> Vec<Diagnostic> {
    let front = &page.front;
    let fallback = front
        .key_positions
        .get("sources")
        .copied()
        .unwrap_or(Position { line: 1, col: 1 });
    let mut errors = Vec::new();
    for source in &front.sources {
        let position = source.url_position.unwrap_or(fallback);
        if let Some(domain) = domains::domain_of(&source.url, &settings.blocked_source_domains) {
            errors.push(SourceError::DocumentSharingSite {
                domain: domain.to_owned(),
                position,
            });
        }
        if is_plain_http(&source.url) {
            errors.push(SourceError::NotSecure { position });
        }
    }
    errors
        .iter()
        .map(|e| e.to_diagnostic(&page.source.display_path, Some(&page.source.text)))
        .collect()
}

/// Whether an address starts with `http://`, in any case.
fn is_plain_http(url: &str) -> bool {
    url.trim()
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_addresses_are_not_secure() {
        for url in [
            "http://example.org/",
            "HTTP://EXAMPLE.ORG",
            " http://a.example",
        ] {
            assert!(is_plain_http(url), "{url}");
        }
        for url in ["https://example.org/", "http:/", "httpx://a", "", "ht"] {
            assert!(!is_plain_http(url), "{url}");
        }
    }
}
