//! Integration tests of the fake over HTTP, one module per area.

mod admin;
mod calendar_list;
mod common;
mod events;
mod faults;
mod oauth;
mod sync;
