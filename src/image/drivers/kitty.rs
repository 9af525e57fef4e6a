//! Kitty graphics protocol: send a PNG under an image id, place it in a
//! cell box (as many times as it appears, each placement with its own id),
//! delete placements, and free what the terminal keeps.
//!
//! Every command says `q=2` (replies would arrive on stdin as bogus key
//! presses) and every placement `C=1` (the cursor stays still).

use std::io::Write;

/// Kitty wants base64 payloads in chunks of at most 4096 bytes.
pub(in crate::image) const KITTY_CHUNK: usize = 4096;

/// Transmit+display (a=T) of a PNG (f=100) at the cursor, chunked, with no
/// id (the one-shot form, for tests of the escapes' shape).
#[cfg(test)]
pub(in crate::image) fn write_kitty(
    out: &mut Vec<u8>,
    b64: &[u8],
    cols: u16,
    rows: u16,
) -> std::io::Result<()> {
    chunked(
        out,
        b64,
        &format!("f=100,a=T,t=d,q=2,C=1,c={cols},r={rows}"),
    )
}

/// Sends a PNG (`b64` is its base64) under image `id`: placed at the cursor
/// as placement `place.0` in a `place.1 × place.2` cell box, or only stored
/// (a=t) when `place` is `None`, to be placed later without sending it.
pub(in crate::image) fn transmit(
    out: &mut Vec<u8>,
    b64: &[u8],
    id: u32,
    place: Option<(u32, u16, u16)>,
) {
    let header = match place {
        Some((pid, cols, rows)) => {
            format!("i={id},p={pid},f=100,a=T,t=d,q=2,C=1,c={cols},r={rows}")
        }
        None => format!("i={id},f=100,a=t,t=d,q=2"),
    };
    let _ = chunked(out, b64, &header);
}

fn chunked(out: &mut Vec<u8>, b64: &[u8], header: &str) -> std::io::Result<()> {
    let chunks: Vec<&[u8]> = b64.chunks(KITTY_CHUNK).collect();
    let last = chunks.len().saturating_sub(1);
    if chunks.is_empty() {
        write!(out, "\x1b_G{header},m=0;\x1b\\")?;
    }
    for (i, chunk) in chunks.iter().enumerate() {
        let more = u8::from(i < last);
        if i == 0 {
            write!(out, "\x1b_G{header},m={more};")?;
        } else {
            write!(out, "\x1b_Gm={more};")?;
        }
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\x1b\\");
    }
    Ok(())
}

/// Sends a picture to lie over the others (z=1) at the cursor under image
/// `id`, placed once as placement `pid` in a `cols × rows` cell box: crop
/// mode's box over its picture.
pub(in crate::image) fn transmit_over(
    out: &mut Vec<u8>,
    b64: &[u8],
    id: u32,
    pid: u32,
    cols: u16,
    rows: u16,
) {
    let header = format!("i={id},p={pid},f=100,a=T,t=d,q=2,C=1,z=1,c={cols},r={rows}");
    let _ = chunked(out, b64, &header);
}

/// Places the picture the terminal keeps under `id` at the cursor, as
/// placement `pid` in a `cols × rows` cell box: a few dozen bytes.
pub(in crate::image) fn place(out: &mut Vec<u8>, id: u32, pid: u32, cols: u16, rows: u16) {
    let _ = write!(
        out,
        "\x1b_Ga=p,i={id},p={pid},q=2,C=1,c={cols},r={rows}\x1b\\"
    );
}

/// Deletes one placement; the picture's data stays for the next placement.
pub(in crate::image) fn delete_placement(out: &mut Vec<u8>, id: u32, pid: u32) {
    let _ = write!(out, "\x1b_Ga=d,d=i,i={id},p={pid},q=2\x1b\\");
}

/// Deletes every placement on screen (after a resize, when what was where
/// is not known); the pictures' data stays.
pub(in crate::image) fn delete_all() -> &'static [u8] {
    b"\x1b_Ga=d,q=2\x1b\\"
}

/// Frees a picture the terminal keeps under `id` (its placements and its
/// data), when the display's bound of kept pictures is reached. kitty
/// frees with it every picture that has no placement (0.26, seen here).
pub(in crate::image) fn free(out: &mut Vec<u8>, id: u32) {
    let _ = write!(out, "\x1b_Ga=d,d=I,i={id},q=2\x1b\\");
}

/// Erases every picture and the data the terminal keeps for them (at the
/// end: kitty keeps pictures past the alternate screen).
pub(in crate::image) fn free_all() -> &'static [u8] {
    b"\x1b_Ga=d,d=A,q=2\x1b\\"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_is_sent_under_an_id_then_placed_by_it() {
        let b64 = vec![b'A'; KITTY_CHUNK + 10];
        let mut sent = Vec::new();
        transmit(&mut sent, &b64, 7, Some((2, 12, 6)));
        let text = String::from_utf8(sent).unwrap();
        assert!(
            text.starts_with("\x1b_Gi=7,p=2,f=100,a=T,t=d,q=2,C=1,c=12,r=6,m=1;AAAA"),
            "{text:.60}"
        );
        assert!(text.contains("\x1b\\\x1b_Gm=0;AAAAAAAAAA\x1b\\"));
        let mut stored = Vec::new();
        transmit(&mut stored, b"QUJD", 8, None);
        assert_eq!(stored, b"\x1b_Gi=8,f=100,a=t,t=d,q=2,m=0;QUJD\x1b\\");
        let mut placed = Vec::new();
        place(&mut placed, 7, 3, 12, 6);
        assert_eq!(placed, b"\x1b_Ga=p,i=7,p=3,q=2,C=1,c=12,r=6\x1b\\");
        let mut gone = Vec::new();
        delete_placement(&mut gone, 7, 3);
        assert_eq!(gone, b"\x1b_Ga=d,d=i,i=7,p=3,q=2\x1b\\");
        let mut freed = Vec::new();
        free(&mut freed, 7);
        assert_eq!(freed, b"\x1b_Ga=d,d=I,i=7,q=2\x1b\\");
    }
}
