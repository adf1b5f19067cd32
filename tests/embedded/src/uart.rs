//! The mps2-an385's UARTs (ARM CMSDK APB UART): UART0 carries the GDB remote protocol, UART1 the
//! program's output. Polled, no interrupts: the firmware has one thread.

use core::ptr::{read_volatile, write_volatile};

/// One UART by its register block's base address.
pub struct Uart(usize);

/// UART0 (the debug link).
pub const UART0: Uart = Uart(0x4000_4000);
/// UART1 (the program's output).
pub const UART1: Uart = Uart(0x4000_5000);

const DATA: usize = 0x00;
const STATE: usize = 0x04;
const CTRL: usize = 0x08;
const BAUDDIV: usize = 0x10;
const STATE_TX_FULL: u32 = 1 << 0;
#[cfg_attr(not(feature = "debug"), allow(dead_code))]
const STATE_RX_FULL: u32 = 1 << 1;
/// Transmit and receive enabled.
const CTRL_ON: u32 = (1 << 0) | (1 << 1);
/// The smallest divider the UART accepts (an emulated line has no real baud rate).
const MIN_BAUDDIV: u32 = 16;

impl Uart {
    fn reg(&self, offset: usize) -> *mut u32 {
        (self.0 + offset) as *mut u32
    }

    /// Turns the UART on.
    pub fn enable(&self) {
        // SAFETY: BAUDDIV and CTRL are this UART's registers on the board's memory map.
        unsafe {
            write_volatile(self.reg(BAUDDIV), MIN_BAUDDIV);
            write_volatile(self.reg(CTRL), CTRL_ON);
        }
    }

    /// Sends one byte, waiting while the transmit buffer is full.
    pub fn write(&self, byte: u8) {
        // SAFETY: STATE and DATA are this UART's registers on the memory map.
        unsafe {
            while read_volatile(self.reg(STATE)) & STATE_TX_FULL != 0 {}
            write_volatile(self.reg(DATA), u32::from(byte));
        }
    }

    /// Sends every byte of `bytes`.
    pub fn write_all(&self, bytes: &[u8]) {
        bytes.iter().for_each(|&b| self.write(b));
    }

    /// The next received byte, if one is waiting.
    #[cfg_attr(not(feature = "debug"), allow(dead_code))]
    pub fn read(&self) -> Option<u8> {
        // SAFETY: as for `write`.
        unsafe {
            (read_volatile(self.reg(STATE)) & STATE_RX_FULL != 0)
                .then(|| read_volatile(self.reg(DATA)) as u8)
        }
    }
}
