//! Splits and reads a page's front matter, as loading gives it, as well as it can be
//! read (as the build does), then makes the diagnostics for every problem found,
//! with their lines; the body must start inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tellyou::stages::front_matter;
use tellyou::stages::load::page_source;

fuzz_target!(|text: &str| {
    let source = page_source("crying/soothing.md", text);
    let (front, errors) = front_matter::read(&source);
    assert!(front.body_start <= source.text.len());
    let _ = front_matter::diagnostics(&source, &errors);
});
