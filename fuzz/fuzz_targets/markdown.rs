//! Renders a page's markdown, as the build does: link rewriting against a small site
//! of pages and files, care card and callout blocks, raw HTML, then the diagnostics
//! for every problem found, with their lines. The input is the page's body; its
//! front matter is always valid, so that the fuzzer spends its time on the markdown.
#![no_main]

use std::path::PathBuf;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use tellyou::stages::front_matter;
use tellyou::stages::load::page_source;
use tellyou::stages::markdown::{self, LinkIndex};
use tellyou::model::page::{AssetFile, Page};

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
    let pages = [
        ("_index.md", ""),
        ("crying/_index.md", "crying/"),
        ("crying/soothing.md", "crying/soothing/"),
        ("play/songs.md", "play/songs/"),
    ];
    let (assets, _) = tellyou::stages::assets::fingerprint(&[AssetFile {
        site_path: "crying/cot.png".into(),
        display_path: PathBuf::from("content/crying/cot.png"),
        bytes: Arc::from(&b"not really a png"[..]),
    }]);
    let links = LinkIndex::new(pages, &assets, "https://example.gov.uk/");
    let (_, errors) = markdown::render_despite_mistakes(&page, &links);
    let _ = markdown::diagnostics(&page, &errors);
});
