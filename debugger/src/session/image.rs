//! The session's image of the module: its bytes, the module parsed and translated, its DWARF and
//! sources, and what is derived from them once asked for. It does not change while the program runs.

use std::cell::OnceCell;
use std::rc::Rc;

use runtime_core::Module;
use runtime_core::budget::MemoryBudget;

use crate::disasm::Listing;
use crate::dwarf::DwarfInfo;
use crate::source::Sources;

/// The module as the session sees it.
pub struct Image {
    /// The module file bytes (for disassembly and remote code reads).
    pub(super) bytes: Rc<[u8]>,
    pub(super) module: Rc<Module>,
    /// The module's DWARF, within its budget.
    pub(super) dwarf: DwarfInfo,
    /// Source files read, and where to look for them.
    pub(super) sources: Sources,
    /// The module's code printed, once disassembly is asked for.
    pub(super) listing: Option<Listing>,
    /// The global names of the module's `name` section, once asked for.
    pub(super) global_names: OnceCell<Vec<(u32, String)>>,
    /// Module-file offset where code offsets start.
    pub(super) code_start: u64,
    /// The module's memory budget, from its admission.
    pub(super) memory: MemoryBudget,
}

impl Image {
    /// The image of `module`, read from `bytes`, with its DWARF and budget.
    pub(super) fn new(
        bytes: Vec<u8>,
        module: Module,
        dwarf: DwarfInfo,
        code_start: u64,
        memory: MemoryBudget,
    ) -> Image {
        Image {
            bytes: bytes.into(),
            module: Rc::new(module),
            dwarf,
            sources: Sources::default(),
            listing: None,
            global_names: OnceCell::new(),
            code_start,
            memory,
        }
    }

    /// The module function index and pc of the instruction at code offset `addr`.
    pub fn site(&self, addr: u64) -> Option<(u32, u32)> {
        let offset = u32::try_from(addr.checked_add(self.code_start)?).ok()?;
        self.module.locate_offset(offset)
    }

    /// The code offset of the Wasm operator instruction `pc` of `func` executes.
    pub fn operator_addr(&self, func: u32, pc: u32) -> Option<u64> {
        Some(u64::from(self.module.operator_offset(func, pc)?) - self.code_start)
    }

    /// The opcode byte of the Wasm operator instruction `pc` of `func` executes.
    pub fn opcode(&self, func: u32, pc: u32) -> Option<u8> {
        let at = self.module.operator_offset(func, pc)?;
        self.bytes.get(at as usize).copied()
    }

    /// The module's name for function `func` (`func[N]` without one).
    pub fn func_label(&self, func: u32) -> String {
        self.module
            .func_name(func)
            .map_or_else(|| format!("func[{func}]"), str::to_string)
    }
}
