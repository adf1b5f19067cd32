//! The GDB remote protocol as `gdbstub` asks it of [`WasmTarget`]: registers (the PC), memory,
//! resume and single step, software breakpoints of every kind, watchpoints, the Wasm extensions,
//! host and process info, the library list, the memory map and `monitor` commands.

use alloc::format;
use alloc::string::String;
use core::fmt::Write as _;

use gdbstub::arch::lldb::{Encoding, Format, Generic, Register};
use gdbstub::common::{Pid, Signal};
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::base::single_register_access::{
    SingleRegisterAccess, SingleRegisterAccessOps,
};
use gdbstub::target::ext::base::singlethread::{
    SingleThreadBase, SingleThreadResume, SingleThreadResumeOps, SingleThreadSingleStep,
    SingleThreadSingleStepOps,
};
use gdbstub::target::ext::breakpoints::{
    Breakpoints, BreakpointsOps, HwWatchpoint, HwWatchpointOps, SwBreakpoint, SwBreakpointOps,
    WatchKind,
};
use gdbstub::target::ext::host_info::{HostInfo, HostInfoOps, HostInfoResponse};
use gdbstub::target::ext::libraries::{Libraries, LibrariesOps};
use gdbstub::target::ext::lldb_register_info_override::{
    Callback, CallbackToken, LldbRegisterInfoOverride, LldbRegisterInfoOverrideOps,
};
use gdbstub::target::ext::memory_map::{MemoryMap, MemoryMapOps};
use gdbstub::target::ext::monitor_cmd::{ConsoleOutput, MonitorCmd, MonitorCmdOps};
use gdbstub::target::ext::process_info::{ProcessInfo, ProcessInfoOps, ProcessInfoResponse};
use gdbstub::target::ext::wasm::{Wasm, WasmOps};
use gdbstub::target::{Target, TargetError, TargetResult};
use gdbstub_arch::wasm::reg::WasmRegisters;
use gdbstub_arch::wasm::reg::id::WasmRegId;

use crate::monitor;
use crate::target::{Mode, WasmTarget};

/// The triple reported to clients: a plain `wasm32`, which LLDB matches with the module file.
pub const TRIPLE: &str = "wasm32";

/// Error number of a refused breakpoint or watchpoint (ENOSPC: the table is full).
const ENOSPC: u8 = 28;

impl Target for WasmTarget {
    type Arch = gdbstub_arch::wasm::Wasm;
    type Error = &'static str;

    fn base_ops(&mut self) -> BaseOps<'_, Self::Arch, Self::Error> {
        BaseOps::SingleThread(self)
    }
    fn guard_rail_implicit_sw_breakpoints(&self) -> bool {
        true
    }
    fn support_breakpoints(&mut self) -> Option<BreakpointsOps<'_, Self>> {
        Some(self)
    }
    fn support_wasm(&mut self) -> Option<WasmOps<'_, Self>> {
        Some(self)
    }
    fn support_host_info(&mut self) -> Option<HostInfoOps<'_, Self>> {
        Some(self)
    }
    fn support_process_info(&mut self) -> Option<ProcessInfoOps<'_, Self>> {
        Some(self)
    }
    fn support_libraries(&mut self) -> Option<LibrariesOps<'_, Self>> {
        Some(self)
    }
    fn support_memory_map(&mut self) -> Option<MemoryMapOps<'_, Self>> {
        Some(self)
    }
    fn support_monitor_cmd(&mut self) -> Option<MonitorCmdOps<'_, Self>> {
        Some(self)
    }
    fn support_lldb_register_info_override(
        &mut self,
    ) -> Option<LldbRegisterInfoOverrideOps<'_, Self>> {
        Some(self)
    }
}

impl LldbRegisterInfoOverride for WasmTarget {
    /// One register, the 64-bit PC: LLDB needs it described to read stops at breakpoints.
    fn lldb_register_info<'a>(
        &mut self,
        reg_id: usize,
        reg_info: Callback<'a>,
    ) -> Result<CallbackToken<'a>, Self::Error> {
        if reg_id != 0 {
            return Ok(reg_info.done());
        }
        Ok(reg_info.write(Register {
            name: "pc",
            alt_name: None,
            bitsize: 64,
            offset: 0,
            encoding: Encoding::Uint,
            format: Format::Hex,
            set: "General Purpose Registers",
            gcc: None,
            dwarf: None,
            generic: Some(Generic::Pc),
            container_regs: None,
            invalidate_regs: None,
        }))
    }
}

impl SingleThreadBase for WasmTarget {
    fn read_registers(&mut self, regs: &mut WasmRegisters) -> TargetResult<(), Self> {
        regs.pc = self.pc();
        Ok(())
    }
    fn write_registers(&mut self, _: &WasmRegisters) -> TargetResult<(), Self> {
        Err(TargetError::NonFatal)
    }
    fn read_addrs(&mut self, start: u64, data: &mut [u8]) -> TargetResult<usize, Self> {
        match self.read(start, data.len()) {
            Some(bytes) if !bytes.is_empty() || data.is_empty() => {
                data[..bytes.len()].copy_from_slice(bytes);
                Ok(bytes.len())
            }
            _ => Err(TargetError::Errno(14)),
        }
    }
    fn write_addrs(&mut self, start: u64, data: &[u8]) -> TargetResult<(), Self> {
        if self.write(start, data) {
            Ok(())
        } else {
            Err(TargetError::Errno(14))
        }
    }
    fn support_resume(&mut self) -> Option<SingleThreadResumeOps<'_, Self>> {
        Some(self)
    }
    fn support_single_register_access(&mut self) -> Option<SingleRegisterAccessOps<'_, (), Self>> {
        Some(self)
    }
}

impl SingleRegisterAccess<()> for WasmTarget {
    fn read_register(
        &mut self,
        _: (),
        _pc: WasmRegId,
        buf: &mut [u8],
    ) -> TargetResult<usize, Self> {
        let pc = self.pc().to_le_bytes();
        Ok(xfer(&pc, 0, pc.len(), buf))
    }
    fn write_register(&mut self, _: (), _: WasmRegId, _: &[u8]) -> TargetResult<(), Self> {
        Err(TargetError::NonFatal)
    }
}

impl SingleThreadResume for WasmTarget {
    fn resume(&mut self, _: Option<Signal>) -> Result<(), Self::Error> {
        self.mode = Some(Mode::Continue);
        Ok(())
    }
    fn support_single_step(&mut self) -> Option<SingleThreadSingleStepOps<'_, Self>> {
        Some(self)
    }
}

impl SingleThreadSingleStep for WasmTarget {
    fn step(&mut self, _: Option<Signal>) -> Result<(), Self::Error> {
        self.mode = Some(Mode::Step);
        Ok(())
    }
}

impl Breakpoints for WasmTarget {
    fn support_sw_breakpoint(&mut self) -> Option<SwBreakpointOps<'_, Self>> {
        Some(self)
    }
    fn support_hw_watchpoint(&mut self) -> Option<HwWatchpointOps<'_, Self>> {
        Some(self)
    }
}

impl SwBreakpoint for WasmTarget {
    /// Every kind is accepted: a Wasm breakpoint is a patched instruction whatever its size.
    fn add_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        self.add_breakpoint(addr)
            .map_err(|_| TargetError::Errno(ENOSPC))
    }
    fn remove_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        Ok(self.remove_breakpoint(addr))
    }
}

impl HwWatchpoint for WasmTarget {
    fn add_hw_watchpoint(
        &mut self,
        addr: u64,
        len: u64,
        kind: WatchKind,
    ) -> TargetResult<bool, Self> {
        self.add_watch(addr, len, kind)
            .map_err(|_| TargetError::Errno(ENOSPC))
    }
    fn remove_hw_watchpoint(
        &mut self,
        addr: u64,
        len: u64,
        _: WatchKind,
    ) -> TargetResult<bool, Self> {
        Ok(self.remove_watch(addr, len))
    }
}

/// Copies `data[offset..]` into `buf` as `qXfer` reads want: nothing from an offset past the end,
/// whatever the width of `usize`.
fn xfer(data: &[u8], offset: u64, length: usize, buf: &mut [u8]) -> usize {
    let start = usize::try_from(offset).map_or(data.len(), |o| o.min(data.len()));
    let n = (data.len() - start).min(length).min(buf.len());
    buf[..n].copy_from_slice(&data[start..start + n]);
    n
}

impl Wasm for WasmTarget {
    fn wasm_call_stack(
        &self,
        _: gdbstub::common::Tid,
        next_pc: &mut dyn FnMut(u64),
    ) -> Result<(), Self::Error> {
        self.call_stack().into_iter().for_each(next_pc);
        Ok(())
    }
    fn read_wasm_local(
        &self,
        _: gdbstub::common::Tid,
        frame: usize,
        local: usize,
        buf: &mut [u8],
    ) -> Result<usize, Self::Error> {
        Ok(self
            .local(frame, local)
            .map_or(0, |v| xfer(&v, 0, v.len(), buf)))
    }
    fn read_wasm_stack(
        &self,
        _: gdbstub::common::Tid,
        frame: usize,
        index: usize,
        buf: &mut [u8],
    ) -> Result<usize, Self::Error> {
        Ok(self
            .stack_value(frame, index)
            .map_or(0, |v| xfer(&v, 0, v.len(), buf)))
    }
    fn read_wasm_global(
        &self,
        _: gdbstub::common::Tid,
        _frame: usize,
        global: usize,
        buf: &mut [u8],
    ) -> Result<usize, Self::Error> {
        Ok(self.global(global).map_or(0, |v| xfer(&v, 0, v.len(), buf)))
    }
}

impl HostInfo for WasmTarget {
    fn host_info(
        &self,
        write_item: &mut dyn FnMut(&HostInfoResponse<'_>),
    ) -> Result<(), Self::Error> {
        // No `endian`: gdbstub 0.7 writes it with a `;` of its own, leaving an empty field, and
        // LLDB takes a little-endian order from the `wasm32` triple.
        write_item(&HostInfoResponse::Triple(TRIPLE));
        write_item(&HostInfoResponse::PointerSize(4));
        Ok(())
    }
}

impl ProcessInfo for WasmTarget {
    fn process_info(
        &self,
        write_item: &mut dyn FnMut(&ProcessInfoResponse<'_>),
    ) -> Result<(), Self::Error> {
        write_item(&ProcessInfoResponse::Pid(Pid::new(1).ok_or("pid")?));
        // No `endian`, as in `host_info`.
        write_item(&ProcessInfoResponse::Triple(TRIPLE));
        write_item(&ProcessInfoResponse::PointerSize(4));
        Ok(())
    }
}

impl Libraries for WasmTarget {
    fn get_libraries(
        &self,
        offset: u64,
        length: usize,
        buf: &mut [u8],
    ) -> TargetResult<usize, Self> {
        let xml = format!(
            "<library-list><library name=\"{}\"><section address=\"{:#x}\"/></library></library-list>",
            escape(&self.name),
            WasmTarget::code_addr(0)
        );
        Ok(xfer(xml.as_bytes(), offset, length, buf))
    }
}

impl MemoryMap for WasmTarget {
    fn memory_map_xml(
        &self,
        offset: u64,
        length: usize,
        buf: &mut [u8],
    ) -> TargetResult<usize, Self> {
        let memory = self.memory_len();
        let xml = format!(
            "<?xml version=\"1.0\"?><!DOCTYPE memory-map PUBLIC \"+//IDN gnu.org//DTD GDB Memory Map V1.0//EN\" \
             \"http://sourceware.org/gdb/gdb-memory-map.dtd\"><memory-map>\
             <memory type=\"rom\" start=\"{:#x}\" length=\"{:#x}\"/>\
             <memory type=\"ram\" start=\"0x0\" length=\"{memory:#x}\"/></memory-map>",
            WasmTarget::code_addr(0),
            self.bytes.len(),
        );
        Ok(xfer(xml.as_bytes(), offset, length, buf))
    }
}

impl MonitorCmd for WasmTarget {
    fn handle_monitor_cmd(
        &mut self,
        cmd: &[u8],
        mut out: ConsoleOutput<'_>,
    ) -> Result<(), Self::Error> {
        let mut lines = Lines {
            out: &mut out,
            line: [0; LINE],
            len: 0,
        };
        let _ = monitor::run(self, core::str::from_utf8(cmd).unwrap_or(""), &mut lines);
        let _ = lines.write_str("\n");
        Ok(())
    }
}

/// Bytes of console output gathered before they are sent.
const LINE: usize = 128;

/// Console output gathered a line at a time in a fixed buffer: without `gdbstub`'s `alloc`
/// feature (a device), every piece written would be an `O` packet of its own; with it, the
/// whole output would be held in one growing buffer. Here it is one packet a line, nothing held.
struct Lines<'a, 'b> {
    out: &'a mut ConsoleOutput<'b>,
    line: [u8; LINE],
    len: usize,
}

impl core::fmt::Write for Lines<'_, '_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for b in s.bytes() {
            self.line[self.len] = b;
            self.len += 1;
            if b == b'\n' || self.len == LINE {
                self.out.write_raw(&self.line[..self.len]);
                self.len = 0;
            }
        }
        Ok(())
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}
