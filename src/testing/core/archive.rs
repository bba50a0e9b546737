//! Zip archives holding one file, as the services deliver reports and exports.

use std::io::Write as _;

/// A deflated zip archive holding one file `name` with `content`.
pub(crate) fn zip_one(name: &str, content: &str) -> std::io::Result<Vec<u8>> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(name, options)
            .map_err(std::io::Error::other)?;
        zip.write_all(content.as_bytes())?;
        zip.finish().map_err(std::io::Error::other)?;
    }
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    #[test]
    fn the_archive_holds_the_one_file() {
        let bytes = zip_one("a.csv", "x;y\n1;2\n").unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 1);
        let mut text = String::new();
        archive
            .by_name("a.csv")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "x;y\n1;2\n");
    }
}
