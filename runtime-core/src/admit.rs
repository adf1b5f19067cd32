//! Admission: the one pass that validates a module, measures it against the platform limits and
//! translates it, and the verdict `check`, `run`, `debug` and `serve` all take from it.

use alloc::vec::Vec;

use crate::budget::MemoryBudget;
use crate::error::Error;
use crate::limits::PlatformLimits;
use crate::module::{Module, Translation};
use crate::validate::{ModuleRequirements, StreamValidator};
use crate::violation::Violation;

/// Whether a module fits a platform, and what it asks.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// What the module asks and its budget; `None` when the pass stopped early on a limit.
    pub measured: Option<(ModuleRequirements, MemoryBudget)>,
    /// Every limit and rule it breaks; empty when it fits.
    pub violations: Vec<Violation>,
}

impl Verdict {
    /// The verdict on a streaming pass's outcome under `limits`: a limit the pass stopped on is a
    /// violation, any other error stays one.
    pub fn of(
        pass: Result<ModuleRequirements, Error>,
        limits: &PlatformLimits,
    ) -> Result<Verdict, Error> {
        match pass {
            Ok(req) => {
                let budget = MemoryBudget::new(&req, limits);
                let violations = budget.violations(&req, limits);
                Ok(Verdict {
                    measured: Some((req, budget)),
                    violations,
                })
            }
            Err(Error::ModuleLimit {
                limit,
                found,
                allowed,
                offset,
            }) => Ok(Verdict {
                measured: None,
                violations: alloc::vec![Violation {
                    rule: limit.into(),
                    found,
                    allowed,
                    offset: Some(offset),
                }],
            }),
            Err(e) => Err(e),
        }
    }

    /// Whether the module breaks nothing.
    pub fn fits(&self) -> bool {
        self.violations.is_empty()
    }
}

/// A module admitted to run on a platform: translated, with what it asks and its budget.
#[derive(Debug)]
pub struct Admitted {
    /// The module, ready to instantiate.
    pub module: Module,
    /// What it asks of the platform.
    pub requirements: ModuleRequirements,
    /// Its memory budget under the limits it was admitted by.
    pub budget: MemoryBudget,
}

/// Validates, measures and translates a binary held in memory in one pass; a module that breaks a
/// limit or rule is refused with [`Error::DoesNotFit`] naming each.
pub fn admit(
    bytes: &[u8],
    limits: &PlatformLimits,
    translation: Translation<'_>,
) -> Result<Admitted, Error> {
    let mut pass = StreamValidator::translating(limits, translation);
    let req = pass
        .push(bytes, true)
        .map(|done| done.expect("a push at eof finishes or fails"));
    finish(pass, req, limits)
}

/// [`admit`] on a binary read from `reader`, a chunk at a time: the input is never held whole.
#[cfg(feature = "std")]
pub fn admit_read(
    reader: impl std::io::Read,
    limits: &PlatformLimits,
    translation: Translation<'_>,
) -> Result<Admitted, Error> {
    let mut pass = StreamValidator::translating(limits, translation);
    let req = crate::validate::stream(reader, &mut pass);
    finish(pass, req, limits)
}

/// `check`'s verdict on a binary read from `reader`, a chunk at a time: validated and measured
/// under `limits` as [`admit_read`] measures it, and a core module read to its end that cannot
/// start as a WASI command refused with the error `run` gives it ([`crate::wasi::startable`]).
#[cfg(feature = "std")]
pub fn check_read(reader: impl std::io::Read, limits: &PlatformLimits) -> Result<Verdict, Error> {
    let mut pass = StreamValidator::declaring(limits);
    let req = crate::validate::stream(reader, &mut pass);
    let verdict = Verdict::of(req, limits)?;
    if let Some(module) = pass.into_module() {
        crate::wasi::startable(&module)?;
    }
    Ok(verdict)
}

fn finish(
    pass: StreamValidator<'_>,
    req: Result<ModuleRequirements, Error>,
    limits: &PlatformLimits,
) -> Result<Admitted, Error> {
    let verdict = Verdict::of(req, limits)?;
    if !verdict.fits() {
        return Err(Error::DoesNotFit {
            violations: verdict.violations,
        });
    }
    let (requirements, budget) = verdict.measured.expect("a verdict that fits is measured");
    let module = pass
        .into_module()
        .expect("a finished translating pass holds its module");
    Ok(Admitted {
        module,
        requirements,
        budget,
    })
}

// A module made without a platform in mind is admitted under limits nothing breaks: here, so that
// the module need not know admission.
impl Module {
    /// Decodes, validates and translates a module binary for speed, under no limits
    /// ([`admit`] does the same under a platform's).
    pub fn new(bytes: &[u8]) -> Result<Module, Error> {
        Self::translate(bytes, Translation::Speed)
    }

    /// Like [`Module::new`], but every Wasm operand lives in its frame slot at every instruction
    /// boundary and comparisons are not fused into branches: what a debugger inspects and steps through.
    pub fn new_for_debugging(bytes: &[u8]) -> Result<Module, Error> {
        Self::translate(bytes, Translation::Debugging)
    }

    /// Translated for speed, as [`Module::new`], with an instruction starting at every one of
    /// `boundaries` (sorted module-file offsets: a debugger's statement starts) that code reaches.
    /// The code is the same but for a copy where a statement's operators only name locals and
    /// constants (something to stop at). A debugger stopped at a boundary reads every local and,
    /// through [`crate::module::FuncBody::pending`], every operand.
    pub fn new_with_boundaries(bytes: &[u8], boundaries: &[u32]) -> Result<Module, Error> {
        Self::translate(bytes, Translation::Boundaries(boundaries))
    }

    /// Translates like [`Module::new_with_boundaries`] with the statement starts recorded in the
    /// module's [`crate::module::STATEMENTS_SECTION`] (none when it has none): how a device, which reads no
    /// DWARF, translates as the debugger on the host does.
    pub fn new_with_recorded_boundaries(bytes: &[u8]) -> Result<Module, Error> {
        let recorded = Module::recorded_statements(bytes)?;
        Self::translate(bytes, Translation::Boundaries(&recorded))
    }

    /// Validates and translates with no limits: admission under limits nothing breaks.
    fn translate(bytes: &[u8], translation: Translation<'_>) -> Result<Module, Error> {
        let limits = PlatformLimits::unbounded();
        Ok(admit(bytes, &limits, translation)?.module)
    }
}
