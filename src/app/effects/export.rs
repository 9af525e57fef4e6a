//! Exports: the results (read back from the store, with the pages only
//! memory holds) or the shortlist, written on a blocking thread.

use super::{Runner, store};
use crate::app::msg::{ExportDetails, ExportError, ExportOffers, Msg};
use crate::money::Currency;
use crate::store::ShortlistEntry;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

impl Runner {
    pub(super) fn export_shortlist(
        &self,
        entries: Vec<ShortlistEntry>,
        dir: PathBuf,
        currency: Option<Currency>,
        at: Option<crate::app::msg::ShortlistAt>,
    ) {
        let tx = self.tx.clone();
        let store = self.store.clone();
        let at = at.map(|a| crate::export::shortlist::QuantityColumns {
            quantity: a.quantity,
            landed: a.lane.and_then(|lane| {
                crate::export::landed::LandedSetup::new(&a.settings, &lane.name).ok()
            }),
        });
        tokio::task::spawn_blocking(move || {
            let stem = format!(
                "tusou-shortlist-{}",
                crate::text::file_stamp(std::time::SystemTime::now())
            );
            let result = std::fs::create_dir_all(&dir)
                .and_then(|()| {
                    crate::export::shortlist::export_both(
                        &entries,
                        &dir,
                        &stem,
                        currency.as_ref(),
                        store.as_ref(),
                        at.as_ref(),
                    )
                })
                .map_err(|source| ExportError::Write { dir, source });
            let _ = tx.send(Msg::Exported(result));
        });
    }

    pub(super) fn export(
        &self,
        offers: ExportOffers,
        dir: PathBuf,
        currency: Option<Currency>,
        crop: Option<String>,
        details: Option<ExportDetails>,
        same: Option<crate::export::same::SameColumns>,
    ) {
        let tx = self.tx.clone();
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let offers = match store::export_offers(store.as_ref(), offers) {
                Ok(offers) => offers,
                Err(e) => {
                    let _ = tx.send(Msg::Exported(Err(ExportError::History(e))));
                    return;
                }
            };
            let mut stem = format!(
                "tusou-{}",
                crate::text::file_stamp(std::time::SystemTime::now())
            );
            if let Some(name) = crop.as_deref().and_then(crop_file_part) {
                stem.push_str(&name);
            }
            let result = std::fs::create_dir_all(&dir)
                .and_then(|()| {
                    crate::export::export_both_detailed(
                        &offers,
                        &dir,
                        &stem,
                        currency.as_ref(),
                        details.map(|d| crate::export::DetailColumns {
                            quantity: d.quantity,
                            known: Arc::new(Mutex::new(d.known)),
                            landed: d.landed.map(|l| {
                                let columns = crate::export::landed::LandedColumns::new(
                                    l.lane,
                                    l.fees,
                                    l.fallback_fen_per_kg,
                                )
                                .with_skus(l.skus);
                                for (id, freight) in l.freights {
                                    columns.keep_freight(&id, freight);
                                }
                                Arc::new(columns)
                            }),
                        }),
                        same,
                    )
                })
                .map(|(csv, json)| vec![csv, json])
                .map_err(|source| ExportError::Write { dir, source });
            let _ = tx.send(Msg::Exported(result));
        });
    }
}

/// A crop in a file name: `-crop-363x362+928+69` for one box (the
/// `WxH+X+Y` form `--region` reads), `-crop-2-boxes` for more.
fn crop_file_part(crop: &str) -> Option<String> {
    let region = crop.parse::<crate::api::Region>().ok()?;
    Some(match region.0.as_slice() {
        [b] => format!("-crop-{}x{}+{}+{}", b.width(), b.height(), b.x1, b.y1),
        boxes => format!("-crop-{}-boxes", boxes.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crop_names_its_export() {
        assert_eq!(
            crop_file_part("928,69,1291,431").as_deref(),
            Some("-crop-363x362+928+69")
        );
        assert_eq!(
            crop_file_part("0,0,1,1;2,2,3,3").as_deref(),
            Some("-crop-2-boxes")
        );
        assert_eq!(crop_file_part("../../etc"), None);
    }
}
