//! The WASI file table: stdio, preopened directories, and files and directories opened beneath them.
//!
//! Every path a guest names is resolved by `cap-std` beneath the directory descriptor it is relative
//! to, one component at a time with the kernel's help (`openat2` with `RESOLVE_BENEATH` on Linux, an
//! `O_NOFOLLOW` walk elsewhere): `..` above the directory, absolute paths, and symbolic links whose
//! target lies outside it are refused with `ENOTCAPABLE`, even when a link is swapped while in use.

use std::prelude::rust_2024::*;

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use cap_std::fs::{Dir, File};

use super::errno::{self, BADF, Errno, NOENT, NOTCAPABLE, SPIPE};

/// `filetype` values of WASI preview 1.
pub mod filetype {
    /// Unknown.
    pub const UNKNOWN: u8 = 0;
    /// Character device (stdio).
    pub const CHARACTER_DEVICE: u8 = 2;
    /// Directory.
    pub const DIRECTORY: u8 = 3;
    /// Regular file.
    pub const REGULAR_FILE: u8 = 4;
    /// Symbolic link.
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// An open descriptor.
pub enum Fd {
    /// Standard input.
    Stdin(Box<dyn Read>),
    /// Standard output or error.
    Out(Box<dyn Write>),
    /// A directory: preopened (with the name the guest sees) or opened beneath one.
    Dir {
        /// The directory; paths under it cannot leave it.
        dir: Dir,
        /// The guest's name for a preopened directory; `None` for one opened with `path_open`.
        preopen: Option<String>,
    },
    /// An open regular file.
    File(File),
}

impl Fd {
    /// The WASI filetype of the descriptor.
    pub fn filetype(&self) -> u8 {
        match self {
            Fd::Stdin(_) | Fd::Out(_) => filetype::CHARACTER_DEVICE,
            Fd::Dir { .. } => filetype::DIRECTORY,
            Fd::File(_) => filetype::REGULAR_FILE,
        }
    }

    /// Reads into `buf`.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        match self {
            Fd::Stdin(r) => r.read(buf).map_err(|e| errno::from_io(&e)),
            Fd::File(file) => file.read(buf).map_err(|e| errno::from_io(&e)),
            Fd::Dir { .. } => Err(errno::ISDIR),
            Fd::Out(_) => Err(BADF),
        }
    }

    /// Writes from `buf`.
    pub fn write(&mut self, buf: &[u8]) -> Result<usize, Errno> {
        match self {
            Fd::Out(w) => w
                .write_all(buf)
                .map(|_| buf.len())
                .map_err(|e| errno::from_io(&e)),
            Fd::File(file) => file.write(buf).map_err(|e| errno::from_io(&e)),
            Fd::Dir { .. } => Err(errno::ISDIR),
            Fd::Stdin(_) => Err(BADF),
        }
    }

    /// Flushes buffered output.
    pub fn flush(&mut self) {
        if let Fd::Out(w) = self {
            let _ = w.flush();
        }
    }

    /// Moves the file position.
    pub fn seek(&mut self, pos: SeekFrom) -> Result<u64, Errno> {
        match self {
            Fd::File(file) => file.seek(pos).map_err(|e| errno::from_io(&e)),
            Fd::Stdin(_) | Fd::Out(_) => Err(SPIPE),
            Fd::Dir { .. } => Err(BADF),
        }
    }

    /// The directory of a directory descriptor, for resolving paths beneath it.
    pub fn dir(&self) -> Result<&Dir, Errno> {
        match self {
            Fd::Dir { dir, .. } => Ok(dir),
            _ => Err(errno::NOTDIR),
        }
    }
}

/// A guest path as a relative host path: absolute paths are refused here (`cap-std` would refuse them
/// too, as an escape), an empty one names nothing.
pub fn relative(guest: &str) -> Result<&Path, Errno> {
    if guest.is_empty() {
        return Err(NOENT);
    }
    let path = Path::new(guest);
    if path.has_root() {
        return Err(NOTCAPABLE);
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_and_empty_paths_are_refused_before_the_host_sees_them() {
        assert_eq!(relative("/etc/passwd"), Err(NOTCAPABLE));
        assert_eq!(relative(""), Err(NOENT));
        assert_eq!(relative("a/../b"), Ok(Path::new("a/../b")));
    }
}
