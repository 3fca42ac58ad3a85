//! Rendered pages: every link, `#anchor`, image, stylesheet and icon in the HTML
//! the templates made resolves to a file of the built site, and every image has an
//! `alt` attribute. This catches what the markdown checks cannot see: links written
//! in templates and in raw HTML. A problem is reported where the link was written:
//! in the page's markdown if it is there, else in the template that holds it. Each
//! link is resolved as its page is read; only those that need the whole site's ids
//! (a `#fragment`), or that fail, are kept, so memory does not grow with every link
//! of every page. A link written as the site's own full address is checked like one
//! written from its root. Uses lol_html to read the HTML, and `page`, `site`,
//! `config`, `paths`, `domains`, `memo`, `cache_key` and `error`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lol_html::{HtmlRewriter, Settings};
use rayon::prelude::*;

use crate::config::BaseUrl;
use crate::memo::MemoKey;
use crate::model::page::{OutputFile, SourceFile, TemplateFile};
use crate::model::site::Site;
use crate::support::error::{Diagnostic, LineIndex, Position, StageError};
use crate::support::{domains, paths};

/// What can be wrong in a rendered page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum HtmlError {
    #[error("the {attribute} {written:?} on {page} goes to nothing: the site has no {target}")]
    Missing {
        attribute: &'static str,
        written: String,
        page: String,
        target: String,
        position: Option<Position>,
    },
    #[error("the link {written:?} on {page} goes to a heading that is not there")]
    MissingAnchor {
        written: String,
        page: String,
        position: Option<Position>,
    },
    #[error("an image on {page} has no alt attribute")]
    ImageWithoutAlt {
        page: String,
        position: Option<Position>,
    },
}

impl StageError for HtmlError {
    fn position(&self) -> Option<Position> {
        match self {
            HtmlError::Missing { position, .. }
            | HtmlError::MissingAnchor { position, .. }
            | HtmlError::ImageWithoutAlt { position, .. } => *position,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            HtmlError::Missing { .. } => {
                "in a template, build addresses from {{ root }} and the page's path, and files with asset(path=\"...\")".into()
            }
            HtmlError::MissingAnchor { .. } => {
                "point it at the id of a heading or element on that page".into()
            }
            HtmlError::ImageWithoutAlt { .. } => {
                "add alt=\"what the image shows\", or alt=\"\" if it only decorates".into()
            }
        })
    }
}

impl HtmlError {
    /// The page the error is on, as the message names it.
    fn page_mut(&mut self) -> &mut String {
        match self {
            HtmlError::Missing { page, .. }
            | HtmlError::MissingAnchor { page, .. }
            | HtmlError::ImageWithoutAlt { page, .. } => page,
        }
    }

    /// The error as it is on every page a template makes: without the page, or the
    /// address as written, which a template writes from the page's root.
    fn on_any_page(&self) -> HtmlError {
        let mut any = self.clone();
        any.page_mut().clear();
        if let HtmlError::Missing { written, .. } | HtmlError::MissingAnchor { written, .. } =
            &mut any
        {
            written.clear();
        }
        any
    }

    /// The same error, found at `found`.
    fn at(mut self, found: Option<Position>) -> Self {
        match &mut self {
            HtmlError::Missing { position, .. }
            | HtmlError::MissingAnchor { position, .. }
            | HtmlError::ImageWithoutAlt { position, .. } => *position = found,
        }
        self
    }
}

/// Which ids a page has, and those of its links that need more than the list of the
/// site's files to check. The links are resolved as the page is read, so that a link
/// to a file of the site, which most are, is checked there and not kept.
#[derive(Debug, PartialEq)]
pub struct Scan {
    ids: HashSet<String>,
    /// A key for `ids`, so that the site's shape is worked out without sorting
    /// every page's ids again.
    ids_key: blake3::Hash,
    links: Vec<LinkToCheck>,
    images_without_alt: usize,
}

/// A link that the scan of its page could not settle alone.
#[derive(Debug, Clone, PartialEq)]
enum LinkToCheck {
    /// A web address that leaves the site, for `check --external`.
    External(String),
    /// A link to a file the site does not have.
    Missing {
        attribute: &'static str,
        written: String,
        target: String,
    },
    /// A link to `#fragment` in the output file `target`, or in the page itself.
    Anchor {
        written: String,
        target: Option<String>,
        fragment: String,
    },
}

/// What checking one file found.
pub type FileResult = (Vec<(PathBuf, HtmlError)>, Vec<ExternalHref>);

/// Links in a page that leave the site, for `check --external`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalHref {
    /// The output file the link is in: `crying/index.html`.
    pub file: String,
    pub url: String,
}

/// What a link is checked against: the site's files, where it is published, and
/// its own address; and every shared part of its pages, read once.
pub struct SiteFiles<'a> {
    pub files: &'a [OutputFile],
    paths: HashSet<&'a str>,
    base_url: &'a BaseUrl,
    own_address: Option<domains::SiteAddress>,
    parts: PartMap<PartScan>,
    key: blake3::Hash,
}

impl<'a> SiteFiles<'a> {
    /// `files` are sorted by path. `base_url` is where the site will be published:
    /// its path resolves links written from the domain root, and links to its own
    /// address (such as the canonical link) do not leave the site.
    pub fn new(files: &'a [OutputFile], base_url: &'a BaseUrl) -> SiteFiles<'a> {
        let mut key = crate::support::cache_key::Key::new();
        key.field(&base_url.url);
        for file in files {
            key.field(&file.path);
        }
        let pages: Vec<&OutputFile> = files.iter().filter(|f| is_page(f)).collect();
        SiteFiles {
            files,
            paths: files.iter().map(|f| f.path.as_str()).collect(),
            base_url,
            own_address: domains::SiteAddress::new(&base_url.url),
            parts: scan_shared_parts(&pages),
            key: key.finish(),
        }
    }

    /// Each page to read, in order.
    pub fn pages(&self) -> Vec<PageToScan<'_>> {
        self.files
            .iter()
            .filter(|f| is_page(f))
            .map(|file| PageToScan { file, site: self })
            .collect()
    }
}

fn is_page(file: &OutputFile) -> bool {
    file.path.ends_with(".html")
}

/// One page to read, against the site's files.
pub struct PageToScan<'a> {
    pub file: &'a OutputFile,
    site: &'a SiteFiles<'a>,
}

impl MemoKey for PageToScan<'_> {
    fn memo_key(&self) -> blake3::Hash {
        crate::support::cache_key::of([
            self.site.key.as_bytes(),
            self.file.path.as_bytes(),
            self.file.key.as_bytes(),
        ])
    }
}

/// Reads a page: its ids, and its links, each checked against the site's files at
/// once.
pub fn scan(page: &PageToScan) -> Arc<Scan> {
    let site = page.site;
    let own_address = site.own_address.as_ref();
    Arc::new(scan_file(
        page.file,
        &site.parts,
        (&site.paths, site.base_url, own_address),
    ))
}

/// Everything a page's links can point at or be reported in: every file, every
/// page's ids, the pages' sources and the templates.
pub struct Targets<'a> {
    files: &'a [OutputFile],
    scans: HashMap<&'a str, &'a Scan>,
    locator: Locator<'a>,
    key: blake3::Hash,
}

impl<'a> Targets<'a> {
    /// `scans` are the scans of the pages of `site`, in order; `templates_key` is the
    /// key of the templates and what they can name.
    pub fn new(
        site: &'a SiteFiles<'a>,
        scans: &'a [Arc<Scan>],
        (pages, templates): (&'a Site, &'a [TemplateFile]),
        templates_key: blake3::Hash,
    ) -> Targets<'a> {
        let scans: HashMap<&str, &Scan> = site
            .files
            .iter()
            .filter(|f| is_page(f))
            .zip(scans)
            .map(|(file, scan)| (file.path.as_str(), &**scan))
            .collect();
        let mut key = crate::support::cache_key::Key::new();
        key.field(&site.base_url.url)
            .field(templates_key.as_bytes());
        for file in site.files {
            key.field(&file.path);
            if let Some(scan) = scans.get(file.path.as_str()) {
                key.field(scan.ids_key.as_bytes());
            }
        }
        Targets {
            files: site.files,
            scans,
            locator: Locator::new(pages, templates),
            key: key.finish(),
        }
    }

    /// Each page to check, in order.
    pub fn pages(&self) -> Vec<PageToCheck<'_>> {
        self.files
            .iter()
            .filter(|f| is_page(f))
            .map(|file| PageToCheck {
                file,
                targets: self,
            })
            .collect()
    }
}

/// One page to check, against everything its links can point at.
pub struct PageToCheck<'a> {
    file: &'a OutputFile,
    targets: &'a Targets<'a>,
}

impl MemoKey for PageToCheck<'_> {
    /// A mistake is reported where it was written: in the page's source, if it is
    /// there, which is why its text is in the key.
    fn memo_key(&self) -> blake3::Hash {
        let path = &self.file.path;
        let source = self.targets.locator.page(path).map(|source| source.hash);
        crate::support::cache_key::of([
            self.targets.key.as_bytes(),
            self.file.key.as_bytes(),
            path.as_bytes(),
            source.as_ref().map_or(&[], |hash| hash.as_bytes()),
        ])
    }
}

/// Checks one page's links, anchors and images against the site.
pub fn check_page(page: &PageToCheck) -> Arc<FileResult> {
    let targets = page.targets;
    Arc::new(check_file(
        &page.file.path,
        (&targets.scans, &targets.locator),
    ))
}

/// What the checks of every page found, as diagnostics, and the links that leave
/// the site, each address once, from the first file it is in.
pub fn report(
    results: &[Arc<FileResult>],
    targets: &Targets,
) -> (Vec<Diagnostic>, Vec<ExternalHref>) {
    let mut found: Vec<(&Path, &HtmlError)> = Vec::new();
    let mut external = Vec::new();
    let mut seen = HashSet::new();
    for result in results {
        found.extend(result.0.iter().map(|(path, error)| (path.as_path(), error)));
        // A template's links are on every page: keep each address once.
        for href in &result.1 {
            if seen.insert(href.url.as_str()) {
                external.push(href.clone());
            }
        }
    }
    let diagnostics = once_for_all_pages(&found)
        .iter()
        .map(|(path, error)| targets.locator.diagnostic(path, error))
        .collect();
    (diagnostics, external)
}

/// The same mistake in a template is on every page the template makes: gives it
/// once, naming the first page and how many others have it.
fn once_for_all_pages(found: &[(&Path, &HtmlError)]) -> Vec<(PathBuf, HtmlError)> {
    let mut groups: Vec<(PathBuf, HtmlError, usize)> = Vec::new();
    let mut by_key: HashMap<(&Path, HtmlError), usize> = HashMap::new();
    for &(path, error) in found {
        match by_key.entry((path, error.on_any_page())) {
            std::collections::hash_map::Entry::Occupied(group) => groups[*group.get()].2 += 1,
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(groups.len());
                groups.push((path.to_path_buf(), error.clone(), 0));
            }
        }
    }
    groups
        .into_iter()
        .map(|(path, mut error, others)| {
            match others {
                0 => {}
                1 => error.page_mut().push_str(" and 1 other page"),
                _ => error
                    .page_mut()
                    .push_str(&format!(" and {others} other pages")),
            }
            (path, error)
        })
        .collect()
}

/// What checking one file needs to know about the whole site.
type SiteView<'a> = (&'a HashMap<&'a str, &'a Scan>, &'a Locator<'a>);

/// Checks one file's links, anchors and images against the site.
fn check_file(file: &str, (scans, locator): SiteView) -> FileResult {
    let mut diagnostics = Vec::new();
    let mut external = Vec::new();
    let scan = &scans[file];
    let page = shown_page(file);
    if scan.images_without_alt > 0 {
        let (path, position) = locator.find(file, "<img");
        let page = page.clone();
        diagnostics.push((path, HtmlError::ImageWithoutAlt { page, position }));
    }
    for link in &scan.links {
        let (written, error) = match link {
            LinkToCheck::External(url) => {
                external.push(ExternalHref {
                    file: file.to_owned(),
                    url: url.clone(),
                });
                continue;
            }
            LinkToCheck::Missing {
                attribute,
                written,
                target,
            } => (
                written,
                HtmlError::Missing {
                    attribute,
                    written: written.clone(),
                    page: page.clone(),
                    target: target.clone(),
                    position: None,
                },
            ),
            LinkToCheck::Anchor {
                written,
                target,
                fragment,
            } => {
                let target = target.as_deref().unwrap_or(file);
                let has_anchor = scans.get(target).is_none_or(|s| s.ids.contains(fragment));
                if has_anchor {
                    continue;
                }
                (
                    written,
                    HtmlError::MissingAnchor {
                        written: written.clone(),
                        page: page.clone(),
                        position: None,
                    },
                )
            }
        };
        let (path, position) = locator.find(file, written);
        // A full address that is in no page or template came from the settings,
        // where the check of the council's addresses reports it, at its line.
        if position.is_none() && paths::is_external(written) {
            continue;
        }
        diagnostics.push((path, error.at(position)));
    }
    (diagnostics, external)
}

/// How a page is named in messages: its address.
fn shown_page(file: &str) -> String {
    match file.strip_suffix("index.html") {
        Some(folder) => format!("/{folder}"),
        None => format!("/{file}"),
    }
}

/// The site's files, where it is published, and its own address: what a link is
/// checked against.
type FilesToLinkTo<'a> = (
    &'a HashSet<&'a str>,
    &'a BaseUrl,
    Option<&'a domains::SiteAddress>,
);

/// Reads the output file `file`: its ids, and its links, each checked against the
/// site's files at once. Its shared parts are read once for all pages, in `parts`.
fn scan_file(
    file: &OutputFile,
    parts: &PartMap<PartScan>,
    (paths, base_url, site): FilesToLinkTo,
) -> Scan {
    let mut links = Vec::new();
    let mut keep = |kind: &'static str, written: String| {
        if let Some(link) = link_to_check(&file.path, kind, written, (paths, base_url, site)) {
            links.push(link);
        }
    };
    let (mut ids, mut images_without_alt) = read_html(&[&file.bytes], &mut keep);
    let mut resolved_for_depth = Vec::new();
    if let Some(shared) = &file.shared {
        let depth = file.path.matches('/').count();
        for part in shared
            .parts
            .iter()
            .filter_map(|(_, part)| parts.get(&part_id(part)))
        {
            ids.extend(part.ids.iter().cloned());
            images_without_alt += part.images_without_alt;
            let at_depth = part.at_depth.get(depth).map(|links| {
                links.get_or_init(|| {
                    let mut found = Vec::new();
                    for (kind, written, _) in part.references_above(depth, false) {
                        found.extend(link_to_check(
                            &file.path,
                            kind,
                            written.clone(),
                            (paths, base_url, site),
                        ));
                    }
                    found
                })
            });
            match at_depth {
                Some(found) => {
                    keep_links(&mut keep, part.references_above(depth, true));
                    resolved_for_depth.extend(found.iter().cloned());
                }
                None => keep_links(&mut keep, part.references.iter()),
            }
        }
    }
    links.append(&mut resolved_for_depth);
    let mut sorted: Vec<&str> = ids.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let mut ids_key = crate::support::cache_key::Key::new();
    for id in sorted {
        ids_key.field(id);
    }
    Scan {
        ids_key: ids_key.finish(),
        ids,
        links,
        images_without_alt,
    }
}

/// What a part shared by many pages has, read once. Its links are resolved for each
/// page, except those that climb to the site's root or above before naming a folder,
/// such as `../../crying/` on a page two folders down: on every page as deep they
/// lead to the same place, so they are resolved once for each depth.
#[derive(Debug, Default)]
struct PartScan {
    ids: Vec<String>,
    /// Each reference with its kind and how many folders it climbs at its start
    /// (`usize::MAX` for one that does not depend on the page's folder at all).
    references: Vec<(&'static str, String, usize)>,
    images_without_alt: usize,
    /// What is left to check of the references that climb at least as many folders
    /// as a page is deep, by the page's depth.
    at_depth: [std::sync::OnceLock<Vec<LinkToCheck>>; 8],
}

impl PartScan {
    /// The references that, for a page `depth` folders deep, depend on its folder
    /// (`depends`) or do not.
    fn references_above(
        &self,
        depth: usize,
        depends: bool,
    ) -> impl Iterator<Item = &(&'static str, String, usize)> {
        self.references
            .iter()
            .filter(move |(_, _, climbs)| (*climbs < depth) == depends)
    }
}

/// Gives each of `references` to `keep`, to be resolved for one page.
fn keep_links<'a>(
    keep: &mut impl FnMut(&'static str, String),
    references: impl Iterator<Item = &'a (&'static str, String, usize)>,
) {
    for (kind, written, _) in references {
        keep(kind, written.clone());
    }
}

/// How many folders the link `written` climbs at its start: the `..` before any
/// folder's name. A link that does not depend on the folder it is written in at all,
/// such as one from the root, a web address or `#fragment`, climbs without limit.
fn climbs(written: &str) -> usize {
    let written = written.trim();
    let path = written.split(['#', '?']).next().unwrap_or("");
    if path.is_empty() || path.starts_with('/') || paths::is_external(written) {
        return usize::MAX;
    }
    path.split('/')
        .filter(|part| !matches!(*part, "" | "."))
        .take_while(|part| *part == "..")
        .count()
}

/// Shared parts' scans by [`part_id`]. Pages hold many parts each, so they are found
/// by a multiplication of the address, not by SipHash.
type PartMap<V> = HashMap<usize, V, std::hash::BuildHasherDefault<PartHasher>>;

#[derive(Default)]
struct PartHasher(u64);

impl std::hash::Hasher for PartHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_usize(&mut self, address: usize) {
        self.write_u64(address as u64);
    }

    fn write_u64(&mut self, value: u64) {
        // Fibonacci hashing: spreads the address's low bits into the high bits, which
        // hashbrown uses.
        self.0 = (self.0 ^ value).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Which shared part this is: the same `Arc` in every page that has it.
fn part_id(part: &Arc<[u8]>) -> usize {
    Arc::as_ptr(part).cast::<u8>() as usize
}

/// Reads every shared part of `files` once.
fn scan_shared_parts(files: &[&OutputFile]) -> PartMap<PartScan> {
    let mut distinct: PartMap<&Arc<[u8]>> = PartMap::default();
    for file in files {
        for (_, part) in file.shared.iter().flat_map(|shared| &shared.parts) {
            distinct.entry(part_id(part)).or_insert(part);
        }
    }
    distinct
        .into_par_iter()
        .map(|(id, part)| {
            let mut references = Vec::new();
            let (ids, images_without_alt) = read_html(&[part], &mut |kind, written| {
                let climbs = climbs(&written);
                references.push((kind, written, climbs))
            });
            let part = PartScan {
                ids: ids.into_iter().collect(),
                references,
                images_without_alt,
                at_depth: Default::default(),
            };
            (id, part)
        })
        .collect()
}

/// The elements [`read_html`] looks at, parsed once: those with an id, a link or a
/// source, and images. One selector list costs lol_html less, for each page, than a
/// selector for each kind of reference.
static SELECTOR: std::sync::LazyLock<lol_html::Selector> = std::sync::LazyLock::new(|| {
    "[id], [href], [src], img"
        .parse()
        .expect("the selector is valid")
});

/// A handler for the elements `selector` matches.
fn on<'h>(
    selector: &'static lol_html::Selector,
    handler: impl FnMut(&mut lol_html::html_content::Element<'_, '_>) -> lol_html::HandlerResult + 'h,
) -> (
    std::borrow::Cow<'static, lol_html::Selector>,
    lol_html::ElementContentHandlers<'h>,
) {
    (
        std::borrow::Cow::Borrowed(selector),
        lol_html::ElementContentHandlers::default().element(handler),
    )
}

/// Reads HTML given in pieces: gives each reference to `reference` with its kind,
/// and returns the ids and the number of images without an alt attribute.
fn read_html(
    pieces: &[&[u8]],
    reference: &mut dyn FnMut(&'static str, String),
) -> (HashSet<String>, usize) {
    let ids = RefCell::new(HashSet::new());
    let reference = RefCell::new(reference);
    let images_without_alt = RefCell::new(0);
    let handlers = vec![on(&SELECTOR, |el| {
        if let Some(id) = el.get_attribute("id") {
            ids.borrow_mut().insert(id);
        }
        let (link_kind, source_kind) = match el.tag_name().as_str() {
            "a" => ("link", "link"),
            "img" => {
                if !el.has_attribute("alt") {
                    *images_without_alt.borrow_mut() += 1;
                }
                ("image", "image")
            }
            _ => ("file link", "source"),
        };
        if let Some(written) = el.get_attribute("href") {
            (reference.borrow_mut())(link_kind, written);
        }
        if let Some(written) = el.get_attribute("src") {
            (reference.borrow_mut())(source_kind, written);
        }
        Ok(())
    })];
    // The pages are the build's own, whose content's HTML has been read and allowed
    // already, so a best guess at markup that could be read two ways will do.
    let settings = handlers.into_iter().fold(
        Settings::new().with_strict(false),
        Settings::append_element_content_handler,
    );
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    // Output is discarded and the input is our own UTF-8, so a failure can only mean
    // a page that yields fewer references; lol_html must then not be used again.
    let read = pieces
        .iter()
        .try_for_each(|piece| rewriter.write(piece))
        .and_then(|()| rewriter.end());
    drop(read);
    (ids.into_inner(), images_without_alt.into_inner())
}

/// What is left to check of the link `written` in the output file `file`, if
/// anything: a link to a file the site has, with no `#fragment`, is fine as it is.
fn link_to_check(
    file: &str,
    kind: &'static str,
    written: String,
    (paths, base_url, site): FilesToLinkTo,
) -> Option<LinkToCheck> {
    // A link written as the site's own full address is checked as one from its root.
    let inside = site
        .and_then(|site| site.path_of(&written))
        .map(|inside| format!("{}{inside}", base_url.path));
    let Some(reference) = resolve(file, inside.as_deref().unwrap_or(&written), &base_url.path)
    else {
        let web = written.starts_with("https://") || written.starts_with("http://");
        return (web && !written.starts_with(&base_url.url))
            .then_some(LinkToCheck::External(written));
    };
    // An empty fragment, `#`, is the top of the page, which every page has.
    let fragment = reference
        .fragment
        .filter(|fragment| !fragment.is_empty())
        .map(std::borrow::Cow::into_owned);
    let target = match reference.place {
        Place::Here => None,
        Place::Inside(path) => match existing(paths, path) {
            Ok(target) => Some(target),
            Err(path) => {
                return Some(LinkToCheck::Missing {
                    attribute: kind,
                    written,
                    target: format!("/{path}"),
                });
            }
        },
        Place::Outside(shown) => {
            return Some(LinkToCheck::Missing {
                attribute: kind,
                written,
                target: shown,
            });
        }
    };
    fragment.map(|fragment| LinkToCheck::Anchor {
        written,
        target,
        fragment,
    })
}

/// Where a link within the site goes, and the `#fragment` it names.
struct Reference<'a> {
    place: Place,
    fragment: Option<std::borrow::Cow<'a, str>>,
}

#[derive(Debug, PartialEq, Eq)]
enum Place {
    /// The page the link is on.
    Here,
    /// A path in the site, from its root, `.` and `..` worked out.
    Inside(String),
    /// Outside the site: how to show where it goes.
    Outside(String),
}

/// Resolves `written` from the output file `file`; `None` if it leaves the site.
/// Most links need one allocation here: the path they go to.
fn resolve<'a>(file: &str, written: &'a str, base_path: &str) -> Option<Reference<'a>> {
    use std::borrow::Cow;
    let written = written.trim();
    if written.is_empty() || paths::is_external(written) || written.starts_with("//") {
        return None;
    }
    let decode = |text: &'a str| -> Cow<'a, str> {
        if text.contains('%') {
            Cow::Owned(paths::percent_decode(text))
        } else {
            Cow::Borrowed(text)
        }
    };
    let (before, fragment) = match written.split_once('#') {
        Some((before, fragment)) => (before, Some(decode(fragment))),
        None => (written, None),
    };
    let path = before.split('?').next().unwrap_or("");
    if path.is_empty() {
        return Some(Reference {
            place: Place::Here,
            fragment,
        });
    }
    let decoded = decode(path);
    let outside = |shown: String| {
        Some(Reference {
            place: Place::Outside(shown),
            fragment: None,
        })
    };
    let (start, rest) = match decoded.strip_prefix('/') {
        Some(from_root) => match from_root.strip_prefix(base_path.trim_start_matches('/')) {
            Some(inside) => ("", inside),
            None => return outside(format!("{decoded} (it is outside {base_path})")),
        },
        None => (file.rfind('/').map_or("", |i| &file[..=i]), &*decoded),
    };
    // The path so far, each part followed by `/`.
    let mut resolved = String::with_capacity(start.len() + rest.len() + 10);
    for part in start.split('/').chain(rest.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                if resolved.is_empty() {
                    return outside(format!("{decoded} (it climbs out of the site)"));
                }
                resolved.pop();
                let parent = resolved.rfind('/').map_or(0, |i| i + 1);
                resolved.truncate(parent);
            }
            other => {
                resolved.push_str(other);
                resolved.push('/');
            }
        }
    }
    let folder = rest.ends_with('/') || (rest.is_empty() && start.ends_with('/'));
    if !folder {
        resolved.pop();
    }
    Some(Reference {
        place: Place::Inside(resolved),
        fragment,
    })
}

/// The output file a site path names, if the site has it: a file, or a folder's
/// `index.html`; else the path, as it was given.
fn existing(paths: &HashSet<&str>, mut path: String) -> Result<String, String> {
    let length = path.len();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    } else if !paths.contains(path.as_str()) {
        path.push_str("/index.html");
    }
    if paths.contains(path.as_str()) {
        Ok(path)
    } else {
        path.truncate(length);
        Err(path)
    }
}

/// Finds where a link was written: in the page's markdown, else in a template.
struct Locator<'a> {
    /// Each page's source, by its address: its output file without `index.html`.
    pages: HashMap<&'a str, &'a SourceFile>,
    /// The project's own templates first: a mistake is likelier in an override than
    /// in the theme.
    templates: Vec<&'a TemplateFile>,
}

impl<'a> Locator<'a> {
    fn new(site: &'a Site, templates: &'a [TemplateFile]) -> Self {
        let pages = site
            .pages
            .iter()
            .map(|p| (p.source.url_path.as_str(), &p.source))
            .collect();
        let mut templates: Vec<&TemplateFile> = templates.iter().collect();
        templates.sort_by_key(|t| !t.display_path.starts_with("templates"));
        Locator { pages, templates }
    }

    /// The page whose output file is `file`.
    fn page(&self, file: &str) -> Option<&'a SourceFile> {
        let address = file.strip_suffix("index.html")?;
        self.pages.get(address).copied()
    }

    /// The file and spot where `needle` was written for the output file `file`.
    fn find(&self, file: &str, needle: &str) -> (PathBuf, Option<Position>) {
        if let Some(source) = self.page(file) {
            if let Some(at) = source.text.find(needle) {
                let position = position_in(&source.text, at);
                return (source.display_path.clone(), Some(position));
            }
        }
        let tail = without_fingerprint(
            needle
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(needle),
        );
        for wanted in [needle, tail.as_str()] {
            for template in &self.templates {
                if let Some(at) = find_in_template(&template.text, wanted) {
                    return (
                        template.display_path.clone(),
                        Some(position_in(&template.text, at)),
                    );
                }
            }
        }
        match self.page(file) {
            Some(source) => (source.display_path.clone(), None),
            None => (PathBuf::from("templates"), None),
        }
    }

    fn diagnostic(&self, path: &Path, error: &HtmlError) -> Diagnostic {
        let source = self
            .pages
            .values()
            .find(|source| source.display_path == path)
            .map(|source| &*source.text)
            .or_else(|| {
                self.templates
                    .iter()
                    .find(|t| t.display_path == path)
                    .map(|t| t.text.as_str())
            });
        error.to_diagnostic(path, source)
    }
}

/// Where `wanted` is written in a template; for `<img`, the first image tag that has
/// no alt attribute.
fn find_in_template(text: &str, wanted: &str) -> Option<usize> {
    if wanted != "<img" {
        return text.find(wanted);
    }
    text.match_indices("<img").map(|(at, _)| at).find(|&at| {
        let tag = &text[at..];
        let end = tag.find('>').unwrap_or(tag.len());
        !tag[..end].contains("alt=")
    })
}

/// A file name without the fingerprint tellyou adds: `style.1a2b3c4d5e.css` is
/// written `style.css` in templates.
fn without_fingerprint(name: &str) -> String {
    let parts: Vec<&str> = name.split('.').collect();
    match parts.as_slice() {
        [stem @ .., hash, extension]
            if !stem.is_empty()
                && hash.len() == 10
                && hash.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            format!("{}.{extension}", stem.join("."))
        }
        _ => name.to_owned(),
    }
}

fn position_in(text: &str, offset: usize) -> Position {
    LineIndex::new(text).position(text, offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::shared_parts::SharedParts;

    fn target(file: &str, written: &str) -> Option<Place> {
        resolve(file, written, "/start-for-life/").map(|r| r.place)
    }

    fn inside(path: &str) -> Option<Place> {
        Some(Place::Inside(path.into()))
    }

    #[test]
    fn references_resolve_from_the_page_folder_or_the_base_path() {
        let soothing = "crying/soothing/index.html";
        assert_eq!(target(soothing, "../"), inside("crying/"));
        assert_eq!(
            target(soothing, "../../style.abc.css"),
            inside("style.abc.css")
        );
        assert_eq!(target(soothing, "./"), inside("crying/soothing/"));
        assert_eq!(target(soothing, "."), inside("crying/soothing"));
        assert_eq!(target(soothing, "../../"), inside(""));
        assert_eq!(target(soothing, "#peak"), Some(Place::Here));
        assert_eq!(target(soothing, "../a%20b/?x=1#y"), inside("crying/a b/"));
        assert_eq!(
            target("404.html", "/start-for-life/crying/"),
            inside("crying/")
        );
        assert_eq!(target("404.html", "/start-for-life/"), inside(""));
        assert_eq!(target("index.html", "https://111.nhs.uk"), None);
        assert_eq!(target("index.html", "tel:111"), None);
        assert_eq!(
            target("index.html", "../../x"),
            Some(Place::Outside("../../x (it climbs out of the site)".into()))
        );
        assert_eq!(
            target("404.html", "/elsewhere/"),
            Some(Place::Outside(
                "/elsewhere/ (it is outside /start-for-life/)".into()
            ))
        );
    }

    #[test]
    fn shared_parts_are_read_once_and_their_links_resolved_for_each_page() {
        let base_url = crate::config::parse_base_url("https://example.gov.uk/", None).unwrap();
        let paths = HashSet::from(["a/one/index.html", "a/two/index.html", "a/index.html"]);
        let good: Arc<[u8]> = Arc::from(&b"<li><a href=../../a/two/>Two</a></li>"[..]);
        let broken: Arc<[u8]> = Arc::from(&b"<li id=gone><a href=../../a/none/#x>No</a></li>"[..]);
        // Resolved for each page: from a/one/ it is a/one/x/, which is missing, and
        // from a/two/ it is a/two/x/, which is missing too, but is not the same.
        let near: Arc<[u8]> = Arc::from(&b"<li><a href=../two/x/>Near</a></li>"[..]);
        let page = |path: &str| {
            let bytes = b"<main><ol></ol><a href=#gone>up</a></main>";
            OutputFile {
                path: path.into(),
                key: blake3::hash(bytes),
                bytes: Arc::from(&bytes[..]),
                shared: Some(Arc::new(SharedParts {
                    parts: vec![
                        ("<main><ol>".len(), Arc::clone(&good)),
                        ("<main><ol>".len(), Arc::clone(&broken)),
                        ("<main><ol>".len(), Arc::clone(&near)),
                    ],
                })),
            }
        };
        let (one, two) = (page("a/one/index.html"), page("a/two/index.html"));
        let parts = scan_shared_parts(&[&one, &two]);
        assert_eq!(parts.len(), 3, "each part once");
        for file in [&one, &two] {
            let found = scan_file(file, &parts, (&paths, &base_url, None));
            assert!(found.ids.contains("gone"));
            let links: Vec<String> = found.links.iter().map(|l| format!("{l:?}")).collect();
            assert_eq!(
                links,
                [
                    r##"Anchor { written: "#gone", target: None, fragment: "gone" }"##.into(),
                    r##"Missing { attribute: "link", written: "../two/x/", target: "/a/two/x/" }"##.into(),
                    r##"Missing { attribute: "link", written: "../../a/none/#x", target: "/a/none/" }"##.into(),
                ] as [String; 3]
            );
        }
        let deep = page("a/one/b/index.html");
        let found = scan_file(&deep, &parts, (&paths, &base_url, None));
        let links: Vec<String> = found.links.iter().map(|l| format!("{l:?}")).collect();
        // One folder deeper, the links that climbed to the root no longer do.
        for target in ["/a/a/two/", "/a/a/none/", "/a/one/two/x/"] {
            let target = format!("target: {target:?}");
            assert!(links.iter().any(|l| l.contains(&target)), "{links:?}");
        }
    }

    #[test]
    fn links_that_climb_to_the_root_do_not_depend_on_the_page_folder() {
        assert_eq!(climbs("../../crying/"), 2);
        assert_eq!(climbs("./../x/../y"), 1);
        assert_eq!(climbs("crying/"), 0);
        assert_eq!(climbs("../"), 1);
        for independent in [
            "/crying/",
            "#main",
            "?q=1",
            "https://111.nhs.uk",
            "tel:111",
            "",
        ] {
            assert_eq!(climbs(independent), usize::MAX, "{independent}");
        }
    }

    #[test]
    fn a_scan_keeps_ids_and_only_the_links_left_to_check() {
        let base_url = crate::config::parse_base_url("https://example.gov.uk/sfl/", None).unwrap();
        let paths = HashSet::from(["crying/index.html", "style.css", "index.html"]);
        let html = concat!(
            "<h2 id=a>A</h2><a href=#a>x</a><img src=p.png>",
            "<a href=../crying/>fine</a><link href=../style.css rel=stylesheet>",
            "<a href=../crying/#soothe>anchor</a><a href=https://111.nhs.uk>111</a>",
            "<a href=https://example.gov.uk/sfl/>home</a><a href=tel:111>call</a>",
        );
        let file = OutputFile {
            path: "play/index.html".into(),
            bytes: Arc::from(html.as_bytes()),
            key: blake3::hash(html.as_bytes()),
            shared: None,
        };
        let found = scan_file(&file, &PartMap::default(), (&paths, &base_url, None));
        assert!(found.ids.contains("a"));
        assert_eq!(found.images_without_alt, 1);
        let links: Vec<String> = found.links.iter().map(|l| format!("{l:?}")).collect();
        assert_eq!(
            links,
            [
                r##"Anchor { written: "#a", target: None, fragment: "a" }"##,
                r##"Missing { attribute: "image", written: "p.png", target: "/play/p.png" }"##,
                r##"Anchor { written: "../crying/#soothe", target: Some("crying/index.html"), fragment: "soothe" }"##,
                r##"External("https://111.nhs.uk")"##,
            ]
        );
    }
}
