//! The pipeline: the one place that knows the order of the stages, and the only
//! holder of their memos. [`make_site`] is the order, top to bottom:
//!
//! ```text
//! load (stages/load/) -> assets (stages/assets.rs, stages/minify.rs)
//!   -> front matter (stages/front_matter/) -> site (stages/site.rs)
//!   -> markdown (stages/markdown/) -> content checks (check/)
//!   -> templates (stages/templates/) -> render (stages/templates/render.rs)
//!   -> minify (stages/minify.rs) -> search index (stages/search_index/)
//!   -> sitemap (stages/sitemap.rs)
//!   -> site-wide and HTML checks (check/) -> output (stages/output/)
//! ```
//!
//! Each stage is a function of one input value. The pipeline runs each through a
//! [`Memo`], which finds what an earlier build made from the same input; a build
//! with no rebuild after it passes memos that keep nothing. A build minifies each
//! page as soon as its template has made it, so that only one copy of each page is
//! held, and the HTML check reads the pages as they will be written. `check` makes
//! and checks the pages just as a build does, and writes nothing; only [`render`],
//! for snapshots, keeps pages readable.
//!
//! Every stage reports all it finds; the pipeline collects every diagnostic and
//! decides only at the end whether the build failed, so an editor sees every
//! problem in one run. Its submodules hold the memos, run each stage through its
//! memo, write the site and the cache (`to_disk`), and keep the preview's search
//! index to be made after its pages. Uses the stages `load`, `assets`,
//! `front_matter`, `markdown`, `templates`, `minify`, `search_index`, `sitemap` and
//! `output`, and `check`, `config`, `page`, `site`, `messages` and `error`.

mod later_index;
mod memos;
mod record;
mod steps;
mod to_disk;

/// A file of a site built in memory.
pub use crate::model::page::OutputFile;
/// The cache folder beside an output folder.
pub use crate::stages::output::cache_folder;
/// The files a build writes beside the site, to know the folder again: they are not
/// pages of the site.
pub use crate::stages::output::{MANIFEST, MARKER, RECORD};
/// Where the search index is, under the site's address.
pub use crate::stages::search_index::INDEX_FOLDER;
pub use later_index::{MadeIndex, PendingIndex};
pub use memos::Memos;
use steps::*;
use to_disk::cache_warnings;
pub use to_disk::{
    BuildReport, CouncilBuild, CouncilBuilds, build, build_before_the_program_ends, build_councils,
};

use std::panic::resume_unwind;

use rayon::prelude::*;

use crate::check::{self, CheckReport};
use crate::config::Config;
use crate::stages::markdown::LinkIndex;
use crate::stages::minify::Form;
use crate::stages::output;
use crate::stages::templates;
use crate::stages::templates::render::SiteShape;
use crate::stages::{assets, load, sitemap};
use crate::support::error::{Diagnostic, Errors, Severity};
use crate::support::messages::Catalogue;

/// A site rendered in memory, before minification and writing.
#[derive(Debug)]
pub struct RenderedSite {
    /// Every file of the site, sorted by path. [`render`] leaves HTML readable, and
    /// each file whole; [`build_in_memory`] minifies it, as a build writes it, and
    /// leaves pages in their parts (see [`OutputFile::contents`]).
    pub files: Vec<OutputFile>,
    /// How many pages were rendered from content.
    pub pages: usize,
    pub warnings: Vec<Diagnostic>,
    /// For the preview: the search index, if it is still to be made.
    pub pending_index: Option<PendingIndex>,
}

/// Builds the finished site, minified, in memory and writes nothing: what a build
/// would write, for the preview server to serve. It finds in `memos` what earlier
/// builds of the same project made, and leaves in them what this build made.
pub fn build_in_memory(config: &Config, memos: &mut Memos) -> Result<RenderedSite, Errors> {
    memos.next_build();
    let loading = load_project(config, memos);
    build_loaded(config, loading, Purpose::Site, memos)
}

/// Reads the project's settings and builds its site in memory, as
/// [`build_in_memory`] does, for the preview. A mistake in the settings fails the
/// build, but the pages are still built and checked, with that setting left at its
/// default, so that every problem is reported in one go.
pub fn build_project_in_memory(
    options: &crate::config::BuildOptions,
    memos: &mut Memos,
) -> Result<RenderedSite, Errors> {
    build_project_for(options, memos, Purpose::Site)
}

/// Builds the project in memory as [`build_project_in_memory`] does, for the
/// preview to serve at once: a search index that no earlier build made is left to
/// be made, in [`RenderedSite::pending_index`].
pub fn build_project_for_preview(
    options: &crate::config::BuildOptions,
    memos: &mut Memos,
) -> Result<RenderedSite, Errors> {
    build_project_for(options, memos, Purpose::Preview)
}

fn build_project_for(
    options: &crate::config::BuildOptions,
    memos: &mut Memos,
    purpose: Purpose,
) -> Result<RenderedSite, Errors> {
    let (config, mistakes) = crate::config::load_despite_mistakes(options).map_err(fail)?;
    memos.next_build();
    let loading = load_project(&config, memos);
    let built = build_loaded(&config, loading, purpose, memos);
    if !mistakes.iter().any(|d| d.severity == Severity::Error) {
        return built;
    }
    let found = match built {
        Ok(site) => site.warnings,
        Err(errors) => errors.diagnostics,
    };
    Err(fail(Diagnostic::sorted(
        mistakes.into_iter().chain(found).collect(),
    )))
}

/// Builds the finished site in memory from what was loaded, and what loading found,
/// with `memos` as loading left them: started for this build before it.
fn build_loaded(
    config: &Config,
    loading: (load::Loaded, Vec<Diagnostic>),
    purpose: Purpose,
    memos: &mut Memos,
) -> Result<RenderedSite, Errors> {
    let (made, diagnostics) = make_site(config, loading, (Form::Minified, purpose), memos);
    finish(diagnostics, |warnings| RenderedSite {
        files: made.files,
        pages: made.pages,
        warnings,
        pending_index: made.pending_index,
    })
}

/// Renders the whole site in memory.
pub fn render(config: &Config) -> Result<RenderedSite, Errors> {
    let (mut rendered, diagnostics) = make_and_check(
        config,
        (Form::Readable, Purpose::Site),
        &mut Memos::for_one_build(),
    );
    rendered.files.iter_mut().for_each(OutputFile::make_whole);
    finish(diagnostics, |warnings| RenderedSite {
        files: rendered.files,
        pages: rendered.pages,
        warnings,
        pending_index: None,
    })
}

/// Reads the project's configuration and runs every check; a mistake in the settings
/// is reported like any other finding, and the pages are checked with that setting
/// left at its default. Without a council, every council's file is checked too, so
/// that a mistake in one is found before that council's site is built. It finds in
/// the cache folder beside the output what earlier runs made, and leaves there what
/// it made, as a build does.
pub fn check_project(options: &crate::config::BuildOptions) -> CheckReport {
    let cache = output::cache_folder(&options.out_dir());
    let mut memos = Memos::from_cache(&cache);
    let mut report = check_project_with(options, &mut memos);
    let problems = memos.save(&cache, &[]);
    let said = cache_warnings(&problems, &options.root);
    report.diagnostics = Diagnostic::sorted_together(report.diagnostics, said);
    report
}

/// Checks the project as [`check_project`] does, finding in `memos` what earlier
/// checks of the same project made, and leaving in them what this one made.
pub fn check_project_with(options: &crate::config::BuildOptions, memos: &mut Memos) -> CheckReport {
    let mut report = match crate::config::load_despite_mistakes(options) {
        Ok((config, mistakes)) => {
            let mut report = check_with(&config, memos);
            report.diagnostics.extend(mistakes);
            report
        }
        Err(diagnostics) => CheckReport {
            diagnostics,
            pages: 0,
            readability: Vec::new(),
            external_links: Vec::new(),
        },
    };
    if options.council.is_none() {
        for slug in crate::config::council_slugs(&options.root) {
            let options = crate::config::BuildOptions {
                council: Some(slug),
                ..options.clone()
            };
            match crate::config::load(&options) {
                Ok(config) => report.diagnostics.extend(config.council_warnings()),
                Err(diagnostics) => report.diagnostics.extend(diagnostics),
            }
        }
    }
    report.diagnostics = Diagnostic::sorted(std::mem::take(&mut report.diagnostics));
    report
}

/// Where every page of the site's own language stands in each of its languages,
/// for `tellyou translations`: the site is made as a check makes it, and nothing is
/// written. Fails only when the settings cannot be read.
pub fn translations(
    options: &crate::config::BuildOptions,
) -> Result<Vec<check::translations::LanguageStanding>, Vec<Diagnostic>> {
    let config = crate::config::load(options)?;
    let wanted = (Form::Minified, Purpose::Findings);
    let (made, _) = make_and_check(&config, wanted, &mut Memos::for_one_build());
    Ok(made.findings.translations)
}

/// Runs every check, as a build does, and writes nothing.
pub fn check(config: &Config) -> CheckReport {
    check_with(config, &mut Memos::for_one_build())
}

/// Checks the site as a build makes it, minified, so that a check finds what a
/// build would. A check of exactly the same files and settings as one before finds
/// what that one reported.
fn check_with(config: &Config, memos: &mut Memos) -> CheckReport {
    memos.next_build();
    let (loaded, loading) = load_project(config, memos);
    let inputs = record::Inputs(record::inputs_key(config, &loaded, &loading));
    let memos = &*memos;
    memos.check_reports.get_or(&inputs, |_| {
        memos.read_disk_now();
        let wanted = (Form::Minified, Purpose::Findings);
        let (mut rendered, diagnostics) = make_site(config, (loaded, loading), wanted, memos);
        rendered
            .findings
            .readability
            .sort_by(|a, b| a.path.cmp(&b.path));
        rendered.findings.external_links.sort();
        rendered.findings.external_links.dedup();
        CheckReport {
            diagnostics: Diagnostic::sorted(diagnostics),
            pages: rendered.pages,
            readability: rendered.findings.readability,
            external_links: rendered.findings.external_links,
        }
    })
}

/// Everything the stages made, whatever was wrong.
struct Made {
    files: Vec<OutputFile>,
    pages: usize,
    findings: check::Findings,
    pending_index: Option<PendingIndex>,
}

/// Loads the project and makes the site in `form`, with every check.
fn make_and_check(
    config: &Config,
    wanted: (Form, Purpose),
    memos: &mut Memos,
) -> (Made, Vec<Diagnostic>) {
    memos.next_build();
    let loading = load_project(config, memos);
    make_site(config, loading, wanted, memos)
}

/// What the stages are run for: a site to write, with its search index; a site for
/// the preview to serve at once, whose index may be made after it; or the findings
/// of a check, which need no index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Site,
    Preview,
    Findings,
}

/// Makes the site from what was loaded, in `form`, for `purpose`: the stages in
/// their order. Each stage says all it finds, and the site is made as far as it can
/// be, so that one mistake is said once, where it is, and not again by every stage
/// after it.
fn make_site(
    config: &Config,
    (loaded, loading): (load::Loaded, Vec<Diagnostic>),
    (form, purpose): (Form, Purpose),
    memos: &Memos,
) -> (Made, Vec<Diagnostic>) {
    let mut said = loading;
    said.extend(config.council_warnings());
    let static_files = assets::for_search(loaded.assets, config.site.search);
    let static_files = assets::with_colour(static_files, config.site.brand.colour);
    let static_files = minify_stylesheets(static_files, &memos.stylesheets);
    let (asset_map, mut files) = assets::fingerprint(&static_files);
    let missing_logo = check::logo(config, &asset_map);

    let (site, drafts) = read_pages(loaded.pages, config, memos, &mut said);
    let site_address = (
        config.site.base_url.url.as_str(),
        config.site.language.as_str(),
    );
    let links = LinkIndex::new(site.addresses(), &asset_map, site_address);
    let codes: Vec<&str> = (config.site.languages.iter())
        .map(|l| l.code.as_str())
        .collect();
    let (messages, found) = Catalogue::new(&loaded.messages, (&config.site.language, &codes));
    said.extend(found);
    let markdown = render_markdown(&site, (&links, &messages), memos, &mut said);
    // The search index needs only the pages' markdown: it is made on a thread of
    // its own meanwhile, as the content is checked and the pages made and checked.
    let later = purpose == Purpose::Preview;
    let (index_later, findings) = std::thread::scope(|scope| {
        let index = (config.site.search && purpose != Purpose::Findings)
            .then(|| scope.spawn(|| search_index_of(config, (&site, &markdown), memos, later)));
        let mut findings = check_content(&site, &markdown, &drafts, config, memos);
        said.append(&mut findings.diagnostics);
        let sources = templates::Sources {
            files: &loaded.templates,
            assets: &asset_map,
        };
        let templates = templates_for_pages(&sources, (&site, missing_logo), memos, &mut said);
        let all_pages_made = match templates {
            Some(templates) => {
                let shape = SiteShape::new(config, &site, (&templates, &messages));
                make_pages(&shape, &markdown, form, memos, (&mut files, &mut said))
            }
            None => false,
        };
        files.extend(sitemap::files(&config.site, &site));
        files.sort_by(|a, b| a.path.cmp(&b.path));
        // The checks of the pages as made need them all, or they would report each
        // page that is not there.
        if all_pages_made {
            let made_from = (&site, &loaded.templates[..]);
            check_made_pages(&files, made_from, config, &mut said, (&mut findings, memos));
        }
        let index = index.map(|index| index.join().unwrap_or_else(|e| resume_unwind(e)));
        let index_later = add_index(index.filter(|_| all_pages_made), &mut files, &mut said);
        (index_later, findings)
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    said.extend(check::site_wide::clashing_paths(&files, &site));
    let pages = site.pages.len();
    // The pages' markdown, in their HTML, is let go on many threads at once.
    markdown.into_par_iter().for_each(drop);
    let pending_index = index_later.map(PendingIndex::new);
    let made = Made {
        files,
        pages,
        findings,
        pending_index,
    };
    (made, said)
}

/// A page as a translation of it starts, for `tellyou new`: read as a build reads
/// it.
#[derive(Debug)]
pub struct PageToTranslate {
    /// The YAML between the page's fences, as written.
    pub front_matter: String,
    /// Whether the front matter says whether the page is a draft.
    pub says_draft: bool,
    pub body: String,
    /// The fingerprint a translation made from the page now records.
    pub fingerprint: String,
}

/// The page at `content_path` (under `content/`) with the text `text`, as a
/// translation of it starts.
pub fn page_to_translate(content_path: &str, text: &str) -> PageToTranslate {
    let source = load::page_source(content_path, text);
    let (front, _) = crate::stages::front_matter::read(&source);
    let text = &source.text;
    let body = text.get(front.body_start..).unwrap_or("");
    let yaml = (text.strip_prefix("---"))
        .and_then(|rest| rest.get(..front.body_start.saturating_sub(3)))
        .unwrap_or("")
        .trim_end()
        .trim_end_matches("---")
        .trim();
    PageToTranslate {
        front_matter: yaml.to_owned(),
        says_draft: front.key_positions.contains_key("draft"),
        body: body.to_owned(),
        fingerprint: crate::model::site::fingerprint_of(&front, text),
    }
}

fn fail(diagnostics: Vec<Diagnostic>) -> Errors {
    Errors { diagnostics }
}

/// Sorts the diagnostics and fails if any is an error.
fn finish<T>(
    diagnostics: Vec<Diagnostic>,
    success: impl FnOnce(Vec<Diagnostic>) -> T,
) -> Result<T, Errors> {
    let diagnostics = Diagnostic::sorted(diagnostics);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        Err(Errors { diagnostics })
    } else {
        Ok(success(diagnostics))
    }
}
