//! Gives the program a hash of the source it is built from, as
//! `TELLYOU_SOURCE_HASH`, so that a memo kept on disk by one build of tellyou is
//! never read by another: any change to the code, the default theme or the
//! locked dependencies changes it.

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
