//! Signature verification, written from the providers' documents (not shared
//! with the client, so that a signing bug in the client shows up here).
//!
//! * DajiSaaS `sign`: drop `sign` and empty or null values, sort the names,
//!   join `name=value` with `&`, append `&secret=<appSecret>`, MD5, upper-case
//!   hex.
//! * Signed-header `signature`: upper-case hex MD5 of
//!   `access-key + timestamp + nonce-str + secret`.

use md5::{Digest, Md5};

/// Upper-case hex MD5.
pub fn md5_upper_hex(input: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let digest = Md5::digest(input);
    let mut out = String::with_capacity(32);
    for byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// The string DajiSaaS signs: every parameter except `sign` (and the
/// debug-mode `appSecret`, which replaces a signature rather than being
/// signed) with a non-empty value, sorted by name in byte order, as
/// `name=value` joined by `&`, then `&secret=<appSecret>`. Values are the
/// decoded (not URL-encoded) text.
pub fn daji_canonical<'a, I>(params: I, app_secret: &str) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut kept: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(name, value)| *name != "sign" && *name != "appSecret" && !value.is_empty())
        .collect();
    // Stable: a repeated name keeps the order it was sent in.
    kept.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = String::new();
    for (i, (name, value)) in kept.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out.push_str("&secret=");
    out.push_str(app_secret);
    out
}

/// The DajiSaaS `sign` expected for these parameters.
pub fn daji_sign<'a, I>(params: I, app_secret: &str) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    md5_upper_hex(daji_canonical(params, app_secret).as_bytes())
}

/// The signed-header `signature` expected for these header values.
pub fn header_signature(access_key: &str, timestamp: &str, nonce: &str, secret: &str) -> String {
    let input = [access_key, timestamp, nonce, secret].concat();
    md5_upper_hex(input.as_bytes())
}

/// Compares two secrets or signatures in time that depends only on their
/// lengths, not on where they first differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_vectors() {
        // RFC 1321 test suite.
        assert_eq!(md5_upper_hex(b""), "D41D8CD98F00B204E9800998ECF8427E");
        assert_eq!(md5_upper_hex(b"abc"), "900150983CD24FB0D6963F7D28E17F72");
        assert_eq!(
            md5_upper_hex(b"message digest"),
            "F96B697D7CB7938D525A2F31AAF161D0"
        );
    }

    #[test]
    fn daji_canonical_drops_sign_and_empty_values_and_sorts() {
        let c = daji_canonical(
            [
                ("imageId", "123"),
                ("appKey", "k1"),
                ("beginPage", "1"),
                ("priceStart", ""),
                ("sign", "IGNORED"),
                ("appSecret", "never-signed"),
            ],
            "s3cret",
        );
        assert_eq!(c, "appKey=k1&beginPage=1&imageId=123&secret=s3cret");
        // Byte order: upper case sorts before lower case, '_' between them.
        let c = daji_canonical(
            [
                ("sort", r#"{"price":"asc"}"#),
                ("image_base64", "AAA="),
                ("Zed", "z"),
                ("imageId", "9"),
            ],
            "x",
        );
        assert_eq!(
            c,
            r#"Zed=z&imageId=9&image_base64=AAA=&sort={"price":"asc"}&secret=x"#
        );
    }

    #[test]
    fn daji_sign_vector() {
        // MD5("appKey=k1&beginPage=1&imageId=123&secret=s3cret"), computed
        // independently (Python hashlib), upper-case.
        let s = daji_sign(
            [("imageId", "123"), ("appKey", "k1"), ("beginPage", "1")],
            "s3cret",
        );
        assert_eq!(s, "0BEC28BF88639E5E2D32F7B6049B3F83");
    }

    #[test]
    fn header_signature_vector() {
        // The seed's example header values with secret "mysecret":
        // MD5("58c0201dfdf148eca63cbf6bb5e7cf031715669977082nonce-strmysecret").
        let s = header_signature(
            "58c0201dfdf148eca63cbf6bb5e7cf03",
            "1715669977082",
            "nonce-str",
            "mysecret",
        );
        assert_eq!(s, "4E8739F05C08839466CDB6EBD04B2ABF");
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq("ABC", "ABC"));
        assert!(!constant_time_eq("ABC", "ABD"));
        assert!(!constant_time_eq("ABC", "ABCD"));
        assert!(constant_time_eq("", ""));
    }
}
