//! The dashboard's browsing commands: the search box (`search_events`, over the engine's FTS5
//! search) and the month view (`events_on_days`). Thin calls into the engine; the arguments
//! are checked here first so the UI gets a clear `{code, message}` for a bad date or span.

use calbuddy_engine::store::EventView;
use calbuddy_engine::{Engine, ErrorPayload};
use chrono::{Days, Local, NaiveDate};
use tauri::State;

use crate::state::AppState;

/// The longest span `events_on_days` lists at once: a month grid shows six weeks at most,
/// and two months leave room for a wider view, while every recurring series is expanded.
pub const MAX_LISTED_DAYS: u64 = 62;
/// How far a search looks when no end is given (as `calbuddy search`): far enough for "when is
/// the offsite", small enough to expand every series over it.
const SEARCH_DAYS_AHEAD: u64 = 365;
/// The longest span a search may cover (two years), for the same reason.
const MAX_SEARCH_DAYS: u64 = 731;
/// Longer queries are refused rather than cut, so what is shown matches what was typed.
const MAX_QUERY_CHARS: usize = 500;

type Result<T> = std::result::Result<T, ErrorPayload>;

/// What is wrong with a browsing request. The messages never repeat the input: they are shown
/// as they are, and a mistyped date could be anything.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum BrowseError {
    #[error("the {0} date is not a day written YYYY-MM-DD")]
    BadDate(&'static str),
    #[error("the last day ({to}) is before the first ({from})")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error("at most {0} days can be shown at once")]
    TooLong(u64),
    #[error("the search is too long (at most {MAX_QUERY_CHARS} characters)")]
    QueryTooLong,
}

impl BrowseError {
    /// A stable code, so the UI never matches on the message.
    pub fn code(&self) -> &'static str {
        match self {
            BrowseError::BadDate(_) => "bad_date",
            BrowseError::Reversed { .. } => "bad_range",
            BrowseError::TooLong(_) => "range_too_long",
            BrowseError::QueryTooLong => "query_too_long",
        }
    }
}

impl From<BrowseError> for ErrorPayload {
    fn from(e: BrowseError) -> Self {
        ErrorPayload {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

fn parse_day(text: &str, which: &'static str) -> std::result::Result<NaiveDate, BrowseError> {
    // Exactly YYYY-MM-DD: chrono alone would also take "2026-1-5" or a five-digit year.
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(BrowseError::BadDate(which));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| BrowseError::BadDate(which))
}

/// `from` to `to` (both included), refused when reversed or longer than `max_days`.
fn checked_span(
    from: NaiveDate,
    to: NaiveDate,
    max_days: u64,
) -> std::result::Result<(NaiveDate, NaiveDate), BrowseError> {
    if to < from {
        return Err(BrowseError::Reversed { from, to });
    }
    let days = u64::try_from((to - from).num_days()).unwrap_or(u64::MAX);
    if days >= max_days {
        return Err(BrowseError::TooLong(max_days));
    }
    Ok((from, to))
}

/// The days of the month view's request: two dates, at most [`MAX_LISTED_DAYS`] of them.
pub fn listed_days(
    from: &str,
    to: &str,
) -> std::result::Result<(NaiveDate, NaiveDate), BrowseError> {
    checked_span(
        parse_day(from, "first")?,
        parse_day(to, "last")?,
        MAX_LISTED_DAYS,
    )
}

/// The days a search covers: from `from` (default `today`) to `to` (default a year on).
pub fn searched_days(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> std::result::Result<(NaiveDate, NaiveDate), BrowseError> {
    let from = match from {
        Some(f) => parse_day(f, "first")?,
        None => today,
    };
    let to = match to {
        Some(t) => parse_day(t, "last")?,
        None => from
            .checked_add_days(Days::new(SEARCH_DAYS_AHEAD))
            .ok_or(BrowseError::BadDate("first"))?,
    };
    checked_span(from, to, MAX_SEARCH_DAYS)
}

/// The occurrences matching `query` on the searched days (see [`searched_days`]).
pub async fn search_in(
    engine: &Engine,
    query: &str,
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<Vec<EventView>> {
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(BrowseError::QueryTooLong.into());
    }
    let (from, to) = searched_days(from, to, today)?;
    engine
        .search(query, from, to)
        .await
        .map_err(|e| e.payload())
}

/// The search box: stored events whose title, location or description hold every word of
/// `query`, from `from` (default today) to `to` (default a year on). Dates are `YYYY-MM-DD`.
#[tauri::command]
pub async fn search_events(
    state: State<'_, AppState>,
    query: String,
    from: Option<String>,
    to: Option<String>,
) -> Result<Vec<EventView>> {
    let today = Local::now().date_naive();
    search_in(&state.engine, &query, from.as_deref(), to.as_deref(), today).await
}

/// The month view: every occurrence on the local days `from` to `to` (both included,
/// `YYYY-MM-DD`, at most [`MAX_LISTED_DAYS`]), past or future, declined ones included.
#[tauri::command]
pub async fn events_on_days(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Result<Vec<EventView>> {
    let (from, to) = listed_days(&from, &to)?;
    state
        .engine
        .events_on_days(from, to)
        .await
        .map_err(|e| e.payload())
}

#[cfg(test)]
mod tests {
    use calbuddy_engine::EngineConfig;
    use chrono::Utc;

    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn listed_days_takes_two_dates_up_to_62_days() {
        assert_eq!(
            listed_days("2026-12-01", "2026-12-31"),
            Ok((day("2026-12-01"), day("2026-12-31")))
        );
        assert_eq!(
            listed_days("2026-11-30", "2027-01-30"),
            Ok((day("2026-11-30"), day("2027-01-30"))),
            "62 days, both ends included"
        );
        let too_long = listed_days("2026-11-30", "2027-01-31").unwrap_err();
        assert_eq!(too_long, BrowseError::TooLong(62));
        assert_eq!(too_long.code(), "range_too_long");
    }

    #[test]
    fn listed_days_refuses_bad_dates_and_reversed_spans_with_codes() {
        for bad in [
            "",
            "2026-13-01",
            "2026-02-30",
            "2026-1-05",
            "12026-01-05",
            "2026/01/05",
            "tomorrow",
            "2026-01-05T00:00",
            " 2026-01-05",
        ] {
            let e = listed_days(bad, "2026-01-05").unwrap_err();
            assert_eq!(e, BrowseError::BadDate("first"), "{bad:?}");
            assert_eq!(e.code(), "bad_date");
        }
        assert_eq!(
            listed_days("2026-01-05", "nope"),
            Err(BrowseError::BadDate("last"))
        );
        let reversed = listed_days("2026-01-05", "2026-01-04").unwrap_err();
        assert_eq!(reversed.code(), "bad_range");
        assert_eq!(
            reversed.to_string(),
            "the last day (2026-01-04) is before the first (2026-01-05)"
        );
        let payload = ErrorPayload::from(BrowseError::BadDate("first"));
        assert_eq!(payload.code, "bad_date");
        assert_eq!(
            payload.message,
            "the first date is not a day written YYYY-MM-DD"
        );
    }

    #[test]
    fn a_search_defaults_to_a_year_from_today_and_refuses_more_than_two() {
        let today = day("2026-12-01");
        assert_eq!(
            searched_days(None, None, today),
            Ok((today, day("2027-12-01")))
        );
        assert_eq!(
            searched_days(Some("2026-11-01"), None, today),
            Ok((day("2026-11-01"), day("2027-11-01")))
        );
        assert_eq!(
            searched_days(None, Some("2026-12-24"), today),
            Ok((today, day("2026-12-24")))
        );
        assert_eq!(
            searched_days(Some("2026-01-01"), Some("2028-01-01"), today),
            Ok((day("2026-01-01"), day("2028-01-01"))),
            "731 days, both ends included"
        );
        assert_eq!(
            searched_days(Some("2026-01-01"), Some("2028-01-02"), today),
            Err(BrowseError::TooLong(731))
        );
        assert_eq!(
            searched_days(None, Some("2026-11-30"), today).map_err(|e| e.code()),
            Err("bad_range")
        );
        assert_eq!(
            searched_days(Some("01.12.2026"), None, today),
            Err(BrowseError::BadDate("first"))
        );
    }

    #[tokio::test]
    async fn search_in_finds_the_demo_stand_ups_and_refuses_a_huge_query() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(EngineConfig::in_dir(dir.path()))
            .await
            .unwrap();
        engine.connect_demo(Utc::now()).await.unwrap();
        let today = Local::now().date_naive();
        let in_two_weeks = (today + Days::new(13)).format("%Y-%m-%d").to_string();
        let found = search_in(&engine, "stand", None, Some(&in_two_weeks), today)
            .await
            .unwrap();
        assert!(!found.is_empty());
        assert!(found.iter().all(|e| e.title == "Daily stand-up"));
        let huge = "a".repeat(MAX_QUERY_CHARS + 1);
        let refused = search_in(&engine, &huge, None, None, today)
            .await
            .unwrap_err();
        assert_eq!(refused.code, "query_too_long");
        let bad = search_in(&engine, "stand", Some("soon"), None, today)
            .await
            .unwrap_err();
        assert_eq!(bad.code, "bad_date");
    }
}
