//! Reads a project's `site.yaml` (title, address, brand, check settings), then makes
//! the diagnostics for every problem found, with their lines.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tellyou::config;
use tellyou::support::error::StageError;

fuzz_target!(|text: &str| {
    let (_, errors) = config::parse_site(text, None);
    for error in &errors {
        let _ = error.to_diagnostic(Path::new("site.yaml"), Some(text));
    }
});
