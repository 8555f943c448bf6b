//! Wakeups of a process tree: how often its threads leave sleep, counted by the kernel.
//!
//! Every time a thread blocks (waits on a futex, `epoll_wait`, `poll`, a timer) and is woken again, the kernel
//! counts one *voluntary* context switch in `/proc/PID/task/TID/status` (`voluntary_ctxt_switches`). On an idle
//! program that is exactly its wakeups: a thread that wakes twice a second to look at something adds 120 a
//! minute. Involuntary switches (`nonvoluntary_ctxt_switches`) are preemptions of a thread that was running
//! anyway; they depend on what else the machine runs, not on the program, so they are left out.
//!
//! The tree is sampled every second over the window: a thread that starts inside the window counts from zero,
//! and one that ends inside it keeps what it had at its last sample (at most a second of its switches is lost).
//! Linux only, like the virtual desktop the benchmark runs on.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::procs;

/// One thread's wakeups over the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThreadWakeups {
    /// The process's `comm`.
    pub process: String,
    /// The thread's `comm` (its name, at most 15 bytes).
    pub thread: String,
    /// Threads of that process with that name, added up.
    pub threads: u32,
    /// Voluntary context switches over the window.
    pub wakeups: u64,
    /// The same per minute.
    pub per_min: f64,
}

/// A tree's wakeups over one window.
#[derive(Debug, Clone, Serialize)]
pub struct Wakeups {
    /// The window, seconds.
    pub window_s: f64,
    /// Every thread's voluntary context switches, per minute.
    pub per_min: f64,
    /// By process and thread name, most first.
    pub threads: Vec<ThreadWakeups>,
}

impl Wakeups {
    /// The threads that woke at least once, one line each (`process/thread: N/min`).
    pub fn lines(&self) -> Vec<String> {
        self.threads
            .iter()
            .filter(|t| t.wakeups > 0)
            .map(|t| {
                let many = if t.threads > 1 {
                    format!(" ×{}", t.threads)
                } else {
                    String::new()
                };
                format!("{}/{}{many}: {:.1}/min", t.process, t.thread, t.per_min)
            })
            .collect()
    }
}

/// A thread seen while sampling: its names and its counts at the first and last sample.
#[derive(Debug, Clone)]
struct Seen {
    process: String,
    thread: String,
    first: u64,
    last: u64,
}

/// `(pid, tid)` → (process name, thread name, voluntary switches) of every thread of `root`'s tree now.
fn snapshot(root: u32) -> BTreeMap<(u32, u32), (String, String, u64)> {
    let mut out = BTreeMap::new();
    for pid in procs::descendants(root) {
        let process = comm(&format!("/proc/{pid}/comm"));
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let Some(tid) = task.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let dir = task.path();
            let Ok(status) = std::fs::read_to_string(dir.join("status")) else {
                continue;
            };
            let Some(switches) = voluntary(&status) else {
                continue;
            };
            out.insert(
                (pid, tid),
                (
                    process.clone(),
                    comm(&dir.join("comm").display().to_string()),
                    switches,
                ),
            );
        }
    }
    out
}

fn comm(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim_end().to_string())
        .unwrap_or_default()
}

/// `voluntary_ctxt_switches` of a `/proc/.../status` text.
fn voluntary(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
        .and_then(|v| v.trim().parse().ok())
}

/// Counts the wakeups of `root`'s tree over `window`, sampling every second.
pub fn measure(root: u32, window: Duration) -> Wakeups {
    let start = Instant::now();
    let mut seen: BTreeMap<(u32, u32), Seen> = snapshot(root)
        .into_iter()
        .map(|(key, (process, thread, n))| {
            (
                key,
                Seen {
                    process,
                    thread,
                    first: n,
                    last: n,
                },
            )
        })
        .collect();
    loop {
        let left = window.saturating_sub(start.elapsed());
        if left.is_zero() {
            break;
        }
        std::thread::sleep(left.min(Duration::from_secs(1)));
        for (key, (process, thread, n)) in snapshot(root) {
            seen.entry(key)
                .and_modify(|s| {
                    s.last = n;
                    s.thread.clone_from(&thread);
                })
                .or_insert(Seen {
                    process,
                    thread,
                    first: 0,
                    last: n,
                });
        }
    }
    summarise(seen.into_values(), start.elapsed())
}

fn summarise(seen: impl IntoIterator<Item = Seen>, window: Duration) -> Wakeups {
    let minutes = window.as_secs_f64().max(1.0) / 60.0;
    let mut by_name: BTreeMap<(String, String), (u32, u64)> = BTreeMap::new();
    for s in seen {
        let entry = by_name.entry((s.process, s.thread)).or_default();
        entry.0 += 1;
        entry.1 += s.last.saturating_sub(s.first);
    }
    let mut threads: Vec<ThreadWakeups> = by_name
        .into_iter()
        .map(|((process, thread), (threads, wakeups))| ThreadWakeups {
            process,
            thread,
            threads,
            wakeups,
            per_min: wakeups as f64 / minutes,
        })
        .collect();
    threads.sort_by_key(|t| std::cmp::Reverse(t.wakeups));
    let total: u64 = threads.iter().map(|t| t.wakeups).sum();
    Wakeups {
        window_s: window.as_secs_f64(),
        per_min: total as f64 / minutes,
        threads,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_that_wakes_ten_times_a_second_is_counted_and_named() {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let ticker = std::thread::Builder::new()
            .name("bench-ticker".into())
            .spawn(move || {
                while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
            .unwrap();
        let measured = measure(std::process::id(), Duration::from_secs(3));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        ticker.join().unwrap();
        let ticker = measured
            .threads
            .iter()
            .find(|t| t.thread == "bench-ticker")
            .unwrap_or_else(|| panic!("{measured:?}"));
        // 10 a second is 600 a minute; a loaded machine may stretch the sleeps a little.
        assert!((400.0..=700.0).contains(&ticker.per_min), "{ticker:?}");
        assert!(measured.per_min >= ticker.per_min);
        assert!(measured.lines().iter().any(|l| l.contains("bench-ticker")));
    }

    #[test]
    fn threads_that_start_or_end_inside_the_window_count_what_they_did_in_it() {
        let seen = [
            Seen {
                process: "app".into(),
                thread: "main".into(),
                first: 100,
                last: 112,
            },
            // Started inside the window.
            Seen {
                process: "app".into(),
                thread: "worker".into(),
                first: 0,
                last: 3,
            },
            Seen {
                process: "app".into(),
                thread: "worker".into(),
                first: 0,
                last: 3,
            },
            Seen {
                process: "helper".into(),
                thread: "helper".into(),
                first: 7,
                last: 7,
            },
        ];
        let w = summarise(seen.iter().cloned(), Duration::from_secs(120));
        assert_eq!(w.per_min, 9.0);
        assert_eq!(w.threads[0].thread, "main");
        assert_eq!((w.threads[0].wakeups, w.threads[0].per_min), (12, 6.0));
        assert_eq!((w.threads[1].threads, w.threads[1].wakeups), (2, 6));
        assert_eq!(w.lines(), vec!["app/main: 6.0/min", "app/worker ×2: 3.0/min"]);
    }

    #[test]
    fn status_lines_are_read_by_key() {
        let status = "Name:\tx\nvoluntary_ctxt_switches:\t41\nnonvoluntary_ctxt_switches:\t9\n";
        assert_eq!(voluntary(status), Some(41));
        assert_eq!(voluntary("Name:\tx\n"), None);
    }
}
