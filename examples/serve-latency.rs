//! Measures how long `tellyou serve` takes from a saved file to the reload message:
//! starts the preview on a free port in a project folder, listens to its event
//! stream, then appends a sentence to one page several times, waiting for each
//! reload, and prints the median and the slowest time.
//!
//!     cargo run --release --example serve-latency -- PROJECT [EDITS]
//!
//! It runs `target/release/tellyou`, or the program named by `TELLYOU_BIN`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let project = PathBuf::from(args.next().expect("usage: serve-latency PROJECT [EDITS]"));
    let edits: usize = args
        .next()
        .map_or(11, |n| n.parse().expect("EDITS is a number"));
    // TELLYOU_BIN compares another build of tellyou, such as an older version.
    let binary = std::env::var_os("TELLYOU_BIN").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/tellyou"),
        PathBuf::from,
    );

    let mut child = Command::new(&binary)
        .args(["serve", "--port", "0"])
        .current_dir(&project)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tellyou serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix(tellyou::serve::LISTENING)
                .map(str::to_owned)
        })
        .expect("serve prints its address");
    std::thread::spawn(move || for _ in lines {});

    let (events, received) = mpsc::channel();
    let mut stream = ureq::get(format!("{url}__tellyou/events")).call().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stream.body_mut().as_reader())
            .lines()
            .map_while(Result::ok)
        {
            if let Some(name) = line.strip_prefix("event: ") {
                if events.send((Instant::now(), name.to_owned())).is_err() {
                    break;
                }
            }
        }
    });

    let page = first_page(&project.join("content"));
    let original = std::fs::read_to_string(&page).unwrap();
    let mut times = Vec::new();
    for edit in 0..edits {
        // Let the watcher settle, and drop anything still queued.
        std::thread::sleep(Duration::from_millis(300));
        while received.try_recv().is_ok() {}
        let written = Instant::now();
        std::fs::write(
            &page,
            format!("{original}\nEdit number {edit} for the benchmark.\n"),
        )
        .unwrap();
        let (at, name) = received
            .recv_timeout(Duration::from_secs(60))
            .expect("a reload");
        assert_eq!(name, "reload", "the edit builds");
        times.push(at - written);
    }
    std::fs::write(&page, original).unwrap();
    let _ = child.kill();
    let _ = child.wait();

    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{} edits of {}: median {:.1} ms, slowest {:.1} ms",
        times.len(),
        page.strip_prefix(&project).unwrap_or(&page).display(),
        ms(times[times.len() / 2]),
        ms(*times.last().unwrap())
    );
}

/// The first page, in name order, that is not a section page.
fn first_page(content: &Path) -> PathBuf {
    let mut pages: Vec<PathBuf> = walk(content)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
        .collect();
    pages.sort();
    pages.into_iter().next().expect("the project has a page")
}

fn walk(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}
