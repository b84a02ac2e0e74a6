//! Event-page cursors as clients see them: the store's 24 hex digits (height, log index)
//! followed by 8 hex digits of `keccak256(CURSOR_TAG || payload)`.
//!
//! The check makes a cursor tamper-evident: one changed character, a truncated or a spliced
//! token is refused with 400 `api.bad_cursor` instead of silently paging from somewhere else.
//! It is not a secret (anyone can compute it), so the decoded position is still checked against
//! what the store can hold: a height above [`hoard_store::INTEGER_MAX`] is a 400 too.

use alloy_primitives::{hex, keccak256};
use hoard_store::EventCursor;

use crate::ApiError;

/// Domain tag of the check.
pub const CURSOR_TAG: &[u8] = b"hoard.api.events-cursor.v1";
/// Hex digits of the store's token.
const PAYLOAD_HEX: usize = 24;
/// Hex digits of the check.
const CHECK_HEX: usize = 8;

fn check(payload: &str) -> String {
    let mut input = Vec::with_capacity(CURSOR_TAG.len() + payload.len());
    input.extend_from_slice(CURSOR_TAG);
    input.extend_from_slice(payload.as_bytes());
    hex::encode(&keccak256(&input)[..CHECK_HEX / 2])
}

/// The token of `cursor`.
pub fn encode(cursor: &EventCursor) -> String {
    let payload = cursor.to_token();
    let tag = check(&payload);
    payload + &tag
}

/// Decodes a token made by [`encode`]; a 400 `api.bad_cursor` otherwise.
pub fn decode(token: &str) -> Result<EventCursor, ApiError> {
    let bad = || ApiError::bad_request("api.bad_cursor", "the cursor is not one this API returned");
    if token.len() != PAYLOAD_HEX + CHECK_HEX || !token.is_ascii() {
        return Err(bad());
    }
    let (payload, tag) = token.split_at(PAYLOAD_HEX);
    if check(payload) != tag {
        return Err(bad());
    }
    let cursor = EventCursor::from_token(payload).ok_or_else(bad)?;
    if cursor.height > hoard_store::INTEGER_MAX {
        return Err(ApiError::bad_request(
            "api.bad_cursor",
            format!(
                "the cursor's height is above {}, the highest a block can have",
                hoard_store::INTEGER_MAX
            ),
        ));
    }
    Ok(cursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for c in [
            EventCursor { height: 0, log_index: 0 },
            EventCursor { height: 123_456_789, log_index: 42 },
            EventCursor { height: hoard_store::INTEGER_MAX, log_index: u32::MAX },
        ] {
            let t = encode(&c);
            assert_eq!(t.len(), 32);
            assert_eq!(decode(&t), Ok(c));
        }
    }

    #[test]
    fn every_single_character_change_is_refused() {
        let t = encode(&EventCursor { height: 77, log_index: 3 });
        for i in 0..t.len() {
            for replacement in ['0', '7', 'a', 'f', 'F', 'g'] {
                let mut changed: Vec<char> = t.chars().collect();
                if changed[i] == replacement {
                    continue;
                }
                changed[i] = replacement;
                let changed: String = changed.into_iter().collect();
                assert_eq!(
                    decode(&changed).map_err(|e| e.code),
                    Err("api.bad_cursor"),
                    "{changed}"
                );
            }
        }
        assert!(decode(&t[..31]).is_err());
        assert!(decode(&format!("{t}0")).is_err());
        // The store's bare token (the old format) is refused.
        assert!(decode(&EventCursor { height: 77, log_index: 3 }.to_token()).is_err());
        assert!(decode("é".repeat(16).as_str()).is_err());
    }

    #[test]
    fn heights_the_store_cannot_hold_are_refused() {
        let t = encode(&EventCursor { height: 1 << 63, log_index: 0 });
        let e = decode(&t).expect_err("out of range");
        assert_eq!(e.code, "api.bad_cursor");
        assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
    }
}
