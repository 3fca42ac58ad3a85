//! Reads a project's `site.yaml` (title, address, brand, check settings), then makes
//! the diagnostics for every problem found, with their lines.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = tellyou::fuzzing::site_settings(text);
});
