//! placeholder until the grouping module lands
use crate::api::Offer;
pub fn picture_key(offer: &Offer) -> Option<String> {
    offer.picture_link()
}
