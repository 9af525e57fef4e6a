//! Provider clients, signing and models.
//!
//! Two providers wrap 1688's image search: DajiSaaS (upload → `imageId`, then
//! query; `sign` parameter) and the signed-header provider (image in every
//! query; `signature` header). Both normalise into [`ResultPage`].
//!
//! `params` is what a search asks for, `wire` the providers' reply shapes,
//! `offer` the normalised results; `transport` sends a provider request and
//! `retry` repeats it; `client` ties them together for the app.

pub mod client;
pub mod dajisaas;
pub mod detail;
pub mod error;
pub mod http;
pub mod image_cache;
mod offer;
pub(crate) use offer::small_picture_url;
pub mod pace;
mod params;
pub mod region;
mod retry;
pub mod sign;
pub mod signed_header;
pub mod source;
mod transport;
mod wire;

pub use client::{Client, ClientSettings, ProviderKind, ProviderSettings};
pub use dajisaas::DajiSaasSettings;
pub use detail::{AtQuantity, OfferDetail, PriceTier};
pub use error::{ApiError, ErrorKind, Redactor};
pub use offer::{NO_OFFER_LINK, Offer, OfferLink, ResultPage};
pub use params::{
    DEFAULT_PAGE_SIZE, FilterFlag, FilterGroup, ImageRef, MAX_PAGE_SIZE, Price, SearchParams, Sort,
    SortField, SortOrder,
};
pub use params::{check_country, check_out_member_id};
pub use region::{PixelBox, Region, Subjects};
pub use retry::RetryPolicy;
pub use signed_header::SignedHeaderSettings;
pub use source::{ImageSource, ResolveError, ResolvedImage, Route};
pub use wire::{Envelope, UploadData, WirePage};
