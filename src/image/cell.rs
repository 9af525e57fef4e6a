//! The pixel size of a terminal cell, which protocol pictures are sized
//! for (its own file: the encoders and `protocol` both use it).

/// The pixel size of one terminal cell: what pictures are sized for (the
/// terminal scales them to the cell box anyway; this bounds their bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellSize {
    pub width: u16,
    pub height: u16,
}

impl Default for CellSize {
    /// When the terminal does not say: a common cell at a 10–11 pt font.
    fn default() -> CellSize {
        CellSize {
            width: 10,
            height: 20,
        }
    }
}

impl CellSize {
    /// From the window's size in cells and in pixels (`TIOCGWINSZ`), when
    /// the terminal fills in the pixels and the result is plausible.
    pub fn from_window(columns: u16, rows: u16, width: u16, height: u16) -> CellSize {
        if columns == 0 || rows == 0 {
            return CellSize::default();
        }
        let (w, h) = (width / columns, height / rows);
        if (4..=64).contains(&w) && (8..=128).contains(&h) {
            CellSize {
                width: w,
                height: h,
            }
        } else {
            CellSize::default()
        }
    }
}
