//! Link check: every link to another page goes to a page that is in this build,
//! every `#heading` exists on the page it points at, and every image or file link
//! finds its file. Uses `site`, `page`, `paths` and `error`.

use std::collections::HashSet;

use rayon::prelude::*;

use crate::model::page::{LinkTarget, RenderedPage, SourceFile};
use crate::model::site::Site;
use crate::support::error::{Diagnostic, Position, StageError, did_you_mean};

/// What can be wrong with a link.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("there is no page or file at '{written}'")]
    Missing {
        written: String,
        position: Position,
        suggestion: Option<String>,
    },
    #[error("'{written}' links to a draft page, which is left out of this build")]
    Draft { written: String, position: Position },
    #[error("there is no heading '#{fragment}' on {page}")]
    MissingHeading {
        fragment: String,
        page: String,
        position: Position,
        suggestion: Option<String>,
    },
}

impl StageError for LinkError {
    fn position(&self) -> Option<Position> {
        match self {
            LinkError::Missing { position, .. }
            | LinkError::Draft { position, .. }
            | LinkError::MissingHeading { position, .. } => Some(*position),
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            LinkError::Missing { suggestion: Some(s), .. } => format!("did you mean '{s}'?"),
            LinkError::Missing { written, .. } if crate::support::paths::is_external(written) => {
                "this is the site's own address, so it must be a page of the site: link to the page's markdown file instead, such as ../crying/soothing.md".into()
            }
            LinkError::Missing { written, .. } if !written.contains(".md") && !written.contains('.') => {
                "link to the page's markdown file, such as ../crying/soothing.md".into()
            }
            LinkError::Missing { .. } => {
                "paths are relative to the folder of the page the link is in".into()
            }
            LinkError::Draft { .. } => {
                "publish that page (remove `draft: true`) or remove the link; `--drafts` builds a preview with drafts".into()
            }
            LinkError::MissingHeading { suggestion: Some(s), .. } => format!("did you mean '#{s}'?"),
            LinkError::MissingHeading { .. } => {
                "a heading's id is its text in lowercase with hyphens between the words".into()
            }
        })
    }
}

/// Checks the links of every page; `rendered[i]` is page `i` of the site.
pub fn check(
    site: &Site,
    rendered: &[std::sync::Arc<RenderedPage>],
    drafts: &HashSet<String>,
) -> Vec<Diagnostic> {
    rendered
        .par_iter()
        .enumerate()
        .flat_map_iter(|(index, page)| {
            check_page(&site.pages[index].source, page, (site, rendered, drafts))
        })
        .collect()
}

/// What checking one page's links needs to know about the whole site.
type SiteView<'a> = (
    &'a Site,
    &'a [std::sync::Arc<RenderedPage>],
    &'a HashSet<String>,
);

/// Checks the links of one page.
fn check_page(
    source: &SourceFile,
    rendered_page: &RenderedPage,
    (site, rendered, drafts): SiteView,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for link in &rendered_page.links {
        let error = match (&link.target, site.heading_link(&link.target)) {
            (_, Some((target, fragment))) => {
                let target_page = &rendered[target];
                // Where part of that page could not be read, its headings are not
                // all known, and its own mistake has been reported.
                if !target_page.complete {
                    continue;
                }
                let decoded = crate::support::paths::percent_decode(fragment);
                if target_page.has_heading(&decoded) {
                    continue;
                }
                let ids = target_page.headings.iter().map(|h| h.id.as_str());
                LinkError::MissingHeading {
                    fragment: fragment.to_owned(),
                    page: site.pages[target].source.shown_path(),
                    position: link.position,
                    suggestion: did_you_mean(&decoded, ids).map(str::to_owned),
                }
            }
            (LinkTarget::Missing { written, resolved }, _) if drafts.contains(resolved) => {
                LinkError::Draft {
                    written: written.clone(),
                    position: link.position,
                }
            }
            (LinkTarget::Missing { written, resolved }, _) => {
                let pages = site.by_content_path.keys().map(String::as_str);
                let suggestion =
                    did_you_mean(resolved, pages).map(|s| relative_to(&source.content_path, s));
                LinkError::Missing {
                    written: written.clone(),
                    position: link.position,
                    suggestion,
                }
            }
            _ => continue,
        };
        diagnostics.push(error.to_diagnostic(&source.display_path, Some(&source.text)));
    }
    diagnostics
}

/// How to write a link to `target` from the file at `from`, both content paths.
fn relative_to(from: &str, target: &str) -> String {
    let from_parts: Vec<&str> = from.split('/').collect();
    let from_folder = &from_parts[..from_parts.len() - 1];
    let target_parts: Vec<&str> = target.split('/').collect();
    let common = from_folder
        .iter()
        .zip(&target_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts = vec![".."; from_folder.len() - common];
    parts.extend(&target_parts[common..]);
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::relative_to;

    #[test]
    fn suggestions_are_written_from_the_linking_page() {
        assert_eq!(relative_to("crying/a.md", "crying/b.md"), "b.md");
        assert_eq!(relative_to("crying/a.md", "play.md"), "../play.md");
        assert_eq!(relative_to("a.md", "crying/b.md"), "crying/b.md");
    }
}
