//! The provider conformance suite, run against every provider that has a backend.

mod caldav_support;
mod common;
mod conformance;
mod microsoft_support;

conformance_suite!(
    caldav_radicale,
    crate::conformance::caldav::CalDavBackend<crate::conformance::caldav::Radicale>
);
conformance_suite!(
    caldav_xandikos,
    crate::conformance::caldav::CalDavBackend<crate::conformance::caldav::Xandikos>
);
conformance_suite!(demo, crate::conformance::demo::DemoBackend);
conformance_suite!(google, crate::conformance::google::GoogleBackend);
conformance_suite!(ics, crate::conformance::ics::IcsBackend);
conformance_suite!(memory, crate::conformance::memory::MemoryBackend);
conformance_suite!(microsoft, crate::conformance::microsoft::MicrosoftBackend);

#[tokio::test]
async fn ics_an_unchanged_feed_writes_nothing_and_a_login_page_keeps_the_events() {
    conformance::ics::an_unchanged_feed_writes_nothing_and_a_login_page_keeps_the_events().await;
}
