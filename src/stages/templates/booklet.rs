//! The guide to print, `/print/`: every page of the site's own language on one
//! page, in the site's order, with a contents list, the date it was made and a QR
//! code back to the site, for the theme's `print.html` to lay out. Each page's body
//! is taken into the booklet as it is on its own page, with its ids made its own,
//! its headings moved under its title, and its links to pages in the booklet led to
//! their place in it. Uses lol_html and url, the templates' standalone context,
//! and `site`, `page`, `config`, `calendar`, `messages`, `language`, `paths`,
//! `qr_code` and `error`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::model::page::{LinkTarget, RenderedPage, SourceRef};
use crate::model::site::Site;
use crate::support::calendar::ShownDate;
use crate::support::error::Diagnostic;
use crate::support::{language, paths, qr_code};

use super::context;
use super::render::{SiteShape, StandalonePage};

/// The most pages the booklet holds. A guide longer than this could not be printed
/// as one, and would make one page heavier than the rest of the site together: its
/// booklet lists the pages to print one by one instead.
pub const MOST_PAGES: usize = 150;

/// Where the booklet is published, under the site's address.
pub const BOOKLET_PATH: &str = "print/";

/// The template that lays the booklet out; a theme without it has no booklet.
const TEMPLATE: &str = "print.html";

/// One page of the site as the booklet holds it.
#[derive(Debug, Serialize)]
struct BookletPage<'a> {
    /// The id of its part of the booklet, which its ids start with.
    anchor: String,
    title: &'a str,
    /// The level of its title's heading: 2 for the home page and the pages at the
    /// top of the site, one more for each section it is in, and at most 5.
    level: usize,
    /// Its body, ready for the booklet.
    content: String,
    reviewed: Option<ShownDate>,
    next_review: Option<ShownDate>,
    sources: &'a [SourceRef],
}

/// An entry of the booklet's contents list: a page at the top of the site, with the
/// pages under it.
#[derive(Debug, Serialize)]
struct ContentsEntry<'a> {
    anchor: String,
    title: &'a str,
    /// Its address under the site's, for a booklet that lists the pages.
    path: &'a str,
    pages: Vec<ContentsEntry<'a>>,
}

/// What `print.html` sees as `booklet`.
#[derive(Debug, Serialize)]
struct BookletContext<'a> {
    /// Whether the booklet holds the pages: false for a guide of more than
    /// [`MOST_PAGES`], whose booklet lists them, with `pages` empty.
    whole: bool,
    pages: Vec<BookletPage<'a>>,
    contents: Vec<ContentsEntry<'a>>,
    /// The sentence that says the day the booklet was made.
    made_on: String,
    /// The address of the site's home page.
    address: &'a str,
    /// The QR code, as an `<svg>` element, and the address it leads to.
    qr_code: Option<String>,
    qr_address: &'a str,
}

/// The booklet, if the theme has a `print.html` and no page of the site is at its
/// address, with the mistake in its template if it cannot be made.
pub fn booklet(
    shape: &SiteShape,
    markdown: &[Arc<RenderedPage>],
) -> Option<Result<StandalonePage, Box<Diagnostic>>> {
    let (config, site) = (shape.config, shape.site);
    let (home, order) = made_of(shape)?;
    let anchors: HashMap<&str, String> = (order.iter())
        .map(|&page| {
            (
                site.pages[page].source.url_path.as_str(),
                anchor(site, page),
            )
        })
        .collect();
    let whole = order.len() <= MOST_PAGES;
    let pages = match whole {
        true => (order.par_iter())
            .map(|&page| booklet_page(config, site, (page, markdown), &anchors, shape))
            .collect(),
        false => Vec::new(),
    };
    let contents = contents(site, home, &anchors);
    let address = config.site.base_url.url.as_str();
    let qr_address = config.site.qr_code_url.as_deref().unwrap_or(address);
    let booklet = BookletContext {
        whole,
        pages,
        contents,
        made_on: made_on(shape, config),
        address,
        qr_code: qr_code::svg(qr_address),
        qr_address,
    };
    let title = shape.messages.text(None, "print-title", &[]);
    let messages = (&config.site, &shape.messages);
    let mut context = context::standalone_context(messages, (site, Some(home)), &title, None);
    context.insert("booklet", &booklet);
    let permalink = format!("{address}{BOOKLET_PATH}");
    context.insert("permalink", &permalink);
    let made = shape.templates.render(TEMPLATE, &context, TEMPLATE);
    Some(made.map(|html| StandalonePage {
        path: format!("{BOOKLET_PATH}index.html"),
        html,
    }))
}

/// The contents list: the home page, then each page at the top of the site with
/// the pages under it.
fn contents<'a>(
    site: &'a Site,
    home: usize,
    anchors: &HashMap<&str, String>,
) -> Vec<ContentsEntry<'a>> {
    let entry = |page: usize, pages| {
        let path = site.pages[page].source.url_path.as_str();
        ContentsEntry {
            anchor: anchors[path].clone(),
            title: &site.pages[page].front.title,
            path,
            pages,
        }
    };
    let under = |top: usize| {
        (in_booklet_order(site, top).into_iter().skip(1))
            .map(|page| entry(page, Vec::new()))
            .collect()
    };
    std::iter::once(entry(home, Vec::new()))
        .chain(
            site.children(home)
                .iter()
                .map(|&top| entry(top, under(top))),
        )
        .collect()
}

/// The sentence that says the day the booklet was made, as HTML.
fn made_on(shape: &SiteShape, config: &Config) -> String {
    let date = shape.messages.date(None, config.today);
    let date = format!("<time datetime=\"{}\">{}</time>", date.iso, date.display);
    let args = [("date", crate::support::messages::Arg::Html(&date))];
    shape.messages.html(None, "print-made-on", &args)
}

/// The pages whose markdown the booklet holds: none if it lists its pages only, or
/// is not made.
pub fn pages_held_whole(shape: &SiteShape) -> Vec<usize> {
    match made_of(shape) {
        Some((_, order)) if order.len() <= MOST_PAGES => order,
        _ => Vec::new(),
    }
}

/// The home page the booklet starts from, and its pages in order, if the theme has
/// a `print.html` and no page of the site is at its address.
fn made_of(shape: &SiteShape) -> Option<(usize, Vec<usize>)> {
    let site = shape.site;
    if !shape.templates.has(TEMPLATE) || site.by_url.contains_key(BOOKLET_PATH) {
        return None;
    }
    let home = site.home()?;
    Some((home, in_booklet_order(site, home)))
}

/// Page `top` and every page under it in the site's own language, each section
/// before its pages, in the site's order.
fn in_booklet_order(site: &Site, top: usize) -> Vec<usize> {
    let mut order = Vec::new();
    let mut to_visit = vec![top];
    while let Some(page) = to_visit.pop() {
        if site.language(page).is_some() {
            continue;
        }
        order.push(page);
        to_visit.extend(site.children(page).iter().rev());
    }
    order
}

/// The id of page `page`'s part of the booklet: `guide-crying-soothing`.
fn anchor(site: &Site, page: usize) -> String {
    let path = site.pages[page].source.url_path.trim_matches('/');
    if path.is_empty() {
        "guide-home".to_owned()
    } else {
        format!("guide-{}", path.replace('/', "-"))
    }
}

fn booklet_page<'a>(
    config: &Config,
    site: &'a Site,
    (page, markdown): (usize, &[Arc<RenderedPage>]),
    anchors: &HashMap<&str, String>,
    shape: &SiteShape,
) -> BookletPage<'a> {
    let (source, rendered) = (&site.pages[page], &markdown[page]);
    let level = (site.ancestors(page).len().max(1) + 1).min(5);
    let links = Links {
        base: &config.site.base_url.path,
        page: &source.source.url_path,
        anchors,
        missing: HashSet::new(),
    };
    let anchor = anchors[source.source.url_path.as_str()].clone();
    let links = Links {
        missing: missing_targets(site, (rendered, markdown), &links),
        ..links
    };
    BookletPage {
        content: body_for_booklet(&rendered.html, &anchor, level - 1, &links),
        anchor,
        title: &source.front.title,
        level,
        reviewed: source.front.reviewed.map(|d| shape.messages.date(None, d)),
        next_review: source
            .front
            .next_review
            .map(|d| shape.messages.date(None, d)),
        sources: &source.front.sources,
    }
}

/// Where the links of a page to what is not there, or to a heading that is not
/// there, would lead in the booklet: each is reported at its line in the page.
fn missing_targets(
    site: &Site,
    (rendered, markdown): (&RenderedPage, &[Arc<RenderedPage>]),
    links: &Links,
) -> HashSet<String> {
    let mut missing = HashSet::new();
    for link in &rendered.links {
        if let LinkTarget::Missing { written, .. } = &link.target {
            missing.extend(links.lead(written));
        } else if let Some((target, fragment)) = site.heading_link(&link.target) {
            let id = paths::percent_decode(fragment);
            let page = site.pages[target].source.url_path.as_str();
            let anchor = links.anchors.get(page);
            match anchor {
                Some(anchor) if !markdown[target].has_heading(&id) => {
                    missing.insert(format!("#{anchor}--{fragment}"));
                }
                _ => {}
            }
        }
    }
    missing
}

/// How a page's links are led in the booklet.
struct Links<'a> {
    /// The site's base path, which the booklet's links to the rest of the site
    /// start with.
    base: &'a str,
    /// The page's URL path, which its own links are relative to.
    page: &'a str,
    /// The id of each page's part of the booklet, by its URL path.
    anchors: &'a HashMap<&'a str, String>,
    /// Where the page's links to what is not there would lead in the booklet:
    /// the booklet leaves them out.
    missing: HashSet<String>,
}

/// Stands for the site's address while a link is read: only its path matters.
const READING_BASE: &str = "https://site.invalid/";

impl Links<'_> {
    /// Where a link of the page, `href` as its page has it, leads in the booklet: to
    /// a page's part (and heading) when the booklet holds it, or else to the same
    /// place in the site, from the site's base path. Links that leave the site are
    /// kept as they are.
    fn lead(&self, href: &str) -> Option<String> {
        let base = url::Url::parse(READING_BASE).ok()?.join(self.page).ok()?;
        let target = base.join(href).ok()?;
        if target.origin() != base.origin() {
            return None;
        }
        let path = target.path().trim_start_matches('/');
        let fragment = target.fragment().filter(|f| !f.is_empty());
        if let Some(anchor) = self.anchors.get(path) {
            return Some(match fragment {
                Some(id) => format!("#{anchor}--{id}"),
                None => format!("#{anchor}"),
            });
        }
        let query = target.query().map(|q| format!("?{q}")).unwrap_or_default();
        let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
        Some(format!("{}{path}{query}{fragment}", self.base))
    }
}

/// A page's body for its part of the booklet, whose id is `anchor`: every id made
/// `anchor--id`, every heading moved `shift` levels down (to `h6` at most), and its
/// links and images led by `links`. What the page's own checks report is not
/// carried into the booklet, to be reported again there: a link to what is not
/// there is kept as text, such an image and an image without alt text are left
/// out, and so is a `lang` that is not a language's tag. The body is the markdown stage's own HTML, so
/// it can be read; should it not be, it is kept as it was.
fn body_for_booklet(html: &str, anchor: &str, shift: usize, links: &Links) -> String {
    let headings = lol_html::element!("h1, h2, h3, h4, h5, h6", |element| {
        let level: usize = element.tag_name()[1..].parse().unwrap_or(6);
        element.set_tag_name(&format!("h{}", (level + shift).min(6)))?;
        Ok(())
    });
    let ids = lol_html::element!("[id]", |element| {
        if let Some(id) = element.get_attribute("id") {
            element.set_attribute("id", &format!("{anchor}--{id}"))?;
        }
        Ok(())
    });
    let hrefs = lol_html::element!("a[href]", |element| {
        let href = element.get_attribute("href").unwrap_or_default();
        match links.lead(&href) {
            Some(led) if links.missing.contains(&led) => element.remove_attribute("href"),
            Some(led) => element.set_attribute("href", &led)?,
            None => {}
        }
        Ok(())
    });
    let languages = lol_html::element!("[lang], [hreflang]", |element| {
        for attribute in ["lang", "hreflang"] {
            let tag = element.get_attribute(attribute);
            if tag.is_some_and(|tag| !language::is_tag(&tag)) {
                element.remove_attribute(attribute);
            }
        }
        Ok(())
    });
    let sources = lol_html::element!("img[src], source[src]", |element| {
        if element.tag_name() == "img" && !element.has_attribute("alt") {
            element.remove();
            return Ok(());
        }
        let src = element.get_attribute("src").unwrap_or_default();
        match links.lead(&src) {
            Some(led) if links.missing.contains(&led) => element.remove(),
            Some(led) => element.set_attribute("src", &led)?,
            None => {}
        }
        Ok(())
    });
    let settings = lol_html::Settings::new()
        .append_element_content_handler(headings)
        .append_element_content_handler(ids)
        .append_element_content_handler(hrefs)
        .append_element_content_handler(languages)
        .append_element_content_handler(sources);
    lol_html::rewrite_str(html, settings).unwrap_or_else(|_| html.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links_of<'a>(page: &'a str, anchors: &'a HashMap<&'a str, String>) -> Links<'a> {
        Links {
            base: "/start-for-life/",
            page,
            anchors,
            missing: HashSet::from(["/start-for-life/cues/gone/".to_owned()]),
        }
    }

    #[test]
    fn links_to_pages_in_the_booklet_lead_to_their_part_of_it() {
        let anchors = HashMap::from([
            ("crying/soothing/", "guide-crying-soothing".to_owned()),
            ("crying/at-night/", "guide-crying-at-night".to_owned()),
        ]);
        let links = links_of("crying/at-night/", &anchors);
        let lead = |href| links.lead(href);
        assert_eq!(
            lead("../../crying/soothing/").unwrap(),
            "#guide-crying-soothing"
        );
        assert_eq!(
            lead("../soothing/#peak").unwrap(),
            "#guide-crying-soothing--peak"
        );
        assert_eq!(lead("#feeds").unwrap(), "#guide-crying-at-night--feeds");
        assert_eq!(
            lead("../../images/cues.4f2a.png").unwrap(),
            "/start-for-life/images/cues.4f2a.png"
        );
        assert_eq!(lead("https://www.nhs.uk/"), None);
        assert_eq!(lead("tel:111"), None);
    }

    #[test]
    fn a_body_in_the_booklet_has_its_own_ids_and_lower_headings() {
        let anchors = HashMap::from([("cues/", "guide-cues".to_owned())]);
        let links = links_of("cues/", &anchors);
        let html = "<h2 id=\"cries\">Cries</h2><h3 class=\"care-card__heading\">Call</h3>\
                    <h6>Deep</h6><p><a href=\"#cries\">up</a> <a href=\"gone/\">gone</a></p>";
        assert_eq!(
            body_for_booklet(html, "guide-cues", 1, &links),
            "<h3 id=\"guide-cues--cries\">Cries</h3><h4 class=\"care-card__heading\">Call</h4>\
             <h6>Deep</h6><p><a href=\"#guide-cues--cries\">up</a> <a>gone</a></p>"
        );
    }
}
