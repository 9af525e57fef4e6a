//! Runtime fault control, for demonstrating the client's recovery:
//! `GET /_sim/faults` shows the active faults, `POST /_sim/faults` with
//! `{"faults":["server-error"],"rate":0.3,"first":null,"latency_ms":300}`
//! replaces them. The same body may carry `"rate_limit"`: requests per
//! second, or null for none; absent, the limit stays as it is (it is the
//! provider's, not a fault). Served only when the simulator is bound to
//! loopback.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

use crate::faults::{FaultKind, Faults, Latency};

/// Largest control body read.
pub(crate) const MAX_CONTROL_BODY: usize = 64 * 1024;

/// `latency_ms`: a number of milliseconds, `"MIN..MAX"`, or null for none.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub(crate) enum LatencySpec {
    Fixed(u64),
    Text(String),
}

/// The body of `POST /_sim/faults`. Absent fields take the same defaults as
/// the command line: no faults, rate 1.0 when faults are given, every
/// request eligible, no latency, Retry-After 1 s; the rate limit unchanged.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultsUpdate {
    #[serde(default)]
    pub faults: Vec<FaultKind>,
    pub rate: Option<f64>,
    pub first: Option<u32>,
    pub latency_ms: Option<LatencySpec>,
    pub retry_after: Option<u64>,
    pub seed: Option<u64>,
    /// Absent: unchanged; null: no limit; a number: requests per second.
    #[serde(default, deserialize_with = "present")]
    pub rate_limit: Option<Option<f64>>,
}

/// Tells a field given as null (`Some(None)`) from one left out (`None`,
/// through `#[serde(default)]`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
    Option::<f64>::deserialize(d).map(Some)
}

impl FaultsUpdate {
    /// The faults, and the rate limit to set if the update names one
    /// (`Some(None)`: lift it). Checked in full before anything is applied.
    pub(crate) fn into_parts(self) -> Result<(Faults, Option<Option<f64>>), String> {
        let rate_limit = match self.rate_limit {
            Some(Some(r)) => Some(Some(crate::limit::check_rate(r)?)),
            other => other,
        };
        Ok((self.into_faults()?, rate_limit))
    }

    pub(crate) fn into_faults(self) -> Result<Faults, String> {
        let rate = match self.rate {
            Some(r) if (0.0..=1.0).contains(&r) => r,
            Some(_) => return Err("rate must be within 0.0..=1.0".into()),
            None if self.faults.is_empty() => 0.0,
            None => 1.0,
        };
        let latency = match self.latency_ms {
            None => Latency::None,
            Some(LatencySpec::Fixed(ms)) => Latency::Fixed(Duration::from_millis(ms)),
            Some(LatencySpec::Text(s)) => parse_latency(&s)?,
        };
        Ok(Faults {
            latency,
            kinds: self.faults,
            rate,
            first_n: self.first,
            retry_after_secs: self.retry_after.unwrap_or(1),
            seed: self.seed,
        })
    }
}

/// Parses "300", "100..800" or "" (milliseconds).
pub(crate) fn parse_latency(s: &str) -> Result<Latency, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(Latency::None);
    }
    let ms = |v: &str| -> Result<Duration, String> {
        v.trim()
            .parse::<u64>()
            .map(Duration::from_millis)
            .map_err(|_| {
                format!(
                    "latency {:?} is not a number of milliseconds",
                    crate::text::clean(v, 40)
                )
            })
    };
    match s.split_once("..") {
        None => Ok(Latency::Fixed(ms(s)?)),
        Some((lo, hi)) => {
            let (min, max) = (ms(lo)?, ms(hi.trim_start_matches('='))?);
            if min > max {
                return Err(format!(
                    "latency range {:?} has min > max",
                    crate::text::clean(s, 40)
                ));
            }
            Ok(Latency::Random { min, max })
        }
    }
}

fn latency_json(l: &Latency) -> Value {
    match l {
        Latency::None => Value::Null,
        Latency::Fixed(d) => json!(d.as_millis() as u64),
        Latency::Random { min, max } => {
            json!(format!("{}..{}", min.as_millis(), max.as_millis()))
        }
    }
}

/// What `GET /_sim/faults` answers; the same shape `POST` takes, plus the
/// number of API requests since the faults were set.
pub(crate) fn faults_json(f: &Faults, requests_since_set: u64, rate_limit: Option<f64>) -> Value {
    json!({
        "faults": f.kinds,
        "rate": f.rate,
        "first": f.first_n,
        "latency_ms": latency_json(&f.latency),
        "retry_after": f.retry_after_secs,
        "seed": f.seed,
        "rate_limit": rate_limit,
        "requests_since_set": requests_since_set,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_parses_like_the_readme_example() {
        let u: FaultsUpdate = serde_json::from_str(
            r#"{"faults":["server-error"],"rate":0.3,"first":null,"latency_ms":300}"#,
        )
        .unwrap();
        let f = u.into_faults().unwrap();
        assert_eq!(f.kinds, vec![FaultKind::ServerError]);
        assert_eq!(f.rate, 0.3);
        assert_eq!(f.first_n, None);
        assert_eq!(f.latency, Latency::Fixed(Duration::from_millis(300)));
        let v = faults_json(&f, 2, Some(12.5));
        assert_eq!(v["faults"], json!(["server-error"]));
        assert_eq!(v["latency_ms"], 300);
        assert_eq!(v["rate_limit"], 12.5);
        // The reply is itself a valid update.
        let mut back = v.as_object().unwrap().clone();
        back.remove("requests_since_set");
        let again: FaultsUpdate = serde_json::from_value(Value::Object(back)).unwrap();
        assert_eq!(again.into_parts().unwrap(), (f, Some(Some(12.5))));
    }

    #[test]
    fn defaults_and_errors() {
        let f = serde_json::from_str::<FaultsUpdate>(r#"{"faults":["timeout","rate-limit"]}"#)
            .unwrap()
            .into_faults()
            .unwrap();
        assert_eq!(f.rate, 1.0);
        let none = serde_json::from_str::<FaultsUpdate>("{}")
            .unwrap()
            .into_faults()
            .unwrap();
        assert_eq!(none, Faults::none());
        let ranged = serde_json::from_str::<FaultsUpdate>(r#"{"latency_ms":"100..800"}"#)
            .unwrap()
            .into_faults()
            .unwrap();
        assert!(matches!(ranged.latency, Latency::Random { .. }));
        assert!(serde_json::from_str::<FaultsUpdate>(r#"{"faults":["nope"]}"#).is_err());
        assert!(serde_json::from_str::<FaultsUpdate>(r#"{"fault":["timeout"]}"#).is_err());
        assert!(
            serde_json::from_str::<FaultsUpdate>(r#"{"rate":2}"#)
                .unwrap()
                .into_faults()
                .is_err()
        );
        // The rate limit: left out, null, a number, or refused.
        let parts = |body: &str| {
            serde_json::from_str::<FaultsUpdate>(body)
                .unwrap()
                .into_parts()
                .map(|(_, r)| r)
        };
        assert_eq!(parts("{}"), Ok(None));
        assert_eq!(parts(r#"{"rate_limit":null}"#), Ok(Some(None)));
        assert_eq!(parts(r#"{"rate_limit":10}"#), Ok(Some(Some(10.0))));
        assert!(parts(r#"{"rate_limit":0}"#).is_err());
        assert!(parts(r#"{"rate_limit":-2.5}"#).is_err());
        assert!(serde_json::from_str::<FaultsUpdate>(r#"{"rate_limit":"fast"}"#).is_err());
        assert!(parse_latency("9..1").is_err());
        assert!(parse_latency("abc").is_err());
    }
}
