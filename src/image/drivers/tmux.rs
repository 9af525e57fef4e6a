//! tmux passthrough: tmux hands a graphics escape to the outer terminal only
//! when it comes wrapped as `ESC P tmux; … ESC \` with every ESC inside
//! doubled (and `allow-passthrough` is on). Cursor moves stay unwrapped, so
//! tmux itself moves its cursor to where the picture goes.

const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;

/// `bytes` with every APC (`ESC _`), DCS (`ESC P`) and OSC (`ESC ]`) string
/// wrapped for tmux's passthrough; everything else (CSI, `ESC 7`, `ESC 8`,
/// text) is copied as is.
///
/// An unterminated string at the end is dropped, not copied: our encoders
/// always close what they open, and an open APC or DCS would make tmux
/// swallow whatever is written after it as part of the string.
// Until `display` wraps its escapes with this (being wired there).
pub(in crate::image) fn passthrough(bytes: &[u8]) -> Vec<u8> {
    // Every wrapped ESC is doubled, plus the wrapper; kitty chunks have two
    // ESCs each, so this is close.
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 256 + 64);
    let mut i = 0;
    while i < bytes.len() {
        let kind = match (bytes[i], bytes.get(i + 1)) {
            (ESC, Some(b'_' | b'P')) => Some(false),
            (ESC, Some(b']')) => Some(true),
            _ => None,
        };
        let Some(bel_ends) = kind else {
            out.push(bytes[i]);
            i += 1;
            continue;
        };
        let Some(end) = string_end(bytes, i + 2, bel_ends) else {
            break;
        };
        out.extend_from_slice(b"\x1bPtmux;");
        for &b in &bytes[i..end] {
            if b == ESC {
                out.push(ESC);
            }
            out.push(b);
        }
        out.extend_from_slice(b"\x1b\\");
        i = end;
    }
    out
}

/// Index just past the terminator of the string whose body starts at
/// `from`: `ESC \`, or also BEL for OSC. `None` when it never ends.
fn string_end(bytes: &[u8], from: usize, bel_ends: bool) -> Option<usize> {
    let mut j = from;
    while j < bytes.len() {
        match bytes[j] {
            BEL if bel_ends => return Some(j + 1),
            ESC if bytes.get(j + 1) == Some(&b'\\') => return Some(j + 2),
            _ => j += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrap(inner: &[u8]) -> Vec<u8> {
        let mut w = b"\x1bPtmux;".to_vec();
        for &b in inner {
            if b == ESC {
                w.push(ESC);
            }
            w.push(b);
        }
        w.extend_from_slice(b"\x1b\\");
        w
    }

    /// Inside each wrapper (between `ESC P tmux;` and its final `ESC \`)
    /// ESCs come in pairs only.
    fn escs_doubled_inside_wrappers(out: &[u8]) -> bool {
        let mut rest = out;
        while let Some(at) = find(rest, b"\x1bPtmux;") {
            let body = &rest[at + 7..];
            let mut j = 0;
            loop {
                match (body.get(j), body.get(j + 1)) {
                    (Some(&ESC), Some(&ESC)) => j += 2,
                    // A lone ESC: the wrapper's own `ESC \`, or a bug.
                    (Some(&ESC), Some(b'\\')) => break,
                    (Some(&ESC), _) | (None, _) => return false,
                    _ => j += 1,
                }
            }
            rest = &body[j + 2..];
        }
        true
    }

    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).position(|w| w == needle)
    }

    #[test]
    fn a_kitty_chunk_is_wrapped_and_the_cursor_moves_are_not() {
        let kitty = b"\x1b_Gf=100,a=T,m=0;iVBORw0KGgo=\x1b\\";
        let mut input = b"\x1b7\x1b[5;5H".to_vec();
        input.extend_from_slice(kitty);
        input.extend_from_slice(b"\x1b8");
        let mut want = b"\x1b7\x1b[5;5H".to_vec();
        want.extend_from_slice(&wrap(kitty));
        want.extend_from_slice(b"\x1b8");
        assert_eq!(passthrough(&input), want);
        assert_eq!(
            wrap(kitty),
            b"\x1bPtmux;\x1b\x1b_Gf=100,a=T,m=0;iVBORw0KGgo=\x1b\x1b\\\x1b\\"
        );
    }

    #[test]
    fn every_chunk_of_a_kitty_picture_is_wrapped_on_its_own() {
        let chunks: [&[u8]; 3] = [
            b"\x1b_Gf=100,a=T,m=1;AAAA\x1b\\",
            b"\x1b_Gm=1;BBBB\x1b\\",
            b"\x1b_Gm=0;CC==\x1b\\",
        ];
        let mut input = b"\x1b7\x1b[1;1H".to_vec();
        let mut want = input.clone();
        for c in chunks {
            input.extend_from_slice(c);
            want.extend_from_slice(&wrap(c));
        }
        input.extend_from_slice(b"\x1b8");
        want.extend_from_slice(b"\x1b8");
        let out = passthrough(&input);
        assert_eq!(out, want);
        assert_eq!(out.windows(7).filter(|w| w == b"\x1bPtmux;").count(), 3);
        assert!(escs_doubled_inside_wrappers(&out));
    }

    #[test]
    fn an_iterm_osc_ends_at_bel() {
        let osc = b"\x1b]1337;File=inline=1;size=3;width=2;height=1:AAAA\x07";
        let mut input = b"\x1b7\x1b[3;1H".to_vec();
        input.extend_from_slice(osc);
        input.extend_from_slice(b"\x1b8after");
        let out = passthrough(&input);
        let mut want = b"\x1b7\x1b[3;1H".to_vec();
        want.extend_from_slice(&wrap(osc));
        want.extend_from_slice(b"\x1b8after");
        assert_eq!(out, want);
        assert!(escs_doubled_inside_wrappers(&out));
        // An OSC may also end with ST.
        let st = b"\x1b]8;;x\x1b\\";
        assert_eq!(passthrough(st), wrap(st));
    }

    #[test]
    fn a_sixel_dcs_is_wrapped() {
        let sixel = b"\x1bPq\"1;1;4;6#0;2;0;0;0#0~~~~-\x1b\\";
        let mut input = b"\x1b7\x1b[4;3H".to_vec();
        input.extend_from_slice(sixel);
        input.extend_from_slice(b"\x1b8");
        let out = passthrough(&input);
        assert!(out.starts_with(b"\x1b7\x1b[4;3H\x1bPtmux;\x1b\x1bPq\"1;1;4;6#0"));
        assert!(out.ends_with(b"-\x1b\x1b\\\x1b\\\x1b8"));
        assert!(escs_doubled_inside_wrappers(&out));
    }

    #[test]
    fn bytes_outside_sequences_are_unchanged() {
        let plain = "\x1b7\x1b[2;3H▀▀ text \x1b[38;2;1;2;3m\x1bc\x1b8".as_bytes();
        assert_eq!(passthrough(plain), plain);
        assert!(passthrough(b"").is_empty());
        // A trailing lone ESC is no string: copied.
        assert_eq!(passthrough(b"ab\x1b"), b"ab\x1b");
    }

    #[test]
    fn mixed_pictures_and_moves_keep_their_order() {
        let input = b"\x1b_Ga=d\x1b\\\x1b7\x1b[2;2H\x1b]1337;File=:QQ==\x07\x1b8\x1b7\x1b[9;9H\x1bPq#0~\x1b\\\x1b8";
        let out = passthrough(input);
        let mut want = wrap(b"\x1b_Ga=d\x1b\\");
        want.extend_from_slice(b"\x1b7\x1b[2;2H");
        want.extend_from_slice(&wrap(b"\x1b]1337;File=:QQ==\x07"));
        want.extend_from_slice(b"\x1b8\x1b7\x1b[9;9H");
        want.extend_from_slice(&wrap(b"\x1bPq#0~\x1b\\"));
        want.extend_from_slice(b"\x1b8");
        assert_eq!(out, want);
        assert!(escs_doubled_inside_wrappers(&out));
    }

    /// An unterminated string is dropped (see `passthrough`), with what came
    /// before it kept; nothing panics.
    #[test]
    fn an_unterminated_string_is_dropped() {
        assert_eq!(passthrough(b"\x1b7\x1b_Gm=0;AAAA"), b"\x1b7");
        assert_eq!(passthrough(b"\x1b]1337;File=:QQ"), b"");
        assert_eq!(passthrough(b"x\x1bP"), b"x");
        assert_eq!(passthrough(b"\x1b_G\x1b"), b"");
    }
}
