//! An iCalendar (RFC 5545) feed of obligation deadlines: one all-day VEVENT
//! per obligation, with a reminder alarm, so a head of agency subscribes
//! once in any calendar application.

use chrono::{Days, NaiveDate, NaiveDateTime};

pub struct FeedEvent<'a> {
    /// Globally unique and stable across refreshes.
    pub uid: String,
    /// Raised each time the event's date changes (RFC 5545 3.8.7.4), so a
    /// subscribed calendar replaces the event it holds.
    pub sequence: i32,
    pub date: NaiveDate,
    pub summary: &'a str,
    pub description: &'a str,
}

/// Escapes TEXT values (RFC 5545 3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

pub fn feed(name: &str, stamp: NaiveDateTime, alarm_days: u32, events: &[FeedEvent]) -> String {
    let mut out = String::new();
    let mut line = |s: String| fold(&s, &mut out);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Sepakat//Kewajiban PKS//ID".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", escape(name)));
    line("X-WR-TIMEZONE:Asia/Jakarta".into());
    let dtstamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for e in events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", e.uid));
        line(format!("DTSTAMP:{dtstamp}"));
        line(format!("SEQUENCE:{}", e.sequence.max(0)));
        line(format!("DTSTART;VALUE=DATE:{}", e.date.format("%Y%m%d")));
        line(format!(
            "DTEND;VALUE=DATE:{}",
            (e.date + Days::new(1)).format("%Y%m%d")
        ));
        line(format!("SUMMARY:{}", escape(e.summary)));
        line(format!("DESCRIPTION:{}", escape(e.description)));
        line("TRANSP:TRANSPARENT".into());
        line("BEGIN:VALARM".into());
        line("ACTION:DISPLAY".into());
        line(format!("TRIGGER:-P{alarm_days}D"));
        line(format!("DESCRIPTION:{}", escape(e.summary)));
        line("END:VALARM".into());
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_is_crlf_folded_and_escaped() {
        let d = NaiveDate::from_ymd_opt(2026, 7, 14).unwrap();
        let stamp = d.and_hms_opt(1, 2, 3).unwrap();
        let long = "Laporan semester, Semester 1 Tahun 2026; PKS 400.12/2432/2025 — Dinas Koperasi Usaha Kecil dan Menengah Kabupaten Purbalingga";
        let ics = feed(
            "Kewajiban PKS",
            stamp,
            7,
            &[FeedEvent {
                uid: "1-report:2026:1@sepakat".into(),
                sequence: 2,
                date: d,
                summary: long,
                description: "baris satu\nbaris dua",
            }],
        );
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("DTSTART;VALUE=DATE:20260714\r\n"));
        assert!(ics.contains("DTEND;VALUE=DATE:20260715\r\n"));
        assert!(ics.contains("TRIGGER:-P7D\r\n"));
        assert!(ics.contains("SEQUENCE:2\r\n"));
        assert!(ics.contains("DESCRIPTION:baris satu\\nbaris dua\r\n"));
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "{l}");
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("SUMMARY:Laporan semester\\, Semester 1 Tahun 2026\\; PKS"));
        assert!(unfolded.contains("Kabupaten Purbalingga"));
    }
}
