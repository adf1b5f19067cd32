//! The session's Wasm machine view: the selected frame's operand stack and the globals.

use crate::bits::*;
use crate::error::Error;
use crate::report::{Machine, WasmGlobal};
use crate::session::Session;
use wasmparser::{BinaryReader, Name, NameSectionReader};

impl Session {
    /// The selected frame's operand stack and every global's value.
    pub fn machine(&self) -> Result<Machine, Error> {
        let frame = self.selected_frame()?;
        let target = self.target()?;
        let operands = target.operands(frame.wasm)?.unwrap_or_default();
        let names = self
            .image
            .global_names
            .get_or_init(|| self.read_global_names());
        let globals = self
            .image
            .module
            .global_types()
            .zip(0u32..)
            .map(|(g, index)| {
                let value = target.global(index)?;
                Ok(WasmGlobal {
                    index,
                    name: names
                        .binary_search_by_key(&index, |(i, _)| *i)
                        .ok()
                        .map(|at| names[at].1.clone()),
                    ty: format!("{}{}", if g.mutable { "mut " } else { "" }, g.ty),
                    value: value.map_or("?".into(), |raw| typed(raw, g.ty)),
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(Machine {
            function: self
                .image
                .module
                .func_name(frame.func)
                .map_or_else(|| format!("func[{}]", frame.func), str::to_string),
            operands,
            globals,
        })
    }

    /// The global names of the `name` section, by index; a malformed section names none.
    fn read_global_names(&self) -> Vec<(u32, String)> {
        let Some(section) = self
            .image
            .module
            .custom_sections()
            .iter()
            .find(|c| c.name == "name")
        else {
            return Vec::new();
        };
        let Some(data) = self.image.bytes.get(section.range.clone()) else {
            return Vec::new();
        };
        let reader = NameSectionReader::new(BinaryReader::new(data, section.range.start as u64));
        let mut names: Vec<(u32, String)> = reader
            .into_iter()
            .map_while(Result::ok)
            .filter_map(|n| match n {
                Name::Global(map) => Some(map),
                _ => None,
            })
            .flat_map(|map| {
                map.into_iter()
                    .map_while(Result::ok)
                    .map(|n| (n.index, n.name.to_string()))
            })
            .collect();
        names.sort_by_key(|(i, _)| *i);
        names
    }
}
