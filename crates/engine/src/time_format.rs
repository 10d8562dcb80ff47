//! How clock times are written: 12-hour ("11:50 PM") or 24-hour ("23:50"), following the system
//! locale unless the `general.time_format` setting overrides it, and the one style of day
//! heading ("Wednesday 2 December"). The tray, reminders, the CLI and the dashboard all call
//! this, so they never disagree.
//!
//! The locale is read from `LC_ALL`, then `LC_TIME`, then `LANG` (POSIX order). Its 12/24-hour
//! choice comes from a table of the locales whose convention is 12-hour (CLDR's `timeFormats`
//! preference, which glibc's `t_fmt` follows for these): a table rather than
//! `nl_langinfo(T_FMT)`, because the workspace forbids `unsafe` and because the answer must not
//! depend on which locales happen to be compiled on the machine (many have only `C.UTF-8`).
//! macOS and Windows apps started from the desktop usually have no `LANG`: they get 24-hour
//! unless the setting says otherwise (their own regional settings are not read yet).

use chrono::{NaiveDate, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

/// The `general.time_format` setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeFormat {
    /// Whatever the system locale uses.
    #[default]
    #[serde(rename = "system")]
    System,
    #[serde(rename = "12h")]
    TwelveHour,
    #[serde(rename = "24h")]
    TwentyFourHour,
}

/// How clock times are written once the setting and the locale are settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HourCycle {
    /// "11:50 PM"
    #[serde(rename = "12h")]
    H12,
    /// "23:50"
    #[serde(rename = "24h")]
    H24,
}

impl TimeFormat {
    /// Reads the setting's text form; `None` for anything but `system`, `12h` or `24h`.
    pub fn parse(text: &str) -> Option<TimeFormat> {
        match text.trim().to_ascii_lowercase().as_str() {
            "system" => Some(TimeFormat::System),
            "12h" | "12" => Some(TimeFormat::TwelveHour),
            "24h" | "24" => Some(TimeFormat::TwentyFourHour),
            _ => None,
        }
    }

    /// The hour cycle to use, asking the process environment when the setting says `system`.
    pub fn hour_cycle(self) -> HourCycle {
        self.hour_cycle_with(|name| std::env::var(name).ok())
    }

    /// As [`TimeFormat::hour_cycle`], with the environment passed in (tests choose it).
    pub fn hour_cycle_with(self, env: impl Fn(&str) -> Option<String>) -> HourCycle {
        match self {
            TimeFormat::TwelveHour => HourCycle::H12,
            TimeFormat::TwentyFourHour => HourCycle::H24,
            TimeFormat::System => locale_from_env(env)
                .as_deref()
                .map_or(HourCycle::H24, locale_hour_cycle),
        }
    }
}

/// The locale that governs times: the first non-empty of `LC_ALL`, `LC_TIME`, `LANG`.
pub fn locale_from_env(env: impl Fn(&str) -> Option<String>) -> Option<String> {
    ["LC_ALL", "LC_TIME", "LANG"]
        .into_iter()
        .filter_map(&env)
        .find(|v| !v.trim().is_empty())
}

/// Language_TERRITORY pairs whose convention is the 12-hour clock.
const TWELVE_HOUR_LOCALES: &[&str] = &[
    "en_US", "en_CA", "en_AU", "en_NZ", "en_PH", "en_IN", "en_PK", "hi_IN", "bn_IN", "bn_BD",
    "ur_PK", "ur_IN", "ko_KR", "zh_TW", "es_US", "es_MX", "es_CO",
];

/// The hour cycle of a POSIX locale name such as `en_US.UTF-8` or `de_DE@euro`. `C`, `POSIX`
/// and anything unknown are 24-hour.
pub fn locale_hour_cycle(locale: &str) -> HourCycle {
    let base = locale
        .split(['.', '@'])
        .next()
        .unwrap_or_default()
        .replace('-', "_");
    let language = base.split('_').next().unwrap_or_default();
    // Arabic is written with the 12-hour clock in every territory (glibc's ar_* t_fmt is %I).
    if language.eq_ignore_ascii_case("ar") || TWELVE_HOUR_LOCALES.contains(&base.as_str()) {
        HourCycle::H12
    } else {
        HourCycle::H24
    }
}

impl HourCycle {
    /// "23:50" or "11:50 PM".
    pub fn time(self, time: NaiveTime) -> String {
        match self {
            HourCycle::H24 => format!("{:02}:{:02}", time.hour(), time.minute()),
            HourCycle::H12 => {
                let (pm, hour) = time.hour12();
                let meridiem = if pm { "PM" } else { "AM" };
                format!("{hour}:{:02} {meridiem}", time.minute())
            }
        }
    }
}

/// The one style of day heading: "Wednesday 2 December".
pub fn day_heading(date: NaiveDate) -> String {
    date.format("%A %-d %B").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn times_are_written_in_either_cycle() {
        assert_eq!(HourCycle::H24.time(at(23, 50)), "23:50");
        assert_eq!(HourCycle::H24.time(at(9, 5)), "09:05");
        assert_eq!(HourCycle::H12.time(at(23, 50)), "11:50 PM");
        assert_eq!(HourCycle::H12.time(at(0, 5)), "12:05 AM");
        assert_eq!(HourCycle::H12.time(at(12, 0)), "12:00 PM");
        assert_eq!(HourCycle::H12.time(at(9, 30)), "9:30 AM");
    }

    #[test]
    fn the_locale_comes_from_lc_all_then_lc_time_then_lang() {
        let system = TimeFormat::System;
        let cycle = |vars: &[(&str, &str)]| system.hour_cycle_with(env(vars));
        assert_eq!(cycle(&[("LANG", "en_US.UTF-8")]), HourCycle::H12);
        assert_eq!(cycle(&[("LANG", "de_DE.UTF-8")]), HourCycle::H24);
        assert_eq!(
            cycle(&[("LANG", "en_US.UTF-8"), ("LC_TIME", "en_GB.UTF-8")]),
            HourCycle::H24
        );
        assert_eq!(
            cycle(&[
                ("LANG", "de_DE.UTF-8"),
                ("LC_TIME", "en_GB.UTF-8"),
                ("LC_ALL", "en_US.UTF-8")
            ]),
            HourCycle::H12
        );
        // An empty LC_ALL is unset, as in POSIX.
        assert_eq!(
            cycle(&[("LC_ALL", ""), ("LANG", "en_US.UTF-8")]),
            HourCycle::H12
        );
        assert_eq!(cycle(&[]), HourCycle::H24, "no locale at all: 24-hour");
    }

    #[test]
    fn locale_names_are_read_with_or_without_codeset_and_modifier() {
        for twelve in ["en_US", "en_US.UTF-8", "ko_KR.utf8", "ar_EG.UTF-8", "en-AU"] {
            assert_eq!(locale_hour_cycle(twelve), HourCycle::H12, "{twelve}");
        }
        for twenty_four in [
            "C",
            "POSIX",
            "C.UTF-8",
            "en_GB.UTF-8",
            "fr_CA",
            "de_DE@euro",
            "",
        ] {
            assert_eq!(
                locale_hour_cycle(twenty_four),
                HourCycle::H24,
                "{twenty_four}"
            );
        }
    }

    #[test]
    fn the_setting_overrides_the_locale() {
        let us = [("LANG", "en_US.UTF-8")];
        let de = [("LANG", "de_DE.UTF-8")];
        assert_eq!(
            TimeFormat::TwentyFourHour.hour_cycle_with(env(&us)),
            HourCycle::H24
        );
        assert_eq!(
            TimeFormat::TwelveHour.hour_cycle_with(env(&de)),
            HourCycle::H12
        );
        assert_eq!(TimeFormat::parse(" 12H "), Some(TimeFormat::TwelveHour));
        assert_eq!(TimeFormat::parse("system"), Some(TimeFormat::System));
        assert_eq!(TimeFormat::parse("am/pm"), None);
    }

    #[test]
    fn day_headings_have_one_style() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(day_heading(date), "Wednesday 2 December");
    }
}
