//! Image preparation for upload and terminal thumbnails.
//! (Placeholder interface; the image branch brings the implementation.)

use std::sync::Arc;

pub const MAX_UPLOAD_BYTES: usize = 3 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireFormat {
    Jpeg,
    Png,
    Webp,
}

#[derive(Clone)]
pub struct PreparedImage {
    pub bytes: Arc<[u8]>,
    pub base64: Arc<str>,
    pub md5_hex: String,
    pub format: WireFormat,
    pub width: u32,
    pub height: u32,
    pub summary: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ImageError(pub String);

pub fn shrink(_prepared: &PreparedImage) -> Result<PreparedImage, ImageError> {
    Err(ImageError("not yet".into()))
}
