//! The server's clock: today's civil date in Europe/Berlin (what `today()`
//! means in rules, DESIGN 4.4) and RFC 3339 timestamps for receipts.
//!
//! Berlin's offset follows the EU rule (since 1996): summer time from the last
//! Sunday of March, 01:00 UTC, to the last Sunday of October, 01:00 UTC. It is
//! computed here rather than read from a time-zone database, so the service
//! needs none.

use std::time::{SystemTime, UNIX_EPOCH};

use efa_engine::Date;

const DAY: i64 = 86_400;

/// Milliseconds since the Unix epoch, now.
pub fn now_millis() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(elapsed) => i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// The civil date in Europe/Berlin at `unix_secs`.
pub fn berlin_date(unix_secs: i64) -> Date {
    let local = unix_secs.saturating_add(berlin_offset(unix_secs));
    Date::from_days_since_epoch(local.div_euclid(DAY)).unwrap_or(Date::EPOCH)
}

/// Berlin's offset from UTC at `unix_secs`, in seconds: 3600 (CET) or 7200 (CEST).
pub fn berlin_offset(unix_secs: i64) -> i64 {
    let Some(year) = Date::from_days_since_epoch(unix_secs.div_euclid(DAY)).map(Date::year) else {
        return 3600;
    };
    let switch = |month| last_sunday(year, month).map(|day| day * DAY + 3600);
    match (switch(3), switch(10)) {
        (Some(start), Some(end)) if (start..end).contains(&unix_secs) => 7200,
        _ => 3600,
    }
}

/// Days since the epoch of the last Sunday of `month` (March or October: 31 days).
fn last_sunday(year: i32, month: u32) -> Option<i64> {
    let last = Date::from_ymd(year, month, 31)?.days_since_epoch();
    // 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) mod 7.
    Some(last - (last + 4).rem_euclid(7))
}

/// `2026-11-23T09:15:02.123Z` for milliseconds since the epoch.
pub fn rfc3339_utc(unix_millis: i64) -> String {
    let secs = unix_millis.div_euclid(1000);
    let millis = unix_millis.rem_euclid(1000);
    let date = Date::from_days_since_epoch(secs.div_euclid(DAY)).unwrap_or(Date::EPOCH);
    let time = secs.rem_euclid(DAY);
    format!("{date}T{:02}:{:02}:{:02}.{millis:03}Z", time / 3600, time / 60 % 60, time % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str, h: i64, m: i64) -> i64 {
        Date::parse(date).unwrap().days_since_epoch() * DAY + h * 3600 + m * 60
    }

    #[test]
    fn summer_time_switches_on_the_last_sundays_at_one_utc() {
        // 2026: summer time from 29 March to 25 October.
        assert_eq!(berlin_offset(at("2026-03-29", 0, 59)), 3600);
        assert_eq!(berlin_offset(at("2026-03-29", 1, 0)), 7200);
        assert_eq!(berlin_offset(at("2026-10-25", 0, 59)), 7200);
        assert_eq!(berlin_offset(at("2026-10-25", 1, 0)), 3600);
        // 2024: 31 March (the 31st itself is the Sunday) and 27 October.
        assert_eq!(berlin_offset(at("2024-03-31", 1, 0)), 7200);
        assert_eq!(berlin_offset(at("2024-03-30", 12, 0)), 3600);
        assert_eq!(berlin_offset(at("2024-10-27", 0, 30)), 7200);
        assert_eq!(berlin_offset(at("2024-01-15", 12, 0)), 3600);
        assert_eq!(berlin_offset(at("2024-07-15", 12, 0)), 7200);
    }

    #[test]
    fn the_date_turns_at_local_midnight() {
        // Winter: 23:00 UTC is midnight in Berlin.
        assert_eq!(berlin_date(at("2026-01-31", 22, 59)).to_string(), "2026-01-31");
        assert_eq!(berlin_date(at("2026-01-31", 23, 0)).to_string(), "2026-02-01");
        // Summer: 22:00 UTC is midnight.
        assert_eq!(berlin_date(at("2026-06-30", 21, 59)).to_string(), "2026-06-30");
        assert_eq!(berlin_date(at("2026-06-30", 22, 0)).to_string(), "2026-07-01");
        // New year's eve.
        assert_eq!(berlin_date(at("2025-12-31", 23, 30)).to_string(), "2026-01-01");
    }

    #[test]
    fn formats_rfc3339() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_utc(at("2026-11-23", 9, 15) * 1000 + 2123), "2026-11-23T09:15:02.123Z");
        assert_eq!(rfc3339_utc(-1), "1969-12-31T23:59:59.999Z");
    }
}
