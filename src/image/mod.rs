//! Image preparation for upload (`prepare`), terminal thumbnails
//! (`thumbnail`), terminal graphics protocols (`protocol`, `detect`,
//! `drivers`) and the pictures on screen (`display`).

mod cell;
mod decode;
mod decoded;
pub(crate) mod detect;
pub(crate) use detect::explain as explain_graphics;
pub(crate) mod display;
mod drivers;
mod encode;
mod jpeg;
pub mod overlay;
mod png_decode;
pub mod prepare;
pub mod protocol;
pub mod reduce;
mod resize;
mod sniff;
#[cfg(test)]
mod test_pictures;
pub mod thumbnail;

pub use decoded::ImageError;
pub use prepare::{
    MAX_UPLOAD_BYTES, PrepareMode, PrepareOptions, PreparedImage, prepare, prepare_file, shrink,
};
pub(crate) use sniff::looks_like_image;
pub use sniff::{SourceFormat, WireFormat, sniff};
pub use thumbnail::{HalfBlockImage, decode_for_thumbnail, decode_with_size};
