//! Reads a council's file, checking every value (phone numbers, email and web
//! addresses, opening times, postcodes, dates, brand colours), then makes the
//! diagnostics for every problem found, with their lines.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use tellyou::config::council;
use tellyou::support::error::StageError;

fuzz_target!(|text: &str| {
    let (_, errors) = council::parse("eastmere", text);
    for error in &errors {
        let _ = error.to_diagnostic(Path::new("councils/eastmere.yaml"), Some(text));
    }
});
