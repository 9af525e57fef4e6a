//! Untrusted text made safe to show, and fitted to terminal cells.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Removes control characters and terminal escape sequences (CSI, OSC, DCS,
/// APC, PM, SOS and two-byte ESC forms) from server text; tabs and newlines
/// become single spaces. Everything the server sends goes through this
/// before it reaches the screen, a log, or an export meant for a terminal.
pub fn sanitize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 CSI/OSC/DCS introducers, then the rest of the sequence.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\t' | '\n' | '\r' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c if c.is_control() => {}
            // Bidi overrides can reorder what the user sees; drop them.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // Two-byte escapes (ESC c, ESC 7, ESC ( B …): drop the next char; for
        // charset designators also the one after.
        Some('(' | ')' | '*' | '+' | '#' | '%') => {
            chars.next();
        }
        _ => {}
    }
}

/// CSI: parameter and intermediate bytes, then one final byte in 0x40..=0x7e.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// OSC/DCS/APC/PM/SOS: until BEL, ST (ESC \) or C1 ST.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// Display width in terminal cells (CJK is two cells wide).
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` cells, ending in `…` when cut. Never splits a
/// wide character across the limit.
pub fn truncate(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if width(s) <= max {
        return std::borrow::Cow::Borrowed(s);
    }
    if max == 0 {
        return std::borrow::Cow::Borrowed("");
    }
    let budget = max - 1; // room for the ellipsis
    let mut used = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        end = i + c.len_utf8();
    }
    std::borrow::Cow::Owned(format!("{}…", &s[..end]))
}

/// Pads or truncates to exactly `cells` cells.
pub fn fit(s: &str, cells: usize) -> String {
    let t = truncate(s, cells);
    let pad = cells.saturating_sub(width(&t));
    let mut out = String::with_capacity(t.len() + pad);
    out.push_str(&t);
    out.extend(std::iter::repeat_n(' ', pad));
    out
}

/// An http(s) address, by the one rule everyone uses (scheme case-insensitive,
/// surrounding blanks ignored).
pub(crate) fn is_url(s: &str) -> bool {
    let lower = s.trim().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first)
/// gets a leading `'`, so CSV opened in a spreadsheet shows it as text.
pub(crate) fn formula_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// "36.0 MB", "120 KB", "512 B" (decimal units, like file managers).
pub(crate) fn human_bytes(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} MB", n as f64 / 1_000_000.0)
    } else if n >= 1_000 {
        format!("{} KB", (n as f64 / 1_000.0).round() as u64)
    } else {
        format!("{n} B")
    }
}

/// Lower-case hex of `bytes` (e.g. a digest).
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xF)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escape_sequences_and_controls() {
        assert_eq!(sanitize("red\x1b[31mtext\x1b[0m"), "redtext");
        assert_eq!(sanitize("a\x1b]52;c;ZXZpbA==\x07b"), "ab");
        assert_eq!(
            sanitize("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b"),
            "alinkb"
        );
        assert_eq!(sanitize("a\x1bPq#0;2;0;0;0\x1b\\b"), "ab");
        assert_eq!(sanitize("bell\x07\x08\x00!"), "bell!");
        assert_eq!(sanitize("tab\there\r\nnext"), "tab here next");
        assert_eq!(sanitize("\u{9b}2Jx"), "x");
        assert_eq!(sanitize("abc\u{202e}def"), "abcdef");
        assert_eq!(sanitize("国潮男装t恤"), "国潮男装t恤");
        assert_eq!(sanitize("trailing\x1b"), "trailing");
        assert_eq!(sanitize("\x1b[1;2"), "");
    }

    #[test]
    fn truncates_by_display_width() {
        assert_eq!(width("国潮"), 4);
        assert_eq!(truncate("国潮男装", 5), "国潮…");
        assert_eq!(truncate("国潮男装", 8), "国潮男装");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(fit("国x", 5), "国x  ");
        assert_eq!(width(&fit("国潮男装", 5)), 5);
    }

    #[test]
    fn formula_safe_guards_only_formula_leaders() {
        assert_eq!(formula_safe("=1+1"), "'=1+1");
        assert_eq!(formula_safe("+1"), "'+1");
        assert_eq!(formula_safe("-1"), "'-1");
        assert_eq!(formula_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(formula_safe("a=b"), "a=b");
        assert_eq!(formula_safe(""), "");
    }

    #[test]
    fn human_bytes_reads_well() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(120_000), "120 KB");
        assert_eq!(human_bytes(36_000_054), "36.0 MB");
    }
}

/// A Unix time formatted in UTC (jiff's strftime); `?` outside jiff's range
/// of years (−9999 to 9999), which no stored time reaches.
fn utc_format(unix: i64, format: &str) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime(format).to_string())
        .unwrap_or_else(|_| "?".to_string())
}

/// A Unix time as "2026-11-23 14:02", in UTC.
pub fn utc_minute(unix: i64) -> String {
    utc_format(unix, "%Y-%m-%d %H:%M")
}

/// A Unix time as "2026-11-23", in UTC.
pub(crate) fn utc_day(unix: i64) -> String {
    utc_format(unix, "%Y-%m-%d")
}

/// "12 Nov" (UTC).
pub(crate) fn day_month(unix: i64) -> String {
    utc_format(unix, "%-d %b")
}

/// "12 Nov 2026 14:02" (UTC).
pub(crate) fn date_time(unix: i64) -> String {
    utc_format(unix, "%-d %b %Y %H:%M")
}

/// "20231114-221320" (UTC): a time in a file name, sorting by time.
pub fn file_stamp(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    utc_format(secs, "%Y%m%d-%H%M%S")
}

#[cfg(test)]
mod date_tests {
    #[test]
    fn dates_in_utc() {
        assert_eq!(super::utc_day(0), "1970-01-01");
        assert_eq!(super::date_time(1_700_000_000), "14 Nov 2023 22:13");
        assert_eq!(super::day_month(951_782_400), "29 Feb");
        assert_eq!(super::utc_day(-86_400), "1969-12-31");
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        assert_eq!(super::file_stamp(t), "20231114-221320");
        assert_eq!(super::file_stamp(std::time::UNIX_EPOCH), "19700101-000000");
        assert_eq!(super::utc_minute(-60), "1969-12-31 23:59");
        assert_eq!(
            super::utc_minute(1_731_369_600 + 14 * 3600 + 2 * 60 + 59),
            "2024-11-12 14:02"
        );
    }
}
