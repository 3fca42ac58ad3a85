//! Reading a page's HTML for the check: its ids and the links it holds, each
//! settled against the site's files as the page is read where it can be, and
//! its `lang` and `hreflang` values that name no language; each part that many
//! pages share is read once, when a page that has it is first read. A page's
//! body that the build wrote minified as it made it is read from the elements
//! it wrote, not from its HTML. Uses lol_html, rustc-hash, and `page`,
//! `written_elements`, `shared_parts`, `config`, `paths`, `domains`,
//! `language`, `attributes`, `cache_key` and `memo`.

use std::cell::RefCell;
use std::sync::{Arc, RwLock};

use lol_html::{HtmlRewriter, Settings};
use rustc_hash::FxHashSet;

use crate::config::BaseUrl;
use crate::memo;
use crate::model::page::OutputFile;
use crate::model::written_elements::WrittenElements;
use crate::support::shared_parts::{Part, PartMap};
use crate::support::{attributes, domains, paths};

use super::{LinkToCheck, Scan};

/// The site's files, where it is published, and its own address: what a link is
/// checked against.
pub(super) type FilesToLinkTo<'a> = (
    &'a FxHashSet<&'a str>,
    &'a BaseUrl,
    Option<&'a domains::SiteAddress>,
);

/// Reads the output file `file`: its ids, and its links, each checked against the
/// site's files at once. Its shared parts are read once for all pages, in `parts`.
pub(super) fn scan_file(
    file: &OutputFile,
    parts: &PartScans,
    (paths, base_url, site): FilesToLinkTo,
) -> Scan {
    let mut links = Vec::new();
    let mut keep = |kind: &'static str, written: String| {
        if let Some(link) = link_to_check(&file.path, kind, written, (paths, base_url, site)) {
            links.push(link);
        }
    };
    let read = read_own(file, &mut keep);
    let (mut ids, mut images_without_alt) = (read.ids, read.images_without_alt);
    let mut bad_languages = read.bad_languages;
    let mut resolved_for_depth = Vec::new();
    let depth = file.path.matches('/').count();
    for part in file.body.parts().map(|(_, part)| parts.of(part)) {
        ids.extend(part.ids.iter().cloned());
        images_without_alt += part.images_without_alt;
        bad_languages.extend(part.bad_languages.iter().cloned());
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
    links.append(&mut resolved_for_depth);
    let mut sorted: Vec<&str> = ids.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let mut ids_key = crate::support::cache_key::Key::new();
    for id in sorted {
        ids_key.field(id);
    }
    Scan {
        ids_key: ids_key.finish(),
        ids: ids.into(),
        links: links.into(),
        images_without_alt,
        bad_languages,
    }
}

/// Reads a file's own bytes. A page's body written minified as it was made is
/// read from its elements as written: the HTML around it is read as HTML.
fn read_own(file: &OutputFile, keep: &mut dyn FnMut(&'static str, String)) -> Read {
    let own = file.body.own();
    let Some(body) = file
        .page_body
        .as_ref()
        .filter(|body| body.at.end <= own.len())
    else {
        return read_html(&[own], None, keep);
    };
    let around = [&own[..body.at.start], &own[body.at.end..]];
    let between = Some((&*body.elements, &own[body.at.clone()]));
    if !memo::verifying() {
        return read_html(&around, between, keep);
    }
    let mut references = Vec::new();
    let read = read_html(&around, between, &mut |kind, written| {
        references.push((kind, written));
    });
    let mut whole_references = Vec::new();
    let whole = read_html(&[own], None, &mut |kind, written| {
        whole_references.push((kind, written));
    });
    assert!(
        (&read, &references) == (&whole, &whole_references),
        "TELLYOU_VERIFY_MEMO: {} reads differently from its body's elements as written",
        file.path
    );
    for (kind, written) in references {
        keep(kind, written);
    }
    read
}

/// What a part shared by many pages has, read once. Its links are resolved for each
/// page, except those that climb to the site's root or above before naming a folder,
/// such as `../../crying/` on a page two folders down: on every page as deep they
/// lead to the same place, so they are resolved once for each depth.
#[derive(Debug, Default)]
pub(super) struct PartScan {
    ids: Vec<String>,
    /// Each reference with its kind and how many folders it climbs at its start
    /// (`usize::MAX` for one that does not depend on the page's folder at all).
    references: Vec<(&'static str, String, usize)>,
    images_without_alt: usize,
    bad_languages: Vec<(&'static str, String)>,
    /// What is left to check of the references that climb at least as many folders
    /// as a page is deep, by the page's depth.
    at_depth: [std::sync::OnceLock<Vec<LinkToCheck>>; 8],
}

impl PartScan {
    /// The references that, for a page `depth` folders deep, depend on its folder
    /// (`depends`) or do not.
    pub(super) fn references_above(
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
pub(super) fn keep_links<'a>(
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
pub(super) fn climbs(written: &str) -> usize {
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

/// Shared parts' scans by their ids, each read when a page that has it is first
/// read: a rebuild that finds every page's scan reads no part.
#[derive(Default)]
pub(super) struct PartScans(RwLock<PartMap<Arc<PartScan>>>);

impl PartScans {
    /// The scan of `part`, read now if no page read before had it.
    pub(super) fn of(&self, part: &Part) -> Arc<PartScan> {
        let known = self.0.read().unwrap_or_else(|p| p.into_inner());
        if let Some(scan) = known.get(&part.id) {
            return Arc::clone(scan);
        }
        drop(known);
        let scan = Arc::new(scan_part(&part.bytes));
        let mut known = self.0.write().unwrap_or_else(|p| p.into_inner());
        Arc::clone(known.entry(part.id).or_insert(scan))
    }

    /// How many parts were read.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.0.read().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// Reads one shared part.
fn scan_part(bytes: &[u8]) -> PartScan {
    let mut references = Vec::new();
    let read = read_html(&[bytes], None, &mut |kind, written| {
        let climbs = climbs(&written);
        references.push((kind, written, climbs))
    });
    PartScan {
        ids: read.ids.into_iter().collect(),
        references,
        images_without_alt: read.images_without_alt,
        bad_languages: read.bad_languages,
        at_depth: Default::default(),
    }
}

/// The elements [`read_html`] looks at, parsed once: those with an id, a link or a
/// source, and images. One selector list costs lol_html less, for each page, than a
/// selector for each kind of reference.
pub(super) static SELECTOR: std::sync::LazyLock<lol_html::Selector> =
    std::sync::LazyLock::new(|| {
        "[id], [href], [src], img, [lang], [hreflang]"
            .parse()
            .expect("the selector is valid")
    });

/// A handler for the elements `selector` matches.
pub(super) fn on<'h>(
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

/// What [`read_html`] finds in a page besides its references.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Read {
    pub(super) ids: FxHashSet<String>,
    pub(super) images_without_alt: usize,
    /// Each `lang` or `hreflang` whose value is not a language's tag, with its value.
    pub(super) bad_languages: Vec<(&'static str, String)>,
}

/// Whether `value` can be the value of the language attribute `attribute`: a
/// language's tag, or for `lang` nothing (a language not known), or for `hreflang`
/// `x-default`.
fn is_language(attribute: &str, value: &str) -> bool {
    match (attribute, value) {
        ("lang", "") | ("hreflang", "x-default") => true,
        _ => crate::support::language::is_tag(value),
    }
}

/// The attributes [`read_html`] reads of each element.
const READ_ATTRIBUTES: [&str; 6] = ["id", "lang", "hreflang", "href", "src", "alt"];

/// What is found of each element read, and where each reference goes.
struct Notes<'r> {
    read: Read,
    reference: &'r mut dyn FnMut(&'static str, String),
}

impl Notes<'_> {
    /// Notes an element `tag` with the values of [`READ_ATTRIBUTES`] it has.
    fn element(&mut self, tag: &str, [id, lang, hreflang, href, src, alt]: [Option<String>; 6]) {
        if let Some(id) = id {
            self.read.ids.insert(id);
        }
        for (attribute, value) in [("lang", lang), ("hreflang", hreflang)] {
            if let Some(value) = value.filter(|value| !is_language(attribute, value)) {
                self.read.bad_languages.push((attribute, value));
            }
        }
        let (link_kind, source_kind) = match tag {
            "a" => ("link", "link"),
            "img" => {
                if alt.is_none() {
                    self.read.images_without_alt += 1;
                }
                ("image", "image")
            }
            _ => ("file link", "source"),
        };
        if let Some(written) = href {
            (self.reference)(link_kind, written);
        }
        if let Some(written) = src {
            (self.reference)(source_kind, written);
        }
    }

    /// Notes each element of a page's body as written in `html`, in order.
    fn written(&mut self, (elements, html): (&WrittenElements, &[u8])) {
        for (tag, attributes) in elements.each(html) {
            let mut values: [Option<String>; 6] = Default::default();
            for (name, value) in attributes {
                let wanted = READ_ATTRIBUTES
                    .iter()
                    .position(|wanted| wanted.as_bytes() == name);
                if let Some(slot) = wanted.and_then(|index| values.get_mut(index)) {
                    *slot = Some(String::from_utf8_lossy(value).into_owned());
                }
            }
            self.element(tag, values);
        }
    }
}

/// Reads HTML given in pieces: gives each reference to `reference` with its kind,
/// and returns the ids, the number of images without an alt attribute and the
/// language attributes that name no language. The elements of `between`, if any,
/// with the HTML they were written in, are read after the first piece, as if that
/// HTML were there.
pub(super) fn read_html(
    pieces: &[&[u8]],
    between: Option<(&WrittenElements, &[u8])>,
    reference: &mut dyn FnMut(&'static str, String),
) -> Read {
    let notes = RefCell::new(Notes {
        read: Read::default(),
        reference,
    });
    let handlers = vec![on(&SELECTOR, |el| {
        let values = attributes::values(el, READ_ATTRIBUTES);
        notes.borrow_mut().element(&el.tag_name(), values);
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
    let read = pieces.iter().enumerate().try_for_each(|(index, piece)| {
        rewriter.write(piece)?;
        if let (0, Some(between)) = (index, between) {
            notes.borrow_mut().written(between);
        }
        Ok(())
    });
    drop(read.and_then(|()| rewriter.end()));
    notes.into_inner().read
}

/// What is left to check of the link `written` in the output file `file`, if
/// anything: a link to a file the site has, with no `#fragment`, is fine as it is.
pub(super) fn link_to_check(
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
pub(super) struct Reference<'a> {
    pub(super) place: Place,
    pub(super) fragment: Option<std::borrow::Cow<'a, str>>,
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Place {
    /// The page the link is on.
    Here,
    /// A path in the site, from its root, `.` and `..` worked out.
    Inside(String),
    /// Outside the site: how to show where it goes.
    Outside(String),
}

/// Resolves `written` from the output file `file`; `None` if it leaves the site.
/// Most links need one allocation here: the path they go to.
pub(super) fn resolve<'a>(file: &str, written: &'a str, base_path: &str) -> Option<Reference<'a>> {
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
        None => (
            paths::last_slash(file).map_or("", |i| &file[..=i]),
            &*decoded,
        ),
    };
    // The path so far, each part followed by `/`.
    let mut resolved = String::with_capacity(start.len() + rest.len() + 2);
    if paths::push_resolved(&mut resolved, [start, rest]).is_none() {
        return outside(format!("{decoded} (it climbs out of the site)"));
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
pub(super) fn existing(paths: &FxHashSet<&str>, mut path: String) -> Result<String, String> {
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
