//! The one layout every file of the build cache has, so that no byte of it
//! is trusted unchecked: a header, then records, each beside the digest of
//! its exact bytes.
//!
//! Takes the records a cache file is to hold (written straight into the
//! file's buffer, postcard or raw) and gives the file's bytes; takes a
//! file's bytes back and gives its records, each checked against its digest
//! only when it is read ([`Framed::check`]), so a big file can be split at
//! once and its records read lazily. Guarantees: a file whose header, kind,
//! format, declared count or lengths are not exactly what is there (cut
//! short, bytes appended, a count changed) gives no records at all; a record
//! whose bytes are not the ones written (any flipped byte: a damaged record
//! passes its 64-bit XXH3 digest once in 2^64) is refused; a postcard value
//! followed by bytes it did not use is refused ([`decode`]). A refusal is a
//! cache miss, never an error.
//!
//! ```text
//! file   = "hbk-" · kind (4 bytes) · format (u32) · count (u32) · record*
//! record = length (u32) · digest (u64: XXH3-64 of bytes, seeded by kind) · bytes
//! ```
//!
//! All integers are little-endian.

use serde::{Serialize, de::DeserializeOwned};
use std::ops::Range;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// What every cache file begins with.
const MAGIC: [u8; 4] = *b"hbk-";
/// Magic, kind, format and count.
const HEADER: usize = 16;
/// A record's length and digest.
const RECORD_HEAD: usize = 12;

/// Which file a record belongs to: part of the header and the seed of each
/// digest, so a record copied from a file of another kind is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Kind(pub(super) [u8; 4]);

impl Kind {
    fn seed(self) -> u64 {
        (u64::from(u32::from_le_bytes(self.0)) << 32) | u64::from(super::FORMAT)
    }

    fn digest(self, bytes: &[u8]) -> u64 {
        xxh3_64_with_seed(bytes, self.seed())
    }
}

/// A cache file being made, record by record.
pub(super) struct Writer {
    kind: Kind,
    bytes: Vec<u8>,
    count: u32,
    failed: bool,
}

impl Writer {
    /// An empty file of `kind`, with room for `capacity` bytes.
    pub(super) fn new(kind: Kind, capacity: usize) -> Self {
        let mut bytes = Vec::with_capacity(HEADER + capacity);
        bytes.extend(MAGIC);
        bytes.extend(kind.0);
        bytes.extend(super::FORMAT.to_le_bytes());
        bytes.extend(0u32.to_le_bytes());
        Self {
            kind,
            bytes,
            count: 0,
            failed: false,
        }
    }

    /// Adds a record of the raw `parts`, one after the other.
    pub(super) fn raw(&mut self, parts: &[&[u8]]) {
        let start = self.open();
        for part in parts {
            self.bytes.extend_from_slice(part);
        }
        self.close(start);
    }

    /// Adds a record holding `value` in postcard.
    pub(super) fn value(&mut self, value: &impl Serialize) {
        let start = self.open();
        match postcard::to_extend(value, std::mem::take(&mut self.bytes)) {
            Ok(bytes) => self.bytes = bytes,
            Err(_) => self.failed = true,
        }
        if !self.failed {
            self.close(start);
        }
    }

    /// The file's bytes; `None` when a record could not be made (then the
    /// file is not written at all).
    pub(super) fn finish(mut self) -> Option<Vec<u8>> {
        if self.failed {
            return None;
        }
        self.bytes[12..HEADER].copy_from_slice(&self.count.to_le_bytes());
        Some(self.bytes)
    }

    /// Leaves room for a record's length and digest; gives where its bytes
    /// begin.
    fn open(&mut self) -> usize {
        self.bytes.extend([0; RECORD_HEAD]);
        self.bytes.len()
    }

    /// Fills in the length and digest of the record from `start` on.
    fn close(&mut self, start: usize) {
        let Some(count) = self.count.checked_add(1) else {
            self.failed = true;
            return;
        };
        let Ok(length) = u32::try_from(self.bytes.len() - start) else {
            self.failed = true;
            return;
        };
        let digest = self.kind.digest(&self.bytes[start..]);
        let head = &mut self.bytes[start - RECORD_HEAD..start];
        head[..4].copy_from_slice(&length.to_le_bytes());
        head[4..].copy_from_slice(&digest.to_le_bytes());
        self.count = count;
    }
}

/// Where a record is in its file's bytes, and the digest written beside it.
#[derive(Debug, Clone)]
pub(super) struct Framed {
    range: Range<usize>,
    digest: u64,
}

impl Framed {
    /// The record's bytes in `file` (the bytes it was split from), when
    /// they are the ones written.
    pub(super) fn check<'f>(&self, file: &'f [u8], kind: Kind) -> Option<&'f [u8]> {
        let bytes = file.get(self.range.clone())?;
        (kind.digest(bytes) == self.digest).then_some(bytes)
    }

    /// The record's first bytes, unchecked: only to file it under a key
    /// that [`Framed::check`] confirms when the record is read.
    pub(super) fn peek<'f>(&self, file: &'f [u8], length: usize) -> Option<&'f [u8]> {
        file.get(self.range.start..self.range.start.checked_add(length)?)
            .filter(|_| length <= self.range.len())
    }
}

/// The records of a file of `kind`, unchecked; `None` (no records at all)
/// unless the header is right and exactly the declared count of records
/// fills the file to its end.
pub(super) fn split(file: &[u8], kind: Kind) -> Option<Vec<Framed>> {
    let header = file.get(..HEADER)?;
    let format = u32::from_le_bytes(word(header, 8)?);
    if header[..4] != MAGIC || header[4..8] != kind.0 || format != super::FORMAT {
        return None;
    }
    let count = usize::try_from(u32::from_le_bytes(word(header, 12)?)).ok()?;
    // Each record takes at least its head: a count the file cannot hold is
    // refused before anything is allocated for it.
    if count > (file.len() - HEADER) / RECORD_HEAD {
        return None;
    }
    let mut records = Vec::with_capacity(count);
    let mut at = HEADER;
    for _ in 0..count {
        let head = file.get(at..at + RECORD_HEAD)?;
        let length = usize::try_from(u32::from_le_bytes(word(head, 0)?)).ok()?;
        let digest = u64::from_le_bytes(head.get(4..12)?.try_into().ok()?);
        let start = at + RECORD_HEAD;
        let end = start.checked_add(length).filter(|&end| end <= file.len())?;
        records.push(Framed {
            range: start..end,
            digest,
        });
        at = end;
    }
    (at == file.len()).then_some(records)
}

/// Every record of a file of `kind` that is as written, in order (the
/// others left out); none when the file itself is not.
pub(super) fn checked(file: &[u8], kind: Kind) -> impl Iterator<Item = &[u8]> {
    split(file, kind)
        .unwrap_or_default()
        .into_iter()
        .filter_map(move |record| record.check(file, kind))
}

/// The value that `bytes` hold in postcard, using every byte.
pub(super) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    match postcard::take_from_bytes(bytes) {
        Ok((value, [])) => Some(value),
        _ => None,
    }
}

/// Four bytes of `bytes` from `at` on.
fn word(bytes: &[u8], at: usize) -> Option<[u8; 4]> {
    bytes.get(at..at + 4)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIND: Kind = Kind(*b"test");

    fn file() -> Vec<u8> {
        let mut writer = Writer::new(KIND, 0);
        writer.value(&(1u8, "one".to_string()));
        writer.raw(&[b"two", b"2"]);
        writer.value(&vec![3u32, 4, 5]);
        writer.finish().expect("serializes")
    }

    fn records(file: &[u8]) -> Vec<Vec<u8>> {
        checked(file, KIND).map(<[u8]>::to_vec).collect()
    }

    #[test]
    fn records_read_back_as_written() {
        let file = file();
        let records = records(&file);
        assert_eq!(records.len(), 3);
        assert_eq!(decode::<(u8, String)>(&records[0]), Some((1, "one".into())));
        assert_eq!(records[1], b"two2");
        assert_eq!(decode::<Vec<u32>>(&records[2]), Some(vec![3, 4, 5]));
        assert!(
            split(&Writer::new(KIND, 0).finish().unwrap(), KIND)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_flipped_byte_in_a_record_refuses_that_record_only() {
        let file = file();
        let whole = records(&file);
        let split = split(&file, KIND).unwrap();
        for (i, record) in split.iter().enumerate() {
            for at in record.range.clone() {
                let mut damaged = file.clone();
                damaged[at] ^= 0x20;
                let mut expected = whole.clone();
                expected.remove(i);
                assert_eq!(records(&damaged), expected, "byte {at} of record {i}");
            }
        }
    }

    #[test]
    fn any_flipped_byte_is_never_read_as_a_record() {
        let file = file();
        let whole = records(&file);
        for at in 0..file.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut damaged = file.clone();
                damaged[at] ^= flip;
                let read = records(&damaged);
                assert!(
                    read.iter().all(|r| whole.contains(r)),
                    "byte {at} ^ {flip:#x} gave a record never written"
                );
            }
        }
    }

    #[test]
    fn cut_lengthened_or_recounted_files_give_no_records() {
        let file = file();
        for length in 0..file.len() {
            assert!(split(&file[..length], KIND).is_none(), "cut to {length}");
        }
        let mut longer = file.clone();
        longer.push(0);
        assert!(split(&longer, KIND).is_none(), "a trailing byte");
        for count in [0u32, 2, 4, u32::MAX] {
            let mut recounted = file.clone();
            recounted[12..16].copy_from_slice(&count.to_le_bytes());
            assert!(split(&recounted, KIND).is_none(), "count {count}");
        }
    }

    #[test]
    fn another_kind_or_format_gives_no_records() {
        let file = file();
        assert!(split(&file, Kind(*b"else")).is_none());
        let mut old = file.clone();
        old[8..12].copy_from_slice(&(super::super::FORMAT - 1).to_le_bytes());
        assert!(split(&old, KIND).is_none());
    }

    #[test]
    fn postcard_values_must_use_every_byte() {
        let mut bytes = postcard::to_stdvec(&vec![1u8, 2]).unwrap();
        assert_eq!(decode::<Vec<u8>>(&bytes), Some(vec![1, 2]));
        bytes.push(0);
        assert_eq!(decode::<Vec<u8>>(&bytes), None, "a trailing byte");
        let mut fewer = postcard::to_stdvec(&vec![1u8, 2]).unwrap();
        fewer[0] = 1;
        assert_eq!(decode::<Vec<u8>>(&fewer), None, "a lowered count");
        assert_eq!(decode::<Vec<u8>>(&[3, 1]), None, "a raised count");
    }
}
