//! Links: where a link in a page can point (every page, every asset and the site's
//! own address), and what a link as written resolves to. Uses rustc-hash, and
//! `page`, `assets`, `paths`, `domains`, `memo` and `cache_key`.

use pulldown_cmark::Parser;
use rustc_hash::FxHashMap;

use crate::memo::MemoKey;
use crate::model::assets::AssetMap;
use crate::model::page::LinkTarget;
use crate::support::{domains, paths};

use super::{Renderer, options};

/// Where links can point: every page by its content path, and every asset.
#[derive(Debug)]
pub struct LinkIndex<'a> {
    /// URL path of each page, by content path.
    page_urls: FxHashMap<&'a str, &'a str>,
    /// Content path of each page, by URL path.
    pages_by_url: FxHashMap<&'a str, &'a str>,
    assets: &'a AssetMap,
    /// The tag of the site's own language, which a translation's link to a page
    /// that is not translated is marked with.
    pub(super) language: &'a str,
    /// The site's own address, if it has one: a link to an address under it is a
    /// link inside the site, checked as one.
    site: Option<domains::SiteAddress>,
    pub(super) key: blake3::Hash,
}

impl<'a> LinkIndex<'a> {
    /// The index of `pages`, each a content path and its URL path, in a fixed order,
    /// of `assets`, and of the site's own address, `site_url`.
    pub fn new(
        pages: impl IntoIterator<Item = (&'a str, &'a str)>,
        assets: &'a AssetMap,
        (site_url, language): (&str, &'a str),
    ) -> LinkIndex<'a> {
        let mut key = crate::support::cache_key::Key::new();
        key.field(assets.memo_key().as_bytes())
            .field(site_url)
            .field(language);
        let mut page_urls = FxHashMap::default();
        for (content_path, url_path) in pages {
            key.field(content_path).field(url_path);
            page_urls.insert(content_path, url_path);
        }
        LinkIndex {
            pages_by_url: page_urls.iter().map(|(c, u)| (*u, *c)).collect(),
            page_urls,
            assets,
            language,
            site: domains::SiteAddress::new(site_url),
            key: key.finish(),
        }
    }
}

pub(super) fn normalise_label(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A link to what is not there: `written`, which leads to `resolved`.
fn missing(written: &str, resolved: &str) -> LinkTarget {
    LinkTarget::Missing {
        written: written.to_owned(),
        resolved: resolved.to_owned(),
    }
}

impl<'a> Renderer<'a> {
    /// Works out where a link goes and what to write in its `href` (`None` keeps it
    /// as written), and whether it goes from a translation to a page in the site's
    /// own language because the page is not translated.
    pub(super) fn resolve(&self, written: &str) -> (Option<String>, LinkTarget, bool) {
        let (href, target) = self.resolve_written(written);
        let LinkTarget::Page {
            content_path,
            fragment,
        } = &target
        else {
            return (href, target, false);
        };
        let Some(translates) = &self.page.source.translates else {
            return (href, target, false);
        };
        if paths::split_language(content_path).is_some_and(|(_, code)| code == translates.language)
            || content_path == &self.page.source.content_path
        {
            return (href, target, false);
        }
        let translated = paths::translation_path(content_path, &translates.language);
        match self.links.page_urls.get(translated.as_str()) {
            Some(url) if paths::split_language(content_path).is_none() => {
                let url = paths::relative_url(&self.page.source.url_path, url);
                let href = match fragment {
                    Some(f) => format!("{url}#{f}"),
                    None => url,
                };
                let target = LinkTarget::Page {
                    content_path: translated,
                    fragment: fragment.clone(),
                };
                (Some(href), target, false)
            }
            _ => {
                let own = paths::split_language(content_path).is_none();
                (href, target, own)
            }
        }
    }

    /// Works out where a link goes, as written, and what to write in its `href`;
    /// `None` keeps it as written.
    fn resolve_written(&self, written: &str) -> (Option<String>, LinkTarget) {
        let source = &self.page.source;
        let inside = if paths::is_external(written) {
            match self
                .links
                .site
                .as_ref()
                .and_then(|site| site.path_of(written))
            {
                // Written as the site's own address: found from the site's root.
                Some(inside) => Some(format!("/{inside}")),
                None => {
                    let url = written.to_owned();
                    return (None, LinkTarget::External { url });
                }
            }
        } else {
            None
        };
        let address = inside.as_deref().unwrap_or(written);
        let (before_fragment, fragment) = match address.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment.to_owned())),
            None => (address, None),
        };
        let path = before_fragment.split('?').next().unwrap_or("");
        if path.is_empty() && fragment.is_some() {
            let target = LinkTarget::Page {
                content_path: source.content_path.clone(),
                fragment,
            };
            return (None, target);
        }
        let decoded = paths::percent_decode(path);
        match paths::resolve(&source.content_path, &decoded) {
            Some(resolved) => self.target(written, &decoded, resolved, fragment),
            None => (None, missing(written, &decoded)),
        }
    }

    /// Where a link to `resolved`, a path in the site, goes: a page, by its file or
    /// its address, or a file; and the address to write for it on this page. The
    /// link was `written`, and is `decoded` without its fragment.
    fn target(
        &self,
        written: &str,
        decoded: &str,
        resolved: String,
        fragment: Option<String>,
    ) -> (Option<String>, LinkTarget) {
        let here = self.page.source.url_path.as_str();
        let href = |url: &str| {
            let url = paths::relative_url(here, url);
            Some(match &fragment {
                Some(f) => format!("{url}#{f}"),
                None => url,
            })
        };
        if resolved.ends_with(".md") {
            return match self.links.page_urls.get(resolved.as_str()) {
                Some(url) => (
                    href(url),
                    LinkTarget::Page {
                        content_path: resolved,
                        fragment,
                    },
                ),
                None => (None, missing(written, &resolved)),
            };
        }
        if let Some(output) = self.links.assets.output_path(&resolved) {
            let href = href(output);
            let target = LinkTarget::File {
                site_path: resolved,
            };
            return (href, target);
        }
        // A site-root link to a page's address, such as `/crying/`.
        if decoded.starts_with('/') {
            let url = if resolved.is_empty() {
                resolved.clone()
            } else {
                format!("{resolved}/")
            };
            if let Some(content_path) = self.links.pages_by_url.get(url.as_str()) {
                let href = href(&url);
                let target = LinkTarget::Page {
                    content_path: (*content_path).to_owned(),
                    fragment,
                };
                return (href, target);
            }
        }
        (None, missing(written, &resolved))
    }

    pub(super) fn collect_references(&mut self, body: &str) {
        // A definition is a label followed at once by a colon, `[label]:`; most
        // pages have none, and need not be parsed whole for them.
        if memchr::memmem::find(body.as_bytes(), b"]:").is_none() {
            return;
        }
        let parser = Parser::new_ext(body, options());
        for (label, definition) in parser.reference_definitions().iter() {
            self.references.insert(
                normalise_label(label),
                (
                    definition.dest.to_string(),
                    definition.title.as_deref().unwrap_or("").to_owned(),
                ),
            );
        }
    }
}
