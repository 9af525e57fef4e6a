//! Image preparation for upload (`prepare`), terminal thumbnails
//! (`thumbnail`) and terminal graphics protocols (`protocol`).

pub mod prepare;
pub mod protocol;
pub mod read;
pub mod reduce;
pub mod thumbnail;

pub use prepare::{
    ImageError, MAX_UPLOAD_BYTES, PrepareMode, PrepareOptions, PreparedImage, SourceFormat,
    WireFormat, prepare, prepare_file, shrink, sniff,
};
pub use read::{
    MAX_PICTURE_FILE_BYTES, MAX_TEXT_FILE_BYTES, ReadError, read_file_capped, read_text_capped,
};
pub use thumbnail::{HalfBlockImage, decode_for_thumbnail};
