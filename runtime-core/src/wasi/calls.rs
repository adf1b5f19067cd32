//! The WASI preview 1 functions themselves, each `(ctx, memory, args) -> Result<(), errno>`.

use std::prelude::rust_2024::*;

use std::io::SeekFrom;

use cap_fs_ext::{
    DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt, SystemTimeSpec,
};
use cap_std::fs::{Dir, Metadata, OpenOptions};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::WasiCtx;
use super::errno::{self, BADF, Errno, FAULT, INVAL, NOTDIR, NXIO};
use super::fd::{Fd, filetype, relative};
use super::mem::GuestMem;
use crate::value::{Val, ValType};

const I: ValType = ValType::I32;
const L: ValType = ValType::I64;

/// How an import is served.
#[derive(Clone, Copy)]
pub(super) enum Imp {
    /// An ordinary call returning an errno.
    Call(fn(&mut WasiCtx, &mut GuestMem<'_>, &[Val]) -> Result<(), Errno>),
    /// `proc_exit`: ends the program with a status.
    Exit,
}

/// Our implementation of a WASI function: its parameter types, result count and body.
pub(super) fn lookup(name: &str) -> Option<(&'static [ValType], u8, Imp)> {
    use Imp::Call;
    Some(match name {
        "args_get" => (&[I, I], 1, Call(args_get)),
        "args_sizes_get" => (&[I, I], 1, Call(args_sizes_get)),
        "environ_get" => (&[I, I], 1, Call(environ_get)),
        "environ_sizes_get" => (&[I, I], 1, Call(environ_sizes_get)),
        "clock_res_get" => (&[I, I], 1, Call(clock_res_get)),
        "clock_time_get" => (&[I, L, I], 1, Call(clock_time_get)),
        "fd_close" => (&[I], 1, Call(fd_close)),
        "fd_fdstat_get" => (&[I, I], 1, Call(fd_fdstat_get)),
        "fd_fdstat_set_flags" => (&[I, I], 1, Call(fd_fdstat_set_flags)),
        "fd_filestat_get" => (&[I, I], 1, Call(fd_filestat_get)),
        "fd_prestat_get" => (&[I, I], 1, Call(fd_prestat_get)),
        "fd_prestat_dir_name" => (&[I, I, I], 1, Call(fd_prestat_dir_name)),
        "fd_read" => (&[I, I, I, I], 1, Call(fd_read)),
        "fd_write" => (&[I, I, I, I], 1, Call(fd_write)),
        "fd_seek" => (&[I, L, I, I], 1, Call(fd_seek)),
        "fd_tell" => (&[I, I], 1, Call(fd_tell)),
        "fd_sync" | "fd_datasync" => (&[I], 1, Call(fd_sync)),
        "path_open" => (&[I, I, I, I, I, L, L, I, I], 1, Call(path_open)),
        "path_filestat_get" => (&[I, I, I, I, I], 1, Call(path_filestat_get)),
        "path_create_directory" => (&[I, I, I], 1, Call(path_create_directory)),
        "path_remove_directory" => (&[I, I, I], 1, Call(path_remove_directory)),
        "path_unlink_file" => (&[I, I, I], 1, Call(path_unlink_file)),
        "path_rename" => (&[I, I, I, I, I, I], 1, Call(path_rename)),
        "path_readlink" => (&[I, I, I, I, I, I], 1, Call(path_readlink)),
        "path_symlink" => (&[I, I, I, I, I], 1, Call(path_symlink)),
        "path_filestat_set_times" => (&[I, I, I, I, L, L, I], 1, Call(path_filestat_set_times)),
        "poll_oneoff" => (&[I, I, I, I], 1, Call(poll_oneoff)),
        "proc_exit" => (&[I], 0, Imp::Exit),
        "random_get" => (&[I, I], 1, Call(random_get)),
        "sched_yield" => (&[], 1, Call(|_, _, _| Ok(()))),
        _ => return None,
    })
}

fn a32(args: &[Val], i: usize) -> u32 {
    match args[i] {
        Val::I32(v) => v as u32,
        _ => 0,
    }
}

fn a64(args: &[Val], i: usize) -> u64 {
    match args[i] {
        Val::I64(v) => v as u64,
        _ => 0,
    }
}

fn sizes(m: &mut GuestMem<'_>, args: &[Val], items: &[String]) -> Result<(), Errno> {
    m.set_u32(a32(args, 0), items.len() as u32)?;
    m.set_u32(a32(args, 1), items.iter().map(|s| s.len() as u32 + 1).sum())
}

fn args_get(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    m.write_strings(a32(a, 0), a32(a, 1), &c.args)
}

fn args_sizes_get(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    sizes(m, a, &c.args)
}

fn environ_get(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    m.write_strings(a32(a, 0), a32(a, 1), &c.env)
}

fn environ_sizes_get(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    sizes(m, a, &c.env)
}

/// Nanoseconds on a WASI clock: 0 realtime, 1 monotonic, 2/3 process and thread CPU time (monotonic here).
fn now(c: &WasiCtx, id: u32) -> Result<u64, Errno> {
    match id {
        0 => Ok(SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| errno::IO)?
            .as_nanos() as u64),
        1..=3 => Ok(c.start.elapsed().as_nanos() as u64),
        _ => Err(INVAL),
    }
}

fn clock_res_get(_: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    if a32(a, 0) > 3 {
        return Err(INVAL);
    }
    m.set_u64(a32(a, 1), 1_000)
}

fn clock_time_get(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let t = now(c, a32(a, 0))?;
    m.set_u64(a32(a, 2), t)
}

fn fd_close(c: &mut WasiCtx, _: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    c.fd(a32(a, 0) as i32)?;
    c.fds[a32(a, 0) as usize] = None;
    Ok(())
}

fn fd_fdstat_get(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let ft = c.fd(a32(a, 0) as i32)?.filetype();
    let mut stat = [0u8; 24];
    stat[0] = ft;
    stat[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    stat[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
    m.write(a32(a, 1), &stat)
}

fn fd_fdstat_set_flags(c: &mut WasiCtx, _: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    c.fd(a32(a, 0) as i32).map(|_| ())
}

fn filestat(meta: Option<&Metadata>, ft: u8) -> [u8; 64] {
    let mut st = [0u8; 64];
    st[16] = ft;
    st[24..32].copy_from_slice(&1u64.to_le_bytes());
    if let Some(meta) = meta {
        st[32..40].copy_from_slice(&meta.len().to_le_bytes());
        let nanos = |t: std::io::Result<cap_std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.into_std().duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as u64)
        };
        st[40..48].copy_from_slice(&nanos(meta.accessed()).to_le_bytes());
        st[48..56].copy_from_slice(&nanos(meta.modified()).to_le_bytes());
        st[56..64].copy_from_slice(&nanos(meta.modified()).to_le_bytes());
    }
    st
}

fn meta_filetype(meta: &Metadata) -> u8 {
    if meta.is_symlink() {
        filetype::SYMBOLIC_LINK
    } else if meta.is_dir() {
        filetype::DIRECTORY
    } else if meta.is_file() {
        filetype::REGULAR_FILE
    } else {
        filetype::UNKNOWN
    }
}

fn io<T>(r: std::io::Result<T>) -> Result<T, Errno> {
    r.map_err(|e| errno::from_io(&e))
}

fn fd_filestat_get(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let fd = c.fd(a32(a, 0) as i32)?;
    let meta = match fd {
        Fd::File(file) => Some(io(file.metadata())?),
        Fd::Dir { dir, .. } => Some(io(dir.dir_metadata())?),
        _ => None,
    };
    m.write(a32(a, 1), &filestat(meta.as_ref(), fd.filetype()))
}

fn fd_prestat_get(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    match c.fd(a32(a, 0) as i32)? {
        Fd::Dir {
            preopen: Some(guest),
            ..
        } => {
            let len = guest.len() as u32;
            m.write(a32(a, 1), &[0, 0, 0, 0])?;
            m.set_u32(a32(a, 1) + 4, len)
        }
        _ => Err(BADF),
    }
}

fn fd_prestat_dir_name(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    match c.fd(a32(a, 0) as i32)? {
        Fd::Dir {
            preopen: Some(guest),
            ..
        } => {
            let name = guest.as_bytes();
            let len = (a32(a, 2) as usize).min(name.len());
            m.write(a32(a, 1), &name[..len])
        }
        _ => Err(BADF),
    }
}

fn fd_read(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let iovs = m.iovecs(a32(a, 1), a32(a, 2))?;
    let fd = c.fd(a32(a, 0) as i32)?;
    let mut total = 0u32;
    for (ptr, len) in iovs {
        let n = fd.read(m.slice(ptr, len)?)?;
        total += n as u32;
        if n < len as usize {
            break;
        }
    }
    m.set_u32(a32(a, 3), total)
}

fn fd_write(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let iovs = m.iovecs(a32(a, 1), a32(a, 2))?;
    let fd = c.fd(a32(a, 0) as i32)?;
    let mut total = 0u32;
    for (ptr, len) in iovs {
        total += fd.write(m.slice(ptr, len)?)? as u32;
    }
    m.set_u32(a32(a, 3), total)
}

fn fd_seek(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let offset = a64(a, 1) as i64;
    let pos = match a32(a, 2) {
        0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| INVAL)?),
        1 => SeekFrom::Current(offset),
        2 => SeekFrom::End(offset),
        _ => return Err(INVAL),
    };
    let new = c.fd(a32(a, 0) as i32)?.seek(pos)?;
    m.set_u64(a32(a, 3), new)
}

fn fd_tell(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let pos = c.fd(a32(a, 0) as i32)?.seek(SeekFrom::Current(0))?;
    m.set_u64(a32(a, 1), pos)
}

fn fd_sync(c: &mut WasiCtx, _: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    c.fd(a32(a, 0) as i32)?.flush();
    Ok(())
}

/// `lookupflags`: follow a symbolic link in the last component.
const SYMLINK_FOLLOW: u32 = 1;

/// The directory and guest path of `(dirfd, path_ptr, path_len)` arguments at `dir` and `path`.
fn at<'c>(
    c: &'c mut WasiCtx,
    m: &mut GuestMem<'_>,
    a: &[Val],
    dir: usize,
    path: usize,
) -> Result<(&'c Dir, String), Errno> {
    let guest = m.str(a32(a, path), a32(a, path + 1))?;
    relative(&guest)?;
    Ok((c.fd(a32(a, dir) as i32)?.dir()?, guest))
}

fn path_open(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    const CREAT: u32 = 1;
    const DIRECTORY: u32 = 2;
    const EXCL: u32 = 4;
    const TRUNC: u32 = 8;
    const APPEND: u32 = 1;
    const RIGHT_READ: u64 = 1 << 1;
    const RIGHT_WRITE: u64 = 1 << 6;
    let (lookup, oflags, rights, fdflags) = (a32(a, 1), a32(a, 4), a64(a, 5), a32(a, 7));
    let (dir, path) = at(c, m, a, 0, 2)?;
    let follow = if lookup & SYMLINK_FOLLOW != 0 {
        FollowSymlinks::Yes
    } else {
        FollowSymlinks::No
    };
    let write = rights & RIGHT_WRITE != 0 && oflags & DIRECTORY == 0;
    let mut options = OpenOptions::new();
    options
        .read(rights & RIGHT_READ != 0 || !write)
        .write(write)
        .append(fdflags & APPEND != 0 && write)
        .create(oflags & CREAT != 0 && oflags & EXCL == 0 && write)
        .create_new(oflags & CREAT != 0 && oflags & EXCL != 0)
        .truncate(oflags & TRUNC != 0 && write)
        .follow(follow)
        .maybe_dir(!write);
    // The open never waits for a FIFO's other end; a FIFO or socket, whose reads and writes
    // would wait on another process, is refused.
    #[cfg(unix)]
    cap_std::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = io(dir.open_with(&path, &options))?;
    let meta = io(file.metadata())?;
    if waits(&meta) {
        return Err(NXIO);
    }
    let fd = if meta.is_dir() {
        Fd::Dir {
            dir: Dir::from_std_file(file.into_std()),
            preopen: None,
        }
    } else if oflags & DIRECTORY != 0 {
        return Err(NOTDIR);
    } else {
        Fd::File(file)
    };
    let fd = c.insert(fd)?;
    m.set_u32(a32(a, 8), fd)
}

/// Whether the file is one whose reads and writes wait on another process (a FIFO, a socket).
fn waits(meta: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use cap_std::fs::FileTypeExt;
        let kind = meta.file_type();
        kind.is_fifo() || kind.is_socket()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

fn path_filestat_get(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let (dir, path) = at(c, m, a, 0, 2)?;
    let meta = if a32(a, 1) & SYMLINK_FOLLOW != 0 {
        io(dir.metadata(&path))?
    } else {
        io(dir.symlink_metadata(&path))?
    };
    m.write(a32(a, 4), &filestat(Some(&meta), meta_filetype(&meta)))
}

fn path_filestat_set_times(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let (atime, mtime) = times(a64(a, 4), a64(a, 5), a32(a, 6))?;
    let (dir, path) = at(c, m, a, 0, 2)?;
    if a32(a, 1) & SYMLINK_FOLLOW != 0 {
        io(dir.set_times(&path, atime, mtime))
    } else {
        io(dir.set_symlink_times(&path, atime, mtime))
    }
}

/// The access and modification times a `fstflags` word asks for: a given time, now, or unchanged.
fn times(
    atim: u64,
    mtim: u64,
    flags: u32,
) -> Result<(Option<SystemTimeSpec>, Option<SystemTimeSpec>), Errno> {
    const ATIM: u32 = 1;
    const ATIM_NOW: u32 = 2;
    const MTIM: u32 = 4;
    const MTIM_NOW: u32 = 8;
    let one = |nanos: u64, given: u32, now: u32| match (flags & given != 0, flags & now != 0) {
        (true, true) => Err(INVAL),
        (true, false) => Ok(Some(SystemTimeSpec::Absolute(
            cap_std::time::SystemTime::from_std(UNIX_EPOCH + Duration::from_nanos(nanos)),
        ))),
        (false, true) => Ok(Some(SystemTimeSpec::SymbolicNow)),
        (false, false) => Ok(None),
    };
    Ok((one(atim, ATIM, ATIM_NOW)?, one(mtim, MTIM, MTIM_NOW)?))
}

fn path_create_directory(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let (dir, path) = at(c, m, a, 0, 1)?;
    io(dir.create_dir(path))
}

fn path_remove_directory(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let (dir, path) = at(c, m, a, 0, 1)?;
    io(dir.remove_dir(path))
}

fn path_unlink_file(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let (dir, path) = at(c, m, a, 0, 1)?;
    io(dir.remove_file_or_symlink(path))
}

fn path_rename(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let (from_dir, from) = at(c, m, a, 0, 1)?;
    let from_dir = io(from_dir.try_clone())?;
    let (to_dir, to) = at(c, m, a, 3, 4)?;
    io(from_dir.rename(from, to_dir, to))
}

/// Reads a link's text, truncated to the buffer as POSIX `readlink` does. A link to an absolute path
/// is refused: its text would name the host's file system.
fn path_readlink(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let (dir, path) = at(c, m, a, 0, 1)?;
    let target = io(dir.read_link(path))?;
    let text = target.to_str().ok_or(errno::ILSEQ)?.as_bytes();
    let len = text.len().min(a32(a, 4) as usize);
    m.write(a32(a, 3), &text[..len])?;
    m.set_u32(a32(a, 5), len as u32)
}

/// Creates a symbolic link; its target must be relative (an absolute one could only lead outside).
fn path_symlink(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    let target = m.str(a32(a, 0), a32(a, 1))?;
    relative(&target)?;
    let (dir, link) = at(c, m, a, 2, 3)?;
    io(dir.symlink(target, link))
}

fn random_get(_: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    getrandom::fill(m.slice(a32(a, 0), a32(a, 1))?).map_err(|_| errno::IO)
}

/// Clock subscriptions wait (the earliest deadline wins); fd subscriptions are reported ready at once.
fn poll_oneoff(c: &mut WasiCtx, m: &mut GuestMem<'_>, a: &[Val]) -> Result<(), Errno> {
    const SUB: u32 = 48;
    const EVENT: u32 = 32;
    let (subs, events, n) = (a32(a, 0), a32(a, 1), a32(a, 2));
    if n == 0 {
        return Err(INVAL);
    }
    let mut ready = Vec::new();
    let mut earliest: Option<(u64, u64)> = None;
    for i in 0..n {
        let at = subs
            .checked_add(i.checked_mul(SUB).ok_or(FAULT)?)
            .ok_or(FAULT)?;
        let userdata = m.u64(at)?;
        let tag = m.slice(at + 8, 1)?[0];
        match tag {
            0 => {
                let clock = m.u32(at + 16)?;
                let timeout = m.u64(at + 24)?;
                let abstime = m.u32(at + 40)? & 1 != 0;
                let wait = if abstime {
                    timeout.saturating_sub(now(c, clock)?)
                } else {
                    timeout
                };
                if earliest.is_none_or(|(w, _)| wait < w) {
                    earliest = Some((wait, userdata));
                }
            }
            1 | 2 => ready.push((userdata, tag, 0u16)),
            _ => return Err(INVAL),
        }
    }
    if ready.is_empty()
        && let Some((wait, userdata)) = earliest
    {
        std::thread::sleep(Duration::from_nanos(wait));
        ready.push((userdata, 0, 0));
    }
    for (i, (userdata, tag, err)) in ready.iter().enumerate() {
        let at = events + i as u32 * EVENT;
        let mut ev = [0u8; 32];
        ev[0..8].copy_from_slice(&userdata.to_le_bytes());
        ev[8..10].copy_from_slice(&err.to_le_bytes());
        ev[10] = *tag;
        m.write(at, &ev)?;
    }
    m.set_u32(a32(a, 3), ready.len() as u32)
}
