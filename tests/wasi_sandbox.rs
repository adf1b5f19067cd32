//! The WASI sandbox: a guest reaches what lies beneath its preopened directory and nothing else,
//! whatever symbolic links it finds or makes there, for every path call.
//!
//! The guest is a small module calling `wasi_snapshot_preview1` as a C program would; each export
//! makes one call with paths the test writes into its memory and returns the errno.

use std::cell::RefCell;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use runtime_core::wasi::{self, WasiCtx, errno};
use runtime_core::{Config, Extern, Linker, Module, Store, Val};

const GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $stat (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times"
    (func $set_times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory" (func $rmdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $unlink (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename"
    (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink"
    (func $readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; paths: the first at 1024, the second at 2048; data at 4096; results at 0 (fd, count) and 64 (stat)
  (func (export "open") (param $len i32) (param $lookup i32) (param $oflags i32) (param $rights i64) (result i32)
    (call $path_open (i32.const 3) (local.get $lookup) (i32.const 1024) (local.get $len)
      (local.get $oflags) (local.get $rights) (local.get $rights) (i32.const 0) (i32.const 0)))
  (func (export "read") (param $fd i32) (result i32)
    (i32.store (i32.const 8) (i32.const 4096))
    (i32.store (i32.const 12) (i32.const 1024))
    (call $fd_read (local.get $fd) (i32.const 8) (i32.const 1) (i32.const 4)))
  (func (export "write") (param $fd i32) (param $len i32) (result i32)
    (i32.store (i32.const 8) (i32.const 4096))
    (i32.store (i32.const 12) (local.get $len))
    (call $fd_write (local.get $fd) (i32.const 8) (i32.const 1) (i32.const 4)))
  (func (export "close") (param $fd i32) (result i32) (call $fd_close (local.get $fd)))
  (func (export "stat") (param $len i32) (param $lookup i32) (result i32)
    (call $stat (i32.const 3) (local.get $lookup) (i32.const 1024) (local.get $len) (i32.const 64)))
  (func (export "set_mtime") (param $len i32) (param $lookup i32) (param $nanos i64) (result i32)
    (call $set_times (i32.const 3) (local.get $lookup) (i32.const 1024) (local.get $len)
      (i64.const 0) (local.get $nanos) (i32.const 4)))
  (func (export "mkdir") (param $len i32) (result i32) (call $mkdir (i32.const 3) (i32.const 1024) (local.get $len)))
  (func (export "rmdir") (param $len i32) (result i32) (call $rmdir (i32.const 3) (i32.const 1024) (local.get $len)))
  (func (export "unlink") (param $len i32) (result i32) (call $unlink (i32.const 3) (i32.const 1024) (local.get $len)))
  (func (export "rename") (param $a i32) (param $b i32) (result i32)
    (call $rename (i32.const 3) (i32.const 1024) (local.get $a) (i32.const 3) (i32.const 2048) (local.get $b)))
  (func (export "readlink") (param $len i32) (result i32)
    (call $readlink (i32.const 3) (i32.const 1024) (local.get $len) (i32.const 4096) (i32.const 1024) (i32.const 4)))
  (func (export "symlink") (param $target i32) (param $link i32) (result i32)
    (call $symlink (i32.const 1024) (local.get $target) (i32.const 3) (i32.const 2048) (local.get $link)))
)
"#;

const FOLLOW: i32 = 1;
const CREAT: i32 = 1;
const DIRECTORY: i32 = 2;
const READ: i64 = 1 << 1;
const WRITE: i64 = 1 << 6;

/// A guest with `root` preopened as `/sb` (fd 3).
struct Guest {
    store: Store,
    instance: u32,
    mem: u32,
}

impl Guest {
    fn new(root: &Path, max_open_files: u64) -> Guest {
        let module = Rc::new(Module::new(&wat::parse_str(GUEST).unwrap()).unwrap());
        let mut store = Store::new(Config::default());
        let mut linker = Linker::new();
        let mut ctx = WasiCtx::new(vec!["guest".into()], vec![]);
        ctx.limit_open_files(max_open_files);
        ctx.preopen(root, "/sb").unwrap();
        wasi::link(&mut store, &mut linker, &module, Rc::new(RefCell::new(ctx))).unwrap();
        let instance = linker.instantiate(&mut store, module).unwrap();
        let Some(Extern::Memory(mem)) = store.instance(instance).export("memory") else {
            panic!("no memory")
        };
        Guest {
            store,
            instance,
            mem,
        }
    }

    fn call(&mut self, name: &str, args: &[Val]) -> u16 {
        let Some(Extern::Func(f)) = self.store.instance(self.instance).export(name) else {
            panic!("no export {name}")
        };
        match self.store.invoke(f, args).unwrap()[..] {
            [] => 0,
            [Val::I32(e)] => e as u16,
            ref other => panic!("{other:?}"),
        }
    }

    fn put(&mut self, at: usize, bytes: &[u8]) -> Val {
        self.store.memory_mut(self.mem).data[at..at + bytes.len()].copy_from_slice(bytes);
        Val::I32(bytes.len() as i32)
    }

    fn u32_at(&self, at: usize) -> u32 {
        let d = &self.store.memory(self.mem).data;
        u32::from_le_bytes(d[at..at + 4].try_into().unwrap())
    }

    /// Opens `path` under the preopen: the errno and, on success, the new descriptor.
    fn open(&mut self, path: &str, lookup: i32, oflags: i32, rights: i64) -> Result<i32, u16> {
        let len = self.put(1024, path.as_bytes());
        let args = [len, Val::I32(lookup), Val::I32(oflags), Val::I64(rights)];
        match self.call("open", &args) {
            0 => Ok(self.u32_at(0) as i32),
            e => Err(e),
        }
    }

    /// Reads `path` whole (up to 1 KiB) through `path_open` and `fd_read`.
    fn read(&mut self, path: &str) -> Result<String, u16> {
        let fd = self.open(path, FOLLOW, 0, READ)?;
        let e = self.call("read", &[Val::I32(fd)]);
        assert_eq!(e, 0, "fd_read");
        let n = self.u32_at(4) as usize;
        self.call("close", &[Val::I32(fd)]);
        Ok(String::from_utf8_lossy(&self.store.memory(self.mem).data[4096..4096 + n]).into())
    }

    /// Creates or truncates `path` and writes `text` into it.
    fn write(&mut self, path: &str, text: &str) -> Result<(), u16> {
        let fd = self.open(path, FOLLOW, CREAT | 8, WRITE)?;
        let len = self.put(4096, text.as_bytes());
        assert_eq!(self.call("write", &[Val::I32(fd), len]), 0, "fd_write");
        self.call("close", &[Val::I32(fd)]);
        Ok(())
    }

    /// One path call taking a single path.
    fn path(&mut self, call: &str, path: &str) -> u16 {
        let len = self.put(1024, path.as_bytes());
        self.call(call, &[len])
    }

    /// One path call taking two paths (rename: from, to; symlink: target, link).
    fn paths(&mut self, call: &str, first: &str, second: &str) -> u16 {
        let a = self.put(1024, first.as_bytes());
        let b = self.put(2048, second.as_bytes());
        self.call(call, &[a, b])
    }

    fn stat(&mut self, path: &str, lookup: i32) -> Result<u8, u16> {
        let len = self.put(1024, path.as_bytes());
        match self.call("stat", &[len, Val::I32(lookup)]) {
            0 => Ok(self.store.memory(self.mem).data[64 + 16]),
            e => Err(e),
        }
    }

    fn readlink(&mut self, path: &str) -> Result<String, u16> {
        match self.path("readlink", path) {
            0 => {
                let n = self.u32_at(4) as usize;
                Ok(
                    String::from_utf8_lossy(&self.store.memory(self.mem).data[4096..4096 + n])
                        .into(),
                )
            }
            e => Err(e),
        }
    }
}

/// A sandbox directory `sb` holding `inside.txt` and `sub/`, beside an `outside/` directory holding
/// `secret.txt` that the guest must never reach.
struct Scene {
    _tmp: tempfile::TempDir,
    sb: std::path::PathBuf,
    outside: std::path::PathBuf,
}

fn scene() -> Scene {
    let tmp = tempfile::tempdir().unwrap();
    let sb = tmp.path().join("sb");
    let outside = tmp.path().join("outside");
    fs::create_dir_all(sb.join("sub")).unwrap();
    fs::create_dir_all(&outside).unwrap();
    fs::write(sb.join("inside.txt"), "inside").unwrap();
    fs::write(outside.join("secret.txt"), "secret").unwrap();
    Scene {
        _tmp: tmp,
        sb,
        outside,
    }
}

#[test]
fn links_that_stay_inside_work() {
    let s = scene();
    symlink("inside.txt", s.sb.join("alias")).unwrap();
    symlink("../inside.txt", s.sb.join("sub/up")).unwrap();
    symlink("sub", s.sb.join("subdir")).unwrap();
    let mut g = Guest::new(&s.sb, 64);
    assert_eq!(g.read("alias"), Ok("inside".into()));
    assert_eq!(g.read("sub/up"), Ok("inside".into()));
    assert_eq!(g.read("subdir/../inside.txt"), Ok("inside".into()));
    g.write("subdir/new.txt", "made").unwrap();
    assert_eq!(
        fs::read_to_string(s.sb.join("sub/new.txt")).unwrap(),
        "made"
    );
    assert_eq!(g.readlink("sub/up"), Ok("../inside.txt".into()));
    assert_eq!(
        g.stat("alias", 0),
        Ok(7),
        "a link itself without SYMLINK_FOLLOW"
    );
    assert_eq!(g.stat("alias", FOLLOW), Ok(4), "its target with it");
}

#[test]
fn links_to_the_root_to_dotdot_and_outside_are_refused() {
    let s = scene();
    symlink("/", s.sb.join("root")).unwrap();
    symlink("..", s.sb.join("parent")).unwrap();
    symlink(&s.outside, s.sb.join("out")).unwrap();
    symlink("../../outside/secret.txt", s.sb.join("sub/escape")).unwrap();
    let mut g = Guest::new(&s.sb, 64);
    for path in [
        "root/etc/passwd",
        "parent/outside/secret.txt",
        "out/secret.txt",
        "sub/escape",
        "../outside/secret.txt",
        "/etc/passwd",
        "sub/../../outside/secret.txt",
    ] {
        assert_eq!(g.read(path), Err(errno::NOTCAPABLE), "{path}");
    }
    assert_eq!(g.stat("out/secret.txt", FOLLOW), Err(errno::NOTCAPABLE));
    assert_eq!(g.stat("sub/escape", FOLLOW), Err(errno::NOTCAPABLE));
    assert_eq!(g.stat("sub/escape", 0), Ok(7), "the link itself is inside");
}

#[test]
fn chains_of_links_are_followed_only_while_they_stay_inside() {
    let s = scene();
    symlink("b", s.sb.join("a")).unwrap();
    symlink("sub/c", s.sb.join("b")).unwrap();
    symlink("../inside.txt", s.sb.join("sub/c")).unwrap();
    symlink("e", s.sb.join("d")).unwrap();
    symlink("sub/f", s.sb.join("e")).unwrap();
    symlink("../../outside/secret.txt", s.sb.join("sub/f")).unwrap();
    symlink("loop2", s.sb.join("loop1")).unwrap();
    symlink("loop1", s.sb.join("loop2")).unwrap();
    let mut g = Guest::new(&s.sb, 64);
    assert_eq!(g.read("a"), Ok("inside".into()));
    assert_eq!(g.read("d"), Err(errno::NOTCAPABLE));
    assert_eq!(g.read("loop1"), Err(errno::LOOP));
}

#[test]
fn writes_and_deletes_through_links_stay_inside() {
    let s = scene();
    symlink(&s.outside, s.sb.join("out")).unwrap();
    symlink("..", s.sb.join("sub/parent")).unwrap();
    let mut g = Guest::new(&s.sb, 64);
    assert_eq!(g.write("out/planted.txt", "x"), Err(errno::NOTCAPABLE));
    assert_eq!(g.path("mkdir", "out/newdir"), errno::NOTCAPABLE);
    assert_eq!(g.path("unlink", "out/secret.txt"), errno::NOTCAPABLE);
    assert_eq!(g.path("rmdir", "out/.."), errno::NOTCAPABLE);
    assert_eq!(
        g.paths("rename", "out/secret.txt", "stolen.txt"),
        errno::NOTCAPABLE
    );
    assert_eq!(
        g.paths("rename", "inside.txt", "out/pushed.txt"),
        errno::NOTCAPABLE
    );
    assert_eq!(
        g.path("rmdir", "sub/parent/sub"),
        errno::NOTEMPTY,
        "a link to `..` inside is inside"
    );
    assert_eq!(g.path("rmdir", "sub/parent/../outside"), errno::NOTCAPABLE);
    let len = g.put(1024, b"out/secret.txt");
    assert_eq!(
        g.call("set_mtime", &[len, Val::I32(FOLLOW), Val::I64(0)]),
        errno::NOTCAPABLE
    );
    assert_eq!(
        fs::read_dir(&s.outside).unwrap().count(),
        1,
        "nothing was created outside"
    );
    assert_eq!(
        fs::read_to_string(s.outside.join("secret.txt")).unwrap(),
        "secret"
    );
    // What is inside still works: unlinking the link itself removes the link, not its target.
    assert_eq!(g.path("unlink", "out"), 0);
    assert!(s.outside.join("secret.txt").exists());
    assert_eq!(g.path("mkdir", "made"), 0);
    assert_eq!(g.paths("rename", "inside.txt", "made/moved.txt"), 0);
    assert_eq!(g.read("made/moved.txt"), Ok("inside".into()));
    assert_eq!(g.path("unlink", "made/moved.txt"), 0);
    assert_eq!(g.path("rmdir", "made"), 0);
    assert!(!s.sb.join("made").exists());
}

#[test]
fn symlink_and_readlink_never_name_the_host() {
    let s = scene();
    symlink(&s.outside, s.sb.join("absolute")).unwrap();
    let mut g = Guest::new(&s.sb, 64);
    assert_eq!(g.paths("symlink", "/etc/passwd", "mine"), errno::NOTCAPABLE);
    assert!(!s.sb.join("mine").exists());
    assert_eq!(g.paths("symlink", "sub", "mine"), 0);
    assert_eq!(fs::read_link(s.sb.join("mine")).unwrap(), Path::new("sub"));
    assert_eq!(
        g.paths("symlink", "../outside", "leaky"),
        0,
        "making it is harmless"
    );
    assert_eq!(
        g.read("leaky/secret.txt"),
        Err(errno::NOTCAPABLE),
        "following it is not"
    );
    assert_eq!(g.readlink("absolute"), Err(errno::NOTCAPABLE));
    assert_eq!(g.paths("symlink", "x", "sub/../../link"), errno::NOTCAPABLE);
}

#[test]
fn set_times_reaches_files_inside() {
    let s = scene();
    let mut g = Guest::new(&s.sb, 64);
    let len = g.put(1024, b"inside.txt");
    let nanos = 1_000_000_000_000_000_000i64;
    assert_eq!(
        g.call("set_mtime", &[len, Val::I32(FOLLOW), Val::I64(nanos)]),
        0
    );
    let modified = fs::metadata(s.sb.join("inside.txt"))
        .unwrap()
        .modified()
        .unwrap();
    let since = modified.duration_since(std::time::UNIX_EPOCH).unwrap();
    assert_eq!(since.as_nanos(), nanos as u128);
}

#[test]
fn a_link_swapped_between_check_and_use_never_leads_outside() {
    let s = scene();
    fs::write(s.sb.join("sub/secret.txt"), "decoy").unwrap();
    symlink("sub", s.sb.join("flip")).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let flipped = Arc::new(AtomicU64::new(0));
    let flipper = {
        let (stop, sb, outside) = (stop.clone(), s.sb.clone(), s.outside.clone());
        let flipped = flipped.clone();
        std::thread::spawn(move || {
            let (link, tmp) = (sb.join("flip"), sb.join("flip.tmp"));
            let mut flips = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let target = if flips.is_multiple_of(2) {
                    outside.as_path()
                } else {
                    Path::new("sub")
                };
                let _ = fs::remove_file(&tmp);
                symlink(target, &tmp).unwrap();
                fs::rename(&tmp, &link).unwrap();
                flips += 1;
                flipped.store(flips, Ordering::Relaxed);
            }
            flips
        })
    };
    let mut g = Guest::new(&s.sb, 64);
    let (mut inside, mut refused) = (0, 0);
    // Reads until both targets were seen and the link has flipped often, however the two
    // threads are scheduled (on a loaded machine the flipper may get few turns).
    for _ in 0..100_000 {
        match g.read("flip/secret.txt") {
            Ok(text) => {
                assert_eq!(
                    text, "decoy",
                    "read the host's secret through a swapped link"
                );
                inside += 1;
            }
            Err(e) => {
                assert!(e == errno::NOTCAPABLE || e == errno::NOENT, "errno {e}");
                refused += 1;
            }
        }
        if inside > 0
            && refused > 0
            && inside + refused >= 500
            && flipped.load(Ordering::Relaxed) > 10
        {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let flips = flipper.join().unwrap();
    assert!(flips > 10, "the link was flipped {flips} times");
    assert!(
        inside > 0 && refused > 0,
        "both targets were seen: {inside} inside, {refused} refused"
    );
}

#[test]
fn open_descriptors_are_bounded_by_max_open_files() {
    let s = scene();
    // stdin, stdout, stderr and the preopen take four of the six.
    let mut g = Guest::new(&s.sb, 6);
    let a = g.open("inside.txt", FOLLOW, 0, READ).unwrap();
    let b = g.open("sub", FOLLOW, DIRECTORY, READ).unwrap();
    assert_eq!(g.open("inside.txt", FOLLOW, 0, READ), Err(errno::MFILE));
    assert_eq!(g.call("close", &[Val::I32(a)]), 0);
    assert_eq!(
        g.open("inside.txt", FOLLOW, 0, READ),
        Ok(a),
        "a closed slot is reused"
    );
    assert_eq!(g.call("close", &[Val::I32(b)]), 0);
}

#[test]
fn host_errors_reach_the_guest_as_their_own_errno() {
    let s = scene();
    let mut g = Guest::new(&s.sb, 64);
    let long = "n".repeat(300);
    assert_eq!(g.read(&long), Err(errno::NAMETOOLONG));
    assert_eq!(g.read("missing.txt"), Err(errno::NOENT));
    assert_eq!(
        g.open("inside.txt", FOLLOW, DIRECTORY, READ),
        Err(errno::NOTDIR)
    );
    assert_eq!(g.path("mkdir", "sub"), errno::EXIST);
    assert_eq!(g.path("rmdir", "inside.txt"), errno::NOTDIR);
    fs::write(s.sb.join("sub/full"), "x").unwrap();
    assert_eq!(g.path("rmdir", "sub"), errno::NOTEMPTY);
}

#[test]
fn a_fifo_is_refused_at_once_whether_opened_to_read_or_to_write() {
    let s = scene();
    let fifo = s.sb.join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo");
    let mut g = Guest::new(&s.sb, 64);
    // With no process at its other end, either open would wait for ever.
    assert_eq!(g.open("fifo", FOLLOW, 0, READ), Err(errno::NXIO));
    assert_eq!(g.open("fifo", FOLLOW, 0, WRITE), Err(errno::NXIO));
    assert_eq!(
        g.read("inside.txt").as_deref(),
        Ok("inside"),
        "regular files still open"
    );
}
