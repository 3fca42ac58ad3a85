//! The build record: what a build leaves beside the site it wrote, so that the next
//! build can tell it would make the same site and stop early. It holds one key for
//! everything a build reads (the tellyou program itself, the settings, the options,
//! today's date and every file loaded) and what the build reported: its counts and
//! warnings, which the next build prints again. Uses `config`, `load`, `error`,
//! `memo` and `cache_key`; serde_json writes it.

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::memo::MemoKey;
use crate::stages::load::Loaded;
use crate::support::cache_key;
use crate::support::error::Diagnostic;

/// What one successful build read and reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildRecord {
    /// The hex key of everything the build read; see [`inputs_key`].
    pub inputs: String,
    pub pages: usize,
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
}

impl BuildRecord {
    pub fn to_text(&self) -> String {
        // Room for about a kilobyte a warning, made at once: memory never written
        // costs nothing, and a text grown again and again is copied each time.
        let mut text = Vec::with_capacity(1024 * (self.warnings.len() + 1));
        // A record is plain data with string keys, which always serialises.
        match serde_json::to_writer(&mut text, self) {
            Ok(()) => String::from_utf8(text).unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Reads a record written by [`BuildRecord::to_text`]; a record from another
    /// version of tellyou, or damaged, reads as none, and the site is built again.
    pub fn from_text(text: &str) -> Option<BuildRecord> {
        serde_json::from_str(text).ok()
    }
}

/// Everything a build or a check reads, by its key.
pub struct Inputs(pub blake3::Hash);

impl MemoKey for Inputs {
    fn memo_key(&self) -> blake3::Hash {
        self.0
    }
}

/// A key for everything a build of `config` reads: two builds with the same key
/// make the same site and the same warnings. `loading` is what loading reported.
pub fn inputs_key(config: &Config, loaded: &Loaded, loading: &[Diagnostic]) -> blake3::Hash {
    cache_key::of([
        cache_key::program().as_bytes(),
        config.memo_key().as_bytes(),
        loaded.memo_key().as_bytes(),
        &serde_json::to_vec(loading).unwrap_or_default(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::error::Position;

    #[test]
    fn a_record_reads_back_as_written() {
        let record = BuildRecord {
            inputs: "ab12".into(),
            pages: 3,
            files: 7,
            warnings: vec![
                Diagnostic::warning("content/a.md", "a warning")
                    .with_hint("a hint")
                    .at("line one\nline two\n", Position { line: 2, col: 3 }),
            ],
        };
        assert_eq!(BuildRecord::from_text(&record.to_text()), Some(record));
    }

    #[test]
    fn a_damaged_record_reads_as_none() {
        assert_eq!(BuildRecord::from_text("{\"inputs\": 3"), None);
        assert_eq!(BuildRecord::from_text(""), None);
    }
}
