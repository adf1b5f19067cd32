//! Reading and writing the files a user names or we keep (scripts, configs, sources, histories):
//! only regular files, opened without waiting, read with a size cap, so that a FIFO, `/dev/zero`
//! or a runaway file is refused with its reason named instead of blocking or filling memory.
//! Modules are read within `max_total_memory` and admitted instead (`wrt-dbg`'s `module` and
//! `runtime_core::admit`).

use std::io::{self, Read};
use std::path::Path;

/// Largest command script read (`-x`).
pub const MAX_SCRIPT_BYTES: u64 = 16 << 20;
/// Largest configuration file read (`--config`).
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// Largest source file shown (`list`, stops).
pub const MAX_SOURCE_BYTES: u64 = 64 << 20;
/// Largest command history read at a prompt's start; a larger one is not used.
pub const MAX_HISTORY_BYTES: u64 = 1 << 20;

/// Opens `path` to read, refused with [`io::ErrorKind::InvalidInput`] unless it is a regular file:
/// a FIFO or a device could block the open or every read for ever, and be endless. The open
/// itself does not wait for a FIFO's writer.
pub fn open(path: &Path) -> io::Result<std::fs::File> {
    opened(path, options().read(true))
}

/// Opens `path` to append to, created if missing; refused like [`open`], so a FIFO with no
/// reader cannot block the session.
pub fn append(path: &Path) -> io::Result<std::fs::File> {
    opened(path, options().create(true).append(true))
}

/// Replaces the contents of `path` (created if missing) with `bytes`; refused like [`open`].
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = opened(path, options().create(true).write(true))?;
    file.set_len(0)?;
    file.write_all(bytes)
}

/// Open options whose open neither waits (for a FIFO's other end) nor takes a terminal.
fn options() -> std::fs::OpenOptions {
    #[allow(unused_mut)]
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NONBLOCK | libc::O_NOCTTY,
    );
    options
}

/// `path` opened with `options`, if it is a regular file.
fn opened(path: &Path, options: &std::fs::OpenOptions) -> io::Result<std::fs::File> {
    let file = options.open(path)?;
    regular(&file)?;
    Ok(file)
}

/// Refuses `file` unless it is a regular file.
fn regular(file: &std::fs::File) -> io::Result<()> {
    let kind = file.metadata()?.file_type();
    if kind.is_file() {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file ({})", kind_name(kind)),
    ))
}

/// What a file that is not a regular file is, in a user's words.
fn kind_name(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// The bytes of the regular file at `path` ([`open`]), refused with
/// [`io::ErrorKind::FileTooLarge`] past `max` bytes (read no further than one byte past it).
pub fn read(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open(path)?
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

/// The text of `path` as UTF-8, capped like [`read`]; text that is not UTF-8 is refused with the
/// offset of its first bad byte.
pub fn read_text(path: &Path, max: u64) -> io::Result<String> {
    String::from_utf8(read(path, max)?).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not UTF-8 text (byte offset {at})"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_file_is_refused_at_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, vec![0u8; 4097]).unwrap();
        let err = read(&path, 4096).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(err.to_string(), "larger than 4096 bytes");
    }

    #[test]
    fn a_fifo_with_no_writer_a_device_and_a_directory_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        for (path, kind) in [
            (fifo.as_path(), "a FIFO"),
            (Path::new("/dev/zero"), "a device"),
            (dir.path(), "a directory"),
        ] {
            let err = read(path, 4096).unwrap_err();
            assert_eq!(
                err.kind(),
                io::ErrorKind::InvalidInput,
                "{}",
                path.display()
            );
            assert_eq!(err.to_string(), format!("not a regular file ({kind})"));
        }
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_with_its_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"ok\n\xff").unwrap();
        let err = read_text(&path, 100).unwrap_err();
        assert_eq!(err.to_string(), "not UTF-8 text (byte offset 3)");
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
