//! Rendered pages: every link, `#anchor`, image, stylesheet and icon in the
//! HTML the templates made resolves to a file of the built site, and every
//! image has an `alt` attribute, and every `lang` and `hreflang` names a
//! language by its tag. This catches what the markdown checks cannot see: links
//! written in templates and in raw HTML. A problem is reported where the link
//! was written: in the page's markdown if it is there, else in the template
//! that holds it. Each link is resolved as its page is read; only those that
//! need the whole site's ids (a `#fragment`), or that fail, are kept, so memory
//! does not grow with every link of every page. A link written as the site's
//! own full address is checked like one written from its root. Uses lol_html to
//! read the HTML, rustc-hash, and `page`, `site`, `config`, `paths`, `domains`,
//! `memo`, `cache_key`, `static_names`, `stored` and `error`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::BaseUrl;
use crate::memo::MemoKey;
use crate::model::page::{OutputFile, TemplateFile};
use crate::model::site::Site;
use crate::support::error::{Diagnostic, Position, StageError};
use crate::support::static_names::{self, Name};
use crate::support::stored::Apart;
use crate::support::{domains, paths};

mod locate;
mod read;

use locate::Locator;
use read::*;

/// What can be wrong in a rendered page.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, thiserror::Error, serde::Serialize, serde::Deserialize,
)]
pub enum HtmlError {
    #[error("the {attribute} {written:?} on {page} goes to nothing: the site has no {target}")]
    Missing {
        #[serde(deserialize_with = "attribute")]
        attribute: Name,
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
    #[error("the {attribute} {written:?} on {page} is not the tag of a language")]
    BadLanguage {
        #[serde(deserialize_with = "attribute")]
        attribute: Name,
        written: String,
        page: String,
        position: Option<Position>,
    },
}

impl StageError for HtmlError {
    fn position(&self) -> Option<Position> {
        match self {
            HtmlError::Missing { position, .. }
            | HtmlError::MissingAnchor { position, .. }
            | HtmlError::ImageWithoutAlt { position, .. }
            | HtmlError::BadLanguage { position, .. } => *position,
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
            HtmlError::BadLanguage { .. } => {
                "write a BCP 47 tag, such as en-GB, pl or ur; in a template, use {{ language.code }} for the page's own".into()
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
            | HtmlError::ImageWithoutAlt { page, .. }
            | HtmlError::BadLanguage { page, .. } => page,
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
            | HtmlError::ImageWithoutAlt { position, .. }
            | HtmlError::BadLanguage { position, .. } => *position = found,
        }
        self
    }
}

/// The names an error or a scan gives an attribute or link: the kinds of link
/// read from a page, and the attributes that name a language.
const ATTRIBUTES: &[&str] = &["link", "image", "file link", "source", "lang", "hreflang"];

fn attribute<'de, D: serde::Deserializer<'de>>(read: D) -> Result<&'static str, D::Error> {
    static_names::one_of(ATTRIBUTES, read)
}

fn attributes_with_values<'de, D: serde::Deserializer<'de>>(
    read: D,
) -> Result<Vec<(Name, String)>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Named(#[serde(deserialize_with = "attribute")] Name, String);
    let named = <Vec<Named> as serde::Deserialize>::deserialize(read)?;
    Ok(named
        .into_iter()
        .map(|Named(name, value)| (name, value))
        .collect())
}

/// Which ids a page has, and those of its links that need more than the list of the
/// site's files to check. The links are resolved as the page is read, so that a link
/// to a file of the site, which most are, is checked there and not kept.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Scan {
    /// Kept apart in the cache, as are `links`: a page that did not change is
    /// checked again only when the site's shape did, so a build most often reads
    /// neither.
    ids: Apart<FxHashSet<String>>,
    /// A key for `ids`, so that the site's shape is worked out without sorting
    /// every page's ids again.
    ids_key: blake3::Hash,
    links: Apart<Vec<LinkToCheck>>,
    images_without_alt: usize,
    /// Each `lang` or `hreflang` that names no language, with its value.
    #[serde(deserialize_with = "attributes_with_values")]
    bad_languages: Vec<(Name, String)>,
}

/// A link that the scan of its page could not settle alone.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
enum LinkToCheck {
    /// A web address that leaves the site, for `check --external`.
    External(String),
    /// A link to a file the site does not have.
    Missing {
        #[serde(deserialize_with = "attribute")]
        attribute: Name,
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExternalHref {
    /// The output file the link is in: `crying/index.html`.
    pub file: String,
    pub url: String,
}

/// What a link is checked against: the site's files, where it is published, and
/// its own address; and every shared part of its pages, read once.
pub struct SiteFiles<'a> {
    pub files: &'a [OutputFile],
    paths: FxHashSet<&'a str>,
    base_url: &'a BaseUrl,
    own_address: Option<domains::SiteAddress>,
    parts: PartScans,
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
        SiteFiles {
            files,
            paths: files.iter().map(|f| f.path.as_str()).collect(),
            base_url,
            own_address: domains::SiteAddress::new(&base_url.url),
            parts: PartScans::default(),
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
    scans: FxHashMap<&'a str, &'a Scan>,
    locator: Locator<'a>,
    key: blake3::Hash,
}

impl<'a> Targets<'a> {
    /// `scans` are the scans of the pages of `site`, in order.
    pub fn new(
        site: &'a SiteFiles<'a>,
        scans: &'a [Arc<Scan>],
        (pages, templates): (&'a Site, &'a [TemplateFile]),
    ) -> Targets<'a> {
        let scans: FxHashMap<&str, &Scan> = site
            .files
            .iter()
            .filter(|f| is_page(f))
            .zip(scans)
            .map(|(file, scan)| (file.path.as_str(), &**scan))
            .collect();
        let mut key = crate::support::cache_key::Key::new();
        key.field(&site.base_url.url)
            .field(templates.memo_key().as_bytes());
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
type SiteView<'a> = (&'a FxHashMap<&'a str, &'a Scan>, &'a Locator<'a>);

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
    for (attribute, written) in &scan.bad_languages {
        let (path, position) = locator.find(file, &format!("{attribute}=\"{written}\""));
        let error = HtmlError::BadLanguage {
            attribute,
            written: written.clone(),
            page: page.clone(),
            position,
        };
        diagnostics.push((path, error));
    }
    for link in scan.links.iter() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::shared_parts::{Body, Part, PartId, Piece};

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
        let paths = FxHashSet::from_iter(["a/one/index.html", "a/two/index.html", "a/index.html"]);
        let part = |text: &str| {
            Arc::new(Part {
                id: PartId(blake3::hash(text.as_bytes())),
                bytes: Box::from(text.as_bytes()),
            })
        };
        let good = part("<li><a href=../../a/two/>Two</a></li>");
        let broken = part("<li id=gone><a href=../../a/none/#x>No</a></li>");
        // Resolved for each page: from a/one/ it is a/one/x/, which is missing, and
        // from a/two/ it is a/two/x/, which is missing too, but is not the same.
        let near = part("<li><a href=../two/x/>Near</a></li>");
        let page = |path: &str| {
            let bytes = b"<main><ol></ol><a href=#gone>up</a></main>";
            let at = "<main><ol>".len();
            let parts = [(at, good.clone()), (at, broken.clone()), (at, near.clone())];
            let own = bytes.to_vec().into();
            let body = Body::Parted {
                own,
                parts: Arc::from(parts.map(|(at, part)| (at, Piece::One(part)))),
            };
            OutputFile::made(path, body, blake3::hash(bytes))
        };
        let (one, two) = (page("a/one/index.html"), page("a/two/index.html"));
        let parts = PartScans::default();
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
        assert_eq!(parts.len(), 3, "each part once");
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
        let paths = FxHashSet::from_iter(["crying/index.html", "style.css", "index.html"]);
        let html = concat!(
            "<h2 id=a>A</h2><a href=#a>x</a><img src=p.png>",
            "<a href=../crying/>fine</a><link href=../style.css rel=stylesheet>",
            "<a href=../crying/#soothe>anchor</a><a href=https://111.nhs.uk>111</a>",
            "<a href=https://example.gov.uk/sfl/>home</a><a href=tel:111>call</a>",
        );
        let file = OutputFile::from_bytes("play/index.html", html);
        let found = scan_file(&file, &PartScans::default(), (&paths, &base_url, None));
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
