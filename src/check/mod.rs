//! Checks: read-only passes over the rendered site that return diagnostics and change
//! nothing. Each check is a module of its own; this one runs them all. Uses `site`,
//! `page` and `error`.

pub mod links;

use std::collections::HashSet;

use crate::error::Diagnostic;
use crate::page::RenderedPage;
use crate::site::Site;

/// Runs every check. `rendered[i]` is page `i` of the site, or `None` if its
/// markdown could not be rendered; `drafts` holds the content paths of draft pages
/// left out of this build.
pub fn run(
    site: &Site,
    rendered: &[Option<RenderedPage>],
    drafts: &HashSet<String>,
) -> Vec<Diagnostic> {
    links::check(site, rendered, drafts)
}
