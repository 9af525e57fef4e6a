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
