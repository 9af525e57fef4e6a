//! Crop mode: the picture drawn large with a box over it, the box in the
//! pixels of the user's file.

use crate::api::PixelBox;
use crate::app::state::SearchSource;

/// The picture being cropped, as the loading task decoded it.
#[derive(Clone, PartialEq, Eq)]
pub struct CropPicture {
    /// The file's size, upright (EXIF orientation applied).
    pub width: u32,
    pub height: u32,
    /// A copy small enough to draw from (at most a few hundred pixels a
    /// side), aspect kept.
    pub preview: image::RgbImage,
}

impl std::fmt::Debug for CropPicture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CropPicture({}×{}, preview {}×{})",
            self.width,
            self.height,
            self.preview.width(),
            self.preview.height()
        )
    }
}

impl CropPicture {
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }
}

/// Crop mode, while it is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CropState {
    pub source: SearchSource,
    /// Replies for other generations (an earlier opening) are dropped.
    pub generation: u64,
    /// `None` while loading.
    pub picture: Option<CropPicture>,
    pub error: Option<String>,
    /// The box, in pixels of the user's picture (valid once loaded).
    pub selection: PixelBox,
    /// The box to start from once the picture is in (the search's crop, or
    /// the region the provider searched).
    pub initial: Option<PixelBox>,
    /// Subjects the provider detected, in pixels of the user's picture.
    pub subjects: Vec<PixelBox>,
    /// The subject the box was last set to.
    pub subject: Option<usize>,
    /// Where a mouse drag started (a cell).
    pub drag: Option<(u16, u16)>,
    /// The picture's search has results, so no subjects means the
    /// provider named none (not that it was never asked).
    pub searched: bool,
}

impl CropState {
    pub fn new(source: SearchSource, generation: u64) -> CropState {
        CropState {
            source,
            generation,
            picture: None,
            error: None,
            selection: PixelBox {
                x1: 0,
                y1: 0,
                x2: 1,
                y2: 1,
            },
            initial: None,
            subjects: Vec::new(),
            subject: None,
            drag: None,
            searched: false,
        }
    }
}
