//! A profile as text, which a stub sends its client (`monitor profile tree`): a header, then one
//! line of numbers per calling context, parents first.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use super::{Profile, ROOT, node};

/// The words of a context's line in [`Profile::encode`]: parent, function, site, instructions,
/// calls, time and samples.
const FIELDS: usize = 7;

impl Profile {
    /// The contexts as text, one line each after a `contexts CAPACITY samples TAKEN` header:
    /// parent, function, site, instructions, calls, time and samples. A stub sends this to its
    /// client, which reads it back with [`Profile::decode`] (without the counts by pc).
    pub fn encode(&self) -> String {
        let mut out = format!("contexts {} samples {}", self.capacity, self.taken);
        for n in &self.nodes {
            let _ = write!(
                out,
                "\n{} {} {} {} {} {} {}",
                n.parent, n.func, n.site, n.instructions, n.calls, n.time, n.samples
            );
        }
        out
    }

    /// Reads back what [`Profile::encode`] wrote; a line that does not read is an error naming
    /// it, as is a context whose parent does not come before it.
    pub fn decode(text: &str) -> Result<Profile, crate::Error> {
        let bad = |line: usize, reason: &str| crate::Error::ProfileText {
            line,
            reason: reason.into(),
        };
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
        let (capacity, taken) = match header[..] {
            ["contexts", c, "samples", t] => (
                c.parse::<usize>().map_err(|_| bad(1, "a capacity"))?,
                t.parse::<u64>().map_err(|_| bad(1, "a sample count"))?,
            ),
            _ => return Err(bad(1, "`contexts N samples N`")),
        };
        let mut p = Profile::new(0);
        p.nodes.clear();
        for (i, line) in lines.enumerate() {
            let at = i + 2;
            let mut f = [0u64; FIELDS];
            let mut words = line.split_whitespace();
            for v in &mut f {
                *v = words
                    .next()
                    .and_then(|w| w.parse().ok())
                    .ok_or_else(|| bad(at, "seven numbers"))?;
            }
            let id = p.nodes.len() as u32;
            let parent = u32::try_from(f[0]).map_err(|_| bad(at, "a parent"))?;
            if id >= 2 && parent >= id || id < 2 && parent != ROOT {
                return Err(bad(at, "a parent before it"));
            }
            let small = |v: u64| u32::try_from(v).map_err(|_| bad(at, "a 32-bit number"));
            let mut n = node(parent, small(f[1])?, small(f[2])?);
            (n.instructions, n.calls, n.time, n.samples) = (f[3], f[4], f[5], f[6]);
            n.sampled = n.instructions;
            if id >= 2 {
                n.next_sibling = p.nodes[parent as usize].first_child;
                p.nodes[parent as usize].first_child = id;
            }
            p.nodes.push(n);
        }
        if p.nodes.len() < 2 {
            return Err(bad(1, "the root and `[other]` contexts"));
        }
        p.capacity = capacity.max(p.nodes.len());
        p.taken = taken;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::super::NO_SITE;
    use super::*;

    #[test]
    fn the_text_form_reads_back_and_bad_text_is_named() {
        let mut p = Profile::new(8);
        p.enter(0, NO_SITE);
        p.add(5);
        p.enter(2, NO_SITE);
        p.add(7);
        p.sample(30);
        p.leave();
        let back = Profile::decode(&p.encode()).unwrap();
        assert_eq!(back.nodes(), p.nodes());
        assert_eq!((back.samples(), back.time(), back.total()), (1, 30, 12));
        assert_eq!(back.top(2), p.top(2));
        for (text, line) in [
            ("", 1),
            ("contexts 8 samples 0\n0 4294967295 4294967295 0 0 0 0", 1),
            (
                "contexts 8 samples 0\n0 1 2 3 4 5 6\n0 1 2 3 4 5 6\n5 1 2 3 4 5 6",
                4,
            ),
            ("contexts 8 samples 0\n0 1 2 3 4 5", 2),
        ] {
            match Profile::decode(text) {
                Err(crate::Error::ProfileText { line: l, .. }) => assert_eq!(l, line, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
