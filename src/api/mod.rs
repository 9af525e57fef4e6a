//! Provider clients, signing and models.
//!
//! Two providers wrap 1688's image search: DajiSaaS (upload → `imageId`, then
//! query; `sign` parameter) and the signed-header provider (image in every
//! query; `signature` header). Both normalise into [`models::ResultPage`].

pub mod client;
pub mod dajisaas;
pub mod error;
pub mod http;
pub mod image_cache;
pub mod models;
pub mod region;
pub mod sign;
pub mod signed_header;
pub mod source;

pub use client::{Client, ClientSettings, ProviderKind, ProviderSettings};
pub use dajisaas::DajiSaasSettings;
pub use error::{ApiError, ErrorKind, Redactor};
pub use http::RetryPolicy;
pub use models::{
    FilterFlag, FilterGroup, ImageRef, NO_OFFER_LINK, Offer, OfferLink, Price, ResultPage,
    SearchParams, Sort, SortField, SortOrder,
};
pub use region::{PixelBox, Region};
pub use signed_header::SignedHeaderSettings;
pub use source::{ImageSource, ResolveError, ResolvedImage, Route};
