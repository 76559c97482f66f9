//! Go's `time` layouts as notation prints them in messages.

use chrono::{DateTime, TimeZone, Utc};

/// Go's `time.RFC1123Z` layout (`Mon, 02 Jan 2006 15:04:05 -0700`) in the time's own offset.
pub fn rfc1123z<Tz: TimeZone>(t: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    t.format("%a, %d %b %Y %H:%M:%S %z").to_string()
}

/// Go's `time.Time.String()` for a UTC time (`2006-01-02 15:04:05.999999999 +0000 UTC`), used
/// in CRL messages.
pub(crate) fn time_string(t: DateTime<Utc>) -> String {
    let base = t.format("%Y-%m-%d %H:%M:%S").to_string();
    let nanos = t.timestamp_subsec_nanos();
    let frac = if nanos == 0 {
        String::new()
    } else {
        let digits = format!(".{nanos:09}");
        digits.trim_end_matches('0').to_string()
    };
    format!("{base}{frac} +0000 UTC")
}

/// A Kubernetes `metav1.Duration` as the Flux CRDs admit it (`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`,
/// e.g. `60s`, `1m30s`, `1.5h`), read as Go's `time.ParseDuration` reads it. The error is Go's.
pub(crate) fn parse_crd_duration(text: &str) -> Result<std::time::Duration, String> {
    let invalid = || format!("time: invalid duration {}", super::quote::go_quote(text));
    let mut rest = text;
    let mut total = 0f64;
    if rest.is_empty() {
        return Err(invalid());
    }
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(invalid)?;
        let (number, tail) = rest.split_at(number_len);
        if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        let (unit, scale) = if let Some(t) = tail.strip_prefix("ms") {
            (t, 0.001)
        } else if let Some(t) = tail.strip_prefix('s') {
            (t, 1.0)
        } else if let Some(t) = tail.strip_prefix('m') {
            (t, 60.0)
        } else if let Some(t) = tail.strip_prefix('h') {
            (t, 3600.0)
        } else {
            return Err(invalid());
        };
        total += value * scale;
        rest = unit;
    }
    std::time::Duration::try_from_secs_f64(total).map_err(|_| invalid())
}

/// Go's `time.Duration.String()`: `2s`, `1m30s`, `1h0m0s`, `500ms`, `1.5s`.
pub(crate) fn go_duration(duration: std::time::Duration) -> String {
    let nanos = duration.as_nanos();
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < 1_000_000_000 {
        let (unit, scale) = if nanos < 1_000 {
            ("ns", 1)
        } else if nanos < 1_000_000 {
            ("\u{b5}s", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{}{unit}", decimal(nanos, scale));
    }
    let hours = nanos / 3_600_000_000_000;
    let minutes = nanos / 60_000_000_000 % 60;
    let seconds = format!("{}s", decimal(nanos % 60_000_000_000, 1_000_000_000));
    if hours > 0 {
        format!("{hours}h{minutes}m{seconds}")
    } else if minutes > 0 {
        format!("{minutes}m{seconds}")
    } else {
        seconds
    }
}

/// `value / scale` in decimal without trailing zeros (`scale` a power of ten).
fn decimal(value: u128, scale: u128) -> String {
    let whole = value / scale;
    let fraction = value % scale;
    if fraction == 0 {
        return whole.to_string();
    }
    let width = scale.to_string().len() - 1;
    let digits = format!("{fraction:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn crd_durations() {
        use std::time::Duration;
        assert_eq!(parse_crd_duration("60s").unwrap(), Duration::from_secs(60));
        assert_eq!(
            parse_crd_duration("1m30s").unwrap(),
            Duration::from_secs(90)
        );
        assert_eq!(
            parse_crd_duration("500ms").unwrap(),
            Duration::from_millis(500)
        );
        assert_eq!(
            parse_crd_duration("1.5h").unwrap(),
            Duration::from_secs(5400)
        );
        assert_eq!(
            parse_crd_duration("10").unwrap_err(),
            "time: invalid duration \"10\""
        );
        assert!(parse_crd_duration("").is_err());
        assert!(parse_crd_duration("5d").is_err());
        assert!(parse_crd_duration(".5s").is_err());
    }

    #[test]
    fn durations_print_like_go() {
        use std::time::Duration;
        assert_eq!(go_duration(Duration::ZERO), "0s");
        assert_eq!(go_duration(Duration::from_secs(2)), "2s");
        assert_eq!(go_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(go_duration(Duration::from_secs(60)), "1m0s");
        assert_eq!(go_duration(Duration::from_secs(3600)), "1h0m0s");
        assert_eq!(go_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(go_duration(Duration::from_micros(1500)), "1.5ms");
        assert_eq!(go_duration(Duration::from_nanos(1500)), "1.5\u{b5}s");
    }

    #[test]
    fn rfc1123z_like_go() {
        let t = DateTime::parse_from_rfc3339("2099-09-18T11:54:34Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(rfc1123z(&t), "Fri, 18 Sep 2099 11:54:34 +0000");
        let east = t.with_timezone(&FixedOffset::east_opt(5 * 3600 + 1800).unwrap());
        assert_eq!(rfc1123z(&east), "Fri, 18 Sep 2099 17:24:34 +0530");
        let t = DateTime::parse_from_rfc3339("2024-01-02T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(rfc1123z(&t), "Tue, 02 Jan 2024 00:00:00 +0000");
    }

    #[test]
    fn time_strings() {
        let t = DateTime::<Utc>::from_timestamp(1_703_505_600, 0).unwrap();
        assert_eq!(time_string(t), "2023-12-25 12:00:00 +0000 UTC");
        let t = DateTime::<Utc>::from_timestamp(1_703_505_600, 120_000_000).unwrap();
        assert_eq!(time_string(t), "2023-12-25 12:00:00.12 +0000 UTC");
    }
}
