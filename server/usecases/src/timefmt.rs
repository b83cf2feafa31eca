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
