//! A zip written entry by entry whose central directory goes to a
//! temporary file until the end, so that a workbook of 60,000 pictures
//! holds no 60,000 directory entries in memory (the `zip` crate keeps
//! each, about 200 bytes). Zip64 counts where there are more than 65,535
//! entries; a workbook past 4 GiB is refused.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::DeflateEncoder;

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END: u32 = 0x0605_4b50;
const END64: u32 = 0x0606_4b50;
const END64_LOCATOR: u32 = 0x0706_4b50;
/// Names are UTF-8.
const FLAGS: u16 = 1 << 11;
/// 1980-01-01 00:00, as rust_xlsxwriter dates its parts.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = 0x21;
const VERSION: u16 = 20;
const VERSION64: u16 = 45;

/// How an entry's bytes are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Stored = 0,
    Deflated = 8,
}

impl Method {
    pub(crate) fn from_zip(method: zip::CompressionMethod) -> io::Result<Method> {
        match method {
            zip::CompressionMethod::Stored => Ok(Method::Stored),
            zip::CompressionMethod::Deflated => Ok(Method::Deflated),
            other => Err(io::Error::other(format!(
                "a workbook part compressed with {other:?}"
            ))),
        }
    }
}

/// What the central directory says of one entry.
struct Entry {
    method: Method,
    crc: u32,
    compressed: u64,
    size: u64,
    offset: u64,
}

/// A zip being written to `out`.
pub(crate) struct ZipOut<W: Write + Seek> {
    out: CountingWriter<W>,
    central: BufWriter<File>,
    entries: u64,
}

impl<W: Write + Seek> ZipOut<W> {
    /// A zip at `out`'s start, its directory kept in `dir` meanwhile.
    pub(crate) fn new(out: W, dir: &Path) -> io::Result<ZipOut<W>> {
        Ok(ZipOut {
            out: CountingWriter { inner: out, at: 0 },
            central: BufWriter::new(tempfile::tempfile_in(dir)?),
            entries: 0,
        })
    }

    /// An entry whose compressed bytes, checksum and sizes are known:
    /// `data` is copied as it is (`compressed` bytes).
    pub(crate) fn raw(
        &mut self,
        name: &str,
        method: Method,
        crc: u32,
        size: u64,
        compressed: u64,
        data: &mut impl Read,
    ) -> io::Result<()> {
        let offset = self.out.at;
        let entry = Entry {
            method,
            crc,
            compressed,
            size,
            offset,
        };
        self.local_header(name, &entry)?;
        let copied = io::copy(&mut data.take(compressed), &mut self.out)?;
        if copied != compressed {
            return Err(io::Error::other(format!("{name} was cut short")));
        }
        self.central(name, &entry)
    }

    /// A stored entry of `bytes`.
    pub(crate) fn stored(&mut self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let len = bytes.len() as u64;
        self.raw(
            name,
            Method::Stored,
            crc32fast::hash(bytes),
            len,
            len,
            &mut &bytes[..],
        )
    }

    /// A deflated entry written by `write`; its header is completed once
    /// its sizes are known.
    pub(crate) fn deflated(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let offset = self.out.at;
        let mut entry = Entry {
            method: Method::Deflated,
            crc: 0,
            compressed: 0,
            size: 0,
            offset,
        };
        self.local_header(name, &entry)?;
        let start = self.out.at;
        let (crc, size) = {
            let mut body = Hashing {
                inner: DeflateEncoder::new(&mut self.out, Compression::default()),
                crc: crc32fast::Hasher::new(),
                size: 0,
            };
            write(&mut body)?;
            let Hashing { inner, crc, size } = body;
            inner.finish()?;
            (crc.finalize(), size)
        };
        entry.crc = crc;
        entry.size = size;
        entry.compressed = self.out.at - start;
        let end = self.out.at;
        check_4g(end)?;
        // The checksum and sizes sit 14 bytes into the local header.
        self.out.inner.seek(SeekFrom::Start(offset + 14))?;
        self.out.inner.write_all(&entry.crc.to_le_bytes())?;
        self.out
            .inner
            .write_all(&(entry.compressed as u32).to_le_bytes())?;
        self.out
            .inner
            .write_all(&(entry.size as u32).to_le_bytes())?;
        self.out.inner.seek(SeekFrom::Start(end))?;
        self.central(name, &entry)
    }

    fn local_header(&mut self, name: &str, entry: &Entry) -> io::Result<()> {
        check_4g(entry.offset + entry.compressed)?;
        let mut head = Vec::with_capacity(30 + name.len());
        head.extend_from_slice(&LOCAL_HEADER.to_le_bytes());
        head.extend_from_slice(&VERSION.to_le_bytes());
        head.extend_from_slice(&FLAGS.to_le_bytes());
        head.extend_from_slice(&(entry.method as u16).to_le_bytes());
        head.extend_from_slice(&DOS_TIME.to_le_bytes());
        head.extend_from_slice(&DOS_DATE.to_le_bytes());
        head.extend_from_slice(&entry.crc.to_le_bytes());
        head.extend_from_slice(&(entry.compressed as u32).to_le_bytes());
        head.extend_from_slice(&(entry.size as u32).to_le_bytes());
        head.extend_from_slice(&name_len(name)?.to_le_bytes());
        head.extend_from_slice(&0u16.to_le_bytes());
        head.extend_from_slice(name.as_bytes());
        self.out.write_all(&head)
    }

    fn central(&mut self, name: &str, entry: &Entry) -> io::Result<()> {
        let c = &mut self.central;
        c.write_all(&CENTRAL_HEADER.to_le_bytes())?;
        c.write_all(&VERSION.to_le_bytes())?;
        c.write_all(&VERSION.to_le_bytes())?;
        c.write_all(&FLAGS.to_le_bytes())?;
        c.write_all(&(entry.method as u16).to_le_bytes())?;
        c.write_all(&DOS_TIME.to_le_bytes())?;
        c.write_all(&DOS_DATE.to_le_bytes())?;
        c.write_all(&entry.crc.to_le_bytes())?;
        c.write_all(&(entry.compressed as u32).to_le_bytes())?;
        c.write_all(&(entry.size as u32).to_le_bytes())?;
        c.write_all(&name_len(name)?.to_le_bytes())?;
        // Extra field, comment, disk, internal and external attributes.
        c.write_all(&[0; 2 + 2 + 2 + 2 + 4])?;
        c.write_all(&(entry.offset as u32).to_le_bytes())?;
        c.write_all(name.as_bytes())?;
        self.entries += 1;
        Ok(())
    }

    /// The directory and the end records; answers `out`.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        let start = self.out.at;
        let mut central = self.central.into_inner().map_err(|e| e.into_error())?;
        central.seek(SeekFrom::Start(0))?;
        io::copy(&mut central, &mut self.out)?;
        let end = self.out.at;
        check_4g(end)?;
        let size = end - start;
        let entries = self.entries;
        let mut tail = Vec::new();
        if entries > u64::from(u16::MAX) {
            tail.extend_from_slice(&END64.to_le_bytes());
            tail.extend_from_slice(&44u64.to_le_bytes());
            tail.extend_from_slice(&VERSION64.to_le_bytes());
            tail.extend_from_slice(&VERSION64.to_le_bytes());
            tail.extend_from_slice(&[0; 8]); // this disk, the directory's disk
            tail.extend_from_slice(&entries.to_le_bytes());
            tail.extend_from_slice(&entries.to_le_bytes());
            tail.extend_from_slice(&size.to_le_bytes());
            tail.extend_from_slice(&start.to_le_bytes());
            tail.extend_from_slice(&END64_LOCATOR.to_le_bytes());
            tail.extend_from_slice(&0u32.to_le_bytes());
            tail.extend_from_slice(&end.to_le_bytes());
            tail.extend_from_slice(&1u32.to_le_bytes());
        }
        let count = u16::try_from(entries).unwrap_or(u16::MAX);
        tail.extend_from_slice(&END.to_le_bytes());
        tail.extend_from_slice(&[0; 4]); // this disk, the directory's disk
        tail.extend_from_slice(&count.to_le_bytes());
        tail.extend_from_slice(&count.to_le_bytes());
        tail.extend_from_slice(&(size as u32).to_le_bytes());
        tail.extend_from_slice(&(start as u32).to_le_bytes());
        tail.extend_from_slice(&0u16.to_le_bytes());
        self.out.write_all(&tail)?;
        self.out.flush()?;
        Ok(self.out.inner)
    }
}

fn name_len(name: &str) -> io::Result<u16> {
    u16::try_from(name.len()).map_err(|_| io::Error::other("a part name too long for a zip"))
}

/// Offsets and sizes are kept in 32 bits: past them the sheet is refused
/// rather than written wrong.
fn check_4g(at: u64) -> io::Result<()> {
    if at >= u64::from(u32::MAX) {
        return Err(io::Error::other(
            "the workbook would pass 4 GiB: write the sheet as .csv or .jsonl",
        ));
    }
    Ok(())
}

/// `out`, counting the bytes written to it.
struct CountingWriter<W> {
    inner: W,
    at: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.at += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// An entry's uncompressed bytes: counted and checksummed on their way.
struct Hashing<W> {
    inner: W,
    crc: crc32fast::Hasher,
    size: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(bytes: Vec<u8>) -> Vec<(String, Vec<u8>)> {
        let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut data = Vec::new();
                f.read_to_end(&mut data).unwrap();
                (f.name().unwrap().into_owned(), data)
            })
            .collect()
    }

    #[test]
    fn entries_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut zip = ZipOut::new(io::Cursor::new(Vec::new()), dir.path()).unwrap();
        zip.stored("xl/media/image1.png", b"\x89PNG pretend")
            .unwrap();
        let text = "<worksheet>".to_string() + &"<row/>".repeat(10_000) + "</worksheet>";
        zip.deflated("xl/worksheets/sheet1.xml", |w| w.write_all(text.as_bytes()))
            .unwrap();
        zip.deflated("empty.xml", |_| Ok(())).unwrap();
        // A part copied compressed from another zip.
        let compressed = {
            let mut e = DeflateEncoder::new(Vec::new(), Compression::default());
            e.write_all(b"copied").unwrap();
            e.finish().unwrap()
        };
        let len = compressed.len() as u64;
        zip.raw(
            "docProps/app.xml",
            Method::Deflated,
            crc32fast::hash(b"copied"),
            6,
            len,
            &mut compressed.as_slice(),
        )
        .unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert_eq!(
            read_back(bytes),
            vec![
                ("xl/media/image1.png".into(), b"\x89PNG pretend".to_vec()),
                ("xl/worksheets/sheet1.xml".into(), text.into_bytes()),
                ("empty.xml".into(), Vec::new()),
                ("docProps/app.xml".into(), b"copied".to_vec()),
            ]
        );
    }

    #[test]
    fn more_than_65535_entries_are_counted_in_zip64() {
        let dir = tempfile::tempdir().unwrap();
        let mut zip = ZipOut::new(io::Cursor::new(Vec::new()), dir.path()).unwrap();
        for i in 0..70_000u32 {
            zip.stored(&format!("m/{i}"), &i.to_le_bytes()).unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes)).unwrap();
        assert_eq!(zip.len(), 70_000);
        let mut last = Vec::new();
        zip.by_name("m/69999")
            .unwrap()
            .read_to_end(&mut last)
            .unwrap();
        assert_eq!(last, 69_999u32.to_le_bytes());
    }
}
