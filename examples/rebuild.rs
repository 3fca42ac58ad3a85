//! Times warm rebuilds in memory, without the watcher or the server, to profile the
//! pipeline alone: builds the project once to fill the cache, then N times appends a
//! sentence to one page, tells the cache that page changed (as the preview's watcher
//! does) and rebuilds as the preview does, leaving the search index for later.
//! Prints the median and slowest rebuild.
//!
//!     cargo run --release --example rebuild -- PROJECT [REBUILDS]

use std::path::PathBuf;
use std::time::Instant;

use tellyou::config::BuildOptions;
use tellyou::pipeline::{self, Memos};

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().expect("usage: rebuild PROJECT [REBUILDS]"));
    let rebuilds: usize = args.next().map_or(21, |n| n.parse().expect("a number"));
    let options = BuildOptions {
        root: root.clone(),
        ..BuildOptions::default()
    };
    let mut cache = Memos::for_rebuilds();
    pipeline::build_project_for_preview(&options, &mut cache).expect("the project builds");
    let page = walkdir::WalkDir::new(root.join("content"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "md") && e.file_name() != "_index.md")
        .expect("a page")
        .into_path();
    let original = std::fs::read_to_string(&page).unwrap();
    let mut times = Vec::new();
    for n in 0..rebuilds {
        std::fs::write(&page, format!("{original}\nRebuild number {n}.\n")).unwrap();
        let start = Instant::now();
        cache.note_changes(Some(vec![page.clone()]));
        pipeline::build_project_for_preview(&options, &mut cache).expect("the edit builds");
        times.push(start.elapsed());
    }
    std::fs::write(&page, original).unwrap();
    times.sort();
    println!(
        "median {:.1} ms, slowest {:.1} ms",
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    );
}
