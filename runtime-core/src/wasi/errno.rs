//! WASI preview 1 error numbers (`errno`) and their mapping from host I/O errors.

/// A WASI errno value.
pub type Errno = u16;

/// No error.
pub const SUCCESS: Errno = 0;
/// Permission denied.
pub const ACCES: Errno = 2;
/// Bad file descriptor.
pub const BADF: Errno = 8;
/// File exists.
pub const EXIST: Errno = 20;
/// Bad address.
pub const FAULT: Errno = 21;
/// Invalid argument.
pub const INVAL: Errno = 28;
/// I/O error.
pub const IO: Errno = 29;
/// Is a directory.
pub const ISDIR: Errno = 31;
/// Illegal byte sequence.
pub const ILSEQ: Errno = 25;
/// No such file or directory.
pub const NOENT: Errno = 44;
/// Function not supported.
pub const NOSYS: Errno = 52;
/// Not a directory.
pub const NOTDIR: Errno = 54;
/// Directory not empty.
pub const NOTEMPTY: Errno = 55;
/// Not supported.
pub const NOTSUP: Errno = 58;
/// Operation not permitted.
pub const PERM: Errno = 63;
/// Invalid seek.
pub const SPIPE: Errno = 70;
/// Capabilities insufficient.
pub const NOTCAPABLE: Errno = 76;

/// Maps a host I/O error to the closest errno.
pub fn from_io(e: &std::io::Error) -> Errno {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => NOENT,
        K::PermissionDenied => ACCES,
        K::AlreadyExists => EXIST,
        K::InvalidInput => INVAL,
        K::IsADirectory => ISDIR,
        K::NotADirectory => NOTDIR,
        K::DirectoryNotEmpty => NOTEMPTY,
        K::Unsupported => NOTSUP,
        _ => IO,
    }
}
