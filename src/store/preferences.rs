//! Small choices the app remembers between runs (the results' view), one
//! text value per name.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

/// The longest value kept (a choice, not a document).
const MAX_VALUE: usize = 256;

impl Store {
    /// The value remembered under `name`, if any.
    pub fn preference(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .prepare_cached("SELECT value FROM preferences WHERE name = ?1")?
                .query_row([name], |r| r.get::<_, String>(0))
                .optional()?)
        })
    }

    /// Remembers `value` under `name` (cut to a bound).
    pub fn set_preference(&self, name: &str, value: &str) -> Result<(), StoreError> {
        let value = crate::text::truncate(value, MAX_VALUE);
        self.with(|conn| {
            conn.prepare_cached(
                "INSERT INTO preferences (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![name, value])?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_preference_is_remembered_and_replaced() {
        let store = crate::store::test_store();
        assert_eq!(store.preference("results_view").unwrap(), None);
        store.set_preference("results_view", "gallery").unwrap();
        assert_eq!(
            store.preference("results_view").unwrap().as_deref(),
            Some("gallery")
        );
        store.set_preference("results_view", "list").unwrap();
        assert_eq!(
            store.preference("results_view").unwrap().as_deref(),
            Some("list")
        );
    }
}
