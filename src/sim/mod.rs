//! Placeholder interface; the sim branch brings the simulator.
#![allow(dead_code, unused_variables)]

use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct SimCredentials {
    pub app_key: String,
    pub app_secret: String,
    pub access_key: String,
    pub secret_key: String,
    pub user_id: String,
}
impl SimCredentials {
    pub fn demo() -> Self {
        SimCredentials {
            app_key: String::new(),
            app_secret: String::new(),
            access_key: String::new(),
            secret_key: String::new(),
            user_id: String::new(),
        }
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    RateLimit,
    ServerError,
    MalformedJson,
    TruncatedBody,
    CodeError,
    Timeout,
}
#[derive(Debug, Clone, Default)]
pub enum Latency {
    #[default]
    None,
    Fixed(Duration),
}
#[derive(Debug, Clone, Default)]
pub struct Faults {
    pub latency: Latency,
    pub kinds: Vec<FaultKind>,
    pub rate: f64,
    pub first_n: Option<u32>,
    pub retry_after_secs: u64,
}
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub credentials: SimCredentials,
    pub catalog_size: usize,
    pub seed: u64,
    pub faults: Faults,
}
impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            credentials: SimCredentials::demo(),
            catalog_size: 0,
            seed: 0,
            faults: Faults::default(),
        }
    }
}
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub fields: Vec<(String, String)>,
    pub status: u16,
}
pub struct SimHandle;
impl SimHandle {
    pub fn base_url(&self) -> String {
        String::new()
    }
    pub fn set_faults(&self, faults: Faults) {}
    pub fn requests(&self) -> Vec<RecordedRequest> {
        Vec::new()
    }
}
pub async fn spawn(config: SimConfig, addr: SocketAddr) -> anyhow::Result<SimHandle> {
    anyhow::bail!("simulator not merged yet")
}
pub fn catalog_image(config: &SimConfig, offer_id: &str) -> Option<Vec<u8>> {
    None
}
pub fn catalog_offer_ids(config: &SimConfig, n: usize) -> Vec<String> {
    Vec::new()
}
#[derive(Debug, clap::Args)]
pub struct SimArgs {}
pub async fn run_standalone(args: SimArgs) -> anyhow::Result<()> {
    Ok(())
}
