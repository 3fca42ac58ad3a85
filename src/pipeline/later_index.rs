//! The search index of a site built for the preview, made after its pages are
//! served, so that a reload never waits for it. A preview build finds the index in
//! its memo, as any stage's value is found; or else it hands back what the index
//! is made from, owned, for another thread to make it while the editor reads the
//! page. What that thread makes goes back into the memo for the next build. Uses
//! `search_index`, `config`, `page`, `site`, `memo` and `error`, and rayon.

use std::sync::Arc;

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::memo::MemoKey;
use crate::model::page::{OutputFile, RenderedPage};
use crate::model::site::Site;
use crate::stages::search_index::{self, IndexInput, SearchIndexError};
use crate::support::error::Diagnostic;

use super::Memos;

/// What a site's search index is made from, to be made later.
#[derive(Debug)]
pub struct PendingIndex {
    config: SiteConfig,
    site: Site,
    markdown: Vec<Arc<RenderedPage>>,
}

/// A search index made away from the build, and the key of what it was made from.
#[derive(Debug)]
pub struct MadeIndex {
    key: blake3::Hash,
    made: Result<Arc<Vec<OutputFile>>, SearchIndexError>,
}

impl PendingIndex {
    /// The index of `site` to make later, if it is; or else nothing, and the
    /// pages' markdown, in their HTML now, is let go at once.
    pub(super) fn if_later(
        later: bool,
        config: &SiteConfig,
        site: Site,
        markdown: Vec<Arc<RenderedPage>>,
    ) -> Option<PendingIndex> {
        if !later {
            markdown.into_par_iter().for_each(drop);
            return None;
        }
        Some(PendingIndex {
            config: config.clone(),
            site,
            markdown,
        })
    }

    fn input(&self) -> IndexInput<'_> {
        IndexInput {
            config: &self.config,
            site: &self.site,
            markdown: &self.markdown,
        }
    }

    /// Makes the index. It takes as long as the index does in a build.
    pub fn make(self) -> MadeIndex {
        let input = self.input();
        MadeIndex {
            key: input.memo_key(),
            made: search_index::search_index(&input),
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
