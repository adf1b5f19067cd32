//! What a module or component asks of the platform, as the streaming pass measures it: a plain
//! record, below the validator that fills it and the budget and ASIL rules that read it.

/// What a module or component asks of the platform, measured in one pass.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ModuleRequirements {
    /// Size of the binary in bytes.
    pub binary_bytes: u64,
    /// Initial linear memory of all memories, in bytes.
    pub linear_memory_bytes: u64,
    /// Declared maximum linear memory of all memories, `None` when one is unbounded.
    pub max_linear_memory_bytes: Option<u64>,
    /// Memories, imported and defined.
    pub memories: u64,
    /// Tables, imported and defined.
    pub tables: u64,
    /// Initial elements of all tables.
    pub table_elements: u64,
    /// Globals, imported and defined.
    pub globals: u64,
    /// Functions, imported and defined.
    pub functions: u64,
    /// Functions with a body.
    pub defined_functions: u64,
    /// Most locals (parameters included) of one function.
    pub max_function_locals: u64,
    /// Locals (parameters included) of all functions.
    pub locals: u64,
    /// Wasm operators in all bodies.
    pub operators: u64,
    /// Operators that translate into an internal instruction of their own: all but constants,
    /// `local.get`, `nop` and the block structure, which translation folds into their users.
    pub instructions: u64,
    /// Bytes of the code section.
    pub code_bytes: u64,
    /// Bytes of data segments.
    pub data_bytes: u64,
    /// Data segments.
    pub data_segments: u64,
    /// Element segment items.
    pub element_items: u64,
    /// Types.
    pub types: u64,
    /// Imports and exports of the core module(s).
    pub imports_exports: u64,
    /// Largest single interpreter frame, in bytes: locals plus the deepest operand stack.
    pub max_frame_bytes: u64,
    /// Deepest nesting of blocks, loops and ifs in one function (the function's own block counts).
    pub max_block_nesting: u64,
    /// Debug custom sections (`.debug_*`, `name`).
    pub debug_sections: u64,
    /// Bytes of debug custom sections.
    pub debug_bytes: u64,
    /// Bytes of the `name` section, which loading keeps as function names.
    pub names_bytes: u64,
    /// The largest debug section, in bytes.
    pub largest_debug_section: u64,
    /// Whether debug sections were skipped (debug level `none`).
    pub debug_skipped: bool,
    /// Statement starts in the line table, where a debug translation keeps an instruction and
    /// the operands not yet written. The streaming pass reads no DWARF, so it leaves this 0 and
    /// a host that reads the line table fills it in.
    pub statements: u64,
    /// Component Model counts, zero for a core module.
    pub components: ComponentRequirements,
}

/// Component Model counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ComponentRequirements {
    /// Components, the outermost included.
    pub components: u64,
    /// Core modules inside components.
    pub core_modules: u64,
    /// Core and component instances.
    pub instances: u64,
    /// Core and component types.
    pub types: u64,
    /// Resource types defined.
    pub resource_types: u64,
    /// Deepest nesting of components and modules.
    pub max_nesting: u64,
    /// Most imports of one component.
    pub max_imports: u64,
    /// Most exports of one component.
    pub max_exports: u64,
}
