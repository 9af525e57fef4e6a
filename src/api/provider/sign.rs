//! Request signing for both providers, as pure functions.
//!
//! Each rule lives in exactly one function with fixed test vectors, so that if
//! a provider turns out to sign differently there is one place to change.

use md5::{Digest, Md5};

/// Upper-case hex MD5 of `input`.
pub fn md5_upper_hex(input: &[u8]) -> String {
    crate::text::hex(&Md5::digest(input)).to_ascii_uppercase()
}

/// Names that never take part in the DajiSaaS signature: the signature itself,
/// and the debug-only secret (sent instead of a signature, never signed).
const DAJI_UNSIGNED: [&str; 2] = ["sign", "appSecret"];

/// DajiSaaS `sign`: drop `sign` (and the debug-only `appSecret`) and absent
/// parameters, sort the remaining names in byte order, join the raw (not
/// URL-encoded) values as `name=value` with `&`, append `&secret=<appSecret>`,
/// and take the upper-case hex MD5 of that UTF-8 string.
///
/// `params` holds only present parameters; a `None` value counts as absent.
pub fn dajisaas_sign<'a, I>(params: I, app_secret: &str) -> String
where
    I: IntoIterator<Item = (&'a str, Option<&'a str>)>,
{
    let mut present: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(name, _)| !DAJI_UNSIGNED.contains(name))
        .filter_map(|(name, value)| value.map(|v| (name, v)))
        .collect();
    present.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let capacity = present
        .iter()
        .map(|(n, v)| n.len() + v.len() + 2)
        .sum::<usize>()
        + app_secret.len()
        + 8;
    let mut canonical = String::with_capacity(capacity);
    for (i, (name, value)) in present.iter().enumerate() {
        if i > 0 {
            canonical.push('&');
        }
        canonical.push_str(name);
        canonical.push('=');
        canonical.push_str(value);
    }
    canonical.push_str("&secret=");
    canonical.push_str(app_secret);
    md5_upper_hex(canonical.as_bytes())
}

/// How a JSON array travels in the DajiSaaS signature: freightEstimate's
/// `logisticsSkuNumModels` is signed as compact JSON, keys in the order
/// sent (`[{"skuId":"…","number":N}]`, `[]` when there are no SKUs).
/// Confidence low–medium: the only public client that signs this call
/// (a Deno "calculate-shipping" function) renders it with
/// `JSON.stringify`; DajiSaaS documents no rule for non-scalar values.
/// The same text is sent in the body, so what is signed is what is sent.
/// SKU ids are digits only (checked before), so nothing needs escaping.
pub fn dajisaas_sku_lines(lines: &[(String, u64)]) -> String {
    let items: Vec<String> = lines
        .iter()
        .map(|(sku, n)| format!(r#"{{"skuId":"{sku}","number":{n}}}"#))
        .collect();
    format!("[{}]", items.join(","))
}

/// Signed-header provider `signature`: upper-case hex MD5 of
/// `access-key + timestamp + nonce-str + secret`, concatenated with no separator.
/// `user-id` is sent but not signed.
pub fn header_signature(access_key: &str, timestamp: &str, nonce: &str, secret: &str) -> String {
    let mut input =
        String::with_capacity(access_key.len() + timestamp.len() + nonce.len() + secret.len());
    input.push_str(access_key);
    input.push_str(timestamp);
    input.push_str(nonce);
    input.push_str(secret);
    md5_upper_hex(input.as_bytes())
}

/// A fresh random 32-character alphanumeric nonce, one per request.
pub fn fresh_nonce() -> String {
    use rand::Rng;
    use rand::distr::Alphanumeric;
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_known_vectors() {
        assert_eq!(md5_upper_hex(b""), "D41D8CD98F00B204E9800998ECF8427E");
        assert_eq!(md5_upper_hex(b"abc"), "900150983CD24FB0D6963F7D28E17F72");
    }

    #[test]
    fn dajisaas_sign_fixed_vector() {
        // Canonical string: "appKey=k1&beginPage=1&imageId=123&secret=s3cret"
        let sign = dajisaas_sign(
            [
                ("imageId", Some("123")),
                ("appKey", Some("k1")),
                ("beginPage", Some("1")),
                ("priceStart", None),
                ("sign", Some("IGNORED")),
                ("appSecret", Some("never-signed")),
            ],
            "s3cret",
        );
        assert_eq!(sign, "0BEC28BF88639E5E2D32F7B6049B3F83");
    }

    #[test]
    fn dajisaas_sign_uses_raw_utf8_values_in_byte_order() {
        // Raw (not URL-encoded) JSON and CJK values; "image_base64" sorts after
        // "country" and before "sort" in byte order.
        let sign = dajisaas_sign(
            [
                ("subject", Some("T恤")),
                ("sort", Some(r#"{"price":"asc"}"#)),
                ("image_base64", Some("iVBORw0KGgo=")),
                ("country", Some("en")),
                ("appKey", Some("demo-key")),
            ],
            "demo-secret",
        );
        assert_eq!(sign, "5751B7E2804A86A3D9AF5829D5B66A76");
    }

    #[test]
    fn sku_lines_are_signed_as_compact_json() {
        let lines = [("4878065068300".to_string(), 300), ("11".to_string(), 200)];
        let text = dajisaas_sku_lines(&lines);
        assert_eq!(
            text,
            r#"[{"skuId":"4878065068300","number":300},{"skuId":"11","number":200}]"#
        );
        assert_eq!(dajisaas_sku_lines(&[]), "[]");
        // What is signed parses back to what is sent.
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back[0]["skuId"], "4878065068300");
        assert_eq!(back[1]["number"], 200);
    }

    #[test]
    fn header_signature_fixed_vector() {
        // The seed's example header values with secret "mysecret".
        let sig = header_signature(
            "58c0201dfdf148eca63cbf6bb5e7cf03",
            "1715669977082",
            "nonce-str",
            "mysecret",
        );
        assert_eq!(sig, "4E8739F05C08839466CDB6EBD04B2ABF");
    }

    #[test]
    fn nonce_is_fresh_and_32_alphanumeric() {
        let (a, b) = (fresh_nonce(), fresh_nonce());
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
