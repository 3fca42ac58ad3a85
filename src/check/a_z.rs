//! The A to Z: every page can be found in it, and the other words a page gives in
//! `also_known_as:` lead somewhere new. A word that is already a heading is listed
//! twice; a word for a heading that is not on the page leads nowhere; and a page
//! with no headings and no other words is not in the A to Z at all. Each is a
//! warning. Uses `site`, `page`, `error`, `cache_key` and `memo`.

use std::collections::HashMap;
use std::sync::Arc;

use crate::memo::MemoKey;
use crate::model::page::{RenderedPage, a_z_entry};
use crate::model::site::Site;
use crate::support::cache_key::Key;
use crate::support::error::{Diagnostic, Position, Severity, StageError};

/// What can be wrong with a page's place in the A to Z.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AToZError {
    #[error(
        "{term:?} in 'also_known_as' is already a heading on {page}, so the A to Z lists it twice"
    )]
    AlreadyAHeading {
        term: String,
        page: String,
        position: Position,
    },
    #[error("{term:?} in 'also_known_as' leads to the heading #{id}, which is not on this page")]
    NoSuchHeading {
        term: String,
        id: String,
        position: Position,
    },
    #[error("this page is not in the A to Z: it has no headings, 'also_known_as' or 'keywords'")]
    NotInAToZ {
        position: Option<Position>,
        severity: Severity,
    },
}

impl StageError for AToZError {
    fn position(&self) -> Option<Position> {
        match self {
            AToZError::AlreadyAHeading { position, .. }
            | AToZError::NoSuchHeading { position, .. } => Some(*position),
            AToZError::NotInAToZ { position, .. } => *position,
        }
    }

    fn severity(&self) -> Severity {
        match self {
            AToZError::NotInAToZ { severity, .. } => *severity,
            _ => Severity::Warning,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            AToZError::AlreadyAHeading { .. } => {
                "remove it, or write a word a parent would use that no heading says".into()
            }
            AToZError::NoSuchHeading { .. } => {
                "write the id of a heading on this page, as a link to it would: \"#high-temperature\"".into()
            }
            AToZError::NotInAToZ { .. } => {
                "add `also_known_as:` with the words a parent would look this page up by, such as `- colic`".into()
            }
        })
    }
}

/// What the A to Z check reads: each page's place, language and front matter, the
/// headings of its markdown, and how a page it cannot list is reported, if at all.
pub struct Input<'a> {
    pub site: &'a Site,
    pub markdown: &'a [Arc<RenderedPage>],
    pub not_in_a_z: Option<Severity>,
}

impl MemoKey for Input<'_> {
    /// A page's body is read only for its headings, so an edit that leaves them as
    /// they were finds the same. Every finding is at a place in the front matter.
    fn memo_key(&self) -> blake3::Hash {
        let mut key = Key::new();
        key.field([match self.not_in_a_z {
            None => 0,
            Some(Severity::Warning) => 1,
            Some(Severity::Error) => 2,
        }]);
        for (index, (page, rendered)) in self.site.pages.iter().zip(self.markdown).enumerate() {
            let language = self.site.language(index);
            key.field(&page.source.content_path)
                .field(page.source.display_path.as_os_str().as_encoded_bytes())
                .field(page.front_matter_written())
                .field([u8::from(language.is_some()), u8::from(rendered.complete)])
                .field(language.unwrap_or_default());
            rendered.key_headings(&mut key);
        }
        key.finish()
    }
}

/// Checks every page's place in the A to Z of its language.
pub fn check(input: &Input) -> Vec<Diagnostic> {
    let (site, markdown, not_in_a_z) = (input.site, input.markdown, input.not_in_a_z);
    let listed = |index: usize| markdown[index].listed_headings();
    // Each heading's words, by language, and the first page that has them.
    let mut headings: HashMap<(Option<&str>, String), usize> = HashMap::new();
    for index in 0..site.pages.len() {
        for heading in listed(index) {
            let key = (site.language(index), a_z_entry(&heading.text));
            headings.entry(key).or_insert(index);
        }
    }
    let mut diagnostics = Vec::new();
    for (index, page) in site.pages.iter().enumerate() {
        let front = &page.front;
        let mut found = Vec::new();
        for word in &front.also_known_as {
            let key = (site.language(index), a_z_entry(&word.term));
            if let Some(&other) = headings.get(&key) {
                found.push(AToZError::AlreadyAHeading {
                    term: word.term.clone(),
                    page: site.pages[other].source.shown_path(),
                    position: word.position,
                });
            }
            let rendered = &markdown[index];
            let missing = |id: &&String| !rendered.has_heading(id);
            // A body too deep to read has headings that are not known.
            if let Some(id) = word
                .heading
                .as_ref()
                .filter(missing)
                .filter(|_| rendered.complete)
            {
                found.push(AToZError::NoSuchHeading {
                    term: word.term.clone(),
                    id: id.clone(),
                    position: word.position,
                });
            }
        }
        let unlisted = listed(index).next().is_none()
            && front.also_known_as.is_empty()
            && front.keywords.is_empty()
            && front.knows("also_known_as")
            && front.knows("keywords");
        if let Some(severity) = not_in_a_z.filter(|_| unlisted && !front.draft) {
            let position = front.key_positions.get("title").copied();
            found.push(AToZError::NotInAToZ { position, severity });
        }
        let path = &page.source.display_path;
        diagnostics
            .extend((found.iter()).map(|error| error.to_diagnostic(path, Some(&page.source.text))));
    }
    diagnostics
}
