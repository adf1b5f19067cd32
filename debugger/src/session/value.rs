//! How the session shows a value: read in the selected frame.

use super::Session;
use crate::error::Error;
use crate::value::{Format, Printer, Value};

impl Session {
    /// A value as `print` shows it, read in the selected frame (before `run`, in static memory).
    pub fn show(&self, v: &Value, format: Format) -> Result<String, Error> {
        Ok(Printer {
            dwarf: &self.image.dwarf,
            state: &self.view(self.inspect.selected)?.state,
            format,
        }
        .top(v))
    }
}
