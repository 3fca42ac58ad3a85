//! The pipeline: the one place that knows the order of the stages, and the only
//! holder of their memos. [`make_site`] is the order, top to bottom:
//!
//! ```text
//! load (stages/load/) -> assets (stages/assets.rs, stages/minify.rs)
//!   -> front matter (stages/front_matter/) -> site (stages/site.rs)
//!   -> markdown (stages/markdown/) -> content checks (check/)
//!   -> templates (stages/templates/) -> render (stages/templates/render.rs)
//!   -> minify (stages/minify.rs) -> search index (stages/search_index.rs)
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
//! memo, and keep the preview's search index to be made after its pages. Uses the
//! stages `load`, `assets`, `front_matter`, `markdown`, `templates`, `minify`,
//! `search_index`, `sitemap` and `output`, and `check`, `config`, `page`, `site`,
//! `memo`, `messages` and `error`.

mod later_index;
mod memos;
mod record;
mod steps;

/// A file of a site built in memory.
pub use crate::model::page::OutputFile;
/// The files a build writes beside the site, to know the folder again: they are not
/// pages of the site.
pub use crate::stages::output::{MANIFEST, MARKER, RECORD};
/// Where the search index is, under the site's address.
pub use crate::stages::search_index::INDEX_FOLDER;
pub use later_index::{MadeIndex, PendingIndex};
pub use memos::Memos;
use steps::*;

use std::panic::resume_unwind;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::check::{self, CheckReport};
use crate::config::Config;
use crate::memo;
use crate::stages::markdown::LinkIndex;
use crate::stages::minify::Form;
use crate::stages::output;
use crate::stages::templates;
use crate::stages::templates::render::SiteShape;
use crate::stages::{assets, load, sitemap};
use crate::support::error::{Diagnostic, Errors, Severity, StageError};
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

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub out_dir: PathBuf,
    pub warnings: Vec<Diagnostic>,
    /// Nothing was built: the output already held the site these inputs make.
    pub unchanged: bool,
}

/// Builds the site and writes it to the output folder, replacing the old site only
/// if everything succeeded. When the output folder holds, untouched, the site of a
/// build that read exactly the same files and settings, nothing is built: that
/// build's warnings are reported again. Otherwise the build finds in the cache
/// folder beside the output what earlier runs made, and leaves there what it made.
pub fn build(config: &Config) -> Result<BuildReport, Errors> {
    let cache = output::cache_folder(&config.out_dir);
    let mut problems = Vec::new();
    let (outcome, memos) = build_from(config, || {
        let (memos, found) = Memos::from_cache(&cache);
        problems = found;
        memos
    });
    if let Some(memos) = memos {
        problems.extend(memos.save(&cache, &[]));
    }
    with_cache_problems(outcome, &problems, &config.root)
}

/// Builds the site as [`build`] does, with the memos `memos` makes if anything is
/// to be built, and gives them back with what the build did, to be saved.
fn build_from(
    config: &Config,
    memos: impl FnOnce() -> Memos,
) -> (Result<BuildReport, Errors>, Option<Memos>) {
    if let Err(e) = output::check_out_dir(&config.root, &config.out_dir) {
        return (
            Err(fail(vec![e.to_diagnostic(&config.out_dir, None)])),
            None,
        );
    }
    let mut files_read = memos::FilesRead::default();
    let (loaded, loading) = load_project(config, &mut files_read);
    let inputs = record::inputs_key(config, &loaded, &loading)
        .to_hex()
        .to_string();
    let previous = output::recorded_build(&config.out_dir, |text| {
        record::BuildRecord::from_text(text).filter(|record| record.inputs == inputs)
    });
    if let Some(record) = previous {
        if memo::verifying() {
            let mut memos = Memos::for_one_build();
            match build_loaded(config, (loaded, loading), Purpose::Site, &mut memos) {
                Ok(site) => verify_unchanged(config, &record, site),
                Err(errors) => return (Err(errors), None),
            }
        }
        output::remove_killed_builds(&config.out_dir);
        return (Ok(BuildReport::of(record, config, true)), None);
    }
    let mut memos = memos();
    let site = match build_loaded(config, (loaded, loading), Purpose::Site, &mut memos) {
        Ok(site) => site,
        Err(errors) => return (Err(errors), Some(memos)),
    };
    let record = record::BuildRecord {
        inputs,
        pages: site.pages,
        files: site.files.len(),
        warnings: site.warnings,
    };
    let written = output::write_site(&config.out_dir, &site.files, &record.to_text())
        .map_err(|e| fail(vec![e.to_diagnostic(&config.out_dir, None)]));
    (
        written.map(|()| BuildReport::of(record, config, false)),
        Some(memos),
    )
}

/// What a build did, with the cache files that could not be used said as warnings
/// too.
fn with_cache_problems(
    outcome: Result<BuildReport, Errors>,
    problems: &[memo::CacheError],
    root: &std::path::Path,
) -> Result<BuildReport, Errors> {
    let said = cache_warnings(problems, root);
    match outcome {
        Ok(mut report) => {
            report.warnings = Diagnostic::sorted([report.warnings, said].concat());
            Ok(report)
        }
        Err(errors) => Err(fail(Diagnostic::sorted(
            [errors.diagnostics, said].concat(),
        ))),
    }
}

/// The cache files that could not be used, as warnings, each at its path from the
/// project folder `root`.
fn cache_warnings(problems: &[memo::CacheError], root: &std::path::Path) -> Vec<Diagnostic> {
    let said = problems.iter().map(|problem| {
        let file = problem.file();
        problem.to_diagnostic(file.strip_prefix(root).unwrap_or(file), None)
    });
    Diagnostic::sorted(said.collect())
}

impl BuildReport {
    /// The report of the build that `record` tells of, which wrote `config`'s output
    /// folder now, or earlier if `unchanged`.
    fn of(record: record::BuildRecord, config: &Config, unchanged: bool) -> BuildReport {
        BuildReport {
            pages: record.pages,
            files: record.files,
            out_dir: config.out_dir.clone(),
            warnings: record.warnings,
            unchanged,
        }
    }
}

/// Stops the program if `site`, made now, is not what the output folder holds from
/// an earlier build with the same inputs, as its `record` says: the build record's
/// key leaves out something a build reads. Only with `TELLYOU_VERIFY_MEMO=1`.
fn verify_unchanged(config: &Config, record: &record::BuildRecord, site: RenderedSite) {
    let same_files = site.files.iter().all(|file| {
        std::fs::read(config.out_dir.join(&file.path)).is_ok_and(|bytes| bytes == *file.contents())
    });
    let same_record = (site.pages, site.files.len(), &site.warnings)
        == (record.pages, record.files, &record.warnings);
    assert!(
        same_files && same_record,
        "TELLYOU_VERIFY_MEMO: the output folder holds a build with the same inputs as this \
         one, but this one makes a different site: the build record's key leaves out \
         something a build reads"
    );
}

/// How one council's build went, in [`build_councils`].
#[derive(Debug)]
pub struct CouncilBuild {
    pub slug: String,
    pub outcome: Result<BuildReport, Errors>,
}

/// How `build --all` went: each council's build, in the order of the councils, the
/// sites removed because their council's file is gone, and the cache files that
/// could not be used, as warnings.
#[derive(Debug)]
pub struct CouncilBuilds {
    pub builds: Vec<CouncilBuild>,
    pub removed: Vec<String>,
    pub cache_warnings: Vec<Diagnostic>,
}

/// Builds the site of every council in `slugs` into its own folder, `<out>/<slug>/`,
/// in parallel, each replaced only if its own build succeeds, and removes the sites
/// of councils no longer in `slugs`. `done` is called as each one finishes, from
/// whichever thread built it. The builds share one cache folder, beside `<out>`, so
/// that what does not depend on the council is made once for them all. The error is
/// for an output folder that cannot be used.
pub fn build_councils(
    options: &crate::config::BuildOptions,
    slugs: &[String],
    done: impl Fn(&CouncilBuild) + Sync,
) -> Result<CouncilBuilds, Errors> {
    let out = options.out_dir();
    let removed = output::check_out_dir(&options.root, &out)
        .and_then(|()| output::prepare_folder_of_sites(&out))
        .and_then(|()| output::remove_sites_except(&out, slugs))
        .map_err(|error| fail(vec![error.to_diagnostic(&out, None)]))?;
    let cache = output::cache_folder(&out);
    let read = std::sync::OnceLock::new();
    let read_once = || read.get_or_init(|| Memos::from_cache(&cache));
    let (builds, used): (Vec<CouncilBuild>, Vec<Option<Memos>>) = slugs
        .par_iter()
        .map(|slug| {
            let options = crate::config::BuildOptions {
                out_dir: Some(out.join(slug)),
                council: Some(slug.clone()),
                ..options.clone()
            };
            let (outcome, memos) = match crate::config::load(&options) {
                Ok(config) => build_from(&config, || read_once().0.sharing()),
                Err(diagnostics) => (Err(fail(diagnostics)), None),
            };
            let result = CouncilBuild {
                slug: slug.clone(),
                outcome,
            };
            done(&result);
            (result, memos)
        })
        .unzip();
    let mut problems = Vec::new();
    if let Some((memos, found)) = read.into_inner() {
        let used: Vec<&Memos> = used.iter().flatten().collect();
        problems.extend(found);
        problems.extend(memos.save(&cache, &used));
    }
    Ok(CouncilBuilds {
        builds,
        removed,
        cache_warnings: cache_warnings(&problems, &options.root),
    })
}

/// Builds the finished site, minified, in memory and writes nothing: what a build
/// would write, for the preview server to serve. It finds in `memos` what earlier
/// builds of the same project made, and leaves in them what this build made.
pub fn build_in_memory(config: &Config, memos: &mut Memos) -> Result<RenderedSite, Errors> {
    let loading = load_project(config, &mut memos.files);
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
    let loading = load_project(&config, &mut memos.files);
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

/// Builds the finished site in memory from what was loaded, and what loading found.
fn build_loaded(
    config: &Config,
    loading: (load::Loaded, Vec<Diagnostic>),
    purpose: Purpose,
    memos: &mut Memos,
) -> Result<RenderedSite, Errors> {
    memos.next_build();
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
    let (mut memos, mut problems) = Memos::from_cache(&cache);
    let mut report = check_project_with(options, &mut memos);
    problems.extend(memos.save(&cache, &[]));
    let said = cache_warnings(&problems, &options.root);
    report.diagnostics = Diagnostic::sorted([report.diagnostics, said].concat());
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
/// build would.
fn check_with(config: &Config, memos: &mut Memos) -> CheckReport {
    let wanted = (Form::Minified, Purpose::Findings);
    let (mut rendered, diagnostics) = make_and_check(config, wanted, memos);
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
    let loading = load_project(config, &mut memos.files);
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
    let mut findings = check_content(&site, &markdown, &drafts, config, memos);
    said.append(&mut findings.diagnostics);

    let sources = templates::Sources {
        files: &loaded.templates,
        assets: &asset_map,
    };
    let templates = templates_for_pages(&sources, (&site, missing_logo), memos, &mut said);
    // The search index needs only the pages' markdown: it is made on a thread of
    // its own meanwhile, as the pages are made and checked.
    let later = purpose == Purpose::Preview;
    let index_later = std::thread::scope(|scope| {
        let index = (config.site.search && purpose != Purpose::Findings)
            .then(|| scope.spawn(|| search_index_of(config, (&site, &markdown), memos, later)));
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
        add_index(index.filter(|_| all_pages_made), &mut files, &mut said)
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    said.extend(check::site_wide::clashing_paths(&files, &site));
    let pages = site.pages.len();
    let pending_index = PendingIndex::if_later(index_later, &config.site, site, markdown);
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
        fingerprint: crate::model::site::fingerprint(&front.title, &front.description, body),
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
