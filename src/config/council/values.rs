//! The values a council's file holds, read as a person writes them: UK phone
//! numbers, email and web addresses, postcodes, times on the 24-hour clock and days
//! of the week. Uses `domains`.

use crate::support::domains;

use super::Phone;

/// A UK phone number, checked and tidied; `None` if it is not one. It may be written
/// with spaces, hyphens or brackets, and with +44 in place of the first 0.
pub fn phone(written: &str) -> Option<Phone> {
    if !written
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+'))
    {
        return None;
    }
    let digits: String = written.chars().filter(char::is_ascii_digit).collect();
    let national = match written.trim_start().strip_prefix('+') {
        Some(_) => {
            let rest = digits.strip_prefix("44")?;
            format!("0{}", rest.strip_prefix('0').unwrap_or(rest))
        }
        None => digits,
    };
    let valid = match national.len() {
        // 999, 111, 119
        3 => matches!(national.as_str(), "999" | "111" | "119"),
        // Helplines of social value: 116 123.
        6 => national.starts_with("116"),
        10 | 11 => national.starts_with('0') && !national.starts_with("00"),
        _ => false,
    };
    valid.then(|| Phone {
        display: written.split_whitespace().collect::<Vec<_>>().join(" "),
        tel: national,
    })
}

/// Whether `written` looks like an email address: one `@`, a name before it and a
/// domain with a dot after it, and no spaces.
pub fn is_email_address(written: &str) -> bool {
    let Some((name, domain)) = written.split_once('@') else {
        return false;
    };
    !name.is_empty()
        && !name.contains(char::is_whitespace)
        && !name.contains(['<', '>', '(', ')', ',', ';', ':', '"', '@'])
        && domains::is_domain(domain)
}

/// What is wrong with a web address for people to visit, if anything.
pub fn web_address_problem(written: &str) -> Option<&'static str> {
    let Some(rest) = written
        .strip_prefix("https://")
        .or_else(|| written.strip_prefix("http://"))
    else {
        return Some("does not start with https://");
    };
    if written.contains(char::is_whitespace) {
        return Some("has a space in it");
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(host, _port)| host);
    let host_ok = host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    (!host_ok).then_some("has no site name, such as www.example.gov.uk")
}

/// A UK postcode written in capitals with one space before its last 3 characters;
/// `None` if it is not a postcode's shape.
pub fn postcode(written: &str) -> Option<String> {
    let compact: String = written
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
        return None;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let inward_ok = {
        let b = inward.as_bytes();
        b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
    };
    let letters = outward.bytes().take_while(u8::is_ascii_alphabetic).count();
    let rest = &outward.as_bytes()[letters..];
    let outward_ok = (1..=2).contains(&letters)
        && match rest {
            [d] => d.is_ascii_digit(),
            [d, x] => d.is_ascii_digit() && x.is_ascii_alphanumeric(),
            _ => false,
        };
    (inward_ok && outward_ok).then(|| format!("{outward} {inward}"))
}

/// Minutes after midnight for a time written `HH:MM` on the 24-hour clock;
/// `24:00` is the end of the day.
pub fn minutes(written: &str) -> Option<u32> {
    let (hours, mins) = written.split_once(':')?;
    if hours.len() != 2 || mins.len() != 2 {
        return None;
    }
    let (hours, mins): (u32, u32) = (hours.parse().ok()?, mins.parse().ok()?);
    let valid = (hours < 24 && mins < 60) || (hours == 24 && mins == 0);
    valid.then_some(hours * 60 + mins)
}

/// An opening in words, from its days, its hours (minutes after midnight) and its
/// description, each if it has them: "Monday to Friday, 9am to 5pm".
pub fn opening_in_words(
    days: Option<String>,
    hours: Option<(u32, u32)>,
    description: Option<String>,
) -> Option<String> {
    let hours = hours.map(|(opens, closes)| format!("{} to {}", clock(opens), clock(closes)));
    let words: Vec<String> = [days, hours, description].into_iter().flatten().collect();
    (!words.is_empty()).then(|| words.join(", "))
}

/// A time as people say it: "9am", "5:30pm", "midday", "midnight".
pub fn clock(minutes: u32) -> String {
    let (hours, mins) = (minutes / 60, minutes % 60);
    match (hours, mins) {
        (0 | 24, 0) => "midnight".into(),
        (12, 0) => "midday".into(),
        _ => {
            let suffix = if (12..24).contains(&hours) {
                "pm"
            } else {
                "am"
            };
            let hour = match hours % 12 {
                0 => 12,
                h => h,
            };
            if mins == 0 {
                format!("{hour}{suffix}")
            } else {
                format!("{hour}:{mins:02}{suffix}")
            }
        }
    }
}

const DAYS: [(&str, &str); 7] = [
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
];

/// Days written as in Open Referral UK's `byday` ("MO,TU,WE,TH,FR"), in words:
/// "Monday to Friday". `None` if a day is not one of the seven.
pub fn days_in_words(written: &str) -> Option<String> {
    let mut on = [false; 7];
    for code in written.split(',').map(str::trim) {
        let index = DAYS
            .iter()
            .position(|(short, _)| short.eq_ignore_ascii_case(code))?;
        on[index] = true;
    }
    if on.iter().all(|day| *day) {
        return Some("every day".into());
    }
    // Runs of 3 or more days in a row read as "Monday to Friday".
    let mut parts = Vec::new();
    let mut index = 0;
    while index < 7 {
        if !on[index] {
            index += 1;
            continue;
        }
        let start = index;
        while index < 7 && on[index] {
            index += 1;
        }
        let end = index - 1;
        match end - start {
            0 => parts.push(DAYS[start].1.to_owned()),
            1 => {
                parts.push(DAYS[start].1.to_owned());
                parts.push(DAYS[end].1.to_owned());
            }
            _ => parts.push(format!("{} to {}", DAYS[start].1, DAYS[end].1)),
        }
    }
    Some(match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => return None,
    })
}
