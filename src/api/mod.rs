//! Provider clients, signing and models.
//!
//! Two providers wrap 1688's image search: DajiSaaS (upload → `imageId`, then
//! query; `sign` parameter) and the signed-header provider (image in every
//! query; `signature` header). Both normalise into [`ResultPage`].
//!
//! `provider/` is the one seam to the providers (one file each, and what
//! each can do); `params` is what a search asks for, `wire` the providers'
//! reply shapes, `offer` the normalised results; `transport` sends a
//! provider request and `retry` repeats it; `client` ties them together for
//! the app, asking the provider, never which provider it is.

pub mod client;
pub mod detail;
pub mod error;
pub mod freight;
pub mod http;
pub mod image_cache;
mod offer;
pub(crate) use offer::small_picture_url;
pub mod pace;
mod params;
mod picture_key;
pub mod provider;
mod read;
pub use provider::{dajisaas, sign, signed_header};
pub mod region;
mod retry;
pub mod seller;
pub mod sku;
pub mod source;
mod transport;
mod wire;

pub use client::{Client, ClientSettings};
pub use detail::{AtQuantity, OfferDetail, PriceTier};
pub use error::{ApiError, DestinationError, ErrorKind, Redactor};
pub use freight::{ChargeBy, Destination, FreightOutcome, FreightQuery, FreightQuote};
pub use offer::{NO_OFFER_LINK, Offer, OfferLink, ResultPage};
pub use params::{
    DEFAULT_PAGE_SIZE, FilterFlag, FilterGroup, ImageRef, MAX_PAGE_SIZE, Price, SearchParams, Sort,
    SortField, SortOrder,
};
pub use params::{MAX_REFINE_CHARS, check_country, check_out_member_id, check_refine_words};
pub use picture_key::picture_key;
pub use provider::dajisaas::DajiSaasSettings;
pub use provider::signed_header::SignedHeaderSettings;
pub use provider::{Capabilities, ProviderInfo, ProviderKind, ProviderSettings};
pub use region::{PixelBox, Region, Subjects};
pub use retry::RetryPolicy;
pub use seller::{Certificate, Identity, Rate, Score, Seller, SellerKey};
pub use sku::{
    Dims, MixRule, OrderCheck, PackSize, PriceFrom, QuoteType, Shipping, SizeSource, Sku,
    SkuAttribute, SkuPack, Weight, WeightFrom,
};
pub use source::{ImageSource, ResolveError, ResolvedImage, Route};
pub use wire::{Envelope, UploadData, WirePage};
