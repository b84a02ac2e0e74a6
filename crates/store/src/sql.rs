//! SQL shared by the backends: column lists, integer conversion, and the events query, which
//! both dialects build the same way but for how they bind parameters ([`Binder`]).

use crate::{EventCursor, EventFilter, Result, StoreError, pad_address};

/// Columns of the transactions table, in the order the row readers expect.
pub(crate) const TX_COLUMNS: &str = "hash, height, idx, sender, success, code, receipt";
/// Columns of the events table, in the order the row readers expect.
pub(crate) const EVENT_COLUMNS: &str =
    "height, tx_index, log_index, tx_hash, address, topic0, topic1, topic2, topic3, data";

/// A height or count as the signed 64-bit integer both databases store.
pub(crate) fn int(value: u64) -> Result<i64> {
    i64::try_from(value).map_err(|_| StoreError::Invalid { what: "an integer is out of range" })
}

/// How a dialect binds parameters: each call records a parameter and returns its placeholder.
pub(crate) trait Binder {
    /// An integer parameter.
    fn int(&mut self, value: i64) -> String;
    /// A byte-string parameter.
    fn blob(&mut self, value: Vec<u8>) -> String;
    /// The condition "`column` equals one of `values`" (`values` is not empty).
    fn any_of(&mut self, column: &str, values: Vec<Vec<u8>>) -> String;
}

/// The SQL of an event query (`fetch` rows at most); parameters go to `b`. The shape depends on
/// the filter, so backends cache prepared statements by text.
pub(crate) fn event_query(
    filter: &EventFilter,
    after: Option<EventCursor>,
    descending: bool,
    fetch: usize,
    b: &mut impl Binder,
) -> Result<String> {
    let mut sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE 1 = 1");
    if let Some(from) = filter.from_height {
        let p = b.int(int(from)?);
        sql.push_str(&format!(" AND height >= {p}"));
    }
    if let Some(to) = filter.effective_to_height() {
        let p = b.int(int(to)?);
        sql.push_str(&format!(" AND height <= {p}"));
    }
    if !filter.addresses.is_empty() {
        let cond = b.any_of("address", filter.addresses.iter().map(|a| a.to_vec()).collect());
        sql.push_str(&format!(" AND {cond}"));
    }
    for (position, set) in filter.topics.iter().enumerate() {
        if let Some(set) = set.as_ref().filter(|set| !set.is_empty()) {
            let cond =
                b.any_of(&format!("topic{position}"), set.iter().map(|t| t.to_vec()).collect());
            sql.push_str(&format!(" AND {cond}"));
        }
    }
    if let Some(cursor) = after {
        let h = b.int(int(cursor.height)?);
        let i = b.int(i64::from(cursor.log_index));
        let op = if descending { "<" } else { ">" };
        sql.push_str(&format!(" AND (height, log_index) {op} ({h}, {i})"));
    }
    let order = if descending { "DESC" } else { "ASC" };
    let order = format!("ORDER BY height {order}, log_index {order}");
    let fetch = i64::try_from(fetch).map_err(|_| StoreError::Invalid { what: "page too large" })?;
    let limit = b.int(fetch);
    if let Some(account) = &filter.account {
        // One ordered index scan per topic position, each limited, merged: an OR over the three
        // positions would read and sort every event of the account.
        let a = b.blob(pad_address(account).to_vec());
        let branches: Vec<String> = (1..4)
            .map(|k| {
                format!("SELECT * FROM ({sql} AND topic{k} = {a} {order} LIMIT {limit}) AS t{k}")
            })
            .collect();
        sql = format!(
            "SELECT * FROM ({}) AS matched {order} LIMIT {limit}",
            branches.join(" UNION ")
        );
    } else {
        sql.push_str(&format!(" {order} LIMIT {limit}"));
    }
    Ok(sql)
}
