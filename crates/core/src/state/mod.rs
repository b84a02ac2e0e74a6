//! The engine's state: typed tables owned by the facets, one journal for atomic commands, and
//! change sets of canonical bytes.
//!
//! A facet declares its tables in its own `state.rs` ([`Table`], [`Ordered`], [`Cell`]): a
//! [`TableId`] (the facet's number and the table's index in it), a key type and a value type with
//! canonical, versioned encodings ([`Key`], [`Value`]). [`State`] holds every table behind one
//! type-erased slot per id, so nothing here knows any facet's types.
//!
//! Every write goes through [`State::put`]: the table keeps the old value in its own typed undo
//! log and the state's journal records which table was written. [`State::checkpoint`] is the
//! journal's length; [`State::revert`] pops entries back to it, each undoing its table's last
//! write, so checkpoints nest (an internal call inside a command reverts alone). When a command
//! is kept, [`State::commit_journal`] moves its keys to the tables' dirty sets; at the end of a
//! block [`State::take_changes`] turns them into a [`ChangeSet`] of `(key bytes, value bytes)`.
//!
//! Canonical form: an entry's key bytes are `facet || index || key`, its value bytes the value's
//! encoding. A value equal to its type's default is the same as absent (deleted), so the
//! commitment never depends on history.

use std::{
    any::Any,
    collections::BTreeMap,
    fmt::{self, Debug},
    hash::Hash,
    marker::PhantomData,
};

use alloy_primitives::map::HashMap;

use crate::codec::{CodecError, Put, Reader};

mod codecs;

/// Names one table: the owning facet's number and the table's index within it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TableId {
    /// The facet (see `crate::facets::registry`).
    pub facet: u8,
    /// The table within the facet.
    pub index: u8,
}

impl TableId {
    /// A table id.
    pub const fn new(facet: u8, index: u8) -> TableId {
        TableId { facet, index }
    }
    /// The two bytes that open every key of the table.
    pub fn prefix(&self) -> [u8; 2] {
        [self.facet, self.index]
    }
}

impl fmt::Display for TableId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.facet, self.index)
    }
}

/// A table key: ordered, hashable, with one canonical encoding.
pub trait Key: Clone + Eq + Ord + Hash + Debug + Send + Sync + 'static {
    /// Appends the canonical encoding.
    fn encode_key(&self, out: &mut Vec<u8>);
    /// Reads it back.
    fn decode_key(r: &mut Reader<'_>) -> Result<Self, CodecError>;
}

/// A table value with one canonical encoding; its `Default` is "absent".
pub trait Value: Clone + PartialEq + Default + Debug + Send + Sync + 'static {
    /// Appends the canonical encoding.
    fn encode_value(&self, out: &mut Vec<u8>);
    /// Reads it back.
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError>;
    /// Whether this is the default (stored as absent).
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// The map behind a table: a hash map for large tables read by key, a B-tree where order
/// matters (ranges, listings).
pub trait Map<K, V>: Default + Clone + Debug + Send + Sync + 'static {
    /// The value of a key.
    fn get(&self, k: &K) -> Option<&V>;
    /// Sets a key, returning the old value.
    fn insert(&mut self, k: K, v: V) -> Option<V>;
    /// Removes a key, returning the old value.
    fn remove(&mut self, k: &K) -> Option<V>;
    /// Number of entries.
    fn len(&self) -> usize;
    /// Whether empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Every entry, in no particular order for hash maps.
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_>;
}

impl<K: Key, V: Value> Map<K, V> for HashMap<K, V> {
    fn get(&self, k: &K) -> Option<&V> {
        HashMap::get(self, k)
    }
    fn insert(&mut self, k: K, v: V) -> Option<V> {
        HashMap::insert(self, k, v)
    }
    fn remove(&mut self, k: &K) -> Option<V> {
        HashMap::remove(self, k)
    }
    fn len(&self) -> usize {
        HashMap::len(self)
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.iter())
    }
}

impl<K: Key, V: Value> Map<K, V> for BTreeMap<K, V> {
    fn get(&self, k: &K) -> Option<&V> {
        BTreeMap::get(self, k)
    }
    fn insert(&mut self, k: K, v: V) -> Option<V> {
        BTreeMap::insert(self, k, v)
    }
    fn remove(&mut self, k: &K) -> Option<V> {
        BTreeMap::remove(self, k)
    }
    fn len(&self) -> usize {
        BTreeMap::len(self)
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&K, &V)> + '_> {
        Box::new(self.iter())
    }
}

/// A facet's table declaration: its id, a name for people, and its encoding version.
pub struct Table<K, V, M = HashMap<K, V>> {
    /// Where it lives.
    pub id: TableId,
    /// `facet.table`, for logs and docs.
    pub name: &'static str,
    /// Version of its key and value encodings; snapshots record it.
    pub version: u8,
    types: PhantomData<Types<K, V, M>>,
}

/// The types a table stores, as a marker that is `Send`, `Sync` and `Copy` whatever they are.
type Types<K, V, M> = fn() -> (K, V, M);

impl<K, V, M> Table<K, V, M> {
    /// Declares a table (encoding version 1).
    pub const fn new(id: TableId, name: &'static str) -> Self {
        Table { id, name, version: 1, types: PhantomData }
    }
}

/// A table kept in key order.
pub type Ordered<K, V> = Table<K, V, BTreeMap<K, V>>;

/// A single value (a facet's parameters, a counter).
pub type Cell<V> = Table<(), V, BTreeMap<(), V>>;

/// What the registry knows of a table without its types.
pub trait TableSpec: Sync {
    /// Its id.
    fn id(&self) -> TableId;
    /// Its name.
    fn name(&self) -> &'static str;
    /// Its encoding version.
    fn version(&self) -> u8;
    /// An empty table of its types.
    fn empty(&self) -> Box<dyn Erased>;
}

impl<K: Key, V: Value, M: Map<K, V>> TableSpec for Table<K, V, M> {
    fn id(&self) -> TableId {
        self.id
    }
    fn name(&self) -> &'static str {
        self.name
    }
    fn version(&self) -> u8 {
        self.version
    }
    fn empty(&self) -> Box<dyn Erased> {
        Box::new(Data::<K, V, M> {
            id: self.id,
            name: self.name,
            version: self.version,
            map: M::default(),
            undo: Vec::new(),
            dirty: Vec::new(),
        })
    }
}

/// One table's entries, its undo log (old values, oldest first) and its dirty keys.
#[derive(Clone, Debug)]
struct Data<K, V, M> {
    id: TableId,
    name: &'static str,
    version: u8,
    map: M,
    undo: Vec<(K, Option<V>)>,
    dirty: Vec<K>,
}

impl<K: Key, V: Value, M: Map<K, V>> Data<K, V, M> {
    /// Sets or deletes without journaling; returns the old value.
    fn set(&mut self, k: K, v: Option<V>) -> Option<V> {
        match v {
            Some(v) if !v.is_default() => self.map.insert(k, v),
            _ => self.map.remove(&k),
        }
    }
}

/// A table with its types erased: what [`State`] needs to journal, commit, encode and apply.
pub trait Erased: Send + Sync + Debug {
    /// For typed access.
    fn as_any(&self) -> &dyn Any;
    /// For typed access.
    fn as_any_mut(&mut self) -> &mut dyn Any;
    /// A deep copy.
    fn clone_box(&self) -> Box<dyn Erased>;
    /// Undoes the table's last journaled write.
    fn undo_last(&mut self);
    /// Moves every journaled write's key to the dirty set.
    fn commit_undo(&mut self);
    /// Whether the last `n` journaled writes changed any entry.
    fn changed_in_last(&self, n: usize) -> bool;
    /// Appends the dirty entries with their current values and clears the dirty set.
    fn take_dirty(&mut self, out: &mut Vec<Change>);
    /// Sets an entry from its canonical bytes (key without the table prefix).
    fn apply_raw(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<(), CodecError>;
    /// Appends every entry as `(full key bytes, value bytes)`.
    fn encode_entries(&self, out: &mut Vec<(Vec<u8>, Vec<u8>)>);
    /// Number of entries.
    fn len(&self) -> usize;
    /// Whether empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Its name.
    fn name(&self) -> &'static str;
    /// Its encoding version.
    fn version(&self) -> u8;
}

impl<K: Key, V: Value, M: Map<K, V>> Erased for Data<K, V, M> {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
    fn clone_box(&self) -> Box<dyn Erased> {
        Box::new(self.clone())
    }
    fn undo_last(&mut self) {
        let (k, old) = self.undo.pop().expect("invariant: a journal entry has its undo record");
        self.set(k, old);
    }
    fn commit_undo(&mut self) {
        self.dirty.extend(self.undo.drain(..).map(|(k, _)| k));
    }
    fn changed_in_last(&self, n: usize) -> bool {
        let recent = &self.undo[self.undo.len() - n..];
        let mut seen: Vec<&K> = Vec::with_capacity(recent.len());
        recent.iter().any(|(k, old)| {
            if seen.contains(&k) {
                return false;
            }
            seen.push(k);
            self.map.get(k) != old.as_ref()
        })
    }
    fn take_dirty(&mut self, out: &mut Vec<Change>) {
        let mut keys = std::mem::take(&mut self.dirty);
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            let mut key = self.id.prefix().to_vec();
            k.encode_key(&mut key);
            let value = self.map.get(&k).map(|v| {
                let mut b = Vec::with_capacity(64);
                v.encode_value(&mut b);
                b
            });
            out.push(Change { key, value });
        }
    }
    fn apply_raw(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<(), CodecError> {
        let mut kr = Reader::new(key);
        let k = K::decode_key(&mut kr)?;
        kr.finish()?;
        let v = match value {
            Some(bytes) => {
                let mut vr = Reader::new(bytes);
                let v = V::decode_value(&mut vr)?;
                vr.finish()?;
                if v.is_default() {
                    return Err(CodecError("a stored value is never its default"));
                }
                Some(v)
            }
            None => None,
        };
        self.set(k, v);
        Ok(())
    }
    fn encode_entries(&self, out: &mut Vec<(Vec<u8>, Vec<u8>)>) {
        for (k, v) in self.map.entries() {
            let mut key = self.id.prefix().to_vec();
            k.encode_key(&mut key);
            let mut value = Vec::with_capacity(64);
            v.encode_value(&mut value);
            out.push((key, value));
        }
    }
    fn len(&self) -> usize {
        self.map.len()
    }
    fn name(&self) -> &'static str {
        self.name
    }
    fn version(&self) -> u8 {
        self.version
    }
}

/// One changed entry: full key bytes, new value bytes (`None`: deleted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// `facet || index || key`.
    pub key: Vec<u8>,
    /// The value's encoding, or `None` when the entry is gone.
    pub value: Option<Vec<u8>>,
}

/// The entries a block changed, with their new values, sorted by key bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// Changed entries.
    pub entries: Vec<Change>,
}

/// Why bytes are not a state or a change of it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// An encoding is corrupt.
    #[error("{0}")]
    Codec(#[from] CodecError),
    /// A table this build does not know.
    #[error("unknown table {0}")]
    UnknownTable(TableId),
    /// A table whose encoding version this build does not read.
    #[error("table {name} has encoding version {found}; this build reads version {expected}")]
    Version {
        /// The table.
        name: &'static str,
        /// In the bytes.
        found: u8,
        /// In this build.
        expected: u8,
    },
}

/// Every table of every facet, by id.
#[derive(Default)]
pub struct State {
    /// `tables[facet][index]`, created on first write or from the registry.
    tables: Vec<Vec<Option<Box<dyn Erased>>>>,
    /// Which table each journaled write went to, oldest first.
    journal: Vec<TableId>,
}

impl Clone for State {
    fn clone(&self) -> Self {
        State {
            tables: self
                .tables
                .iter()
                .map(|f| f.iter().map(|t| t.as_ref().map(|t| t.clone_box())).collect())
                .collect(),
            journal: self.journal.clone(),
        }
    }
}

impl Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for t in self.tables.iter().flatten().flatten() {
            m.entry(&t.name(), &t.len());
        }
        m.finish()
    }
}

impl State {
    fn slot(&self, id: TableId) -> Option<&dyn Erased> {
        self.tables.get(id.facet as usize)?.get(id.index as usize)?.as_deref()
    }

    fn slot_mut(&mut self, id: TableId) -> Option<&mut Box<dyn Erased>> {
        self.tables.get_mut(id.facet as usize)?.get_mut(id.index as usize)?.as_mut()
    }

    /// The slot of `id`, created with `make` when new.
    fn slot_or_insert(
        &mut self,
        id: TableId,
        make: impl FnOnce() -> Box<dyn Erased>,
    ) -> &mut Box<dyn Erased> {
        let facet = id.facet as usize;
        if self.tables.len() <= facet {
            self.tables.resize_with(facet + 1, Vec::new);
        }
        let tables = &mut self.tables[facet];
        if tables.len() <= id.index as usize {
            tables.resize_with(id.index as usize + 1, || None);
        }
        tables[id.index as usize].get_or_insert_with(make)
    }

    fn data<K: Key, V: Value, M: Map<K, V>>(&self, t: &Table<K, V, M>) -> Option<&Data<K, V, M>> {
        self.slot(t.id).map(|d| {
            d.as_any().downcast_ref().expect("invariant: one table id, one key and value type")
        })
    }

    fn data_mut<K: Key, V: Value, M: Map<K, V>>(
        &mut self,
        t: &Table<K, V, M>,
    ) -> &mut Data<K, V, M> {
        self.slot_or_insert(t.id, || t.empty())
            .as_any_mut()
            .downcast_mut()
            .expect("invariant: one table id, one key and value type")
    }

    // ----- reads -----

    /// The value of a key, if present.
    pub fn get<K: Key, V: Value, M: Map<K, V>>(&self, t: &Table<K, V, M>, k: &K) -> Option<&V> {
        self.data(t)?.map.get(k)
    }

    /// The value of a key, or the default when absent.
    pub fn value<K: Key, V: Value, M: Map<K, V>>(&self, t: &Table<K, V, M>, k: &K) -> V {
        self.get(t, k).cloned().unwrap_or_default()
    }

    /// Whether a key is present.
    pub fn contains<K: Key, V: Value, M: Map<K, V>>(&self, t: &Table<K, V, M>, k: &K) -> bool {
        self.get(t, k).is_some()
    }

    /// A cell's value (default when never set).
    pub fn cell<V: Value>(&self, t: &Cell<V>) -> V {
        self.value(t, &())
    }

    /// The whole map of a table (`None` when never written).
    pub fn map<K: Key, V: Value, M: Map<K, V>>(&self, t: &Table<K, V, M>) -> Option<&M> {
        self.data(t).map(|d| &d.map)
    }

    /// Every entry of a table, in no particular order for hash tables.
    pub fn iter<'a, K: Key, V: Value, M: Map<K, V>>(
        &'a self,
        t: &Table<K, V, M>,
    ) -> impl Iterator<Item = (&'a K, &'a V)> + 'a {
        self.map(t).into_iter().flat_map(|m| m.entries())
    }

    /// The entries of an ordered table within a key range, in key order.
    pub fn range<'a, K: Key, V: Value>(
        &'a self,
        t: &Ordered<K, V>,
        range: impl std::ops::RangeBounds<K>,
    ) -> impl Iterator<Item = (&'a K, &'a V)> + 'a {
        let bounds = (range.start_bound().cloned(), range.end_bound().cloned());
        self.map(t).into_iter().flat_map(move |m| m.range(bounds.clone()))
    }

    /// Number of entries of a table.
    pub fn len<K: Key, V: Value, M: Map<K, V>>(&self, t: &Table<K, V, M>) -> usize {
        self.data(t).map_or(0, |d| d.map.len())
    }

    // ----- writes -----

    /// Sets an entry (the default value deletes it), journaling the old value.
    pub fn put<K: Key, V: Value, M: Map<K, V>>(&mut self, t: &Table<K, V, M>, k: K, v: V) {
        let data = self.data_mut(t);
        let old = data.set(k.clone(), Some(v));
        data.undo.push((k, old));
        self.journal.push(t.id);
    }

    /// Deletes an entry, journaling the old value.
    pub fn delete<K: Key, V: Value, M: Map<K, V>>(&mut self, t: &Table<K, V, M>, k: &K) {
        let data = self.data_mut(t);
        let old = data.set(k.clone(), None);
        data.undo.push((k.clone(), old));
        self.journal.push(t.id);
    }

    /// Sets a cell.
    pub fn set_cell<V: Value>(&mut self, t: &Cell<V>, v: V) {
        self.put(t, (), v);
    }

    /// Reads, changes and writes back an entry.
    pub fn update<K: Key, V: Value, M: Map<K, V>, R>(
        &mut self,
        t: &Table<K, V, M>,
        k: K,
        f: impl FnOnce(&mut V) -> R,
    ) -> R {
        let mut v = self.value(t, &k);
        let r = f(&mut v);
        self.put(t, k, v);
        r
    }

    // ----- journal -----

    /// A point to revert to: the journal's length.
    pub fn checkpoint(&self) -> usize {
        self.journal.len()
    }

    /// Whether the writes after `checkpoint` changed any entry (an entry written back to its
    /// old value is unchanged).
    pub fn changed_since(&self, checkpoint: usize) -> bool {
        let mut counts: Vec<(TableId, usize)> = Vec::new();
        for id in &self.journal[checkpoint.min(self.journal.len())..] {
            match counts.iter_mut().find(|(t, _)| t == id) {
                Some((_, n)) => *n += 1,
                None => counts.push((*id, 1)),
            }
        }
        counts.into_iter().any(|(id, n)| {
            self.slot(id).expect("invariant: a journaled table exists").changed_in_last(n)
        })
    }

    /// Undoes every write after `checkpoint`, newest first.
    pub fn revert(&mut self, checkpoint: usize) {
        while self.journal.len() > checkpoint {
            let id = self.journal.pop().expect("invariant: journal longer than checkpoint");
            self.slot_mut(id).expect("invariant: a journaled table exists").undo_last();
        }
    }

    /// Keeps every journaled write: the keys join the block's dirty set.
    pub fn commit_journal(&mut self) {
        let journal = std::mem::take(&mut self.journal);
        for id in &journal {
            self.slot_mut(*id).expect("invariant: a journaled table exists").commit_undo();
        }
        // Reuse the allocation.
        self.journal = journal;
        self.journal.clear();
    }

    /// Ends a block: the dirty entries with their current values, sorted by key bytes.
    pub fn take_changes(&mut self) -> ChangeSet {
        debug_assert!(self.journal.is_empty(), "a block ends between commands");
        let mut entries = Vec::new();
        for t in self.tables.iter_mut().flatten().flatten() {
            t.take_dirty(&mut entries);
        }
        entries.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        ChangeSet { entries }
    }

    /// Applies a change set produced by another copy of the same state (the committed replica).
    pub fn apply(&mut self, changes: &ChangeSet) -> Result<(), StateError> {
        for c in &changes.entries {
            self.apply_raw(&c.key, c.value.as_deref())?;
        }
        Ok(())
    }

    fn apply_raw(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<(), StateError> {
        let [facet, index, rest @ ..] = key else {
            return Err(CodecError("a state key opens with its table id").into());
        };
        let id = TableId::new(*facet, *index);
        let spec = crate::facets::registry::table(id).ok_or(StateError::UnknownTable(id))?;
        self.slot_or_insert(id, || spec.empty()).apply_raw(rest, value)?;
        Ok(())
    }

    /// Every entry as `(key bytes, value bytes)`, for snapshots and for rebuilding the
    /// commitment; sorted by key bytes.
    pub fn encoded_entries(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        for t in self.tables.iter().flatten().flatten() {
            t.encode_entries(&mut out);
        }
        out.sort_unstable();
        out
    }

    /// Serializes every table (snapshot format 2): the magic, then per non-empty table its id,
    /// encoding version and entries.
    pub fn encode_snapshot(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 << 16);
        out.extend_from_slice(SNAPSHOT_MAGIC);
        let tables: Vec<(TableId, &dyn Erased)> = self
            .tables
            .iter()
            .enumerate()
            .flat_map(|(f, ts)| {
                ts.iter().enumerate().filter_map(move |(i, t)| {
                    let t = t.as_deref()?;
                    (!t.is_empty()).then_some((TableId::new(f as u8, i as u8), t))
                })
            })
            .collect();
        out.put_u32(tables.len() as u32);
        let mut entries = Vec::new();
        for (id, t) in tables {
            entries.clear();
            t.encode_entries(&mut entries);
            entries.sort_unstable();
            out.extend_from_slice(&id.prefix());
            out.put_u8(t.version());
            out.put_u64(entries.len() as u64);
            for (k, v) in &entries {
                out.put_bytes(&k[2..]);
                out.put_bytes(v);
            }
        }
        out
    }

    /// Loads a snapshot written by [`State::encode_snapshot`].
    pub fn decode_snapshot(bytes: &[u8]) -> Result<State, StateError> {
        let mut r = Reader::new(bytes);
        if r.take(SNAPSHOT_MAGIC.len())? != SNAPSHOT_MAGIC {
            return Err(CodecError("not a Hoard snapshot of this format").into());
        }
        let mut state = State::default();
        let tables = r.u32()?;
        for _ in 0..tables {
            let p = r.take(2)?;
            let id = TableId::new(p[0], p[1]);
            let spec = crate::facets::registry::table(id).ok_or(StateError::UnknownTable(id))?;
            let version = r.u8()?;
            if version != spec.version() {
                return Err(StateError::Version {
                    name: spec.name(),
                    found: version,
                    expected: spec.version(),
                });
            }
            let n = r.u64()?;
            let slot = state.slot_or_insert(id, || spec.empty());
            if !slot.is_empty() {
                return Err(CodecError("a table appears twice in the snapshot").into());
            }
            for _ in 0..n {
                let key = r.bytes()?;
                let value = r.bytes()?;
                slot.apply_raw(key, Some(value))?;
            }
            if slot.len() as u64 != n {
                return Err(CodecError("a key appears twice in the snapshot").into());
            }
        }
        r.finish()?;
        Ok(state)
    }
}

const SNAPSHOT_MAGIC: &[u8] = b"HOARD-SNAPSHOT-2";
