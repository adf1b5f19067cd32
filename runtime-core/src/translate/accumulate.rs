//! The accumulator pass, run once a body is translated: each instruction that takes the
//! result of the one before it becomes its accumulator form where no jump lands on it.

use alloc::vec;

use crate::instr::Instr;

/// Rewrites each instruction that uses the result of the one before it, and that no jump lands
/// on, to its form that takes that result from the interpreter's accumulator (a machine register)
/// instead of loading it back from the frame ([`Instr::acc_form`]). Every result is still
/// written to its register, so a debugger reads the frame as before, and a run resumed at such
/// an instruction loads the accumulator from there ([`Instr::acc_source`]).
pub(super) fn accumulate(code: &mut [Instr]) {
    let mut landed = vec![false; code.len()];
    for mut i in code.iter().copied() {
        if let Some(&mut t) = i.target_mut()
            && let Some(l) = landed.get_mut(t as usize)
        {
            *l = true;
        }
    }
    for pc in 1..code.len() {
        if let (false, Some(reg)) = (landed[pc], code[pc - 1].result())
            && let Some(form) = code[pc].acc_form(reg)
        {
            code[pc] = form;
        }
    }
}
