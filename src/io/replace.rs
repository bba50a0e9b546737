//! Replacing an output file whole: written beside its path, moved there once complete.

use std::fs::File;
use std::io;
use std::path::Path;

/// Writes a file through `write` in place of whatever is at `path`: the entry at `path` is
/// removed, the text goes to a new file beside it (hidden, named `.NAME.XXXXXX.tmp`), and
/// that file is moved to `path` once `write` succeeded. So a reader finds the previous file
/// or none, then the new one whole, never a partial file; when writing fails, the new file
/// is removed and `path` is left absent. A symbolic link at `path` is replaced, not written
/// through. The file's permissions are those of a new file (`0o666` less the umask).
///
/// Removing the previous file first is what makes this fast on ext4: truncating a file and
/// writing it again, or renaming over it, make closing the new one wait while all its pages
/// are queued for the disk (`auto_da_alloc`), 0.1 s for 280 MB on a 2-core machine, and writing beside a
/// previous file still cached took several times longer than writing after it is gone.
pub(crate) fn replace_file<E: From<io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<(), E>,
) -> Result<(), E> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(path.file_name().unwrap_or_default());
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e.into()),
        _ => {}
    }
    let mut tmp = builder.tempfile_in(dir)?;
    write(tmp.as_file_mut())?;
    tmp.persist(path).map(drop).map_err(|e| e.error.into())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::replace_file;

    /// The names in `dir`, sorted.
    fn names(dir: &std::path::Path) -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    #[test]
    fn a_previous_file_is_replaced_and_nothing_else_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.csv");
        std::fs::write(&path, "old text, longer than the new one\n").unwrap();
        replace_file::<std::io::Error>(&path, |f| f.write_all(b"new\n")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(names(dir.path()), ["profiles.csv"]);
        replace_file::<std::io::Error>(&dir.path().join("fresh.csv"), |f| f.write_all(b"x"))
            .unwrap();
        assert_eq!(names(dir.path()), ["fresh.csv", "profiles.csv"]);
    }

    #[test]
    fn the_text_is_written_under_a_hidden_name_beside_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        replace_file::<std::io::Error>(&path, |f| {
            f.write_all(b"half")?;
            let seen = names(dir.path());
            assert_eq!(seen.len(), 1, "{seen:?}");
            assert!(
                seen[0].starts_with(".out.csv.")
                    && std::path::Path::new(&seen[0]).extension() == Some("tmp".as_ref()),
                "{seen:?}"
            );
            Ok(())
        })
        .unwrap();
        assert_eq!(names(dir.path()), ["out.csv"]);
    }

    #[test]
    fn a_failed_write_leaves_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old\n").unwrap();
        let err = replace_file(&path, |f| {
            f.write_all(b"half a")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }

    #[cfg(unix)]
    #[test]
    fn the_file_has_a_new_files_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let made = dir.path().join("by_create");
        std::fs::File::create(&made).unwrap();
        let path = dir.path().join("out.csv");
        replace_file::<std::io::Error>(&path, |f| f.write_all(b"x")).unwrap();
        let mode_of =
            |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode_of(&path), mode_of(&made));
    }
}
