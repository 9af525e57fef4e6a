//! The identity of an offer's picture file, whatever address it is given
//! under: what grouping one product's sellers by picture file rests on.

use super::Offer;

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
