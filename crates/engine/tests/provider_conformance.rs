//! The provider conformance suite, run against every provider that has a backend.

mod common;
mod conformance;

conformance_suite!(demo, crate::conformance::demo::DemoBackend);
conformance_suite!(google, crate::conformance::google::GoogleBackend);
conformance_suite!(memory, crate::conformance::memory::MemoryBackend);
