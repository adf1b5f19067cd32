//! WASI preview 1 error numbers (`errno`) and their mapping from host I/O errors.

/// A WASI errno value.
pub type Errno = u16;

/// No error.
pub const SUCCESS: Errno = 0;
/// Argument list too long.
pub const TOOBIG: Errno = 1;
/// Permission denied.
pub const ACCES: Errno = 2;
/// Resource unavailable, try again.
pub const AGAIN: Errno = 6;
/// Bad file descriptor.
pub const BADF: Errno = 8;
/// Device or resource busy.
pub const BUSY: Errno = 10;
/// Disk quota exceeded.
pub const DQUOT: Errno = 19;
/// File exists.
pub const EXIST: Errno = 20;
/// Bad address.
pub const FAULT: Errno = 21;
/// File too large.
pub const FBIG: Errno = 22;
/// Illegal byte sequence.
pub const ILSEQ: Errno = 25;
/// Interrupted function.
pub const INTR: Errno = 27;
/// Invalid argument.
pub const INVAL: Errno = 28;
/// I/O error.
pub const IO: Errno = 29;
/// Is a directory.
pub const ISDIR: Errno = 31;
/// Too many levels of symbolic links.
pub const LOOP: Errno = 32;
/// Too many open files (the guest's `max_open_files`).
pub const MFILE: Errno = 33;
/// Too many links.
pub const MLINK: Errno = 34;
/// Filename too long.
pub const NAMETOOLONG: Errno = 37;
/// Too many files open in the system.
pub const NFILE: Errno = 41;
/// No such device.
pub const NODEV: Errno = 43;
/// No such file or directory.
pub const NOENT: Errno = 44;
/// Not enough space.
pub const NOMEM: Errno = 48;
/// No space left on device.
pub const NOSPC: Errno = 51;
/// Function not supported.
pub const NOSYS: Errno = 52;
/// Not a directory.
pub const NOTDIR: Errno = 54;
/// Directory not empty.
pub const NOTEMPTY: Errno = 55;
/// Not supported.
pub const NOTSUP: Errno = 58;
/// No such device or address.
pub const NXIO: Errno = 60;
/// Value too large.
pub const OVERFLOW: Errno = 61;
/// Operation not permitted.
pub const PERM: Errno = 63;
/// Broken pipe.
pub const PIPE: Errno = 64;
/// Read-only file system.
pub const ROFS: Errno = 69;
/// Invalid seek.
pub const SPIPE: Errno = 70;
/// Connection timed out.
pub const TIMEDOUT: Errno = 73;
/// Text file busy.
pub const TXTBSY: Errno = 74;
/// Cross-device link.
pub const XDEV: Errno = 75;
/// Capabilities insufficient: the path leads outside the directory it is relative to.
pub const NOTCAPABLE: Errno = 76;

/// Maps a host I/O error to its errno: by the OS error code where there is one, so `EMFILE`,
/// `ENAMETOOLONG`, `ELOOP` and the rest keep their meaning. `cap-std` reports a path that would leave
/// its directory as `PermissionDenied` without an OS code: that is `ENOTCAPABLE`.
pub fn from_io(e: &std::io::Error) -> Errno {
    if let Some(code) = e.raw_os_error() {
        return from_os(code);
    }
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => NOENT,
        K::PermissionDenied => NOTCAPABLE,
        K::AlreadyExists => EXIST,
        K::InvalidInput => INVAL,
        K::IsADirectory => ISDIR,
        K::NotADirectory => NOTDIR,
        K::DirectoryNotEmpty => NOTEMPTY,
        K::Unsupported => NOTSUP,
        K::InvalidFilename => NAMETOOLONG,
        K::StorageFull => NOSPC,
        K::OutOfMemory => NOMEM,
        _ => IO,
    }
}

/// Maps a host OS error code (`errno`) to WASI's.
#[cfg(unix)]
fn from_os(code: i32) -> Errno {
    const TABLE: &[(i32, Errno)] = &[
        (libc::E2BIG, TOOBIG),
        (libc::EACCES, ACCES),
        (libc::EAGAIN, AGAIN),
        (libc::EBADF, BADF),
        (libc::EBUSY, BUSY),
        (libc::EDQUOT, DQUOT),
        (libc::EEXIST, EXIST),
        (libc::EFAULT, FAULT),
        (libc::EFBIG, FBIG),
        (libc::EILSEQ, ILSEQ),
        (libc::EINTR, INTR),
        (libc::EINVAL, INVAL),
        (libc::EIO, IO),
        (libc::EISDIR, ISDIR),
        (libc::ELOOP, LOOP),
        (libc::EMFILE, MFILE),
        (libc::EMLINK, MLINK),
        (libc::ENAMETOOLONG, NAMETOOLONG),
        (libc::ENFILE, NFILE),
        (libc::ENODEV, NODEV),
        (libc::ENOENT, NOENT),
        (libc::ENOMEM, NOMEM),
        (libc::ENOSPC, NOSPC),
        (libc::ENOSYS, NOSYS),
        (libc::ENOTDIR, NOTDIR),
        (libc::ENOTEMPTY, NOTEMPTY),
        (libc::ENOTSUP, NOTSUP),
        (libc::EOPNOTSUPP, NOTSUP),
        (libc::ENXIO, NXIO),
        (libc::EOVERFLOW, OVERFLOW),
        (libc::EPERM, PERM),
        (libc::EPIPE, PIPE),
        (libc::EROFS, ROFS),
        (libc::ESPIPE, SPIPE),
        (libc::ETIMEDOUT, TIMEDOUT),
        (libc::ETXTBSY, TXTBSY),
        (libc::EXDEV, XDEV),
    ];
    TABLE
        .iter()
        .find(|(host, _)| *host == code)
        .map_or(IO, |(_, wasi)| *wasi)
}

/// Maps a host OS error code to WASI's: without a table of the host's codes, by the error's kind.
#[cfg(not(unix))]
fn from_os(code: i32) -> Errno {
    let e = std::io::Error::from_raw_os_error(code);
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => ACCES,
        _ => from_io(&std::io::Error::from(e.kind())),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn host_errors_keep_their_meaning() {
        let os = std::io::Error::from_raw_os_error;
        assert_eq!(from_io(&os(libc::EMFILE)), MFILE);
        assert_eq!(from_io(&os(libc::ENAMETOOLONG)), NAMETOOLONG);
        assert_eq!(from_io(&os(libc::ELOOP)), LOOP);
        assert_eq!(from_io(&os(libc::EACCES)), ACCES);
        assert_eq!(from_io(&os(libc::ENOSPC)), NOSPC);
        let escape = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "outside");
        assert_eq!(from_io(&escape), NOTCAPABLE);
    }
}
