//! Reading the files a user names (scripts, configs, sources) with a size cap, so that `/dev/zero`
//! or a runaway file is refused with its size named instead of filling memory. Modules are read
//! within `max_total_memory` and admitted instead (`wrt-dbg`'s `module` and `runtime_core::admit`).

use std::io::{self, Read};
use std::path::Path;

/// Largest command script read (`-x`).
pub const MAX_SCRIPT_BYTES: u64 = 16 << 20;
/// Largest configuration file read (`--config`).
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// Largest source file shown (`list`, stops).
pub const MAX_SOURCE_BYTES: u64 = 64 << 20;

/// The bytes of `path`, refused with [`io::ErrorKind::FileTooLarge`] past `max` bytes (read no
/// further than one byte past it).
pub fn read(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("larger than {max} bytes"),
        ));
    }
    Ok(bytes)
}

/// The text of `path` as UTF-8, capped like [`read`].
pub fn read_text(path: &Path, max: u64) -> io::Result<String> {
    String::from_utf8(read(path, max)?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.utf8_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_file_is_refused_at_the_cap() {
        let err = read(Path::new("/dev/zero"), 4096).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(err.to_string(), "larger than 4096 bytes");
    }

    #[test]
    fn a_file_at_the_cap_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, [7u8; 100]).unwrap();
        assert_eq!(read(&path, 100).unwrap(), [7u8; 100]);
        assert!(read(&path, 99).is_err());
    }
}
