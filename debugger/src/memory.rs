//! Linear memory as `x` shows it: units of a size and format, or C strings.
