//! Times as pages show them.

use time::{OffsetDateTime, macros::format_description};

/// "23 Nov 2026, 14:05 UTC".
pub(crate) fn when(at: OffsetDateTime) -> String {
    let format =
        format_description!("[day padding:none] [month repr:short] [year], [hour]:[minute] UTC");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// "23 hours", "12 minutes", "less than a minute": how long until `at`.
pub(crate) fn in_words(at: OffsetDateTime) -> String {
    let left = at - OffsetDateTime::now_utc();
    let minutes = left.whole_minutes();
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if minutes < 1 {
        "less than a minute".to_owned()
    } else if minutes < 60 {
        plural(minutes, "minute")
    } else {
        plural(left.whole_hours(), "hour")
    }
}

/// The largest unit [`period`] may use.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Largest {
    Hour,
    Day,
}

/// A period in its largest whole unit, up to `largest`: "hour", "24 hours" (or "day"),
/// "90 minutes", "45 seconds"; the unit alone for one of it.
pub(crate) fn period(period: std::time::Duration, largest: Largest) -> String {
    let secs = period.as_secs().max(1);
    let units = [
        (86_400, "day", Largest::Day),
        (3_600, "hour", Largest::Hour),
        (60, "minute", Largest::Hour),
    ];
    let (n, unit) = units
        .into_iter()
        .filter(|(_, _, needs)| *needs <= largest)
        .find(|(size, _, _)| secs.is_multiple_of(*size))
        .map_or((secs, "second"), |(size, unit, _)| (secs / size, unit));
    if n == 1 {
        unit.to_owned()
    } else {
        format!("{n} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use time::{Duration, macros::datetime};

    use super::*;

    #[test]
    fn a_time_reads_as_day_month_year_and_utc_clock() {
        assert_eq!(
            when(datetime!(2026-11-23 14:05 UTC)),
            "23 Nov 2026, 14:05 UTC"
        );
    }

    #[test]
    fn a_period_reads_in_its_largest_whole_unit() {
        let words = |secs, largest| period(std::time::Duration::from_secs(secs), largest);
        assert_eq!(words(86_400, Largest::Day), "day");
        assert_eq!(words(2 * 86_400, Largest::Day), "2 days");
        assert_eq!(words(86_400, Largest::Hour), "24 hours");
        assert_eq!(words(12 * 3_600, Largest::Day), "12 hours");
        assert_eq!(words(3_600, Largest::Hour), "hour");
        assert_eq!(words(90 * 60, Largest::Day), "90 minutes");
        assert_eq!(words(45, Largest::Hour), "45 seconds");
    }

    #[test]
    fn a_time_left_is_said_in_its_largest_unit() {
        let now = OffsetDateTime::now_utc();
        assert_eq!(
            in_words(now + Duration::hours(23) + Duration::minutes(59)),
            "23 hours"
        );
        assert_eq!(
            in_words(now + Duration::minutes(12) + Duration::seconds(30)),
            "12 minutes"
        );
        assert_eq!(in_words(now + Duration::seconds(20)), "less than a minute");
    }
}
