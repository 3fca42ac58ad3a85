//! How the pipeline runs each stage through its memo, for [`make_site`](super):
//! the inputs each stage is given, the files loading reads, and how what each stage
//! says is gathered. Uses the stages `load`, `assets`, `front_matter`, `site`,
//! `markdown`, `templates`, `minify` and `search_index`, and `check`, `config`, `page`,
//! `shared_parts`, `file_cache`, `messages`, `memo` and `error`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::check::{self, html};
use crate::config::Config;
use crate::memo::{self, Memo, MemoKey};
use crate::model::page::{
    AsMade, AssetFile, BodyInFile, OutputFile, Page, RenderedPage, SourceFile,
};
use crate::model::site::Site;
use crate::stages::load::{self, Loaded};
use crate::stages::markdown::{self, LinkIndex};
use crate::stages::minify::{self, Form, InForm, MadeContent, PartText};
use crate::stages::templates;
use crate::stages::templates::render::{self, ListItem, SiteShape};
use crate::stages::{assets, front_matter, search_index, site};
use crate::support::error::{Diagnostic, Severity};
use crate::support::file_cache::ReadBefore;
use crate::support::messages::Catalogue;
use crate::support::shared_parts::{Part, PartList, PartRun, Shared, SharedRun};

use super::Memos;

/// Loads the project: finds its files, reads those that changed since the memos'
/// files were last read, and puts them together. Text files that earlier runs read
/// unchanged are found in the cache, which keeps what this run reads.
pub(super) fn load_project(config: &Config, memos: &mut Memos) -> (Loaded, Vec<Diagnostic>) {
    let (to_load, mut found) = load::find(config);
    let files = &mut memos.files;
    let changes = files.noted.take().unwrap_or_default();
    let texts = to_load.texts();
    // Each text found before is held as used: room for them all is made at once.
    memos.source_texts.make_room(texts.len());
    let texts_before =
        (memos.source_texts.keeps()).then_some(&memos.source_texts as &dyn ReadBefore<load::Text>);
    let read = load::Read {
        assets: (files.bytes).read_all(&to_load.assets(), (&changes, None), load::as_bytes),
        texts: (files.texts).read_all(&texts, (&changes, texts_before), load::as_text),
    };
    let (loaded, mut more) = load::assemble(config, to_load, read);
    found.append(&mut more);
    (loaded, found)
}

/// Reads each page's front matter and puts the pages in their places in the site,
/// leaving out drafts, whose content paths it gives too. A page with mistakes in its
/// front matter stays in the site, with what could be read, so that links to it are
/// not reported as broken too.
pub(super) fn read_pages(
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
pub(super) fn render_markdown(
    site: &Site,
    (links, messages): (&LinkIndex, &Catalogue),
    memos: &Memos,
    said: &mut Vec<Diagnostic>,
) -> Vec<Arc<RenderedPage>> {
    let inputs: Vec<_> = (site.pages.iter())
        .map(|page| markdown::Input {
            page,
            links,
            messages,
        })
        .collect();
    keep_diagnostics(memos.markdown.each(&inputs, markdown::render_page), said)
}

/// Runs the checks of the pages' content: each page's own, and the site's.
pub(super) fn check_content(
    site: &Site,
    markdown: &[Arc<RenderedPage>],
    drafts: &HashSet<String>,
    config: &Config,
    memos: &Memos,
) -> check::Findings {
    let context =
        check::CheckContext::new(&config.site.check, &config.site.languages, config.today);
    let inputs: Vec<_> = (site.pages.iter().zip(markdown))
        .map(|(page, rendered)| check::PageInput {
            context: &context,
            page,
            rendered,
        })
        .collect();
    let mut findings = check::gather(&memos.page_checks.each(&inputs, check::page));
    (findings.diagnostics).extend(check::site(site, markdown, drafts));
    let a_z = check::a_z::Input {
        site,
        markdown,
        not_in_a_z: config.site.check.not_in_a_z,
    };
    let a_z = (memos.a_z_check).get_or(&a_z, |input| Arc::new(check::a_z::check(input)));
    findings.diagnostics.extend(a_z.iter().cloned());
    (findings.diagnostics).extend(check::translations::check(site, markdown, config));
    findings.translations = check::translations::standings(site, markdown, config);
    findings
}

/// Minifies every stylesheet, each once.
pub(super) fn minify_stylesheets(
    mut static_files: Vec<AssetFile>,
    memo: &Memo<Arc<[u8]>>,
) -> Vec<AssetFile> {
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
pub(super) fn make_pages(
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
pub(super) fn render_pages(
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
    let shared_items = match &guide_items {
        Some(items) => {
            (memos.guide_lists)
                .get_or(&InForm { input: shape, form }, |_| {
                    let parts = (items.items.iter())
                        .map(|item| minify::part(&PartText { form, text: item }))
                        .collect();
                    SharedRun(Arc::new(PartRun::new(parts)))
                })
                .0
        }
        None => Arc::new(PartRun::new(Vec::new())),
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
    // The pages not made from content are made meanwhile: the A to Z and the guide
    // to print are long, each made on one thread.
    let (pages, (standalone, mut standalone_said)) = rayon::join(
        || {
            memos.pages.each(&inputs, |page| {
                render_page(page, (form, &shared_items), memos)
            })
        },
        || standalone_pages((shape, markdown), form, memos),
    );
    let mut files = Vec::with_capacity(pages.len() + standalone.len());
    let mut errors = Vec::new();
    for page in pages {
        match page {
            Ok(file) => files.push(file),
            Err(diagnostic) => errors.push(*diagnostic),
        }
    }
    let mut diagnostics = render::once_each(errors);
    diagnostics.append(&mut standalone_said);
    files.extend(standalone);
    (files, diagnostics)
}

/// One page rendered through its template and finished in `form`, with the
/// guide's contents that many pages share in `shared_items`.
fn render_page(
    page: &InForm<render::PageInput>,
    (form, shared_items): (Form, &Arc<PartRun>),
    memos: &Memos,
) -> Result<OutputFile, Box<Diagnostic>> {
    let part = |part: PartText| shared_part(&part, memos);
    let html = render::page(&page.input)?;
    let list = html.guide_list.map(|items| {
        let mark = templates::context::GUIDE_LIST_MARK;
        let mut list = PartList::new(mark, Arc::clone(shared_items));
        for item in items {
            match item {
                ListItem::Shared(id) => list.push_listed(id),
                ListItem::Own(text) => list.push_own(form.finish(text)),
            }
        }
        list
    });
    let made = page.input.markdown.minified.as_ref();
    let content = made.map(|minified| MadeContent {
        readable: &page.input.markdown.html,
        minified: &minified.html,
    });
    let path = page.input.output_path();
    if memo::verifying() && content.is_some() {
        let (whole, _) = form.finish_page(html.html.clone(), None, list.as_ref(), &part);
        let (around, _) = form.finish_page(html.html.clone(), content, list.as_ref(), &part);
        assert!(
            whole.contents() == around.contents(),
            "TELLYOU_VERIFY_MEMO: {path} differs when its content is written minified as it is made"
        );
    }
    let (finished, at) = form.finish_page(html.html, content, list.as_ref(), &part);
    let mut file = OutputFile::made(&path, finished, page.memo_key());
    if let (Some(at), Some(made)) = (at, made) {
        let elements = Arc::clone(&made.elements);
        file.page_body = AsMade(Some(BodyInFile { at, elements }));
    }
    Ok(file)
}

/// The pages not made from content, finished in `form`, and what making them
/// found. The A to Z and the guide to print are long, and the same after most
/// edits: the A to Z is made again only when a heading or the site's shape
/// changes, and each page is finished again only when its HTML changes.
fn standalone_pages(
    (shape, markdown): (&SiteShape, &[Arc<RenderedPage>]),
    form: Form,
    memos: &Memos,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let input = render::StandaloneInput::new(shape, markdown);
    // A guide to print that holds its pages whole, as a site of at most 150 pages
    // has, changes with any of them and is long to keep: it is made each time.
    let rendered = match input.holds_pages_whole() {
        true => render::standalone_pages(&input),
        false => (memos.standalone_html).get_or(&input, render::standalone_pages),
    };
    let mut standalone: Vec<_> = rendered.0.iter().collect();
    let mut diagnostics = rendered.1.clone();
    let a_z = templates::a_z::AToZInput { shape, markdown };
    let a_z = memos.a_z_pages.get_or(&a_z, templates::a_z::pages);
    for page in &a_z {
        match page {
            Ok(page) => standalone.push(page),
            Err(diagnostic) => diagnostics.push((**diagnostic).clone()),
        }
    }
    let part = |part: PartText| shared_part(&part, memos);
    // The pages are finished from their HTML as the memo holds it, not a copy.
    let standalone: Vec<_> = (standalone.into_iter())
        .map(|page| InForm { input: page, form })
        .collect();
    let files = memos.standalone_pages.each(&standalone, |page| {
        let (html, key) = (page.input.html.clone(), page.memo_key());
        OutputFile::made(
            &page.input.path,
            form.finish_page(html, None, None, &part).0,
            key,
        )
    });
    (files, diagnostics)
}

/// A part that many pages share, finished once.
fn shared_part(part: &PartText, memos: &Memos) -> Arc<Part> {
    (memos
        .shared_parts
        .get_or(part, |part| Shared(minify::part(part))))
    .0
}

/// The checks of the pages as made: the council's addresses on the site's own
/// address, and the HTML of every page against the site's files, which says only
/// what was not `said` before. Adds the links that leave the site from templates to
/// the findings.
pub(super) fn check_made_pages(
    files: &[OutputFile],
    (site, templates): (&Site, &[crate::model::page::TemplateFile]),
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
    let targets = html::Targets::new(&site_files, &scans, (site, templates));
    let results = memos.html_checks.each(&targets.pages(), html::check_page);
    let (diagnostics, hrefs) = html::report(&results, &targets);
    check::external_links_from_templates(&hrefs, templates, &mut findings.external_links);
    let new = not_said_before(diagnostics, said);
    said.extend(new);
}

/// What the HTML check found that was not said before. A broken link in the
/// markdown has been reported at its own line already, and a link the HTML check
/// cannot place in a file with an error is most likely that error's.
pub(super) fn not_said_before(found: Vec<Diagnostic>, said: &[Diagnostic]) -> Vec<Diagnostic> {
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
pub(super) fn keep_diagnostics<T>(
    results: Vec<(T, Vec<Diagnostic>)>,
    said: &mut Vec<Diagnostic>,
) -> Vec<T> {
    results
        .into_iter()
        .map(|(value, found)| {
            said.extend(found);
            value
        })
        .collect()
}

/// The files of the search index, or why it cannot be made.
pub(super) type Index = Result<Arc<Vec<OutputFile>>, Box<Diagnostic>>;

/// The search index of every page, or why it cannot be made; or, if it is to be
/// made later and no earlier build made it, what it is to be made from. Each page
/// is indexed now, as it costs little: only the index of the whole site waits.
pub(super) fn search_index_of(
    config: &Config,
    (site, markdown): (&Site, &[Arc<RenderedPage>]),
    memos: &Memos,
    later: bool,
) -> Result<Index, search_index::IndexInput> {
    let pages = search_index::PageInput::each(&config.site, site, markdown);
    let (keys, indexed) = search_index::on_own_threads(|| {
        (memos.search_pages).each_keyed(&pages, search_index::index_page)
    });
    let languages = search_index::Languages::of(&indexed);
    let scripts = (memos.search_scripts).get_or(&languages, search_index::scripts);
    let scripts = match scripts {
        Ok(scripts) => scripts,
        Err(error) => return Ok(Err(Box::new(error.to_site_diagnostic()))),
    };
    let input = search_index::IndexInput {
        pages: keys.into_iter().zip(indexed).collect(),
        scripts,
    };
    let index = match later {
        true => match memos.search_index.find(&input) {
            Some(index) => index,
            None => return Err(input),
        },
        false => (memos.search_index).get_or(&input, |input| {
            let compress: &search_index::Compress = &|hash, bytes| {
                let file = search_index::Uncompressed { hash };
                (memos.search_files).get_or(&file, |_| search_index::compressed(&bytes()))
            };
            let gather: &search_index::Gather = &|run| {
                (memos.search_runs).get_or(run, |run| Arc::new(search_index::WordRun::gather(run)))
            };
            search_index::search_index(input, &search_index::Making { compress, gather })
        }),
    };
    Ok(index.map_err(|error| Box::new(error.to_site_diagnostic())))
}

/// Adds the search index to the site's files, or says why it could not be made;
/// gives what it is to be made from, if it is to be made later.
pub(super) fn add_index(
    index: Option<Result<Index, search_index::IndexInput>>,
    files: &mut Vec<OutputFile>,
    said: &mut Vec<Diagnostic>,
) -> Option<search_index::IndexInput> {
    match index? {
        Ok(Ok(index)) => files.extend(index.iter().cloned()),
        Ok(Err(diagnostic)) => said.push(*diagnostic),
        Err(later) => return Some(later),
    }
    None
}

/// The compiled templates, if the pages can be made: every page shows the logo and
/// links to the home page, so without either, or with a mistake in the templates,
/// the pages would repeat that one mistake on every page.
pub(super) fn templates_for_pages(
    sources: &templates::Sources,
    (site, missing_logo): (&Site, Option<Diagnostic>),
    memos: &Memos,
    said: &mut Vec<Diagnostic>,
) -> Option<Arc<templates::Templates>> {
    let templates = memos.templates.get_or(sources, |sources| {
        let parsed = (memos.parsed_templates).get_or(sources.files, templates::parse)?;
        Ok(templates::with_assets(&parsed, sources))
    });
    let templates = templates.map_err(|found| said.extend(found)).ok();
    let can_make_pages = missing_logo.is_none() && site.by_url.contains_key("");
    said.extend(missing_logo);
    templates.filter(|_| can_make_pages)
}
