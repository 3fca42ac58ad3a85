//! The search index of a site built for the preview, put together after its pages
//! are served, so that a reload never waits for it. A preview build indexes each
//! page it changed, and finds the index in its memo, as any stage's value is
//! found; or else it hands back the pages indexed, for another thread to put the
//! index together while the editor reads the page. What that thread makes goes
//! back into the memo for the next build. Uses `search_index`, `page`, `memo` and
//! `error`.

use std::sync::Arc;

use crate::memo::MemoKey;
use crate::model::page::OutputFile;
use crate::stages::search_index::{self, IndexInput, SearchIndexError};
use crate::support::error::Diagnostic;

use super::Memos;

/// What a site's search index is made from, to be made later: each page indexed.
#[derive(Debug)]
pub struct PendingIndex {
    input: IndexInput,
}

/// A search index made away from the build, and the key of what it was made from.
#[derive(Debug)]
pub struct MadeIndex {
    key: blake3::Hash,
    made: Result<Arc<Vec<OutputFile>>, SearchIndexError>,
}

impl PendingIndex {
    pub(super) fn new(input: IndexInput) -> PendingIndex {
        PendingIndex { input }
    }

    /// Makes the index. It takes as long as putting the index together does in a
    /// build.
    pub fn make(self) -> MadeIndex {
        MadeIndex {
            key: self.input.memo_key(),
            made: search_index::search_index(
                &self.input,
                &search_index::Making {
                    compress: &|_, bytes| search_index::compressed(&bytes()),
                    gather: &|run| Arc::new(search_index::WordRun::gather(run)),
                },
            ),
        }
    }
}

impl MadeIndex {
    /// The files of the index, or why it could not be made.
    pub fn files(&self) -> Result<&[OutputFile], Box<Diagnostic>> {
        match &self.made {
            Ok(files) => Ok(files),
            Err(error) => Err(Box::new(error.to_site_diagnostic())),
        }
    }
}

impl Memos {
    /// Keeps an index made away from the build, for the next build to find.
    pub fn keep_index(&self, index: MadeIndex) {
        self.search_index.keep(index.key, index.made);
    }
}
