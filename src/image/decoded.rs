//! What decoding hands back: the picture (`Decoded`), or why a picture
//! cannot be used (`ImageError`, also what `prepare` fails with).

use image::DynamicImage;
use image::metadata::Orientation;

use crate::text::human_bytes;

pub(super) struct Decoded {
    /// Upright (EXIF orientation applied); possibly reduced.
    pub image: DynamicImage,
    /// The whole picture as stored in the file (what the summary reports).
    pub width: u32,
    pub height: u32,
    /// How the file says to turn it (already applied to `image`).
    pub orientation: Orientation,
}

impl Decoded {
    /// `image` upright, of a picture stored `stored` (width, height) and
    /// turned by `orientation`.
    pub(super) fn new(image: DynamicImage, stored: (u32, u32), orientation: Orientation) -> Self {
        Decoded {
            image,
            width: stored.0,
            height: stored.1,
            orientation,
        }
    }

    /// The whole picture's size as the user sees it (upright): the one
    /// coordinate system of crop boxes and `--region`, whatever copy was
    /// decoded.
    pub(super) fn upright_size(&self) -> (u32, u32) {
        upright_size((self.width, self.height), self.orientation)
    }

    /// Whether the file's pixels are shown as stored.
    pub(super) fn is_upright(&self) -> bool {
        self.orientation == Orientation::NoTransforms
    }
}

/// A `stored` (width, height) turned by `orientation`.
pub(super) fn upright_size(stored: (u32, u32), orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (stored.1, stored.0),
        _ => stored,
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
    Read(#[from] crate::fs::ReadError),
    #[error("could not encode the image: {0}")]
    Encode(String),
    #[error("could not make the image fit in {}", human_bytes(*.max_bytes as u64))]
    CannotFit { max_bytes: usize },
}
