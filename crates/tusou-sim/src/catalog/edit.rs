//! The catalog changing between searches, as a live marketplace does, so a
//! client that searches again (a watch) can be tested on what changed: a
//! new listing, a price moved, a listing gone, a minimum order changed.
//! An edit makes a new catalog from the old one; the generated catalog
//! other servers share is never touched.

use super::{Catalog, CatalogOffer, OfferDetail};

/// One change to a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogEdit {
    /// A new listing of `like`'s product (the same picture, so it ranks
    /// beside it) under a new offer id, at `price_fen`.
    Relist { like: u64, price_fen: u64 },
    /// The listing's price (its detail's first tier follows it).
    SetPrice { offer_id: u64, price_fen: u64 },
    /// The listing is taken down: no search finds it, its detail is unknown.
    Remove { offer_id: u64 },
    /// The listing's minimum order (its detail's first tier starts there).
    SetMinOrder { offer_id: u64, min_order: u64 },
}

impl Catalog {
    /// This catalog with `edit` applied, and the offer id it concerns (the
    /// new one for [`CatalogEdit::Relist`]); `Err` (saying why) for an
    /// offer id not in it or a zero price or minimum order.
    pub fn edited(&self, edit: &CatalogEdit) -> Result<(Catalog, u64), String> {
        let mut offers = self.offers.clone();
        let mut descriptors = self.descriptors.clone();
        let mut moqs = self.moqs.clone();
        let at = |id: u64| {
            self.by_id
                .get(&id)
                .copied()
                .ok_or_else(|| format!("no offer {id} in the catalog"))
        };
        let concerns = match *edit {
            CatalogEdit::Relist { like, price_fen } => {
                nonzero(price_fen, "price")?;
                let i = at(like)?;
                let id = offers.iter().map(|o| o.offer_id).max().unwrap_or(0) + 1;
                let mut copy: CatalogOffer = offers[i].clone();
                copy.offer_id = id;
                copy.offer_map_id = format!("{}-relisted-{id}", copy.offer_map_id);
                copy.price_fen = price_fen;
                copy.consign_price_fen = price_fen;
                offers.push(copy);
                descriptors.push(self.descriptors[i].clone());
                id
            }
            CatalogEdit::SetPrice {
                offer_id,
                price_fen,
            } => {
                nonzero(price_fen, "price")?;
                let o = &mut offers[at(offer_id)?];
                o.price_fen = price_fen;
                o.consign_price_fen = price_fen;
                o.jxhy_price_fen = None;
                o.pf_jxhy_price_fen = None;
                offer_id
            }
            CatalogEdit::Remove { offer_id } => {
                let i = at(offer_id)?;
                offers.remove(i);
                descriptors.remove(i);
                moqs.remove(&offer_id);
                offer_id
            }
            CatalogEdit::SetMinOrder {
                offer_id,
                min_order,
            } => {
                nonzero(min_order, "minimum order")?;
                at(offer_id)?;
                moqs.insert(offer_id, min_order);
                offer_id
            }
        };
        Ok((Catalog::from_parts(offers, descriptors, moqs), concerns))
    }

    /// An offer's detail as served: generated, with a minimum order an
    /// edit set (the first tier starting there, later tiers above it).
    pub fn detail(&self, offer: &CatalogOffer) -> OfferDetail {
        let mut d = OfferDetail::of(offer);
        if let Some(&moq) = self.moqs.get(&offer.offer_id) {
            d.min_order = moq;
            if let Some(first) = d.tiers.first_mut() {
                first.0 = moq;
            }
            let mut floor = moq;
            d.tiers.retain(|t| {
                let keep = t.0 >= floor;
                floor = floor.max(t.0.saturating_add(1));
                keep
            });
        }
        d
    }
}

fn nonzero(n: u64, what: &str) -> Result<(), String> {
    if n == 0 {
        Err(format!("a {what} of 0"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_add_move_remove_and_set_the_minimum_order() {
        let base = Catalog::build(7, 40);
        let first = base.offers[0].offer_id;
        let (c, new) = base
            .edited(&CatalogEdit::Relist {
                like: first,
                price_fen: 123,
            })
            .unwrap();
        assert_eq!(c.offers.len(), 41);
        assert_eq!(c.get(new).map(|o| o.price_fen), Some(123));
        assert_eq!(c.descriptor(new), base.descriptor(first));
        let (c, _) = c
            .edited(&CatalogEdit::SetPrice {
                offer_id: first,
                price_fen: 50,
            })
            .unwrap();
        assert_eq!(c.get(first).map(|o| o.price_fen), Some(50));
        let (c, _) = c
            .edited(&CatalogEdit::SetMinOrder {
                offer_id: first,
                min_order: 7777,
            })
            .unwrap();
        let d = c.detail(c.get(first).unwrap());
        assert_eq!((d.min_order, d.tiers[0].0), (7777, 7777));
        assert!(d.tiers.windows(2).all(|t| t[0].0 < t[1].0));
        let (c, _) = c.edited(&CatalogEdit::Remove { offer_id: first }).unwrap();
        assert!(c.get(first).is_none());
        assert_eq!(c.offers.len(), 40);
        assert!(c.edited(&CatalogEdit::Remove { offer_id: first }).is_err());
        assert!(
            c.edited(&CatalogEdit::SetPrice {
                offer_id: new,
                price_fen: 0
            })
            .is_err()
        );
        // The shared catalog is untouched.
        assert_eq!(base.offers.len(), 40);
        assert!(base.get(first).is_some());
    }
}
