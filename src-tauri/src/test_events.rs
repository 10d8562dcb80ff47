//! A timed event as the engine lists it, for the shell's tests.

use calbuddy_engine::store::EventView;

/// A confirmed timed event titled `id` in the calendar "Work", from `start` to `end` (RFC 3339).
pub fn meeting(id: &str, start: &str, end: &str, url: Option<&str>) -> EventView {
    EventView {
        id: id.into(),
        account_id: 1,
        calendar_id: 1,
        calendar_name: "Work".into(),
        calendar_color: None,
        provider: "google".into(),
        external_id: id.into(),
        title: id.into(),
        description: None,
        location: None,
        start: start.into(),
        end: end.into(),
        all_day: false,
        recurring: false,
        status: "confirmed".into(),
        my_response: None,
        meeting_url: url.map(str::to_owned),
        details: Default::default(),
        also_in: Vec::new(),
        sort_key: 0,
    }
}
