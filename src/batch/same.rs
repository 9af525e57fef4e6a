//! Same product among a photo's matches, for the sheet: matches showing one
//! picture file, or pictures the matcher takes for one product (their
//! thumbnails are fetched for the sheet anyway), are one group, named after
//! its first match's rank, with its seller count and cheapest price.

use crate::api::picture_key;
use crate::export::sheet::{Match, PhotoOutcome, PhotoResult, SameOf};
use tusou_same::{Signature, compare};

/// Marks every done photo's matches with their same-product group.
pub(crate) fn mark_same_product(photos: &mut [PhotoResult]) {
    for photo in photos {
        if let PhotoOutcome::Done { matches, .. } = &mut photo.outcome {
            mark(matches);
        }
    }
}

/// Each match joins the first earlier group whose first match shows the
/// same file or, by the matcher, the same product; groups of two or more
/// are marked.
fn mark(matches: &mut [Match]) {
    let keys: Vec<Option<String>> = matches.iter().map(|m| picture_key(&m.offer)).collect();
    let signatures: Vec<Option<Signature>> = matches.iter().map(signature).collect();
    let mut first: Vec<usize> = (0..matches.len()).collect();
    for i in 0..matches.len() {
        let same_as = (0..i).filter(|&j| first[j] == j).find(|&j| {
            let same_file = keys[i].is_some() && keys[i] == keys[j];
            let same_picture = match (&signatures[i], &signatures[j]) {
                (Some(a), Some(b)) => compare(a, b).same,
                _ => false,
            };
            same_file || same_picture
        });
        if let Some(j) = same_as {
            first[i] = j;
        }
    }
    for root in 0..matches.len() {
        let members: Vec<usize> = (0..matches.len()).filter(|&i| first[i] == root).collect();
        if members.len() < 2 {
            continue;
        }
        let same = SameOf {
            group: matches[root].rank,
            count: members.len(),
            from: members.iter().filter_map(|&i| matches[i].offer.price).min(),
        };
        for i in members {
            matches[i].same = Some(same);
        }
    }
}

fn signature(m: &Match) -> Option<Signature> {
    let thumb = m.thumb.as_deref()?;
    let img = crate::image::decode_for_thumbnail(thumb, 256, 256).ok()?;
    Signature::of_image(&img)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Offer, Price};

    fn at(rank: usize, url: &str, fen: u64) -> Match {
        Match {
            rank,
            offer: Offer {
                image_url: Some(url.into()),
                price: Some(Price(fen)),
                ..Offer::default()
            },
            thumb: None,
            detail: None,
            landed: None,
            same: None,
        }
    }

    #[test]
    fn matches_of_one_picture_file_are_one_group_with_its_cheapest_price() {
        let mut matches = vec![
            at(
                1,
                "https://cbu01.alicdn.com/img/ibank/O1CN01Aa_!!1.jpg",
                1500,
            ),
            at(
                2,
                "https://cbu01.alicdn.com/img/ibank/O1CN01Bb_!!2.jpg",
                900,
            ),
            at(
                3,
                "https://img.alicdn.com/O1CN01Aa_!!1.jpg_300x300.jpg",
                1180,
            ),
        ];
        mark(&mut matches);
        let group = SameOf {
            group: 1,
            count: 2,
            from: Some(Price(1180)),
        };
        assert_eq!(matches[0].same, Some(group));
        assert_eq!(matches[2].same, Some(group));
        assert_eq!(matches[1].same, None);
    }
}
