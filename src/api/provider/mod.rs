//! The one seam between tusou and a provider: everything that differs from
//! one provider to the next lives in this folder, one file per provider.
//!
//! A provider file owns its settings, how it signs, its requests and how its
//! replies are read, and answers a [`ProviderInfo`]: its name, the label of
//! its public key, what it can do ([`Capabilities`]) and the defaults tusou
//! uses with it. Callers ask the capabilities, never which provider it is:
//! no code outside this folder matches on [`ProviderKind`] or
//! [`ProviderSettings`].
//!
//! Dispatch is an enum ([`ProviderSettings`]) over types implementing
//! [`Provider`], not `dyn Provider`: the requests are `async fn`s, which a
//! trait object cannot carry without boxing every future, and the set of
//! providers is closed (each one also needs its own simulator routes). The
//! only `match`es on the variants are the few below, one arm per provider.

pub mod dajisaas;
pub mod sign;
pub mod signed_header;

use super::detail::OfferDetail;
use super::error::ApiError;
use super::freight::{FreightQuery, FreightQuote};
use super::transport::Transport;
use super::{ImageRef, ResultPage, SearchParams};
use dajisaas::DajiSaasSettings;
use signed_header::SignedHeaderSettings;
use std::time::Duration;

/// What a provider can do. Callers read these instead of the provider's
/// name; a new capability is a field here, answered by every provider file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// Takes a picture once and answers an image id to query by (then the
    /// client keeps an image-id cache and uploads again when an id expires).
    pub upload_image: bool,
    /// Queries name an uploaded picture by its id.
    pub query_by_image_id: bool,
    /// Queries carry the picture itself (base64) every time.
    pub query_by_image_bytes: bool,
    /// Queries can name a picture by its address (a 1688 picture URL).
    pub query_by_picture_url: bool,
    /// Queries can search a region of the picture.
    pub region: bool,
    /// An offer's detail (minimum order, price tiers, ship-from).
    pub offer_detail: bool,
    /// A domestic freight estimate to a destination in mainland China
    /// (DajiSaaS only; without it the user's own domestic rate is used).
    pub freight_estimate: bool,
    /// Words to search within an image search's results
    /// ([`SearchParams::keyword`], 1688's `keyword`).
    pub keyword_in_image_search: bool,
    /// Words that steer a multimodal image search ([`SearchParams::hint`],
    /// 1688's `auxiliaryText`).
    pub hint_in_image_search: bool,
}

impl Capabilities {
    /// Refuses, before anything is sent, a search asking for what this
    /// provider does not take or with words that cannot be sent.
    pub fn check_search(
        &self,
        provider: &'static str,
        params: &SearchParams,
    ) -> Result<(), ApiError> {
        let refine = [
            (
                "keyword",
                params.keyword.as_deref(),
                self.keyword_in_image_search,
            ),
            ("hint", params.hint.as_deref(), self.hint_in_image_search),
        ];
        for (what, value, taken) in refine {
            let Some(value) = value else { continue };
            if !taken {
                return Err(ApiError::NotTaken { provider, what });
            }
            super::params::check_refine_words(what, value).map_err(|message| {
                ApiError::InvalidRequest {
                    code: 0,
                    message,
                    trace_id: None,
                }
            })?;
        }
        Ok(())
    }
}

/// Requests per second and photos at once that `tusou batch` uses with a
/// provider when the config says nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchDefaults {
    pub rate: f64,
    pub concurrency: u32,
}

/// Built-in batch limits: well under what an API gateway usually allows;
/// the providers publish no limit.
pub(crate) const DEFAULT_BATCH: BatchDefaults = BatchDefaults {
    rate: 5.0,
    concurrency: 4,
};

/// The facts about a provider that need no settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProviderInfo {
    /// Its name on the command line, in the config and in the store.
    pub name: &'static str,
    /// Other names `--provider` accepts.
    pub aliases: &'static [&'static str],
    /// What its public key is called ("app key", "access key").
    pub key_label: &'static str,
    pub capabilities: Capabilities,
    /// How far this machine's clock may be from the provider's before it
    /// refuses requests; `None` when it does not check.
    pub clock_skew_tolerance: Option<Duration>,
    /// Its section under `[batch]` in the config file.
    pub batch_section: &'static str,
    pub batch_defaults: BatchDefaults,
}

/// What every provider file implements. Only [`ProviderSettings`] calls
/// these, so adding a provider never touches the callers.
pub(crate) trait Provider {
    const INFO: ProviderInfo;

    /// The base URL requests go to (its own pictures are on this origin).
    fn base_url(&self) -> &str;
    /// The public half of the credentials.
    fn key(&self) -> &str;
    /// Values the redactor hides in every error and log line.
    fn secrets(&self) -> Vec<String>;

    /// Uploads base64 picture bytes; answers the image id. Only asked when
    /// [`Capabilities::upload_image`].
    async fn upload(&self, transport: &Transport, base64: &str) -> Result<String, ApiError> {
        let _ = (transport, base64);
        Err(ApiError::Upload(format!(
            "{} takes the picture with every query, not by upload",
            Self::INFO.name
        )))
    }

    /// One page (1-based) of results for `image`.
    async fn query(
        &self,
        transport: &Transport,
        image: &ImageRef,
        params: &SearchParams,
        page: u32,
    ) -> Result<ResultPage, ApiError>;

    /// An offer's detail; only asked when [`Capabilities::offer_detail`].
    async fn offer_detail(
        &self,
        transport: &Transport,
        offer_id: &str,
        country: &str,
    ) -> Result<OfferDetail, ApiError> {
        let _ = (transport, offer_id, country);
        Err(ApiError::NoDetail {
            provider: Self::INFO.name,
        })
    }

    /// A domestic freight estimate; only asked when
    /// [`Capabilities::freight_estimate`]. Sends nothing by default.
    async fn freight_estimate(
        &self,
        transport: &Transport,
        query: &FreightQuery,
    ) -> Result<FreightQuote, ApiError> {
        let _ = (transport, query);
        Err(ApiError::NoFreight {
            provider: Self::INFO.name,
        })
    }
}

/// Which provider protocol a client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProviderKind {
    /// The first in preference order: used when both are configured and
    /// none is chosen, and by the demo unless another is chosen.
    #[default]
    DajiSaas,
    SignedHeader,
}

impl ProviderKind {
    /// Every provider, in preference order.
    pub const ALL: [ProviderKind; 2] = [ProviderKind::DajiSaas, ProviderKind::SignedHeader];

    pub fn info(self) -> &'static ProviderInfo {
        match self {
            ProviderKind::DajiSaas => &DajiSaasSettings::INFO,
            ProviderKind::SignedHeader => &SignedHeaderSettings::INFO,
        }
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn capabilities(self) -> Capabilities {
        self.info().capabilities
    }

    /// Settings that talk to a simulator at `base_url` with its demo
    /// credentials.
    #[cfg(feature = "demo")]
    pub fn demo_settings(
        self,
        credentials: &tusou_sim::SimCredentials,
        base_url: &str,
    ) -> ProviderSettings {
        match self {
            ProviderKind::DajiSaas => {
                ProviderSettings::DajiSaas(DajiSaasSettings::demo(credentials, base_url))
            }
            ProviderKind::SignedHeader => {
                ProviderSettings::SignedHeader(SignedHeaderSettings::demo(credentials, base_url))
            }
        }
    }
}

impl std::str::FromStr for ProviderKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        ProviderKind::ALL
            .into_iter()
            .find(|kind| {
                let info = kind.info();
                info.name == wanted || info.aliases.contains(&wanted.as_str())
            })
            .ok_or_else(|| {
                let names: Vec<&str> = ProviderKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown provider {wanted:?}: use {}", names.join(" or "))
            })
    }
}

/// One provider's endpoint and credentials.
#[derive(Clone, Debug)]
pub enum ProviderSettings {
    DajiSaas(DajiSaasSettings),
    SignedHeader(SignedHeaderSettings),
}

/// Runs `$body` with `$p` bound to the provider inside `$settings`: the one
/// place a request is routed to its provider's file.
macro_rules! each_provider {
    ($settings:expr, $p:ident => $body:expr) => {
        match $settings {
            ProviderSettings::DajiSaas($p) => $body,
            ProviderSettings::SignedHeader($p) => $body,
        }
    };
}

impl ProviderSettings {
    /// The configured provider to use: `choice` when it is configured, else
    /// (no choice) the first configured one in [`ProviderKind::ALL`]'s
    /// order. `None` means no credentials: run the demo.
    pub fn choose(
        dajisaas: Option<DajiSaasSettings>,
        signed_header: Option<SignedHeaderSettings>,
        choice: Option<ProviderKind>,
    ) -> Option<ProviderSettings> {
        let configured = [
            dajisaas.map(ProviderSettings::DajiSaas),
            signed_header.map(ProviderSettings::SignedHeader),
        ];
        configured
            .into_iter()
            .flatten()
            .find(|p| choice.is_none_or(|wanted| p.kind() == wanted))
    }

    /// Whether the provider of `kind` is the one [`ProviderSettings::choose`]
    /// would pick under `choice`, when the providers before it in preference
    /// order are configured or not (`earlier_configured`).
    pub fn would_choose(
        kind: ProviderKind,
        choice: Option<ProviderKind>,
        earlier_configured: bool,
    ) -> bool {
        match choice {
            Some(wanted) => wanted == kind,
            None => !earlier_configured,
        }
    }

    pub fn kind(&self) -> ProviderKind {
        match self {
            ProviderSettings::DajiSaas(_) => ProviderKind::DajiSaas,
            ProviderSettings::SignedHeader(_) => ProviderKind::SignedHeader,
        }
    }

    pub fn info(&self) -> &'static ProviderInfo {
        self.kind().info()
    }

    pub fn name(&self) -> &'static str {
        self.info().name
    }

    pub fn capabilities(&self) -> Capabilities {
        self.info().capabilities
    }

    pub fn base_url(&self) -> &str {
        each_provider!(self, p => p.base_url())
    }

    /// The public half of the credentials (app key / access key): not a
    /// secret, but show only its start.
    pub fn key(&self) -> &str {
        each_provider!(self, p => p.key())
    }

    pub(crate) fn secrets(&self) -> Vec<String> {
        each_provider!(self, p => p.secrets())
    }

    /// Image ids are kept per endpoint and account: an id one account got
    /// means nothing to another.
    pub(crate) fn image_id_scope(&self) -> String {
        format!("{} {}", self.base_url(), self.key())
    }

    pub(crate) async fn upload(
        &self,
        transport: &Transport,
        base64: &str,
    ) -> Result<String, ApiError> {
        each_provider!(self, p => p.upload(transport, base64).await)
    }

    pub(crate) async fn query(
        &self,
        transport: &Transport,
        image: &ImageRef,
        params: &SearchParams,
        page: u32,
    ) -> Result<ResultPage, ApiError> {
        self.capabilities().check_search(self.name(), params)?;
        each_provider!(self, p => p.query(transport, image, params, page).await)
    }

    pub(crate) async fn offer_detail(
        &self,
        transport: &Transport,
        offer_id: &str,
        country: &str,
    ) -> Result<OfferDetail, ApiError> {
        each_provider!(self, p => p.offer_detail(transport, offer_id, country).await)
    }

    pub(crate) async fn freight_estimate(
        &self,
        transport: &Transport,
        query: &FreightQuery,
    ) -> Result<FreightQuote, ApiError> {
        each_provider!(self, p => p.freight_estimate(transport, query).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_aliases_are_accepted() {
        for kind in ProviderKind::ALL {
            assert_eq!(kind.name().parse::<ProviderKind>(), Ok(kind));
        }
        assert_eq!("daji".parse(), Ok(ProviderKind::DajiSaas));
        assert_eq!(" V2 ".parse(), Ok(ProviderKind::SignedHeader));
        assert_eq!("signed_header".parse(), Ok(ProviderKind::SignedHeader));
        let err = "other".parse::<ProviderKind>().unwrap_err();
        assert_eq!(
            err,
            "unknown provider \"other\": use dajisaas or signed-header"
        );
    }

    #[test]
    fn only_dajisaas_uploads_and_has_detail_and_freight() {
        let daji = ProviderKind::DajiSaas.capabilities();
        let signed = ProviderKind::SignedHeader.capabilities();
        assert!(daji.upload_image && daji.query_by_image_id && daji.offer_detail);
        assert!(daji.freight_estimate && !signed.freight_estimate);
        assert!(!signed.upload_image && signed.query_by_image_bytes && !signed.offer_detail);
        for c in [daji, signed] {
            assert!(c.query_by_picture_url && c.region);
        }
        // Refining by words: the official imageQuery's keyword and
        // auxiliaryText, which DajiSaaS passes through and seed 001 lacks.
        assert!(daji.keyword_in_image_search && daji.hint_in_image_search);
        assert!(!signed.keyword_in_image_search && !signed.hint_in_image_search);
        assert_eq!(ProviderKind::DajiSaas.info().key_label, "app key");
        assert_eq!(ProviderKind::SignedHeader.info().key_label, "access key");
    }
}
