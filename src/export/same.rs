//! Same-product columns of an export: each grouped offer's group (named by
//! the rank of its first offer) and the group's price spread, so a sheet
//! sorted or filtered still says "same product: 9 sellers, from ¥11.80".

use crate::api::Price;
use std::collections::HashMap;

/// The columns' names, in order.
pub(crate) const SAME_COLUMNS: [&str; 2] = ["same_product_group", "same_product"];

/// Grouped offers by rank (1-based, as the export numbers rows).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SameColumns {
    by_rank: HashMap<usize, (usize, String)>,
}

impl SameColumns {
    /// The offers at `ranks` are one product, `count` sellers, the cheapest
    /// at `from`; the group is named after the first rank.
    pub(crate) fn add_group(&mut self, ranks: &[usize], count: usize, from: Option<Price>) {
        let Some(first) = ranks.iter().min().copied() else {
            return;
        };
        let label = spread_label(count, from);
        for &rank in ranks {
            self.by_rank.insert(rank, (first, label.clone()));
        }
    }

    /// The two cells of the row at `rank` (empty for an offer alone).
    pub(crate) fn cells(&self, rank: usize) -> [(String, String); 2] {
        let (group, label) = self
            .by_rank
            .get(&rank)
            .map_or((String::new(), String::new()), |(first, label)| {
                (format!("g{first}"), label.clone())
            });
        [
            (SAME_COLUMNS[0].to_string(), group),
            (SAME_COLUMNS[1].to_string(), label),
        ]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.by_rank.is_empty()
    }
}

/// "same product: 9 sellers, from ¥11.80".
pub(crate) fn spread_label(count: usize, from: Option<Price>) -> String {
    match from {
        Some(p) => format!("same product: {count} sellers, from ¥{p}"),
        None => format!("same product: {count} sellers"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_rows_name_their_group_and_its_spread_and_others_are_empty() {
        let mut same = SameColumns::default();
        same.add_group(&[4, 2, 9], 3, Some(Price(1180)));
        assert_eq!(
            same.cells(9),
            [
                ("same_product_group".into(), "g2".into()),
                (
                    "same_product".into(),
                    "same product: 3 sellers, from ¥11.80".into()
                )
            ]
        );
        assert_eq!(same.cells(3)[0].1, "");
        assert_eq!(same.cells(3)[1].1, "");
    }
}
