//! Integration tests: build the fixture sites under `tests/fixtures/` and check what
//! comes out, the HTML, the list of files and the exact text of every diagnostic. One
//! module for each area, with what they share in `helpers`.

#[path = "build/cache.rs"]
mod cache;
#[path = "build/check.rs"]
mod check;
#[path = "build/cli.rs"]
mod cli;
#[path = "build/councils.rs"]
mod councils;
#[path = "build/docs.rs"]
mod docs;
#[path = "build/every_diagnostic.rs"]
mod every_diagnostic;
#[path = "build/finding.rs"]
mod finding;
#[path = "build/helpers.rs"]
mod helpers;
#[path = "build/layering.rs"]
mod layering;
#[path = "build/output.rs"]
mod output;
#[path = "build/pages.rs"]
mod pages;
#[path = "build/print.rs"]
mod print;
#[path = "build/serve.rs"]
mod serve;
#[path = "build/services.rs"]
mod services;
#[path = "build/translations.rs"]
mod translations;
