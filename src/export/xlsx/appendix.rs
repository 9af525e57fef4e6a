//! What a constant-memory worksheet cannot stream: its hyperlinks and
//! pictures. rust_xlsxwriter keeps every one of them in memory until it
//! saves (issue 28.5: a 10,000-photo sheet peaked at 37× a 100-photo one),
//! so they go to temporary files as they come and are joined to the
//! workbook's zip when it is saved: the `<hyperlinks>` element and a
//! `<drawing>` spliced into each sheet's XML, the relationships, the
//! drawing parts and the media. Memory stays flat but for the zip's own
//! directory (an entry per distinct picture).

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use md5::{Digest, Md5};
use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{ColNum, RowNum};
use zip::ZipArchive;

use super::zip_out::{Method, ZipOut};

/// Pictures remembered to write a repeated one once (the simulator's
/// catalog and resellers' re-uploads repeat pictures); older ones are
/// forgotten, and written again if they come back.
const RECENT_PICTURES: usize = 4_096;
/// Longest picture taken (a thumbnail is a few KB; a bigger one is not a
/// thumbnail and stays out of the sheet).
pub(crate) const MAX_PICTURE_BYTES: usize = 4 << 20;
/// Longest part of a sheet's XML after its cells (`</sheetData>` onwards)
/// that is read whole to splice into it: a few hundred bytes in practice.
const MAX_SHEET_TAIL: u64 = 1 << 20;
/// EMUs per pixel at 96 dpi.
const EMU_PER_PX: f64 = 9_525.0;

const REL_HYPERLINK: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink";
const REL_DRAWING: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing";
const REL_IMAGE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image";
const RELS_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
const RELS_TAIL: &str = "</Relationships>";
const DRAWING_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<xdr:wsDr xmlns:xdr=\"http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing\" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">";
const DRAWING_TAIL: &str = "</xdr:wsDr>";
const DRAWING_TYPE: &str = "application/vnd.openxmlformats-officedocument.drawing+xml";

/// The picture formats a workbook holds, by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PictureKind {
    Png,
    Jpeg,
    Gif,
    Bmp,
}

impl PictureKind {
    const ALL: [PictureKind; 4] = [Self::Png, Self::Jpeg, Self::Gif, Self::Bmp];

    fn of(bytes: &[u8]) -> Option<PictureKind> {
        match bytes {
            [0x89, b'P', b'N', b'G', ..] => Some(Self::Png),
            [0xFF, 0xD8, 0xFF, ..] => Some(Self::Jpeg),
            [b'G', b'I', b'F', b'8', ..] => Some(Self::Gif),
            [b'B', b'M', ..] => Some(Self::Bmp),
            _ => None,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpeg",
            Self::Gif => "gif",
            Self::Bmp => "bmp",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Bmp => "image/bmp",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A temporary file written as it comes, read back once.
struct Spill(BufWriter<File>);

impl Spill {
    fn new(dir: &Path) -> io::Result<Spill> {
        Ok(Spill(BufWriter::new(tempfile::tempfile_in(dir)?)))
    }

    /// The file, rewound to be read.
    fn into_reader(self) -> io::Result<BufReader<File>> {
        let mut file = self.0.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        Ok(BufReader::new(file))
    }
}

impl Write for Spill {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// One worksheet's spilled parts.
struct SheetSpill {
    /// `<hyperlink>` elements.
    hyperlinks: Spill,
    /// The sheet's relationships to them.
    link_rels: Spill,
    /// The drawing's anchors, a picture each.
    anchors: Spill,
    /// The drawing's relationships to the media.
    picture_rels: Spill,
    links: u32,
    pictures: u32,
}

impl SheetSpill {
    fn new(dir: &Path) -> io::Result<SheetSpill> {
        Ok(SheetSpill {
            hyperlinks: Spill::new(dir)?,
            link_rels: Spill::new(dir)?,
            anchors: Spill::new(dir)?,
            picture_rels: Spill::new(dir)?,
            links: 0,
            pictures: 0,
        })
    }
}

/// Pictures written lately, by their digest, with a bound.
#[derive(Default)]
struct Recent {
    media: HashMap<[u8; 16], (u32, PictureKind)>,
    order: VecDeque<[u8; 16]>,
}

impl Recent {
    fn get(&self, digest: &[u8; 16]) -> Option<(u32, PictureKind)> {
        self.media.get(digest).copied()
    }

    fn insert(&mut self, digest: [u8; 16], media: (u32, PictureKind)) {
        if self.order.len() >= RECENT_PICTURES
            && let Some(old) = self.order.pop_front()
        {
            self.media.remove(&old);
        }
        self.order.push_back(digest);
        self.media.insert(digest, media);
    }
}

/// The hyperlinks and pictures of a workbook's worksheets, spilled.
pub(crate) struct Appendix {
    dir: std::path::PathBuf,
    sheets: Vec<SheetSpill>,
    /// Media records: kind (1 byte), length (4 bytes LE), bytes.
    media: Spill,
    media_count: u32,
    recent: Recent,
    kinds_used: [bool; 4],
}

/// Where a picture goes: its cell and the cell's size in pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PictureCell {
    pub row: RowNum,
    pub col: ColNum,
    pub width_px: u32,
    pub height_px: u32,
}

impl Appendix {
    /// An appendix for `sheets` worksheets, its files in `dir`.
    pub(crate) fn new(dir: &Path, sheets: usize) -> io::Result<Appendix> {
        Ok(Appendix {
            dir: dir.to_path_buf(),
            sheets: (0..sheets)
                .map(|_| SheetSpill::new(dir))
                .collect::<io::Result<_>>()?,
            media: Spill::new(dir)?,
            media_count: 0,
            recent: Recent::default(),
            kinds_used: [false; 4],
        })
    }

    fn sheet(&mut self, sheet: usize) -> io::Result<&mut SheetSpill> {
        self.sheets
            .get_mut(sheet)
            .ok_or_else(|| io::Error::other(format!("no worksheet {sheet} in the appendix")))
    }

    /// A hyperlink on `sheet` at the cell to `address` (an http(s) address
    /// the caller checked against Excel's limits).
    pub(crate) fn link(
        &mut self,
        sheet: usize,
        row: RowNum,
        col: ColNum,
        address: &str,
    ) -> io::Result<()> {
        let spill = self.sheet(sheet)?;
        spill.links += 1;
        let id = spill.links;
        // As Excel keeps it: the address in the relationship, its #part
        // on the cell's link.
        let (target, location) = match address.split_once('#') {
            Some((target, location)) => (target, Some(location)),
            None => (address, None),
        };
        write!(
            spill.hyperlinks,
            "<hyperlink ref=\"{}\" r:id=\"rIdL{id}\"",
            row_col_to_cell(row, col)
        )?;
        if let Some(location) = location {
            write!(
                spill.hyperlinks,
                " location=\"{}\"",
                xml_attribute(location)
            )?;
        }
        spill.hyperlinks.write_all(b"/>")?;
        write!(
            spill.link_rels,
            "<Relationship Id=\"rIdL{id}\" Type=\"{REL_HYPERLINK}\" Target=\"{}\" TargetMode=\"External\"/>",
            xml_attribute(&escape_url(target))
        )
    }

    /// A picture over the cell, fitted to it with its shape kept and
    /// centred. `Ok(false)` when the bytes are not a picture a workbook
    /// can hold (a thumbnail is a nicety, never a failure).
    pub(crate) fn picture(
        &mut self,
        sheet: usize,
        cell: PictureCell,
        bytes: &[u8],
        alt: &str,
    ) -> io::Result<bool> {
        let Some(kind) = PictureKind::of(bytes) else {
            return Ok(false);
        };
        if bytes.len() > MAX_PICTURE_BYTES {
            return Ok(false);
        }
        let Ok((width, height)) = image::ImageReader::new(io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(drop)
            .and_then(|r| r.into_dimensions().map_err(drop))
        else {
            return Ok(false);
        };
        if width == 0 || height == 0 {
            return Ok(false);
        }
        let digest: [u8; 16] = Md5::digest(bytes).into();
        let (media, kind) = match self.recent.get(&digest) {
            Some(known) => known,
            None => {
                self.media_count += 1;
                let len = u32::try_from(bytes.len()).map_err(io::Error::other)?;
                self.media.write_all(&[kind as u8])?;
                self.media.write_all(&len.to_le_bytes())?;
                self.media.write_all(bytes)?;
                self.recent.insert(digest, (self.media_count, kind));
                self.kinds_used[kind.index()] = true;
                (self.media_count, kind)
            }
        };
        let scale = (f64::from(cell.width_px) / f64::from(width))
            .min(f64::from(cell.height_px) / f64::from(height));
        let (w, h) = (f64::from(width) * scale, f64::from(height) * scale);
        let emu = |px: f64| (px * EMU_PER_PX).round().max(0.0) as u64;
        let (x, y) = (
            emu((f64::from(cell.width_px) - w) / 2.0),
            emu((f64::from(cell.height_px) - h) / 2.0),
        );
        let (cx, cy) = (emu(w).max(1), emu(h).max(1));
        let spill = self.sheet(sheet)?;
        spill.pictures += 1;
        let n = spill.pictures;
        write!(
            spill.anchors,
            "<xdr:oneCellAnchor><xdr:from><xdr:col>{col}</xdr:col><xdr:colOff>{x}</xdr:colOff><xdr:row>{row}</xdr:row><xdr:rowOff>{y}</xdr:rowOff></xdr:from><xdr:ext cx=\"{cx}\" cy=\"{cy}\"/><xdr:pic><xdr:nvPicPr><xdr:cNvPr id=\"{id}\" name=\"Picture {n}\" descr=\"{alt}\"/><xdr:cNvPicPr><a:picLocks noChangeAspect=\"1\"/></xdr:cNvPicPr></xdr:nvPicPr><xdr:blipFill><a:blip r:embed=\"rIdP{n}\"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:oneCellAnchor>",
            col = cell.col,
            row = cell.row,
            id = u64::from(n) + 1,
            alt = xml_attribute(alt),
        )?;
        write!(
            spill.picture_rels,
            "<Relationship Id=\"rIdP{n}\" Type=\"{REL_IMAGE}\" Target=\"../media/image{media}.{}\"/>",
            kind.extension()
        )?;
        Ok(true)
    }

    /// The workbook `book` (a zip rust_xlsxwriter saved, its worksheets
    /// `xl/worksheets/sheetN.xml` in the order they were added) with the
    /// spilled parts joined, written to `out`.
    pub(crate) fn finish<R: Read + Seek, W: Write + Seek>(self, book: R, out: W) -> io::Result<W> {
        let mut book = ZipArchive::new(book).map_err(zip_error)?;
        let mut zip = ZipOut::new(out, &self.dir)?;
        let mut sheets: Vec<Parts> = self.sheets.into_iter().map(Parts::from).collect();
        for i in 0..book.len() {
            let name = book
                .by_index_raw(i)
                .map_err(zip_error)?
                .name()
                .map_err(zip_error)?
                .into_owned();
            if let Some(parts) =
                sheet_number(&name, "xl/worksheets/sheet", ".xml").and_then(|s| sheets.get_mut(s))
            {
                let mut entry = book.by_index(i).map_err(zip_error)?;
                zip.deflated(&name, |mut w| parts.splice_into_sheet(&mut entry, &mut w))?;
            } else if let Some(s) = sheet_number(&name, "xl/worksheets/_rels/sheet", ".xml.rels")
                .filter(|&s| s < sheets.len())
            {
                let text = read_small(&mut book.by_index(i).map_err(zip_error)?, &name)?;
                let Some(at) = text.rfind(RELS_TAIL) else {
                    return Err(io::Error::other(format!("{name} has no {RELS_TAIL}")));
                };
                let parts = &mut sheets[s];
                zip.deflated(&name, |mut w| {
                    w.write_all(&text.as_bytes()[..at])?;
                    parts.write_sheet_rels(&mut w, s)
                })?;
            } else if name == "[Content_Types].xml" {
                let text = read_small(&mut book.by_index(i).map_err(zip_error)?, &name)?;
                let Some(at) = text.rfind("</Types>") else {
                    return Err(io::Error::other("[Content_Types].xml has no </Types>"));
                };
                let mut types = String::new();
                for kind in PictureKind::ALL {
                    let declared = text.contains(&format!("Extension=\"{}\"", kind.extension()));
                    if self.kinds_used[kind.index()] && !declared {
                        types += &format!(
                            "<Default Extension=\"{}\" ContentType=\"{}\"/>",
                            kind.extension(),
                            kind.content_type()
                        );
                    }
                }
                for (s, parts) in sheets.iter().enumerate() {
                    if parts.pictures > 0 {
                        types += &format!(
                            "<Override PartName=\"/{}\" ContentType=\"{DRAWING_TYPE}\"/>",
                            drawing_name(s)
                        );
                    }
                }
                zip.deflated(&name, |w| {
                    w.write_all(&text.as_bytes()[..at])?;
                    w.write_all(types.as_bytes())?;
                    w.write_all(&text.as_bytes()[at..])
                })?;
            } else {
                let mut entry = book.by_index_raw(i).map_err(zip_error)?;
                let method = Method::from_zip(entry.compression())?;
                let (crc, size, compressed) =
                    (entry.crc32(), entry.size(), entry.compressed_size());
                zip.raw(&name, method, crc, size, compressed, &mut entry)?;
            }
        }
        for (s, parts) in sheets.iter_mut().enumerate() {
            if parts.needs_rels() {
                // The workbook had no relationships for this sheet.
                let name = format!("xl/worksheets/_rels/sheet{}.xml.rels", s + 1);
                zip.deflated(&name, |mut w| {
                    w.write_all(RELS_HEAD.as_bytes())?;
                    parts.write_sheet_rels(&mut w, s)
                })?;
            }
            parts.write_drawing(&mut zip, s)?;
        }
        let mut media = self.media.into_reader()?;
        let mut bytes = Vec::new();
        for n in 1..=self.media_count {
            let mut head = [0u8; 5];
            media.read_exact(&mut head)?;
            let kind = PictureKind::ALL
                .get(usize::from(head[0]))
                .copied()
                .ok_or_else(|| io::Error::other("a damaged media record"))?;
            let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]);
            if len as usize > MAX_PICTURE_BYTES {
                return Err(io::Error::other("a damaged media record"));
            }
            bytes.clear();
            (&mut media).take(u64::from(len)).read_to_end(&mut bytes)?;
            if bytes.len() != len as usize {
                return Err(io::Error::other("a media record was cut short"));
            }
            zip.stored(&format!("xl/media/image{n}.{}", kind.extension()), &bytes)?;
        }
        zip.finish()
    }
}

fn zip_error(e: zip::result::ZipError) -> io::Error {
    match e {
        zip::result::ZipError::Io(e) => e,
        other => io::Error::other(other),
    }
}

/// Worksheet `N − 1` from a part named `{prefix}N{suffix}`.
fn sheet_number(name: &str, prefix: &str, suffix: &str) -> Option<usize> {
    let n: usize = name
        .strip_prefix(prefix)?
        .strip_suffix(suffix)?
        .parse()
        .ok()?;
    n.checked_sub(1)
}

fn drawing_name(sheet: usize) -> String {
    format!("xl/drawings/tusou{}.xml", sheet + 1)
}

/// A small part of the workbook (relationships, content types), whole.
fn read_small(entry: &mut impl Read, name: &str) -> io::Result<String> {
    let mut text = String::new();
    entry.take(MAX_SHEET_TAIL + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_SHEET_TAIL {
        return Err(io::Error::other(format!("{name} is too big to amend")));
    }
    Ok(text)
}

/// One sheet's spilled parts, each taken once when it is written.
struct Parts {
    hyperlinks: Option<Spill>,
    link_rels: Option<Spill>,
    drawing: Option<(Spill, Spill)>,
    links: u32,
    pictures: u32,
}

impl From<SheetSpill> for Parts {
    fn from(s: SheetSpill) -> Parts {
        Parts {
            hyperlinks: Some(s.hyperlinks),
            link_rels: Some(s.link_rels),
            drawing: Some((s.anchors, s.picture_rels)),
            links: s.links,
            pictures: s.pictures,
        }
    }
}

/// Where a sheet's XML is amended: everything from the first of these on
/// is after the cells (cell text has its `<` escaped, so none of them can
/// be inside a cell), and in the schema's order the hyperlinks come before
/// all of them.
const AFTER_CELLS: [&str; 16] = [
    "<hyperlinks",
    "<printOptions",
    "<pageMargins",
    "<pageSetup",
    "<headerFooter",
    "<rowBreaks",
    "<colBreaks",
    "<ignoredErrors",
    "<drawing",
    "<legacyDrawing",
    "<picture",
    "<oleObjects",
    "<controls",
    "<tableParts",
    "<extLst",
    "</worksheet>",
];
/// The drawing goes before the first of these (`<legacyDrawing` to
/// `<extLst` above).
const AFTER_DRAWING: &[&str] = AFTER_CELLS.split_at(9).1.split_at(6).0;

impl Parts {
    fn needs_rels(&self) -> bool {
        self.link_rels.is_some() && (self.links > 0 || self.pictures > 0)
    }

    /// Copies the sheet's XML from `sheet` to `out`, with the hyperlinks
    /// and the drawing's reference spliced in after the cells.
    fn splice_into_sheet(&mut self, sheet: &mut impl Read, out: &mut impl Write) -> io::Result<()> {
        let tail = copy_until_any(sheet, out, &AFTER_CELLS)?;
        let mut tail = String::from_utf8(tail).map_err(io::Error::other)?;
        if tail.starts_with("<drawing") {
            return Err(io::Error::other("the worksheet already has a drawing"));
        }
        if self.pictures > 0 {
            let at = AFTER_DRAWING
                .iter()
                .filter_map(|m| tail.find(m))
                .chain(tail.rfind("</worksheet>"))
                .min()
                .unwrap_or(tail.len());
            tail.insert_str(at, "<drawing r:id=\"rIdD\"/>");
        }
        let hyperlinks = self.hyperlinks.take();
        match hyperlinks {
            Some(spill) if self.links > 0 => {
                let (open, rest) = match tail.strip_prefix("<hyperlinks>") {
                    Some(rest) => ("", rest),
                    None => ("</hyperlinks>", tail.as_str()),
                };
                out.write_all(b"<hyperlinks>")?;
                io::copy(&mut spill.into_reader()?, out)?;
                // Closed here, or by the workbook's own element after its links.
                out.write_all(open.as_bytes())?;
                out.write_all(rest.as_bytes())?;
            }
            _ => out.write_all(tail.as_bytes())?,
        }
        Ok(())
    }

    /// The sheet's relationships after what the part already had, and its
    /// end.
    fn write_sheet_rels(&mut self, out: &mut impl Write, sheet: usize) -> io::Result<()> {
        if let Some(spill) = self.link_rels.take() {
            io::copy(&mut spill.into_reader()?, out)?;
        }
        if self.pictures > 0 {
            write!(
                out,
                "<Relationship Id=\"rIdD\" Type=\"{REL_DRAWING}\" Target=\"../drawings/tusou{}.xml\"/>",
                sheet + 1
            )?;
        }
        out.write_all(RELS_TAIL.as_bytes())
    }

    /// The drawing part and its relationships to the media.
    fn write_drawing<W: Write + Seek>(
        &mut self,
        zip: &mut ZipOut<W>,
        sheet: usize,
    ) -> io::Result<()> {
        let Some((anchors, picture_rels)) = self.drawing.take() else {
            return Ok(());
        };
        if self.pictures == 0 {
            return Ok(());
        }
        zip.deflated(&drawing_name(sheet), |w| {
            w.write_all(DRAWING_HEAD.as_bytes())?;
            io::copy(&mut anchors.into_reader()?, w)?;
            w.write_all(DRAWING_TAIL.as_bytes())
        })?;
        let name = format!("xl/drawings/_rels/tusou{}.xml.rels", sheet + 1);
        zip.deflated(&name, |w| {
            w.write_all(RELS_HEAD.as_bytes())?;
            io::copy(&mut picture_rels.into_reader()?, w)?;
            w.write_all(RELS_TAIL.as_bytes())
        })
    }
}

/// Copies `from` to `to` up to the first of `markers`, and answers the
/// rest (at most [`MAX_SHEET_TAIL`] bytes), which starts with it.
fn copy_until_any(
    from: &mut impl Read,
    to: &mut impl Write,
    markers: &[&str],
) -> io::Result<Vec<u8>> {
    const CHUNK: u64 = 64 << 10;
    let keep = markers.iter().map(|m| m.len()).max().unwrap_or(1) - 1;
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK as usize + keep);
    loop {
        let found = markers
            .iter()
            .filter_map(|m| memchr::memmem::find(&buf, m.as_bytes()))
            .min();
        if let Some(at) = found {
            to.write_all(&buf[..at])?;
            let mut rest = buf.split_off(at);
            let limit = MAX_SHEET_TAIL.saturating_sub(rest.len() as u64) + 1;
            from.take(limit).read_to_end(&mut rest)?;
            if rest.len() as u64 > MAX_SHEET_TAIL {
                return Err(io::Error::other("the worksheet's end is too long to amend"));
            }
            return Ok(rest);
        }
        if buf.len() > keep {
            let cut = buf.len() - keep;
            to.write_all(&buf[..cut])?;
            buf.drain(..cut);
        }
        if from.take(CHUNK).read_to_end(&mut buf)? == 0 {
            return Err(io::Error::other("the worksheet has no end"));
        }
    }
}

/// Characters a hyperlink's address may not hold as they are, escaped as
/// rust_xlsxwriter escapes them.
fn escape_url(address: &str) -> Cow<'_, str> {
    // An address with an escape in it is taken as escaped already.
    let escaped = address
        .as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit());
    if escaped {
        return Cow::Borrowed(address);
    }
    let mut out = String::with_capacity(address.len());
    for c in address.chars() {
        match c {
            '%' => out.push_str("%25"),
            '"' => out.push_str("%22"),
            ' ' => out.push_str("%20"),
            '<' => out.push_str("%3c"),
            '>' => out.push_str("%3e"),
            '[' => out.push_str("%5b"),
            ']' => out.push_str("%5d"),
            '^' => out.push_str("%5e"),
            '`' => out.push_str("%60"),
            '{' => out.push_str("%7b"),
            '}' => out.push_str("%7d"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` as an XML attribute's value (control characters dropped: XML
/// 1.0 cannot hold them).
fn xml_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("&#xA;"),
            '\t' => out.push_str("&#x9;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};
    use rust_xlsxwriter::Workbook;

    fn png(seed: u8, width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([seed, 9, 200]));
        let mut out = io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    fn cell(row: RowNum, col: ColNum) -> PictureCell {
        PictureCell {
            row,
            col,
            width_px: 80,
            height_px: 60,
        }
    }

    /// A two-sheet constant-memory workbook with links and pictures
    /// spilled, joined, and read back as a spreadsheet reads it.
    #[test]
    fn spilled_links_and_pictures_are_in_the_workbook() {
        let dir = tempfile::tempdir().unwrap();
        let mut book = Workbook::new();
        book.set_tempdir(dir.path()).unwrap();
        let mut appendix = Appendix::new(dir.path(), 2).unwrap();
        let (red, blue) = (png(1, 40, 30), png(2, 10, 50));
        for (i, name) in ["Photos", "Matches"].into_iter().enumerate() {
            let ws = book.add_worksheet_with_constant_memory().unwrap();
            ws.set_name(name).unwrap();
            for row in 0..3u32 {
                ws.write_string(row, 0, format!("row {row}")).unwrap();
                let address = format!("https://detail.1688.com/offer/{i}{row}.html");
                ws.write_string(row, 1, &address).unwrap();
                appendix.link(i, row, 1, &address).unwrap();
            }
            if i == 0 {
                assert!(appendix.picture(0, cell(0, 2), &red, "red").unwrap());
                // The same picture again is written once, shown twice.
                assert!(appendix.picture(0, cell(2, 2), &red, "red again").unwrap());
                assert!(
                    appendix
                        .picture(0, cell(1, 3), &blue, "a \"blue\" <one>")
                        .unwrap()
                );
                assert!(
                    !appendix
                        .picture(0, cell(1, 4), b"<html>", "not one")
                        .unwrap()
                );
            }
        }
        appendix
            .link(1, 5, 1, "https://example.com/a b?q=1#part")
            .unwrap();
        let mut saved = tempfile::tempfile_in(dir.path()).unwrap();
        book.save_to_writer(&mut saved).unwrap();
        saved.seek(SeekFrom::Start(0)).unwrap();
        let path = dir.path().join("joined.xlsx");
        appendix
            .finish(BufReader::new(saved), File::create(&path).unwrap())
            .unwrap();

        let mut xlsx: Xlsx<_> = calamine::open_workbook(&path).unwrap();
        let cells = xlsx.worksheet_range("Photos").unwrap();
        assert_eq!(
            cells.get_value((1, 0)).map(|c| c.to_string()),
            Some("row 1".into())
        );
        let targets = |xlsx: &mut Xlsx<_>, sheet: &str| {
            let mut links: Vec<(u32, u32, Option<String>, Option<String>)> = xlsx
                .hyperlinks_by_sheet_name(sheet)
                .unwrap()
                .into_iter()
                .map(|h| (h.range.start.0, h.range.start.1, h.target, h.location))
                .collect();
            links.sort();
            links
        };
        let link = |row, address: &str| (row, 1, Some(address.to_string()), None);
        assert_eq!(
            targets(&mut xlsx, "Photos"),
            vec![
                link(0, "https://detail.1688.com/offer/00.html"),
                link(1, "https://detail.1688.com/offer/01.html"),
                link(2, "https://detail.1688.com/offer/02.html"),
            ]
        );
        let matches = targets(&mut xlsx, "Matches");
        assert_eq!(matches.len(), 4);
        assert_eq!(
            matches[3],
            (
                5,
                1,
                Some("https://example.com/a%20b?q=1".into()),
                Some("part".into())
            )
        );
        let mut pictures: Vec<(String, u32, u32, Vec<u8>)> = xlsx
            .pictures_with_metadata()
            .into_iter()
            .map(|p| (p.sheet_name, p.row, p.col, p.data))
            .collect();
        pictures.sort();
        assert_eq!(
            pictures,
            vec![
                ("Photos".into(), 0, 2, red.clone()),
                ("Photos".into(), 1, 3, blue),
                ("Photos".into(), 2, 2, red),
            ]
        );
        // Two media parts for three pictures, and a drawing that fits each
        // picture in its 80×60 cell, centred, with its shape kept.
        let mut zip = ZipArchive::new(File::open(&path).unwrap()).unwrap();
        let media = zip
            .file_names()
            .filter(|n| n.as_ref().is_ok_and(|n| n.starts_with("xl/media/")))
            .count();
        assert_eq!(media, 2);
        let mut drawing = String::new();
        zip.by_name("xl/drawings/tusou1.xml")
            .unwrap()
            .read_to_string(&mut drawing)
            .unwrap();
        // 40×30 → 80×60, at the cell's corner.
        assert!(drawing.contains("<xdr:colOff>0</xdr:colOff><xdr:row>0</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx=\"762000\" cy=\"571500\"/>"), "{drawing}");
        // 10×50 → 12×60, 34 px from the left.
        assert!(drawing.contains("<xdr:colOff>323850</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx=\"114300\" cy=\"571500\"/>"), "{drawing}");
        assert!(
            drawing.contains("descr=\"a &quot;blue&quot; &lt;one&gt;\""),
            "{drawing}"
        );
        let mut types = String::new();
        zip.by_name("[Content_Types].xml")
            .unwrap()
            .read_to_string(&mut types)
            .unwrap();
        assert_eq!(types.matches("Extension=\"png\"").count(), 1, "{types}");
        assert!(types.contains("/xl/drawings/tusou1.xml"), "{types}");
        assert!(!types.contains("/xl/drawings/tusou2.xml"), "{types}");
    }

    #[test]
    fn the_sheets_end_is_found_across_chunks() {
        for pad in [0, 1, (64 << 10) - 5, (64 << 10) - 1, 64 << 10, 200_000] {
            let mut xml = vec![b'a'; pad];
            xml.extend_from_slice(b"</sheetData><pageMargins left=\"0.7\"/></worksheet>");
            let mut copied = Vec::new();
            let tail = copy_until_any(&mut xml.as_slice(), &mut copied, &AFTER_CELLS).unwrap();
            assert_eq!(copied.len(), pad + "</sheetData>".len(), "pad {pad}");
            assert_eq!(tail, b"<pageMargins left=\"0.7\"/></worksheet>");
        }
        let none = copy_until_any(&mut &b"<sheetData>"[..], &mut Vec::new(), &AFTER_CELLS);
        assert!(none.is_err());
    }

    #[test]
    fn hyperlinks_and_the_drawing_go_where_the_schema_puts_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut appendix = Appendix::new(dir.path(), 1).unwrap();
        appendix.link(0, 1, 0, "https://a.example/").unwrap();
        appendix.picture(0, cell(1, 1), &png(3, 4, 4), "p").unwrap();
        let mut parts = Parts::from(appendix.sheets.remove(0));
        let xml = "<worksheet><sheetData><row r=\"2\"/></sheetData><autoFilter ref=\"A1:B2\"/><pageMargins/><pageSetup/><tableParts count=\"0\"/></worksheet>";
        let mut out = Vec::new();
        parts
            .splice_into_sheet(&mut xml.as_bytes(), &mut out)
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<worksheet><sheetData><row r=\"2\"/></sheetData><autoFilter ref=\"A1:B2\"/><hyperlinks><hyperlink ref=\"A2\" r:id=\"rIdL1\"/></hyperlinks><pageMargins/><pageSetup/><drawing r:id=\"rIdD\"/><tableParts count=\"0\"/></worksheet>"
        );
    }

    #[test]
    fn addresses_and_attributes_are_escaped_once() {
        assert_eq!(
            escape_url("https://a.b/x y\"{}"),
            "https://a.b/x%20y%22%7b%7d"
        );
        assert_eq!(escape_url("https://a.b/x%20y z"), "https://a.b/x%20y z");
        assert_eq!(
            xml_attribute("a&b\"<c>\u{1}\n"),
            "a&amp;b&quot;&lt;c&gt;&#xA;"
        );
    }

    #[test]
    fn remembered_pictures_are_bounded() {
        let mut recent = Recent::default();
        for i in 0..(RECENT_PICTURES as u32 + 10) {
            let mut digest = [0u8; 16];
            digest[..4].copy_from_slice(&i.to_le_bytes());
            recent.insert(digest, (i, PictureKind::Png));
        }
        assert_eq!(recent.media.len(), RECENT_PICTURES);
        assert_eq!(recent.order.len(), RECENT_PICTURES);
        assert!(recent.get(&[0; 16]).is_none(), "the oldest is forgotten");
    }
}
