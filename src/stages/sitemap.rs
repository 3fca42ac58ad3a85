//! Files for search engines: `sitemap.xml`, listing every page by its full address,
//! each with the versions of it in other languages, and `robots.txt`, pointing to
//! it. Uses `config`, `site`, `page`, `calendar` and `escape`.

use crate::config::{BaseUrl, SiteConfig};
use crate::model::page::OutputFile;
use crate::model::site::Site;
use crate::support::calendar::format_date;
use crate::support::escape::{escape_html, push_escaped};

/// The files for search engines: `sitemap.xml` and `robots.txt`.
pub fn files(config: &SiteConfig, site: &Site) -> [OutputFile; 2] {
    [
        OutputFile::from_bytes("sitemap.xml", sitemap(config, site)),
        OutputFile::from_bytes("robots.txt", robots(&config.base_url)),
    ]
}

/// A sitemap of the site's pages, in the site's order, with each page's last review
/// date as its last change, and, for a page in more than one language, each
/// version of it with its language.
pub fn sitemap(config: &SiteConfig, site: &Site) -> String {
    let translated = site
        .pages
        .iter()
        .any(|page| page.source.translates.is_some());
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"",
    );
    if translated {
        xml.push_str(" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\"");
    }
    xml.push_str(">\n");
    let base = escape_html(&config.base_url.url);
    for (index, page) in site.pages.iter().enumerate() {
        xml.push_str("  <url>\n    <loc>");
        xml.push_str(&base);
        push_escaped(&mut xml, &page.source.url_path);
        xml.push_str("</loc>\n");
        if let Some(reviewed) = page.front.reviewed {
            xml.push_str("    <lastmod>");
            xml.push_str(&format_date(reviewed));
            xml.push_str("</lastmod>\n");
        }
        if translated {
            push_versions(&mut xml, (config, site), index, &base);
        }
        xml.push_str("  </url>\n");
    }
    // The statements are pages too, unless the site has its own at their address.
    for statement in config.statements.pages() {
        if !site.by_url.contains_key(statement.url_path) {
            xml.push_str("  <url>\n    <loc>");
            xml.push_str(&base);
            xml.push_str(statement.url_path);
            xml.push_str("</loc>\n  </url>\n");
        }
    }
    xml.push_str("</urlset>\n");
    xml
}

/// Each version of page `index` in a language, when it has more than one: the
/// page in the site's own language, and its translations, in the order of
/// `languages:`.
fn push_versions(xml: &mut String, (config, site): (&SiteConfig, &Site), index: usize, base: &str) {
    let codes = config.languages.iter().map(|l| l.code.as_str());
    for (code, page) in site.versions(index, codes) {
        xml.push_str("    <xhtml:link rel=\"alternate\" hreflang=\"");
        push_escaped(xml, code.unwrap_or(&config.language));
        xml.push_str("\" href=\"");
        xml.push_str(base);
        push_escaped(xml, &site.pages[page].source.url_path);
        xml.push_str("\"/>\n");
    }
}

/// A robots.txt that lets every crawler in and names the sitemap.
pub fn robots(base_url: &BaseUrl) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n",
        base_url.url
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_points_to_the_sitemap() {
        let base = BaseUrl {
            url: "https://example.gov.uk/sfl/".into(),
            path: "/sfl/".into(),
        };
        assert_eq!(
            robots(&base),
            "User-agent: *\nAllow: /\n\nSitemap: https://example.gov.uk/sfl/sitemap.xml\n"
        );
    }
}
