//! The zip archives Sendethic produces (contact exports, activity exports, reports): streamed
//! to a temporary file, their CSV entry picked and extracted, and read as records.

use std::fs::File;
use std::io::{Cursor, Read, Seek, Write};
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;

use super::core::RequestDraft;
use super::records::RecordReader;
use crate::error::{Error, Result};
use crate::http::RequestOptions;

/// Sends `draft` and streams the body to a temporary file (rewound), never holding it whole
/// in memory. `timeout` (when not zero) replaces the per-attempt timeout: a large archive
/// takes longer than the client's default.
pub(crate) async fn download_to_temp(draft: RequestDraft, timeout: Duration) -> Result<File> {
    let mut options = RequestOptions::new();
    if timeout > Duration::ZERO {
        options = options.timeout(timeout);
    }
    let (core, raw) = draft.into_raw(options)?;
    let response = core.execute_streaming(raw).await?;
    let mut file = temp_file()?;
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            if e.is_timeout() {
                Error::Timeout { source: Some(e) }
            } else {
                Error::Transport(e)
            }
        })?;
        file.write_all(&chunk)
            .map_err(|e| Error::io("cannot write the temporary file", e))?;
    }
    rewind(&mut file)?;
    Ok(file)
}

/// Copies the CSV entry of a zip archive into `out`: the first `.csv`/`.txt` entry, or the
/// first entry when there is none.
pub(crate) fn extract_csv<R: Read + Seek, W: Write>(archive: R, out: &mut W) -> Result<()> {
    let mut zip = zip::ZipArchive::new(archive)
        .map_err(|e| Error::io("not a readable zip archive", std::io::Error::other(e)))?;
    let index = (0..zip.len())
        .find(|&i| {
            zip.name_for_index(i).is_some_and(|n| {
                Path::new(n)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("txt"))
            })
        })
        .unwrap_or(0);
    let mut entry = zip
        .by_index(index)
        .map_err(|e| Error::io("cannot open the archive entry", std::io::Error::other(e)))?;
    std::io::copy(&mut entry, out).map_err(|e| Error::io("cannot extract the archive", e))?;
    Ok(())
}

/// The records of an archive on disk, its CSV extracted to a temporary file (removed when
/// the reader is dropped).
pub(crate) fn records_on_disk(archive: File) -> Result<RecordReader<File>> {
    let mut csv = temp_file()?;
    extract_csv(archive, &mut csv)?;
    rewind(&mut csv)?;
    RecordReader::new(csv)
}

/// The records of an archive held in memory.
pub(crate) fn records_in_memory(archive: Bytes) -> Result<RecordReader<Cursor<Vec<u8>>>> {
    let mut csv = Vec::new();
    extract_csv(Cursor::new(archive), &mut csv)?;
    RecordReader::new(Cursor::new(csv))
}

fn temp_file() -> Result<File> {
    tempfile::tempfile().map_err(|e| Error::io("cannot create a temporary file", e))
}

fn rewind(file: &mut File) -> Result<()> {
    file.rewind()
        .map_err(|e| Error::io("cannot read the temporary file", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_csv_entry_of_a_zip() {
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            zip.start_file("readme.md", opts).unwrap();
            zip.write_all(b"not this one").unwrap();
            zip.start_file("export.CSV", opts).unwrap();
            zip.write_all(b"email,emailclicks\na@x.fr,1\n").unwrap();
            zip.finish().unwrap();
        }
        let reader = records_in_memory(out.into_inner().into()).unwrap();
        let rows: Vec<_> = reader.collect::<Result<_>>().unwrap();
        assert_eq!(rows[0].clicks(), Some(1));
        assert_eq!(rows[0].email(), Some("a@x.fr"));
        assert!(matches!(
            records_in_memory(Bytes::from_static(b"not a zip")),
            Err(Error::Io { ref context, .. }) if context == "not a readable zip archive"
        ));
    }
}
