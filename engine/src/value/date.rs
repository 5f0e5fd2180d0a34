//! Civil dates (proleptic Gregorian, years 1 to 9999), without time or zone:
//! forms ask for birthdays and deadlines, and `today()` is supplied by the
//! caller already converted to the civil date in its zone.
//!
//! Day arithmetic goes through a day count using Howard Hinnant's
//! `days_from_civil` / `civil_from_days` algorithms, which are exact for the
//! whole range without tables.

use std::fmt;

/// A civil date. Field order makes the derived ordering chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i16,
    month: u8,
    day: u8,
}

const MIN_YEAR: i32 = 1;
const MAX_YEAR: i32 = 9999;
/// Days from 1970-01-01 to 0001-01-01 and to 9999-12-31.
const MIN_DAYS: i64 = -719_162;
const MAX_DAYS: i64 = 2_932_896;

impl Date {
    /// 1970-01-01, the origin of [`Date::days_since_epoch`].
    pub const EPOCH: Date = Date { year: 1970, month: 1, day: 1 };

    /// The date if it exists and its year is within 1..=9999.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year: i16::try_from(year).ok()?, month: u8::try_from(month).ok()?, day: u8::try_from(day).ok()? })
    }

    /// Parses strict ISO `YYYY-MM-DD` (exactly ten characters).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |range: std::ops::Range<usize>| -> Option<u32> {
            b[range].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
        };
        let year = i32::try_from(num(0..4)?).ok()?;
        Date::from_ymd(year, num(5..7)?, num(8..10)?)
    }

    /// The year, 1..=9999.
    pub fn year(self) -> i32 {
        i32::from(self.year)
    }

    /// The month, 1..=12.
    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    /// The day of the month, 1..=31.
    pub fn day(self) -> u32 {
        u32::from(self.day)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01, if within years 1..=9999.
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        if !(MIN_DAYS..=MAX_DAYS).contains(&days) {
            return None;
        }
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::from_ymd(i32::try_from(year).ok()?, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
    }

    /// The date `days` later (earlier if negative), if in range.
    pub fn add_days(self, days: i64) -> Option<Date> {
        Date::from_days_since_epoch(self.days_since_epoch().checked_add(days)?)
    }

    /// The same day `years` later; Feb 29 becomes Feb 28 in a non-leap year.
    pub fn add_years(self, years: i32) -> Option<Date> {
        let year = self.year().checked_add(years)?;
        Date::clamped(year, self.month(), self.day())
    }

    /// The same day `months` later; the day is clamped to the target month's
    /// length (Jan 31 + 1 month = Feb 28 or 29).
    pub fn add_months(self, months: i32) -> Option<Date> {
        let index = i64::from(self.year()) * 12 + i64::from(self.month()) - 1 + i64::from(months);
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = u32::try_from(index.rem_euclid(12) + 1).ok()?;
        Date::clamped(year, month, self.day())
    }

    /// Full years from `birth` to `today`. A birthday on Feb 29 counts on
    /// Mar 1 in non-leap years, as German practice has it, which is exactly
    /// what comparing (month, day) pairs gives. Negative if `birth` is after
    /// `today`.
    pub fn age_on(birth: Date, today: Date) -> i64 {
        let years = i64::from(today.year) - i64::from(birth.year);
        if (today.month, today.day) < (birth.month, birth.day) {
            years - 1
        } else {
            years
        }
    }

    fn clamped(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return None;
        }
        Date::from_ymd(year, month, day.min(days_in_month(year, month)))
    }
}

fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    /// ISO `YYYY-MM-DD`, digit by digit: every date of a submission goes
    /// through here, and the formatting machinery costs ten times as much.
    pub fn to_iso(self) -> String {
        self.with_iso(str::to_string)
    }

    /// Calls `f` with the ISO form, without allocating.
    pub fn with_iso<R>(self, f: impl FnOnce(&str) -> R) -> R {
        let digit = |n: u16, place: u16| b'0' + (n / place % 10) as u8;
        let (year, month, day) = (self.year.unsigned_abs(), u16::from(self.month), u16::from(self.day));
        let iso = [
            digit(year, 1000),
            digit(year, 100),
            digit(year, 10),
            digit(year, 1),
            b'-',
            digit(month, 10),
            digit(month, 1),
            b'-',
            digit(day, 10),
            digit(day, 1),
        ];
        f(std::str::from_utf8(&iso).unwrap_or_default())
    }
}

impl fmt::Display for Date {
    /// ISO `YYYY-MM-DD` (years are 1 to 9999, so always four digits).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap_or_else(|| panic!("bad test date {s}"))
    }

    #[test]
    fn parse_is_strict() {
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
        assert_eq!(d("0001-01-09").to_iso(), "0001-01-09");
        assert_eq!(d("9999-12-31").to_iso(), "9999-12-31");
        assert_eq!(d("0001-01-01").year(), 1);
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-01-00",
            "0000-01-01",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            " 2024-01-01",
            "2024-01-01 ",
            "+202-01-01",
            "2024-04-31",
            "2024-01-0a",
            "",
            "20240101",
            "1900-02-29",
            "2024-02-3ä",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad:?}");
        }
        assert!(Date::parse("2000-02-29").is_some());
    }

    #[test]
    fn epoch_and_day_counts() {
        assert_eq!(Date::EPOCH.days_since_epoch(), 0);
        assert_eq!(d("1970-01-02").days_since_epoch(), 1);
        assert_eq!(d("1969-12-31").days_since_epoch(), -1);
        assert_eq!(d("2000-03-01").days_since_epoch(), 11_017);
        assert_eq!(d("0001-01-01").days_since_epoch(), MIN_DAYS);
        assert_eq!(d("9999-12-31").days_since_epoch(), MAX_DAYS);
        assert_eq!(Date::from_days_since_epoch(MIN_DAYS - 1), None);
        assert_eq!(Date::from_days_since_epoch(MAX_DAYS + 1), None);
        assert_eq!(Date::from_days_since_epoch(i64::MIN), None);
        assert_eq!(Date::from_days_since_epoch(i64::MAX), None);
    }

    #[test]
    fn round_trip_over_whole_range() {
        let mut date = d("0001-01-01");
        for n in MIN_DAYS..=MAX_DAYS {
            assert_eq!(date.days_since_epoch(), n);
            assert_eq!(Date::from_days_since_epoch(n), Some(date));
            if let Some(next) = date.add_days(1) {
                assert!(next > date);
                date = next;
            }
        }
        assert_eq!(date, d("9999-12-31"));
    }

    #[test]
    fn adding() {
        assert_eq!(d("2024-02-28").add_days(1), Some(d("2024-02-29")));
        assert_eq!(d("2023-02-28").add_days(1), Some(d("2023-03-01")));
        assert_eq!(d("2024-01-01").add_days(-1), Some(d("2023-12-31")));
        assert_eq!(d("9999-12-31").add_days(1), None);
        assert_eq!(d("2024-01-01").add_days(i64::MAX), None);
        assert_eq!(d("2024-02-29").add_years(1), Some(d("2025-02-28")));
        assert_eq!(d("2024-02-29").add_years(4), Some(d("2028-02-29")));
        assert_eq!(d("2024-05-31").add_years(-2024), None);
        assert_eq!(d("2024-05-31").add_years(i32::MAX), None);
        assert_eq!(d("2024-01-31").add_months(1), Some(d("2024-02-29")));
        assert_eq!(d("2023-01-31").add_months(1), Some(d("2023-02-28")));
        assert_eq!(d("2024-03-31").add_months(-1), Some(d("2024-02-29")));
        assert_eq!(d("2024-01-15").add_months(-13), Some(d("2022-12-15")));
        assert_eq!(d("2024-01-15").add_months(i32::MIN), None);
    }

    #[test]
    fn age_counts_full_years() {
        let birth = d("2000-06-15");
        assert_eq!(Date::age_on(birth, d("2018-06-14")), 17);
        assert_eq!(Date::age_on(birth, d("2018-06-15")), 18);
        assert_eq!(Date::age_on(birth, birth), 0);
        assert_eq!(Date::age_on(birth, d("1999-06-15")), -1);
    }

    #[test]
    fn age_of_leap_day_birthday() {
        let birth = d("2004-02-29");
        assert_eq!(Date::age_on(birth, d("2022-02-28")), 17);
        assert_eq!(Date::age_on(birth, d("2022-03-01")), 18);
        assert_eq!(Date::age_on(birth, d("2024-02-28")), 19);
        assert_eq!(Date::age_on(birth, d("2024-02-29")), 20);
    }

    #[test]
    fn ordering_is_chronological() {
        assert!(d("2023-12-31") < d("2024-01-01"));
        assert!(d("2024-01-31") < d("2024-02-01"));
        assert!(d("0999-01-01") < d("1000-01-01"));
    }
}
