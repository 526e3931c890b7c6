//! An uploaded file: its bytes on disk, its digest, and a file name safe to save it under.
//!
//! What it teaches: everything about an upload comes from the client, the file *name*
//! included. `../../.bashrc`, `C:\Windows\win.ini`, `.htaccess` or a name holding a newline are
//! all things a client can send; a server that joins such a name to its upload folder writes
//! where the client chose. [`sanitize_filename`] keeps only the last path component and
//! removes what could make it hidden, special or misleading; [`UploadedFile::save_into`] never
//! replaces an existing file. Chapter 4 explains both.
//!
//! Choices made here:
//! - The file is streamed to a temporary file (named `.upload-XXXXXX`, deleted when the
//!   [`UploadedFile`] is dropped) while its SHA-256 is computed, so an upload of any size up
//!   to the limit costs a fixed amount of memory.
//! - A server stopped in the middle of an upload (killed, or shut down while the bytes were
//!   still arriving) cannot delete that upload's temporary file. [`remove_leftover_temp_files`]
//!   removes them; lesson 4 calls it at start and after a clean shutdown. Saved files never
//!   start with a dot, so it cannot remove one; but it would remove the temporary files of
//!   another server using the same folder: give each server its own.
//! - The temporary file is closed as soon as its part ends: an [`UploadedFile`] keeps its
//!   *path*, and opens it again only to read it. Open files are a limited resource (often
//!   1,024 per process); a request of a thousand small parts would otherwise hold a thousand
//!   of them until it ends, and every other connection would be refused for want of one.
//! - Saving makes a hard link to the temporary file under a fresh name: atomic, and it cannot
//!   replace an existing file. When the temporary folder is on another file system the bytes
//!   are copied into a newly created file instead.
//! - The fresh name is the safe name itself (`text1`) if it is free, and otherwise that name
//!   with `-` and six random hexadecimal digits (`text1-3f9a1c`). Counting up (`text1-2`,
//!   `text1-3`...) reads nicer, but every upload of a name then tries every earlier number
//!   first, so the work grows with the square of the copies (chapter 4 counts it). A random
//!   suffix is free at the first try all but once in millions, so saving costs the same
//!   whatever is already in the folder; a clash only means one more try.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tempfile::{NamedTempFile, TempPath};

/// How the name of every temporary upload file starts (six random characters follow).
pub const TEMP_FILE_PREFIX: &str = ".upload-";

/// Longest saved file name, in bytes (most file systems allow 255).
const MAX_NAME_BYTES: usize = 200;

/// How many random suffixes are tried after the plain name is taken, before saving gives
/// up. Each is one of 16.7 million, so a second one is almost never needed.
const RANDOM_NAME_ATTEMPTS: usize = 8;

/// A file received in a `multipart/form-data` body.
#[derive(Debug)]
pub struct UploadedFile {
    /// The file name exactly as the client sent it — for display only, never for the disk.
    pub filename: String,
    /// The part's `Content-Type`, if it had one (`application/octet-stream`).
    pub content_type: Option<String>,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256 digest.
    pub sha256: [u8; 32],
    /// The path of the temporary file holding the bytes, deleted on drop. Only the path: the
    /// file itself is closed, so a form with many files holds no descriptor for each.
    temp_path: TempPath,
}

impl UploadedFile {
    /// The digest as 64 lowercase hexadecimal digits, as `sha256sum` prints it.
    pub fn sha256_hex(&self) -> String {
        super::to_hex(&self.sha256)
    }

    /// One line about the file: `'text1' 35 bytes sha256 9c3f...` (the name as Python's
    /// `repr` would show it, so odd characters are visible).
    pub fn summary(&self) -> String {
        format!(
            "{} {} bytes sha256 {}",
            super::python_repr(&self.filename),
            self.size,
            self.sha256_hex()
        )
    }

    /// A name safe to save the file under ([`sanitize_filename`] of the client's name).
    pub fn safe_filename(&self) -> String {
        sanitize_filename(&self.filename)
    }

    /// Opens the file's bytes for reading, from the start.
    pub fn open(&self) -> io::Result<File> {
        File::open(&self.temp_path)
    }

    /// Reads the whole file into memory, if it is at most `max` bytes.
    pub fn read_to_vec(&self, max: u64) -> io::Result<Vec<u8>> {
        if self.size > max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the file holds {} bytes, more than {max}", self.size),
            ));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(self.size).unwrap_or(0));
        self.open()?.take(max).read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    // ANCHOR: save_into
    /// Saves the file into `dir` under its safe name if that is free, or else under the name
    /// with a random suffix (`photo-3f9a1c.jpg`), and returns the path it was saved as. Never
    /// replaces an existing file.
    pub fn save_into(&self, dir: &Path) -> io::Result<PathBuf> {
        let name = self.safe_filename();
        let random_names = (0..RANDOM_NAME_ATTEMPTS).map(|_| with_random_suffix(&name));
        for candidate in std::iter::once(name.clone()).chain(random_names) {
            let target = dir.join(candidate);
            match self.link_or_copy(&target) {
                Ok(()) => return readable(target),
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(err) => return Err(err),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{name:?} and {RANDOM_NAME_ATTEMPTS} random variants of it are all taken"),
        ))
    }
    // ANCHOR_END: save_into

    /// Gives the bytes the new name `target`: a hard link, or, where linking is impossible
    /// (another file system, or one without hard links), a copy. Either fails with
    /// `AlreadyExists` if `target` exists.
    fn link_or_copy(&self, target: &Path) -> io::Result<()> {
        match fs::hard_link(&self.temp_path, target) {
            Err(err) if err.kind() != io::ErrorKind::AlreadyExists => self.copy_to_new(target),
            linked => linked,
        }
    }

    /// Copies the bytes into `target`, which must not exist yet.
    fn copy_to_new(&self, target: &Path) -> io::Result<()> {
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(target)?;
        let copied = io::copy(&mut self.open()?, &mut out).and_then(|_| out.sync_all());
        if copied.is_err() {
            let _ = fs::remove_file(target);
        }
        copied
    }
}

/// Makes a saved file readable by everyone, like a file a program creates (temporary files
/// start private: `rw-------`).
fn readable(path: PathBuf) -> io::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644))?;
    Ok(path)
}

/// `photo.jpg` → `photo-3f9a1c.jpg`, `notes` → `notes-3f9a1c`: the name with `-` and six
/// random hexadecimal digits before its extension.
fn with_random_suffix(name: &str) -> String {
    let suffix = format!("{:06x}", fastrand::u32(..1 << 24));
    match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => format!("{stem}-{suffix}.{extension}"),
        _ => format!("{name}-{suffix}"),
    }
}

// ANCHOR: sanitize_filename
/// Makes a client's file name safe to use in a folder of ours:
///
/// - only the last path component is kept (`/` and `\` both separate: `C:\x\a.txt` → `a.txt`);
/// - control characters and invisible format characters ([`is_format_character`]: a
///   right-to-left override makes `photo` U+202E `gnp.exe` look like `photoexe.png`) are
///   removed, and characters that are special on some file system (`: * ? " < > |`) become
///   `_`;
/// - leading dots and spaces are removed (no hidden files, no `.` or `..`), and trailing ones
///   (Windows drops them silently);
/// - the name is cut to 200 bytes, keeping a short extension;
/// - if nothing is left, the name is `upload`.
pub fn sanitize_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|&c| !c.is_control() && !is_format_character(c))
        .map(|c| match c {
            ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    let short = shorten(trimmed, MAX_NAME_BYTES);
    if short.is_empty() {
        "upload".to_string()
    } else {
        short
    }
}
// ANCHOR_END: sanitize_filename

// ANCHOR: format_characters
/// Unicode's format characters (general category Cf, Unicode 16): invisible, they change how
/// the text around them is shown. Among them the bidirectional controls (U+202A–U+202E,
/// U+2066–U+2069) that reorder what follows, the zero-width space and joiners
/// (U+200B–U+200D), the left-to-right and right-to-left marks (U+200E, U+200F), the byte
/// order mark (U+FEFF), the soft hyphen (U+00AD) and the invisible tags (U+E0001, U+E0020–
/// U+E007F). Rust's standard library has no table of categories, hence this one.
const FORMAT_CHARACTERS: [RangeInclusive<char>; 21] = [
    '\u{00AD}'..='\u{00AD}',
    '\u{0600}'..='\u{0605}',
    '\u{061C}'..='\u{061C}',
    '\u{06DD}'..='\u{06DD}',
    '\u{070F}'..='\u{070F}',
    '\u{0890}'..='\u{0891}',
    '\u{08E2}'..='\u{08E2}',
    '\u{180E}'..='\u{180E}',
    '\u{200B}'..='\u{200F}',
    '\u{202A}'..='\u{202E}',
    '\u{2060}'..='\u{2064}',
    '\u{2066}'..='\u{206F}',
    '\u{FEFF}'..='\u{FEFF}',
    '\u{FFF9}'..='\u{FFFB}',
    '\u{110BD}'..='\u{110BD}',
    '\u{110CD}'..='\u{110CD}',
    '\u{13430}'..='\u{1343F}',
    '\u{1BCA0}'..='\u{1BCA3}',
    '\u{1D173}'..='\u{1D17A}',
    '\u{E0001}'..='\u{E0001}',
    '\u{E0020}'..='\u{E007F}',
];

/// True for an invisible format character (see [`FORMAT_CHARACTERS`]). Removing them from a
/// file name costs little: a name in a script that joins letters with U+200C or U+200D, or
/// an emoji built with U+200D, is shown slightly differently, but still reads the same.
pub fn is_format_character(c: char) -> bool {
    FORMAT_CHARACTERS.iter().any(|range| range.contains(&c))
}
// ANCHOR_END: format_characters

/// Cuts `name` to at most `max` bytes on a character boundary, keeping an extension of up to
/// 16 bytes.
fn shorten(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, extension)| extension)
        .filter(|extension| extension.len() <= 16)
        .map(|extension| format!(".{extension}"))
        .unwrap_or_default();
    let mut end = max - extension.len();
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{extension}", name[..end].trim_end_matches(['.', ' ']))
}

// ANCHOR: remove_leftover_temp_files
/// Removes the temporary files of uploads (`.upload-*`) found in `dir`, and returns how many
/// there were. Call it when no upload can be arriving into `dir`: before a server starts, or
/// after it stopped. Only files directly in `dir` are looked at.
pub fn remove_leftover_temp_files(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let is_temporary = name.to_string_lossy().starts_with(TEMP_FILE_PREFIX);
        if is_temporary && entry.file_type()?.is_file() {
            match fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                // Its request ended and removed it first.
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(err) => return Err(err),
            }
        }
    }
    Ok(removed)
}
// ANCHOR_END: remove_leftover_temp_files

/// Receives an upload's bytes: into a temporary file, through the digest, within a limit.
pub(crate) struct UploadWriter {
    /// The temporary file being written.
    temp: NamedTempFile,
    /// The digest so far.
    hasher: Sha256,
    /// Bytes written so far.
    size: u64,
}

impl UploadWriter {
    /// Creates the temporary file in `dir` (or the system's temporary folder).
    pub(crate) fn new(dir: Option<&Path>) -> io::Result<UploadWriter> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(TEMP_FILE_PREFIX);
        let temp = match dir {
            Some(dir) => builder.tempfile_in(dir)?,
            None => builder.tempfile()?,
        };
        Ok(UploadWriter {
            temp,
            hasher: Sha256::new(),
            size: 0,
        })
    }

    /// The bytes received so far.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Appends a chunk.
    pub(crate) fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.temp.as_file_mut().write_all(chunk)?;
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        Ok(())
    }

    /// Finishes the file and closes it, keeping only its path.
    pub(crate) fn finish(
        mut self,
        filename: String,
        content_type: Option<String>,
    ) -> io::Result<UploadedFile> {
        self.temp.as_file_mut().flush()?;
        Ok(UploadedFile {
            filename,
            content_type,
            size: self.size,
            sha256: self.hasher.finalize().into(),
            temp_path: self.temp.into_temp_path(),
        })
    }
}
