//! Canonical encodings of the key and value types tables share: fixed-width big-endian
//! integers, 20-byte addresses, 32-byte words, tuples as their fields in order.

use alloy_primitives::{Address, B256, U256};

use super::{Key, Value};
use crate::codec::{CodecError, Put, Reader};

impl Key for () {
    fn encode_key(&self, _out: &mut Vec<u8>) {}
    fn decode_key(_r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(())
    }
}

macro_rules! fixed {
    ($t:ty, $put:ident, $get:ident) => {
        impl Key for $t {
            fn encode_key(&self, out: &mut Vec<u8>) {
                out.$put(*self);
            }
            fn decode_key(r: &mut Reader<'_>) -> Result<Self, CodecError> {
                r.$get()
            }
        }
        impl Value for $t {
            fn encode_value(&self, out: &mut Vec<u8>) {
                out.$put(*self);
            }
            fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
                r.$get()
            }
        }
    };
}

fixed!(u8, put_u8, u8);
fixed!(u16, put_u16, u16);
fixed!(u32, put_u32, u32);
fixed!(u64, put_u64, u64);

impl Key for Address {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.put_address(self);
    }
    fn decode_key(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        r.address()
    }
}

impl Value for Address {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_address(self);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        r.address()
    }
}

impl Key for B256 {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.put_b256(self);
    }
    fn decode_key(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        r.b256()
    }
}

impl Key for [u8; 4] {
    fn encode_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
    fn decode_key(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let b = r.take(4)?;
        Ok([b[0], b[1], b[2], b[3]])
    }
}

impl Value for U256 {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u256(self);
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        r.u256()
    }
}

/// Membership: `true` is stored as one byte `1`; `false` is absent.
impl Value for bool {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u8(u8::from(*self));
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        match r.u8()? {
            1 => Ok(true),
            0 => Ok(false),
            _ => Err(CodecError("a flag is 0 or 1")),
        }
    }
}

/// A list of addresses: a u32 count, then each.
impl Value for Vec<Address> {
    fn encode_value(&self, out: &mut Vec<u8>) {
        out.put_u32(self.len() as u32);
        for a in self {
            out.put_address(a);
        }
    }
    fn decode_value(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let n = r.u32()? as usize;
        let mut list = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            list.push(r.address()?);
        }
        Ok(list)
    }
}

impl<A: Key, B: Key> Key for (A, B) {
    fn encode_key(&self, out: &mut Vec<u8>) {
        self.0.encode_key(out);
        self.1.encode_key(out);
    }
    fn decode_key(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok((A::decode_key(r)?, B::decode_key(r)?))
    }
}

impl<A: Key, B: Key, C: Key> Key for (A, B, C) {
    fn encode_key(&self, out: &mut Vec<u8>) {
        self.0.encode_key(out);
        self.1.encode_key(out);
        self.2.encode_key(out);
    }
    fn decode_key(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok((A::decode_key(r)?, B::decode_key(r)?, C::decode_key(r)?))
    }
}
