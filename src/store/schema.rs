//! The schema, as a list of migrations keyed by SQLite's `user_version`:
//! migration *n* takes a database from version *n* − 1 to *n*. A released
//! migration is never edited; a change is a new one at the end.

use super::error::StoreError;
use rusqlite::{Connection, TransactionBehavior};

/// The migrations in order; the schema version is their count.
const MIGRATIONS: &[&str] = &[
    // v1: searches, offers seen, results, shortlist, price history, image ids.
    "
    CREATE TABLE searches (
        id          INTEGER PRIMARY KEY,
        source_md5  TEXT NOT NULL,     -- MD5 of the prepared picture
        thumbnail   BLOB,              -- a small copy of it
        source      TEXT NOT NULL,     -- file name or URL
        provider    TEXT NOT NULL,
        filters     TEXT NOT NULL DEFAULT '{}',  -- the search's filters, JSON
        searched_at INTEGER NOT NULL,  -- Unix seconds
        total       INTEGER,           -- the provider's total count
        loaded      INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX searches_by_source ON searches (source_md5, searched_at);
    CREATE INDEX searches_by_time ON searches (searched_at);

    CREATE TABLE offers (
        id             INTEGER PRIMARY KEY,
        provider       TEXT NOT NULL,
        offer_key      TEXT NOT NULL,
        offer          TEXT NOT NULL,  -- the normalised offer, JSON
        first_seen     INTEGER NOT NULL,
        last_seen      INTEGER NOT NULL,
        last_price_fen INTEGER,
        UNIQUE (provider, offer_key)
    );

    CREATE TABLE results (
        search_id INTEGER NOT NULL REFERENCES searches (id) ON DELETE CASCADE,
        offer_id  INTEGER NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
        page      INTEGER NOT NULL,
        rank      INTEGER NOT NULL,
        PRIMARY KEY (search_id, rank)
    ) WITHOUT ROWID;
    CREATE INDEX results_by_offer ON results (offer_id);

    CREATE TABLE shortlist (
        offer_id   INTEGER PRIMARY KEY REFERENCES offers (id) ON DELETE CASCADE,
        note       TEXT NOT NULL DEFAULT '',
        status     TEXT NOT NULL DEFAULT 'to ask'
                   CHECK (status IN ('to ask', 'sample ordered', 'rejected', 'ordered')),
        added_at   INTEGER NOT NULL,
        changed_at INTEGER NOT NULL
    );

    CREATE TABLE price_history (
        offer_id  INTEGER NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
        seen_at   INTEGER NOT NULL,
        price_fen INTEGER NOT NULL,
        PRIMARY KEY (offer_id, seen_at)
    ) WITHOUT ROWID;

    CREATE TABLE image_ids (
        scope     TEXT NOT NULL,       -- provider base URL + account key
        md5       TEXT NOT NULL,       -- MD5 of the uploaded bytes
        image_id  TEXT NOT NULL,
        issued_at INTEGER NOT NULL,    -- Unix seconds
        PRIMARY KEY (scope, md5)
    ) WITHOUT ROWID;
    ",
    // v2: the price an offer had in each search, so a search can be compared
    // with the one before it whatever the clock did between them.
    "
    ALTER TABLE results ADD COLUMN price_fen INTEGER;
    ",
    // v3: image ids found and pruned by age within a scope; the shortlist's
    // order of adding, which whole seconds cannot tell apart.
    "
    CREATE INDEX image_ids_by_age ON image_ids (scope, issued_at);
    ALTER TABLE shortlist ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
    ",
    // v4: batch jobs (`tusou batch`), each input photo's state and the
    // search that answered it, so a stopped run resumes where it was.
    "
    CREATE TABLE batch_jobs (
        id           INTEGER PRIMARY KEY,
        identity     TEXT NOT NULL,     -- inputs + provider + filters + top: the same command finds its job
        input        TEXT NOT NULL,     -- the directory or list, as resolved
        provider     TEXT NOT NULL,
        filters      TEXT NOT NULL,     -- SearchParams, JSON
        top          INTEGER NOT NULL,
        out          TEXT NOT NULL,     -- the sheet's path
        user_columns TEXT NOT NULL DEFAULT '[]',  -- JSON array of names
        created_at   INTEGER NOT NULL,
        finished_at  INTEGER
    );
    CREATE INDEX batch_jobs_by_identity ON batch_jobs (identity, finished_at);

    CREATE TABLE batch_items (
        job_id      INTEGER NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
        idx         INTEGER NOT NULL,   -- 1-based, input order
        source      TEXT NOT NULL,      -- path or URL
        user_values TEXT NOT NULL DEFAULT '[]',  -- JSON array, as user_columns
        state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
        reason      TEXT,               -- why it failed
        search_id   INTEGER REFERENCES searches (id) ON DELETE SET NULL,
        total       INTEGER,
        attempts    INTEGER NOT NULL DEFAULT 0,
        updated_at  INTEGER,
        PRIMARY KEY (job_id, idx)
    ) WITHOUT ROWID;
    ",
    // v5: offer details (minimum order, price tiers, ship-from) as the
    // provider sent them, with when, so they are fetched once and refreshed
    // when old.
    "
    CREATE TABLE details (
        provider   TEXT NOT NULL,
        offer_key  TEXT NOT NULL,      -- as in offers: id:<offer id>
        raw        TEXT NOT NULL,      -- the reply's data, JSON, unknown fields kept
        fetched_at INTEGER NOT NULL,   -- Unix seconds
        PRIMARY KEY (provider, offer_key)
    ) WITHOUT ROWID;
    ",
    // v6: each result's position as the app lists it and its picture's
    // key, so the app reads rows back by position and groups the sellers of
    // one picture without holding every offer in memory. Earlier rows are
    // numbered in page, rank order (how they were always read back).
    "
    ALTER TABLE results ADD COLUMN position INTEGER;
    ALTER TABLE results ADD COLUMN picture_key TEXT;
    UPDATE results SET position = numbered.position FROM (
        SELECT search_id, rank,
               ROW_NUMBER() OVER (PARTITION BY search_id ORDER BY page, rank) - 1 AS position
        FROM results
    ) AS numbered
    WHERE results.search_id = numbered.search_id AND results.rank = numbered.rank;
    CREATE INDEX results_by_position ON results (search_id, position);
    CREATE INDEX results_by_picture ON results (search_id, picture_key, position);
    ",
    // v7: small choices remembered between runs (the results' view).
    "
    CREATE TABLE preferences (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    ",
    // v8: domestic freight estimates as the provider sent them, by the
    // whole question asked, with when, so one is asked once a day at most.
    "
    CREATE TABLE freights (
        provider   TEXT NOT NULL,
        query_key  TEXT NOT NULL,      -- offer id|province/city/district|total|sku:n,…
        raw        TEXT NOT NULL,      -- the reply's model, JSON, unknown fields kept
        fetched_at INTEGER NOT NULL,   -- Unix seconds
        PRIMARY KEY (provider, query_key)
    ) WITHOUT ROWID;
    CREATE INDEX freights_by_age ON freights (fetched_at);
    ",
    // v9: each offer's seller (`open:<open id>` or `company:<name>`, as
    // `store::sellers::seller_key_text` writes it), so the sellers of a
    // history are counted without reading every offer's JSON. Older rows
    // take it from their stored offer where it names the seller; else NULL.
    "
    ALTER TABLE offers ADD COLUMN seller_key TEXT;
    UPDATE offers SET seller_key = CASE WHEN json_valid(offer) THEN
        CASE
            WHEN json_type(offer, '$.seller.open_id') = 'text'
                 AND trim(json_extract(offer, '$.seller.open_id'), ' ' || char(9, 10, 11, 12, 13, 160, 12288)) <> ''
            THEN 'open:' || trim(json_extract(offer, '$.seller.open_id'), ' ' || char(9, 10, 11, 12, 13, 160, 12288))
            WHEN json_type(offer, '$.seller.company') = 'text'
                 AND trim(json_extract(offer, '$.seller.company'), ' ' || char(9, 10, 11, 12, 13, 160, 12288)) <> ''
            THEN 'company:' || trim(json_extract(offer, '$.seller.company'), ' ' || char(9, 10, 11, 12, 13, 160, 12288))
        END
    END;
    CREATE INDEX offers_by_seller ON offers (provider, seller_key) WHERE seller_key IS NOT NULL;
    ",
    // v10: watches (`tusou watch`): a search kept to be run again, with the
    // prepared picture it searches with (capped, so a moved or deleted photo
    // still works), its filters and schedule, and a lock so that two runs at
    // once never run one watch; each run, recorded as an ordinary search,
    // with what changed since the run before; each offer's last known
    // minimum order, where its detail was fetched.
    "
    CREATE TABLE watches (
        id          INTEGER PRIMARY KEY,
        source      TEXT NOT NULL,     -- file path or URL, as given (raw)
        picture     BLOB CHECK (picture IS NULL OR length(picture) <= 2097152),
                                       -- the prepared copy; NULL for a 1688 picture by address
        picture_md5 TEXT NOT NULL,     -- as searches.source_md5
        thumbnail   BLOB,
        provider    TEXT NOT NULL,
        params      TEXT NOT NULL,     -- SearchParams, JSON
        pages       INTEGER NOT NULL DEFAULT 1 CHECK (pages BETWEEN 1 AND 100),
        qty         INTEGER,
        lane        TEXT,
        every_secs  INTEGER NOT NULL CHECK (every_secs > 0),
        drop_bps    INTEGER NOT NULL CHECK (drop_bps BETWEEN 0 AND 10000),
        created_at  INTEGER NOT NULL,
        last_run_at INTEGER,
        next_due    INTEGER NOT NULL,
        lock_owner  TEXT,
        lock_until  INTEGER NOT NULL DEFAULT 0   -- Unix seconds; free once past
    );
    CREATE INDEX watches_by_due ON watches (next_due);

    CREATE TABLE watch_runs (
        id          INTEGER PRIMARY KEY,
        watch_id    INTEGER NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
        search_id   INTEGER REFERENCES searches (id) ON DELETE SET NULL,
        started_at  INTEGER NOT NULL,
        finished_at INTEGER,
        status      TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
        reason      TEXT,
        new         INTEGER NOT NULL DEFAULT 0,
        gone        INTEGER NOT NULL DEFAULT 0,
        cheaper     INTEGER NOT NULL DEFAULT 0,
        dearer      INTEGER NOT NULL DEFAULT 0,
        moq_changed INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX watch_runs_by_watch ON watch_runs (watch_id, id);

    CREATE TABLE watch_moqs (
        watch_id  INTEGER NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
        offer_key TEXT NOT NULL,
        moq       INTEGER NOT NULL,
        PRIMARY KEY (watch_id, offer_key)
    ) WITHOUT ROWID;
    ",
    // v11: offers the user split out of a same-product group, never grouped
    // again (by picture file or by what the picture shows).
    "
    CREATE TABLE kept_apart (
        provider  TEXT NOT NULL,
        offer_key TEXT NOT NULL,       -- as offers.offer_key
        at        INTEGER NOT NULL,    -- Unix seconds
        PRIMARY KEY (provider, offer_key)
    ) WITHOUT ROWID;
    ",
];

/// The tables of the latest schema.
const TABLES: [&str; 15] = [
    "batch_items",
    "batch_jobs",
    "details",
    "freights",
    "image_ids",
    "kept_apart",
    "offers",
    "preferences",
    "price_history",
    "results",
    "searches",
    "shortlist",
    "watch_moqs",
    "watch_runs",
    "watches",
];

/// Every table of the latest schema is there (a file whose `user_version`
/// was set by hand may claim tables it does not have).
pub(crate) fn check_tables(conn: &Connection) -> Result<(), StoreError> {
    let mut st = conn.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1")?;
    let mut missing = Vec::new();
    for table in TABLES {
        if !st.exists([table])? {
            missing.push(table);
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(StoreError::Damaged(format!(
        "tables missing for schema version {}: {}",
        version(conn)?,
        missing.join(", ")
    )))
}

/// The schema version this code writes.
pub(crate) fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

pub(crate) fn version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the database to [`latest`]. The check and the changes run in one
/// immediate transaction, so of several processes opening a new file at
/// once one migrates and the others wait, then find nothing to do. A
/// version above ours is refused ([`StoreError::Newer`]) and left as it is.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let known = latest();
    let found = version(conn)?;
    if found == known {
        return Ok(());
    }
    if found > known {
        return Err(StoreError::Newer { found, known });
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = version(&tx)?;
    if found > known {
        return Err(StoreError::Newer { found, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut st = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn migrates_from_empty_to_latest_and_again_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(version(&conn).unwrap(), 0);
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), latest());
        assert_eq!(
            tables(&conn),
            [
                "batch_items",
                "batch_jobs",
                "details",
                "freights",
                "image_ids",
                "kept_apart",
                "offers",
                "preferences",
                "price_history",
                "results",
                "searches",
                "shortlist",
                "watch_moqs",
                "watch_runs",
                "watches"
            ]
        );
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), latest());
        assert_eq!(tables(&conn), TABLES);
        check_tables(&conn).unwrap();
    }

    #[test]
    fn v1_gains_each_result_s_price_and_keeps_its_rows() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO searches (source_md5, source, provider, searched_at) VALUES ('a', 's', 'p', 0);
             INSERT INTO offers (provider, offer_key, offer, first_seen, last_seen) VALUES ('p', 'k', '{}', 0, 0);
             INSERT INTO results (search_id, offer_id, page, rank) VALUES (1, 1, 1, 0);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), latest());
        let price: Option<i64> = conn
            .query_row("SELECT price_fen FROM results WHERE rank = 0", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(price, None);
    }

    #[test]
    fn v2_gains_the_shortlist_order_and_keeps_its_rows() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch(MIGRATIONS[1]).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO offers (provider, offer_key, offer, first_seen, last_seen) VALUES ('p', 'k', '{}', 0, 0);
             INSERT INTO shortlist (offer_id, note, added_at, changed_at) VALUES (1, 'ask MOQ', 5, 5);
             INSERT INTO image_ids VALUES ('s', 'm', '1', 7);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), latest());
        let (note, seq): (String, i64) = conn
            .query_row("SELECT note, seq FROM shortlist", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((note.as_str(), seq), ("ask MOQ", 0));
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM image_ids", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn every_older_version_gains_the_details_table() {
        for from in 1..5 {
            let mut conn = Connection::open_in_memory().unwrap();
            for sql in &MIGRATIONS[..from] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", from as i64)
                .unwrap();
            assert!(!tables(&conn).contains(&"details".to_string()), "v{from}");
            migrate(&mut conn).unwrap();
            assert_eq!(version(&conn).unwrap(), latest(), "v{from}");
            conn.execute(
                "INSERT INTO details (provider, offer_key, raw, fetched_at) VALUES ('p', 'id:1', '{}', 5)",
                [],
            )
            .unwrap();
            // One detail per provider and offer.
            assert!(
                conn.execute(
                    "INSERT INTO details (provider, offer_key, raw, fetched_at) VALUES ('p', 'id:1', '{}', 6)",
                    [],
                )
                .is_err(),
                "v{from}"
            );
        }
    }

    #[test]
    fn results_before_v6_are_numbered_in_page_then_rank_order() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..5] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 5).unwrap();
        conn.execute_batch(
            "INSERT INTO searches (id, source_md5, source, provider, filters, searched_at)
                VALUES (1, 'a', 's', 'p', '{}', 0), (2, 'b', 's', 'p', '{}', 0);
             INSERT INTO offers (provider, offer_key, offer, first_seen, last_seen)
                VALUES ('p', 'k', '{}', 0, 0);
             -- search 1: page 2 recorded before page 1 (a retry)
             INSERT INTO results (search_id, offer_id, page, rank) VALUES
                (1, 1, 2, 0), (1, 1, 2, 1), (1, 1, 1, 2), (2, 1, 1, 0);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let order: String = conn
            .query_row(
                "SELECT group_concat(search_id || ':' || page || ':' || position, ' ')
                 FROM (SELECT * FROM results ORDER BY search_id, position)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(order, "1:1:0 1:2:1 1:2:2 2:1:0");
    }

    /// v9: older offers take their seller's key from the stored JSON (the
    /// open id, else the company, trimmed); one that names none, or whose
    /// JSON does not read, has none.
    #[test]
    fn offers_before_v9_take_their_seller_key_from_the_stored_offer() {
        for from in 1..9 {
            let mut conn = Connection::open_in_memory().unwrap();
            for sql in &MIGRATIONS[..from] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", from as i64)
                .unwrap();
            conn.execute_batch(
                r#"INSERT INTO offers (provider, offer_key, offer, first_seen, last_seen) VALUES
                    ('p', 'id:1', '{"title": "a", "seller": {"company": " 甲厂\t"}}', 0, 0),
                    ('p', 'id:2', '{"seller": {"open_id": "BBB", "company": "乙厂"}}', 0, 0),
                    ('p', 'id:3', '{"seller": {"company": "  "}}', 0, 0),
                    ('p', 'id:4', '{"seller": {"company": 7}}', 0, 0),
                    ('p', 'id:5', '{"title": "no seller"}', 0, 0),
                    ('p', 'id:6', 'not json', 0, 0);"#,
            )
            .unwrap();
            migrate(&mut conn).unwrap();
            assert_eq!(version(&conn).unwrap(), latest(), "v{from}");
            let keys: Vec<Option<String>> = conn
                .prepare("SELECT seller_key FROM offers ORDER BY offer_key")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(
                keys,
                [
                    Some("company:甲厂".to_string()),
                    Some("open:BBB".to_string()),
                    None,
                    None,
                    None,
                    None
                ],
                "v{from}"
            );
        }
    }

    #[test]
    fn shortlist_status_is_one_of_four() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO offers (provider, offer_key, offer, first_seen, last_seen)
             VALUES ('p', 'k', '{}', 0, 0)",
            [],
        )
        .unwrap();
        let add = |status: &str| {
            conn.execute(
                "INSERT OR REPLACE INTO shortlist (offer_id, status, added_at, changed_at)
                 VALUES (1, ?1, 0, 0)",
                [status],
            )
        };
        for ok in ["to ask", "sample ordered", "rejected", "ordered"] {
            add(ok).unwrap();
        }
        assert!(add("maybe").is_err());
    }

    #[test]
    fn a_newer_version_is_refused_untouched() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", latest() + 1)
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(matches!(err, StoreError::Newer { .. }), "{err}");
        assert_eq!(version(&conn).unwrap(), latest() + 1);
        assert!(tables(&conn).is_empty());
    }
}
