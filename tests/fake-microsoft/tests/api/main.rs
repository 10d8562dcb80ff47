//! Integration tests of the fake over HTTP, one module per area.

mod binary;
mod calendars;
mod common;
mod delta;
mod events;
mod faults;
mod identity;
