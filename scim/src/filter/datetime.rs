//! A small parser for `xsd:dateTime` / RFC 3339 timestamps, enough to order SCIM `dateTime`
//! values as instants without a date library.

/// Parses `YYYY-MM-DD[Thh:mm:ss[.fraction]][Z|±hh:mm]` into (seconds since the Unix epoch,
/// nanoseconds). A missing offset means UTC; a date alone means midnight. `None` when the text
/// is not such a timestamp or names an impossible date.
pub fn parse_date_time(s: &str) -> Option<(i64, u32)> {
    let b = s.as_bytes();
    let year = number(b, 0, 4)?;
    let month = number(b, 5, 2)?;
    let day = number(b, 8, 2)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !valid_date(year, month, day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if b.len() == 10 {
        return Some((days * 86_400, 0));
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let (secs, nanos, rest) = time_of_day(b, 11)?;
    let offset = utc_offset(&b[rest..])?;
    Some((days * 86_400 + secs - offset, nanos))
}

/// `hh:mm:ss[.fraction]` at `at`: (seconds into the day, nanoseconds, offset after it).
fn time_of_day(b: &[u8], at: usize) -> Option<(i64, u32, usize)> {
    let hour = number(b, at, 2)?;
    let minute = number(b, at + 3, 2)?;
    let second = number(b, at + 6, 2)?;
    if b.get(at + 2) != Some(&b':') || b.get(at + 5) != Some(&b':') {
        return None;
    }
    let mut end = at + 8;
    let mut nanos: u32 = 0;
    if b.get(end) == Some(&b'.') {
        let digits = b[end + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        for i in 0..9 {
            let d = if i < digits { b[end + 1 + i] - b'0' } else { 0 };
            nanos = nanos * 10 + u32::from(d);
        }
        end += 1 + digits;
    }
    let midnight = hour == 24 && minute == 0 && second == 0 && nanos == 0;
    if !(hour < 24 || midnight) || minute > 59 || second > 60 {
        return None;
    }
    Some((hour * 3600 + minute * 60 + second, nanos, end))
}

/// The UTC offset in seconds: empty, `Z`, or `±hh:mm`.
fn utc_offset(b: &[u8]) -> Option<i64> {
    match b {
        [] | [b'Z' | b'z'] => Some(0),
        [sign @ (b'+' | b'-'), ..] if b.len() == 6 && b[3] == b':' => {
            let hours = number(b, 1, 2)?;
            let minutes = number(b, 4, 2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * 3600 + minutes * 60;
            Some(if *sign == b'-' { -offset } else { offset })
        }
        _ => None,
    }
}

/// The decimal number in `b[at..at + len]`, all digits.
fn number(b: &[u8], at: usize, len: usize) -> Option<i64> {
    let digits = b.get(at..at + len)?;
    digits.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

/// Whether `year-month-day` exists in the proleptic Gregorian calendar.
fn valid_date(year: i64, month: i64, day: i64) -> bool {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

/// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_instants() {
        assert_eq!(parse_date_time("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(parse_date_time("1970-01-01"), Some((0, 0)));
        assert_eq!(
            parse_date_time("2011-05-13T04:42:34Z"),
            Some((1_305_261_754, 0))
        );
        assert_eq!(
            parse_date_time("2011-05-13T06:42:34.5+02:00"),
            Some((1_305_261_754, 500_000_000))
        );
        assert_eq!(
            parse_date_time("2011-05-12T23:42:34.123456789123-05:00"),
            Some((1_305_261_754, 123_456_789))
        );
        assert_eq!(
            parse_date_time("2000-02-29t00:00:00"),
            Some((951_782_400, 0))
        );
        assert_eq!(
            parse_date_time("1999-12-31T24:00:00Z"),
            parse_date_time("2000-01-01T00:00:00Z")
        );
        assert_eq!(parse_date_time("1969-12-31T23:59:59Z"), Some((-1, 0)));
    }

    #[test]
    fn rejects_non_instants() {
        for bad in [
            "",
            "2011",
            "2011-5-13T04:42:34Z",
            "2011-05-13X04:42:34Z",
            "2011-05-13T04:42Z",
            "2011-05-13T04:42:34.Z",
            "2011-05-13T04:42:34+0200",
            "2011-05-13T04:42:34ZZ",
            "2011-02-29T00:00:00Z",
            "2011-13-01T00:00:00Z",
            "2011-00-01T00:00:00Z",
            "2011-05-13T25:00:00Z",
            "2011-05-13T24:00:01Z",
            "2011-05-13T04:60:00Z",
            "2011-05-13T04:42:34+24:00",
            "２011-05-13T04:42:34Z",
            "not a date",
        ] {
            assert_eq!(parse_date_time(bad), None, "{bad}");
        }
    }
}
