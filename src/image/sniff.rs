//! Which picture format a file holds, from its first bytes (never its name).

use std::fmt;

use image::ImageFormat;

use super::decoded::ImageError;

/// Container formats recognised from magic bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    Jpeg,
    Png,
    Webp,
    Gif,
    Bmp,
    Tiff,
    /// Recognisably an image, but one we cannot decode (HEIC, AVIF, ICO, …).
    Other(String),
}

impl SourceFormat {
    /// Short upper-case name for messages and summaries.
    pub fn name(&self) -> &str {
        match self {
            SourceFormat::Jpeg => "JPEG",
            SourceFormat::Png => "PNG",
            SourceFormat::Webp => "WEBP",
            SourceFormat::Gif => "GIF",
            SourceFormat::Bmp => "BMP",
            SourceFormat::Tiff => "TIFF",
            SourceFormat::Other(name) => name,
        }
    }

    /// The same format as the API would accept it verbatim, if it does.
    pub(crate) fn as_wire(&self) -> Option<WireFormat> {
        match self {
            SourceFormat::Jpeg => Some(WireFormat::Jpeg),
            SourceFormat::Png => Some(WireFormat::Png),
            SourceFormat::Webp => Some(WireFormat::Webp),
            _ => None,
        }
    }

    pub(super) fn image_format(&self) -> Option<ImageFormat> {
        match self {
            SourceFormat::Jpeg => Some(ImageFormat::Jpeg),
            SourceFormat::Png => Some(ImageFormat::Png),
            SourceFormat::Webp => Some(ImageFormat::WebP),
            SourceFormat::Gif => Some(ImageFormat::Gif),
            SourceFormat::Bmp => Some(ImageFormat::Bmp),
            SourceFormat::Tiff => Some(ImageFormat::Tiff),
            SourceFormat::Other(_) => None,
        }
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Detect an image format from the first bytes of a file (32 are plenty).
///
/// Content only, never the file name: a text file called `x.jpg` is `None`.
pub fn sniff(bytes: &[u8]) -> Option<SourceFormat> {
    let b = bytes;
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(SourceFormat::Jpeg);
    }
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(SourceFormat::Png);
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Some(SourceFormat::Gif);
    }
    if b.len() >= 12 && b.starts_with(b"RIFF") && &b[8..12] == b"WEBP" {
        return Some(SourceFormat::Webp);
    }
    if b.starts_with(b"II*\0") || b.starts_with(b"MM\0*") {
        return Some(SourceFormat::Tiff);
    }
    if b.starts_with(b"BM") && b.len() >= 18 {
        // "BM" alone is too weak (plain text can start with it): require a
        // known DIB header size at offset 14.
        let dib = u32::from_le_bytes([b[14], b[15], b[16], b[17]]);
        if matches!(dib, 12 | 16 | 40 | 52 | 56 | 64 | 108 | 124) {
            return Some(SourceFormat::Bmp);
        }
        return None;
    }
    // Recognised but undecodable: name them so the user learns why.
    if b.len() >= 12 && &b[4..8] == b"ftyp" {
        let brand = &b[8..12];
        let name = match brand {
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => "HEIC",
            b"avif" | b"avis" => "AVIF",
            _ => return None,
        };
        return Some(SourceFormat::Other(name.to_owned()));
    }
    if b.starts_with(b"II+\0") || b.starts_with(b"MM\0+") {
        return Some(SourceFormat::Other("BigTIFF".to_owned()));
    }
    if b.starts_with(&[0xFF, 0x0A]) || b.starts_with(b"\0\0\0\x0cJXL \r\n\x87\n") {
        return Some(SourceFormat::Other("JPEG XL".to_owned()));
    }
    if b.starts_with(b"8BPS") {
        return Some(SourceFormat::Other("PSD".to_owned()));
    }
    if b.starts_with(&[0, 0, 1, 0]) && b.len() >= 6 && b[4] != 0 {
        return Some(SourceFormat::Other("ICO".to_owned()));
    }
    if b.starts_with(b"qoif") {
        return Some(SourceFormat::Other("QOI".to_owned()));
    }
    None
}

/// Formats the upload API accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WireFormat {
    Jpeg,
    Png,
    Webp,
}

impl WireFormat {
    pub fn name(self) -> &'static str {
        match self {
            WireFormat::Jpeg => "JPEG",
            WireFormat::Png => "PNG",
            WireFormat::Webp => "WEBP",
        }
    }
}

impl fmt::Display for WireFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Empty / not an image / unsupported, from the content alone.
pub(super) fn identify(bytes: &[u8]) -> Result<SourceFormat, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    match sniff(bytes) {
        Some(SourceFormat::Other(name)) => Err(ImageError::Unsupported { format: name }),
        Some(format) => Ok(format),
        None => Err(ImageError::NotAnImage {
            reason: if looks_like_text(bytes) {
                "the file contains text".to_owned()
            } else {
                "its contents are not a known picture format".to_owned()
            },
        }),
    }
}

fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    std::str::from_utf8(head).is_ok_and(|s| {
        s.chars()
            .all(|c| !c.is_control() || c.is_ascii_whitespace())
    }) || head
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
}

/// Whether a file name says it is a picture (before its bytes are read).
pub(crate) fn looks_like_image(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".avif", ".heic",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::test_pictures::{encode, smooth_rgb};
    use image::DynamicImage;

    #[test]
    fn sniff_recognises_formats_from_a_short_prefix() {
        let img = DynamicImage::ImageRgb8(smooth_rgb(8, 8));
        for (fmt, want) in [
            (ImageFormat::Png, SourceFormat::Png),
            (ImageFormat::Jpeg, SourceFormat::Jpeg),
            (ImageFormat::WebP, SourceFormat::Webp),
            (ImageFormat::Gif, SourceFormat::Gif),
            (ImageFormat::Bmp, SourceFormat::Bmp),
            (ImageFormat::Tiff, SourceFormat::Tiff),
        ] {
            let bytes = encode(&img, fmt);
            assert_eq!(sniff(&bytes[..32]), Some(want.clone()), "{fmt:?}");
        }
        assert_eq!(sniff(b"hello world, this is text"), None);
        assert_eq!(sniff(b"BMW is a car, not a bitmap file"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(
            sniff(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Some(SourceFormat::Other("HEIC".into()))
        );
    }
}
