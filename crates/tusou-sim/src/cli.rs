//! `tusou sim`: command-line options and the standalone server.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::{
    DEFAULT_CATALOG_SIZE, DEFAULT_SEED, FaultKind, Faults, Latency, SimConfig, SimCredentials,
};

/// Largest `--clock-offset-secs` either way (about 100 years).
const MAX_CLOCK_OFFSET_SECS: i64 = 100 * 366 * 24 * 3600;

#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Port to listen on.
    #[arg(long, default_value_t = 8688)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Added latency per API request: "300" or a range "100..800" (ms).
    #[arg(long, value_name = "MS|MIN..MAX")]
    pub latency_ms: Option<String>,
    /// Inject a fault (repeatable).
    #[arg(long = "fault", value_enum, value_name = "KIND")]
    pub fault: Vec<FaultKind>,
    /// Probability that a request gets a fault (default 1.0 with --fault).
    #[arg(long, value_name = "0.0..=1.0")]
    pub fault_rate: Option<f64>,
    /// Only the first N API requests can fault.
    #[arg(long, value_name = "N")]
    pub fault_first: Option<u32>,
    /// Retry-After seconds sent with injected 429s.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub retry_after: u64,
    /// Draw faults from a generator seeded with N, so the same requests in
    /// the same order meet the same faults.
    #[arg(long, value_name = "N")]
    pub fault_seed: Option<u64>,
    /// The provider's rate limit, API requests per second (uploads and
    /// queries; a burst of one second's worth passes): faster requests get
    /// HTTP 429 with Retry-After. Default: unlimited.
    #[arg(long, value_name = "R")]
    pub rate_limit: Option<f64>,
    /// Number of synthetic offers.
    #[arg(long, default_value_t = DEFAULT_CATALOG_SIZE)]
    pub catalog_size: usize,
    /// Most results one search reports (`totalRecords` cap).
    #[arg(long, value_name = "N", default_value_t = crate::MAX_RESULTS)]
    pub max_results: usize,
    /// Catalog seed.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Forget an upload's imageId after this many seconds (queries by it then
    /// answer code 400 "imageId不存在或已过期"). Default: kept until restart.
    #[arg(long, value_name = "SECS")]
    pub id_ttl: Option<u64>,
    /// Run the simulator's clock N seconds ahead (negative: behind): its Date
    /// header, envelope timestamps and the signed-header 600 s window.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    pub clock_offset_secs: i64,
    /// Write sample photos (catalog pictures) into DIR and exit, to try searches with.
    #[arg(long, value_name = "DIR")]
    pub samples: Option<std::path::PathBuf>,
    /// How many sample photos --samples writes.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub sample_count: usize,
    /// With --samples: also write N scene photos, 2 or 3 catalog products
    /// on a desk (`scene-<offerId>-<offerId>….jpg`), to try cropping one.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub scenes: usize,
}

/// Writes `count` catalog pictures as `sample-<offerId>.jpg` into `dir`.
pub fn write_samples(
    config: &SimConfig,
    dir: &std::path::Path,
    count: usize,
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let ids = crate::catalog_offer_ids(config, count);
    let mut written = Vec::with_capacity(ids.len());
    for id in &ids {
        let Some(jpeg) = crate::catalog_image(config, id) else {
            continue;
        };
        let path = dir.join(format!("sample-{id}.jpg"));
        std::fs::write(&path, jpeg)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes `count` scene photos into `dir`: each shows 2 or 3 catalog
/// products of different kinds on a desk, named after their offer ids in
/// order from left to right.
pub fn write_scenes(
    config: &SimConfig,
    dir: &std::path::Path,
    count: usize,
) -> anyhow::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let offers = crate::catalog::generate(config.seed, config.catalog_size.max(1));
    let mut written = Vec::with_capacity(count);
    let mut next = 0;
    for k in 0..count {
        let n = if k % 2 == 0 { 2 } else { 3 };
        let mut chosen: Vec<&crate::catalog::CatalogOffer> = Vec::new();
        while chosen.len() < n && next < offers.len() {
            let o = &offers[next];
            next += 1;
            if !chosen.iter().any(|c| c.product_type() == o.product_type()) && !o.is_relisting() {
                chosen.push(o);
            }
        }
        if chosen.len() < 2 {
            break;
        }
        let ids: Vec<String> = chosen.iter().map(|o| o.offer_id.to_string()).collect();
        let Some(jpeg) = crate::scene_image(config, &ids) else {
            continue;
        };
        let path = dir.join(format!("scene-{}.jpg", ids.join("-")));
        std::fs::write(&path, jpeg)?;
        written.push(path);
    }
    Ok(written)
}

impl SimArgs {
    pub fn to_config(&self) -> anyhow::Result<SimConfig> {
        let latency = match self.latency_ms.as_deref() {
            None => Latency::None,
            Some(s) => crate::control::parse_latency(s).map_err(anyhow::Error::msg)?,
        };
        let rate = match self.fault_rate {
            Some(r) => {
                anyhow::ensure!(
                    (0.0..=1.0).contains(&r),
                    "--fault-rate must be within 0.0..=1.0"
                );
                r
            }
            None if self.fault.is_empty() => 0.0,
            None => 1.0,
        };
        anyhow::ensure!(self.catalog_size >= 1, "--catalog-size must be at least 1");
        anyhow::ensure!(self.max_results >= 1, "--max-results must be at least 1");
        anyhow::ensure!(
            self.clock_offset_secs.abs() <= MAX_CLOCK_OFFSET_SECS,
            "--clock-offset-secs must be within ±{MAX_CLOCK_OFFSET_SECS} (about 100 years)"
        );
        anyhow::ensure!(self.id_ttl != Some(0), "--id-ttl must be at least 1 second");
        if let Some(r) = self.rate_limit {
            anyhow::ensure!(
                r.is_finite() && r > 0.0,
                "--rate-limit must be a finite number of requests per second above 0"
            );
        }
        Ok(SimConfig {
            credentials: SimCredentials::demo(),
            catalog_size: self.catalog_size,
            max_results: self.max_results,
            seed: self.seed,
            faults: Faults {
                latency,
                kinds: self.fault.clone(),
                rate,
                first_n: self.fault_first,
                retry_after_secs: self.retry_after,
                seed: self.fault_seed,
            },
            id_ttl: self.id_ttl.map(Duration::from_secs),
            clock_offset_secs: self.clock_offset_secs,
            rate_limit: self.rate_limit,
        })
    }
}

/// Serves until Ctrl-C, after printing the base URL and the demo
/// credentials as environment lines.
pub async fn run_standalone(args: SimArgs) -> anyhow::Result<()> {
    let config = args.to_config()?;
    if let Some(dir) = &args.samples {
        for path in write_samples(&config, dir, args.sample_count)? {
            println!("{}", path.display());
        }
        for path in write_scenes(&config, dir, args.scenes)? {
            println!("{}", path.display());
        }
        return Ok(());
    }
    let creds = config.credentials.clone();
    let handle = crate::spawn(config, SocketAddr::new(args.bind, args.port)).await?;
    let url = handle.base_url();
    eprintln!("tusou simulator listening on {url}");
    if args.bind.is_loopback() {
        eprintln!("fault control: GET/POST {url}/_sim/faults");
        eprintln!("request counters: GET {url}/_sim/stats (DELETE to reset)");
    }
    eprintln!("# DajiSaaS provider (these are the simulator's public demo credentials)");
    eprintln!("export TUSOU_DAJI_BASE_URL={url}");
    eprintln!("export TUSOU_APP_KEY={}", creds.app_key);
    eprintln!("export TUSOU_APP_SECRET={}", creds.app_secret);
    eprintln!("# signed-header provider (add TUSOU_PROVIDER=signed-header to prefer it)");
    eprintln!("export TUSOU_BASE_URL={url}");
    eprintln!("export TUSOU_ACCESS_KEY={}", creds.access_key);
    eprintln!("export TUSOU_SECRET_KEY={}", creds.secret_key);
    eprintln!("export TUSOU_USER_ID={}", creds.user_id);
    eprintln!("(Ctrl-C to stop)");
    tokio::signal::ctrl_c().await?;
    handle.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sim: SimArgs,
    }

    #[test]
    fn args_to_config() {
        let cli = Cli::parse_from([
            "x",
            "--latency-ms",
            "100..800",
            "--fault",
            "rate-limit",
            "--fault",
            "timeout",
            "--fault-first",
            "2",
        ]);
        let c = cli.sim.to_config().unwrap();
        assert_eq!(
            c.faults.kinds,
            vec![FaultKind::RateLimit, FaultKind::Timeout]
        );
        assert_eq!(c.faults.rate, 1.0);
        assert_eq!(c.faults.first_n, Some(2));
        assert_eq!(
            c.faults.latency,
            Latency::Random {
                min: Duration::from_millis(100),
                max: Duration::from_millis(800)
            }
        );
        let cli = Cli::parse_from(["x", "--latency-ms", "300"]);
        let c = cli.sim.to_config().unwrap();
        assert_eq!(c.faults.latency, Latency::Fixed(Duration::from_millis(300)));
        assert_eq!(c.faults.rate, 0.0);
        assert_eq!(cli.sim.port, 8688);
        assert_eq!(c.id_ttl, None);
        assert_eq!(c.clock_offset_secs, 0);
        assert_eq!(c.rate_limit, None);
        let c = Cli::parse_from(["x", "--rate-limit", "2.5"])
            .sim
            .to_config()
            .unwrap();
        assert_eq!(c.rate_limit, Some(2.5));
        for bad in ["0", "-1", "inf", "NaN"] {
            assert!(
                Cli::try_parse_from(["x", "--rate-limit", bad])
                    .map_err(|e| e.to_string())
                    .and_then(|cli| cli.sim.to_config().map_err(|e| e.to_string()))
                    .is_err(),
                "{bad}"
            );
        }
        let cli = Cli::parse_from(["x", "--id-ttl", "90", "--clock-offset-secs", "-700"]);
        let c = cli.sim.to_config().unwrap();
        assert_eq!(c.id_ttl, Some(Duration::from_secs(90)));
        assert_eq!(c.clock_offset_secs, -700);
        assert!(
            Cli::parse_from(["x", "--id-ttl", "0"])
                .sim
                .to_config()
                .is_err()
        );
        assert!(
            Cli::parse_from(["x", "--clock-offset-secs", "99999999999"])
                .sim
                .to_config()
                .is_err()
        );
        assert!(
            Cli::parse_from(["x", "--latency-ms", "abc"])
                .sim
                .to_config()
                .is_err()
        );
        assert!(
            Cli::parse_from(["x", "--fault-rate", "2"])
                .sim
                .to_config()
                .is_err()
        );
    }
}
