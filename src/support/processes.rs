//! Whether a process is still running, by its id, so that what a killed run left
//! behind can be cleared without touching what a running one is writing. Uses
//! nothing else.

/// Whether the process with the id `pid`, as written, is running. Where that cannot
/// be known, it is taken as not running.
pub fn is_running(pid: &str) -> bool {
    if cfg!(target_os = "linux") {
        !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && std::path::Path::new("/proc").join(pid).exists()
    } else {
        false
    }
}
