//! Pictures in requests: base64 decoding under the providers' size and
//! format rules, decoding and cropping, and the 1688-only link rule.

use std::io::Cursor;

use base64::Engine;
use image::RgbImage;

use super::{ApiErr, MAX_IMAGE_BYTES, bad};
use crate::catalog::Catalog;
use crate::region::Region;

/// Decodes a base64 image and applies the provider's size and format rules.
pub(super) fn decode_base64_image(raw: &str) -> Result<Vec<u8>, ApiErr> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    // Tolerate a data-URL prefix and line breaks, as many clients send them.
    let body = match raw.split_once(";base64,") {
        Some((prefix, rest)) if prefix.starts_with("data:") => rest,
        _ => raw,
    };
    let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return Err(bad("图片base64不能为空 image base64 is empty"));
    }
    // Reject before decoding anything absurdly large.
    if compact.len() / 4 * 3 > MAX_IMAGE_BYTES + 3 {
        return Err(bad("图片大小不能超过3MB image exceeds 3 MB"));
    }
    let bytes = LENIENT
        .decode(compact.as_bytes())
        .map_err(|_| bad("图片base64解码失败 invalid image base64"))?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(bad("图片大小不能超过3MB image exceeds 3 MB"));
    }
    let is_jpeg = bytes.starts_with(&[0xFF, 0xD8, 0xFF]);
    let is_png = bytes.starts_with(b"\x89PNG\r\n\x1a\n");
    let is_webp = bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP";
    if !(is_jpeg || is_png || is_webp) {
        return Err(bad(
            "图片格式不支持，仅支持JPG、PNG、WEBP unsupported image format: only JPG, PNG and WEBP are accepted",
        ));
    }
    Ok(bytes)
}

/// Decodes image bytes with limits, off the async threads.
pub(super) async fn decode_image(bytes: Vec<u8>) -> Result<RgbImage, ApiErr> {
    let decoded = tokio::task::spawn_blocking(move || {
        let mut reader = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(12_000);
        limits.max_image_height = Some(12_000);
        limits.max_alloc = Some(256 * 1024 * 1024);
        reader.limits(limits);
        Ok::<_, anyhow::Error>(reader.decode()?.to_rgb8())
    })
    .await;
    match decoded {
        Ok(Ok(img)) if img.width() > 0 && img.height() > 0 => Ok(img),
        _ => Err(bad("图片解析失败 image could not be decoded")),
    }
}

/// Crops `img` to `r`, given in pixels of a `full_w`×`full_h` original of
/// which `img` is a (possibly smaller) copy.
pub(super) fn crop_scaled(img: &RgbImage, r: Region, full_w: u32, full_h: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let sx = |x: u32| (u64::from(x) * u64::from(w) / u64::from(full_w.max(1))) as u32;
    let sy = |y: u32| (u64::from(y) * u64::from(h) / u64::from(full_h.max(1))) as u32;
    let (x1, y1) = (
        sx(r.x1).min(w.saturating_sub(1)),
        sy(r.y1).min(h.saturating_sub(1)),
    );
    let x2 = sx(r.x2).clamp(x1 + 1, w.max(x1 + 1));
    let y2 = sy(r.y2).clamp(y1 + 1, h.max(y1 + 1));
    image::imageops::crop_imm(img, x1, y1, x2 - x1, y2 - y1).to_image()
}

/// What a picture link names, by the 1688-only rule.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Link {
    /// The simulator's own `/img/{offerId}.jpg` (its stand-in for alicdn).
    Own(u64),
    /// The simulator's own `/img/ibank/{file}.jpg`, alicdn's shape: the
    /// picture file (named without extension or size suffix).
    OwnFile(String),
    /// A picture on `*.alicdn.com` or `*.1688.com`.
    Alibaba,
}

fn is_alibaba_host(host: &str) -> bool {
    ["alicdn.com", "1688.com"]
        .iter()
        .any(|d| host == *d || host.strip_suffix(d).is_some_and(|h| h.ends_with('.')))
}

/// Classifies a picture link: `Some` for a 1688 picture link (host
/// `*.alicdn.com` or `*.1688.com`, or this simulator's own `/img/{id}.jpg`
/// at one of the `own` authorities), `None` for anything else.
pub(super) fn classify_link(url: &str, own: &[&str]) -> Option<Link> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host_ok = |h: &str| {
        !h.is_empty()
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.starts_with('[') => (h, Some(p)),
        _ => (authority, None),
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let host = host.to_ascii_lowercase();
    if host_ok(&host) && is_alibaba_host(&host) {
        return Some(Link::Alibaba);
    }
    if scheme == "http" && own.iter().any(|o| o.eq_ignore_ascii_case(authority)) {
        let path = tail.split(['?', '#']).next().unwrap_or("");
        if let Some(file) = path.strip_prefix("/img/ibank/") {
            return picture_file(file).map(|f| Link::OwnFile(f.to_string()));
        }
        let id = path.strip_prefix("/img/")?.strip_suffix(".jpg")?;
        if id.is_empty() || id.len() > 19 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return id.parse().ok().map(Link::Own);
    }
    None
}

/// The file a `/img/ibank/` path segment names: `O1CN…-cib` from
/// `O1CN…-cib.jpg`, also with an alicdn size suffix (`.jpg_300x300.jpg`).
pub(super) fn picture_file(segment: &str) -> Option<&str> {
    let file = segment.split_once(".jpg").map(|(f, _)| f)?;
    let ok = !file.is_empty()
        && file.len() <= 64
        && file
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_!-".contains(&b));
    ok.then_some(file)
}

/// Whether an alicdn/1688 link's path names a picture file (allowing a
/// size suffix such as `_300x300.jpg`).
pub(super) fn looks_like_picture(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".webp"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// The catalog offer whose picture stands in for an alicdn/1688 picture
/// the simulator cannot download: the same link always gives the same one.
pub(super) fn stand_in_offer(catalog: &Catalog, url: &str) -> Option<u64> {
    use md5::{Digest, Md5};
    let digest = Md5::digest(url.trim().as_bytes());
    let mut first8 = [0u8; 8];
    first8.copy_from_slice(&digest[..8]);
    let n = catalog.offers.len() as u64;
    let i = u64::from_le_bytes(first8) % n.max(1);
    catalog.offers.get(i as usize).map(|o| o.offer_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picture_links_follow_the_1688_rule() {
        let own = ["127.0.0.1:8688"];
        for ok in [
            "https://cbu01.alicdn.com/img/ibank/O1CN01Gf8JoQ20i0lN5N8v2_!!2207943566882-0-cib.jpg",
            "http://img.alicdn.com/a.jpg",
            "https://ALICDN.com/a.png",
            "https://cbu01.1688.com:443/x.jpg",
        ] {
            assert_eq!(classify_link(ok, &own), Some(Link::Alibaba), "{ok}");
        }
        assert_eq!(
            classify_link("http://127.0.0.1:8688/img/512345678901.jpg?x=1", &own),
            Some(Link::Own(512345678901))
        );
        for shape in [
            "O1CN01ab_!!22-0-cib.jpg",
            "O1CN01ab_!!22-0-cib.jpg_300x300.jpg",
        ] {
            assert_eq!(
                classify_link(&format!("http://127.0.0.1:8688/img/ibank/{shape}"), &own),
                Some(Link::OwnFile("O1CN01ab_!!22-0-cib".into()))
            );
        }
        assert_eq!(
            classify_link("http://127.0.0.1:8688/img/ibank/a%2Fb.jpg", &own),
            None
        );
        for no in [
            "https://example.com/img/5.jpg",
            "http://images.example:1234/img/5.jpg",
            "http://127.0.0.1:9999/img/5.jpg",
            "https://127.0.0.1:8688/img/5.jpg",
            "http://127.0.0.1:8688/other/5.jpg",
            "http://127.0.0.1:8688/img/.jpg",
            "http://127.0.0.1:8688/img/99999999999999999999999.jpg",
            "ftp://cbu01.alicdn.com/a.jpg",
            "https://evilalicdn.com/a.jpg",
            "https://alicdn.com.evil.org/a.jpg",
            "https://user@cbu01.alicdn.com/a.jpg",
            "https://cbu01.alicdn.com:x/a.jpg",
            "cbu01.alicdn.com/a.jpg",
            "",
        ] {
            assert_eq!(classify_link(no, &own), None, "{no}");
        }
        assert!(looks_like_picture(
            "https://cbu01.alicdn.com/a_300x300.jpg?x"
        ));
        assert!(!looks_like_picture("https://detail.1688.com/offer/1.html"));
    }

    #[test]
    fn base64_rules() {
        use base64::engine::general_purpose::STANDARD;
        let png = STANDARD.encode(b"\x89PNG\r\n\x1a\nrest");
        assert!(decode_base64_image(&png).is_ok());
        assert!(decode_base64_image(&format!("data:image/png;base64,{png}")).is_ok());
        assert_eq!(decode_base64_image("!!!").err().map(|e| e.code), Some(400));
        let gif = STANDARD.encode(b"GIF89a.....");
        assert!(
            decode_base64_image(&gif)
                .err()
                .is_some_and(|e| e.msg.contains("JPG"))
        );
        let huge = STANDARD.encode(vec![0xFFu8; MAX_IMAGE_BYTES + 10]);
        assert!(
            decode_base64_image(&huge)
                .err()
                .is_some_and(|e| e.msg.contains("3MB"))
        );
    }

    #[test]
    fn crops_map_onto_smaller_copies() {
        let img = RgbImage::new(60, 30);
        let r = Region {
            x1: 300,
            x2: 600,
            y1: 0,
            y2: 100,
        };
        let c = crop_scaled(&img, r, 600, 300);
        assert_eq!(c.dimensions(), (30, 10));
        // A box thinner than one thumbnail pixel still crops one pixel.
        let thin = Region {
            x1: 599,
            x2: 600,
            y1: 299,
            y2: 300,
        };
        assert_eq!(crop_scaled(&img, thin, 600, 300).dimensions(), (1, 1));
    }
}
