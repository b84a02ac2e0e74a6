//! HTML building blocks: the one escaping helper, number/time/hash formatting, links, and the
//! page shell with its inline stylesheet and script.
//!
//! Every piece of text that did not come from a literal in this crate goes through [`esc`]
//! (directly or through a helper that calls it), including hex strings, so that no value can
//! ever open a tag or leave an attribute.

use alloy_primitives::{Address, B256, U256};

/// Appends formatted text to a `String` (writing to a `String` cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = ::std::fmt::Write::write_fmt(&mut $out, ::std::format_args!($($arg)*));
    }};
}
pub(crate) use w;

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// At most `max_chars` characters of `text`, with an ellipsis when cut (for echoing input).
pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Puts a comma between every group of three digits of a run of decimal digits.
pub(crate) fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An 18-decimal token amount in whole tokens, exact, with thousands separators
/// (`1,234,567.5`).
pub(crate) fn tokens(amount: U256) -> String {
    let text = hoard_primitives::format_units(amount, 18);
    match text.split_once('.') {
        Some((int, frac)) => format!("{}.{frac}", group_thousands(int)),
        None => group_thousands(&text),
    }
}

/// A whole number with thousands separators.
pub(crate) fn count(n: u64) -> String {
    group_thousands(&n.to_string())
}

/// Last second of year 9999; later times are shown as raw unix seconds.
const ISO_SECONDS_MAX: u64 = 253_402_300_799;

/// Unix seconds as a UTC ISO 8601 date and time (`2026-11-21T08:18:19Z`).
pub(crate) fn iso_time(unix_s: u64) -> String {
    if unix_s > ISO_SECONDS_MAX {
        return format!("unix {unix_s}");
    }
    let days = unix_s / 86_400;
    let rem = unix_s % 86_400;
    let (y, m, d) = civil_date(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// Year, month, day of a count of days since 1970-01-01 (proleptic Gregorian calendar), by
/// counting 400-year eras of 146,097 days from 0000-03-01, so that the leap day ends a year.
fn civil_date(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468; // days from 0000-03-01 to 1970-01-01
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// A `<time>` element with the ISO date.
pub(crate) fn time_tag(unix_s: u64) -> String {
    let iso = iso_time(unix_s);
    format!("<time datetime=\"{0}\">{0}</time>", esc(&iso))
}

/// `0x1234…cdef` for a long hex string; short strings unchanged.
pub(crate) fn short(hex: &str) -> String {
    if hex.len() <= 14 {
        return hex.to_string();
    }
    format!("{}…{}", &hex[..6], &hex[hex.len() - 4..])
}

/// A full hash in 0x hex.
pub(crate) fn hex32(h: &B256) -> String {
    format!("{h:#x}")
}

/// A shortened value with its complete form in the `title` attribute.
pub(crate) fn abbr(full: &str) -> String {
    format!("<span class=\"mono\" title=\"{0}\">{1}</span>", esc(full), esc(&short(full)))
}

/// A link to a block page.
pub(crate) fn block_link(height: u64) -> String {
    format!("<a href=\"/blocks/{height}\">{}</a>", count(height))
}

/// A link to a transaction page, shortened, complete in `href` and `title`.
pub(crate) fn tx_link(hash: &B256) -> String {
    let full = hex32(hash);
    format!(
        "<a class=\"mono\" href=\"/tx/{0}\" title=\"{0}\">{1}</a>",
        esc(&full),
        esc(&short(&full))
    )
}

/// A link to an account page (EIP-55 checksummed), shortened, complete in `href` and `title`,
/// with a known name after it when there is one.
pub(crate) fn account_link(address: &Address, names: &Names) -> String {
    let full = address.to_checksum(None);
    let mut out = format!(
        "<a class=\"mono\" href=\"/account/{0}\" title=\"{0}\">{1}</a>",
        esc(&full),
        esc(&short(&full))
    );
    if let Some(name) = names.name_of(address) {
        w!(out, " <span class=\"tag\">{}</span>", esc(name));
    }
    out
}

/// Names of well-known addresses (tokens, diamond, escrow, and the devnet's demo accounts).
#[derive(Clone, Debug, Default)]
pub(crate) struct Names {
    entries: Vec<(Address, String)>,
}

impl Names {
    /// Adds a name.
    pub(crate) fn add(&mut self, address: Address, name: impl Into<String>) {
        self.entries.push((address, name.into()));
    }
    /// The name of an address, if known.
    pub(crate) fn name_of(&self, address: &Address) -> Option<&str> {
        self.entries.iter().find(|(a, _)| a == address).map(|(_, n)| n.as_str())
    }
}

/// What the page header says about the chain.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChainMark {
    /// Chain id.
    pub(crate) chain_id: u64,
    /// Whether it is the devnet.
    pub(crate) devnet: bool,
}

impl ChainMark {
    fn label(&self) -> String {
        if self.devnet {
            format!("devnet · chain {}", self.chain_id)
        } else {
            format!("chain {}", self.chain_id)
        }
    }
}

/// A whole page: `title` names the page (and the tab), `body` is trusted HTML built by this
/// module's helpers; `live` adds the live-update script.
pub(crate) fn page(title: &str, chain: ChainMark, body: &str, live: bool) -> String {
    let mut out = String::with_capacity(body.len() + STYLE.len() + SCRIPT.len() + 1024);
    w!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Hoard {}</title><style>{STYLE}</style></head><body>\
         <header><a class=\"brand\" href=\"/\">Hoard</a>\
         <nav><a href=\"/\">Overview</a></nav>\
         <span class=\"chain{}\" id=\"chain\">{}</span>\
         <form class=\"search\" method=\"get\" action=\"/search\" role=\"search\">\
         <input type=\"search\" name=\"q\" placeholder=\"block height, tx hash or address\" \
         aria-label=\"Search\" maxlength=\"100\"><button type=\"submit\">Go</button></form>\
         </header><main>{body}</main>\
         <footer>Hoard node dashboard · times are UTC · amounts in whole tokens (18 decimals)\
         </footer>",
        esc(title),
        esc(&chain.label()),
        if chain.devnet { " devnet" } else { "" },
        esc(&chain.label()),
    );
    if live {
        w!(out, "<script>{SCRIPT}</script>");
    }
    out.push_str("</body></html>\n");
    out
}

/// The stylesheet (light and dark).
const STYLE: &str = r#"
:root{--bg:#f5f6f8;--fg:#18202b;--muted:#5b6778;--card:#fff;--line:#e1e5eb;--accent:#1f56c3;
--ok:#17763f;--bad:#b3261e;--tag:#eef2f8;--warn-bg:#fff2cc;--warn-fg:#6b4a00}
@media (prefers-color-scheme:dark){:root{--bg:#10141a;--fg:#e4e8ee;--muted:#97a3b3;--card:#171d25;
--line:#29313d;--accent:#7ea8ff;--ok:#5cc98a;--bad:#ff8a80;--tag:#222b37;--warn-bg:#3b2f0c;
--warn-fg:#ffd479}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
background:var(--bg);color:var(--fg)}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
header{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center;padding:.65rem 1.5rem;
background:var(--card);border-bottom:1px solid var(--line)}
header .brand{font-weight:700;font-size:1.15rem;color:var(--fg)}
.chain{border-radius:999px;padding:.1rem .65rem;font-size:.8rem;font-weight:600;background:var(--tag)}
.chain.devnet{background:var(--warn-bg);color:var(--warn-fg)}
.search{margin-left:auto;display:flex;gap:.3rem}
.search input{width:22rem;max-width:60vw;padding:.3rem .5rem;border:1px solid var(--line);
border-radius:6px;background:var(--bg);color:var(--fg)}
.search button{padding:.3rem .7rem;border:1px solid var(--line);border-radius:6px;
background:var(--tag);color:var(--fg);cursor:pointer}
main{max-width:1240px;margin:0 auto;padding:.5rem 1.5rem 2.5rem}
h1{font-size:1.45rem;margin:.9rem 0 .8rem;display:flex;align-items:baseline;gap:.8rem;flex-wrap:wrap}
h1 .sub{font-size:.95rem;font-weight:400;color:var(--muted)}
h2{font-size:1.02rem;margin:1.4rem 0 .5rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:.7rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.6rem .85rem}
.card .label{color:var(--muted);font-size:.76rem;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:1.12rem;font-weight:600;font-variant-numeric:tabular-nums;
overflow-wrap:anywhere}
.card .unit{font-size:.8rem;color:var(--muted);font-weight:500}
.card .note{font-size:.82rem;color:var(--muted);margin-top:.1rem}
.split{display:grid;grid-template-columns:1fr;gap:0 1.2rem}
@media (min-width:1050px){.split{grid-template-columns:minmax(0,2fr) minmax(0,3fr)}}
.scroll{overflow-x:auto}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);
border-radius:8px}
th,td{padding:.38rem .6rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
tr:last-child td{border-bottom:0}
th{color:var(--muted);font-weight:600;font-size:.74rem;text-transform:uppercase;letter-spacing:.04em}
td .mono,td time{white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.mono,code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.87em}
.ok{color:var(--ok);font-weight:600}.bad{color:var(--bad);font-weight:600}
.muted{color:var(--muted)}
.tag{display:inline-block;background:var(--tag);border-radius:4px;padding:0 .35rem;font-size:.78rem;
color:var(--muted)}
dl.kv{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.32rem 1.2rem;
background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;margin:0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--card);border:1px solid var(--line);
border-radius:8px;padding:.6rem .8rem;margin:.3rem 0}
.live{font-size:.8rem;font-weight:500;color:var(--muted)}
.live.on::before{content:"\25CF  ";color:var(--ok)}
.pager{margin:.9rem 0;display:flex;gap:1rem}
.error{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--bad);
border-radius:8px;padding:.8rem 1rem}
footer{max-width:1240px;margin:0 auto;padding:0 1.5rem 2rem;color:var(--muted);font-size:.8rem}
"#;

/// The live-update script: on each `block` event of `/v1/stream` (or every second when the
/// stream is unavailable, or without EventSource) it fetches `/partials/overview` and swaps the
/// `#live` element's content. Fetches never overlap; a burst of blocks costs one extra fetch.
const SCRIPT: &str = r#"
(function(){
  var live=document.getElementById('live'),status=document.getElementById('live-status');
  if(!live||!window.fetch)return;
  var busy=false,again=false,timer=null;
  function mark(text){if(status){status.textContent=text;status.className='live on';}}
  function refresh(){
    if(busy){again=true;return;}
    busy=true;
    fetch('/partials/overview',{cache:'no-store'}).then(function(r){
      if(!r.ok)throw new Error('status '+r.status);return r.text();
    }).then(function(html){live.innerHTML=html;}).catch(function(){}).then(function(){
      busy=false;if(again){again=false;refresh();}
    });
  }
  function poll(){if(!timer){timer=setInterval(refresh,1000);mark('live (polling every second)');}}
  if(!window.EventSource){poll();return;}
  var es=new EventSource('/v1/stream');
  es.addEventListener('block',refresh);
  es.addEventListener('lagged',refresh);
  es.onopen=function(){if(timer){clearInterval(timer);timer=null;}mark('live');refresh();};
  es.onerror=function(){poll();};
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_markup_character() {
        assert_eq!(
            esc(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(esc("plain ü"), "plain ü");
    }

    #[test]
    fn groups_thousands_and_keeps_fractions_exact() {
        assert_eq!(group_thousands("0"), "0");
        assert_eq!(group_thousands("999"), "999");
        assert_eq!(group_thousands("1000"), "1,000");
        assert_eq!(group_thousands("100000000"), "100,000,000");
        let unit = U256::from(10u64).pow(U256::from(18u8));
        assert_eq!(tokens(U256::from(1_234_567u64) * unit), "1,234,567");
        assert_eq!(tokens(U256::from(15u64) * unit / U256::from(10u8)), "1.5");
        assert_eq!(tokens(U256::from(1u8)), "0.000000000000000001");
        assert_eq!(
            tokens(U256::from(1_000u64) * unit + U256::from(1u8)),
            "1,000.000000000000000001"
        );
    }

    #[test]
    fn iso_dates_match_known_instants() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_time(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_time(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso_time(4_107_542_399), "2100-02-28T23:59:59Z");
        assert_eq!(iso_time(ISO_SECONDS_MAX), "9999-12-31T23:59:59Z");
        assert_eq!(iso_time(u64::MAX), format!("unix {}", u64::MAX));
    }

    #[test]
    fn pages_mark_the_chain_and_escape_the_title() {
        let devnet = page("<x>", ChainMark { chain_id: 31337, devnet: true }, "<p>b</p>", false);
        assert!(devnet.contains("<title>&lt;x&gt; · Hoard devnet · chain 31337</title>"));
        assert!(devnet.contains("class=\"chain devnet\""));
        assert!(devnet.contains("<main><p>b</p></main>") && !devnet.contains("<script>"));
        let other = page("Overview", ChainMark { chain_id: 7, devnet: false }, "", true);
        assert!(other.contains("<span class=\"chain\" id=\"chain\">chain 7</span>"));
        assert!(!other.contains("Hoard devnet"));
        assert!(other.contains("<script>"));
    }

    #[test]
    fn shortens_long_hex_only() {
        assert_eq!(short("0x12"), "0x12");
        assert_eq!(short("0x1234567890abcdef"), "0x1234…cdef");
        assert_eq!(truncate("abcdef", 3), "abc…");
        assert_eq!(truncate("ab", 3), "ab");
        assert_eq!(truncate("ééé", 2), "éé…");
    }
}
