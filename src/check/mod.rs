//! Checks: read-only passes over the rendered site that return diagnostics and
//! change nothing. Each check is a module of its own; this one runs them all and
//! gathers what `tellyou check` reports besides problems: each page's readability
//! figures and the links that leave the site. Uses `site`, `page`, `assets`,
//! `config`, `calendar`, `memo`, `cache_key` and `error`.

pub mod a_z;
pub mod card_order;
pub mod content;
pub mod council_addresses;
pub mod html;
pub mod links;
pub mod listing;
pub mod readability;
pub mod report;
pub mod review;
pub mod site_wide;
pub mod sources;
pub mod translations;
pub mod words;

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::{CheckSettings, Config, ConfigError, Language};
use crate::memo::MemoKey;
use crate::model::assets::AssetMap;
use crate::model::page::{LinkTarget, RenderedPage, TemplateFile};
use crate::model::site::Site;
use crate::support::calendar::Date;
use crate::support::error::{Diagnostic, LineIndex, Position, Severity, StageError};

pub use readability::Readability;

/// One page's readability figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PageReadability {
    pub path: PathBuf,
    pub figures: Readability,
}

/// A link that leaves the site. It is listed, never fetched.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ExternalLink {
    /// The file the link is written in.
    pub path: PathBuf,
    pub position: Option<Position>,
    pub url: String,
}

/// What `tellyou check` found: every diagnostic, and each page's readability
/// figures and the links that leave the site.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CheckReport {
    /// Errors and warnings, sorted file by file.
    pub diagnostics: Vec<Diagnostic>,
    pub pages: usize,
    pub readability: Vec<PageReadability>,
    pub external_links: Vec<ExternalLink>,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// What the checks of the pages' content found.
#[derive(Debug, Default)]
pub struct Findings {
    pub diagnostics: Vec<Diagnostic>,
    pub readability: Vec<PageReadability>,
    pub external_links: Vec<ExternalLink>,
    /// Where each page stands in each of the site's languages.
    pub translations: Vec<translations::LanguageStanding>,
}

/// What the checks of one page's own content found.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PageFindings {
    diagnostics: Vec<Diagnostic>,
    /// `None` for a translation: the scores are made for English.
    readability: Option<PageReadability>,
    external_links: Vec<ExternalLink>,
}

/// What the checks of every page read besides the page: the settings and the day.
pub struct CheckContext<'a> {
    settings: &'a CheckSettings,
    today: Date,
    words: words::WordsToAvoid<'a>,
    /// The words to avoid in each language the site is translated into, by code.
    words_in: std::collections::HashMap<&'a str, words::WordsToAvoid<'a>>,
    key: blake3::Hash,
}

impl<'a> CheckContext<'a> {
    pub fn new(
        settings: &'a CheckSettings,
        languages: &'a [Language],
        today: Date,
    ) -> CheckContext<'a> {
        let mut key = crate::support::cache_key::Key::new();
        key.field(settings.memo_key().as_bytes())
            .field(today.year.to_le_bytes())
            .field([today.month, today.day]);
        for language in languages {
            key.field(&language.code);
            for (word, instead) in &language.words_to_avoid {
                key.field(word).field(instead);
            }
        }
        let words_in = (languages.iter())
            .map(|l| (l.code.as_str(), words::WordsToAvoid::of(&l.words_to_avoid)))
            .collect();
        CheckContext {
            settings,
            today,
            words: words::WordsToAvoid::new(settings),
            words_in,
            key: key.finish(),
        }
    }
}

/// One page to check: its source and its markdown, rendered as well as it could be.
pub struct PageInput<'a> {
    pub context: &'a CheckContext<'a>,
    pub page: &'a crate::model::page::Page,
    pub rendered: &'a RenderedPage,
}

impl MemoKey for PageInput<'_> {
    fn memo_key(&self) -> blake3::Hash {
        crate::support::cache_key::of([
            self.context.key.as_bytes(),
            self.page.source.memo_key().as_bytes(),
            self.rendered.memo_key().as_bytes(),
        ])
    }
}

/// The checks of the site as a whole: links between pages, and what only the whole
/// site shows. `rendered[i]` is page `i` of the site's markdown, rendered as well as
/// it could be; `drafts` holds the content paths of draft pages left out of this
/// build. The A to Z is checked on its own ([`a_z::check`]), as most edits leave
/// what it reads alone.
pub fn site(
    site: &Site,
    rendered: &[Arc<RenderedPage>],
    drafts: &HashSet<String>,
) -> Vec<Diagnostic> {
    let mut diagnostics = links::check(site, rendered, drafts);
    diagnostics.extend(site_wide::check(site));
    diagnostics
}

/// Every page shows the brand's logo: a logo that is not among the site's files.
pub fn logo(config: &Config, assets: &AssetMap) -> Option<Diagnostic> {
    let brand = &config.site.brand;
    let (Some(logo), Some(position)) = (&brand.logo, brand.logo_position) else {
        return None;
    };
    if assets.output_path(logo).is_some() {
        return None;
    }
    let error = ConfigError::LogoNotFound {
        path: logo.clone(),
        position,
        council_static: config
            .council_file
            .as_ref()
            .map(|file| format!("councils/{}/static/", file.slug)),
    };
    let (file, text) = config.brand_file();
    Some(error.to_diagnostic(file, Some(text)))
}

/// Gathers what the checks of each page found, in the order of the pages.
pub fn gather(per_page: &[Arc<PageFindings>]) -> Findings {
    let count = |of: fn(&PageFindings) -> usize| per_page.iter().map(|page| of(page)).sum();
    let mut findings = Findings::default();
    findings
        .diagnostics
        .reserve(count(|page| page.diagnostics.len()));
    findings.readability.reserve(per_page.len());
    findings
        .external_links
        .reserve(count(|page| page.external_links.len()));
    for page in per_page {
        findings
            .diagnostics
            .extend(page.diagnostics.iter().cloned());
        findings.readability.extend(page.readability.clone());
        findings
            .external_links
            .extend(page.external_links.iter().cloned());
    }
    findings
}

/// The checks of one page that need nothing but the page.
pub fn page(input: &PageInput) -> Arc<PageFindings> {
    let context = input.context;
    Arc::new(check_page(input.page, input.rendered, context))
}

/// The checks of one page that need nothing but the page. The measures made for
/// English (the readability scores, the forms of care card headings and the
/// site's words to avoid) are not applied to a translation; its language's own
/// words to avoid are.
fn check_page(
    page: &crate::model::page::Page,
    rendered: &RenderedPage,
    context: &CheckContext,
) -> PageFindings {
    let settings = context.settings;
    let language = page.source.translates.as_ref().map(|t| t.language.as_str());
    let words = match language {
        None => Some(&context.words),
        Some(code) => context.words_in.get(code),
    };
    let in_english = language.is_none();
    let mut diagnostics = review::check(page, context.today, settings);
    diagnostics.extend(sources::check(page, settings));
    diagnostics.extend(listing::check(page, settings));
    diagnostics.extend(content::check(page, rendered, in_english));
    diagnostics.extend(card_order::check(page, rendered));
    diagnostics.extend(words.map_or_else(Vec::new, |words| words::check(page, rendered, words)));
    let (figures, found) = readability::check(page, rendered, settings, in_english);
    diagnostics.extend(found);
    PageFindings {
        diagnostics,
        readability: in_english.then(|| PageReadability {
            path: page.source.display_path.clone(),
            figures,
        }),
        external_links: external_links(page, rendered),
    }
}

/// The links of a page's markdown and its sources that leave the site.
fn external_links(page: &crate::model::page::Page, rendered: &RenderedPage) -> Vec<ExternalLink> {
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

/// Adds the links that leave the site from templates, `hrefs` as the HTML check
/// found them, to `external_links`, each where it was written.
pub fn external_links_from_templates(
    hrefs: &[html::ExternalHref],
    templates: &[TemplateFile],
    external_links: &mut Vec<ExternalLink>,
) {
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
}
