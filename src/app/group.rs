//! Same product, many sellers: grouping a page's offers that show one
//! picture. Pure functions; the view decides how a group is drawn.
//!
//! Two offers show the same picture when their addresses name the same file
//! (the `O1CN…` id 1688's CDN gives every uploaded picture, whatever the
//! host, size suffix or query), or, for re-uploads under a new id, when the
//! pictures' perceptual hashes ([`picture_hash`]) are within a few bits.

use std::collections::HashMap;

use image::imageops::FilterType;

use crate::api::{Offer, Price};

/// Hamming distance up to which two [`picture_hash`]es are taken as one
/// picture. On the simulator's pictures a copy re-encoded at quality 60–85
/// and resized down to 220 px stays within 2 bits (the simulator's own
/// re-uploads: 0 or 2), while pictures of different products are 28 bits
/// apart on average. But result pages hold look-alikes (same product type,
/// close colours) that a luminance hash cannot tell apart: in
/// `tests/grouping.rs`, rows of another product merged into a group are
/// 1 % / 4 % / 15 % / 27 % of 20-row pages at 0 / 2 / 4 / 6 bits, and
/// 7 % / 19 % / 35 % / 55 % of 50-row pages. 2 takes every copy measured;
/// hash merging is best offered as an option, grouping by file is exact.
pub const SAME_PICTURE_BITS: u32 = 2;

pub use crate::api::picture_key;

/// Offers showing one picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Indices into the offers slice, in rank order; the first is the group's row.
    pub members: Vec<usize>,
}

impl Group {
    /// Lowest price among members (None if none has a price).
    pub fn min_price(&self, offers: &[Offer]) -> Option<Price> {
        self.members
            .iter()
            .filter_map(|&i| offers.get(i)?.price)
            .min()
    }
}

/// Offers grouped by picture_key, groups in order of their first member's
/// rank; an offer without key is alone.
pub fn group_offers(offers: &[Offer]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (i, offer) in offers.iter().enumerate() {
        match picture_key(offer) {
            Some(key) => match by_key.get(&key) {
                Some(&g) => groups[g].members.push(i),
                None => {
                    by_key.insert(key, groups.len());
                    groups.push(Group { members: vec![i] });
                }
            },
            None => groups.push(Group { members: vec![i] }),
        }
    }
    groups
}

/// [`group_offers`], then groups merged when a member's picture hash (by
/// offer index; offers without one only group by key) is within
/// `max_distance` bits of a member's of the other group. Merging is
/// transitive: A~B and B~C put A, B and C in one group.
pub fn group_offers_with_hashes(
    offers: &[Offer],
    hashes: &HashMap<usize, u64>,
    max_distance: u32,
) -> Vec<Group> {
    let groups = group_offers(offers);
    let mut parent: Vec<usize> = (0..groups.len()).collect();
    fn root(parent: &mut [usize], mut g: usize) -> usize {
        while parent[g] != g {
            parent[g] = parent[parent[g]];
            g = parent[g];
        }
        g
    }
    let hashed: Vec<(usize, u64)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, group)| {
            group
                .members
                .iter()
                .filter_map(move |i| hashes.get(i).map(|&h| (g, h)))
        })
        .collect();
    for (a, &(ga, ha)) in hashed.iter().enumerate() {
        for &(gb, hb) in &hashed[a + 1..] {
            if (ha ^ hb).count_ones() <= max_distance {
                let (ra, rb) = (root(&mut parent, ga), root(&mut parent, gb));
                // The earlier group absorbs the later, keeping rank order.
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
    }
    let mut merged: Vec<Group> = Vec::new();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    for (g, group) in groups.into_iter().enumerate() {
        let r = root(&mut parent, g);
        match slot.get(&r) {
            Some(&s) => merged[s].members.extend(group.members),
            None => {
                slot.insert(r, merged.len());
                merged.push(group);
            }
        }
    }
    for group in &mut merged {
        group.members.sort_unstable();
    }
    merged
}

/// A 64-bit perceptual hash (pHash) of a picture: its luminance shrunk to
/// 32×32, the 8×8 lowest frequencies of its DCT, one bit per coefficient
/// above their median (the mean brightness left out of the median). A
/// re-encoded or resized copy keeps nearly every bit; flat backgrounds do
/// not make bits that JPEG noise flips, as they do with a difference hash.
/// None when the bytes do not decode (the thumbnails' limits apply).
pub fn picture_hash(bytes: &[u8]) -> Option<u64> {
    const N: usize = 32;
    let img = crate::image::decode_for_thumbnail(bytes, 4 * N as u32, 4 * N as u32).ok()?;
    // f32 pictures are 0..=1 to `image`.
    let luma = image::ImageBuffer::<image::Luma<f32>, Vec<f32>>::from_fn(
        img.width(),
        img.height(),
        |x, y| {
            let [r, g, b] = img.get_pixel(x, y).0.map(|c| f32::from(c) / 255.0);
            image::Luma([0.299 * r + 0.587 * g + 0.114 * b])
        },
    );
    let small = image::imageops::resize(&luma, N as u32, N as u32, FilterType::Triangle);
    let px: Vec<f32> = small.pixels().map(|p| p.0[0]).collect();
    // cos[k][n] of the DCT-II, for the 8 lowest frequencies k.
    let cos: Vec<f32> = (0..8 * N)
        .map(|i| {
            let (k, n) = ((i / N) as f32, (i % N) as f32);
            (std::f32::consts::PI / N as f32 * (n + 0.5) * k).cos()
        })
        .collect();
    // Along rows first (8 frequencies each), then down the columns.
    let mut rows = vec![0f32; N * 8];
    for y in 0..N {
        for k in 0..8 {
            rows[y * 8 + k] = (0..N).map(|x| px[y * N + x] * cos[k * N + x]).sum();
        }
    }
    let mut coef = [0f32; 64];
    for v in 0..8 {
        for u in 0..8 {
            coef[v * 8 + u] = (0..N).map(|y| rows[y * 8 + u] * cos[v * N + y]).sum();
        }
    }
    let mut sorted = coef[1..].to_vec();
    sorted.sort_by(f32::total_cmp);
    let median = sorted[sorted.len() / 2];
    Some(
        coef.iter()
            .fold(0u64, |h, &c| (h << 1) | u64::from(c > median)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(url: &str) -> Offer {
        Offer {
            image_url: Some(url.to_string()),
            ..Offer::default()
        }
    }

    fn key(url: &str) -> Option<String> {
        picture_key(&at(url))
    }

    #[test]
    fn one_file_one_key_whatever_the_host_size_or_query() {
        let id = Some("O1CN01AbCdEf1xyz".to_string());
        for url in [
            "https://cbu01.alicdn.com/img/ibank/O1CN01AbCdEf1xyz_!!2212345-0-cib.jpg",
            "https://cbu01.alicdn.com/img/ibank/O1CN01AbCdEf1xyz_!!2212345-0-cib.jpg_300x300.jpg",
            "https://img.alicdn.com/img/ibank/O1CN01AbCdEf1xyz_!!2212345-0-cib.300x300.jpg?x=1",
            "http://127.0.0.1:8688/img/ibank/O1CN01AbCdEf1xyz_!!99-0-cib.jpg#f",
            " https://cbu01.alicdn.com/O1CN01AbCdEf1xyz_300x300.jpg ",
            "https://cbu01.alicdn.com/O1CN01AbCdEf1xyz.jpg",
        ] {
            assert_eq!(key(url), id, "{url}");
        }
        assert_ne!(
            key("https://cbu01.alicdn.com/img/ibank/O1CN01AbCdEf1xyZ_!!2212345-0-cib.jpg"),
            id
        );
        // Without an O1CN id: the address without query and size suffix.
        let plain = Some("http://img.example/a/b.jpg".to_string());
        for url in [
            "http://img.example/a/b.jpg",
            "http://img.example/a/b.jpg?v=2",
            "http://img.example/a/b.jpg_300x300.jpg",
            "http://img.example/a/b.jpg_300x300q90.jpg",
            "http://img.example/a/b.jpg_.webp",
            "http://img.example/a/b_300x300.jpg",
            "http://img.example/a/b.300x300.jpg",
        ] {
            assert_eq!(key(url), plain, "{url}");
        }
        assert_eq!(
            key("http://img.example/a/c.jpg"),
            Some("http://img.example/a/c.jpg".into())
        );
        assert_eq!(
            key("http://img.example/a/b_x.jpg"),
            Some("http://img.example/a/b_x.jpg".into())
        );
        assert_eq!(
            key("http://img.example/a/O1CN.jpg"),
            Some("http://img.example/a/O1CN.jpg".into())
        );
        assert_eq!(picture_key(&Offer::default()), None);
        assert_eq!(key("  "), None);
        assert_eq!(key("?only=query"), None);
    }

    fn priced(url: Option<&str>, fen: Option<u64>) -> Offer {
        Offer {
            image_url: url.map(str::to_string),
            price: fen.map(Price),
            ..Offer::default()
        }
    }

    #[test]
    fn groups_follow_rank_and_keyless_offers_stand_alone() {
        let a = "https://cbu01.alicdn.com/img/ibank/O1CN01aaaa_!!1-0-cib.jpg";
        let a_small = "https://cbu01.alicdn.com/img/ibank/O1CN01aaaa_!!1-0-cib.jpg_220x220.jpg";
        let b = "https://cbu01.alicdn.com/img/ibank/O1CN01bbbb_!!2-0-cib.jpg";
        let offers = vec![
            priced(Some(b), Some(900)),
            priced(Some(a), None),
            priced(None, Some(100)),
            priced(Some(a_small), Some(1500)),
            priced(None, Some(200)),
            priced(Some(b), Some(850)),
            priced(Some(a), Some(1400)),
        ];
        let groups = group_offers(&offers);
        let members: Vec<Vec<usize>> = groups.iter().map(|g| g.members.clone()).collect();
        assert_eq!(members, vec![vec![0, 5], vec![1, 3, 6], vec![2], vec![4]]);
        assert_eq!(groups[0].min_price(&offers), Some(Price(850)));
        assert_eq!(groups[1].min_price(&offers), Some(Price(1400)));
        let none = Group {
            members: vec![1, 99],
        };
        assert_eq!(none.min_price(&offers), None);
        assert!(group_offers(&[]).is_empty());
    }

    #[test]
    fn hashes_merge_groups_within_the_distance() {
        let offers: Vec<Offer> = ["a", "b", "c", "a", "d"]
            .iter()
            .map(|f| at(&format!("https://cbu01.alicdn.com/O1CN01{f}{f}.jpg")))
            .collect();
        // b is a re-upload of a (2 bits), d of c by way of nothing (40 bits).
        let hashes = HashMap::from([(0, 0u64), (1, 0b11), (2, u64::MAX), (4, 0xFF_FFFF_FFFF)]);
        let groups = group_offers_with_hashes(&offers, &hashes, SAME_PICTURE_BITS);
        let members: Vec<Vec<usize>> = groups.iter().map(|g| g.members.clone()).collect();
        assert_eq!(members, vec![vec![0, 1, 3], vec![2], vec![4]]);
        // Distance 0 merges only equal hashes; no hashes: by key only.
        let members = |g: Vec<Group>| g.into_iter().map(|g| g.members).collect::<Vec<_>>();
        assert_eq!(
            members(group_offers_with_hashes(&offers, &hashes, 0)),
            vec![vec![0, 3], vec![1], vec![2], vec![4]]
        );
        assert_eq!(
            members(group_offers_with_hashes(&offers, &HashMap::new(), 64)),
            members(group_offers(&offers))
        );
        // Transitive, and a later group joins the earlier one in rank order.
        let chain = HashMap::from([(4, 0u64), (2, 0b111), (1, 0b111_111)]);
        assert_eq!(
            members(group_offers_with_hashes(&offers, &chain, 3)),
            vec![vec![0, 3], vec![1, 2, 4]]
        );
    }

    fn reencode(jpeg: &[u8], side: u32, quality: u8) -> Vec<u8> {
        let img = image::load_from_memory(jpeg).unwrap().to_rgb8();
        let img = image::imageops::resize(&img, side, side, FilterType::Triangle);
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
            .encode_image(&img)
            .unwrap();
        out
    }

    /// A re-encoded, resized copy of a simulator picture stays within
    /// [`SAME_PICTURE_BITS`]; other products' pictures are farther.
    #[test]
    fn hashes_of_copies_are_close_and_of_other_pictures_far() {
        let offers = tusou_sim::catalog::generate(tusou_sim::DEFAULT_SEED, 150);
        let hashed: Vec<(u64, u64)> = offers
            .iter()
            .map(|o| (o.group, picture_hash(&o.picture.jpeg(&o.art)).unwrap()))
            .collect();
        let mut worst_copy = 0;
        for o in offers.iter().take(40) {
            let jpeg = o.picture.jpeg(&o.art);
            let h = picture_hash(&jpeg).unwrap();
            for (side, quality) in [(600, 60), (450, 75), (300, 85), (220, 70)] {
                let d = (h ^ picture_hash(&reencode(&jpeg, side, quality)).unwrap()).count_ones();
                worst_copy = worst_copy.max(d);
            }
        }
        // The simulator's own re-uploads, against the file they copy.
        for (o, &(_, h)) in offers.iter().zip(&hashed) {
            if let Some(first) = offers.iter().position(|f| f.offer_id == o.group)
                && o.art == offers[first].art
            {
                worst_copy = worst_copy.max((h ^ hashed[first].1).count_ones());
            }
        }
        assert!(worst_copy <= SAME_PICTURE_BITS, "copy {worst_copy} bits");
        let (mut close, mut pairs, mut sum) = (0, 0, 0u64);
        for (i, &(ga, ha)) in hashed.iter().enumerate() {
            for &(gb, hb) in &hashed[i + 1..] {
                if ga == gb {
                    continue; // one product
                }
                let d = (ha ^ hb).count_ones();
                pairs += 1;
                sum += u64::from(d);
                close += usize::from(d <= SAME_PICTURE_BITS);
            }
        }
        eprintln!(
            "pHash: copies within {worst_copy} bits; other products {:.1} bits apart on average, \
             {close} of {pairs} pairs within {SAME_PICTURE_BITS}",
            sum as f64 / pairs as f64
        );
        assert!(sum / pairs as u64 >= 20);
        assert!(
            close * 100 <= pairs,
            "{close} of {pairs} different pairs look alike"
        );
        assert_eq!(picture_hash(b"not a picture"), None);
    }
}
