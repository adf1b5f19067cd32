//! Running code from the host without a debugger: a call to completion, and instantiation with its
//! start function (imports given or resolved by a [`Linker`]). Here, not in the store, so that the store need not know the interpreter.

use alloc::rc::Rc;
use alloc::vec::Vec;

use super::Thread;
use crate::error::Error;
use crate::module::Module;
use crate::store::{Extern, Linker, Store};
use crate::value::Val;

impl Store {
    /// Calls a function to completion.
    pub fn invoke(&mut self, addr: u32, args: &[Val]) -> Result<Vec<Val>, Error> {
        let mut thread = Thread::new(self, addr, args)?;
        thread.run(self)?;
        Ok(thread.results(self))
    }

    /// Instantiates a module with imports given in the module's import order.
    ///
    /// Returns the instance id. A trap during segment initialisation or the start function is an error,
    /// but (as the spec says) the effects on shared tables and memories stay.
    pub fn instantiate(&mut self, module: Rc<Module>, imports: &[Extern]) -> Result<u32, Error> {
        let (id, start) = self.instantiate_unstarted(module, imports)?;
        if let Some(addr) = start {
            self.invoke(addr, &[])?;
        }
        Ok(id)
    }
}

impl Linker {
    /// Resolves the module's imports and instantiates it.
    pub fn instantiate(&self, store: &mut Store, module: Rc<Module>) -> Result<u32, Error> {
        let exts = self.imports(&module)?;
        store.instantiate(module, &exts)
    }
}
