//! iTerm2 inline images (OSC 1337): show a PNG in a cell box. The picture
//! lives in the cells, so it goes away by painting them over.

use std::io::Write;

/// iTerm2 inline-image escape for a PNG (`b64` is its base64) sized to
/// `cols × rows` cells.
pub(in crate::image) fn write_iterm(
    out: &mut Vec<u8>,
    png_len: usize,
    b64: &str,
    cols: u16,
    rows: u16,
) -> std::io::Result<()> {
    write!(
        out,
        "\x1b]1337;File=inline=1;size={png_len};width={cols};height={rows};preserveAspectRatio=1:{b64}\x07"
    )
}
