//! Checks: read-only passes over the rendered site that return diagnostics and change
//! nothing. Each check is a module of its own; this one runs them all and gathers what
//! `tellyou check` reports besides problems: each page's readability figures and the
//! links that leave the site. Uses `site`, `page`, `config` and `error`.

pub mod card_order;
pub mod content;
pub mod council_addresses;
pub mod html;
pub mod links;
pub mod listing;
pub mod readability;
pub mod review;
pub mod site_wide;
pub mod sources;
pub mod words;

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::cache_key::KeyMap;
use crate::config::{BaseUrl, CheckSettings};
use crate::error::{Diagnostic, LineIndex, Position};
use crate::page::{Date, LinkTarget, OutputFile, RenderedPage, TemplateFile};
use crate::site::Site;

pub use readability::Readability;

/// One page's readability figures.
#[derive(Debug, Clone, PartialEq)]
pub struct PageReadability {
    pub path: PathBuf,
    pub figures: Readability,
}

/// A link that leaves the site. It is listed, never fetched.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExternalLink {
    /// The file the link is written in.
    pub path: PathBuf,
    pub position: Option<Position>,
    pub url: String,
}

/// What the checks of the pages' content found.
#[derive(Debug, Default)]
pub struct Findings {
    pub diagnostics: Vec<Diagnostic>,
    pub readability: Vec<PageReadability>,
    pub external_links: Vec<ExternalLink>,
}

/// What the checks of one page's own content found.
#[derive(Debug)]
struct PageFindings {
    diagnostics: Vec<Diagnostic>,
    readability: PageReadability,
    external_links: Vec<ExternalLink>,
}

/// What earlier runs found in each page, by a hash of the page's path and text, the
/// settings and the day, so that a rebuild checks only the pages that changed.
#[derive(Debug, Default)]
pub struct PageCache(KeyMap<Arc<PageFindings>>);

/// Runs every check of the pages' content. `rendered[i]` is page `i` of the site's
/// markdown, rendered as well as it could be; `drafts` holds the content paths of
/// draft pages left out of this build.
pub fn run(
    site: &Site,
    rendered: &[Arc<RenderedPage>],
    drafts: &HashSet<String>,
    settings: &CheckSettings,
    today: Date,
    cache: &mut PageCache,
) -> Findings {
    let mut findings = Findings {
        diagnostics: links::check(site, rendered, drafts),
        ..Findings::default()
    };
    findings.diagnostics.extend(site_wide::check(site));
    let context = crate::cache_key::of([format!("{settings:?} {today:?}").as_bytes()]);
    let words = words::WordsToAvoid::new(settings);
    let per_page: Vec<(blake3::Hash, Arc<PageFindings>)> = site
        .pages
        .par_iter()
        .zip(rendered)
        .map(|(page, rendered)| {
            let key = crate::cache_key::of([
                context.as_bytes(),
                page.source.display_path.to_string_lossy().as_bytes(),
                page.source.hash.as_bytes(),
            ]);
            let found = match cache.0.get(&key) {
                Some(found) => Arc::clone(found),
                None => Arc::new(check_page(page, rendered, (settings, &words), today)),
            };
            (key, found)
        })
        .collect();
    let count = |of: fn(&PageFindings) -> usize| per_page.iter().map(|(_, page)| of(page)).sum();
    findings
        .diagnostics
        .reserve(count(|page| page.diagnostics.len()));
    findings.readability.reserve(per_page.len());
    findings
        .external_links
        .reserve(count(|page| page.external_links.len()));
    for (_, page) in &per_page {
        findings
            .diagnostics
            .extend(page.diagnostics.iter().cloned());
        findings.readability.push(page.readability.clone());
        findings
            .external_links
            .extend(page.external_links.iter().cloned());
    }
    cache.0 = per_page.into_iter().collect();
    findings
}

/// The checks of one page that need nothing but the page.
fn check_page(
    page: &crate::page::Page,
    rendered: &RenderedPage,
    (settings, words): (&CheckSettings, &words::WordsToAvoid),
    today: Date,
) -> PageFindings {
    let mut diagnostics = review::check(page, today, settings);
    diagnostics.extend(sources::check(page, settings));
    diagnostics.extend(listing::check(page, settings));
    diagnostics.extend(content::check(page, rendered));
    diagnostics.extend(card_order::check(page, rendered));
    diagnostics.extend(words::check(page, rendered, words));
    let (figures, found) = readability::check(page, rendered, settings);
    diagnostics.extend(found);
    PageFindings {
        diagnostics,
        readability: PageReadability {
            path: page.source.display_path.clone(),
            figures,
        },
        external_links: external_links(page, rendered),
    }
}

/// The links of a page's markdown and its sources that leave the site.
fn external_links(page: &crate::page::Page, rendered: &RenderedPage) -> Vec<ExternalLink> {
    let path = &page.source.display_path;
    let mut found: Vec<ExternalLink> = rendered
        .links
        .iter()
        .filter_map(|link| match &link.target {
            LinkTarget::External { url } => Some(ExternalLink {
                path: path.clone(),
                position: Some(link.position),
                url: url.clone(),
            }),
            _ => None,
        })
        .collect();
    for source in &page.front.sources {
        found.push(ExternalLink {
            path: path.clone(),
            position: source.url_position,
            url: source.url.clone(),
        });
    }
    found
}

/// Runs the checks of the rendered HTML, and adds the links that leave the site from
/// templates to `external_links`.
pub fn rendered_html(
    files: &[OutputFile],
    site: &Site,
    templates: &[TemplateFile],
    (base_url, templates_key): (&BaseUrl, &blake3::Hash),
    external_links: &mut Vec<ExternalLink>,
    scans: &mut html::ScanCache,
) -> Vec<Diagnostic> {
    let (diagnostics, hrefs) =
        html::check(files, site, templates, (base_url, templates_key), scans);
    let known: HashSet<&str> = external_links.iter().map(|l| l.url.as_str()).collect();
    // A template's link is on every page; look each address up once.
    let mut seen = HashSet::new();
    let mut from_templates = BTreeSet::new();
    for href in hrefs
        .iter()
        .filter(|h| !known.contains(h.url.as_str()) && seen.insert(h.url.as_str()))
    {
        let written_in = templates.iter().find_map(|t| {
            t.text
                .find(&href.url)
                .map(|at| (t, LineIndex::new(&t.text).position(&t.text, at)))
        });
        from_templates.insert(match written_in {
            Some((template, position)) => ExternalLink {
                path: template.display_path.clone(),
                position: Some(position),
                url: href.url.clone(),
            },
            None => ExternalLink {
                path: PathBuf::from(&href.file),
                position: None,
                url: href.url.clone(),
            },
        });
    }
    external_links.extend(from_templates);
    diagnostics
}
