//! The history database's work for the app, on blocking threads (SQLite
//! waits on the disk and on other tusou processes' locks); every answer comes
//! back as a `Msg`. With the history off, reads answer empty and writes say so.

use crate::api::{ImageSource, Offer, ResolvedImage, ResultPage, SearchParams};
use crate::app::group::picture_key;
use crate::app::msg::{ExportOffers, HistoryError, Msg, Recorded, StoreOp, StoredPage};
use crate::store::{NewSearch, SearchId, Store, StoreError};
use tokio::sync::mpsc::{self, UnboundedSender};

const HISTORY_LIMIT: u32 = 500;

/// Runs `f` on a blocking thread; a panic there becomes an error.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, HistoryError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(HistoryError::from),
        Err(e) => Err(HistoryError::Task(e.to_string())),
    }
}

/// The string a search's source is kept as: the file's full path or the URL,
/// so it can be searched again from the history.
pub(crate) fn source_text(source: &ImageSource) -> String {
    match source {
        ImageSource::File(p) => p.to_string_lossy().into_owned(),
        ImageSource::Url(u) => u.clone(),
    }
}

/// What is recorded of a search.
pub(super) struct SearchRecord {
    pub(super) source_md5: String,
    pub(super) thumbnail: Option<Vec<u8>>,
    pub(super) source: String,
    pub(super) params: SearchParams,
}

impl SearchRecord {
    pub(super) fn of(
        source: &ImageSource,
        resolved: &ResolvedImage,
        params: SearchParams,
    ) -> SearchRecord {
        SearchRecord {
            source_md5: resolved.source_md5.clone(),
            thumbnail: resolved.thumbnail.clone(),
            source: source_text(source),
            params,
        }
    }
}

pub(super) async fn record_search(
    store: Store,
    provider: String,
    record: SearchRecord,
) -> Result<Recorded, HistoryError> {
    let SearchRecord {
        source_md5: md5,
        thumbnail,
        source,
        params,
    } = record;
    blocking(move || {
        let id = store.record_search(&NewSearch {
            source_md5: &md5,
            thumbnail: thumbnail.as_deref(),
            source: &source,
            provider: &provider,
            params: &params,
        })?;
        let seen = store.source_history(&crate::store::search_key(&md5, &params))?;
        Ok(Recorded { id, seen })
    })
    .await
}

/// Records a page whose first offer takes position `first`: how its offers
/// compare with the last search of the picture, and their groups.
pub(super) async fn record_page(
    store: Store,
    id: SearchId,
    page: u32,
    first: u64,
    reply: &ResultPage,
) -> Result<StoredPage, HistoryError> {
    let offers = reply.offers.clone();
    let keys: Vec<Option<String>> = offers.iter().map(picture_key).collect();
    let total = Some(reply.total_records);
    blocking(move || {
        let firsts = store.record_page_at(id, page, Some(first), &offers, &keys, total)?;
        let end = first.saturating_add(offers.len() as u64);
        let changes = store.changes_in(id, first..end)?;
        Ok(StoredPage { changes, firsts })
    })
    .await
}

/// Reads pages of a search's results back, each with its answer.
pub(super) async fn read_pages(
    store: Store,
    search: SearchId,
    pages: Vec<(usize, std::ops::Range<usize>)>,
) -> Vec<crate::app::msg::PageRead> {
    let asked: Vec<usize> = pages.iter().map(|(p, _)| *p).collect();
    let read = blocking(move || {
        pages
            .into_iter()
            .map(|(page, at)| {
                let at = at.start as u64..at.end as u64;
                Ok((page, store.offers_at(search, at)?))
            })
            .collect::<Result<Vec<_>, StoreError>>()
    })
    .await;
    match read {
        Ok(pages) => pages.into_iter().map(|(p, o)| (p, Ok(o))).collect(),
        Err(e) => asked.into_iter().map(|p| (p, Err(e.clone()))).collect(),
    }
}

/// The results to export in position order: read back from the store,
/// with the pages only memory holds laid over them.
pub(super) fn export_offers(
    store: Option<&Store>,
    rows: ExportOffers,
) -> Result<Vec<Offer>, StoreError> {
    let mut slots: Vec<Option<Offer>> = vec![None; rows.len];
    if let (Some(store), Some(search)) = (store, rows.search) {
        for (p, offer) in store.offers_at(search, 0..rows.len as u64)? {
            if let Some(slot) = usize::try_from(p).ok().and_then(|p| slots.get_mut(p)) {
                *slot = Some(offer);
            }
        }
    }
    for (start, offers) in rows.in_memory {
        for (i, offer) in offers.into_iter().enumerate() {
            if let Some(slot) = slots.get_mut(start + i) {
                *slot = Some(offer);
            }
        }
    }
    Ok(slots.into_iter().flatten().collect())
}

pub(super) async fn thumbnail(store: Option<Store>, id: SearchId) -> Result<Vec<u8>, HistoryError> {
    let store = store.ok_or(HistoryError::Off)?;
    blocking(move || store.search_thumbnail(id))
        .await?
        .ok_or(HistoryError::NoPicture)
}

/// Store operations waiting at most; past it, a change is refused with a
/// message (the user is told, nothing is lost silently).
const QUEUE: usize = 256;

/// Starts the one task that runs store operations, one after another in
/// the order asked (a status cycled twice is written twice, in order).
pub(super) fn start(store: Option<Store>, tx: UnboundedSender<Msg>) -> mpsc::Sender<StoreOp> {
    let (ops, mut queue) = mpsc::channel::<StoreOp>(QUEUE);
    tokio::spawn(async move {
        while let Some(op) = queue.recv().await {
            for msg in handle(store.clone(), op).await {
                if tx.send(msg).is_err() {
                    return;
                }
            }
        }
    });
    ops
}

async fn handle(store: Option<Store>, op: StoreOp) -> Vec<Msg> {
    let Some(store) = store else {
        return vec![match op {
            StoreOp::LoadHistory => Msg::History(Ok(Vec::new())),
            StoreOp::LoadShortlist => Msg::Shortlist(Ok(Vec::new())),
            StoreOp::Reopen(_) => Msg::Reopened(Ok(None)),
            StoreOp::LoadPreferences => Msg::ResultsView(None),
            StoreOp::LoadKeptApart(_) => Msg::KeptApart(Vec::new()),
            _ => Msg::Stored(Err(HistoryError::OffNoChanges)),
        }];
    };
    match op {
        StoreOp::LoadHistory => {
            vec![Msg::History(
                blocking(move || store.recent_searches(HISTORY_LIMIT)).await,
            )]
        }
        StoreOp::LoadShortlist => vec![Msg::Shortlist(blocking(move || store.shortlist()).await)],
        StoreOp::Reopen(id) => vec![Msg::Reopened(blocking(move || store.load_search(id)).await)],
        StoreOp::LoadPreferences => {
            // A choice the store cannot give back is no error worth showing.
            let view =
                blocking(move || store.preference(crate::app::state::ResultsView::PREFERENCE))
                    .await
                    .ok()
                    .flatten()
                    .and_then(|v| crate::app::state::ResultsView::from_name(&v));
            vec![Msg::ResultsView(view)]
        }
        StoreOp::LoadKeptApart(provider) => {
            // None kept apart is what a store that cannot answer means.
            let keys = blocking(move || store.kept_apart(&provider))
                .await
                .unwrap_or_default();
            vec![Msg::KeptApart(keys)]
        }
        StoreOp::KeepApart(offers) => {
            let n = offers.len();
            let done = blocking(move || store.keep_apart(&offers)).await.map(|()| {
                format!("Split: {n} sellers listed apart, and kept apart in later searches")
            });
            vec![Msg::Stored(done)]
        }
        StoreOp::SetPreference(name, value) => {
            // Quietly: a view not remembered is no reason to interrupt.
            if let Err(e) = blocking(move || store.set_preference(&name, &value)).await {
                return vec![Msg::Stored(Err(e))];
            }
            Vec::new()
        }
        StoreOp::DeleteSearch(id) => {
            let s = store.clone();
            let done = blocking(move || s.delete_search(id))
                .await
                .map(|_| "Deleted from the history".to_string());
            vec![
                Msg::Stored(done),
                Msg::History(blocking(move || store.recent_searches(HISTORY_LIMIT)).await),
            ]
        }
        write => {
            let s = store.clone();
            let done = blocking(move || write_op(&s, write)).await;
            vec![
                Msg::Stored(done),
                Msg::Shortlist(blocking(move || store.shortlist()).await),
            ]
        }
    }
}

/// A shortlist write, and what to say when it is done.
fn write_op(store: &Store, op: StoreOp) -> Result<String, StoreError> {
    Ok(match op {
        StoreOp::Star(r, offer) => {
            store.star(&r.provider, &offer)?;
            "Starred: in the shortlist".to_string()
        }
        StoreOp::Unstar(r) => {
            store.unstar(&r)?;
            "Unstarred: out of the shortlist".to_string()
        }
        StoreOp::SetNote(r, offer, note) => {
            store.star(&r.provider, &offer)?;
            store.set_note(&r, &note)?;
            "Note saved".to_string()
        }
        StoreOp::SetStatus(r, offer, status) => {
            store.star(&r.provider, &offer)?;
            store.set_status(&r, status)?;
            format!("Status: {}", status.label())
        }
        StoreOp::LoadHistory
        | StoreOp::LoadShortlist
        | StoreOp::Reopen(_)
        | StoreOp::DeleteSearch(_)
        | StoreOp::LoadPreferences
        | StoreOp::LoadKeptApart(_)
        | StoreOp::KeepApart(_)
        | StoreOp::SetPreference(..) => String::new(),
    })
}

impl super::Runner {
    /// Queued for the store's one task; a full queue is said, not waited on.
    pub(super) fn queue_store_op(&self, op: StoreOp) {
        if self.store_ops.try_send(op).is_err() {
            let _ = self.tx.send(Msg::Stored(Err(HistoryError::Queued)));
        }
    }
}
