//! Credential checks: the DajiSaaS `appKey`/`sign` parameters and the
//! signed-header provider's headers and timestamp.

use axum::http::HeaderMap;

use super::{ApiErr, MAX_SKEW_MS, denied};
use crate::SimState;
use crate::sign;

pub(super) fn first<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Present and non-empty.
pub(super) fn given<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    first(fields, name).filter(|v| !v.trim().is_empty())
}

pub(super) fn check_daji(state: &SimState, fields: &[(String, String)]) -> Result<(), ApiErr> {
    let creds = &state.credentials;
    let app_key = given(fields, "appKey").ok_or_else(|| denied("缺少appKey参数 missing appKey"))?;
    if !sign::constant_time_eq(app_key, &creds.app_key) {
        return Err(denied("appKey不存在或已停用 invalid appKey"));
    }
    // Debug mode: the secret itself stands in for a signature.
    if let Some(secret) = given(fields, "appSecret") {
        return if sign::constant_time_eq(secret, &creds.app_secret) {
            Ok(())
        } else {
            Err(denied("appSecret错误 invalid appSecret"))
        };
    }
    let sent = given(fields, "sign").ok_or_else(|| denied("缺少sign参数 missing sign"))?;
    let expected = sign::daji_sign(
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &creds.app_secret,
    );
    if sign::constant_time_eq(&sent.to_ascii_uppercase(), &expected) {
        Ok(())
    } else {
        Err(denied("签名校验失败 sign verification failed"))
    }
}

pub(super) fn check_signed_headers(state: &SimState, headers: &HeaderMap) -> Result<(), ApiErr> {
    let creds = &state.credentials;
    let get = |name: &'static str| -> Result<&str, ApiErr> {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| denied(format!("缺少请求头{name} missing header: {name}")))
    };
    let access_key = get("access-key")?;
    let timestamp = get("timestamp")?;
    let user_id = get("user-id")?;
    let signature = get("signature")?;
    // The seed marks nonce-str optional; absent, it signs as empty.
    let nonce = headers
        .get("nonce-str")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !sign::constant_time_eq(access_key, &creds.access_key) {
        return Err(denied("access-key无效 invalid access-key"));
    }
    if user_id != creds.user_id {
        return Err(denied(
            "user-id与access-key不匹配 user-id does not match access-key",
        ));
    }
    let ts: u64 = timestamp
        .parse()
        .map_err(|_| denied("timestamp格式错误 invalid timestamp"))?;
    // Values below 10^11 are seconds (10^11 ms is in 1973).
    let ts_ms = if ts < 100_000_000_000 {
        ts.saturating_mul(1000)
    } else {
        ts
    };
    if state.clock.now_ms().abs_diff(ts_ms) > MAX_SKEW_MS {
        return Err(denied(
            "请求已过期，timestamp与服务器时间相差超过600秒 request expired: timestamp is more than 600 s from server time",
        ));
    }
    let expected = sign::header_signature(access_key, timestamp, nonce, &creds.secret_key);
    if sign::constant_time_eq(&signature.to_ascii_uppercase(), &expected) {
        Ok(())
    } else {
        Err(denied("签名校验失败 signature verification failed"))
    }
}
