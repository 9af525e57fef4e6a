//! The picker's directory listing: entries sent in growing batches, the
//! first bytes of regular files sniffed on a helper thread with a deadline,
//! so a stalled file system never stalls the app.

use super::Runner;
use crate::app::msg::{ListingError, Msg};
use crate::app::state::Entry;
use crate::image::sniff;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// Files whose first bytes are read per listing; past that, extensions.
const SNIFF_CAP: usize = 5_000;
/// Time spent sniffing per listing before falling back to extensions.
const SNIFF_TIME: Duration = Duration::from_secs(2);
/// Longest wait for one file's first bytes; past it, the listing stops
/// sniffing (a stalled file system stalls only the sniffing thread).
const SNIFF_WAIT: Duration = Duration::from_millis(500);

impl Runner {
    /// A new listing cancels the one before (it stops at its next entry).
    pub(super) fn list_dir(&mut self, generation: u64, dir: PathBuf) {
        if let Some(c) = self.listing_cancel.take() {
            c.store(true, Ordering::Relaxed);
        }
        let cancel = Arc::new(AtomicBool::new(false));
        self.listing_cancel = Some(cancel.clone());
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || list_entries(generation, &dir, &cancel, &tx));
    }
}

/// Lists `dir` in batches (growing, and at least every 100 ms), sniffing
/// the first bytes of regular files up to a cap. FIFOs, devices and sockets
/// are listed, never opened, and never pictures; sniffing runs on a helper
/// thread with a deadline per file, so nothing here can block for long.
fn list_entries(generation: u64, dir: &Path, cancel: &AtomicBool, tx: &UnboundedSender<Msg>) {
    let send = |entries: Vec<Entry>, done: bool, error: Option<ListingError>| {
        let _ = tx.send(Msg::Listing {
            generation,
            entries,
            done,
            error,
        });
    };
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(source) => {
            let dir = dir.to_path_buf();
            send(Vec::new(), true, Some(ListingError { dir, source }));
            return;
        }
    };
    let started = Instant::now();
    let mut last_send = Instant::now();
    let mut batch = Vec::new();
    let mut batch_cap = 256usize;
    let mut sniffed = 0usize;
    let mut sniffer = Sniffer::start();
    for ent in rd {
        if cancel.load(Ordering::Relaxed) || tx.is_closed() {
            return;
        }
        let Ok(ent) = ent else {
            continue;
        };
        let name = ent.file_name().to_string_lossy().into_owned();
        let path = ent.path();
        let ft = ent.file_type().ok();
        let is_link = ft.is_some_and(|t| t.is_symlink());
        // Never opens the file: safe on FIFOs and devices.
        let meta = if is_link {
            std::fs::metadata(&path).ok()
        } else {
            ent.metadata().ok()
        };
        let is_dir = meta.as_ref().is_some_and(|m| m.is_dir());
        // Regular files (or ones whose type is unknown) may be pictures.
        let special = meta.as_ref().is_some_and(|m| !m.is_dir() && !m.is_file());
        let size = meta
            .as_ref()
            .map_or(0, |m| if m.is_file() { m.len() } else { 0 });
        let sniffing = sniffed < SNIFF_CAP && started.elapsed() < SNIFF_TIME;
        let (is_image, format, unread) = if is_dir {
            (false, None, None)
        } else if special {
            // Refused by its metadata, never opened.
            (false, None, crate::fs::read_head(&path, 0).err())
        } else if let Some(found) = sniffing.then(|| sniffer.sniff(&path)).flatten() {
            sniffed += 1;
            found
        } else {
            (crate::image::looks_like_image(&name), None, None)
        };
        let mut entry = Entry::new(name, path, is_dir, size, is_image, format);
        entry.unread = unread;
        batch.push(entry);
        if batch.len() >= batch_cap || last_send.elapsed() > Duration::from_millis(100) {
            send(std::mem::take(&mut batch), false, None);
            batch_cap = (batch_cap * 2).min(16_384);
            last_send = Instant::now();
        }
    }
    send(batch, true, None);
}

/// A picture, its format, and why the first bytes could not be read.
type SniffResult = (bool, Option<String>, Option<crate::fs::ReadError>);

/// Content sniffing on a helper thread. A file whose first bytes take more
/// than [`SNIFF_WAIT`] (a stalled network mount) stalls only that thread:
/// the listing abandons it and goes on by file extension.
struct Sniffer {
    worker: Option<(
        std::sync::mpsc::Sender<std::path::PathBuf>,
        std::sync::mpsc::Receiver<SniffResult>,
    )>,
}

impl Sniffer {
    fn start() -> Sniffer {
        let (req_tx, req_rx) = std::sync::mpsc::channel::<std::path::PathBuf>();
        let (res_tx, res_rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("tusou-sniff".into())
            .spawn(move || {
                // Ends when the listing drops its sender (or abandons us).
                for path in req_rx {
                    if res_tx.send(sniff_file(&path)).is_err() {
                        break;
                    }
                }
            });
        Sniffer {
            worker: spawned.ok().map(|_| (req_tx, res_rx)),
        }
    }

    /// `None` when sniffing is off (abandoned after a stall, or no thread).
    fn sniff(&mut self, path: &Path) -> Option<SniffResult> {
        let (req, res) = self.worker.as_ref()?;
        let answer = req
            .send(path.to_path_buf())
            .ok()
            .and_then(|()| res.recv_timeout(SNIFF_WAIT).ok());
        if answer.is_none() {
            // Late answers would belong to this file: never ask again.
            self.worker = None;
        }
        answer
    }
}

/// Whether a file's first bytes are a picture (and which format). Opens
/// only regular files, without blocking (see `crate::image::read`).
fn sniff_file(path: &Path) -> SniffResult {
    match crate::fs::read_head(path, 32) {
        Ok(head) => match sniff(&head) {
            Some(fmt) => (true, Some(fmt.name().to_string()), None),
            None => (false, None, None),
        },
        Err(e) => (false, None, Some(e)),
    }
}
