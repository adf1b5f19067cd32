//! The session's static view: what expressions read before `run` (data segments, globals).

use crate::error::Error;
use crate::session::Session;
use crate::statics::*;

impl Session {
    /// What frame `level` sees (the innermost frame's, if there is no such level) while a program
    /// stands stopped; with none, the module's static memory.
    pub(crate) fn view(&self, level: usize) -> Result<View<'_>, Error> {
        if self.process.target.is_some() {
            let frames = self.frames()?;
            if let Some(f) = frames.get(level).or(frames.first())
                && let Some(state) = self.wasm_state(f.wasm)
            {
                return Ok(View {
                    frame: Some(f.clone()),
                    state: State::Frame(state),
                });
            }
        }
        Ok(View {
            frame: None,
            state: State::Static(StaticMemory::of(&self.image.bytes)?),
        })
    }
}
