//! The keyring's Secret Service store talks D-Bus through zbus, which runs its blocking socket calls (connecting,
//! sending credentials) on the `blocking` crate's thread pool. A pool thread must end once idle: a thread that
//! stays waits with a 500 ms timeout, so it wakes twice a second for as long as the app runs.

#![cfg(target_os = "linux")]
// Helpers outside `#[test]` functions unwrap on purpose: a failed helper is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

/// Names of this process's threads.
fn threads() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|name| name.trim_end().to_string())
        .collect()
}

#[test]
fn a_blocking_pool_thread_ends_once_idle() {
    let ran_on = block_on(blocking::unblock(|| {
        std::fs::read_to_string("/proc/thread-self/comm").unwrap()
    }));
    assert!(
        ran_on.starts_with("blocking-"),
        "the task ran on the pool: {ran_on:?}"
    );
    assert!(
        threads().iter().any(|t| t.starts_with("blocking-")),
        "{:?}",
        threads()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while threads().iter().any(|t| t.starts_with("blocking-")) {
        assert!(
            Instant::now() < deadline,
            "an idle pool thread is still there after 10 s: {:?}",
            threads()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs `future` to completion on this thread (the pool's tasks need no runtime).
fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}
