//! Request text that reaches a log line or an error message: control
//! characters (terminal escapes) replaced, length cut.

/// At most `max_chars` characters of `s`, with every control character
/// (C0, DEL, C1) shown as `?` and a `…` where it was cut.
pub fn clean(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_chars * 4));
    for (i, c) in s.chars().enumerate() {
        if i == max_chars {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { '?' } else { c });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn controls_replaced_and_cut() {
        assert_eq!(clean("a\u{1b}[31mb\u{7}\u{9b}", 20), "a?[31mb??");
        assert_eq!(clean("图搜图搜", 2), "图搜…");
        assert_eq!(clean("ok", 2), "ok");
    }
}
