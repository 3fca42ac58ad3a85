//! The preview's search index, made on a thread of its own once a build's pages
//! are served, so that a reload never waits for it. It starts after a short idle
//! time, and a newer build's index takes the place of one not started yet, so a
//! run of saves makes one index. A request for the index while it is being made
//! waits for it. Uses `pipeline` for the index, and the server's own state.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use crate::pipeline::{MadeIndex, PendingIndex};

use super::{IndexFiles, Report, ServeEvent, Shared, SiteFiles};

/// How long the preview waits after a build before it makes the build's index.
const IDLE: Duration = Duration::from_millis(300);

/// The index of build `.0`, if it is to be made.
type Job = (u64, Option<PendingIndex>);

/// What the builder needs of the thread that makes the index.
pub(super) struct Indexer {
    jobs: Sender<Job>,
    /// Each index made, to keep in the builder's memos for the next build.
    made: Receiver<MadeIndex>,
}

/// Starts the thread that makes the index of each build that needs one.
pub(super) fn start(shared: Arc<Shared>, report: Report) -> Indexer {
    let (jobs, waiting) = mpsc::channel::<Job>();
    let (made_sender, made) = mpsc::channel();
    std::thread::spawn(move || {
        while let Some((build, pending)) = next_job(&waiting) {
            let Some(pending) = pending else { continue };
            let index = pending.make();
            publish(&shared, build, &index, &report);
            if made_sender.send(index).is_err() {
                return;
            }
        }
    });
    Indexer { jobs, made }
}

impl Indexer {
    /// Asks for the index of build `build`, if it has one to make; a build whose
    /// index is already made says so, so that no older index is made for nothing.
    pub(super) fn make(&self, build: u64, pending: Option<PendingIndex>) {
        let _ = self.jobs.send((build, pending));
    }

    /// The indexes made since the last call.
    pub(super) fn made(&self) -> impl Iterator<Item = MadeIndex> + '_ {
        self.made.try_iter()
    }
}

/// The latest job once no newer one has come for [`IDLE`]; `None` when the
/// preview stops.
fn next_job(waiting: &Receiver<Job>) -> Option<Job> {
    let mut job = waiting.recv().ok()?;
    loop {
        match waiting.recv_timeout(IDLE) {
            Ok(newer) => job = newer,
            Err(RecvTimeoutError::Timeout) => return Some(job),
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

/// Serves the index of build `build`, if that build is still the one served; or,
/// if the index could not be made, shows why on open pages.
fn publish(shared: &Shared, build: u64, index: &MadeIndex, report: &Report) {
    let mut current = shared.site.write().unwrap_or_else(|e| e.into_inner());
    if current.build != build {
        return;
    }
    let (files, failed) = match index.files() {
        Ok(files) => (files.to_vec(), None),
        Err(diagnostic) => (Vec::new(), Some(diagnostic)),
    };
    *current = Arc::new(SiteFiles {
        files: Arc::clone(&current.files),
        index: IndexFiles::Made(Arc::new(files)),
        build,
    });
    drop(current);
    shared.site_changed.send_replace(());
    if let Some(diagnostic) = failed {
        shared.show_errors(std::slice::from_ref(&*diagnostic));
        report(ServeEvent::Failed {
            changed: Vec::new(),
            diagnostics: vec![*diagnostic],
        });
    }
}
