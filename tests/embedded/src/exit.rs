//! Ending qemu with the program's exit code: semihosting's `SYS_EXIT_EXTENDED`, which carries a
//! code (plain `SYS_EXIT` on 32-bit ARM carries only success or failure).

/// Semihosting operation number of `SYS_EXIT_EXTENDED`.
const SYS_EXIT_EXTENDED: usize = 0x20;
/// `ADS_Stopped_ApplicationExit`: the program ended.
const APPLICATION_EXIT: usize = 0x20026;

/// Ends the emulation with `code` as qemu's exit status.
pub fn with(code: i32) -> ! {
    let block = [APPLICATION_EXIT, code as usize];
    loop {
        // SAFETY: the semihosting call reads the two-word block, which lives across the call.
        unsafe { cortex_m_semihosting::syscall(SYS_EXIT_EXTENDED, &block) };
    }
}
