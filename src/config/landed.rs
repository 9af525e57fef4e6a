//! `[landed]`: the user's warehouse, freight lanes and fees for landed
//! costs, with `TUSOU_AGENT_FEE_PCT`, `TUSOU_DUTY_PCT`, `TUSOU_VAT_PCT`,
//! `TUSOU_DOMESTIC_PER_KG` and `TUSOU_LANE` over the file's. Each bad value
//! is refused with its key; the checks themselves are `landed`'s.

use super::{ConfigError, EnvLookup};
use crate::landed::{
    DeMinimis, Extra, Fees, LandedError, Lane, Origin, Percent, PricedIn, Settings, Share,
    Warehouse,
};
use crate::money::Currency;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Highest duty accepted, in percent (some duties pass 100 %).
const MAX_DUTY_PCT: u32 = 500;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LandedFile {
    lane: Option<String>,
    agent_fee_pct: Option<f64>,
    duty_pct: Option<f64>,
    vat_pct: Option<f64>,
    /// Yuan per kg of actual weight, when the provider gives no estimate.
    domestic_per_kg: Option<f64>,
    warehouse: Option<WarehouseFile>,
    de_minimis: Option<DeMinimisFile>,
    /// Name → yuan per piece.
    #[serde(default)]
    extras: BTreeMap<String, f64>,
    #[serde(default)]
    lanes: Vec<LaneFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WarehouseFile {
    province: String,
    city: String,
    district: String,
    #[serde(default)]
    label: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeMinimisFile {
    amount: f64,
    currency: String,
    rate: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LaneFile {
    name: Option<String>,
    divisor: Option<u32>,
    currency: Option<String>,
    rate: Option<f64>,
    base_fee: Option<f64>,
    per_kg_fee: Option<f64>,
    min_fee: Option<f64>,
    rates_checked: Option<String>,
}

/// The error for `key = value` with `landed`'s expectation.
fn bad(key: &str, value: impl std::fmt::Display, why: LandedError) -> ConfigError {
    ConfigError::value(key, value, why.to_string())
}

fn missing(key: &str, expected: &str) -> ConfigError {
    ConfigError::value(key, "(missing)", format!("set it: {expected}"))
}

/// A percentage from the environment (`var`, wins) or the file (`key`).
fn share(
    env: EnvLookup<'_>,
    var: &str,
    key: &str,
    from_file: Option<f64>,
    max: u32,
) -> Result<Option<Share>, ConfigError> {
    let (name, value, shown) = match (env(var), from_file) {
        (Some(raw), _) => (
            var,
            raw.trim().parse::<f64>().unwrap_or(f64::NAN),
            format!("{raw:?}"),
        ),
        (None, Some(v)) => (key, v, v.to_string()),
        (None, None) => return Ok(None),
    };
    let percent = Percent::new(value, max).map_err(|e| bad(name, shown, e))?;
    Ok(Some(Share {
        percent,
        origin: Origin::Yours,
    }))
}

/// An amount of yuan as fen (`key` names it in the error).
fn yuan(key: &str, value: f64) -> Result<u64, ConfigError> {
    PricedIn::yuan()
        .minor(value)
        .map_err(|e| bad(key, value, e))
}

fn lane(index: usize, file: &LaneFile, yours: Option<&Currency>) -> Result<Lane, ConfigError> {
    let at = |field: &str| match &file.name {
        Some(n) => format!("[[landed.lanes]] {n:?} {field}"),
        None => format!("[[landed.lanes]] #{} {field}", index + 1),
    };
    let name = file
        .name
        .as_deref()
        .ok_or_else(|| missing(&at("name"), "the lane's name, e.g. \"air\""))?;
    let name = Lane::check_name(name).map_err(|e| bad(&at("name"), format!("{name:?}"), e))?;
    let divisor = file
        .divisor
        .ok_or_else(|| missing(&at("divisor"), "the volumetric divisor, e.g. 6000"))?;
    let divisor = Lane::check_divisor(divisor).map_err(|e| bad(&at("divisor"), divisor, e))?;
    let code = file.currency.as_deref().ok_or_else(|| {
        missing(
            &at("currency"),
            "the fees' currency, e.g. \"USD\" (with rate = 7.1), or \"CNY\"",
        )
    })?;
    let priced_in = PricedIn::new(code, file.rate, yours).map_err(|e| match e {
        LandedError::Rate(_) => bad(&at("rate"), file.rate.unwrap_or(f64::NAN), e),
        e => bad(&at("currency"), format!("{code:?}"), e),
    })?;
    let fee = |field: &str, value: Option<f64>| -> Result<u64, ConfigError> {
        let v = value.ok_or_else(|| {
            missing(
                &at(field),
                &format!("in {} (0 for none)", priced_in.currency.code),
            )
        })?;
        priced_in.minor(v).map_err(|e| bad(&at(field), v, e))
    };
    let base_fee = fee("base_fee", file.base_fee)?;
    let per_kg_fee = fee("per_kg_fee", file.per_kg_fee)?;
    let min_fee = fee("min_fee", file.min_fee)?;
    let date = file.rates_checked.as_deref().ok_or_else(|| {
        missing(
            &at("rates_checked"),
            "the date you checked these fees, e.g. \"2026-12-01\"",
        )
    })?;
    let rates_checked =
        Lane::check_date(date).map_err(|e| bad(&at("rates_checked"), format!("{date:?}"), e))?;
    Ok(Lane {
        name,
        divisor,
        priced_in,
        base_fee,
        per_kg_fee,
        min_fee,
        rates_checked: Some(rates_checked),
        origin: Origin::Yours,
    })
}

/// The file's `[landed]` with the environment over it, checked. `yours` is
/// the user's currency (a lane in it may use its rate).
pub(super) fn resolve(
    env: EnvLookup<'_>,
    file: &LandedFile,
    yours: Option<&Currency>,
) -> Result<Settings, ConfigError> {
    let warehouse = file
        .warehouse
        .as_ref()
        .map(|w| {
            Warehouse::new(&w.province, &w.city, &w.district, &w.label).map_err(|e| {
                use crate::api::DestinationError as E;
                let (field, value) = match &e {
                    E::NotSixDigits { field, .. } => match *field {
                        "province" => ("province", &w.province),
                        "city" => ("city", &w.city),
                        _ => ("district", &w.district),
                    },
                    E::NotAProvince(_) => ("province", &w.province),
                    E::NotACity(_) | E::CityOutsideProvince { .. } => ("city", &w.city),
                    E::DistrictOutsideCity { .. } => ("district", &w.district),
                };
                ConfigError::value(
                    format!("[landed.warehouse] {field}"),
                    format!("{value:?}"),
                    e.to_string(),
                )
            })
        })
        .transpose()?;

    let mut lanes: Vec<Lane> = Vec::with_capacity(file.lanes.len());
    for (i, f) in file.lanes.iter().enumerate() {
        let l = lane(i, f, yours)?;
        if lanes.iter().any(|o| o.name == l.name) {
            return Err(ConfigError::value(
                format!("[[landed.lanes]] #{} name", i + 1),
                format!("{:?}", l.name),
                "another lane has this name: give each lane its own",
            ));
        }
        lanes.push(l);
    }

    let default_lane = match (env("TUSOU_LANE"), &file.lane) {
        (Some(v), _) => Some(("TUSOU_LANE", v)),
        (None, Some(v)) => Some(("[landed] lane", v.clone())),
        (None, None) => None,
    };
    let default_lane = match default_lane {
        // Without lanes of the user's, demo mode's examples may hold it.
        Some((key, name)) => {
            let name = name.trim().to_string();
            if !lanes.is_empty() && !lanes.iter().any(|l| l.name == name) {
                let known: Vec<&str> = lanes.iter().map(|l| l.name.as_str()).collect();
                return Err(ConfigError::value(
                    key,
                    format!("{name:?}"),
                    format!("no such lane: use one of {}", known.join(", ")),
                ));
            }
            Some(name)
        }
        None => None,
    };

    let de_minimis = file
        .de_minimis
        .as_ref()
        .map(|d| {
            let priced_in = PricedIn::new(&d.currency, d.rate, yours).map_err(|e| match e {
                LandedError::Rate(_) => {
                    bad("[landed.de_minimis] rate", d.rate.unwrap_or(f64::NAN), e)
                }
                e => bad(
                    "[landed.de_minimis] currency",
                    format!("{:?}", d.currency),
                    e,
                ),
            })?;
            let amount = priced_in
                .minor(d.amount)
                .map_err(|e| bad("[landed.de_minimis] amount", d.amount, e))?;
            Ok::<_, ConfigError>(DeMinimis {
                amount,
                priced_in,
                origin: Origin::Yours,
            })
        })
        .transpose()?;

    let extras = file
        .extras
        .iter()
        .map(|(name, value)| {
            let key = format!("[landed.extras] {name}");
            let name = Lane::check_name(name).map_err(|e| bad(&key, format!("{name:?}"), e))?;
            Ok(Extra {
                name,
                fen_per_piece: yuan(&key, *value)?,
                origin: Origin::Yours,
            })
        })
        .collect::<Result<Vec<_>, ConfigError>>()?;

    let domestic_fen_per_kg = match (env("TUSOU_DOMESTIC_PER_KG"), file.domestic_per_kg) {
        (Some(raw), _) => Some(
            PricedIn::yuan()
                .minor(raw.trim().parse::<f64>().unwrap_or(f64::NAN))
                .map_err(|e| bad("TUSOU_DOMESTIC_PER_KG", format!("{raw:?}"), e))?,
        ),
        (None, Some(v)) => Some(yuan("[landed] domestic_per_kg", v)?),
        (None, None) => None,
    };

    Ok(Settings {
        warehouse,
        lanes,
        default_lane,
        fees: Fees {
            agent: share(
                env,
                "TUSOU_AGENT_FEE_PCT",
                "[landed] agent_fee_pct",
                file.agent_fee_pct,
                100,
            )?,
            duty: share(
                env,
                "TUSOU_DUTY_PCT",
                "[landed] duty_pct",
                file.duty_pct,
                MAX_DUTY_PCT,
            )?,
            vat: share(env, "TUSOU_VAT_PCT", "[landed] vat_pct", file.vat_pct, 100)?,
            de_minimis,
            extras,
        },
        domestic_fen_per_kg,
    })
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::super::file::FileConfig;
    use crate::landed::RateSource;
    use std::collections::HashMap;

    fn resolved(text: &str, env: &[(&str, &str)]) -> Result<Config, String> {
        let map: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let file: FileConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        Config::resolve(file, &move |k: &str| map.get(k).cloned()).map_err(|e| e.to_string())
    }

    const TWO_LANES: &str = r#"
currency = "USD"
rate = 7.2
[landed]
lane = "sea"
agent_fee_pct = 5
duty_pct = 12.5
vat_pct = 20
domestic_per_kg = 8.5
[landed.warehouse]
province = "440000"
city = "440300"
district = "440306"
label = "Forwarder, Bao'an"
[landed.de_minimis]
amount = 150
currency = "EUR"
rate = 7.7
[landed.extras]
packaging = 0.3
qc = 0.1
[[landed.lanes]]
name = "air"
divisor = 6000
currency = "USD"
base_fee = 3
per_kg_fee = 6.5
min_fee = 15
rates_checked = "2026-12-01"
[[landed.lanes]]
name = "sea"
divisor = 8000
currency = "CNY"
base_fee = 0
per_kg_fee = 12
min_fee = 150
rates_checked = "2026-11-20"
"#;

    #[test]
    fn lanes_and_fees_are_read_from_toml() {
        let c = resolved(TWO_LANES, &[]).unwrap();
        let s = &c.landed;
        assert_eq!(s.lanes.len(), 2);
        let air = &s.lanes[0];
        assert_eq!(
            (air.divisor, air.base_fee, air.per_kg_fee, air.min_fee),
            (6000, 300, 650, 1500)
        );
        // No rate of its own: the user's USD rate, said so.
        assert_eq!(air.priced_in.rate_source, RateSource::YourCurrency);
        assert_eq!(air.priced_in.rate.micro_yuan(), 7_200_000);
        assert_eq!(s.lanes[1].priced_in.rate_source, RateSource::Yuan);
        assert_eq!(s.lanes[1].min_fee, 15_000);
        assert_eq!(
            s.lanes[1].rates_checked.map(|d| d.to_string()).as_deref(),
            Some("2026-11-20")
        );
        assert_eq!(s.default_lane.as_deref(), Some("sea"));
        assert_eq!(s.fees.duty.map(|d| d.percent.basis_points()), Some(1250));
        assert_eq!(s.fees.de_minimis.as_ref().map(|d| d.amount), Some(15_000));
        let extras: Vec<(&str, u64)> = s
            .fees
            .extras
            .iter()
            .map(|e| (e.name.as_str(), e.fen_per_piece))
            .collect();
        assert_eq!(extras, [("packaging", 30), ("qc", 10)]);
        assert_eq!(s.domestic_fen_per_kg, Some(850));
        let w = s.warehouse.as_ref().unwrap();
        assert_eq!(
            (w.destination.province(), w.destination.district()),
            ("440000", "440306")
        );
        assert!(!s.uses_examples());
        // The environment goes over the file.
        let c = resolved(
            TWO_LANES,
            &[
                ("TUSOU_DUTY_PCT", "3"),
                ("TUSOU_LANE", "air"),
                ("TUSOU_DOMESTIC_PER_KG", "6"),
            ],
        )
        .unwrap();
        assert_eq!(
            c.landed.fees.duty.map(|d| d.percent.basis_points()),
            Some(300)
        );
        assert_eq!(c.landed.default_lane.as_deref(), Some("air"));
        assert_eq!(c.landed.domestic_fen_per_kg, Some(600));
    }

    #[test]
    fn bad_values_name_their_key() {
        let lane = "[[landed.lanes]]\nname = \"air\"\ndivisor = 6000\ncurrency = \"CNY\"\nbase_fee = 0\nper_kg_fee = 40\nmin_fee = 0\nrates_checked = \"2026-12-01\"\n";
        assert!(resolved(lane, &[]).is_ok());
        for (text, env, starts, says) in [
            (
                "[landed]\nduty_pct = 600\n",
                &[][..],
                "[landed] duty_pct = 600",
                "from 0 to 500",
            ),
            (
                "[landed]\nvat_pct = 20.125\n",
                &[][..],
                "[landed] vat_pct",
                "two decimals",
            ),
            (
                "",
                &[("TUSOU_AGENT_FEE_PCT", "five")][..],
                "TUSOU_AGENT_FEE_PCT = \"five\"",
                "percentage",
            ),
            (
                &lane.replace("6000", "60"),
                &[][..],
                "[[landed.lanes]] \"air\" divisor = 60",
                "5000, 6000 or 8000",
            ),
            (
                &lane.replace("\"CNY\"", "\"USD\""),
                &[][..],
                "[[landed.lanes]] \"air\" currency = \"USD\"",
                "needs its rate",
            ),
            (
                &lane.replace("\"CNY\"", "\"USD\"\nrate = -1"),
                &[][..],
                "[[landed.lanes]] \"air\" rate = -1",
                "above 0",
            ),
            (
                &lane.replace("\"CNY\"", "\"dollars\""),
                &[][..],
                "[[landed.lanes]] \"air\" currency",
                "three-letter",
            ),
            (
                &lane.replace("per_kg_fee = 40", "per_kg_fee = 4.005"),
                &[][..],
                "[[landed.lanes]] \"air\" per_kg_fee = 4.005",
                "at most 2 decimals",
            ),
            (
                &lane.replace("min_fee = 0\n", ""),
                &[][..],
                "[[landed.lanes]] \"air\" min_fee = (missing)",
                "0 for none",
            ),
            (
                &lane.replace("\"2026-12-01\"", "\"1/12/2026\""),
                &[][..],
                "[[landed.lanes]] \"air\" rates_checked",
                "YYYY-MM-DD",
            ),
            (
                &lane.replace("name = \"air\"\n", ""),
                &[][..],
                "[[landed.lanes]] #1 name = (missing)",
                "lane's name",
            ),
            (
                &lane.replace("\"air\"", "\"air freight\""),
                &[][..],
                "[[landed.lanes]] \"air freight\" name",
                "letters, digits",
            ),
            (
                &format!("{lane}{lane}"),
                &[][..],
                "[[landed.lanes]] #2 name = \"air\"",
                "its own",
            ),
            (
                lane,
                &[("TUSOU_LANE", "rail")][..],
                "TUSOU_LANE = \"rail\"",
                "use one of air",
            ),
            (
                "[landed.extras]\npackaging = -1\n",
                &[][..],
                "[landed.extras] packaging = -1",
                "CNY",
            ),
            (
                "[landed.de_minimis]\namount = 150\ncurrency = \"EUR\"\n",
                &[][..],
                "[landed.de_minimis] currency = \"EUR\"",
                "needs its rate",
            ),
            (
                "[landed.warehouse]\nprovince = \"440100\"\ncity = \"440300\"\ndistrict = \"440306\"\n",
                &[][..],
                "[landed.warehouse] province = \"440100\"",
                "does not end in 0000",
            ),
            (
                "[landed.warehouse]\nprovince = \"440000\"\ncity = \"450300\"\ndistrict = \"450306\"\n",
                &[][..],
                "[landed.warehouse] city = \"450300\"",
                "first two digits differ",
            ),
            (
                "[landed.warehouse]\nprovince = \"440000\"\ncity = \"440300\"\ndistrict = \"44030\"\n",
                &[][..],
                "[landed.warehouse] district = \"44030\"",
                "is not 6 digits",
            ),
        ] {
            let err = resolved(text, env).unwrap_err();
            assert!(
                err.starts_with(starts) && err.contains(says),
                "{text:?} {env:?}: {err}"
            );
        }
        // Unknown keys are refused, as everywhere in the file.
        assert!(
            resolved("[landed]\nduty = 5\n", &[])
                .unwrap_err()
                .contains("unknown field")
        );
    }

    #[test]
    fn demo_lanes_only_in_demo() {
        let c = resolved("", &[]).unwrap();
        assert!(c.landed.lanes.is_empty());
        let live = c.landed_settings(false);
        assert!(live.lanes.is_empty() && live.fees.duty.is_none());
        let err = live.lane(None).unwrap_err().to_string();
        assert!(
            err.contains("[[landed.lanes]]") && err.contains("rates_checked"),
            "{err}"
        );
        let demo = c.landed_settings(true);
        let names: Vec<&str> = demo.lanes.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["air", "sea"]);
        assert!(demo.uses_examples());
        // The user's own lanes and fees win in demo mode too.
        let c = resolved(TWO_LANES, &[]).unwrap();
        let demo = c.landed_settings(true);
        assert!(!demo.uses_examples());
        assert_eq!(demo.default_lane.as_deref(), Some("sea"));
    }
}
