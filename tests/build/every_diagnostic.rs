//! Every diagnostic tellyou can give has a fixture that gives it and a snapshot of its
//! exact message (see "Tests" in DESIGN.md): this lists every variant of every error
//! type in `src/`, by its `#[error(...)]` message, and fails for one whose message is
//! in no snapshot. A few errors come from the machine, not from anything a project or
//! a command can hold; they are listed, each with why. syn reads the source.

use std::fs;
use std::path::Path;

/// A variant of an error type, and the message it formats.
struct Variant {
    name: String,
    message: String,
    /// The literal words of the message, between the values put into it.
    pieces: Vec<String>,
}

/// Every variant of every `thiserror` error type in `src/`, except those that carry
/// another error through whole (`#[error(transparent)]`).
fn error_variants() -> Vec<Variant> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut variants = Vec::new();
    for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let path = entry.unwrap().into_path();
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let syntax = syn::parse_file(&fs::read_to_string(&path).unwrap()).unwrap();
        for item in &syntax.items {
            let syn::Item::Enum(item) = item else {
                continue;
            };
            for variant in &item.variants {
                let Some(message) = error_message(&variant.attrs) else {
                    continue;
                };
                variants.push(Variant {
                    name: format!("{}::{}", item.ident, variant.ident),
                    pieces: literal_pieces(&message),
                    message,
                });
            }
        }
    }
    variants
}

/// The format string of an `#[error("...")]` attribute.
fn error_message(attrs: &[syn::Attribute]) -> Option<String> {
    let attr = attrs.iter().find(|attr| attr.path().is_ident("error"))?;
    let syn::Meta::List(list) = &attr.meta else {
        return None;
    };
    let mut tokens = list.tokens.clone().into_iter();
    let first = syn::parse2::<syn::LitStr>(tokens.next()?.into()).ok()?;
    Some(first.value())
}

/// The words of a format string outside its `{...}` placeholders, each at least a
/// few characters long so that it says something.
fn literal_pieces(message: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = message;
    while !rest.is_empty() {
        let (piece, after) = match rest.find('{') {
            Some(open) => {
                let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
                (&rest[..open], &rest[close..])
            }
            None => (rest, ""),
        };
        if piece.trim().len() >= 3 {
            pieces.push(piece.to_owned());
        }
        rest = after;
    }
    pieces
}

/// Whether `text` has the pieces of a message, in order, on one line.
fn says(text: &str, pieces: &[String]) -> bool {
    text.lines().any(|line| {
        let mut from = 0;
        pieces
            .iter()
            .all(|piece| match line[from..].find(piece.as_str()) {
                Some(at) => {
                    from += at + piece.len();
                    true
                }
                None => false,
            })
    })
}

/// The errors no fixture can cause, and why.
const FROM_THE_MACHINE: [(&str, &str); 5] = [
    (
        "SearchIndexError::Pagefind",
        "Pagefind failing on HTML that tellyou made itself, or its runtime failing to start",
    ),
    (
        "ServeError::Server",
        "the preview's runtime failing to start or to accept connections",
    ),
    (
        "WatchError::Watch",
        "the system refusing to watch a folder, such as when its limit of watches is reached",
    ),
    ("WatchError::Stopped", "the system's file watcher ending"),
    (
        "OutputError::BadPath",
        "a guard against a bug: no stage makes a path that leaves the output folder",
    ),
];

#[test]
fn every_error_variant_s_message_is_in_a_snapshot() {
    let snapshots: Vec<String> =
        fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/build/snapshots"))
            .unwrap()
            .map(|entry| fs::read_to_string(entry.unwrap().path()).unwrap())
            .collect();
    let variants = error_variants();
    assert!(
        variants.len() > 50,
        "found only {} variants",
        variants.len()
    );
    let from_the_machine = |variant: &&Variant| {
        FROM_THE_MACHINE
            .iter()
            .any(|(name, _)| *name == variant.name)
    };
    for (name, _) in FROM_THE_MACHINE {
        assert!(
            variants.iter().any(|variant| variant.name == name),
            "{name} is listed as coming from the machine, but there is no such error"
        );
    }
    let in_a_snapshot =
        |variant: &&Variant| snapshots.iter().any(|text| says(text, &variant.pieces));
    let missing: Vec<String> = variants
        .iter()
        .filter(|variant| !variant.pieces.is_empty() && !from_the_machine(variant))
        .filter(|variant| !in_a_snapshot(variant))
        .map(|variant| format!("{}: {:?}", variant.name, variant.message))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} error variants are in no snapshot; add a fixture that gives each:\n{}",
        missing.len(),
        variants.len(),
        missing.join("\n")
    );
}
