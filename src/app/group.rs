//! Same product, many sellers: grouping a page's offers that show one
//! picture. Pure functions; the view decides how a group is drawn.
//!
//! Two offers show the same picture when their addresses name the same file
//! (the `O1CN…` id 1688's CDN gives every uploaded picture, whatever the
//! host, size suffix or query). Re-uploads under a new id are not caught: a
//! 64-bit dHash of the simulator's pictures put 6.7 % of different products
//! within 6 bits of each other, too many false merges to group by.

use std::collections::HashMap;

use crate::api::{Offer, Price};

/// The picture file's identity: the `O1CN…` id in the URL's last path
/// segment (up to `_!!` or the extension / alicdn size suffix like
/// `_300x300.jpg`), else the URL without query and without an alicdn size
/// suffix; None without a picture URL.
pub fn picture_key(offer: &Offer) -> Option<String> {
    let url = offer.image_url.as_deref()?.trim();
    let url = url.split(['?', '#']).next().unwrap_or("");
    if url.is_empty() {
        return None;
    }
    let last = url.rsplit('/').next().unwrap_or(url);
    if let Some(at) = last.find("O1CN") {
        let id: String = last[at..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        if id.len() > "O1CN".len() {
            return Some(id);
        }
    }
    Some(without_size_suffix(url).to_string())
}

const PICTURE_EXTENSIONS: [&str; 5] = [".jpg", ".jpeg", ".png", ".webp", ".gif"];

/// Drops an alicdn size suffix: `a.jpg_300x300.jpg`, `a.jpg_.webp`,
/// `a.300x300.jpg` → `a.jpg`; `a_300x300.jpg` → `a.jpg`.
fn without_size_suffix(url: &str) -> std::borrow::Cow<'_, str> {
    let lower = url.to_ascii_lowercase();
    let Some(ext) = PICTURE_EXTENSIONS.iter().find(|e| lower.ends_with(*e)) else {
        return url.into();
    };
    let stem = &url[..url.len() - ext.len()];
    // `a.jpg_300x300` / `a.jpg_` → `a.jpg`
    let stem_lower = &lower[..stem.len()];
    for inner in PICTURE_EXTENSIONS {
        if let Some(at) = stem_lower.rfind(&format!("{inner}_"))
            && is_size(&stem[at + inner.len() + 1..])
        {
            return stem[..at + inner.len()].to_string().into();
        }
    }
    // `a_300x300` / `a.300x300` → `a` + ext
    if let Some(at) = stem.rfind(['_', '.'])
        && is_size(&stem[at + 1..])
        && !stem[at + 1..].is_empty()
        && !stem[..at].ends_with('/')
    {
        return format!("{}{ext}", &stem[..at]).into();
    }
    url.into()
}

/// `300x300`, `300x300q90`, `q90`, or nothing.
fn is_size(s: &str) -> bool {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let (dims, quality) = s.split_once('q').map_or((s, None), |(d, q)| (d, Some(q)));
    let dims_ok = dims.is_empty()
        || dims
            .split_once('x')
            .is_some_and(|(w, h)| digits(w) && digits(h));
    dims_ok && quality.is_none_or(digits)
}

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
}
