//! The acknowledged-head record: a small file beside the database that says which block was the
//! newest one durably committed and acknowledged, written and synced separately from the
//! database after each append.
//!
//! It exists to notice a lost tail. A database can lose its last commits without any error: a
//! damaged last WAL frame makes SQLite's recovery stop before it, so the database opens one block
//! short and every check of the log still passes. Comparing the log's head with this record at
//! start tells "the disk lost acknowledged blocks" from "nothing happened".
//!
//! Format: two 64-byte slots written alternately, each `magic (8) | sequence u64 BE | height u64
//! BE | hash (32) | FNV-1a 64 of the first 56 bytes (8)`. A torn or damaged write spoils at most
//! the slot being written; the valid slot with the highest sequence number is the record. The
//! record is written after the database commit, so it is never ahead of a committed log: a crash
//! between the two leaves it one append behind, which is not an alarm.

use std::{
    fs::{File, OpenOptions},
    io::{Read, Seek, SeekFrom, Write},
    path::{Path, PathBuf},
};

use crate::{Hash32, Result, error::Context};

const MAGIC: [u8; 8] = *b"HOARDACK";
const SLOT_BYTES: usize = 64;
const SLOTS: usize = 2;

/// The record's file and its newest valid content.
pub(crate) struct Witness {
    file: File,
    sequence: u64,
    head: Option<(u64, Hash32)>,
}

/// Path of the record beside the database file `db`.
pub fn witness_path(db: &Path) -> PathBuf {
    let mut path = db.as_os_str().to_owned();
    path.push(".acked-head");
    PathBuf::from(path)
}

fn checksum(bytes: &[u8]) -> u64 {
    // FNV-1a, 64 bits (http://www.isthe.com/chongo/tech/comp/fnv/: offset basis and prime).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn encode(sequence: u64, height: u64, hash: &Hash32) -> [u8; SLOT_BYTES] {
    let mut slot = [0u8; SLOT_BYTES];
    slot[..8].copy_from_slice(&MAGIC);
    slot[8..16].copy_from_slice(&sequence.to_be_bytes());
    slot[16..24].copy_from_slice(&height.to_be_bytes());
    slot[24..56].copy_from_slice(hash);
    let check = checksum(&slot[..56]);
    slot[56..].copy_from_slice(&check.to_be_bytes());
    slot
}

fn decode(slot: &[u8]) -> Option<(u64, u64, Hash32)> {
    if slot.len() != SLOT_BYTES || slot[..8] != MAGIC {
        return None;
    }
    let word = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&slot[at..at + 8]);
        u64::from_be_bytes(b)
    };
    if word(56) != checksum(&slot[..56]) {
        return None;
    }
    let mut hash = [0u8; 32];
    hash.copy_from_slice(&slot[24..56]);
    Some((word(8), word(16), hash))
}

impl Witness {
    /// Opens (creating if needed) the record beside the database file `db`.
    pub(crate) fn open(db: &Path) -> Result<Witness> {
        let path = witness_path(db);
        let existed = path.exists();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .op("opening the acknowledged-head record")?;
        if !existed {
            // Make the new file's directory entry durable too.
            if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                File::open(dir).and_then(|d| d.sync_all()).op("syncing the database directory")?;
            }
        }
        let mut bytes = Vec::with_capacity(SLOT_BYTES * SLOTS);
        file.read_to_end(&mut bytes).op("reading the acknowledged-head record")?;
        let newest =
            bytes.chunks(SLOT_BYTES).take(SLOTS).filter_map(decode).max_by_key(|(seq, _, _)| *seq);
        Ok(Witness {
            file,
            sequence: newest.map_or(0, |(seq, _, _)| seq),
            head: newest.map(|(_, height, hash)| (height, hash)),
        })
    }

    /// The recorded head, `None` when nothing was ever recorded (a new database, or one from a
    /// build that did not keep the record).
    pub(crate) fn head(&self) -> Option<(u64, Hash32)> {
        self.head
    }

    /// Records `(height, hash)` durably (written to the other slot, then synced).
    pub(crate) fn record(&mut self, height: u64, hash: &Hash32) -> Result<()> {
        let sequence = self.sequence + 1;
        let slot = (sequence % SLOTS as u64) * SLOT_BYTES as u64;
        self.file.seek(SeekFrom::Start(slot)).op("writing the acknowledged-head record")?;
        self.file
            .write_all(&encode(sequence, height, hash))
            .op("writing the acknowledged-head record")?;
        self.file.sync_data().op("syncing the acknowledged-head record")?;
        self.sequence = sequence;
        self.head = Some((height, *hash));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_valid_slot_wins_and_damage_is_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("x.sqlite");
        let mut w = Witness::open(&db).expect("open");
        assert_eq!(w.head(), None);
        w.record(1, &[1; 32]).expect("record");
        w.record(2, &[2; 32]).expect("record");
        w.record(3, &[3; 32]).expect("record");
        drop(w);
        assert_eq!(Witness::open(&db).expect("open").head(), Some((3, [3; 32])));
        // Damage the newest slot (sequence 3 lives in slot 1): the other one (height 2) remains.
        let path = witness_path(&db);
        let mut bytes = std::fs::read(&path).expect("read");
        bytes[SLOT_BYTES + 20] ^= 0xff;
        std::fs::write(&path, &bytes).expect("write");
        let mut w = Witness::open(&db).expect("open");
        assert_eq!(w.head(), Some((2, [2; 32])));
        // Writing goes on from the surviving sequence.
        w.record(4, &[4; 32]).expect("record");
        drop(w);
        assert_eq!(Witness::open(&db).expect("open").head(), Some((4, [4; 32])));
        // Garbage is no record at all.
        std::fs::write(&path, [7u8; 200]).expect("write");
        assert_eq!(Witness::open(&db).expect("open").head(), None);
    }

    #[test]
    fn checksum_is_fnv1a_64() {
        // Published FNV-1a 64 test values: "" and "a".
        assert_eq!(checksum(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(checksum(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
