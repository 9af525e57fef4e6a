//! Turning a user's picture into bytes the 1688 image-search upload accepts.
//!
//! The API takes JPEG/PNG/WEBP of at most 3 MiB and works best on ~100–250 KB
//! pictures, so by default we downscale and re-encode; anything we re-encode
//! becomes a JPEG (alpha flattened onto white) fitted under the byte budget.

use std::fmt;
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};
use md5::{Digest, Md5};

/// Largest upload the image-search API accepts.
pub const MAX_UPLOAD_BYTES: usize = 3 * 1024 * 1024;

/// Compact mode sends a small source untouched when it is at most this big.
const COMPACT_PASSTHROUGH_BYTES: usize = 250 * 1000;
/// Compact re-encodes aim below this (1688 matches just as well on small images).
const COMPACT_SOFT_MAX_BYTES: usize = 300 * 1000;
const COMPACT_QUALITY: u8 = 85;
/// When converting in Original mode we still cap the edge: more pixels than
/// this only cost upload time, the search does not use them.
const ORIGINAL_MAX_EDGE: u32 = 4096;
const ORIGINAL_QUALITY: u8 = 92;
/// Never search below this quality; shrink the picture instead.
const MIN_QUALITY: u8 = 50;
const SHRINK_MAX_EDGE: u32 = 640;
const SHRINK_TARGET_BYTES: usize = 100 * 1000;
/// Smallest edge the fitting loop will go down to before giving up.
const MIN_EDGE: u32 = 16;

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

    /// Whether `prepare` can decode this format.
    pub fn is_supported(&self) -> bool {
        !matches!(self, SourceFormat::Other(_))
    }

    /// The same format as the API would accept it verbatim, if it does.
    pub fn as_wire(&self) -> Option<WireFormat> {
        match self {
            SourceFormat::Jpeg => Some(WireFormat::Jpeg),
            SourceFormat::Png => Some(WireFormat::Png),
            SourceFormat::Webp => Some(WireFormat::Webp),
            _ => None,
        }
    }

    fn image_format(&self) -> Option<ImageFormat> {
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
    pub fn mime(self) -> &'static str {
        match self {
            WireFormat::Jpeg => "image/jpeg",
            WireFormat::Png => "image/png",
            WireFormat::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            WireFormat::Jpeg => "jpg",
            WireFormat::Png => "png",
            WireFormat::Webp => "webp",
        }
    }

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrepareMode {
    /// Downscale to ~1000 px and re-encode as JPEG (small, fast uploads).
    #[default]
    Compact,
    /// Send the file as it is when the API accepts it; convert only if needed.
    Original,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrepareOptions {
    pub mode: PrepareMode,
    /// Output budget (the API's limit).
    pub max_bytes: usize,
    /// Longest edge of a Compact re-encode.
    pub compact_max_edge: u32,
    /// Inputs bigger than this are refused: files are read only up to it
    /// (whatever size they report), bytes in memory are checked.
    pub max_input_bytes: u64,
    /// Decompression-bomb guard, checked from the header before decoding.
    pub max_pixels: u64,
}

impl Default for PrepareOptions {
    fn default() -> Self {
        PrepareOptions {
            mode: PrepareMode::Compact,
            max_bytes: MAX_UPLOAD_BYTES,
            compact_max_edge: 1000,
            max_input_bytes: super::read::MAX_PICTURE_FILE_BYTES,
            max_pixels: 100_000_000,
        }
    }
}

/// What the user picked, before preparation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    pub format: SourceFormat,
    pub width: u32,
    pub height: u32,
    pub byte_size: u64,
}

/// An image ready to upload. Cheap to clone (bytes and base64 are shared).
#[derive(Clone)]
pub struct PreparedImage {
    pub bytes: Arc<[u8]>,
    pub base64: Arc<str>,
    /// Lower-case hex MD5 of `bytes`.
    pub md5_hex: String,
    pub format: WireFormat,
    pub width: u32,
    pub height: u32,
    pub source: SourceInfo,
    /// One human line, e.g. "4000×3000 BMP 36.0 MB → 1000×750 JPEG 180 KB".
    pub summary: String,
}

impl fmt::Debug for PreparedImage {
    // Megabytes of base64 in a log line help nobody.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedImage")
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("base64", &format_args!("<{} chars>", self.base64.len()))
            .field("md5_hex", &self.md5_hex)
            .field("format", &self.format)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("source", &self.source)
            .field("summary", &self.summary)
            .finish()
    }
}

/// Why an image could not be prepared. Messages are shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the file is empty (0 bytes)")]
    Empty,
    #[error("not an image: {reason}")]
    NotAnImage { reason: String },
    #[error("{format} images are not supported; save it as JPEG or PNG first")]
    Unsupported { format: String },
    #[error("the {format} image is damaged or truncated: {reason}")]
    Corrupt { format: String, reason: String },
    #[error(
        "refusing to decode: {detail}, over the safety limit of {} megapixels",
        .max_pixels / 1_000_000
    )]
    DecompressionBomb { detail: String, max_pixels: u64 },
    #[error("the file is too large: {} (limit {})", human_bytes(*.size), human_bytes(*.max))]
    TooLarge { size: u64, max: u64 },
    /// The file could not be read: missing, not a regular file (a FIFO, a
    /// device, a directory), over the size cap, or an I/O error.
    #[error(transparent)]
    Read(#[from] super::read::ReadError),
    #[error("could not encode the image: {0}")]
    Encode(String),
    #[error("could not make the image fit in {}", human_bytes(*.max_bytes as u64))]
    CannotFit { max_bytes: usize },
}

/// Prepare an image held in memory for upload.
pub fn prepare(bytes: &[u8], opts: &PrepareOptions) -> Result<PreparedImage, ImageError> {
    let size = bytes.len() as u64;
    if size > opts.max_input_bytes {
        return Err(ImageError::TooLarge {
            size,
            max: opts.max_input_bytes,
        });
    }
    let format = identify(bytes)?;
    let decoded = decode(bytes, &format, opts.max_pixels)?;
    let source = SourceInfo {
        format: format.clone(),
        width: decoded.width,
        height: decoded.height,
        byte_size: size,
    };

    let long_edge = decoded.width.max(decoded.height);
    let untouched = match (format.as_wire(), opts.mode) {
        (Some(wire), PrepareMode::Original) if bytes.len() <= opts.max_bytes => Some(wire),
        (Some(wire), PrepareMode::Compact)
            if long_edge <= opts.compact_max_edge
                && bytes.len() <= COMPACT_PASSTHROUGH_BYTES.min(opts.max_bytes) =>
        {
            Some(wire)
        }
        _ => None,
    };
    if let Some(wire) = untouched {
        return Ok(unchanged(bytes, wire, source));
    }

    let (edge, budget, quality) = match opts.mode {
        PrepareMode::Compact => (
            opts.compact_max_edge.max(MIN_EDGE),
            COMPACT_SOFT_MAX_BYTES.min(opts.max_bytes),
            COMPACT_QUALITY,
        ),
        PrepareMode::Original => (ORIGINAL_MAX_EDGE, opts.max_bytes, ORIGINAL_QUALITY),
    };
    let rgb = to_rgb_fitted(decoded.image, edge);
    let (jpeg, w, h) = match fit_jpeg(rgb, budget, quality) {
        Ok(done) => done,
        // The soft Compact budget is a wish; only the API limit is a must.
        Err(ImageError::CannotFit { .. }) if budget < opts.max_bytes => {
            let rgb = to_rgb_fitted(decode(bytes, &format, opts.max_pixels)?.image, edge);
            fit_jpeg(rgb, opts.max_bytes, quality)?
        }
        Err(e) => return Err(e),
    };

    // A re-encode that came out bigger than an acceptable source is pointless.
    if let Some(wire) = format.as_wire()
        && long_edge <= edge
        && bytes.len() <= opts.max_bytes
        && bytes.len() <= jpeg.len()
    {
        return Ok(unchanged(bytes, wire, source));
    }
    Ok(converted(jpeg, w, h, source, ""))
}

/// Read a file and [`prepare`] it. Only a regular file is opened (never a
/// FIFO or a device), and reading stops at `opts.max_input_bytes` whatever
/// size the file reports.
pub fn prepare_file(path: &Path, opts: &PrepareOptions) -> Result<PreparedImage, ImageError> {
    let bytes = super::read::read_file_capped(path, opts.max_input_bytes)?;
    prepare(&bytes, opts)
}

/// A smaller re-encode (≤ 640 px, ≈ 100 KB JPEG), for when the upload API
/// answers with an empty imageId — 1688 advises ~100 KB pictures.
pub fn shrink(prepared: &PreparedImage) -> Result<PreparedImage, ImageError> {
    let format = identify(&prepared.bytes)?;
    let decoded = decode(
        &prepared.bytes,
        &format,
        PrepareOptions::default().max_pixels,
    )?;
    let rgb = to_rgb_fitted(decoded.image, SHRINK_MAX_EDGE);
    let (jpeg, w, h) = match fit_jpeg(rgb, SHRINK_TARGET_BYTES, 80) {
        Ok(done) => done,
        Err(ImageError::CannotFit { .. }) => {
            let decoded = decode(
                &prepared.bytes,
                &format,
                PrepareOptions::default().max_pixels,
            )?;
            fit_jpeg(
                to_rgb_fitted(decoded.image, SHRINK_MAX_EDGE),
                MAX_UPLOAD_BYTES,
                80,
            )?
        }
        Err(e) => return Err(e),
    };
    Ok(converted(jpeg, w, h, prepared.source.clone(), " (shrunk)"))
}

/// Base64 and lower-case hex MD5 of `bytes`, computed together.
///
/// Large inputs hash on a second thread while this one encodes, since MD5
/// alone is slower than base64 and both are single-stream.
pub fn encode_and_hash(bytes: &[u8]) -> (String, String) {
    const PARALLEL_FROM: usize = 256 * 1024;
    if bytes.len() >= PARALLEL_FROM {
        std::thread::scope(|s| {
            let md5 = s.spawn(|| md5_hex(bytes));
            let b64 = B64.encode(bytes);
            // A panic in MD5 is impossible in practice; recompute rather than unwrap.
            let md5 = md5.join().unwrap_or_else(|_| md5_hex(bytes));
            (b64, md5)
        })
    } else {
        // One pass, chunk by chunk, so each chunk is still in cache for the
        // second consumer. The chunk is a multiple of 3: no padding mid-stream.
        const CHUNK: usize = 3 * 4096;
        let mut hasher = Md5::new();
        let mut b64 = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(CHUNK) {
            hasher.update(chunk);
            B64.encode_string(chunk, &mut b64);
        }
        (b64, hex(&hasher.finalize()))
    }
}

fn md5_hex(bytes: &[u8]) -> String {
    hex(&Md5::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(digest.len() * 2);
    for &b in digest {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xF)] as char);
    }
    s
}

/// "36.0 MB", "120 KB", "512 B" (decimal units, like file managers).
pub fn human_bytes(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} MB", n as f64 / 1_000_000.0)
    } else if n >= 1_000 {
        format!("{} KB", (n as f64 / 1_000.0).round() as u64)
    } else {
        format!("{n} B")
    }
}

fn unchanged(bytes: &[u8], wire: WireFormat, source: SourceInfo) -> PreparedImage {
    let (base64, md5_hex) = encode_and_hash(bytes);
    let summary = format!(
        "{}×{} {} {} sent unchanged",
        source.width,
        source.height,
        source.format,
        human_bytes(source.byte_size)
    );
    PreparedImage {
        bytes: Arc::from(bytes),
        base64: Arc::from(base64),
        md5_hex,
        format: wire,
        width: source.width,
        height: source.height,
        source,
        summary,
    }
}

fn converted(jpeg: Vec<u8>, w: u32, h: u32, source: SourceInfo, note: &str) -> PreparedImage {
    let (base64, md5_hex) = encode_and_hash(&jpeg);
    let summary = format!(
        "{}×{} {} {} → {}×{} JPEG {}{}",
        source.width,
        source.height,
        source.format,
        human_bytes(source.byte_size),
        w,
        h,
        human_bytes(jpeg.len() as u64),
        note
    );
    PreparedImage {
        bytes: Arc::from(jpeg),
        base64: Arc::from(base64),
        md5_hex,
        format: WireFormat::Jpeg,
        width: w,
        height: h,
        source,
        summary,
    }
}

/// Empty / not an image / unsupported, from the content alone.
pub(crate) fn identify(bytes: &[u8]) -> Result<SourceFormat, ImageError> {
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

pub(crate) struct Decoded {
    /// Upright (EXIF orientation applied).
    pub image: DynamicImage,
    /// As stored in the file (what the summary reports).
    pub width: u32,
    pub height: u32,
}

/// Decode with bomb limits set before any pixel is allocated.
pub(crate) fn decode(
    bytes: &[u8],
    format: &SourceFormat,
    max_pixels: u64,
) -> Result<Decoded, ImageError> {
    let Some(image_format) = format.image_format() else {
        return Err(ImageError::Unsupported {
            format: format.name().to_owned(),
        });
    };
    let corrupt = |e: image::ImageError| map_image_error(e, format, max_pixels);
    // Refuse from the header alone where we can read it ourselves: some
    // decoders read further (e.g. PNG up to the first IDAT) before they
    // report dimensions, and a bomb may come without any pixel data.
    if let Some((w, h)) = header_dimensions(bytes, format)
        && u64::from(w) * u64::from(h) > max_pixels
    {
        // Too big to hold decoded: a PNG is reduced while it is decoded
        // (memory bounded whatever its size, up to a time-bounding limit).
        if *format == SourceFormat::Png {
            return super::reduce::decode_png_reduced(bytes, max_pixels);
        }
        return Err(ImageError::DecompressionBomb {
            detail: format!("the header claims {w}×{h} pixels"),
            max_pixels,
        });
    }

    let mut limits = Limits::default();
    let edge_cap = u32::try_from(max_pixels).unwrap_or(u32::MAX);
    limits.max_image_width = Some(edge_cap);
    limits.max_image_height = Some(edge_cap);
    // 4 bytes per pixel covers RGBA8, which is what every decoder here yields
    // for 8-bit sources; 16-bit sources at the limit are refused as well.
    let max_alloc = max_pixels.saturating_mul(4);
    limits.max_alloc = Some(max_alloc);

    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt {
            format: format.name().to_owned(),
            reason: format!("the header says {width}×{height} pixels"),
        });
    }
    if u64::from(width) * u64::from(height) > max_pixels || decoder.total_bytes() > max_alloc {
        return Err(ImageError::DecompressionBomb {
            detail: format!("the header claims {width}×{height} pixels"),
            max_pixels,
        });
    }
    // A broken EXIF block should not stop an otherwise fine picture.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    if *format == SourceFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(ImageError::Corrupt {
            format: format.name().to_owned(),
            reason: "the file ends before the image data does".to_owned(),
        });
    }
    image.apply_orientation(orientation);
    Ok(Decoded {
        image,
        width,
        height,
    })
}

/// Dimensions read straight from the header for formats where that is
/// trivial; `None` means "ask the decoder".
fn header_dimensions(b: &[u8], format: &SourceFormat) -> Option<(u32, u32)> {
    let be32 = |i: usize| Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?));
    let le16 = |i: usize| {
        Some(u32::from(u16::from_le_bytes(
            b.get(i..i + 2)?.try_into().ok()?,
        )))
    };
    let le24 = |i: usize| {
        let s = b.get(i..i + 3)?;
        Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
    };
    let le_i32 = |i: usize| Some(i32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?));
    match format {
        SourceFormat::Png if b.get(12..16) == Some(b"IHDR") => Some((be32(16)?, be32(20)?)),
        SourceFormat::Gif => Some((le16(6)?, le16(8)?)),
        SourceFormat::Bmp if le_i32(14)? >= 40 => {
            Some((le_i32(18)?.unsigned_abs(), le_i32(22)?.unsigned_abs()))
        }
        SourceFormat::Webp if b.get(12..16) == Some(b"VP8X") => {
            Some((le24(24)? + 1, le24(27)? + 1))
        }
        _ => None,
    }
}

/// Whether a JPEG's marker structure reaches its end-of-image marker.
///
/// zune-jpeg (non-strict) pads a cut-off file with grey instead of failing,
/// so we walk the segments ourselves. A plain search for FF D9 is not enough:
/// an embedded EXIF thumbnail has its own, early in the file.
fn jpeg_is_complete(b: &[u8]) -> bool {
    let byte = |i: usize| b.get(i).copied();
    let mut i = 2; // after SOI
    loop {
        // Expect a marker here, allowing 0xFF fill bytes.
        if byte(i) != Some(0xFF) {
            return false;
        }
        while byte(i) == Some(0xFF) {
            i += 1;
        }
        let Some(marker) = byte(i) else {
            return false;
        };
        i += 1;
        match marker {
            0xD9 => return true,
            // Standalone markers, no length.
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let (Some(hi), Some(lo)) = (byte(i), byte(i + 1)) else {
            return false;
        };
        i += usize::from(u16::from_be_bytes([hi, lo]));
        if marker == 0xDA {
            // Entropy-coded data: runs to the next FF not followed by 00
            // (a stuffed byte) or a restart marker.
            loop {
                let Some(off) = b
                    .get(i..)
                    .and_then(|rest| rest.iter().position(|&v| v == 0xFF))
                else {
                    return false;
                };
                i += off;
                match byte(i + 1) {
                    None => return false,
                    Some(0x00 | 0xD0..=0xD7) => i += 2,
                    Some(_) => break,
                }
            }
        }
    }
}

fn map_image_error(e: image::ImageError, format: &SourceFormat, max_pixels: u64) -> ImageError {
    use image::ImageError as E;
    match e {
        E::Limits(l) => ImageError::DecompressionBomb {
            detail: l.to_string(),
            max_pixels,
        },
        E::Unsupported(u) => ImageError::Unsupported {
            format: format!("this kind of {format} ({u})"),
        },
        E::Decoding(d) => ImageError::Corrupt {
            format: format.name().to_owned(),
            reason: d.to_string(),
        },
        E::IoError(io) => ImageError::Corrupt {
            format: format.name().to_owned(),
            reason: io.to_string(),
        },
        other => ImageError::Corrupt {
            format: format.name().to_owned(),
            reason: other.to_string(),
        },
    }
}

/// Size that fits `w×h` inside `max_w×max_h`, keeping aspect, never upscaling,
/// never zero.
pub(crate) fn fit_within(w: u32, h: u32, max_w: u32, max_h: u32) -> (u32, u32) {
    if w <= max_w && h <= max_h {
        return (w.max(1), h.max(1));
    }
    let scale =
        (f64::from(max_w) / f64::from(w.max(1))).min(f64::from(max_h) / f64::from(h.max(1)));
    let nw = (f64::from(w) * scale)
        .round()
        .clamp(1.0, f64::from(max_w.max(1)));
    let nh = (f64::from(h) * scale)
        .round()
        .clamp(1.0, f64::from(max_h.max(1)));
    (nw as u32, nh as u32)
}

/// [`resized`] for an `RgbImage` (no `DynamicImage` round trip).
pub(crate) fn downscale(img: &RgbImage, w: u32, h: u32) -> RgbImage {
    let (w, h) = (w.max(1), h.max(1));
    if img.dimensions() == (w, h) {
        return img.clone();
    }
    let k = (img.width() / w).min(img.height() / h);
    match box_reduce(img, k) {
        Some(r) if r.dimensions() == (w, h) => r,
        Some(r) => image::imageops::resize(&r, w, h, FilterType::Triangle),
        None => image::imageops::resize(img, w, h, FilterType::Triangle),
    }
}

/// `img` scaled to exactly `w×h` (either direction), same pixel type.
/// Big reductions average integer blocks first (fast, exact area average);
/// small steps and enlargements use Triangle.
pub(crate) fn resized(img: &DynamicImage, w: u32, h: u32) -> DynamicImage {
    let (w, h) = (w.max(1), h.max(1));
    if (img.width(), img.height()) == (w, h) {
        return img.clone();
    }
    let k = (img.width() / w).min(img.height() / h);
    if k >= 2 {
        let reduced = match img {
            DynamicImage::ImageRgb8(i) => box_reduce(i, k).map(DynamicImage::ImageRgb8),
            DynamicImage::ImageRgba8(i) => box_reduce(i, k).map(DynamicImage::ImageRgba8),
            DynamicImage::ImageLuma8(i) => box_reduce(i, k).map(DynamicImage::ImageLuma8),
            _ => None,
        };
        return match reduced {
            Some(r) if (r.width(), r.height()) == (w, h) => r,
            Some(r) => r.resize_exact(w, h, FilterType::Triangle),
            None => img.thumbnail_exact(w, h),
        };
    }
    img.resize_exact(w, h, FilterType::Triangle)
}

/// Average `k×k` blocks of an 8-bit image: an exact area-average for integer
/// factors, and much faster than the general resamplers on camera-sized
/// pictures. Up to `k-1` pixels at the right/bottom edge are dropped (far
/// below what the following resize can show). Large inputs use two threads.
fn box_reduce<P>(
    img: &image::ImageBuffer<P, Vec<u8>>,
    k: u32,
) -> Option<image::ImageBuffer<P, Vec<u8>>>
where
    P: image::Pixel<Subpixel = u8>,
{
    let ch = usize::from(P::CHANNEL_COUNT);
    if k < 2 {
        return None;
    }
    let (nw, nh) = (img.width() / k, img.height() / k);
    if nw == 0 || nh == 0 {
        return None;
    }
    let k_us = k as usize;
    let src_stride = img.width() as usize * ch;
    let dst_stride = nw as usize * ch;
    let src = img.as_raw();
    let mut out = vec![0u8; dst_stride * nh as usize];
    let area = k * k;

    // Fills output rows starting at `first_row`; `dst` holds whole rows.
    // Sum k source rows column-wise first (a flat loop the compiler
    // vectorises), then add up k pixels across on the 1/k-sized result.
    let work = |first_row: usize, dst: &mut [u8]| {
        let mut cols = vec![0u32; src_stride];
        for (i, out_row) in dst.chunks_exact_mut(dst_stride).enumerate() {
            cols.iter_mut().for_each(|a| *a = 0);
            let y0 = (first_row + i) * k_us;
            for y in y0..y0 + k_us {
                let Some(row) = src.get(y * src_stride..(y + 1) * src_stride) else {
                    continue;
                };
                for (a, &v) in cols.iter_mut().zip(row) {
                    *a += u32::from(v);
                }
            }
            for (out_px, block) in out_row
                .chunks_exact_mut(ch)
                .zip(cols.chunks_exact(k_us * ch))
            {
                for (c, o) in out_px.iter_mut().enumerate() {
                    let sum: u32 = block.iter().skip(c).step_by(ch).sum();
                    // Rounded mean of u8 values: always ≤ 255.
                    *o = ((sum + area / 2) / area) as u8;
                }
            }
        }
    };

    const PARALLEL_FROM_PIXELS: usize = 4_000_000;
    if src.len() / ch >= PARALLEL_FROM_PIXELS && nh >= 2 {
        let half_rows = nh as usize / 2;
        let (top, bottom) = out.split_at_mut(half_rows * dst_stride);
        std::thread::scope(|s| {
            s.spawn(|| work(0, top));
            work(half_rows, bottom);
        });
    } else {
        work(0, &mut out);
    }
    image::ImageBuffer::from_raw(nw, nh, out)
}

/// RGB8 with any alpha flattened onto white (JPEG has no alpha, and a
/// product photo's transparent background is meant to be blank).
pub(crate) fn flatten_to_rgb(img: DynamicImage) -> RgbImage {
    if img.color().has_alpha() {
        flatten_on_white(&img.into_rgba8())
    } else {
        img.into_rgb8()
    }
}

/// RGB8, alpha flattened onto white, longest edge at most `max_edge`.
fn to_rgb_fitted(img: DynamicImage, max_edge: u32) -> RgbImage {
    let (w, h) = fit_within(img.width(), img.height(), max_edge, max_edge);
    if (w, h) == (img.width(), img.height()) {
        flatten_to_rgb(img)
    } else {
        // Resize first: fewer pixels to convert and blend.
        flatten_to_rgb(resized(&img, w, h))
    }
}

fn flatten_on_white(rgba: &image::RgbaImage) -> RgbImage {
    let mut out = RgbImage::new(rgba.width(), rgba.height());
    for (o, p) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u32::from(p[3]);
        for c in 0..3 {
            // Blend with rounding; the result is ≤ 255 so the cast is exact.
            o[c] = ((u32::from(p[c]) * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    out
}

fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::with_capacity((img.width() as usize * img.height() as usize) / 4);
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    Ok(out)
}

/// JPEG of `img` in at most `max_bytes`, keeping as much detail as fits:
/// best quality in [MIN_QUALITY, quality] by binary search, then smaller
/// sizes when even the lowest quality is too big.
fn fit_jpeg(
    img: RgbImage,
    max_bytes: usize,
    quality: u8,
) -> Result<(Vec<u8>, u32, u32), ImageError> {
    let mut img = img;
    for _round in 0..12 {
        let (w, h) = img.dimensions();
        let first = encode_jpeg(&img, quality)?;
        if first.len() <= max_bytes {
            return Ok((first, w, h));
        }
        let floor = encode_jpeg(&img, MIN_QUALITY)?;
        if floor.len() <= max_bytes {
            // Invariant: `lo` fits, `hi` does not.
            let (mut lo, mut hi, mut best) = (MIN_QUALITY, quality, floor);
            while hi - lo > 3 {
                let mid = lo + (hi - lo) / 2;
                let out = encode_jpeg(&img, mid)?;
                if out.len() <= max_bytes {
                    (lo, best) = (mid, out);
                } else {
                    hi = mid;
                }
            }
            return Ok((best, w, h));
        }
        // Bytes scale roughly with pixel count: shrink by the overshoot, with
        // a margin, but at least 10% per round so the loop ends.
        let ratio = max_bytes as f64 / floor.len() as f64;
        let factor = (ratio.sqrt() * 0.95).clamp(0.3, 0.9);
        let nw = (f64::from(w) * factor).round() as u32;
        let nh = (f64::from(h) * factor).round() as u32;
        if nw < MIN_EDGE || nh < MIN_EDGE {
            break;
        }
        img = downscale(&img, nw, nh);
    }
    Err(ImageError::CannotFit { max_bytes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, Rgba, RgbaImage};

    /// Deterministic noise (xorshift) so tests don't need a rand dependency.
    fn noisy_rgb(w: u32, h: u32, seed: u32) -> RgbImage {
        let mut s = seed.max(1);
        RgbImage::from_fn(w, h, |x, y| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let n = (s & 0x3F) as u8;
            Rgb([
                ((x * 255 / w.max(1)) as u8).wrapping_add(n),
                ((y * 255 / h.max(1)) as u8).wrapping_add(n / 2),
                n.wrapping_mul(3),
            ])
        })
    }

    fn smooth_rgb(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128])
        })
    }

    fn encode(img: &DynamicImage, fmt: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, fmt).expect("test encode");
        out.into_inner()
    }

    fn jpeg(img: &RgbImage, q: u8) -> Vec<u8> {
        encode_jpeg(img, q).expect("test encode")
    }

    fn assert_valid(p: &PreparedImage, opts: &PrepareOptions) {
        assert!(p.bytes.len() <= opts.max_bytes, "{} bytes", p.bytes.len());
        let img = image::load_from_memory(&p.bytes).expect("output decodes");
        assert_eq!((img.width(), img.height()), (p.width, p.height));
        let fmt = sniff(&p.bytes)
            .and_then(|f| f.as_wire())
            .expect("wire format");
        assert_eq!(fmt, p.format);
        assert_eq!(p.base64.as_ref(), B64.encode(&p.bytes[..]));
        assert_eq!(p.md5_hex, format!("{:x}", Md5::digest(&p.bytes[..])));
    }

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

    #[test]
    fn every_supported_format_prepares_to_valid_output() {
        let opts = PrepareOptions::default();
        let img = DynamicImage::ImageRgb8(noisy_rgb(300, 200, 7));
        for fmt in [
            ImageFormat::Png,
            ImageFormat::Jpeg,
            ImageFormat::WebP,
            ImageFormat::Gif,
            ImageFormat::Bmp,
            ImageFormat::Tiff,
        ] {
            let bytes = encode(&img, fmt);
            let p = prepare(&bytes, &opts).unwrap_or_else(|e| panic!("{fmt:?}: {e}"));
            assert_valid(&p, &opts);
            assert_eq!((p.width, p.height), (300, 200), "{fmt:?}");
            assert_eq!(p.source.byte_size, bytes.len() as u64);
            assert!(p.summary.starts_with("300×200 "), "{}", p.summary);
            match fmt {
                // Small API formats go out verbatim.
                ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP => {
                    assert_eq!(&p.bytes[..], &bytes[..], "{fmt:?}");
                    assert!(p.summary.ends_with("sent unchanged"), "{}", p.summary);
                }
                _ => {
                    assert_eq!(p.format, WireFormat::Jpeg);
                    assert!(p.summary.contains("→ 300×200 JPEG"), "{}", p.summary);
                }
            }
        }
    }

    #[test]
    fn large_noisy_image_is_fitted_in_both_modes() {
        // 2500×2500 noise: ~18 MB as BMP, well over 3 MB as PNG too.
        let img = DynamicImage::ImageRgb8(noisy_rgb(2500, 2500, 3));
        let bmp = encode(&img, ImageFormat::Bmp);
        assert!(bmp.len() > MAX_UPLOAD_BYTES);

        let compact = PrepareOptions::default();
        let p = prepare(&bmp, &compact).expect("compact");
        assert_valid(&p, &compact);
        assert_eq!(p.format, WireFormat::Jpeg);
        assert!(p.width.max(p.height) <= 1000);
        assert!(
            p.summary.starts_with("2500×2500 BMP 18.8 MB → "),
            "{}",
            p.summary
        );

        let original = PrepareOptions {
            mode: PrepareMode::Original,
            max_bytes: 600_000,
            ..PrepareOptions::default()
        };
        let p = prepare(&bmp, &original).expect("original");
        assert_valid(&p, &original);
        assert_eq!(p.format, WireFormat::Jpeg);
        assert!(p.width <= 2500 && p.height <= 2500);
    }

    #[test]
    fn big_png_over_limit_is_converted_in_original_mode() {
        let png = encode(
            &DynamicImage::ImageRgb8(noisy_rgb(1400, 1400, 11)),
            ImageFormat::Png,
        );
        let opts = PrepareOptions {
            mode: PrepareMode::Original,
            max_bytes: png.len() / 2,
            ..PrepareOptions::default()
        };
        let p = prepare(&png, &opts).expect("fits");
        assert_valid(&p, &opts);
        assert_eq!(p.format, WireFormat::Jpeg);
    }

    #[test]
    fn original_mode_keeps_small_jpeg_bytes_identical() {
        let bytes = jpeg(&noisy_rgb(1600, 1200, 5), 95);
        let opts = PrepareOptions {
            mode: PrepareMode::Original,
            ..PrepareOptions::default()
        };
        let p = prepare(&bytes, &opts).expect("ok");
        assert_eq!(&p.bytes[..], &bytes[..]);
        assert_eq!(p.format, WireFormat::Jpeg);
        assert_valid(&p, &opts);

        // Compact would downscale the same picture.
        let c = prepare(&bytes, &PrepareOptions::default()).expect("ok");
        assert_eq!((c.width, c.height), (1000, 750));
        assert!(c.bytes.len() <= COMPACT_SOFT_MAX_BYTES);
        assert!(c.summary.contains("1600×1200 JPEG") && c.summary.contains("→ 1000×750 JPEG"));
    }

    #[test]
    fn transparent_png_is_flattened_onto_white() {
        let rgba = RgbaImage::from_fn(1200, 600, |x, _| {
            if x < 600 {
                Rgba([0, 0, 0, 0])
            } else {
                Rgba([255, 0, 0, 255])
            }
        });
        let bytes = encode(&DynamicImage::ImageRgba8(rgba), ImageFormat::Png);
        let p = prepare(&bytes, &PrepareOptions::default()).expect("ok");
        let out = image::load_from_memory(&p.bytes)
            .expect("decodes")
            .into_rgb8();
        let left = out.get_pixel(100, 250);
        let right = out.get_pixel(900, 250);
        assert!(left.0.iter().all(|&c| c > 240), "{left:?}");
        assert!(right[0] > 200 && right[1] < 60, "{right:?}");
    }

    #[test]
    fn refusals_have_specific_errors() {
        let opts = PrepareOptions::default();
        assert_eq!(prepare(&[], &opts).unwrap_err(), ImageError::Empty);
        assert!(matches!(
            prepare(b"just some notes, saved as photo.jpg\n", &opts),
            Err(ImageError::NotAnImage { .. })
        ));
        assert!(matches!(
            prepare(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", &opts),
            Err(ImageError::Unsupported { .. })
        ));

        let full = jpeg(&noisy_rgb(400, 300, 9), 90);
        let truncated = &full[..full.len() / 2];
        let err = prepare(truncated, &opts).unwrap_err();
        assert!(matches!(err, ImageError::Corrupt { .. }), "{err:?}");
        // Cut inside the header too.
        let err = prepare(&full[..40], &opts).unwrap_err();
        assert!(matches!(err, ImageError::Corrupt { .. }), "{err:?}");

        let small = PrepareOptions {
            max_input_bytes: 100,
            ..PrepareOptions::default()
        };
        assert!(matches!(
            prepare(&full, &small),
            Err(ImageError::TooLarge { .. })
        ));
    }

    #[test]
    fn truncated_jpeg_with_exif_thumbnail_is_still_caught() {
        let full = jpeg(&noisy_rgb(300, 200, 4), 90);
        // APP1 holding a fake thumbnail whose FF D9 precedes the main image.
        let payload = b"Exif\0\0\xFF\xD8\xFF\xD9";
        let mut with_app1 = full[..2].to_vec();
        with_app1.extend_from_slice(&[0xFF, 0xE1]);
        with_app1.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
        with_app1.extend_from_slice(payload);
        with_app1.extend_from_slice(&full[2..]);
        assert!(jpeg_is_complete(&with_app1));
        let opts = PrepareOptions::default();
        assert!(prepare(&with_app1, &opts).is_ok());
        let cut = &with_app1[..with_app1.len() * 2 / 3];
        assert!(!jpeg_is_complete(cut));
        assert!(matches!(
            prepare(cut, &opts),
            Err(ImageError::Corrupt { .. })
        ));
        // Trailing bytes after EOI (camera extras) are fine.
        let mut trailing = full.clone();
        trailing.extend_from_slice(b"\0\0extra");
        assert!(jpeg_is_complete(&trailing));
    }

    /// A valid PNG signature + IHDR claiming `w×h`, and nothing else.
    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&w.to_be_bytes());
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
        v.extend_from_slice(&13u32.to_be_bytes());
        v.extend_from_slice(&ihdr);
        v.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        v
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn decompression_bomb_is_refused_quickly() {
        let start = std::time::Instant::now();
        let err = prepare(&png_header(100_000, 100_000), &PrepareOptions::default()).unwrap_err();
        assert!(
            matches!(err, ImageError::DecompressionBomb { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("100000×100000"), "{err}");
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
        let gif = b"GIF89a\xFF\xFF\xFF\xFF\x00\x00\x00;";
        assert!(matches!(
            prepare(gif, &PrepareOptions::default()),
            Err(ImageError::DecompressionBomb { .. })
        ));
        // Lower pixel limits are honoured too: refused, or for a PNG
        // reduced while decoding to within the limit.
        let tight = PrepareOptions {
            max_pixels: 10_000,
            ..PrepareOptions::default()
        };
        let ok_jpeg = jpeg(&smooth_rgb(200, 200), 90);
        assert!(matches!(
            prepare(&ok_jpeg, &tight),
            Err(ImageError::DecompressionBomb { .. })
        ));
        let ok_png = encode(
            &DynamicImage::ImageRgb8(smooth_rgb(200, 200)),
            ImageFormat::Png,
        );
        let d = decode(&ok_png, &SourceFormat::Png, tight.max_pixels).expect("reduced");
        assert_eq!((d.width, d.height), (200, 200), "the file's own size");
        assert_eq!(
            (d.image.width(), d.image.height()),
            (100, 100),
            "within the limit"
        );
        let p = prepare(&ok_png, &tight).expect("sent as it is");
        assert_eq!((p.source.width, p.source.height), (200, 200));
    }

    #[test]
    fn garbage_after_magic_never_panics() {
        let opts = PrepareOptions::default();
        let mut seed = 12345u32;
        for magic in [
            &b"\xFF\xD8\xFF"[..],
            b"\x89PNG\r\n\x1a\n",
            b"GIF89a",
            b"RIFF\0\0\0\0WEBPVP8 ",
            b"II*\0",
            b"BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0",
        ] {
            for len in [0usize, 1, 7, 64, 600] {
                let mut v = magic.to_vec();
                for _ in 0..len {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    v.push(seed as u8);
                }
                assert!(prepare(&v, &opts).is_err(), "{magic:?} + {len}");
            }
        }
    }

    /// A PNG written row by row (never whole in memory): white, with a
    /// black square over the middle ninth. 1 bit per pixel, so tens of
    /// thousands of pixels a side encode fast and compress to little.
    fn big_two_tone_png(w: u32, h: u32) -> Vec<u8> {
        use std::io::Write as _;
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::One);
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc.write_header().expect("header");
        let mut stream = writer.stream_writer().expect("stream");
        let stride = w.div_ceil(8) as usize;
        let white = vec![0xFFu8; stride];
        let mut middle = white.clone();
        for x in w / 3..2 * w / 3 {
            middle[(x / 8) as usize] &= !(0x80 >> (x % 8));
        }
        for y in 0..h {
            let row = if (h / 3..2 * h / 3).contains(&y) {
                &middle
            } else {
                &white
            };
            stream.write_all(row).expect("row");
        }
        stream.finish().expect("finish");
        drop(writer);
        out
    }

    /// 20000×20000 (400 megapixels, 1.2 GB as RGB) is converted, not
    /// refused: reduced while decoding, with the picture intact.
    #[test]
    fn huge_png_is_reduced_while_decoding() {
        let png = big_two_tone_png(20_000, 20_000);
        assert!(png.len() < 2_000_000, "{} bytes", png.len());
        let opts = PrepareOptions::default();
        let p = prepare(&png, &opts).expect("a huge PNG is converted");
        assert_valid(&p, &opts);
        assert_eq!((p.source.width, p.source.height), (20_000, 20_000));
        assert_eq!((p.width, p.height), (1000, 1000));
        assert!(
            p.summary.starts_with("20000×20000 PNG ") && p.summary.contains("→ 1000×1000 JPEG"),
            "{}",
            p.summary
        );
        let out = image::load_from_memory(&p.bytes)
            .expect("decodes")
            .into_luma8();
        assert!(out.get_pixel(100, 100)[0] > 240, "white corner");
        assert!(out.get_pixel(500, 500)[0] < 15, "black middle");
        assert!(out.get_pixel(500, 100)[0] > 240, "white above the square");
    }

    /// What stays refused, and says so: other formats over the pixel limit,
    /// PNGs over 1,000 megapixels, interlaced PNGs over the pixel limit.
    #[test]
    fn refusals_past_the_reduction_say_why() {
        let opts = PrepareOptions::default();
        let err = prepare(&png_header(40_000, 40_000), &opts).unwrap_err();
        assert!(
            err.to_string().contains("1000 megapixels a PNG may have"),
            "{err}"
        );
        // An interlaced PNG over the limit (interlace flag in IHDR).
        let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend_from_slice(&12_000u32.to_be_bytes());
        ihdr.extend_from_slice(&12_000u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 1]);
        v.extend_from_slice(&13u32.to_be_bytes());
        v.extend_from_slice(&ihdr);
        v.extend_from_slice(&crc32(&ihdr).to_be_bytes());
        let err = prepare(&v, &opts).unwrap_err();
        assert!(err.to_string().contains("interlaced"), "{err}");
        // A truncated huge PNG is damaged, not a panic.
        let png = big_two_tone_png(12_000, 9_000);
        let err = prepare(&png[..png.len() / 2], &opts).unwrap_err();
        assert!(matches!(err, ImageError::Corrupt { .. }), "{err:?}");
    }

    #[test]
    fn prepare_file_reports_missing_path() {
        let path = Path::new("/definitely/not/here/photo.jpg");
        let err = prepare_file(path, &PrepareOptions::default()).unwrap_err();
        assert!(
            matches!(&err, ImageError::Read(r) if r.is_not_found()),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("/definitely/not/here/photo.jpg"),
            "{err}"
        );
    }

    #[test]
    fn prepare_file_reads_a_real_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pic.png");
        let png = encode(
            &DynamicImage::ImageRgb8(smooth_rgb(64, 48)),
            ImageFormat::Png,
        );
        std::fs::write(&path, &png).expect("write");
        let p = prepare_file(&path, &PrepareOptions::default()).expect("ok");
        assert_eq!(&p.bytes[..], &png[..]);
        assert_eq!(p.format, WireFormat::Png);
    }

    #[test]
    fn shrink_makes_a_small_jpeg() {
        let bytes = jpeg(&noisy_rgb(1000, 800, 21), 92);
        let opts = PrepareOptions {
            mode: PrepareMode::Original,
            ..PrepareOptions::default()
        };
        let p = prepare(&bytes, &opts).expect("ok");
        let s = shrink(&p).expect("shrinks");
        assert_valid(&s, &opts);
        assert!(s.width.max(s.height) <= SHRINK_MAX_EDGE);
        assert!(s.bytes.len() <= SHRINK_TARGET_BYTES, "{}", s.bytes.len());
        assert!(s.summary.contains("(shrunk)"), "{}", s.summary);
    }

    #[test]
    fn encode_and_hash_matches_independent_computation() {
        for len in [0usize, 1, 2, 3, 4, 12287, 12288, 12289, 300_000, 1_000_001] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let (b64, md5) = encode_and_hash(&data);
            assert_eq!(b64, B64.encode(&data), "len {len}");
            assert_eq!(md5, format!("{:x}", Md5::digest(&data)), "len {len}");
        }
        assert_eq!(encode_and_hash(b"").1, "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn debug_does_not_dump_bytes() {
        let png = encode(
            &DynamicImage::ImageRgb8(smooth_rgb(64, 48)),
            ImageFormat::Png,
        );
        let p = prepare(&png, &PrepareOptions::default()).expect("ok");
        let dbg = format!("{p:?}");
        assert!(!dbg.contains(&p.base64[..20]), "{dbg}");
        assert!(dbg.len() < 600);
    }

    #[test]
    fn human_bytes_reads_well() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(120_000), "120 KB");
        assert_eq!(human_bytes(36_000_054), "36.0 MB");
    }

    #[test]
    fn box_reduce_averages_blocks() {
        // 5×4 grey ramp, k=2 → 2×2 (the fifth column is dropped).
        let img = image::GrayImage::from_fn(5, 4, |x, y| image::Luma([(x * 10 + y * 50) as u8]));
        let r = box_reduce(&img, 2).expect("reduces");
        assert_eq!(r.dimensions(), (2, 2));
        // Block (0,0): 0,10,50,60 → 30; block (1,1): 120,130,170,180 → 150.
        assert_eq!(r.get_pixel(0, 0)[0], 30);
        assert_eq!(r.get_pixel(1, 1)[0], 150);
        assert!(box_reduce(&img, 1).is_none());
        assert!(box_reduce(&img, 9).is_none());
        // Through `resized`, any target size comes out exact.
        let big = DynamicImage::ImageRgb8(smooth_rgb(6000, 4000));
        let r = resized(&big, 1000, 667);
        assert_eq!((r.width(), r.height()), (1000, 667));
        let px = r.as_rgb8().expect("rgb").get_pixel(500, 333);
        assert!((i32::from(px[0]) - 127).abs() < 4, "{px:?}");
    }

    #[test]
    fn fit_within_never_upscales_or_zeroes() {
        assert_eq!(fit_within(4000, 3000, 1000, 1000), (1000, 750));
        assert_eq!(fit_within(10, 5, 1000, 1000), (10, 5));
        assert_eq!(fit_within(100_000, 1, 1000, 1000), (1000, 1));
        assert_eq!(fit_within(5, 5, 0, 0), (1, 1));
    }

    /// Rough speed check: `cargo test --release --lib image::prepare -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn bench_prepare_and_hash() {
        let big = jpeg(&noisy_rgb(6000, 4000, 1), 90);
        let t = std::time::Instant::now();
        let p = prepare(&big, &PrepareOptions::default()).expect("ok");
        println!(
            "24 MP JPEG ({} MB) → {} in {:?}",
            big.len() / 1_000_000,
            p.summary,
            t.elapsed()
        );

        let buf: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i * 7 % 256) as u8).collect();
        let t = std::time::Instant::now();
        let n = 20;
        for _ in 0..n {
            std::hint::black_box(encode_and_hash(std::hint::black_box(&buf)));
        }
        let per = t.elapsed() / n;
        println!(
            "base64+md5 of 3 MiB: {per:?} ({:.2} GB/s)",
            buf.len() as f64 / per.as_secs_f64() / 1e9
        );
    }
}
