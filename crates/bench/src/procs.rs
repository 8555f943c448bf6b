//! A process and its descendants, read from `/proc`: what the footprint benchmark weighs.
//!
//! Memory is taken from `/proc/PID/smaps_rollup`: RSS, and PSS, the fair figure for several processes sharing
//! libraries (a page shared by N processes counts 1/N to each), so the tree's PSS adds up without counting
//! WebKit's or GTK's shared pages twice. CPU time is `utime + stime` of `/proc/PID/stat`, plus `cutime +
//! cstime` so that a child that ended and was reaped inside the window still counts. Threads come from
//! `/proc/PID/status`. Linux only, like the virtual desktop the benchmark runs on.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde::Serialize;

/// One process of the tree.
#[derive(Debug, Clone, Serialize)]
pub struct Proc {
    /// Process id.
    pub pid: u32,
    /// Parent process id.
    pub ppid: u32,
    /// Its `comm` (the executable name, at most 15 bytes).
    pub name: String,
    /// Resident set, KiB.
    pub rss_kib: u64,
    /// Proportional set, KiB.
    pub pss_kib: u64,
    /// Threads.
    pub threads: u64,
    /// CPU time of the process and of its reaped children, in clock ticks.
    pub cpu_ticks: u64,
}

/// A snapshot of a process tree.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tree {
    /// Every process of the tree, the root first.
    pub procs: Vec<Proc>,
}

impl Tree {
    /// Total PSS, MiB.
    pub fn pss_mib(&self) -> f64 {
        self.procs.iter().map(|p| p.pss_kib).sum::<u64>() as f64 / 1024.0
    }

    /// Total RSS, MiB (shared pages counted once per process).
    pub fn rss_mib(&self) -> f64 {
        self.procs.iter().map(|p| p.rss_kib).sum::<u64>() as f64 / 1024.0
    }

    /// Total threads.
    pub fn threads(&self) -> u64 {
        self.procs.iter().map(|p| p.threads).sum()
    }

    /// Processes by name with their PSS in MiB, for the report.
    pub fn breakdown(&self) -> String {
        self.procs
            .iter()
            .map(|p| format!("{} {:.1}", p.name, p.pss_kib as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// CPU milliseconds spent between `earlier` and this snapshot by the processes present in both (with their
    /// reaped children).
    pub fn cpu_ms_since(&self, earlier: &Tree, ticks_per_sec: u64) -> f64 {
        let before: BTreeMap<u32, u64> = earlier.procs.iter().map(|p| (p.pid, p.cpu_ticks)).collect();
        let ticks: u64 = self
            .procs
            .iter()
            .map(|p| {
                p.cpu_ticks
                    .saturating_sub(before.get(&p.pid).copied().unwrap_or(0))
            })
            .sum();
        ticks as f64 * 1000.0 / ticks_per_sec.max(1) as f64
    }
}

/// `pid`'s parent and CPU ticks from `/proc/PID/stat` (the fields after the parenthesised name).
fn stat(pid: u32) -> Option<(u32, u64, String)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let name = text.get(open + 1..close)?.to_string();
    let fields: Vec<&str> = text.get(close + 2..)?.split_whitespace().collect();
    // Fields from 3 (state) on: ppid is field 4, utime..cstime are 14..17 (1-based, as in proc(5)).
    let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<u64>().ok());
    let ppid = u32::try_from(field(4)?).ok()?;
    let cpu = field(14)? + field(15)? + field(16)? + field(17)?;
    Some((ppid, cpu, name))
}

/// A `Key:   123 kB` line of a `/proc` file.
fn kib(text: &str, key: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Every live process id.
fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// `root` and all its descendants, root first (empty when `root` is gone).
pub fn descendants(root: u32) -> Vec<u32> {
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for pid in all_pids() {
        if let Some((ppid, _, _)) = stat(pid) {
            children.entry(ppid).or_default().push(pid);
        }
    }
    if stat(root).is_none() {
        return Vec::new();
    }
    let mut seen = BTreeSet::new();
    let mut order = vec![root];
    let mut next = 0;
    while next < order.len() {
        let pid = order[next];
        next += 1;
        seen.insert(pid);
        for child in children.get(&pid).into_iter().flatten() {
            if !seen.contains(child) {
                order.push(*child);
            }
        }
    }
    order
}

/// Weighs `root`'s tree now.
pub fn sample(root: u32) -> Tree {
    let procs = descendants(root)
        .into_iter()
        .filter_map(|pid| {
            let (ppid, cpu_ticks, name) = stat(pid)?;
            let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            Some(Proc {
                pid,
                ppid,
                name,
                rss_kib: kib(&rollup, "Rss:"),
                pss_kib: kib(&rollup, "Pss:"),
                threads: kib(&status, "Threads:"),
                cpu_ticks,
            })
        })
        .collect();
    Tree { procs }
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on every Linux this runs on, the fallback).
pub fn ticks_per_sec() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// Ends `root`'s whole tree (children first, so none is re-parented and missed): SIGTERM, then SIGKILL for
/// whatever is left after `grace`. Only these process ids are signalled.
pub fn end_tree(root: u32, grace: std::time::Duration) {
    let mut pids = descendants(root);
    pids.reverse();
    if pids.is_empty() {
        return;
    }
    let list: Vec<String> = pids.iter().map(u32::to_string).collect();
    let _ = Command::new("kill").arg("-TERM").args(&list).status();
    let deadline = std::time::Instant::now() + grace;
    while std::time::Instant::now() < deadline {
        if pids
            .iter()
            .all(|p| stat(*p).is_none_or(|(_, _, _)| is_zombie(*p)))
        {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let left: Vec<String> = pids
        .iter()
        .filter(|p| stat(**p).is_some() && !is_zombie(**p))
        .map(u32::to_string)
        .collect();
    if !left.is_empty() {
        let _ = Command::new("kill").arg("-KILL").args(&left).status();
    }
}

fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|t| t.rfind(')').and_then(|i| t.get(i + 2..i + 3)).map(|s| s == "Z"))
        .unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_weighs_something_and_its_child_is_in_its_tree() {
        let mut child = Command::new("sleep").arg("5").spawn().unwrap();
        let tree = sample(std::process::id());
        assert!(tree.procs.iter().any(|p| p.pid == child.id()), "{tree:?}");
        assert!(tree.pss_mib() > 0.0 && tree.rss_mib() >= tree.pss_mib());
        assert!(tree.threads() >= 2);
        end_tree(child.id(), std::time::Duration::from_secs(2));
        let _ = child.wait();
    }

    #[test]
    fn cpu_time_counts_only_what_was_spent_between_two_snapshots() {
        let proc_at = |ticks| Tree {
            procs: vec![Proc {
                pid: 1,
                ppid: 0,
                name: "x".into(),
                rss_kib: 0,
                pss_kib: 0,
                threads: 1,
                cpu_ticks: ticks,
            }],
        };
        assert_eq!(proc_at(130).cpu_ms_since(&proc_at(100), 100), 300.0);
        assert_eq!(proc_at(100).cpu_ms_since(&proc_at(100), 100), 0.0);
    }

    #[test]
    fn proc_lines_are_read_by_key() {
        assert_eq!(kib("Rss:     2048 kB\nPss:   1024 kB\n", "Pss:"), 1024);
        assert_eq!(kib("Threads:\t7\n", "Threads:"), 7);
        assert_eq!(kib("", "Pss:"), 0);
    }
}
