//! Splits and reads a page's front matter, as loading gives it, as well as it can be
//! read (as the build does), then makes the diagnostics for every problem found,
//! with their lines; the body must start inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let read = tellyou::fuzzing::front_matter(text);
    assert!(read.body_start <= read.text_len);
});
