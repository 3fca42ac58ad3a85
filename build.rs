//! Gives the program a hash of the source it is built from, as
//! `TELLYOU_SOURCE_HASH`, so that a memo kept on disk by one build of tellyou is
//! never read by another: any change to the code, the default theme or the
//! locked dependencies changes it. On Linux with the GNU C library it also links
//! the program at a fixed address, for the reason given at
//! [`link_at_a_fixed_address`].

use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

const SOURCES: &[&str] = &[
    "src",
    "themes/default",
    "docs/editors.md",
    "Cargo.toml",
    "Cargo.lock",
];

fn main() {
    link_at_a_fixed_address();
    let mut files = Vec::new();
    for source in SOURCES {
        println!("cargo:rerun-if-changed={source}");
        files_under(Path::new(source), &mut files);
    }
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in &files {
        hasher.write(file.to_string_lossy().as_bytes());
        hasher.write(&std::fs::read(file).unwrap_or_default());
    }
    println!(
        "cargo:rustc-env=TELLYOU_SOURCE_HASH={:016x}",
        hasher.finish()
    );
}

fn files_under(path: &Path, files: &mut Vec<PathBuf>) {
    match std::fs::read_dir(path) {
        Ok(entries) => entries
            .flatten()
            .for_each(|entry| files_under(&entry.path(), files)),
        Err(_) if path.is_file() => files.push(path.to_owned()),
        Err(_) => {}
    }
}

/// A program linked to load anywhere has its pointers to its own data set as it
/// starts. minify-html's table of character references holds 9.5 MB of them, so
/// every run wrote that much memory before doing anything: 10 ms of each run,
/// and 11 MB of each process's memory. Linked at a fixed address, those pointers
/// are set when the program is linked, and a run reads only the parts it uses.
/// The heap, the stack and the system's libraries still load at random
/// addresses.
fn link_at_a_fixed_address() {
    let target = |key: &str| std::env::var(key).unwrap_or_default();
    // With the GNU C library only, as measured: musl's programs are linked
    // statically to load anywhere, which this flag would change.
    if target("CARGO_CFG_TARGET_OS") == "linux" && target("CARGO_CFG_TARGET_ENV") == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
