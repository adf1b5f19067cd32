//! The Wasm machine under the source: the selected frame's operand stack and the instance's
//! globals, named from the module's `name` section.

use runtime_core::ValType;
use wasmparser::{BinaryReader, Name, NameSectionReader};

use crate::error::Error;
use crate::report::{Machine, WasmGlobal};
use crate::session::Session;

impl Session {
    /// The selected frame's operand stack and every global's value.
    pub fn machine(&self) -> Result<Machine, Error> {
        let frame = self.selected_frame()?;
        let target = self.target()?;
        let operands = target.operands(frame.wasm)?.unwrap_or_default();
        let names = self.global_names.get_or_init(|| self.read_global_names());
        let globals = self
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
            .module
            .custom_sections()
            .iter()
            .find(|c| c.name == "name")
        else {
            return Vec::new();
        };
        let Some(data) = self.bytes.get(section.range.clone()) else {
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

/// Raw bits as a value of type `ty` reads them: integers signed with their hex, floats as floats.
fn typed(raw: u64, ty: ValType) -> String {
    match ty {
        ValType::I32 => format!("{} ({:#x})", raw as u32 as i32, raw as u32),
        ValType::I64 => format!("{} ({raw:#x})", raw as i64),
        ValType::F32 => format!("{}", f32::from_bits(raw as u32)),
        ValType::F64 => format!("{}", f64::from_bits(raw)),
        _ => format!("{raw:#x}"),
    }
}

#[cfg(test)]
mod tests {
    use runtime_core::ValType;

    #[test]
    fn raw_bits_read_as_their_type() {
        assert_eq!(super::typed(0xffff_fff0, ValType::I32), "-16 (0xfffffff0)");
        assert_eq!(super::typed(5, ValType::I64), "5 (0x5)");
        assert_eq!(super::typed(1.5f32.to_bits() as u64, ValType::F32), "1.5");
        assert_eq!(super::typed(0.25f64.to_bits(), ValType::F64), "0.25");
    }
}
