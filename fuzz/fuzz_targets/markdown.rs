//! Renders a page's markdown, as the build does: link rewriting against a small site
//! of pages and files, care card and callout blocks, raw HTML, then the diagnostics
//! for every problem found, with their lines. The input is the page's body; its
//! front matter is always valid, so that the fuzzer spends its time on the markdown.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &str| {
    let _ = tellyou::fuzzing::markdown(body);
});
