//! The pipeline: the one place that knows the order of the stages.
//!
//! ```text
//! load -> front_matter -> markdown -> templates -> check -> minify -> output
//! ```
//!
//! A build minifies each page as soon as its template has made it, so that only one
//! copy of each page is held, and the HTML check reads the pages as they will be
//! written; `check` and [`render`] keep pages readable.
//!
//! Every stage reports all it finds; the pipeline collects every diagnostic and
//! decides only at the end whether the build failed, so an editor sees every problem
//! in one run. A [`Cache`] carried from one build to the next lets a rebuild skip
//! the work whose inputs did not change; a build without one does everything. Uses
//! the stages.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::build_record::BuildRecord;
use crate::cache_key::KeyMap;
use crate::config::{Config, ConfigError};
use crate::error::{Diagnostic, Errors, Severity, StageError};
use crate::markdown::LinkIndex;
use crate::page::{OutputFile, Page, RenderedPage, SharedParts};
use crate::shared_parts::{self, PartList};
use crate::site::Site;
use crate::templates::{self, Templates};
use crate::{
    assets, brand, build_record, cache_key, check, domains, front_matter, load, markdown, minify,
    output, paths, sitemap,
};

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

/// What `tellyou check` found: every diagnostic, and each page's readability
/// figures and the links that leave the site.
#[derive(Debug)]
pub struct CheckReport {
    /// Errors and warnings, sorted file by file.
    pub diagnostics: Vec<Diagnostic>,
    pub pages: usize,
    pub readability: Vec<check::PageReadability>,
    pub external_links: Vec<check::ExternalLink>,
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

/// What one build keeps for the next, so that a rebuild redoes only what changed.
/// Every entry is found by a hash of all that went into it, so a stale entry is never
/// used: it is simply not found. Each build keeps only the entries it used.
#[derive(Default)]
pub struct Cache {
    /// Set for a build that has no next one: it keeps no pages' HTML, so that each
    /// page is held once, as it is minified.
    single_build: bool,
    /// The files read from disk.
    files: load::LoadCache,
    /// Each page's front matter, by a hash of its path and text.
    front_matter: KeyMap<Arc<crate::page::FrontMatter>>,
    /// Each page's rendered markdown, by a hash of the site's addresses, the page's
    /// path and its text.
    markdown: KeyMap<Arc<RenderedPage>>,
    /// What the checks of each page's own content found.
    page_checks: check::PageCache,
    /// The compiled templates, by a hash of their text and the assets' names.
    templates: Option<(blake3::Hash, Arc<Templates>)>,
    /// A page's file, made by its template, by the hash of the site's shape, the
    /// template's name and the page's path and text.
    page_html: KeyMap<OutputFile>,
    /// Every guide's contents list items, by the hash of the site's shape.
    guide_items: GuideCache,
    /// The shared parts of pages, minified, by the hash of their text.
    shared_parts: KeyMap<Arc<[u8]>>,
    /// Minified stylesheets by the hash of the stylesheet before minifying.
    stylesheets: KeyMap<Arc<[u8]>>,
    /// What the HTML check read in each page.
    html_scans: check::html::ScanCache,
}

impl Cache {
    /// A cache for one build with no rebuild after it.
    pub fn for_single_build() -> Cache {
        Cache {
            single_build: true,
            ..Cache::default()
        }
    }

    /// Tells the next build which files and folders changed since the last one, as
    /// a watcher saw them, so that it need not look at the others; `None` says that
    /// anything may have changed. Files reached through symbolic links, which a
    /// watcher may not see, are looked at anyway.
    pub fn note_changes(&mut self, paths: Option<Vec<PathBuf>>) {
        self.files.note_changes(paths);
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
    let mut cache = Cache::for_single_build();
    let (loaded, loading) = load::load(config, &mut cache.files);
    let inputs = build_record::inputs_key(config, &loaded, &loading)
        .to_hex()
        .to_string();
    let previous = output::recorded_build(&config.out_dir, |text| {
        BuildRecord::from_text(text).filter(|record| record.inputs == inputs)
    });
    if let Some(record) = previous {
        output::remove_killed_builds(&config.out_dir);
        return Ok(BuildReport {
            pages: record.pages,
            files: record.files,
            out_dir: config.out_dir.clone(),
            warnings: record.warnings,
            unchanged: true,
        });
    }
    let site = build_loaded(config, (loaded, loading), &mut cache)?;
    // Nothing in the cache is needed to write the site: free it meanwhile.
    rayon::spawn(move || drop(cache));
    let record = BuildRecord {
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
    let out = options
        .out_dir
        .clone()
        .unwrap_or_else(|| options.root.join("public"));
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
/// would write, for the preview server to serve. It reuses what `cache` holds from
/// earlier builds of the same project and leaves in it what this build made.
pub fn build_in_memory(config: &Config, cache: &mut Cache) -> Result<RenderedSite, Errors> {
    let loading = load::load(config, &mut cache.files);
    build_loaded(config, loading, cache)
}

/// Reads the project's settings and builds its site in memory, as
/// [`build_in_memory`] does, for the preview. A mistake in the settings fails the
/// build, but the pages are still built and checked, with that setting left at its
/// default, so that every problem is reported in one go.
pub fn build_project_in_memory(
    options: &crate::config::BuildOptions,
    cache: &mut Cache,
) -> Result<RenderedSite, Errors> {
    let (config, mistakes) = crate::config::load_despite_mistakes(options).map_err(fail)?;
    let built = build_in_memory(&config, cache);
    if !mistakes.iter().any(|d| d.severity == Severity::Error) {
        return built;
    }
    let found = match built {
        Ok(site) => site.warnings,
        Err(errors) => errors.diagnostics,
    };
    Err(fail(sorted(mistakes.into_iter().chain(found).collect())))
}

/// Builds the finished site in memory from what was loaded, and what loading found.
fn build_loaded(
    config: &Config,
    loading: (load::Loaded, Vec<Diagnostic>),
    cache: &mut Cache,
) -> Result<RenderedSite, Errors> {
    let (rendered, diagnostics) = render_loaded(config, loading, Html::Minified, cache);
    finish(diagnostics, |warnings| RenderedSite {
        files: rendered.files,
        pages: rendered.pages,
        warnings,
    })
}

/// How pages leave their templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Html {
    /// As the templates wrote them, for snapshots and `check`.
    Readable,
    /// Minified as soon as each is made, as a build writes them, so that only one
    /// copy of each page is ever held; the HTML check then reads what is written.
    Minified,
}

impl Html {
    /// Finishes HTML that is not a whole page, leaving any shared parts in place.
    fn finish(self, html: String) -> Vec<u8> {
        let html = shared_parts::unmark(html);
        match self {
            Html::Readable => html.into_bytes(),
            Html::Minified => minify::html(html.as_bytes()),
        }
    }

    /// Finishes a page: its own bytes, and its shared parts, each finished once for
    /// all the pages that have it, in `parts`, with `list` where its mark is.
    /// Readable pages keep their marked parts in place.
    fn finish_page(
        self,
        html: String,
        parts: &PartStore,
        list: Option<&PartList>,
    ) -> (Vec<u8>, SharedParts) {
        if self == Html::Minified
            && let Some(cut) = shared_parts::cut(&html)
        {
            let rest = minify::html(cut.rest.as_bytes());
            let finished = cut.parts.iter().map(|part| parts.get(part)).collect();
            if let Some(put_back) = shared_parts::put_back(&rest, finished, list) {
                return put_back;
            }
        }
        let whole = self.finish(html);
        match shared_parts::put_back(&whole, Vec::new(), list) {
            Some(put_back) => put_back,
            None => (whole, SharedParts::default()),
        }
    }

    fn marker(self) -> u8 {
        u8::from(self == Html::Minified)
    }
}

/// Every distinct shared part of the pages (see [`shared_parts`]), minified once, by
/// a hash of its text as rendered. Parts made for an earlier build are used again.
#[derive(Default)]
struct PartStore {
    earlier: KeyMap<Arc<[u8]>>,
    made: std::sync::Mutex<KeyMap<Arc<[u8]>>>,
}

impl PartStore {
    fn new(earlier: KeyMap<Arc<[u8]>>) -> PartStore {
        PartStore {
            earlier,
            made: Default::default(),
        }
    }

    /// The part with the text `part`, minified. Every page with the part gets the
    /// same `Arc`, which is how the HTML check knows it has read it already.
    fn get(&self, part: &str) -> Arc<[u8]> {
        let key = blake3::hash(part.as_bytes());
        if let Some(found) = self.lock().get(&key) {
            return Arc::clone(found);
        }
        let finished = match self.earlier.get(&key) {
            Some(earlier) => Arc::clone(earlier),
            None => Arc::from(minify::html(part.as_bytes())),
        };
        Arc::clone(self.lock().entry(key).or_insert(finished))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, KeyMap<Arc<[u8]>>> {
        self.made
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The parts this build made or used again, to be used again by the next.
    fn into_made(self) -> KeyMap<Arc<[u8]>> {
        self.made
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Minifies every stylesheet, taking the result from `cache` when the same
/// stylesheet was minified before.
fn minify_stylesheets(assets: &mut [crate::page::AssetFile], cache: &mut KeyMap<Arc<[u8]>>) {
    minify_cached(assets, cache, minify::css, |asset| {
        let key = blake3::hash(&asset.bytes);
        asset
            .site_path
            .ends_with(".css")
            .then_some((key, &mut asset.bytes))
    });
}

/// Replaces the bytes that `part` picks out of each item, under their key, with
/// their minified form, from `cache` if it holds that key. Afterwards the cache
/// holds only what this call used.
fn minify_cached<T: Send>(
    items: &mut [T],
    cache: &mut KeyMap<Arc<[u8]>>,
    minify: fn(&[u8]) -> Vec<u8>,
    part: impl Fn(&mut T) -> Option<(blake3::Hash, &mut Arc<[u8]>)> + Sync,
) {
    let results: Vec<Option<(blake3::Hash, Arc<[u8]>)>> = items
        .par_iter_mut()
        .map(|item| {
            let (key, bytes) = part(item)?;
            *bytes = match cache.get(&key) {
                Some(minified) => Arc::clone(minified),
                None => Arc::from(minify(bytes)),
            };
            Some((key, Arc::clone(bytes)))
        })
        .collect();
    *cache = results.into_iter().flatten().collect();
}

/// Renders the whole site in memory.
pub fn render(config: &Config) -> Result<RenderedSite, Errors> {
    let (mut rendered, diagnostics) = render_and_check(config, &mut Cache::default());
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
    let mut report = match crate::config::load_despite_mistakes(options) {
        Ok((config, mistakes)) => {
            let mut report = check(&config);
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
    report.diagnostics = sorted(report.diagnostics);
    report
}

/// Runs every check, as a build does, and writes nothing.
pub fn check(config: &Config) -> CheckReport {
    let (mut rendered, diagnostics) = render_and_check(config, &mut Cache::default());
    rendered
        .findings
        .readability
        .sort_by(|a, b| a.path.cmp(&b.path));
    rendered.findings.external_links.sort();
    rendered.findings.external_links.dedup();
    CheckReport {
        diagnostics: sorted(diagnostics),
        pages: rendered.pages,
        readability: rendered.findings.readability,
        external_links: rendered.findings.external_links,
    }
}

/// One page's markdown rendered, and what was wrong with it.
type Rendering = (Arc<RenderedPage>, Vec<Diagnostic>);

/// Everything rendering made, whatever was wrong.
struct Rendered {
    files: Vec<OutputFile>,
    pages: usize,
    findings: check::Findings,
}

fn render_and_check(config: &Config, cache: &mut Cache) -> (Rendered, Vec<Diagnostic>) {
    let loading = load::load(config, &mut cache.files);
    render_loaded(config, loading, Html::Readable, cache)
}

fn render_loaded(
    config: &Config,
    (loaded, found): (load::Loaded, Vec<Diagnostic>),
    html: Html,
    cache: &mut Cache,
) -> (Rendered, Vec<Diagnostic>) {
    let mut diagnostics = found;
    diagnostics.extend(config.council_warnings());

    let mut static_assets = loaded.assets;
    let brand = &config.site.brand;
    if let Some(colour) = brand.colour {
        if let Some(style) = static_assets
            .iter_mut()
            .find(|a| a.site_path == THEME_STYLESHEET)
        {
            let mut bytes = style.bytes.to_vec();
            bytes.extend_from_slice(brand::stylesheet(colour).as_bytes());
            style.bytes = Arc::from(bytes);
        }
    }
    minify_stylesheets(&mut static_assets, &mut cache.stylesheets);
    let (asset_map, mut files) = assets::fingerprint(&static_assets);
    // Every page shows the logo, so without it there is no point rendering pages.
    let mut logo_found = true;
    if let (Some(logo), Some(position)) = (&brand.logo, brand.logo_position) {
        if asset_map.output_path(logo).is_none() {
            let error = ConfigError::LogoNotFound {
                path: logo.clone(),
                position,
                council_static: config
                    .council_file
                    .as_ref()
                    .map(|file| format!("councils/{}/static/", file.slug)),
            };
            let (file, text) = config.brand_file();
            diagnostics.push(error.to_diagnostic(file, Some(text)));
            logo_found = false;
        }
    }

    // A page with mistakes in its front matter stays in the site, with what could be
    // read, so that links to it are not reported as broken too.
    let parsed: Vec<(blake3::Hash, Page, Vec<Diagnostic>)> = loaded
        .pages
        .into_par_iter()
        .map(|source| {
            let key = cache_key::of([source.content_path.as_bytes(), source.hash.as_bytes()]);
            if let Some(front) = cache.front_matter.get(&key) {
                let front = Arc::clone(front);
                return (key, Page { source, front }, Vec::new());
            }
            let (front, errors) = front_matter::read(&source);
            let found = front_matter::diagnostics(&source, &errors);
            let front = Arc::new(front);
            (key, Page { source, front }, found)
        })
        .collect();
    cache.front_matter.clear();
    let mut pages = Vec::with_capacity(parsed.len());
    let mut drafts = HashSet::new();
    for (key, page, found) in parsed {
        if !cache.single_build && found.is_empty() {
            cache.front_matter.insert(key, Arc::clone(&page.front));
        }
        diagnostics.extend(found);
        if page.front.draft && !config.drafts {
            drafts.insert(page.source.content_path);
        } else {
            pages.push(page);
        }
    }

    let (site, found) = Site::build(pages);
    diagnostics.extend(found);

    let page_urls: HashMap<&str, &str> = site
        .pages
        .iter()
        .map(|p| (p.source.content_path.as_str(), p.source.url_path.as_str()))
        .collect();
    let pages_by_url: HashMap<&str, &str> = page_urls.iter().map(|(c, u)| (*u, *c)).collect();
    let site_address = domains::SiteAddress::new(&config.site.base_url.url);
    let link_index = LinkIndex {
        page_urls: &page_urls,
        pages_by_url: &pages_by_url,
        assets: &asset_map,
        site: site_address.as_ref(),
    };
    let assets_key = assets_key(&asset_map);
    let addresses = link_shape(&site, &assets_key, &config.site.base_url.url);
    // A page with mistakes in its markdown is rendered as well as it can be, so that
    // the checks still see its headings, links and text.
    let rendered: Vec<(blake3::Hash, Rendering)> = site
        .pages
        .par_iter()
        .map(|page| {
            let key = cache_key::of([
                addresses.as_bytes(),
                page.source.content_path.as_bytes(),
                page.source.hash.as_bytes(),
            ]);
            let result = match cache.markdown.get(&key) {
                Some(rendered) => (Arc::clone(rendered), Vec::new()),
                None => {
                    let (rendered, errors) = markdown::render_despite_mistakes(page, link_index);
                    (Arc::new(rendered), markdown::diagnostics(page, &errors))
                }
            };
            (key, result)
        })
        .collect();
    cache.markdown.clear();
    let rendered: Vec<Arc<RenderedPage>> = rendered
        .into_iter()
        .map(|(key, (page, found))| {
            if !cache.single_build && found.is_empty() {
                cache.markdown.insert(key, Arc::clone(&page));
            }
            diagnostics.extend(found);
            page
        })
        .collect();

    let mut findings = check::run(
        &site,
        &rendered,
        &drafts,
        &config.site.check,
        config.today,
        &mut cache.page_checks,
    );
    diagnostics.append(&mut findings.diagnostics);

    let templates_key = templates_key(&loaded.templates, &assets_key);
    // Whether every page was made: the checks of the pages as made need them all,
    // or they would report each page that is not there.
    let mut all_pages_made = false;
    match compile_templates(
        &loaded.templates,
        &asset_map,
        templates_key,
        &mut cache.templates,
    ) {
        // Every page shows the logo and links to the home page: without either, the
        // pages would repeat that one mistake on every page.
        Ok(_) if !logo_found || !site.by_url.contains_key("") => {}
        Ok(templates) => {
            let shape = site_shape(config, &site, &templates_key);
            let parts = PartStore::new(std::mem::take(&mut cache.shared_parts));
            let (html_files, found) = render_pages(
                config,
                &site,
                &rendered,
                &templates,
                html,
                (&shape, &mut cache.page_html, &mut cache.guide_items),
                &parts,
            );
            cache.shared_parts = parts.into_made();
            if cache.single_build {
                cache.page_html.clear();
                cache.shared_parts.clear();
            }
            all_pages_made = !found.iter().any(|d| d.severity == Severity::Error);
            files.extend(html_files);
            diagnostics.extend(found);
        }
        Err(found) => diagnostics.extend(found),
    }
    // Each page's markdown is in its HTML now; a single build need not hold it.
    rendered.into_par_iter().for_each(drop);
    if cache.single_build {
        cache.guide_items = None;
    }

    files.push(text_file(
        "sitemap.xml",
        sitemap::sitemap(&config.site.base_url, &site.pages),
    ));
    files.push(text_file(
        "robots.txt",
        sitemap::robots(&config.site.base_url),
    ));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    diagnostics.extend(clashing_paths(&files, &site));
    if let Some(council_file) = config.council_file.as_ref().filter(|_| all_pages_made) {
        let base_url = &config.site.base_url;
        diagnostics.extend(check::council_addresses::check(
            council_file,
            base_url,
            &files,
        ));
    }
    // A broken link in the markdown has been reported at its own line already, and
    // a link the HTML check cannot place in a file with an error is most likely
    // that error's: the HTML check says only what was not said before.
    if all_pages_made {
        let said: HashSet<(PathBuf, Option<usize>)> = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .flat_map(|d| {
                let line = d.position.map(|p| p.line);
                [(d.path.clone(), line), (d.path.clone(), None)]
            })
            .collect();
        let found = check::rendered_html(
            &files,
            &site,
            &loaded.templates,
            (&config.site.base_url, &templates_key),
            &mut findings.external_links,
            &mut cache.html_scans,
        );
        diagnostics.extend(
            found
                .into_iter()
                .filter(|d| !said.contains(&(d.path.clone(), d.position.map(|p| p.line)))),
        );
    }

    let rendered = Rendered {
        files,
        pages: site.pages.len(),
        findings,
    };
    (rendered, diagnostics)
}

/// The theme's stylesheet, which the brand colour is added to.
const THEME_STYLESHEET: &str = "style.css";

/// The templates every site needs, from the theme or the project.
const REQUIRED_TEMPLATES: [&str; 5] = [
    "index.html",
    "section.html",
    "page.html",
    "404.html",
    "alias.html",
];

/// A key for every asset's name and output path.
fn assets_key(assets: &assets::AssetMap) -> blake3::Hash {
    let mut key = cache_key::Key::new();
    for (name, output) in assets.entries() {
        key.field(name).field(output);
    }
    key.finish()
}

/// A key for the templates' names, places and text, and the assets they can name.
fn templates_key(files: &[crate::page::TemplateFile], assets_key: &blake3::Hash) -> blake3::Hash {
    let mut key = cache_key::Key::new();
    key.field(assets_key.as_bytes());
    for file in files {
        key.field(&file.name)
            .field(file.display_path.to_string_lossy().as_bytes())
            .field(&file.text);
    }
    key.finish()
}

/// Compiles the templates, or takes them from `cache` if `key` is the same as when
/// they were last compiled.
fn compile_templates(
    files: &[crate::page::TemplateFile],
    assets: &assets::AssetMap,
    key: blake3::Hash,
    cache: &mut Option<(blake3::Hash, Arc<Templates>)>,
) -> Result<Arc<Templates>, Vec<Diagnostic>> {
    if let Some((cached, templates)) = cache.as_ref() {
        if *cached == key {
            return Ok(Arc::clone(templates));
        }
    }
    let templates = Arc::new(Templates::compile(files, assets)?);
    *cache = Some((key, Arc::clone(&templates)));
    Ok(templates)
}

/// A key for every page's address, every asset's name and the site's own address:
/// all that rendering a page's markdown needs to know about the rest of the site.
fn link_shape(site: &Site, assets_key: &blake3::Hash, site_url: &str) -> blake3::Hash {
    let mut key = cache_key::Key::new();
    key.field(assets_key.as_bytes()).field(site_url);
    // The site's pages are in a fixed order: by address.
    for page in &site.pages {
        key.field(&page.source.content_path)
            .field(&page.source.url_path);
    }
    key.finish()
}

/// A key for everything a page's template output can depend on besides its own
/// text: the settings, the templates and assets, and every page's address and front
/// matter (titles, descriptions and order make the navigation).
fn site_shape(config: &Config, site: &Site, templates_key: &blake3::Hash) -> blake3::Hash {
    let mut key = cache_key::Key::new();
    let [site_yaml, council_file] = config.settings_text();
    key.field(site_yaml)
        .field(council_file)
        .field(&config.site.base_url.url)
        .field([u8::from(config.drafts)])
        .field(templates_key.as_bytes());
    for page in &site.pages {
        key.field(&page.source.content_path)
            .field(&page.source.url_path)
            .field(&page.source.text.as_bytes()[..page.front.body_start]);
    }
    key.finish()
}

/// Renders every page, alias and the 404 page through the templates. A page whose
/// path, text and site shape are as in an earlier build takes its HTML from `cache`.
/// Each distinct shared part of the pages is finished once, in `parts`.
fn render_pages(
    config: &Config,
    site: &Site,
    rendered: &[Arc<RenderedPage>],
    templates: &Templates,
    html: Html,
    (shape, cache, guide_cache): (&blake3::Hash, &mut KeyMap<OutputFile>, &mut GuideCache),
    parts: &PartStore,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    // With no templates at all, the theme is missing and loading has said so.
    if templates.is_empty() {
        return (Vec::new(), diagnostics);
    }
    for name in REQUIRED_TEMPLATES {
        if !templates.has(name) {
            let error = templates.missing(name);
            let path = Path::new("templates").join(name);
            diagnostics.push(error.to_diagnostic(&path, None));
        }
    }
    if !diagnostics.is_empty() {
        return (Vec::new(), diagnostics);
    }
    let guide_items = if templates.has_guide_item() {
        let key = cache_key::of([shape.as_bytes(), &[html.marker()]]);
        match guide_cache.as_ref().filter(|(cached, _)| *cached == key) {
            Some((_, items)) => Some(Arc::clone(items)),
            None => match GuideItems::render(site, templates, html) {
                Ok(items) => {
                    let items = Arc::new(items);
                    *guide_cache = Some((key, Arc::clone(&items)));
                    Some(items)
                }
                Err(found) => return (Vec::new(), found),
            },
        }
    } else {
        None
    };

    let results: Vec<Result<(blake3::Hash, OutputFile), Box<Diagnostic>>> = (0..site.pages.len())
        .into_par_iter()
        .map(|index| {
            let page = &site.pages[index];
            let name = page
                .front
                .template
                .as_deref()
                .unwrap_or_else(|| templates::default_template(site, index));
            let key = cache_key::of([
                shape.as_bytes(),
                &[html.marker()],
                name.as_bytes(),
                page.source.content_path.as_bytes(),
                page.source.hash.as_bytes(),
            ]);
            let path = format!("{}index.html", page.source.url_path);
            if let Some(file) = cache.get(&key) {
                return Ok((key, file.clone()));
            }
            if !templates.has(name) {
                let position = page.front.key_positions.get("template").copied();
                let diagnostic = templates
                    .missing(name)
                    .to_diagnostic(&page.source.display_path, None);
                return Err(Box::new(match position {
                    Some(position) => diagnostic.at(&page.source.text, position),
                    None => diagnostic,
                }));
            }
            let context = templates::page_context(
                &config.site,
                site,
                &rendered[index],
                index,
                guide_items.is_some(),
            );
            let shown = page.source.display_path.to_string_lossy();
            let guide_list = match &guide_items {
                Some(items) => Some(PartList {
                    mark: templates::GUIDE_LIST_MARK,
                    parts: items.list_for(site, templates, html, index)?,
                }),
                None => None,
            };
            let rendered = templates.render(name, &context, &shown)?;
            let finished = html.finish_page(rendered, parts, guide_list.as_ref());
            Ok((key, made_file(&path, finished, key)))
        })
        .collect();

    let mut files = Vec::with_capacity(results.len() + 1);
    let mut seen_errors = HashSet::new();
    let mut used = KeyMap::with_capacity_and_hasher(results.len(), Default::default());
    for result in results {
        match result {
            Ok((key, file)) => {
                used.insert(key, file.clone());
                files.push(file);
            }
            // One mistake in a template shows up on every page; say it once.
            Err(diagnostic) => {
                if seen_errors.insert((
                    diagnostic.path.clone(),
                    diagnostic.position,
                    template_message(&diagnostic),
                )) {
                    diagnostics.push(*diagnostic);
                }
            }
        }
    }

    *cache = used;
    let not_found = templates::standalone_context(&config.site, site, "Page not found", None);
    match templates.render("404.html", &not_found, "the 404 page") {
        Ok(text) => files.push(page_file("404.html", text, html, parts)),
        Err(diagnostic) => diagnostics.push(*diagnostic),
    }
    for page in &site.pages {
        // An alias that is another page's address has been reported already.
        let free = |alias: &&String| {
            let url = format!("{}/", alias.trim_matches('/'));
            !site.by_url.contains_key(&url) && !site.by_url.contains_key(alias.trim_matches('/'))
        };
        for alias in page.front.aliases.iter().filter(free) {
            let context = templates::standalone_context(
                &config.site,
                site,
                &page.front.title,
                Some(&page.source.url_path),
            );
            let path = alias_file(alias);
            match templates.render(
                "alias.html",
                &context,
                &page.source.display_path.to_string_lossy(),
            ) {
                Ok(text) => files.push(page_file(&path, text, html, parts)),
                Err(diagnostic) => diagnostics.push(*diagnostic),
            }
        }
    }
    (files, diagnostics)
}

/// The items of every guide's contents list, and the key they were made for.
type GuideCache = Option<(blake3::Hash, Arc<GuideItems>)>;

/// The items of one guide's contents list, for pages with one root, or the first
/// mistake in making them.
type GuideList = Result<((usize, String), Vec<Arc<[u8]>>), Box<Diagnostic>>;

/// The items of every guide's contents list, each rendered once by the theme's
/// `guide_item` macro (and minified, for a build) for each root the guide's pages
/// have, and shared by all the pages that list it. A page's own item, marked as
/// current, is rendered for that page.
pub struct GuideItems {
    /// By guide (its section page) and root: an item for each page of the guide, in
    /// the guide's order.
    items: HashMap<(usize, String), Vec<Arc<[u8]>>>,
}

impl GuideItems {
    fn render(
        site: &Site,
        templates: &Templates,
        html: Html,
    ) -> Result<GuideItems, Vec<Diagnostic>> {
        let lists: std::collections::BTreeSet<(usize, String)> = (0..site.pages.len())
            .filter_map(|index| {
                let section = site.guide_section(index)?;
                Some((
                    section,
                    paths::root_prefix(&site.pages[index].source.url_path),
                ))
            })
            .collect();
        let rendered: Vec<GuideList> = lists
            .into_par_iter()
            .map(|(section, root)| {
                let (_, sequence) = site.guide(section).unwrap_or_default();
                let items = sequence
                    .iter()
                    .map(|&page| {
                        templates
                            .render_guide_item(site, page, false, &root)
                            .map(|item| Arc::from(html.finish(item)))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(((section, root), items))
            })
            .collect();
        let mut items = HashMap::new();
        let mut diagnostics = Vec::new();
        for result in rendered {
            match result {
                Ok((key, list)) => {
                    items.insert(key, list);
                }
                Err(diagnostic) if !diagnostics.contains(&*diagnostic) => {
                    diagnostics.push(*diagnostic)
                }
                Err(_) => {}
            }
        }
        if diagnostics.is_empty() {
            Ok(GuideItems { items })
        } else {
            Err(diagnostics)
        }
    }

    /// The contents list of page `index`: the items of the pages of its guide that it
    /// lists (see [`templates::guide_window`]), its own marked as current.
    fn list_for(
        &self,
        site: &Site,
        templates: &Templates,
        html: Html,
        index: usize,
    ) -> Result<Vec<Arc<[u8]>>, Box<Diagnostic>> {
        let Some((section, sequence)) = site.guide(index) else {
            return Ok(Vec::new());
        };
        let root = paths::root_prefix(&site.pages[index].source.url_path);
        let Some(items) = self.items.get(&(section, root.clone())) else {
            return Ok(Vec::new());
        };
        let mut list = Vec::new();
        for position in templates::guide_window(index, section, &sequence) {
            if sequence[position] == index {
                let current = templates.render_guide_item(site, index, true, &root)?;
                list.push(Arc::from(html.finish(current)));
            } else {
                list.push(Arc::clone(&items[position]));
            }
        }
        Ok(list)
    }
}

/// A render error's message without the page it happened on, to spot repeats.
fn template_message(diagnostic: &Diagnostic) -> String {
    match diagnostic.message.split_once(": ") {
        Some((_, rest)) => rest.to_owned(),
        None => diagnostic.message.clone(),
    }
}

/// The file that redirects from `alias` to its page.
fn alias_file(alias: &str) -> String {
    let folder = alias.trim_matches('/');
    if folder.is_empty() {
        "index.html".to_owned()
    } else {
        format!("{folder}/index.html")
    }
}

/// Two files that would be written to the same path, also where the paths differ
/// only in case: on Windows and macOS one would overwrite the other. A clash with an
/// alias is reported at the aliases of the page that has it.
fn clashing_paths(files: &[OutputFile], site: &Site) -> Vec<Diagnostic> {
    let hint =
        "an alias or a file in static/ has the same address as a page or another file: rename one";
    let mut diagnostics: Vec<Diagnostic> = files
        .windows(2)
        .filter(|pair| pair[0].path == pair[1].path)
        .map(|pair| {
            Diagnostic::error(
                "content",
                format!("two files would be written to {}", pair[0].path),
            )
            .with_hint(hint)
        })
        .collect();
    // Most paths are lowercase already; only the others need a lowercase copy.
    let mut by_lowercase: HashMap<std::borrow::Cow<str>, &str> = HashMap::new();
    let mut clashes = Vec::new();
    for file in files {
        let path = file.path.as_str();
        let lowercase = if path.chars().any(char::is_uppercase) {
            std::borrow::Cow::Owned(path.to_lowercase())
        } else {
            std::borrow::Cow::Borrowed(path)
        };
        match by_lowercase.get(&lowercase) {
            Some(&first) if first != path => clashes.push([first, path]),
            Some(_) => {}
            None => {
                by_lowercase.insert(lowercase, path);
            }
        }
    }
    if clashes.is_empty() {
        return diagnostics;
    }
    clashes.sort_unstable();
    let alias_owners: HashMap<String, &crate::page::Page> = site
        .pages
        .iter()
        .flat_map(|page| {
            page.front
                .aliases
                .iter()
                .map(move |alias| (alias_file(alias), page))
        })
        .collect();
    for [first, second] in clashes {
        let message = format!(
            "{first} and {second} differ only in capital letters, so one would overwrite the other on Windows and macOS"
        );
        let hint = "use lowercase letters in addresses, aliases and file names";
        let owner = alias_owners.get(second).or_else(|| alias_owners.get(first));
        diagnostics.push(match owner {
            Some(page) => {
                let diagnostic =
                    Diagnostic::error(&page.source.display_path, message).with_hint(hint);
                match page.front.key_positions.get("aliases") {
                    Some(&position) => diagnostic.at(&page.source.text, position),
                    None => diagnostic,
                }
            }
            None => Diagnostic::error("content", message).with_hint(hint),
        });
    }
    diagnostics
}

/// A file, found again by a hash of its bytes.
fn text_file(path: &str, bytes: impl Into<Vec<u8>>) -> OutputFile {
    let bytes = bytes.into();
    let key = blake3::hash(&bytes);
    made_file(path, (bytes, SharedParts::default()), key)
}

/// A file, found again by `key`: a hash of all that made it.
fn made_file(path: &str, (bytes, shared): (Vec<u8>, SharedParts), key: blake3::Hash) -> OutputFile {
    OutputFile {
        path: path.to_owned(),
        bytes: Arc::from(bytes),
        key,
        shared: (!shared.parts.is_empty()).then(|| Arc::new(shared)),
    }
}

/// A page that is not made from content, such as the 404 page, found again by the
/// text its template made.
fn page_file(path: &str, text: String, html: Html, parts: &PartStore) -> OutputFile {
    let key = cache_key::of([&[html.marker()], text.as_bytes()]);
    made_file(path, html.finish_page(text, parts, None), key)
}

fn fail(diagnostics: Vec<Diagnostic>) -> Errors {
    Errors { diagnostics }
}

/// The diagnostics in the order they are shown, errors first, each said once.
fn sorted(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort_by_key(Diagnostic::sort_key);
    diagnostics.dedup();
    diagnostics
}

/// Sorts the diagnostics and fails if any is an error.
fn finish<T>(
    diagnostics: Vec<Diagnostic>,
    success: impl FnOnce(Vec<Diagnostic>) -> T,
) -> Result<T, Errors> {
    let diagnostics = sorted(diagnostics);
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        Err(Errors { diagnostics })
    } else {
        Ok(success(diagnostics))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_with_the_same_shared_part_hold_one_copy_of_it_minified() {
        let page = |main: &str| {
            format!(
                "<body>\n{}\n<main>{main}</main>\n</body>",
                shared_parts::mark(
                    "<header class=\"header\">\n  <a href=\"../\">Home</a>\n</header>"
                )
            )
        };
        let parts = PartStore::default();
        let (own_one, shared_one) = Html::Minified.finish_page(page("One"), &parts, None);
        let (own_two, shared_two) = Html::Minified.finish_page(page("Two"), &parts, None);
        assert_eq!(own_one, b"<body><main>One</main></body>");
        assert_eq!(own_two, b"<body><main>Two</main></body>");
        let [(at_one, part_one)] = &shared_one.parts[..] else {
            panic!("one part: {shared_one:?}");
        };
        let [(at_two, part_two)] = &shared_two.parts[..] else {
            panic!("one part: {shared_two:?}");
        };
        assert_eq!((*at_one, *at_two), ("<body>".len(), "<body>".len()));
        assert!(Arc::ptr_eq(part_one, part_two));
        assert_eq!(
            &part_one[..],
            b"<header class=header><a href=../>Home</a></header>"
        );
        assert_eq!(parts.into_made().len(), 1);

        let (readable, shared) =
            Html::Readable.finish_page(page("One"), &PartStore::default(), None);
        assert!(shared.parts.is_empty());
        assert_eq!(
            String::from_utf8(readable).unwrap(),
            "<body>\n<header class=\"header\">\n  <a href=\"../\">Home</a>\n</header>\n<main>One</main>\n</body>"
        );
    }
}
