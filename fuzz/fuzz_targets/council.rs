//! Reads a council's file, checking every value (phone numbers, email and web
//! addresses, opening times, postcodes, dates, brand colours), then makes the
//! diagnostics for every problem found, with their lines.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = tellyou::fuzzing::council(text);
});
