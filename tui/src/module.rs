//! Reading the module a subcommand names. `run` streams it through the admission pass (validated,
//! measured against the limits and translated as it is read, never held whole); `debug`, `serve`
//! and `profile` keep its bytes, whose line table decides the translation, for the session's
//! admission. Either way nothing past `max_total_memory` is read, and input that is no module at
//! all (`/dev/zero`, a text file) is refused at its first bytes.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use runtime_core::admit::{Admitted, admit_read};
use runtime_core::limits::PlatformLimits;
use runtime_core::module::Translation;
use runtime_core::validate::StreamValidator;

/// Admits the module at `path` under `limits` in one streaming pass, translated for speed; a
/// module that breaks a limit is refused naming each violation.
pub fn admit(path: &Path, limits: &PlatformLimits) -> Result<Admitted, String> {
    let file = open(path)?;
    admit_read(BufReader::new(file), limits, Translation::Speed)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The bytes of the module at `path`, refused at once unless they start as a WebAssembly binary
/// does, and past `max_total_memory`; the session that opens it admits it.
pub fn read(path: &Path, limits: &PlatformLimits) -> Result<Vec<u8>, String> {
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let mut file = open(path)?;
    let mut bytes = Vec::new();
    (&mut file)
        .take(8)
        .read_to_end(&mut bytes)
        .map_err(|e| at(&e))?;
    StreamValidator::new(limits)
        .push(&bytes, false)
        .map_err(|e| at(&e))?;
    let max = limits.max_total_memory;
    file.take(max.saturating_sub(bytes.len() as u64).saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| at(&e))?;
    if bytes.len() as u64 > max {
        return Err(at(&format!("larger than max_total_memory ({max} bytes)")));
    }
    Ok(bytes)
}

/// Opens the file at `path`, or says which could not be read and why.
pub fn open(path: &Path) -> Result<File, String> {
    File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
