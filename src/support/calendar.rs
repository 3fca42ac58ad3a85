//! Dates: reading and writing `YYYY-MM-DD`, today's date, days between dates, and
//! months or a year on. Review dates are whole days, so no time zones are involved:
//! "today" is the date in UTC, or the date of `SOURCE_DATE_EPOCH` when it is set,
//! so that a check or build can be repeated exactly. Uses nothing else in the
//! crate.

use std::time::{SystemTime, UNIX_EPOCH};

/// A calendar date written as `YYYY-MM-DD`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

const SECONDS_PER_DAY: i64 = 86_400;

/// Today's date: from `SOURCE_DATE_EPOCH` (seconds since 1970) if it is set, else
/// from the system clock.
pub fn today() -> Date {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|value| value.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        });
    from_days(seconds.div_euclid(SECONDS_PER_DAY))
}

/// Days since 1970-01-01 (negative before it).
pub fn days(date: Date) -> i64 {
    // Howard Hinnant's days_from_civil, with years starting in March.
    let (month, day) = (i64::from(date.month), i64::from(date.day));
    let year = i64::from(date.year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` days after 1970-01-01.
pub fn from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Date {
        year: year.clamp(0, 9999) as u16,
        month: month as u8,
        day: day as u8,
    }
}

/// A date as people write it: "22 May 2027".
pub fn in_words(date: Date) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    format!(
        "{} {} {}",
        date.day,
        MONTHS[usize::from(date.month.clamp(1, 12)) - 1],
        date.year
    )
}

/// A date as pages show it: `iso` for a `<time datetime>`, `display` in words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShownDate {
    pub iso: String,
    pub display: String,
}

pub fn shown(date: Date) -> ShownDate {
    ShownDate {
        iso: format_date(date),
        display: in_words(date),
    }
}

/// How many days from `from` to `to`; negative when `to` is earlier.
pub fn days_between(from: Date, to: Date) -> i64 {
    days(to) - days(from)
}

/// The same day a year later; 29 February becomes 28 February.
pub fn a_year_after(date: Date) -> Date {
    months_after(date, 12)
}

/// The same day `months` months later, or the last day of that month if it is
/// shorter: 31 August and 6 months make 28 (or 29) February.
pub fn months_after(date: Date, months: u32) -> Date {
    let index = u32::from(date.year) * 12 + u32::from(date.month.clamp(1, 12)) - 1 + months;
    let year = (index / 12).min(9999) as u16;
    let month = (index % 12 + 1) as u8;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let last_day = match month {
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 31,
    };
    Date {
        year,
        month,
        day: date.day.min(last_day),
    }
}

/// Parses a `YYYY-MM-DD` date, checking the day exists in its month.
pub fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let year: u16 = year.parse().ok()?;
    let month: u8 = month.parse().ok()?;
    let day: u8 = day.parse().ok()?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days_in_month)
        .contains(&day)
        .then_some(Date { year, month, day })
}

impl std::str::FromStr for Date {
    type Err = &'static str;

    /// A `YYYY-MM-DD` date, as [`parse_date`] reads it.
    fn from_str(text: &str) -> Result<Date, Self::Err> {
        parse_date(text).ok_or("not a date written as YYYY-MM-DD")
    }
}

/// Writes a date as `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year, date.month, date.day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: u16, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    #[test]
    fn days_count_from_1970() {
        assert_eq!(days(date(1970, 1, 1)), 0);
        assert_eq!(days(date(2000, 3, 1)), 11_017);
        assert_eq!(days(date(2026, 11, 23)), 20_780);
    }

    #[test]
    fn days_and_dates_convert_both_ways() {
        for n in (-700_000..2_000_000).step_by(997) {
            assert_eq!(days(from_days(n)), n);
        }
    }

    #[test]
    fn the_gap_between_dates_crosses_leap_days() {
        assert_eq!(days_between(date(2028, 2, 28), date(2028, 3, 1)), 2);
        assert_eq!(days_between(date(2027, 2, 28), date(2027, 3, 1)), 1);
        assert_eq!(days_between(date(2026, 12, 1), date(2026, 11, 1)), -30);
    }

    #[test]
    fn a_year_on_keeps_the_day() {
        assert_eq!(a_year_after(date(2026, 11, 23)), date(2027, 11, 23));
        assert_eq!(a_year_after(date(2028, 2, 29)), date(2029, 2, 28));
    }

    #[test]
    fn dates_are_shown_in_words() {
        let shown = shown(date(2026, 11, 2));
        assert_eq!(shown.display, "2 November 2026");
        assert_eq!(shown.iso, "2026-11-02");
    }

    #[test]
    fn dates_must_exist() {
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2023-13-01").is_none());
        assert!(parse_date("23-01-01").is_none());
    }

    #[test]
    fn months_on_stop_at_the_end_of_a_short_month() {
        assert_eq!(months_after(date(2026, 8, 31), 6), date(2027, 2, 28));
        assert_eq!(months_after(date(2027, 8, 31), 6), date(2028, 2, 29));
        assert_eq!(months_after(date(2026, 11, 23), 6), date(2027, 5, 23));
    }
}
