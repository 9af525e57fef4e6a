//! Compact image descriptors and their distance: an 8×8 grid of mean colours
//! in an opponent colour space (layout) plus a 4×4×4 colour histogram
//! (palette), both from a 16×16 box-downscaled image.

use image::{RgbImage, imageops};

/// Side of the image descriptors are computed from.
pub const DESCRIPTOR_SIDE: u32 = 16;
const GRID: usize = 8;
const BINS: usize = 4;

#[derive(Debug, Clone, PartialEq)]
pub struct Descriptor {
    grid: [[f32; 3]; GRID * GRID],
    hist: [f32; BINS * BINS * BINS],
}

/// Opponent colour space: lightness plus two chroma axes, so a change of hue
/// costs about as much as a change of brightness (plain RGB under-weights it).
fn opponent(rgb: [u8; 3]) -> [f32; 3] {
    let [r, g, b] = rgb.map(|v| f32::from(v) / 255.0);
    [(r + g + b) / 3.0, (r - g) * 0.8, ((r + g) * 0.5 - b) * 0.8]
}

impl Descriptor {
    /// From any image: box-downscales it to 16×16 first.
    pub fn of_image(img: &RgbImage) -> Descriptor {
        if img.width() == DESCRIPTOR_SIDE && img.height() == DESCRIPTOR_SIDE {
            return Self::of_small(img);
        }
        let small = imageops::thumbnail(img, DESCRIPTOR_SIDE, DESCRIPTOR_SIDE);
        Self::of_small(&small)
    }

    /// From an image that is already 16×16.
    fn of_small(img: &RgbImage) -> Descriptor {
        let mut grid = [[0.0f32; 3]; GRID * GRID];
        let mut hist = [0.0f32; BINS * BINS * BINS];
        let cell = (DESCRIPTOR_SIDE as usize) / GRID;
        let per_cell = 1.0 / (cell * cell) as f32;
        let per_pixel = 1.0 / (DESCRIPTOR_SIDE * DESCRIPTOR_SIDE) as f32;
        for (x, y, px) in img.enumerate_pixels() {
            let (x, y) = (x as usize, y as usize);
            let o = opponent(px.0);
            let g = &mut grid[(y / cell) * GRID + x / cell];
            for (a, v) in g.iter_mut().zip(o) {
                *a += v * per_cell;
            }
            let bin = |v: u8| usize::from(v) * BINS / 256;
            let [r, gg, b] = px.0;
            hist[(bin(r) * BINS + bin(gg)) * BINS + bin(b)] += per_pixel;
        }
        Descriptor { grid, hist }
    }

    /// Smaller is more alike; 0 for identical descriptors.
    pub fn distance(&self, other: &Descriptor) -> f32 {
        let grid: f32 = self
            .grid
            .iter()
            .zip(&other.grid)
            .map(|(a, b)| {
                let d = [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
                d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
            })
            .sum::<f32>()
            / (GRID * GRID) as f32;
        let hist: f32 = self
            .hist
            .iter()
            .zip(&other.hist)
            .map(|(a, b)| (a - b).abs())
            .sum();
        grid + 0.02 * hist
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_images_have_zero_distance_and_colours_matter() {
        let red = RgbImage::from_pixel(40, 30, image::Rgb([200, 20, 20]));
        let blue = RgbImage::from_pixel(40, 30, image::Rgb([20, 20, 200]));
        let a = Descriptor::of_image(&red);
        assert_eq!(a.distance(&a), 0.0);
        assert!(a.distance(&Descriptor::of_image(&blue)) > 0.05);
    }
}
