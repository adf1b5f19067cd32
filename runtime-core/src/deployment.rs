//! What a deployment is: the platform it runs on, its safety level, its debug support and mode.
//! Plain named values, below the errors that name them ([`crate::Error::DebugCapacity`]); the
//! limits a deployment sets are in [`crate::limits`], which re-exports these.

use core::fmt;

use serde::{Deserialize, Serialize};

/// Defines a closed set of names printed as lowercase words, with the configuration key they are
/// given under (`limits` parses them, with its other configuration errors).
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &[$name] = &[$($name::$variant),+];

            /// The configuration key a value is given under, named by a parse error.
            pub(crate) const KEY: &'static str = $what;

            /// The word this value is written as in configs and on the command line.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

named_enum!(
    /// The operating system or environment a preset describes.
    PlatformId, "platform" {
        /// Linux, typically in a container with a cgroup memory limit.
        Linux = "linux",
        /// QNX Neutrino in a safety partition.
        Qnx = "qnx",
        /// Zephyr RTOS on a microcontroller.
        Zephyr = "zephyr",
        /// Tock OS on a microcontroller.
        Tock = "tock",
        /// macOS, a development host.
        MacOs = "macos",
        /// VxWorks real-time processes.
        VxWorks = "vxworks",
        /// No operating system at all.
        BareMetal = "baremetal",
    }
);

named_enum!(
    /// Automotive Safety Integrity Level (ISO 26262), from quality-managed up to the strictest.
    AsilLevel, "asil" {
        /// Quality managed: no safety requirement.
        QM = "qm",
        /// ASIL A.
        A = "a",
        /// ASIL B.
        B = "b",
        /// ASIL C.
        C = "c",
        /// ASIL D: the strictest; no debug overhead at all.
        D = "d",
    }
);

named_enum!(
    /// How much debug support is configured; ordered from none to full.
    DebugLevel, "debug_level" {
        /// No debug support: debug sections are skipped.
        None = "none",
        /// Line tables only, for mapping addresses to source.
        LineInfo = "line",
        /// Line tables plus profiling.
        BasicProfile = "profile",
        /// Everything: breakpoints, variables, watches.
        FullDebug = "full",
    }
);

named_enum!(
    /// Whether a safety deployment is in production (no debug access) or in development.
    SafetyDebugMode, "safety_mode" {
        /// Production: debugging is refused.
        Production = "production",
        /// Development: bounded debugging is allowed.
        Development = "development",
    }
);

named_enum!(
    /// The microcontroller operating systems [`crate::limits::preset::embedded_minimal`] targets.
    EmbeddedPlatform, "platform" {
        /// Zephyr RTOS.
        Zephyr = "zephyr",
        /// Tock OS.
        Tock = "tock",
    }
);
