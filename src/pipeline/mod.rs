//! The pipeline: the one place that knows the order of the stages, and the only
//! holder of their memos. [`make_site`] is the order, top to bottom:
//!
//! ```text
//! load (load.rs) -> assets (assets.rs, minify.rs) -> front matter (front_matter.rs)
//!   -> site (site.rs) -> markdown (markdown.rs) -> content checks (check/)
//!   -> templates (templates/) -> render (templates/render.rs) -> minify (minify.rs)
//!   -> sitemap (sitemap.rs) -> site-wide and HTML checks (check/) -> output (output/)
//! ```
//!
//! Each stage is a function of one input value. The pipeline runs each through a
//! [`Memo`], which finds what an earlier build made from the same input; a build
//! with no rebuild after it passes memos that keep nothing. A build minifies each
//! page as soon as its template has made it, so that only one copy of each page is
//! held, and the HTML check reads the pages as they will be written; `check` and
//! [`render`] keep pages readable.
//!
//! Every stage reports all it finds; the pipeline collects every diagnostic and
//! decides only at the end whether the build failed, so an editor sees every
//! problem in one run. Uses every stage (`load`, `assets`, `front_matter`, `site`,
//! `markdown`, `templates`, `minify`, `sitemap` and `output`), and `check`,
//! `config`, `page`, `shared_parts`, `memo`, `cache_key` and `error`.

mod record;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::check::html::{self, FileResult, Scan};
use crate::check::{self, CheckReport};
use crate::config::Config;
use crate::memo::MemoKey;
use crate::memo::{self, Keep, Memo};
use crate::model::page::{AssetFile, FrontMatter, OutputFile, Page, RenderedPage, SourceFile};
use crate::model::site::Site;
use crate::stages::markdown::LinkIndex;
use crate::stages::minify::{Form, InForm, PartText};
use crate::stages::output;
use crate::stages::site;
use crate::stages::templates::Templates;
use crate::stages::templates::render::{GuideItems, ListItem, SiteShape};
use crate::stages::templates::{self, render};
use crate::stages::{assets, front_matter, load, markdown, minify, sitemap};
use crate::support::error::{Diagnostic, Errors, Severity, StageError};
use crate::support::shared_parts::PartList;

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
}

/// The memo of each stage, kept from one build to the next by the preview so that a
/// rebuild redoes only what changed, and the files read from disk.
pub struct Memos {
    /// The files read from disk, by their stamps: loading reads again only what
    /// changed on disk.
    files: load::LoadCache,
    stylesheets: Memo<Arc<[u8]>>,
    front_matter: Memo<(Arc<FrontMatter>, Vec<Diagnostic>)>,
    markdown: Memo<(Arc<RenderedPage>, Vec<Diagnostic>)>,
    page_checks: Memo<Arc<check::PageFindings>>,
    templates: Memo<Result<Arc<Templates>, Vec<Diagnostic>>>,
    guide_items: Memo<Result<Option<Arc<GuideItems>>, Vec<Diagnostic>>>,
    /// The shared items of every guide's contents list, finished.
    guide_lists: Memo<Arc<Vec<Arc<[u8]>>>>,
    pages: Memo<Result<OutputFile, Box<Diagnostic>>>,
    /// The parts many pages share, each finished once: kept whatever the build, so
    /// that each is held once however many pages have it.
    shared_parts: Memo<Arc<[u8]>>,
    html_scans: Memo<Arc<Scan>>,
    html_checks: Memo<Arc<FileResult>>,
}

impl Memos {
    /// Memos for one build with no rebuild after it: they keep nothing, so that each
    /// page is held once, as it is minified.
    pub fn for_one_build() -> Memos {
        Memos::keeping(Keep::Nothing)
    }

    /// Memos for a build and the rebuilds after it.
    pub fn for_rebuilds() -> Memos {
        Memos::keeping(Keep::ForRebuilds)
    }

    fn keeping(keep: Keep) -> Memos {
        Memos {
            files: load::LoadCache::default(),
            stylesheets: Memo::new("minify stylesheets", keep),
            front_matter: Memo::new("front matter", keep),
            markdown: Memo::new("markdown", keep),
            page_checks: Memo::new("content checks", keep),
            templates: Memo::new("templates", keep),
            guide_items: Memo::new("guide items", keep),
            guide_lists: Memo::new("finish guide items", keep),
            pages: Memo::new("render and minify pages", keep),
            shared_parts: Memo::new("shared parts", Keep::ForRebuilds),
            html_scans: Memo::new("HTML check: read pages", keep),
            html_checks: Memo::new("HTML check: check pages", keep),
        }
    }

    /// Tells the next build which files and folders changed since the last one, as
    /// a watcher saw them, so that it need not look at the others; `None` says that
    /// anything may have changed. Files reached through symbolic links, which a
    /// watcher may not see, are looked at anyway.
    pub fn note_changes(&mut self, paths: Option<Vec<PathBuf>>) {
        self.files.note_changes(paths);
    }

    /// Starts a build: what the last one used is what this one may find.
    fn next_build(&mut self) {
        self.stylesheets.next_build();
        self.front_matter.next_build();
        self.markdown.next_build();
        self.page_checks.next_build();
        self.templates.next_build();
        self.guide_items.next_build();
        self.guide_lists.next_build();
        self.pages.next_build();
        self.shared_parts.next_build();
        self.html_scans.next_build();
        self.html_checks.next_build();
    }
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
/// build's warnings are reported again.
pub fn build(config: &Config) -> Result<BuildReport, Errors> {
    output::check_out_dir(&config.root, &config.out_dir)
        .map_err(|e| fail(vec![e.to_diagnostic(&config.out_dir, None)]))?;
    let mut memos = Memos::for_one_build();
    let (loaded, loading) = load::load(config, &mut memos.files);
    let inputs = record::inputs_key(config, &loaded, &loading)
        .to_hex()
        .to_string();
    let previous = output::recorded_build(&config.out_dir, |text| {
        record::BuildRecord::from_text(text).filter(|record| record.inputs == inputs)
    });
    if let Some(record) = previous {
        if memo::verifying() {
            let site = build_loaded(config, (loaded, loading), &mut memos)?;
            verify_unchanged(config, &record, site);
        }
        output::remove_killed_builds(&config.out_dir);
        return Ok(BuildReport {
            pages: record.pages,
            files: record.files,
            out_dir: config.out_dir.clone(),
            warnings: record.warnings,
            unchanged: true,
        });
    }
    let site = build_loaded(config, (loaded, loading), &mut memos)?;
    // Nothing in the memos is needed to write the site: free them meanwhile.
    rayon::spawn(move || drop(memos));
    let record = record::BuildRecord {
        inputs,
        pages: site.pages,
        files: site.files.len(),
        warnings: site.warnings,
    };
    output::write_site(&config.out_dir, &site.files, &record.to_text())
        .map_err(|e| fail(vec![e.to_diagnostic(&config.out_dir, None)]))?;
    Ok(BuildReport {
        pages: record.pages,
        files: record.files,
        out_dir: config.out_dir.clone(),
        warnings: record.warnings,
        unchanged: false,
    })
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

/// How `build --all` went: each council's build, in the order of the councils, and
/// the sites removed because their council's file is gone.
#[derive(Debug)]
pub struct CouncilBuilds {
    pub builds: Vec<CouncilBuild>,
    pub removed: Vec<String>,
}

/// Builds the site of every council in `slugs` into its own folder, `<out>/<slug>/`,
/// in parallel, each replaced only if its own build succeeds, and removes the sites
/// of councils no longer in `slugs`. `done` is called as each one finishes, from
/// whichever thread built it. The error is for an output folder that cannot be used.
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
    let builds = slugs
        .par_iter()
        .map(|slug| {
            let options = crate::config::BuildOptions {
                out_dir: Some(out.join(slug)),
                council: Some(slug.clone()),
                ..options.clone()
            };
            let outcome = crate::config::load(&options)
                .map_err(fail)
                .and_then(|config| build(&config));
            let result = CouncilBuild {
                slug: slug.clone(),
                outcome,
            };
            done(&result);
            result
        })
        .collect();
    Ok(CouncilBuilds { builds, removed })
}

/// Builds the finished site, minified, in memory and writes nothing: what a build
/// would write, for the preview server to serve. It finds in `memos` what earlier
/// builds of the same project made, and leaves in them what this build made.
pub fn build_in_memory(config: &Config, memos: &mut Memos) -> Result<RenderedSite, Errors> {
    let loading = load::load(config, &mut memos.files);
    build_loaded(config, loading, memos)
}

/// Reads the project's settings and builds its site in memory, as
/// [`build_in_memory`] does, for the preview. A mistake in the settings fails the
/// build, but the pages are still built and checked, with that setting left at its
/// default, so that every problem is reported in one go.
pub fn build_project_in_memory(
    options: &crate::config::BuildOptions,
    memos: &mut Memos,
) -> Result<RenderedSite, Errors> {
    let (config, mistakes) = crate::config::load_despite_mistakes(options).map_err(fail)?;
    let built = build_in_memory(&config, memos);
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
    memos: &mut Memos,
) -> Result<RenderedSite, Errors> {
    memos.next_build();
    let (made, diagnostics) = make_site(config, loading, Form::Minified, memos);
    finish(diagnostics, |warnings| RenderedSite {
        files: made.files,
        pages: made.pages,
        warnings,
    })
}

/// Renders the whole site in memory.
pub fn render(config: &Config) -> Result<RenderedSite, Errors> {
    let (mut rendered, diagnostics) = render_and_check(config, &mut Memos::for_one_build());
    rendered.files.iter_mut().for_each(OutputFile::make_whole);
    finish(diagnostics, |warnings| RenderedSite {
        files: rendered.files,
        pages: rendered.pages,
        warnings,
    })
}

/// Reads the project's configuration and runs every check; a mistake in the settings
/// is reported like any other finding, and the pages are checked with that setting
/// left at its default. Without a council, every council's file is checked too, so
/// that a mistake in one is found before that council's site is built.
pub fn check_project(options: &crate::config::BuildOptions) -> CheckReport {
    check_project_with(options, &mut Memos::for_one_build())
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

/// Runs every check, as a build does, and writes nothing.
pub fn check(config: &Config) -> CheckReport {
    check_with(config, &mut Memos::for_one_build())
}

fn check_with(config: &Config, memos: &mut Memos) -> CheckReport {
    let (mut rendered, diagnostics) = render_and_check(config, memos);
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
}

/// Renders the site readable, with every check.
fn render_and_check(config: &Config, memos: &mut Memos) -> (Made, Vec<Diagnostic>) {
    memos.next_build();
    let loading = load::load(config, &mut memos.files);
    make_site(config, loading, Form::Readable, memos)
}

/// Makes the site from what was loaded, in `form`: the stages in their order. Each
/// stage says all it finds, and the site is made as far as it can be, so that one
/// mistake is said once, where it is, and not again by every stage after it.
fn make_site(
    config: &Config,
    (loaded, loading): (load::Loaded, Vec<Diagnostic>),
    form: Form,
    memos: &Memos,
) -> (Made, Vec<Diagnostic>) {
    let mut said = loading;
    said.extend(config.council_warnings());

    let static_files = assets::with_colour(loaded.assets, config.site.brand.colour);
    let static_files = minify_stylesheets(static_files, &memos.stylesheets);
    let (asset_map, mut files) = assets::fingerprint(&static_files);
    let missing_logo = check::logo(config, &asset_map);

    let (site, drafts) = read_pages(loaded.pages, config, memos, &mut said);
    let links = LinkIndex::new(site.addresses(), &asset_map, &config.site.base_url.url);
    let markdown = render_markdown(&site, &links, memos, &mut said);
    let mut findings = check_content(&site, &markdown, &drafts, config, memos);
    said.append(&mut findings.diagnostics);

    let sources = templates::Sources {
        files: &loaded.templates,
        assets: &asset_map,
    };
    let templates = memos.templates.get_or(&sources, templates::compile);
    let templates = templates.map_err(|found| said.extend(found)).ok();
    // Every page shows the logo and links to the home page: without either, the
    // pages would repeat that one mistake on every page.
    let can_make_pages = missing_logo.is_none() && site.by_url.contains_key("");
    said.extend(missing_logo);
    let all_pages_made = match templates {
        Some(templates) if can_make_pages => {
            let shape = SiteShape::new(config, &site, (&templates, sources.memo_key()));
            make_pages(&shape, &markdown, form, memos, (&mut files, &mut said))
        }
        _ => false,
    };
    // Each page's markdown is in its HTML now; a build need not hold it.
    markdown.into_par_iter().for_each(drop);

    files.extend(sitemap::files(&config.site.base_url, &site.pages));
    files.sort_by(|a, b| a.path.cmp(&b.path));

    said.extend(check::site_wide::clashing_paths(&files, &site));
    // The checks of the pages as made need them all, or they would report each page
    // that is not there.
    if all_pages_made {
        let templates = (&loaded.templates[..], sources.memo_key());
        check_made_pages(
            &files,
            (&site, templates),
            config,
            &mut said,
            (&mut findings, memos),
        );
    }
    let pages = site.pages.len();
    (
        Made {
            files,
            pages,
            findings,
        },
        said,
    )
}

/// Reads each page's front matter and puts the pages in their places in the site,
/// leaving out drafts, whose content paths it gives too. A page with mistakes in its
/// front matter stays in the site, with what could be read, so that links to it are
/// not reported as broken too.
fn read_pages(
    sources: Vec<SourceFile>,
    config: &Config,
    memos: &Memos,
    said: &mut Vec<Diagnostic>,
) -> (Site, HashSet<String>) {
    let front_matter = memos.front_matter.each(&sources, front_matter::read_page);
    let mut pages = Vec::with_capacity(sources.len());
    let mut drafts = HashSet::new();
    let fronts = keep_diagnostics(front_matter, said);
    for (source, front) in sources.into_iter().zip(fronts) {
        if front.draft && !config.drafts {
            drafts.insert(source.content_path);
        } else {
            pages.push(Page { source, front });
        }
    }
    let (site, found) = site::build(pages);
    said.extend(found);
    (site, drafts)
}

/// Renders each page's markdown. A page with mistakes in its markdown is rendered as
/// well as it can be, so that the checks still see its headings, links and text.
fn render_markdown(
    site: &Site,
    links: &LinkIndex,
    memos: &Memos,
    said: &mut Vec<Diagnostic>,
) -> Vec<Arc<RenderedPage>> {
    let inputs: Vec<_> = (site.pages.iter())
        .map(|page| markdown::Input { page, links })
        .collect();
    keep_diagnostics(memos.markdown.each(&inputs, markdown::render_page), said)
}

/// Runs the checks of the pages' content: each page's own, and the site's.
fn check_content(
    site: &Site,
    markdown: &[Arc<RenderedPage>],
    drafts: &HashSet<String>,
    config: &Config,
    memos: &Memos,
) -> check::Findings {
    let context = check::CheckContext::new(&config.site.check, config.today);
    let inputs: Vec<_> = (site.pages.iter().zip(markdown))
        .map(|(page, rendered)| check::PageInput {
            context: &context,
            page,
            rendered,
        })
        .collect();
    let mut findings = check::gather(&memos.page_checks.each(&inputs, check::page));
    findings
        .diagnostics
        .extend(check::site(site, markdown, drafts));
    findings
}

/// Minifies every stylesheet, each once.
fn minify_stylesheets(mut static_files: Vec<AssetFile>, memo: &Memo<Arc<[u8]>>) -> Vec<AssetFile> {
    let stylesheets: Vec<&mut AssetFile> = static_files
        .iter_mut()
        .filter(|file| assets::is_stylesheet(file))
        .collect();
    let inputs: Vec<minify::Stylesheet> = stylesheets
        .iter()
        .map(|file| minify::Stylesheet(&file.bytes))
        .collect();
    let minified = memo.each(&inputs, minify::stylesheet);
    drop(inputs);
    for (file, bytes) in stylesheets.into_iter().zip(minified) {
        file.bytes = bytes;
    }
    static_files
}

/// Renders every page through its template and finishes it in `form`, with the
/// alias redirects and the 404 page, adding them to `files`; says whether every page
/// was made.
fn make_pages(
    shape: &SiteShape,
    markdown: &[Arc<RenderedPage>],
    form: Form,
    memos: &Memos,
    (files, said): (&mut Vec<OutputFile>, &mut Vec<Diagnostic>),
) -> bool {
    let (made, found) = render_pages(shape, markdown, form, memos);
    files.extend(made);
    let all_made = !found.iter().any(|d| d.severity == Severity::Error);
    said.extend(found);
    all_made
}

/// Renders every page through its template and finishes it in `form`, with the
/// alias redirects and the 404 page. Errors found making one page are said once for
/// all the pages that have them.
fn render_pages(
    shape: &SiteShape,
    markdown: &[Arc<RenderedPage>],
    form: Form,
    memos: &Memos,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    if let Some(missing) = render::missing_templates(shape.templates) {
        return (Vec::new(), missing);
    }
    let guide_items = match memos.guide_items.get_or(shape, render::guide_items) {
        Ok(items) => items,
        Err(found) => return (Vec::new(), found),
    };
    let part = |part: PartText| memos.shared_parts.get_or(&part, minify::part);
    let shared_items = match &guide_items {
        Some(items) => memos
            .guide_lists
            .get_or(&InForm { input: shape, form }, |_| {
                Arc::new(
                    items
                        .items
                        .iter()
                        .map(|item| finish_part(form, item))
                        .collect(),
                )
            }),
        None => Arc::default(),
    };
    let inputs: Vec<_> = (0..shape.site.pages.len())
        .map(|index| InForm {
            input: render::PageInput {
                shape,
                index,
                markdown: &markdown[index],
                guide_items: guide_items.as_deref(),
            },
            form,
        })
        .collect();
    let pages = memos.pages.each(&inputs, |page| {
        let html = render::page(&page.input)?;
        let list = html.guide_list.map(|items| PartList {
            mark: templates::GUIDE_LIST_MARK,
            parts: (items.into_iter())
                .map(|item| match item {
                    ListItem::Shared(id) => Arc::clone(&shared_items[id]),
                    ListItem::Own(text) => finish_part(form, &text),
                })
                .collect(),
        });
        let finished = form.finish_page(html.html, list.as_ref(), &part);
        Ok(OutputFile::made(
            &page.input.output_path(),
            finished,
            page.memo_key(),
        ))
    });
    let mut files = Vec::with_capacity(pages.len() + 1);
    let mut errors = Vec::new();
    for page in pages {
        match page {
            Ok(file) => files.push(file),
            Err(diagnostic) => errors.push(*diagnostic),
        }
    }
    let mut diagnostics = render::once_each(errors);
    let (standalone, found) = render::standalone_pages(shape);
    diagnostics.extend(found);
    for page in standalone {
        let key = crate::support::cache_key::of([&[form.marker()], page.html.as_bytes()]);
        let finished = form.finish_page(page.html, None, &part);
        files.push(OutputFile::made(&page.path, finished, key));
    }
    (files, diagnostics)
}

/// A part of a page made elsewhere, such as an item of a guide's contents list,
/// finished in `form`.
fn finish_part(form: Form, text: &str) -> Arc<[u8]> {
    Arc::from(form.finish(text.to_owned()))
}

/// The checks of the pages as made: the council's addresses on the site's own
/// address, and the HTML of every page against the site's files, which says only
/// what was not `said` before. Adds the links that leave the site from templates to
/// the findings.
fn check_made_pages(
    files: &[OutputFile],
    (site, (templates, templates_key)): (
        &Site,
        (&[crate::model::page::TemplateFile], blake3::Hash),
    ),
    config: &Config,
    said: &mut Vec<Diagnostic>,
    (findings, memos): (&mut check::Findings, &Memos),
) {
    let base_url = &config.site.base_url;
    if let Some(council_file) = &config.council_file {
        said.extend(check::council_addresses::check(
            council_file,
            base_url,
            files,
        ));
    }
    let site_files = html::SiteFiles::new(files, base_url);
    let scans = memos.html_scans.each(&site_files.pages(), html::scan);
    let targets = html::Targets::new(&site_files, &scans, (site, templates), templates_key);
    let results = memos.html_checks.each(&targets.pages(), html::check_page);
    let (diagnostics, hrefs) = html::report(&results, &targets);
    check::external_links_from_templates(&hrefs, templates, &mut findings.external_links);
    let new = not_said_before(diagnostics, said);
    said.extend(new);
}

/// What the HTML check found that was not said before. A broken link in the
/// markdown has been reported at its own line already, and a link the HTML check
/// cannot place in a file with an error is most likely that error's.
fn not_said_before(found: Vec<Diagnostic>, said: &[Diagnostic]) -> Vec<Diagnostic> {
    let said: HashSet<(&PathBuf, Option<usize>)> = said
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .flat_map(|d| [(&d.path, d.position.map(|p| p.line)), (&d.path, None)])
        .collect();
    found
        .into_iter()
        .filter(|d| !said.contains(&(&d.path, d.position.map(|p| p.line))))
        .collect()
}

/// The values of a stage that says what it found beside each, with what it found
/// added to `said`.
fn keep_diagnostics<T>(results: Vec<(T, Vec<Diagnostic>)>, said: &mut Vec<Diagnostic>) -> Vec<T> {
    results
        .into_iter()
        .map(|(value, found)| {
            said.extend(found);
            value
        })
        .collect()
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
