//! A picture's metadata may not cost more memory than its pixels: a 1×1 PNG
//! whose colour profile (iCCP, zlib) inflates to 256 MB is decoded,
//! prepared and drawn as a thumbnail with a few MB at most. Memory is
//! measured by counting this test binary's allocations (its only test, so
//! nothing else allocates meanwhile).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = NOW.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is passed on to the system allocator unchanged; the
// counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as the caller's contract with us.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as the caller's contract with us.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as the caller's contract with us.
        unsafe { System.dealloc(ptr, layout) };
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as the caller's contract with us.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            NOW.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Most bytes held at once while `f` runs, above what was held before.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = NOW.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

/// A zlib stream of `n` zero bytes (n ≥ 1), built by hand: one fixed-Huffman
/// block of a literal 0 and then matches of 258 bytes at distance 1, 13
/// bits each, so 256 MB take 1.6 MB, and no compressor is needed.
fn zeros_zlib(n: usize) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        len: u32,
    }
    impl Bits {
        /// `len` bits of `value`, least significant first.
        fn put(&mut self, value: u32, len: u32) {
            self.acc |= u64::from(value) << self.len;
            self.len += len;
            while self.len >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.len -= 8;
            }
        }
        /// A Huffman code: most significant bit first.
        fn code(&mut self, code: u32, len: u32) {
            let reversed = code.reverse_bits() >> (32 - len);
            self.put(reversed, len);
        }
    }
    let mut b = Bits {
        out: vec![0x78, 0x01],
        acc: 0,
        len: 0,
    };
    b.put(1, 1); // the last block
    b.put(1, 2); // fixed Huffman codes
    b.code(0x30, 8); // literal 0
    let rest = n - 1;
    for _ in 0..rest / 258 {
        b.code(0xC5, 8); // length 258 (symbol 285)
        b.code(0, 5); // distance 1
    }
    for _ in 0..rest % 258 {
        b.code(0x30, 8);
    }
    b.code(0, 7); // end of block (symbol 256)
    b.put(0, 7); // to a whole byte
    let mut out = b.out;
    // Adler-32 of zeros: a stays 1, b adds 1 a byte.
    let adler = (((n % 65_521) as u32) << 16) | 1;
    out.extend_from_slice(&adler.to_be_bytes());
    out
}

/// A 1×1 RGB PNG whose iCCP chunk inflates to `profile_bytes`.
fn png_with_profile(profile_bytes: usize) -> Vec<u8> {
    let mut iccp = b"huge\0\0".to_vec();
    iccp.extend(zeros_zlib(profile_bytes));
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, 1, 1);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().expect("header");
    writer
        .write_chunk(png::chunk::iCCP, &iccp)
        .expect("profile");
    writer.write_image_data(&[200, 100, 50]).expect("pixel");
    writer.finish().expect("finish");
    out
}

const PROFILE: usize = 256 << 20;
/// Far below the profile, far above what a 1×1 picture needs.
const ALLOWED: usize = 16 << 20;

#[test]
fn a_huge_colour_profile_is_never_inflated() {
    let png = png_with_profile(PROFILE);
    assert!(png.len() < 2 << 20, "{} bytes", png.len());

    let (thumb, peak) = peak_of(|| tusou::image::decode_for_thumbnail(&png, 40, 40));
    let thumb = thumb.expect("the picture decodes");
    assert_eq!(thumb.dimensions(), (1, 1));
    assert!(peak < ALLOWED, "thumbnail: {} MB at most", peak >> 20);

    let (cells, peak) = peak_of(|| tusou::image::HalfBlockImage::from_bytes(&png, 40, 20));
    assert!(cells.is_ok(), "{cells:?}");
    assert!(peak < ALLOWED, "half blocks: {} MB at most", peak >> 20);

    let (crop, peak) = peak_of(|| tusou::image::decode_with_size(&png, 512, 512));
    assert_eq!(crop.expect("decodes").1, (1, 1));
    assert!(peak < ALLOWED, "crop preview: {} MB at most", peak >> 20);

    let opts = tusou::image::PrepareOptions::default();
    let (prepared, peak) = peak_of(|| tusou::image::prepare(&png, &opts));
    let prepared = prepared.expect("prepares");
    assert_eq!((prepared.source.width, prepared.source.height), (1, 1));
    assert!(peak < ALLOWED, "prepare: {} MB at most", peak >> 20);
}
