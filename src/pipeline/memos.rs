//! The memos of the pipeline's stages, one for each stage that a rebuild can skip,
//! and the files read from disk; kept from one build to the next by the preview,
//! and from one run to the next in the cache folder by `build` and `check`. Uses
//! `load`, `templates` and `search_index` for what they make, `check`, `memo`,
//! `page`, `file_cache`, `shared_parts` and `error`, rayon to read the cache and
//! serde for what it holds.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::check;
use crate::check::html::{FileResult, Scan};
use crate::memo::{CacheError, Keep, Memo, MemoKey};
use crate::model::page::{FrontMatter, OutputFile, RenderedPage};
use crate::stages::load;
use crate::stages::search_index::{IndexedPage, Scripts, SearchIndexError, WordRun};
use crate::stages::templates::render::{GuideItems, Standalone, StandalonePage};
use crate::stages::templates::{Parsed, Templates};
use crate::support::error::Diagnostic;
use crate::support::file_cache::{Changes, FileCache, ReadBefore, StampedFile};
use crate::support::shared_parts::{DistinctParts, PartId, Shared, SharedRun};

/// The files read from disk, kept from one build for the next, so that a rebuild
/// reads again only the files that changed on disk.
#[derive(Debug, Default)]
pub(super) struct FilesRead {
    pub(super) texts: FileCache<load::Text>,
    pub(super) bytes: FileCache<Arc<[u8]>>,
    /// What a watcher saw change since the last build, if it said; the next build
    /// uses it up.
    pub(super) noted: Option<Changes>,
}

/// The memo of each stage, kept from one build to the next by the preview so that a
/// rebuild redoes only what changed, and the files read from disk.
pub struct Memos {
    /// The files read from disk, by their stamps: loading reads again only what
    /// changed on disk.
    pub(super) files: FilesRead,
    /// The text files earlier runs read, by their paths and stamps: kept only in
    /// the cache folder, for a new process, as `files` keeps them for the preview.
    pub(super) source_texts: Memo<load::Text>,
    pub(super) stylesheets: Memo<Arc<[u8]>>,
    pub(super) front_matter: Memo<(Arc<FrontMatter>, Vec<Diagnostic>)>,
    pub(super) markdown: Memo<(Arc<RenderedPage>, Vec<Diagnostic>)>,
    pub(super) page_checks: Memo<Arc<check::PageFindings>>,
    /// The template files parsed, which the templates of sites with other assets
    /// share.
    pub(super) parsed_templates: Memo<Result<Arc<Parsed>, Vec<Diagnostic>>>,
    pub(super) templates: Memo<Result<Arc<Templates>, Vec<Diagnostic>>>,
    pub(super) guide_items: Memo<Result<Option<Arc<GuideItems>>, Vec<Diagnostic>>>,
    /// The shared items of every guide's contents list, finished: one run of parts,
    /// which the cache keeps by their ids.
    pub(super) guide_lists: Memo<SharedRun>,
    pub(super) pages: Memo<Result<OutputFile, Box<Diagnostic>>>,
    /// The parts many pages share, each finished once: kept whatever the build, so
    /// that each is held once however many pages have it. The cache keeps each
    /// part of the pages it keeps here, once.
    pub(super) shared_parts: Memo<Shared>,
    pub(super) html_scans: Memo<Arc<Scan>>,
    pub(super) html_checks: Memo<Arc<FileResult>>,
    /// Each page as the search index holds it.
    pub(super) search_pages: Memo<Arc<IndexedPage>>,
    /// Each run of a language's pages, its words gathered, by its pages' keys.
    pub(super) search_runs: Memo<Arc<WordRun>>,
    /// Pagefind's scripts for the languages of a site.
    pub(super) search_scripts: Memo<Result<Arc<Scripts>, SearchIndexError>>,
    /// Each file of the search index, compressed, by its bytes before.
    pub(super) search_files: Memo<Arc<[u8]>>,
    pub(super) search_index: Memo<Result<Arc<Vec<OutputFile>>, SearchIndexError>>,
    /// The pages not made from content, rendered, but the A to Z.
    pub(super) standalone_html: Memo<Standalone>,
    /// The pages not made from content, finished.
    pub(super) standalone_pages: Memo<OutputFile>,
    pub(super) a_z_pages: Memo<Vec<Result<StandalonePage, Box<Diagnostic>>>>,
    /// What the check of every page's place in the A to Z found.
    pub(super) a_z_check: Memo<Arc<Vec<Diagnostic>>>,
    /// What a check of the same files and settings reported.
    pub(super) check_reports: Memo<check::CheckReport>,
    /// Each file's fingerprint, as the output's manifest gives it.
    pub(super) fingerprints: Memo<String>,
}

impl Memos {
    /// Memos for one build with no rebuild after it: they keep nothing, so that each
    /// page is held once, as it is minified.
    pub fn for_one_build() -> Memos {
        Memos::keeping(Keep::Nothing)
    }

    /// Memos for a build and the rebuilds after it.
    pub fn for_rebuilds() -> Memos {
        Memos::keeping(Keep::ForRebuilds)
    }

    fn keeping(keep: Keep) -> Memos {
        Memos {
            files: FilesRead::default(),
            source_texts: Memo::new("source files", Keep::Nothing),
            stylesheets: Memo::new("minify stylesheets", keep),
            front_matter: Memo::new("front matter", keep),
            markdown: Memo::new("markdown", keep),
            page_checks: Memo::new("content checks", keep),
            parsed_templates: Memo::new("parse templates", keep),
            templates: Memo::new("templates", keep),
            guide_items: Memo::new("guide items", keep),
            guide_lists: Memo::new("finish guide items", keep),
            pages: Memo::new("render and minify pages", keep),
            shared_parts: Memo::new("shared parts", Keep::ForRebuilds),
            html_scans: Memo::new("HTML check: read pages", keep),
            html_checks: Memo::new("HTML check: check pages", keep),
            search_pages: Memo::new("search index pages", keep),
            search_runs: Memo::new("search index runs", keep),
            search_scripts: Memo::new("search scripts", keep),
            search_files: Memo::new("search index files", keep),
            search_index: Memo::new("search index", keep),
            standalone_html: Memo::new("render standalone pages", keep),
            standalone_pages: Memo::new("finish standalone pages", keep),
            a_z_pages: Memo::new("A to Z and search pages", keep),
            a_z_check: Memo::new("A to Z check", keep),
            check_reports: Memo::new("check reports", keep),
            fingerprints: Memo::new("fingerprints", keep),
        }
    }

    /// Memos for a run of `build` or `check` that find what earlier runs kept in
    /// the cache folder `folder`, and keep what this run makes, for
    /// [`Memos::save`]. Each stage's files are read when the stage first wants
    /// them. What cannot be written, such as compiled templates, is kept for this
    /// run alone.
    pub fn from_cache(folder: &Path) -> Memos {
        let mut memos = Memos::for_rebuilds();
        crate::memo::remove_killed_writes(folder);
        memos.source_texts.read_disk(folder);
        memos.shared_parts.read_disk(folder);
        memos.stylesheets.read_disk(folder);
        memos.front_matter.read_disk(folder);
        memos.markdown.read_disk(folder);
        memos.page_checks.read_disk(folder);
        memos.guide_items.read_disk(folder);
        memos.guide_lists.read_disk(folder);
        memos.pages.read_disk(folder);
        memos.html_scans.read_disk(folder);
        memos.html_checks.read_disk(folder);
        memos.search_pages.read_disk(folder);
        memos.search_runs.read_disk(folder);
        memos.search_scripts.read_disk(folder);
        memos.search_files.read_disk(folder);
        memos.search_index.read_disk(folder);
        memos.standalone_html.read_disk(folder);
        memos.standalone_pages.read_disk(folder);
        memos.a_z_pages.read_disk(folder);
        memos.a_z_check.read_disk(folder);
        memos.check_reports.read_disk(folder);
        memos.fingerprints.read_disk(folder);
        memos
    }

    /// Lets go of what the cache does not keep, such as compiled templates: for
    /// memos kept after their build only to be saved.
    pub fn keep_only_what_is_saved(&mut self) {
        let fresh = Memos::for_rebuilds();
        self.files = fresh.files;
        self.parsed_templates = fresh.parsed_templates;
        self.templates = fresh.templates;
    }

    /// Reads now, in parallel, what the disk holds for every stage: before the
    /// stages run, each on many threads at once. The shared parts are read first,
    /// then the guides' lists: the lists name parts, and the pages name both.
    pub fn read_disk_now(&self) {
        self.shared_parts.read_now();
        self.guide_lists.read_now();
        (self.saved_stages(&[]))
            .par_iter()
            .for_each(|stage| stage.read_now());
    }

    /// Has the memos that share these ([`Memos::sharing`]) share, as they make
    /// them, what councils' sites most often have in common: the templates each
    /// parses, as they have the same template files, and the search index's files
    /// each compresses, as most of their pages are the same.
    pub fn share_what_councils_have_in_common(&mut self) {
        self.parsed_templates.share_what_is_made();
        self.search_files.share_what_is_made();
    }

    /// Memos that start from what these started from, for a build run beside this
    /// one's: a council's, in `build --all`. They read files from disk afresh.
    pub fn sharing(&self) -> Memos {
        Memos {
            files: FilesRead::default(),
            source_texts: self.source_texts.sharing(),
            stylesheets: self.stylesheets.sharing(),
            front_matter: self.front_matter.sharing(),
            markdown: self.markdown.sharing(),
            page_checks: self.page_checks.sharing(),
            parsed_templates: self.parsed_templates.sharing(),
            templates: self.templates.sharing(),
            guide_items: self.guide_items.sharing(),
            guide_lists: self.guide_lists.sharing(),
            pages: self.pages.sharing(),
            shared_parts: self.shared_parts.sharing(),
            html_scans: self.html_scans.sharing(),
            html_checks: self.html_checks.sharing(),
            search_pages: self.search_pages.sharing(),
            search_runs: self.search_runs.sharing(),
            search_scripts: self.search_scripts.sharing(),
            search_files: self.search_files.sharing(),
            search_index: self.search_index.sharing(),
            standalone_html: self.standalone_html.sharing(),
            standalone_pages: self.standalone_pages.sharing(),
            a_z_pages: self.a_z_pages.sharing(),
            a_z_check: self.a_z_check.sharing(),
            check_reports: self.check_reports.sharing(),
            fingerprints: self.fingerprints.sharing(),
        }
    }

    /// Writes to the cache folder `folder` what the run of these memos, and of
    /// those `beside` them, used, for the next run to find; gives the files that
    /// could not be read or written.
    pub fn save(&self, folder: &Path, beside: &[&Memos]) -> Vec<CacheError> {
        self.keep_parts_of_pages(beside);
        let mut problems = Vec::new();
        self.each_saved(beside, |memo| problems.extend(memo.save(folder)));
        problems
    }

    /// Adds to the cache folder `folder` what the runs of these memos and of those
    /// `beside` them made, replacing nothing, for runs made in turns; gives the
    /// files that could not be written, and the keys used, for [`Memos::tidy`].
    pub fn add(&self, folder: &Path, beside: &[&Memos]) -> (Vec<CacheError>, UsedKeys) {
        self.keep_parts_of_pages(beside);
        let mut problems = Vec::new();
        let mut used = UsedKeys::default();
        self.each_saved(beside, |memo| {
            let (found, keys) = memo.add(folder);
            problems.extend(found);
            used.0.push(keys);
        });
        (problems, used)
    }

    /// Tidies the cache folder `folder` after runs made in turns, which used `used`.
    pub fn tidy(&self, folder: &Path, used: &[UsedKeys]) -> Vec<CacheError> {
        let mut problems = Vec::new();
        let mut stage = 0;
        self.each_saved(&[], |memo| {
            let keys = (used.iter())
                .flat_map(|run| run.0.get(stage).into_iter().flatten().copied())
                .collect();
            problems.extend(memo.tidy(folder, &keys));
            stage += 1;
        });
        problems
    }

    /// Has the shared parts' memo keep every part of the pages and guides' lists
    /// that these memos and those `beside` them keep, found or made, so that the
    /// cache keeps them too.
    fn keep_parts_of_pages(&self, beside: &[&Memos]) {
        let mut parts = DistinctParts::default();
        for memos in std::iter::once(self).chain(beside.iter().copied()) {
            let mut note = |file: &OutputFile| parts.note(&file.body);
            memos
                .pages
                .for_each_used(|page| page.iter().for_each(&mut note));
            memos.standalone_pages.for_each_used(&mut note);
            (memos.guide_lists).for_each_used(|list| parts.note_run(&list.0));
        }
        let parts = parts.into_parts();
        self.shared_parts.make_room(parts.len());
        for part in parts {
            let PartId(key) = part.id;
            self.shared_parts.keep(key, Shared(part));
        }
    }

    /// Calls `act` for each stage the cache keeps, with that stage's memo here and
    /// in `beside`.
    fn each_saved(&self, beside: &[&Memos], act: impl FnMut(&Box<dyn SavedStage + '_>)) {
        self.saved_stages(beside).iter().for_each(act);
    }

    /// Each stage the cache keeps, with that stage's memo here and in `beside`.
    fn saved_stages<'m>(&'m self, beside: &[&'m Memos]) -> Vec<Box<dyn SavedStage + 'm>> {
        vec![
            // Before the lists and pages, which name them: a run killed between them
            // leaves parts that nothing names, not pages whose parts are lost.
            Box::new((&self.shared_parts, stage_of(beside, |m| &m.shared_parts))),
            Box::new((&self.guide_lists, stage_of(beside, |m| &m.guide_lists))),
            Box::new((&self.source_texts, stage_of(beside, |m| &m.source_texts))),
            Box::new((&self.stylesheets, stage_of(beside, |m| &m.stylesheets))),
            Box::new((&self.front_matter, stage_of(beside, |m| &m.front_matter))),
            Box::new((&self.markdown, stage_of(beside, |m| &m.markdown))),
            Box::new((&self.page_checks, stage_of(beside, |m| &m.page_checks))),
            Box::new((&self.guide_items, stage_of(beside, |m| &m.guide_items))),
            Box::new((&self.pages, stage_of(beside, |m| &m.pages))),
            Box::new((&self.html_scans, stage_of(beside, |m| &m.html_scans))),
            Box::new((&self.html_checks, stage_of(beside, |m| &m.html_checks))),
            Box::new((&self.search_pages, stage_of(beside, |m| &m.search_pages))),
            Box::new((&self.search_runs, stage_of(beside, |m| &m.search_runs))),
            Box::new((
                &self.search_scripts,
                stage_of(beside, |m| &m.search_scripts),
            )),
            Box::new((&self.search_files, stage_of(beside, |m| &m.search_files))),
            Box::new((&self.search_index, stage_of(beside, |m| &m.search_index))),
            Box::new((
                &self.standalone_html,
                stage_of(beside, |m| &m.standalone_html),
            )),
            Box::new((
                &self.standalone_pages,
                stage_of(beside, |m| &m.standalone_pages),
            )),
            Box::new((&self.a_z_pages, stage_of(beside, |m| &m.a_z_pages))),
            Box::new((&self.a_z_check, stage_of(beside, |m| &m.a_z_check))),
            Box::new((&self.check_reports, stage_of(beside, |m| &m.check_reports))),
            Box::new((&self.fingerprints, stage_of(beside, |m| &m.fingerprints))),
        ]
    }

    /// Tells the next build which files and folders changed since the last one, as
    /// a watcher saw them, so that it need not look at the others; `None` says that
    /// anything may have changed. Files reached through symbolic links, which a
    /// watcher may not see, are looked at anyway.
    pub fn note_changes(&mut self, paths: Option<Vec<PathBuf>>) {
        let noted = &mut self.files.noted;
        match (paths, noted.as_mut()) {
            (Some(paths), Some(noted)) => noted.add(paths),
            (Some(paths), None) => *noted = Some(Changes::Only(paths.into_iter().collect())),
            (None, _) => *noted = Some(Changes::Unknown),
        }
    }

    /// Starts a build: what the last one used is what this one may find.
    pub(super) fn next_build(&mut self) {
        self.source_texts.next_build();
        self.stylesheets.next_build();
        self.front_matter.next_build();
        self.markdown.next_build();
        self.page_checks.next_build();
        self.parsed_templates.next_build();
        self.templates.next_build();
        self.guide_items.next_build();
        self.guide_lists.next_build();
        self.pages.next_build();
        self.shared_parts.next_build();
        self.html_scans.next_build();
        self.html_checks.next_build();
        self.search_pages.next_build();
        self.search_runs.next_build();
        self.search_scripts.next_build();
        self.search_files.next_build();
        self.search_index.next_build();
        self.standalone_html.next_build();
        self.standalone_pages.next_build();
        self.a_z_pages.next_build();
        self.a_z_check.next_build();
        self.check_reports.next_build();
        self.fingerprints.next_build();
    }
}

/// A file, unchanged, holds what it held when it was read.
impl MemoKey for StampedFile<'_> {
    fn memo_key(&self) -> blake3::Hash {
        self.key()
    }
}

impl ReadBefore<load::Text> for Memo<load::Text> {
    /// A text found is held as used, for the cache to keep it.
    fn find(&self, file: &StampedFile) -> Option<load::Text> {
        self.find_used(file)
    }

    fn keep(&self, file: &StampedFile, text: &load::Text) {
        Memo::keep(self, file.memo_key(), text.clone());
    }
}

/// The keys each stage's memo used in a run, in the order of [`Memos::each_saved`].
#[derive(Debug, Default)]
pub struct UsedKeys(Vec<Vec<blake3::Hash>>);

/// One stage's memo in a run, with the same stage's memos of the runs beside it.
trait SavedStage: Sync {
    fn read_now(&self);
    fn save(&self, folder: &Path) -> Vec<CacheError>;
    fn add(&self, folder: &Path) -> (Vec<CacheError>, Vec<blake3::Hash>);
    fn tidy(&self, folder: &Path, used: &HashSet<blake3::Hash>) -> Vec<CacheError>;
}

impl<V> SavedStage for (&Memo<V>, Vec<&Memo<V>>)
where
    V: Clone + PartialEq + Send + Sync + Serialize + DeserializeOwned,
{
    fn read_now(&self) {
        self.0.read_now();
    }

    fn save(&self, folder: &Path) -> Vec<CacheError> {
        self.0.save(folder, &self.1)
    }

    fn add(&self, folder: &Path) -> (Vec<CacheError>, Vec<blake3::Hash>) {
        self.0.add(folder, &self.1)
    }

    fn tidy(&self, folder: &Path, used: &HashSet<blake3::Hash>) -> Vec<CacheError> {
        self.0.tidy(folder, used)
    }
}

/// The memo of one stage in each of `memos`.
fn stage_of<'m, V>(
    memos: &[&'m Memos],
    stage: impl Fn(&'m Memos) -> &'m Memo<V>,
) -> Vec<&'m Memo<V>> {
    memos.iter().map(|m| stage(m)).collect()
}
