//! The WASI file table: stdio, one optional preopened directory, and files opened beneath it.
//! Paths never escape the preopen: absolute paths and `..` above its root are refused.

use std::prelude::rust_2024::*;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};

use super::errno::{self, BADF, Errno, NOTCAPABLE, SPIPE};

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
}

/// An open descriptor.
pub enum Fd {
    /// Standard input.
    Stdin(Box<dyn Read>),
    /// Standard output or error.
    Out(Box<dyn Write>),
    /// A preopened directory: the host path and the name the guest sees.
    Dir {
        /// Host directory.
        host: PathBuf,
        /// Name the guest sees.
        guest: String,
    },
    /// An open regular file (or directory opened with `path_open`).
    File {
        /// The open host file.
        file: File,
        /// Its host path.
        host: PathBuf,
    },
}

impl Fd {
    /// The WASI filetype of the descriptor.
    pub fn filetype(&self) -> u8 {
        match self {
            Fd::Stdin(_) | Fd::Out(_) => filetype::CHARACTER_DEVICE,
            Fd::Dir { .. } => filetype::DIRECTORY,
            Fd::File { file, .. } => match file.metadata() {
                Ok(m) if m.is_dir() => filetype::DIRECTORY,
                Ok(_) => filetype::REGULAR_FILE,
                Err(_) => filetype::UNKNOWN,
            },
        }
    }

    /// Reads into `buf`.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        match self {
            Fd::Stdin(r) => r.read(buf).map_err(|e| errno::from_io(&e)),
            Fd::File { file, .. } => file.read(buf).map_err(|e| errno::from_io(&e)),
            _ => Err(BADF),
        }
    }

    /// Writes from `buf`.
    pub fn write(&mut self, buf: &[u8]) -> Result<usize, Errno> {
        match self {
            Fd::Out(w) => w
                .write_all(buf)
                .map(|_| buf.len())
                .map_err(|e| errno::from_io(&e)),
            Fd::File { file, .. } => file.write(buf).map_err(|e| errno::from_io(&e)),
            _ => Err(BADF),
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
            Fd::File { file, .. } => file.seek(pos).map_err(|e| errno::from_io(&e)),
            Fd::Stdin(_) | Fd::Out(_) => Err(SPIPE),
            Fd::Dir { .. } => Err(BADF),
        }
    }

    /// The host path of a directory descriptor, for resolving paths under it.
    pub fn dir_path(&self) -> Result<&Path, Errno> {
        match self {
            Fd::Dir { host, .. } => Ok(host),
            Fd::File { host, file } if file.metadata().is_ok_and(|m| m.is_dir()) => Ok(host),
            _ => Err(errno::NOTDIR),
        }
    }
}

/// Joins a guest path onto a directory without leaving it.
pub fn resolve(dir: &Path, guest: &str) -> Result<PathBuf, Errno> {
    let mut depth = 0usize;
    let mut out = dir.to_path_buf();
    for c in Path::new(guest).components() {
        match c {
            Component::Normal(p) => {
                out.push(p);
                depth += 1;
            }
            Component::CurDir => {}
            Component::ParentDir if depth > 0 => {
                out.pop();
                depth -= 1;
            }
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(NOTCAPABLE);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_preopen() {
        let root = Path::new("/sandbox");
        assert_eq!(
            resolve(root, "a/./b/../c"),
            Ok(PathBuf::from("/sandbox/a/c"))
        );
        assert_eq!(resolve(root, "../etc/passwd"), Err(NOTCAPABLE));
        assert_eq!(resolve(root, "/etc/passwd"), Err(NOTCAPABLE));
        assert_eq!(resolve(root, "a/../../x"), Err(NOTCAPABLE));
    }
}
