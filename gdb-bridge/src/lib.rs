//! A GDB remote-protocol target (LLDB Wasm extensions) for the wrt runtime, and its client.
