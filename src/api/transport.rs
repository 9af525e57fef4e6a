//! The HTTP pool both providers send through, and how a provider request
//! becomes its envelope's `data` or a normalised page (errors redacted).

use super::error::{ApiError, Redactor};
use super::http;
use super::offer::ResultPage;
use super::wire::WirePage;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Redirects followed at most, for every request (picture downloads included).
pub(crate) const MAX_REDIRECTS: usize = 5;

/// A provider endpoint's URL: its base URL (a trailing `/` or not) plus the
/// endpoint's path.
pub(crate) fn endpoint(base_url: &str, path: &str) -> String {
    format!("{}{path}", base_url.trim_end_matches('/'))
}

/// The HTTP pool plus what every request needs to report errors safely.
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) timeout: Duration,
    pub(crate) redactor: Redactor,
}

impl Transport {
    /// One pool for a client: its time limits, user agent and redirect
    /// bound; `redactor` hides the provider's secrets in errors.
    pub(crate) fn new(
        connect_timeout: Duration,
        timeout: Duration,
        redactor: Redactor,
    ) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .timeout(timeout)
            .user_agent(concat!("tusou/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .build()
            .map_err(|e| ApiError::Network(format!("could not build HTTP client: {e}")))?;
        Ok(Transport {
            http,
            timeout,
            redactor,
        })
    }

    /// Sends a request and reads the provider envelope's `data` (the reply
    /// read up to [`http::MAX_REPLY_BYTES`] while it streams).
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ApiError> {
        let body = self.send_raw(request).await?;
        http::parse_envelope(&body, &self.redactor)
    }

    /// Sends a request; answers the body of a successful reply.
    async fn send_raw(&self, request: reqwest::RequestBuilder) -> Result<Vec<u8>, ApiError> {
        let response = request
            .send()
            .await
            .map_err(|e| http::transport_error(e, self.timeout))?;
        http::read_reply(response, self.timeout, &self.redactor).await
    }

    /// Sends a query and normalises its page. A page that does not add up
    /// (empty although its totals say offers remain, or with no offer that
    /// could be read) is a `Decode` error, so it is retried and, failing
    /// that, reported rather than taken for the end of the results.
    pub(crate) async fn send_query(
        &self,
        request: reqwest::RequestBuilder,
        page: u32,
        page_size: u32,
    ) -> Result<ResultPage, ApiError> {
        let body = self.send_raw(request).await?;
        let data: WirePage = http::parse_envelope(&body, &self.redactor)?;
        ResultPage::from_wire_checked(data, page, page_size)
            .map_err(|reason| ApiError::decode(reason, &body, &self.redactor))
    }

    /// Sends an offer-detail request and reads its `data` tolerantly; a
    /// `data` that is not an object is a `Decode` error.
    pub(crate) async fn send_detail(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<super::detail::OfferDetail, ApiError> {
        let body = self.send_raw(request).await?;
        let data: serde_json::Value = http::parse_envelope(&body, &self.redactor)?;
        super::detail::OfferDetail::from_value(data)
            .map_err(|reason| ApiError::decode(reason, &body, &self.redactor))
    }
}
