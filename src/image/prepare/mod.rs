//! Turning a user's picture into bytes the 1688 image-search upload accepts.
//!
//! The API takes JPEG/PNG/WEBP of at most 3 MiB and works best on ~100–250 KB
//! pictures, so by default we downscale and re-encode; anything we re-encode
//! becomes a JPEG (alpha flattened onto white) fitted under the byte budget.
//! This file decides what to do; `sniff`, `decode`, `resize` and `encode` do it.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

// The tests (prepare/tests.rs) check the output against the `base64` crate.
#[cfg(test)]
use base64::Engine as _;
#[cfg(test)]
use base64::engine::general_purpose::STANDARD as B64;
use md5::{Digest, Md5};

use super::decode::decode_for_edge;
use super::decoded::ImageError;
use super::encode::{MIN_EDGE, fit_jpeg};
use super::resize::to_rgb_fitted;
use super::sniff::{SourceFormat, WireFormat, identify};
use crate::text::{hex, human_bytes};

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
const SHRINK_MAX_EDGE: u32 = 640;
const SHRINK_TARGET_BYTES: usize = 100 * 1000;

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
            max_input_bytes: crate::fs::MAX_PICTURE_FILE_BYTES,
            max_pixels: 100_000_000,
        }
    }
}

/// What the user picked, before preparation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    pub format: SourceFormat,
    /// As stored in the file.
    pub width: u32,
    pub height: u32,
    /// As shown (its EXIF orientation applied): the pixels a crop box and
    /// `--region` are measured in.
    pub upright: (u32, u32),
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
    let (edge, budget, quality) = match opts.mode {
        PrepareMode::Compact => (
            opts.compact_max_edge.max(MIN_EDGE),
            COMPACT_SOFT_MAX_BYTES.min(opts.max_bytes),
            COMPACT_QUALITY,
        ),
        PrepareMode::Original => (ORIGINAL_MAX_EDGE, opts.max_bytes, ORIGINAL_QUALITY),
    };
    // No more pixels than the re-encode can use (a JPEG is decoded at a
    // reduced scale); a picture sent untouched is decoded all the same, to
    // know it is whole.
    let decoded = decode_for_edge(bytes, &format, opts.max_pixels, edge)?;
    let source = SourceInfo {
        format: format.clone(),
        width: decoded.width,
        height: decoded.height,
        upright: decoded.upright_size(),
        byte_size: size,
    };

    let long_edge = decoded.width.max(decoded.height);
    // A picture its EXIF turns is sent turned (re-encoded upright): whether
    // a provider honours EXIF is unknown, and the copy sent must be in the
    // user's upright pixels for a region to mean the same area.
    let sendable = format.as_wire().filter(|_| decoded.is_upright());
    let turned = if decoded.is_upright() {
        ""
    } else {
        " (turned upright)"
    };
    let untouched = match (sendable, opts.mode) {
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

    let rgb = to_rgb_fitted(decoded.image, edge);
    let (jpeg, w, h) = match fit_jpeg(rgb, budget, quality) {
        Ok(done) => done,
        // The soft Compact budget is a wish; only the API limit is a must.
        Err(ImageError::CannotFit { .. }) if budget < opts.max_bytes => {
            let again = decode_for_edge(bytes, &format, opts.max_pixels, edge)?;
            let rgb = to_rgb_fitted(again.image, edge);
            fit_jpeg(rgb, opts.max_bytes, quality)?
        }
        Err(e) => return Err(e),
    };

    // A re-encode that came out bigger than an acceptable source is pointless.
    if let Some(wire) = sendable
        && long_edge <= edge
        && bytes.len() <= opts.max_bytes
        && bytes.len() <= jpeg.len()
    {
        return Ok(unchanged(bytes, wire, source));
    }
    Ok(converted(jpeg, w, h, source, turned))
}

/// Read a file and [`prepare`] it. Only a regular file is opened (never a
/// FIFO or a device), and reading stops at `opts.max_input_bytes` whatever
/// size the file reports.
pub fn prepare_file(path: &Path, opts: &PrepareOptions) -> Result<PreparedImage, ImageError> {
    let bytes = crate::fs::read_file_capped(path, opts.max_input_bytes)?;
    prepare(&bytes, opts)
}

/// A smaller re-encode (≤ 640 px, ≈ 100 KB JPEG), for when the upload API
/// answers with an empty imageId — 1688 advises ~100 KB pictures.
pub fn shrink(prepared: &PreparedImage) -> Result<PreparedImage, ImageError> {
    let format = identify(&prepared.bytes)?;
    let max_pixels = PrepareOptions::default().max_pixels;
    let decoded = decode_for_edge(&prepared.bytes, &format, max_pixels, SHRINK_MAX_EDGE)?;
    let rgb = to_rgb_fitted(decoded.image, SHRINK_MAX_EDGE);
    let (jpeg, w, h) = match fit_jpeg(rgb, SHRINK_TARGET_BYTES, 80) {
        Ok(done) => done,
        Err(ImageError::CannotFit { .. }) => {
            let decoded = decode_for_edge(&prepared.bytes, &format, max_pixels, SHRINK_MAX_EDGE)?;
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
/// One thread, one pass: each chunk is hashed, then encoded while it is
/// still in L1. MD5 (one dependent chain per block) sets the pace; the SIMD
/// base64 (AVX2 when the CPU has it, picked at run time, else scalar) adds
/// about a tenth to it, so the pair keeps its speed on a busy machine.
pub fn encode_and_hash(bytes: &[u8]) -> (String, String) {
    // A multiple of 3 (no padding mid-stream) and of 64 (MD5 blocks, so the
    // hasher never copies into its buffer); 12 KiB in + 16 KiB out fit in L1.
    const CHUNK: usize = 3 * 4096;
    let mut hasher = Md5::new();
    let mut b64 = String::with_capacity(base64_simd::STANDARD.encoded_length(bytes.len()));
    for chunk in bytes.chunks(CHUNK) {
        hasher.update(chunk);
        base64_simd::STANDARD.encode_append(chunk, &mut b64);
    }
    (b64, hex(&hasher.finalize()))
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

#[cfg(test)]
mod tests;

#[cfg(test)]
mod encode_and_hash_tests {
    use super::*;

    /// Byte for byte what `base64`'s STANDARD engine and md-5 give, around
    /// the chunk size and past it.
    #[test]
    fn matches_the_base64_crate_and_md5() {
        for len in [0, 1, 2, 3, 4, 12287, 12288, 12289, 3 * 1024 * 1024 + 1] {
            let mut s = 0x9e37_79b9u32;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    s ^= s << 13;
                    s ^= s >> 17;
                    s ^= s << 5;
                    (s >> 24) as u8
                })
                .collect();
            let (b64, md5) = encode_and_hash(&data);
            assert_eq!(b64, B64.encode(&data), "len {len}");
            assert_eq!(md5, format!("{:x}", Md5::digest(&data)), "len {len}");
        }
    }
}
