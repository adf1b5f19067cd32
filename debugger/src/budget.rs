//! The debug budget a front-end shows: every bounded table's use against its limit.
