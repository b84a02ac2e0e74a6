//! A small canonical binary codec: fixed-width big-endian integers, 32-byte U256, 20-byte
//! addresses, u32-length-prefixed byte strings. Used for state keys and values (hashed into the
//! state root and written to snapshots), block headers and receipts. One encoding per value, so
//! equal values always hash equally.

use alloy_primitives::{Address, B256, U256};

/// A decoding failure: the bytes are not a value of the expected type.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("corrupt encoding: {0}")]
pub struct CodecError(pub &'static str);

/// Appends canonical encodings.
pub trait Put {
    /// One byte.
    fn put_u8(&mut self, v: u8);
    /// Big-endian u16.
    fn put_u16(&mut self, v: u16);
    /// Big-endian u32.
    fn put_u32(&mut self, v: u32);
    /// Big-endian u64.
    fn put_u64(&mut self, v: u64);
    /// 32 bytes big-endian.
    fn put_u256(&mut self, v: &U256);
    /// 20 bytes.
    fn put_address(&mut self, v: &Address);
    /// 32 bytes.
    fn put_b256(&mut self, v: &B256);
    /// u32 length then the bytes.
    fn put_bytes(&mut self, v: &[u8]);
}

impl Put for Vec<u8> {
    fn put_u8(&mut self, v: u8) {
        self.push(v);
    }
    fn put_u16(&mut self, v: u16) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn put_u32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn put_u64(&mut self, v: u64) {
        self.extend_from_slice(&v.to_be_bytes());
    }
    fn put_u256(&mut self, v: &U256) {
        self.extend_from_slice(&v.to_be_bytes::<32>());
    }
    fn put_address(&mut self, v: &Address) {
        self.extend_from_slice(v.as_slice());
    }
    fn put_b256(&mut self, v: &B256) {
        self.extend_from_slice(v.as_slice());
    }
    fn put_bytes(&mut self, v: &[u8]) {
        self.put_u32(v.len() as u32);
        self.extend_from_slice(v);
    }
}

/// Reads canonical encodings from a byte slice.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    /// True when every byte was consumed.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Fails unless every byte was consumed.
    pub fn finish(&self) -> Result<(), CodecError> {
        if self.buf.is_empty() { Ok(()) } else { Err(CodecError("trailing bytes")) }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if self.buf.len() < n {
            return Err(CodecError("truncated"));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.take(1)?[0])
    }
    /// Big-endian u16.
    pub fn u16(&mut self) -> Result<u16, CodecError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    /// Big-endian u32.
    pub fn u32(&mut self) -> Result<u32, CodecError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// Big-endian u64.
    pub fn u64(&mut self) -> Result<u64, CodecError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
    /// 32-byte U256.
    pub fn u256(&mut self) -> Result<U256, CodecError> {
        Ok(U256::from_be_slice(self.take(32)?))
    }
    /// 20-byte address.
    pub fn address(&mut self) -> Result<Address, CodecError> {
        Ok(Address::from_slice(self.take(20)?))
    }
    /// 32 bytes.
    pub fn b256(&mut self) -> Result<B256, CodecError> {
        Ok(B256::from_slice(self.take(32)?))
    }
    /// Length-prefixed bytes.
    pub fn bytes(&mut self) -> Result<&'a [u8], CodecError> {
        let n = self.u32()? as usize;
        self.take(n)
    }
}
