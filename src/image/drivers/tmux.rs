//! tmux passthrough: tmux hands a graphics escape to the outer terminal only
//! when it comes wrapped as `ESC P tmux; … ESC \` with every ESC inside
//! doubled (and `allow-passthrough` is on). The outer terminal draws a
//! picture at *its* cursor, which tmux moves lazily: so a picture placed at
//! a position (`ESC 7`, a cursor move, the picture, `ESC 8`) goes through
//! whole, its cursor move shifted by where the pane starts.

const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;

/// `bytes` with every APC (`ESC _`), DCS (`ESC P`) and OSC (`ESC ]`) string
/// wrapped for tmux's passthrough; a placement (`ESC 7 ESC [ row ; col H`,
/// strings, `ESC 8`) wrapped whole with its position moved by `origin`
/// (the pane's column and row in the outer terminal); anything else (other
/// CSI, text) is copied as is.
///
/// An unterminated string at the end is dropped, not copied: our encoders
/// always close what they open, and an open APC or DCS would make tmux
/// swallow whatever is written after it as part of the string.
pub(in crate::image) fn passthrough(bytes: &[u8], origin: (u16, u16)) -> Vec<u8> {
    // Every wrapped ESC is doubled, plus the wrapper; kitty chunks have two
    // ESCs each, so this is close.
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 256 + 64);
    let mut i = 0;
    while i < bytes.len() {
        if let Some((end, placed)) = placement(bytes, i, origin) {
            wrap(&mut out, &placed);
            i = end;
            continue;
        }
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
        wrap(&mut out, &bytes[i..end]);
        i = end;
    }
    out
}

/// `ESC P tmux; <seq, every ESC doubled> ESC \`.
fn wrap(out: &mut Vec<u8>, seq: &[u8]) {
    out.extend_from_slice(b"\x1bPtmux;");
    for &b in seq {
        if b == ESC {
            out.push(ESC);
        }
        out.push(b);
    }
    out.extend_from_slice(b"\x1b\\");
}

/// A placement at `i`: `ESC 7 ESC [ row ; col H`, then strings, then
/// `ESC 8`. Answers where it ends and its bytes with the position moved by
/// `origin`; `None` when `bytes[i..]` is not one.
fn placement(bytes: &[u8], i: usize, origin: (u16, u16)) -> Option<(usize, Vec<u8>)> {
    let rest = bytes.get(i..)?.strip_prefix(b"\x1b7\x1b[")?;
    let h = rest.iter().position(|&b| b == b'H')?;
    let (row, col) = std::str::from_utf8(&rest[..h]).ok()?.split_once(';')?;
    let (row, col): (u32, u32) = (row.parse().ok()?, col.parse().ok()?);
    let mut j = i + 4 + h + 1;
    loop {
        match (bytes.get(j), bytes.get(j + 1)) {
            (Some(&ESC), Some(b'8')) => break,
            (Some(&ESC), Some(b'_' | b'P')) => j = string_end(bytes, j + 2, false)?,
            (Some(&ESC), Some(b']')) => j = string_end(bytes, j + 2, true)?,
            _ => return None,
        }
    }
    let mut placed = Vec::with_capacity(j + 2 - i + 16);
    placed.extend_from_slice(
        format!(
            "\x1b7\x1b[{};{}H",
            row + u32::from(origin.1),
            col + u32::from(origin.0)
        )
        .as_bytes(),
    );
    placed.extend_from_slice(&bytes[i + 4 + h + 1..j]);
    placed.extend_from_slice(b"\x1b8");
    Some((j + 2, placed))
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
    fn a_placement_goes_through_whole_at_the_panes_position() {
        let kitty = b"\x1b_Gf=100,a=T,m=0;iVBORw0KGgo=\x1b\\";
        let mut input = b"\x1b7\x1b[5;5H".to_vec();
        input.extend_from_slice(kitty);
        input.extend_from_slice(b"\x1b8");
        assert_eq!(passthrough(&input, (0, 0)), wrap(&input));
        // A pane at column 81, row 12 of the outer terminal.
        let mut moved = b"\x1b7\x1b[17;86H".to_vec();
        moved.extend_from_slice(kitty);
        moved.extend_from_slice(b"\x1b8");
        let out = passthrough(&input, (81, 12));
        assert_eq!(out, wrap(&moved));
        assert!(escs_doubled_inside_wrappers(&out));
        assert_eq!(
            wrap(kitty),
            b"\x1bPtmux;\x1b\x1b_Gf=100,a=T,m=0;iVBORw0KGgo=\x1b\x1b\\\x1b\\"
        );
    }

    #[test]
    fn every_chunk_of_a_kitty_picture_goes_in_its_placement() {
        let chunks: [&[u8]; 3] = [
            b"\x1b_Gf=100,a=T,m=1;AAAA\x1b\\",
            b"\x1b_Gm=1;BBBB\x1b\\",
            b"\x1b_Gm=0;CC==\x1b\\",
        ];
        let mut input = b"\x1b7\x1b[1;1H".to_vec();
        for c in chunks {
            input.extend_from_slice(c);
        }
        input.extend_from_slice(b"\x1b8");
        let out = passthrough(&input, (0, 0));
        assert_eq!(out, wrap(&input));
        assert_eq!(out.windows(7).filter(|w| w == b"\x1bPtmux;").count(), 1);
        assert!(escs_doubled_inside_wrappers(&out));
    }

    #[test]
    fn an_iterm_osc_ends_at_bel() {
        let osc = b"\x1b]1337;File=inline=1;size=3;width=2;height=1:AAAA\x07";
        let mut placed = b"\x1b7\x1b[3;1H".to_vec();
        placed.extend_from_slice(osc);
        placed.extend_from_slice(b"\x1b8");
        let mut input = placed.clone();
        input.extend_from_slice(b"after");
        let out = passthrough(&input, (0, 0));
        let mut want = wrap(&placed);
        want.extend_from_slice(b"after");
        assert_eq!(out, want);
        assert!(escs_doubled_inside_wrappers(&out));
        // An OSC may also end with ST.
        let st = b"\x1b]8;;x\x1b\\";
        assert_eq!(passthrough(st, (0, 0)), wrap(st));
    }

    #[test]
    fn a_sixel_dcs_is_wrapped() {
        let sixel = b"\x1bPq\"1;1;4;6#0;2;0;0;0#0~~~~-\x1b\\";
        let mut input = b"\x1b7\x1b[4;3H".to_vec();
        input.extend_from_slice(sixel);
        input.extend_from_slice(b"\x1b8");
        let out = passthrough(&input, (0, 0));
        assert!(out.starts_with(b"\x1bPtmux;\x1b\x1b7\x1b\x1b[4;3H\x1b\x1bPq\"1;1;4;6#0"));
        assert!(out.ends_with(b"-\x1b\x1b\\\x1b\x1b8\x1b\\"));
        assert!(escs_doubled_inside_wrappers(&out));
    }

    #[test]
    fn bytes_outside_sequences_are_unchanged() {
        let plain = "\x1b7\x1b[2;3H▀▀ text \x1b[38;2;1;2;3m\x1bc\x1b8".as_bytes();
        assert_eq!(passthrough(plain, (5, 5)), plain);
        assert!(passthrough(b"", (0, 0)).is_empty());
        // A trailing lone ESC is no string: copied.
        assert_eq!(passthrough(b"ab\x1b", (0, 0)), b"ab\x1b");
    }

    #[test]
    fn mixed_pictures_and_moves_keep_their_order() {
        let input = b"\x1b_Ga=d\x1b\\\x1b7\x1b[2;2H\x1b]1337;File=:QQ==\x07\x1b8\x1b7\x1b[9;9H\x1bPq#0~\x1b\\\x1b8";
        let out = passthrough(input, (0, 0));
        let mut want = wrap(b"\x1b_Ga=d\x1b\\");
        want.extend_from_slice(&wrap(b"\x1b7\x1b[2;2H\x1b]1337;File=:QQ==\x07\x1b8"));
        want.extend_from_slice(&wrap(b"\x1b7\x1b[9;9H\x1bPq#0~\x1b\\\x1b8"));
        assert_eq!(out, want);
        assert!(escs_doubled_inside_wrappers(&out));
    }

    /// An unterminated string is dropped (see `passthrough`), with what came
    /// before it kept; nothing panics.
    #[test]
    fn an_unterminated_string_is_dropped() {
        assert_eq!(passthrough(b"\x1b7\x1b_Gm=0;AAAA", (0, 0)), b"\x1b7");
        assert_eq!(passthrough(b"\x1b]1337;File=:QQ", (0, 0)), b"");
        assert_eq!(passthrough(b"x\x1bP", (0, 0)), b"x");
        assert_eq!(passthrough(b"\x1b_G\x1b", (0, 0)), b"");
        // A placement never closed: its strings dropped as above.
        assert_eq!(
            passthrough(b"\x1b7\x1b[1;1H\x1b_Gm=0;A\x1b\\", (0, 0)),
            b"\x1b7\x1b[1;1H\x1bPtmux;\x1b\x1b_Gm=0;A\x1b\x1b\\\x1b\\"
        );
    }
}
