//! Renders a page's markdown, as the build does: link rewriting against a small site
//! of pages and files, care card and callout blocks, raw HTML, then the diagnostics
//! for every problem found, with their lines. The input is the page's body; its
//! front matter is always valid, so that the fuzzer spends its time on the markdown.
#![no_main]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use tellyou::front_matter;
use tellyou::load::page_source;
use tellyou::markdown::{self, LinkIndex};
use tellyou::page::{AssetFile, Page};

const FRONT_MATTER: &str = "---\ntitle: Soothing\ndescription: Ways to soothe.\n---\n";

fuzz_target!(|body: &str| {
    let source = page_source("crying/soothing.md", &format!("{FRONT_MATTER}{body}"));
    let Ok(front) = front_matter::parse(&source) else {
        return;
    };
    let page = Page {
        source,
        front: Arc::new(front),
    };
    let page_urls: HashMap<&str, &str> = [
        ("_index.md", ""),
        ("crying/_index.md", "crying/"),
        ("crying/soothing.md", "crying/soothing/"),
        ("play/songs.md", "play/songs/"),
    ]
    .into_iter()
    .collect();
    let pages_by_url = page_urls.iter().map(|(path, url)| (*url, *path)).collect();
    let (assets, _) = tellyou::assets::fingerprint(&[AssetFile {
        site_path: "crying/cot.png".into(),
        display_path: PathBuf::from("content/crying/cot.png"),
        bytes: Arc::from(&b"not really a png"[..]),
    }]);
    let site = tellyou::domains::SiteAddress::new("https://example.gov.uk/");
    let links = LinkIndex {
        page_urls: &page_urls,
        pages_by_url: &pages_by_url,
        assets: &assets,
        site: site.as_ref(),
    };
    let (_, errors) = markdown::render_despite_mistakes(&page, links);
    let _ = markdown::diagnostics(&page, &errors);
});
