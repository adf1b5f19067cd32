//! Discovery of the memory the running host grants this process: the tightest of the cgroup v2
//! `memory.max`, the cgroup v1 `memory.limit_in_bytes`, `/proc/meminfo` and the `RLIMIT_AS` /
//! `RLIMIT_DATA` soft limits (read from `/proc/self/limits`), or `hw.memsize` on macOS.
//!
//! Every reading that is missing, unlimited or garbage is skipped with a reason, never a panic; the
//! readings are taken under a root directory so tests can feed fake `/proc` and `/sys` trees.

use std::fs;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;
use std::{format, vec};

use super::GIB;

/// What discovery found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// The tightest memory limit found, in bytes.
    pub total_memory: u64,
    /// Where it came from, e.g. `cgroup v2 memory.max`.
    pub source: String,
    /// Each reading, with its value or why it was skipped.
    pub notes: Vec<String>,
}

/// The memory assumed when no reading gives one.
pub const FALLBACK_MEMORY: u64 = GIB;

/// Limits at or above this are "unlimited" (cgroup v1 writes `PAGE_COUNTER_MAX` pages as bytes).
const UNLIMITED: u64 = 1 << 60;

/// Discovers the limits of the running host.
pub fn discover() -> Discovery {
    discover_in(Path::new("/"))
}

/// Discovers the limits from the `proc` and `sys` trees under `root`.
pub fn discover_in(root: &Path) -> Discovery {
    let readings: Vec<(&str, Result<u64, String>)> = vec![
        ("cgroup v2 memory.max", cgroup_v2(root)),
        ("cgroup v1 memory.limit_in_bytes", cgroup_v1(root)),
        ("/proc/meminfo MemTotal", meminfo(root)),
        ("RLIMIT_AS", rlimit(root, "Max address space")),
        ("RLIMIT_DATA", rlimit(root, "Max data size")),
        ("sysctl hw.memsize", macos_memsize()),
    ];
    let mut best: Option<(u64, &str)> = None;
    let mut notes = Vec::new();
    for (name, reading) in readings {
        match reading {
            Ok(v) => {
                notes.push(format!("{name}: {v} bytes"));
                if best.is_none_or(|(b, _)| v < b) {
                    best = Some((v, name));
                }
            }
            Err(why) => notes.push(format!("{name}: skipped, {why}")),
        }
    }
    let (total_memory, source) = best.unwrap_or((FALLBACK_MEMORY, "fallback (no reading)"));
    Discovery {
        total_memory,
        source: source.to_string(),
        notes,
    }
}

fn read(root: &Path, path: &str) -> Result<String, String> {
    let full = root.join(path.trim_start_matches('/'));
    fs::read_to_string(&full).map_err(|e| format!("cannot read {}: {e}", full.display()))
}

/// A limit in bytes, `max` or anything at or above [`UNLIMITED`] meaning no limit.
fn parse_limit(text: &str, file: &str) -> Result<u64, String> {
    let t = text.trim();
    if t == "max" || t == "unlimited" {
        return Err(format!("{file} is `{t}`: no limit"));
    }
    match t.parse::<u64>() {
        Ok(v) if v >= UNLIMITED => Err(format!("{file} is {v}: no limit")),
        Ok(0) => Err(format!("{file} is 0")),
        Ok(v) => Ok(v),
        Err(_) => Err(format!("{file} holds garbage `{}`", t.escape_debug())),
    }
}

/// The cgroup of this process for `controller` (`""` for the v2 unified hierarchy).
fn own_cgroup(root: &Path, v2: bool) -> Option<String> {
    let text = read(root, "proc/self/cgroup").ok()?;
    text.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let (id, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let matches = if v2 {
            id == "0" && controllers.is_empty()
        } else {
            controllers.split(',').any(|c| c == "memory")
        };
        matches.then(|| path.trim().trim_start_matches('/').to_string())
    })
}

/// The first of the process's own cgroup file and the hierarchy root's that can be read.
fn cgroup_file(root: &Path, dir: &str, own: Option<String>, file: &str) -> Result<u64, String> {
    let mut candidates = Vec::new();
    if let Some(own) = own.filter(|p| !p.is_empty()) {
        candidates.push(format!("{dir}/{own}/{file}"));
    }
    candidates.push(format!("{dir}/{file}"));
    let mut last = String::new();
    for c in candidates {
        match read(root, &c) {
            Ok(text) => return parse_limit(&text, &c),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn cgroup_v2(root: &Path) -> Result<u64, String> {
    cgroup_file(root, "sys/fs/cgroup", own_cgroup(root, true), "memory.max")
}

fn cgroup_v1(root: &Path) -> Result<u64, String> {
    cgroup_file(
        root,
        "sys/fs/cgroup/memory",
        own_cgroup(root, false),
        "memory.limit_in_bytes",
    )
}

fn meminfo(root: &Path) -> Result<u64, String> {
    let text = read(root, "proc/meminfo")?;
    let line = text
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .ok_or("no MemTotal line in /proc/meminfo")?;
    let mut words = line["MemTotal:".len()..].split_whitespace();
    match (words.next().map(str::parse::<u64>), words.next()) {
        (Some(Ok(kib)), Some("kB")) if kib > 0 => Ok(kib * 1024),
        _ => Err(format!("garbage MemTotal line `{}`", line.escape_debug())),
    }
}

/// The soft limit of the `/proc/self/limits` row `name`, in bytes.
fn rlimit(root: &Path, name: &str) -> Result<u64, String> {
    let text = read(root, "proc/self/limits")?;
    let line = text
        .lines()
        .find(|l| l.starts_with(name))
        .ok_or_else(|| format!("no `{name}` row in /proc/self/limits"))?;
    let soft = line[name.len()..]
        .split_whitespace()
        .next()
        .ok_or_else(|| format!("empty `{name}` row"))?;
    parse_limit(soft, &format!("{name} soft limit"))
}

#[cfg(target_os = "macos")]
fn macos_memsize() -> Result<u64, String> {
    let mut value: u64 = 0;
    let mut len = core::mem::size_of::<u64>();
    // SAFETY: the name is NUL-terminated, `value` is a u64 and `len` holds its size, as sysctl asks.
    let rc = unsafe {
        libc::sysctlbyname(
            c"hw.memsize".as_ptr(),
            (&mut value as *mut u64).cast(),
            &mut len,
            core::ptr::null_mut(),
            0,
        )
    };
    if rc == 0 && value > 0 {
        Ok(value)
    } else {
        Err("sysctl hw.memsize failed".into())
    }
}

#[cfg(not(target_os = "macos"))]
fn macos_memsize() -> Result<u64, String> {
    Err("not macOS".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fake root holding `files` (path, contents), removed on drop.
    struct Tree(PathBuf);

    impl Tree {
        fn new(name: &str, files: &[(&str, &str)]) -> Tree {
            let dir =
                std::env::temp_dir().join(format!("wrt-discover-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            for (path, text) in files {
                let p = dir.join(path);
                fs::create_dir_all(p.parent().unwrap()).unwrap();
                fs::write(p, text).unwrap();
            }
            fs::create_dir_all(&dir).unwrap();
            Tree(dir)
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    const MEMINFO: &str = "MemTotal:       16384000 kB\nMemFree:         1000 kB\n";
    const LIMITS: &str = "Limit                     Soft Limit           Hard Limit           Units\n\
                          Max data size             unlimited            unlimited            bytes\n\
                          Max address space         unlimited            unlimited            bytes\n";

    #[test]
    fn cgroup_v2_of_own_group_wins_when_tightest() {
        let t = Tree::new(
            "v2",
            &[
                ("proc/self/cgroup", "0::/kubepods/pod1\n"),
                ("sys/fs/cgroup/kubepods/pod1/memory.max", "536870912\n"),
                ("sys/fs/cgroup/memory.max", "max\n"),
                ("proc/meminfo", MEMINFO),
                ("proc/self/limits", LIMITS),
            ],
        );
        let d = discover_in(&t.0);
        assert_eq!(d.total_memory, 512 * 1024 * 1024);
        assert_eq!(d.source, "cgroup v2 memory.max");
    }

    #[test]
    fn max_and_missing_fall_back_to_meminfo_with_reasons() {
        let t = Tree::new(
            "max",
            &[
                ("proc/self/cgroup", "0::/\n"),
                ("sys/fs/cgroup/memory.max", "max\n"),
                ("proc/meminfo", MEMINFO),
            ],
        );
        let d = discover_in(&t.0);
        assert_eq!(d.total_memory, 16_384_000 * 1024);
        assert_eq!(d.source, "/proc/meminfo MemTotal");
        assert!(
            d.notes.iter().any(|n| n.contains("memory.max is `max`")),
            "{:?}",
            d.notes
        );
        assert!(
            d.notes
                .iter()
                .any(|n| n.starts_with("RLIMIT_AS: skipped, cannot read"))
        );
    }

    #[test]
    fn cgroup_v1_and_rlimits_take_the_tightest() {
        let limits = LIMITS.replace(
            "Max data size             unlimited",
            "Max data size             268435456",
        );
        let t = Tree::new(
            "v1",
            &[
                (
                    "proc/self/cgroup",
                    "12:cpu,cpuacct:/a\n11:memory:/docker/abc\n",
                ),
                (
                    "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes",
                    "1073741824\n",
                ),
                ("proc/meminfo", MEMINFO),
                ("proc/self/limits", &limits),
            ],
        );
        let d = discover_in(&t.0);
        assert_eq!(d.total_memory, 268_435_456);
        assert_eq!(d.source, "RLIMIT_DATA");
        assert!(
            d.notes
                .contains(&"cgroup v1 memory.limit_in_bytes: 1073741824 bytes".to_string())
        );
    }

    #[test]
    fn v1_unlimited_sentinel_is_no_limit() {
        let t = Tree::new(
            "v1max",
            &[
                (
                    "sys/fs/cgroup/memory/memory.limit_in_bytes",
                    "9223372036854771712\n",
                ),
                ("proc/meminfo", MEMINFO),
            ],
        );
        assert_eq!(discover_in(&t.0).source, "/proc/meminfo MemTotal");
    }

    #[test]
    fn garbage_everywhere_falls_back_without_panicking() {
        let t = Tree::new(
            "garbage",
            &[
                ("proc/self/cgroup", "\u{0}\u{1}::::\n"),
                ("sys/fs/cgroup/memory.max", "lots\n"),
                ("sys/fs/cgroup/memory/memory.limit_in_bytes", "-5"),
                ("proc/meminfo", "MemTotal: many kB\n"),
                ("proc/self/limits", "Max address space\n"),
            ],
        );
        let d = discover_in(&t.0);
        assert_eq!(d.total_memory, FALLBACK_MEMORY);
        assert!(d.source.starts_with("fallback"));
        assert!(
            d.notes.iter().any(|n| n.contains("garbage `lots`")),
            "{:?}",
            d.notes
        );
        assert!(
            d.notes.iter().any(|n| n.contains("garbage MemTotal")),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn empty_root_falls_back() {
        let t = Tree::new("empty", &[]);
        let d = discover_in(&t.0);
        assert_eq!(d.total_memory, FALLBACK_MEMORY);
        assert_eq!(d.notes.len(), 6);
    }
}
