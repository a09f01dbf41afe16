//! The one way memlens reads files from disk: inside a boundary, regular files only, bounded.
//!
//! Module files are named by the code being analysed (`mod x;`, `#[path = "…"]`), so the code
//! decides what the server opens. A hostile or merely unlucky crate could name `/etc/passwd`,
//! `../../` out of the workspace, `/dev/zero` (endless), a FIFO or `/dev/stdin` (a read that
//! blocks forever, or eats the server's own protocol input), or a symlink to any of these.
//! Every read therefore goes through [`read_checked`], which decides from the file's canonical
//! path and its metadata, before opening it, whether to read it at all.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Files larger than this are not read: no source file is that big, and reading one would cost
/// far more memory than the file (a 50 MB file took 7.5 GB to analyse).
pub const MAX_SOURCE_BYTES: u64 = 16 * 1024 * 1024;

/// Where files may be read from: under any of a few directories, or (for the dependencies in
/// Cargo's registry, which live outside every workspace by design) anywhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Boundary {
    /// Canonical directories; `None` admits every path.
    roots: Option<Vec<PathBuf>>,
}

impl Boundary {
    /// Files under these directories (canonicalised here, so symlinked folders compare right).
    pub fn within(dirs: impl IntoIterator<Item = PathBuf>) -> Boundary {
        let roots = dirs
            .into_iter()
            .map(|dir| std::fs::canonicalize(&dir).unwrap_or(dir))
            .collect();
        Boundary { roots: Some(roots) }
    }

    /// Any path (still regular files of bounded size only).
    pub fn anywhere() -> Boundary {
        Boundary { roots: None }
    }

    /// Whether a canonical path is inside the boundary.
    pub fn admits(&self, canonical: &Path) -> bool {
        self.roots
            .as_ref()
            .is_none_or(|roots| roots.iter().any(|root| canonical.starts_with(root)))
    }
}

/// A file's text and the canonical path it was read at (symlinks resolved): two spellings of
/// one file give one path, which is what keeps symlink loops from multiplying modules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceText {
    pub path: PathBuf,
    pub text: String,
}

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("{}: not found", .0.display())]
    Missing(PathBuf),
    #[error("{}: outside the workspace, not read", .0.display())]
    Outside(PathBuf),
    #[error("{}: not a regular file (a device, FIFO, socket or directory), not read", .0.display())]
    NotRegular(PathBuf),
    #[error("{}: {bytes} bytes, over the {} MiB limit for source files, not read", path.display(), MAX_SOURCE_BYTES >> 20)]
    TooLarge { path: PathBuf, bytes: u64 },
    #[error("{}: not UTF-8 text", .0.display())]
    NotUtf8(PathBuf),
    #[error("{}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Reads `path` if it is a regular file inside `boundary` and at most [`MAX_SOURCE_BYTES`].
/// The checks come before the file is opened: resolving the canonical path and asking for
/// metadata never open the file, so a FIFO or device outside or inside the boundary is never
/// opened for reading.
pub fn read_checked(path: &Path, boundary: &Boundary) -> Result<SourceText, Refusal> {
    let canonical = std::fs::canonicalize(path).map_err(|error| io_refusal(path, error))?;
    if !boundary.admits(&canonical) {
        return Err(Refusal::Outside(canonical));
    }
    let metadata = std::fs::metadata(&canonical).map_err(|error| io_refusal(path, error))?;
    check_metadata(&canonical, &metadata)?;
    let file = open_without_blocking(&canonical).map_err(|error| io_refusal(path, error))?;
    // The file may have been replaced between the check and the open: check what was opened.
    let opened = file.metadata().map_err(|error| io_refusal(path, error))?;
    check_metadata(&canonical, &opened)?;
    let bytes = read_bounded(file, &canonical)?;
    let text = String::from_utf8(bytes).map_err(|_| Refusal::NotUtf8(canonical.clone()))?;
    Ok(SourceText {
        path: canonical,
        text,
    })
}

/// [`read_checked`], logging why a file was refused: quietly for a missing file (rustc's
/// candidates `x.rs` and `x/mod.rs` routinely do not both exist), as a warning otherwise.
pub fn read_logged(path: &Path, boundary: &Boundary) -> Option<SourceText> {
    match read_checked(path, boundary) {
        Ok(source) => Some(source),
        Err(refusal @ Refusal::Missing(_)) => {
            tracing::debug!("{refusal}");
            None
        }
        Err(refusal) => {
            tracing::warn!("{refusal}");
            None
        }
    }
}

fn io_refusal(path: &Path, error: std::io::Error) -> Refusal {
    match error.kind() {
        std::io::ErrorKind::NotFound => Refusal::Missing(path.to_path_buf()),
        _ => Refusal::Unreadable {
            path: path.to_path_buf(),
            source: error,
        },
    }
}

fn check_metadata(path: &Path, metadata: &std::fs::Metadata) -> Result<(), Refusal> {
    if !metadata.is_file() {
        return Err(Refusal::NotRegular(path.to_path_buf()));
    }
    if metadata.len() > MAX_SOURCE_BYTES {
        return Err(Refusal::TooLarge {
            path: path.to_path_buf(),
            bytes: metadata.len(),
        });
    }
    Ok(())
}

/// Opens for reading with `O_NONBLOCK`: should a FIFO take the file's place after the check,
/// the open returns at once instead of waiting for a writer (the second check then refuses it).
/// On a regular file the flag changes nothing.
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads at most one byte more than the limit: a file that grew after the check (being written
/// meanwhile) is refused rather than read without end.
fn read_bounded(file: std::fs::File, path: &Path) -> Result<Vec<u8>, Refusal> {
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| Refusal::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(Refusal::TooLarge {
            path: path.to_path_buf(),
            bytes: bytes.len() as u64,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("memlens-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("in")).expect("sandbox");
        std::fs::canonicalize(dir).expect("sandbox")
    }

    #[test]
    fn reads_inside_and_refuses_outside_and_special_files() {
        let dir = sandbox("refusals");
        std::fs::write(dir.join("in/a.rs"), "struct A;").expect("file");
        std::fs::write(dir.join("out.rs"), "struct Out;").expect("file");
        std::os::unix::fs::symlink("../out.rs", dir.join("in/link.rs")).expect("link");
        std::os::unix::fs::symlink("/dev/zero", dir.join("in/zero.rs")).expect("link");
        let inside = Boundary::within([dir.join("in")]);
        let read = read_checked(&dir.join("in/./a.rs"), &inside).expect("inside");
        assert_eq!(read.path, dir.join("in/a.rs"));
        assert!(matches!(
            read_checked(&dir.join("in/../out.rs"), &inside),
            Err(Refusal::Outside(_))
        ));
        assert!(matches!(
            read_checked(&dir.join("in/link.rs"), &inside),
            Err(Refusal::Outside(_))
        ));
        assert!(matches!(
            read_checked(&dir.join("in/zero.rs"), &Boundary::anywhere()),
            Err(Refusal::NotRegular(_))
        ));
        assert!(matches!(
            read_checked(&dir.join("in/none.rs"), &inside),
            Err(Refusal::Missing(_))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
