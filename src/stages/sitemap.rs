//! Files for search engines: `sitemap.xml`, listing every page by its full address,
//! and `robots.txt`, pointing to it. Uses `config`, `page`, `calendar` and
//! `escape`.

use crate::config::BaseUrl;
use crate::model::page::{OutputFile, Page};
use crate::support::calendar::format_date;
use crate::support::escape::{escape_html, push_escaped};

/// The files for search engines: `sitemap.xml` and `robots.txt`.
pub fn files(base_url: &BaseUrl, pages: &[Page]) -> [OutputFile; 2] {
    [
        OutputFile::from_bytes("sitemap.xml", sitemap(base_url, pages)),
        OutputFile::from_bytes("robots.txt", robots(base_url)),
    ]
}

/// A sitemap of the given pages, in the order given, with each page's last review
/// date as its last change.
pub fn sitemap(base_url: &BaseUrl, pages: &[Page]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let base = escape_html(&base_url.url);
    for page in pages {
        xml.push_str("  <url>\n    <loc>");
        xml.push_str(&base);
        push_escaped(&mut xml, &page.source.url_path);
        xml.push_str("</loc>\n");
        if let Some(reviewed) = page.front.reviewed {
            xml.push_str("    <lastmod>");
            xml.push_str(&format_date(reviewed));
            xml.push_str("</lastmod>\n");
        }
        xml.push_str("  </url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
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
