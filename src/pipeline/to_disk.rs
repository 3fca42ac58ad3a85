//! The runs that write to disk: a build, and `build --all`, each writing its site
//! to the output folder and keeping its memos in the cache folder beside it, for
//! the next run. A build whose inputs have not changed since the last writes
//! nothing. Uses the stages `load` and `output`, and `config`, `memo` and `error`.

use std::panic::resume_unwind;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::config::Config;
use crate::memo;
use crate::stages::{load, output};
use crate::support::error::{Diagnostic, Errors, StageError};

use super::{Memos, Purpose, RenderedSite, build_loaded, fail, load_project, record};

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub out_dir: PathBuf,
    pub warnings: Vec<Diagnostic>,
    /// Nothing was built: the output already held the site these inputs make.
    pub unchanged: bool,
}

/// Builds the site and writes it to the output folder, replacing the old site only
/// if everything succeeded. When the output folder holds, untouched, the site of a
/// build that read exactly the same files and settings, nothing is built: that
/// build's warnings are reported again. Otherwise the build finds in the cache
/// folder beside the output what earlier runs made, and leaves there what it made.
pub fn build(config: &Config) -> Result<BuildReport, Errors> {
    build_then(config, Afterwards::LetGo)
}

/// Builds the site as [`build`] does, for a program that ends once it has said how
/// the build went: what the build held is left for the system to take back then.
pub fn build_before_the_program_ends(config: &Config) -> Result<BuildReport, Errors> {
    build_then(config, Afterwards::ProgramEnds)
}

fn build_then(config: &Config, afterwards: Afterwards) -> Result<BuildReport, Errors> {
    let cache = output::cache_folder(&config.out_dir);
    let memos = || Memos::from_cache(&cache);
    let (outcome, memos) = build_from(config, memos, (Some(&cache), afterwards));
    afterwards.let_go(memos);
    outcome
}

/// What becomes of what a build held, its memos and files, once it is done with
/// them.
#[derive(Clone, Copy)]
enum Afterwards {
    /// They are let go on a thread of their own: a large site's take a while to
    /// free, which the caller need not wait for.
    LetGo,
    /// They are left for the system to take back when the program ends, which it
    /// does next. Freeing them value by value would only cost time, and the
    /// allocator would give the memory back to the system as the program ends.
    ProgramEnds,
}

impl Afterwards {
    fn let_go<T: Send + 'static>(self, value: T) {
        match self {
            Afterwards::LetGo => drop(std::thread::spawn(move || drop(value))),
            Afterwards::ProgramEnds => std::mem::forget(value),
        }
    }
}

/// What [`build_from`] did: how the build went, and the memos it used, if it built
/// anything.
type Built = (Result<BuildReport, Errors>, Option<Memos>);

/// Builds the site as [`build`] does, with the memos `memos` makes, which also find
/// the files earlier runs read, and gives them back with what the build did, if it
/// built anything. With `save_to`, what the memos hold is saved in that cache
/// folder as the site is written. What the build holds and does not give back
/// becomes what `afterwards` says.
fn build_from(
    config: &Config,
    memos: impl FnOnce() -> Memos,
    (save_to, afterwards): (Option<&Path>, Afterwards),
) -> Built {
    if let Err(e) = output::check_out_dir(&config.root, &config.out_dir) {
        return (
            Err(fail(vec![e.to_diagnostic(&config.out_dir, None)])),
            None,
        );
    }
    // The site before last, which the build writes over, is looked over while the
    // project is read, which keeps one processor busy at most.
    let no_build = Arc::new(AtomicBool::new(false));
    let looking_over = {
        let (out_dir, no_build) = (config.out_dir.clone(), Arc::clone(&no_build));
        std::thread::spawn(move || output::SiteBeforeLast::look_over(&out_dir, &no_build))
    };
    let mut memos = memos();
    let (loaded, loading) = load_project(config, &mut memos);
    let inputs = record::inputs_key(config, &loaded, &loading)
        .to_hex()
        .to_string();
    let previous = output::recorded_build(&config.out_dir, |text| {
        record::BuildRecord::from_text(text).filter(|record| record.inputs == inputs)
    });
    if let Some(record) = previous {
        no_build.store(true, Ordering::Relaxed);
        afterwards.let_go(memos);
        return (unchanged(config, record, (loaded, loading)), None);
    }
    memos.read_disk_now();
    let save = |memos: &Memos| {
        save_to
            .map(|folder| memos.save(folder, &[]))
            .unwrap_or_default()
    };
    let site = match build_loaded(config, (loaded, loading), Purpose::Site, &mut memos) {
        Ok(site) => site,
        Err(errors) => {
            let unsaved = cache_warnings(&save(&memos), &config.root);
            let errors = fail(Diagnostic::sorted_together(errors.diagnostics, unsaved));
            return (Err(errors), Some(memos));
        }
    };
    let record = record::BuildRecord {
        inputs,
        pages: site.pages,
        files: site.files.len(),
        warnings: site.warnings,
    };
    // A file made from the same key as one before has the same bytes: its
    // fingerprint is found, not made again from its bytes. The record, which says
    // every warning again, is written out meanwhile.
    let (fingerprints, record_text) = rayon::join(
        || memos.fingerprints.each(&site.files, output::fingerprint),
        || record.to_text(),
    );
    let (written, unsaved) = std::thread::scope(|scope| {
        let saving = scope.spawn(|| save(&memos));
        let files = (&site.files[..], &fingerprints[..]);
        let looked_over = looking_over.join().ok();
        let record = &record_text;
        let written = output::write_site_with(&config.out_dir, files, record, looked_over)
            .map_err(|e| fail(vec![e.to_diagnostic(&config.out_dir, None)]));
        (written, saving.join().unwrap_or_else(|e| resume_unwind(e)))
    });
    let built = written.map(|()| BuildReport::of(record, config, false));
    afterwards.let_go(site.files);
    (
        with_cache_problems(built, &unsaved, &config.root),
        Some(memos),
    )
}

/// What a build did, with the cache files that could not be used said as warnings
/// too.
fn with_cache_problems(
    outcome: Result<BuildReport, Errors>,
    problems: &[memo::CacheError],
    root: &std::path::Path,
) -> Result<BuildReport, Errors> {
    let said = cache_warnings(problems, root);
    match outcome {
        Ok(mut report) => {
            report.warnings = Diagnostic::sorted_together(report.warnings, said);
            Ok(report)
        }
        Err(errors) => Err(fail(Diagnostic::sorted_together(errors.diagnostics, said))),
    }
}

/// The cache files that could not be used, as warnings, each at its path from the
/// project folder `root`.
pub(super) fn cache_warnings(
    problems: &[memo::CacheError],
    root: &std::path::Path,
) -> Vec<Diagnostic> {
    let said = problems.iter().map(|problem| {
        let file = problem.file();
        problem.to_diagnostic(file.strip_prefix(root).unwrap_or(file), None)
    });
    Diagnostic::sorted(said.collect())
}

impl BuildReport {
    /// The report of the build that `record` tells of, which wrote `config`'s output
    /// folder now, or earlier if `unchanged`.
    fn of(record: record::BuildRecord, config: &Config, unchanged: bool) -> BuildReport {
        BuildReport {
            pages: record.pages,
            files: record.files,
            out_dir: config.out_dir.clone(),
            warnings: record.warnings,
            unchanged,
        }
    }
}

/// The report of a build that found the output folder holding the site of the
/// build `record` tells of, whose inputs were what was `loaded` now. With
/// `TELLYOU_VERIFY_MEMO=1`, the site is made again and must be the same.
fn unchanged(
    config: &Config,
    record: record::BuildRecord,
    loaded: (load::Loaded, Vec<Diagnostic>),
) -> Result<BuildReport, Errors> {
    if memo::verifying() {
        let mut memos = Memos::for_one_build();
        let site = build_loaded(config, loaded, Purpose::Site, &mut memos)?;
        verify_unchanged(config, &record, site);
    }
    output::remove_killed_builds(&config.out_dir);
    Ok(BuildReport::of(record, config, true))
}

/// Stops the program if `site`, made now, is not what the output folder holds from
/// an earlier build with the same inputs, as its `record` says: the build record's
/// key leaves out something a build reads. Only with `TELLYOU_VERIFY_MEMO=1`.
fn verify_unchanged(config: &Config, record: &record::BuildRecord, site: RenderedSite) {
    let same_files = site.files.iter().all(|file| {
        std::fs::read(config.out_dir.join(&file.path)).is_ok_and(|bytes| bytes == *file.contents())
    });
    let same_record = (site.pages, site.files.len(), &site.warnings)
        == (record.pages, record.files, &record.warnings);
    assert!(
        same_files && same_record,
        "TELLYOU_VERIFY_MEMO: the output folder holds a build with the same inputs as this \
         one, but this one makes a different site: the build record's key leaves out \
         something a build reads"
    );
}

/// How many councils `build --all` builds before it adds what they made to the
/// cache and lets it go.
const COUNCILS_AT_ONCE: usize = 16;

/// How one council's build went, in [`build_councils`].
#[derive(Debug)]
pub struct CouncilBuild {
    pub slug: String,
    pub outcome: Result<BuildReport, Errors>,
}

/// How `build --all` went: each council's build, in the order of the councils, the
/// sites removed because their council's file is gone, and the cache files that
/// could not be used, as warnings.
#[derive(Debug)]
pub struct CouncilBuilds {
    pub builds: Vec<CouncilBuild>,
    pub removed: Vec<String>,
    pub cache_warnings: Vec<Diagnostic>,
}

/// Builds the site of every council in `slugs` into its own folder, `<out>/<slug>/`,
/// in parallel, each replaced only if its own build succeeds, and removes the sites
/// of councils no longer in `slugs`. `done` is called as each one finishes, from
/// whichever thread built it. The builds share one cache folder, beside `<out>`, so
/// that what does not depend on the council is made once for them all. The error is
/// for an output folder that cannot be used.
pub fn build_councils(
    options: &crate::config::BuildOptions,
    slugs: &[String],
    done: impl Fn(&CouncilBuild) + Sync,
) -> Result<CouncilBuilds, Errors> {
    let out = options.out_dir();
    let removed = output::check_out_dir(&options.root, &out)
        .and_then(|()| output::prepare_folder_of_sites(&out))
        .and_then(|()| output::remove_sites_except(&out, slugs))
        .map_err(|error| fail(vec![error.to_diagnostic(&out, None)]))?;
    let cache = output::cache_folder(&out);
    // Read before the councils are built in parallel: a council's thread reading
    // it while another's waits could be handed that other's build, and wait on
    // itself.
    let mut shared = Memos::from_cache(&cache);
    shared.share_what_councils_have_in_common();
    shared.read_disk_now();
    let build_one = |slug: &String| {
        let options = crate::config::BuildOptions {
            out_dir: Some(out.join(slug)),
            council: Some(slug.clone()),
            ..options.clone()
        };
        let (outcome, mut memos) = match crate::config::load(&options) {
            Ok(config) => build_from(&config, || shared.sharing(), (None, Afterwards::LetGo)),
            Err(diagnostics) => (Err(fail(diagnostics)), None),
        };
        memos.iter_mut().for_each(Memos::keep_only_what_is_saved);
        let result = CouncilBuild {
            slug: slug.clone(),
            outcome,
        };
        done(&result);
        (result, memos)
    };
    // The councils are built a few at a time, and what each few made is added to
    // the cache before the next few start, so that memory holds only theirs.
    let (mut builds, mut used, mut problems) = (Vec::new(), Vec::new(), Vec::new());
    for few in slugs.chunks(COUNCILS_AT_ONCE) {
        let (built, memos): (Vec<CouncilBuild>, Vec<Option<Memos>>) =
            few.par_iter().map(build_one).unzip();
        builds.extend(built);
        if let Some((first, rest)) = memos.iter().flatten().collect::<Vec<_>>().split_first() {
            let (found, keys) = first.add(&cache, rest);
            problems.extend(found);
            used.push(keys);
        }
    }
    // A run that built no council used nothing, and must not take the cache as
    // all unused.
    if !used.is_empty() {
        problems.extend(shared.tidy(&cache, &used));
    }
    Ok(CouncilBuilds {
        builds,
        removed,
        cache_warnings: cache_warnings(&problems, &options.root),
    })
}
