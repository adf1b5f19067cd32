//! Variables: the parameters and locals in scope at an address, the globals, and where each value
//! lives, evaluating the location expressions clang and rustc emit for Wasm
//! (`DW_OP_WASM_location` for locals, globals and the operand stack, `DW_OP_fbreg` off a frame base
//! in linear memory, location lists).

use gimli::{AttributeValue, EvaluationResult, Location, Operation, Reader as _, Value};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::functions::origin_die;
use super::{DwarfInfo, Reader, Ty, TypeId, attr_text};
use crate::error::Error;

/// What location expressions read of a stopped Wasm frame.
pub trait WasmState {
    /// Local `index` of the frame; `None` if there is none, an error if it could not be read.
    fn local(&self, index: u32) -> Result<Option<u64>, crate::Error>;
    /// Global `index` of the instance (`None` and errors as for `local`).
    fn global(&self, index: u32) -> Result<Option<u64>, crate::Error>;
    /// Operand stack slot `index` of the frame, from the bottom.
    fn stack(&self, index: u32) -> Result<Option<u64>, crate::Error>;
    /// `len` bytes of linear memory at `addr`; past its end, an error naming the memory's size.
    fn memory(&self, addr: u64, len: usize) -> Result<Vec<u8>, crate::Error>;
}

/// Where a value is.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    /// In linear memory at this address.
    Memory(u64),
    /// Nowhere addressable: these bytes are the value.
    Bytes(Vec<u8>),
    /// The compiler left no location here.
    OptimizedOut,
}

/// Which kind of variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VarKind {
    /// A function parameter.
    Param,
    /// A local variable.
    Local,
    /// A global or static.
    Global,
}

/// A source variable.
#[derive(Debug, Clone)]
pub struct Variable {
    /// Its name.
    pub name: String,
    /// Parameter, local or global.
    pub kind: VarKind,
    /// Its type.
    pub ty: Ty,
    unit: usize,
    location: Option<AttributeValue<Reader>>,
}

/// A function, inlined call or lexical block holding `addr`, with the variables it declares.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Whether this scope is a function (concrete or inlined) rather than a block.
    pub function: bool,
    /// The subprogram or inlined-subroutine DIE, for function scopes.
    pub die: TypeId,
    /// Its variables in declaration order.
    pub vars: Vec<Variable>,
}

/// Most nested scopes followed from a function down.
const MAX_SCOPES: usize = 256;

fn bad(e: gimli::Error) -> Error {
    Error::dwarf(".debug_info", e)
}

impl DwarfInfo {
    /// The scopes holding `addr`, outermost (the concrete function) first.
    pub fn scopes(&self, addr: u64) -> Result<Vec<Scope>, Error> {
        let Some(f) = self.function_at(addr) else {
            return Ok(Vec::new());
        };
        let unit = &self.units[f.unit];
        let mut tree = unit.entries_tree(Some(f.die)).map_err(bad)?;
        let root = tree.root().map_err(bad)?;
        let mut out = vec![Scope {
            function: true,
            die: (f.unit, f.die),
            vars: Vec::new(),
        }];
        self.walk(f.unit, root, addr, &mut out)?;
        Ok(out)
    }

    fn walk(
        &self,
        u: usize,
        node: gimli::EntriesTreeNode<'_, '_, Reader>,
        addr: u64,
        out: &mut Vec<Scope>,
    ) -> Result<(), Error> {
        let mut children = node.children();
        while let Some(child) = children.next().map_err(bad)? {
            let die = child.entry();
            let tag = die.tag();
            // Real code nests scopes a few dozen deep; malformed DWARF may nest thousands.
            let scope = matches!(
                tag,
                gimli::DW_TAG_lexical_block | gimli::DW_TAG_inlined_subroutine
            ) && out.len() < MAX_SCOPES
                && self.holds(u, die, addr)?;
            match tag {
                gimli::DW_TAG_formal_parameter | gimli::DW_TAG_variable => {
                    let var = self.variable(u, die, tag == gimli::DW_TAG_formal_parameter)?;
                    out.last_mut().expect("a scope").vars.push(var);
                }
                _ if scope => {
                    let inlined = tag == gimli::DW_TAG_inlined_subroutine;
                    let origin = origin_die(&self.units[u], die)?.map(|o| o.offset());
                    out.push(Scope {
                        function: inlined,
                        die: (u, die.offset()),
                        vars: Vec::new(),
                    });
                    let at = out.len() - 1;
                    self.walk(u, child, addr, out)?;
                    if let (true, Some(origin)) = (inlined, origin) {
                        self.declared_params(u, origin, &mut out[at].vars)?;
                    }
                    return Ok(());
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Adds, as optimised out, the parameters the abstract function declares that an inlined copy
    /// left out (gdb shows them as `<optimized out>`).
    fn declared_params(
        &self,
        u: usize,
        origin: gimli::UnitOffset,
        vars: &mut Vec<Variable>,
    ) -> Result<(), Error> {
        let mut declared = Vec::new();
        self.children((u, origin), |d| {
            if d.tag() == gimli::DW_TAG_formal_parameter {
                let mut v = self.variable(u, d, true)?;
                v.location = None;
                declared.push(v);
            }
            Ok(())
        })?;
        for (i, p) in declared.into_iter().enumerate() {
            if !vars
                .iter()
                .any(|v| v.kind == VarKind::Param && v.name == p.name)
            {
                vars.insert(i.min(vars.len()), p);
            }
        }
        Ok(())
    }

    /// Whether a scope DIE's code ranges hold `addr`; a block without ranges holds what its parent does.
    fn holds(
        &self,
        u: usize,
        die: &gimli::DebuggingInformationEntry<Reader>,
        addr: u64,
    ) -> Result<bool, Error> {
        let unit = &self.units[u];
        let mut ranges = self.dwarf.die_ranges(unit, die).map_err(bad)?;
        let mut any = false;
        while let Some(r) = ranges.next().map_err(bad)? {
            any = true;
            if (r.begin..r.end).contains(&addr) {
                return Ok(true);
            }
        }
        Ok(!any)
    }

    fn variable(
        &self,
        u: usize,
        die: &gimli::DebuggingInformationEntry<Reader>,
        param: bool,
    ) -> Result<Variable, Error> {
        let origin = origin_die(&self.units[u], die)?;
        let named = origin.as_ref().unwrap_or(die);
        let location = die
            .attr_value(gimli::DW_AT_location)
            .or_else(|| die.attr_value(gimli::DW_AT_const_value));
        let is_static = matches!(
            &location,
            Some(AttributeValue::Exprloc(e)) if e.0.to_slice().is_ok_and(|b| b.first() == Some(&gimli::DW_OP_addr.0))
        );
        Ok(Variable {
            name: attr_text(
                &self.dwarf,
                &self.units[u],
                named.attr_value(gimli::DW_AT_name),
            )
            .unwrap_or_default(),
            kind: match (param, is_static) {
                (true, _) => VarKind::Param,
                (false, true) => VarKind::Global,
                (false, false) => VarKind::Local,
            },
            ty: self.attr_type(u, named),
            unit: u,
            location,
        })
    }

    /// Every global and static with a location, outside any function.
    pub fn globals(&self) -> Result<Vec<Variable>, Error> {
        let mut out = Vec::new();
        for (u, unit) in self.units.iter().enumerate() {
            let mut entries = unit.entries();
            let mut in_function: Option<isize> = None;
            while let Some(die) = entries.next_dfs().map_err(bad)? {
                if in_function.is_some_and(|d| die.depth() > d) {
                    continue;
                }
                in_function = None;
                match die.tag() {
                    gimli::DW_TAG_subprogram => in_function = Some(die.depth()),
                    gimli::DW_TAG_variable if die.attr(gimli::DW_AT_location).is_some() => {
                        let mut v = self.variable(u, die, false)?;
                        v.kind = VarKind::Global;
                        if !v.name.is_empty() {
                            out.push(v);
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(out)
    }

    /// The end of the highest variable at a fixed linear memory address (`DW_OP_addr`): globals
    /// and function statics alike, zero-initialised ones (`.bss`) included, which no data segment
    /// shows. `None` when the DWARF names none.
    pub fn statics_end(&self) -> Result<Option<u64>, Error> {
        let mut end = None;
        for (u, unit) in self.units.iter().enumerate() {
            let mut entries = unit.entries();
            while let Some(die) = entries.next_dfs().map_err(bad)? {
                if die.tag() != gimli::DW_TAG_variable {
                    continue;
                }
                let Some(AttributeValue::Exprloc(expr)) = die.attr_value(gimli::DW_AT_location)
                else {
                    continue;
                };
                let mut ops = expr.operations(unit.encoding());
                let Ok(Some(gimli::Operation::Address { address })) = ops.next() else {
                    continue;
                };
                let size = self.size_of(&self.attr_type(u, die))?;
                let top = address.saturating_add(size);
                end = Some(end.map_or(top, |e: u64| e.max(top)));
            }
        }
        Ok(end)
    }

    /// The frame base of the function `scope` (its `DW_AT_frame_base`), at `addr`.
    pub fn frame_base(
        &self,
        scope: &Scope,
        addr: u64,
        state: &dyn WasmState,
    ) -> Result<Option<u64>, Error> {
        let (u, off) = scope.die;
        let die = self.units[u].entry(off).map_err(bad)?;
        let Some(attr) = die.attr_value(gimli::DW_AT_frame_base) else {
            return Ok(None);
        };
        Ok(match self.locate(u, attr, addr, None, state)? {
            Place::Memory(a) => Some(a),
            Place::Bytes(b) => Some(le_u64(&b)),
            Place::OptimizedOut => None,
        })
    }

    /// Where `var`'s value is at `addr`, given the frame base and the frame's state.
    pub fn place(
        &self,
        var: &Variable,
        addr: u64,
        frame_base: Option<u64>,
        state: &dyn WasmState,
    ) -> Result<Place, Error> {
        match &var.location {
            None => Ok(Place::OptimizedOut),
            Some(AttributeValue::Sdata(v)) => Ok(Place::Bytes(v.to_le_bytes().to_vec())),
            Some(AttributeValue::Block(b)) => Ok(Place::Bytes(b.to_slice().map_err(bad)?.to_vec())),
            Some(v) if v.udata_value().is_some() => Ok(Place::Bytes(
                v.udata_value().unwrap_or(0).to_le_bytes().to_vec(),
            )),
            Some(attr) => self.locate(var.unit, attr.clone(), addr, frame_base, state),
        }
    }

    /// The Wasm local a variable is kept in at `addr`, when its location there is that local
    /// and nothing else (`DW_OP_WASM_location 0 N`, alone or as a value): the one place besides
    /// linear memory that an assignment can write.
    pub fn wasm_local(&self, var: &Variable, addr: u64) -> Result<Option<u32>, Error> {
        let Some(attr) = var.location.clone() else {
            return Ok(None);
        };
        if matches!(attr, AttributeValue::Sdata(_) | AttributeValue::Block(_))
            || attr.udata_value().is_some()
        {
            return Ok(None);
        }
        let Some(expr) = self.expression_at(var.unit, attr, addr)? else {
            return Ok(None);
        };
        let mut ops = expr.operations(self.units[var.unit].encoding());
        let ops = [
            ops.next().map_err(bad)?,
            ops.next().map_err(bad)?,
            ops.next().map_err(bad)?,
        ];
        Ok(match ops {
            [
                Some(Operation::WasmLocal { index }),
                None | Some(Operation::StackValue),
                None,
            ] => Some(index),
            _ => None,
        })
    }

    /// The expression of a location attribute (one, or the entry of a list) that holds at
    /// `addr`.
    fn expression_at(
        &self,
        u: usize,
        attr: AttributeValue<Reader>,
        addr: u64,
    ) -> Result<Option<gimli::Expression<Reader>>, Error> {
        let other = match attr {
            AttributeValue::Exprloc(e) => return Ok(Some(e)),
            other => other,
        };
        if let Some(mut list) = self
            .dwarf
            .attr_locations(&self.units[u], other)
            .map_err(bad)?
        {
            while let Some(entry) = list.next().map_err(bad)? {
                if (entry.range.begin..entry.range.end).contains(&addr) {
                    return Ok(Some(entry.data));
                }
            }
        }
        Ok(None)
    }

    /// Evaluates a location attribute (expression or list) at `addr`.
    fn locate(
        &self,
        u: usize,
        attr: AttributeValue<Reader>,
        addr: u64,
        frame_base: Option<u64>,
        state: &dyn WasmState,
    ) -> Result<Place, Error> {
        let unit = &self.units[u];
        let Some(expr) = self.expression_at(u, attr, addr)? else {
            return Ok(Place::OptimizedOut);
        };
        let unavailable =
            |what: &str| Error::dwarf(".debug_info", format!("{what} is not available"));
        let mut eval = expr.evaluation(unit.encoding());
        eval.set_max_iterations(10_000);
        let mut result = eval.evaluate().map_err(bad)?;
        // A Wasm value the frame does not hold where the location says (an operand stack slot
        // of a caller stopped mid-statement, say) is not there to show: this variable alone is
        // optimised out, as gdb says.
        loop {
            result = match result {
                EvaluationResult::Complete => break,
                EvaluationResult::RequiresWasmLocal { index } => {
                    let Some(v) = state.local(index)? else {
                        return Ok(Place::OptimizedOut);
                    };
                    eval.resume_with_wasm_value(Value::Generic(v))
                        .map_err(bad)?
                }
                EvaluationResult::RequiresWasmGlobal { index } => {
                    let Some(v) = state.global(index)? else {
                        return Ok(Place::OptimizedOut);
                    };
                    eval.resume_with_wasm_value(Value::Generic(v))
                        .map_err(bad)?
                }
                EvaluationResult::RequiresWasmStack { index } => {
                    let Some(v) = state.stack(index)? else {
                        return Ok(Place::OptimizedOut);
                    };
                    eval.resume_with_wasm_value(Value::Generic(v))
                        .map_err(bad)?
                }
                EvaluationResult::RequiresFrameBase => {
                    let Some(fb) = frame_base else {
                        return Ok(Place::OptimizedOut);
                    };
                    eval.resume_with_frame_base(fb).map_err(bad)?
                }
                EvaluationResult::RequiresMemory { address, size, .. } => {
                    let b = state
                        .memory(address, size as usize)
                        .map_err(|_| unavailable(&format!("memory at {address:#x}")))?;
                    eval.resume_with_memory(Value::Generic(le_u64(&b)))
                        .map_err(bad)?
                }
                EvaluationResult::RequiresRelocatedAddress(a) => {
                    eval.resume_with_relocated_address(a).map_err(bad)?
                }
                other => {
                    return Err(Error::dwarf(
                        ".debug_info",
                        format!("unsupported location expression step {other:?}"),
                    ));
                }
            };
        }
        let pieces = eval.result();
        if let [one] = &pieces[..]
            && one.size_in_bits.is_none()
        {
            return Ok(match &one.location {
                Location::Address { address } => Place::Memory(*address),
                Location::Value { value } => Place::Bytes(value_bytes(*value)),
                Location::Bytes { value } => Place::Bytes(value.to_slice().map_err(bad)?.to_vec()),
                _ => Place::OptimizedOut,
            });
        }
        let mut bytes = Vec::new();
        for p in &pieces {
            let n = p.size_in_bits.unwrap_or(32).div_ceil(8) as usize;
            let part = match &p.location {
                Location::Address { address } => state.memory(*address, n).ok(),
                Location::Value { value } => Some(value_bytes(*value)),
                Location::Bytes { value } => value.to_slice().ok().map(|b| b.to_vec()),
                _ => None,
            };
            let Some(mut part) = part else {
                return Ok(Place::OptimizedOut);
            };
            part.resize(n, 0);
            bytes.extend(part);
        }
        Ok(Place::Bytes(bytes))
    }
}

fn value_bytes(v: Value) -> Vec<u8> {
    match v {
        Value::Generic(x) | Value::U64(x) => x.to_le_bytes().to_vec(),
        Value::I64(x) => x.to_le_bytes().to_vec(),
        Value::I8(x) => vec![x as u8],
        Value::U8(x) => vec![x],
        Value::I16(x) => x.to_le_bytes().to_vec(),
        Value::U16(x) => x.to_le_bytes().to_vec(),
        Value::I32(x) => x.to_le_bytes().to_vec(),
        Value::U32(x) => x.to_le_bytes().to_vec(),
        Value::F32(x) => x.to_le_bytes().to_vec(),
        Value::F64(x) => x.to_le_bytes().to_vec(),
    }
}

/// Little-endian bytes as a number (missing high bytes are zero).
pub fn le_u64(b: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = b.len().min(8);
    buf[..n].copy_from_slice(&b[..n]);
    u64::from_le_bytes(buf)
}
