//! Splits and parses a page's front matter, as loading gives it, then makes the
//! diagnostics for every problem found, with their lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tellyou::front_matter;
use tellyou::load::page_source;

fuzz_target!(|text: &str| {
    let source = page_source("crying/soothing.md", text);
    if let Err(errors) = front_matter::parse(&source) {
        let _ = front_matter::diagnostics(&source, &errors);
    }
});
