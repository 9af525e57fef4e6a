//! Kitty graphics protocol: show a PNG in a cell box, and delete pictures.

use std::io::Write;

/// Kitty wants base64 payloads in chunks of at most 4096 bytes.
pub(in crate::image) const KITTY_CHUNK: usize = 4096;

/// Kitty transmit+display (a=T) of a PNG (f=100), chunked. q=2 silences
/// replies that would otherwise arrive on stdin as bogus key presses; C=1
/// keeps the cursor still.
pub(in crate::image) fn write_kitty(
    out: &mut Vec<u8>,
    b64: &str,
    cols: u16,
    rows: u16,
) -> std::io::Result<()> {
    let chunks: Vec<&[u8]> = b64.as_bytes().chunks(KITTY_CHUNK).collect();
    let last = chunks.len().saturating_sub(1);
    for (i, chunk) in chunks.iter().enumerate() {
        let more = u8::from(i < last);
        if i == 0 {
            write!(
                out,
                "\x1b_Gf=100,a=T,t=d,q=2,C=1,c={cols},r={rows},m={more};"
            )?;
        } else {
            write!(out, "\x1b_Gm={more};")?;
        }
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\x1b\\");
    }
    Ok(())
}

/// Erase every kitty image placement (when the picture's area goes away).
pub(in crate::image) fn delete_all() -> &'static [u8] {
    b"\x1b_Ga=d\x1b\\"
}

/// Frees a picture the terminal keeps under `id` (its placements and its
/// data), when the display's bound of kept pictures evicts it.
pub(in crate::image) fn free(out: &mut Vec<u8>, id: u32) {
    let _ = write!(out, "\x1b_Ga=d,d=I,i={id},q=2\x1b\\");
}

/// Erases every picture and the data the terminal keeps for them (at the
/// end: kitty keeps pictures past the alternate screen).
pub(in crate::image) fn free_all() -> &'static [u8] {
    b"\x1b_Ga=d,d=A,q=2\x1b\\"
}

/// The first chunk's header of a transmit+display that [`write_kitty`]
/// wrote after the cursor moved: where (`ESC 7 ESC [row;colH`), and the
/// header up to its `;`.
struct Transmit<'a> {
    /// Save the cursor and move it: `ESC 7 ESC [ row ; col H`.
    cursor: &'a [u8],
    cols: u16,
    rows: u16,
    /// The bytes from `ESC _G` on.
    rest: &'a [u8],
}

fn parse(picture: &[u8]) -> Option<Transmit<'_>> {
    let start = picture.strip_prefix(b"\x1b7\x1b[")?;
    let h = start.iter().position(|&b| b == b'H')?;
    let cursor = &picture[..2 + 2 + h + 1];
    let rest = &start[h + 1..];
    let header = rest.strip_prefix(b"\x1b_G")?;
    let end = header.iter().position(|&b| b == b';')?;
    let header = std::str::from_utf8(&header[..end]).ok()?;
    if !header.split(',').any(|kv| kv == "a=T") {
        return None;
    }
    let value = |key: &str| {
        header
            .split(',')
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
    };
    Some(Transmit {
        cursor,
        cols: value("c")?,
        rows: value("r")?,
        rest,
    })
}

/// `picture` (escapes from [`write_kitty`] after a cursor move) sent under
/// image id `id`, so that it can be placed again without sending it again.
/// `None` when the bytes are not such a picture.
pub(in crate::image) fn with_id(picture: &[u8], id: u32) -> Option<Vec<u8>> {
    let t = parse(picture)?;
    let mut out = Vec::with_capacity(picture.len() + 16);
    out.extend_from_slice(t.cursor);
    out.extend_from_slice(b"\x1b_G");
    let _ = write!(out, "i={id},");
    out.extend_from_slice(&t.rest[3..]);
    Some(out)
}

/// The escapes that place the picture sent under `id` where `picture`
/// would draw it: the cursor moved the same way, and the same cell box.
pub(in crate::image) fn placement(picture: &[u8], id: u32) -> Option<Vec<u8>> {
    let t = parse(picture)?;
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(t.cursor);
    let _ = write!(
        out,
        "\x1b_Ga=p,i={id},q=2,C=1,c={},r={}\x1b\\\x1b8",
        t.cols, t.rows
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture() -> Vec<u8> {
        let mut out = b"\x1b7\x1b[3;5H".to_vec();
        let b64 = "A".repeat(KITTY_CHUNK + 10);
        write_kitty(&mut out, &b64, 12, 6).unwrap();
        out.extend_from_slice(b"\x1b8");
        out
    }

    #[test]
    fn a_picture_is_sent_under_an_id_then_placed_by_it() {
        let p = picture();
        let sent = with_id(&p, 7).unwrap();
        assert!(sent.starts_with(b"\x1b7\x1b[3;5H\x1b_Gi=7,f=100,a=T,"));
        assert_eq!(sent.len(), p.len() + "i=7,".len());
        let placed = placement(&p, 7).unwrap();
        assert_eq!(
            placed,
            b"\x1b7\x1b[3;5H\x1b_Ga=p,i=7,q=2,C=1,c=12,r=6\x1b\\\x1b8".to_vec()
        );
        assert!(placed.len() < 64, "a placement is a few bytes");
        assert_eq!(with_id(b"not a picture", 1), None);
        assert_eq!(placement(b"\x1b7\x1b[1;1H\x1b_Ga=d;\x1b\\", 1), None);
        let mut freed = Vec::new();
        free(&mut freed, 7);
        assert_eq!(freed, b"\x1b_Ga=d,d=I,i=7,q=2\x1b\\");
    }
}
