//! HTML building blocks: the one escaping helper, number/time/hash formatting, links, and the
//! page shell with its inline stylesheet and script.
//!
//! Every piece of text that did not come from a literal in this crate goes through [`esc`]
//! (directly or through a helper that calls it), including hex strings, so that no value can
//! ever open a tag or leave an attribute.

use alloy_primitives::{Address, B256};

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

pub(crate) use crate::display::{count, iso_time, tokens};

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

/// What every page header says about the chain.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChainMark {
    /// Chain id.
    pub(crate) chain_id: u64,
    /// Whether it is the devnet.
    pub(crate) devnet: bool,
    /// When the protocol is paused, the unix second its pause ends.
    pub(crate) paused_until: Option<u64>,
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

/// The pause banner: an empty `#banner` when the protocol is not paused (the live script
/// replaces it with the one of each fragment).
pub(crate) fn banner(chain: &ChainMark) -> String {
    match chain.paused_until {
        None => "<div id=\"banner\" class=\"banner\" role=\"status\"></div>".to_string(),
        Some(until) => format!(
            "<div id=\"banner\" class=\"banner\" role=\"status\"><strong>The protocol is paused \
             until {}.</strong> Transfers, mints, burns and vesting are refused until then; a \
             guardian or governance can end the pause earlier.</div>",
            time_tag(until)
        ),
    }
}

/// What a live page needs: the fragment to fetch on each block, and the height it shows.
#[derive(Clone, Debug)]
pub(crate) struct Live {
    /// Path of the fragment (built from literals and validated input).
    pub(crate) partial: String,
    /// Height of the block the page describes.
    pub(crate) height: u64,
}

/// A whole page: `title` names the page (and the tab), `body` is trusted HTML built by this
/// module's helpers. A `live` page wraps `body` in `#live` and gets the live-update script.
pub(crate) fn page(title: &str, chain: ChainMark, body: &str, live: Option<&Live>) -> String {
    let mut out = String::with_capacity(body.len() + STYLE.len() + SCRIPT.len() + 2048);
    let placeholder = if chain.devnet {
        "height, hash, address or demo name"
    } else {
        "block height, tx hash or address"
    };
    w!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Hoard {}</title><style>{STYLE}</style></head><body>\
         <header><a class=\"brand\" href=\"/\">Hoard</a>\
         <nav><a href=\"/\">Overview</a><a href=\"/blocks\">Blocks</a>\
         <a href=\"/txs\">Transactions</a><a href=\"/holders/icy\">ICY holders</a>\
         <a href=\"/holders/dfg\">DFG holders</a><a href=\"/pools\">Pools</a></nav>\
         <span class=\"chain{}\" id=\"chain\">{}</span>",
        esc(title),
        esc(&chain.label()),
        if chain.devnet { " devnet" } else { "" },
        esc(&chain.label()),
    );
    if let Some(live) = live {
        w!(
            out,
            "<span id=\"live-status\" class=\"live\">as of block {}; reload for news</span>",
            count(live.height)
        );
    }
    w!(
        out,
        "<form class=\"search\" method=\"get\" action=\"/search\" role=\"search\">\
         <input type=\"search\" name=\"q\" placeholder=\"{placeholder}\" \
         aria-label=\"Search\" maxlength=\"100\"><button type=\"submit\">Go</button></form>\
         </header>{}<main>",
        banner(&chain)
    );
    match live {
        Some(live) => {
            w!(
                out,
                "<div id=\"live\" data-partial=\"{}\" data-height=\"{}\">{body}</div>",
                esc(&live.partial),
                live.height
            );
        }
        None => out.push_str(body),
    }
    out.push_str(
        "</main><footer>Hoard node dashboard · times are UTC (ISO 8601) · amounts in whole \
         tokens, exact (18 decimals)</footer>",
    );
    if live.is_some() {
        w!(out, "<script>{SCRIPT}</script>");
    }
    out.push_str("</body></html>\n");
    out
}

/// A live page's fragment: its pause banner and its body (what the script swaps in).
pub(crate) fn fragment(chain: &ChainMark, body: &str) -> String {
    format!("{}{body}", banner(chain))
}

/// A table that turns into stacked `label: value` rows on narrow screens: every cell carries
/// its column's label in `data-label`. `columns` are (label, numeric); cells are trusted HTML.
pub(crate) fn table(
    id: &str,
    columns: &[(&str, bool)],
    rows: &[Vec<String>],
    empty: &str,
) -> String {
    let mut out =
        format!("<div class=\"scroll\"><table id=\"{}\" class=\"rows\"><thead><tr>", esc(id));
    for (label, num) in columns {
        w!(out, "<th{}>{}</th>", if *num { " class=\"num\"" } else { "" }, esc(label));
    }
    out.push_str("</tr></thead><tbody>");
    if rows.is_empty() {
        w!(
            out,
            "<tr><td colspan=\"{}\" class=\"muted empty\">{}</td></tr>",
            columns.len(),
            esc(empty)
        );
    }
    for row in rows {
        out.push_str("<tr>");
        for ((label, num), cell) in columns.iter().zip(row) {
            w!(
                out,
                "<td data-label=\"{}\"{}>{cell}</td>",
                esc(label),
                if *num { " class=\"num\"" } else { "" }
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    out
}

/// Links to other pages of a list (`(text, href, rel)`), trusted hrefs.
pub(crate) fn pager(links: &[(String, String, &str)]) -> String {
    let mut out = String::from("<nav class=\"pager\" aria-label=\"pages\">");
    for (text, href, rel) in links {
        w!(out, "<a href=\"{}\" rel=\"{}\">{}</a>", esc(href), esc(rel), esc(text));
    }
    out.push_str("</nav>");
    out
}

/// The stylesheet (light and dark). Below 760 px (phones), tables of class `rows` stack each
/// row's cells as `label: value` lines, the label coming from the cell's `data-label`.
const STYLE: &str = r#"
:root{--bg:#f5f6f8;--fg:#18202b;--muted:#5b6778;--card:#fff;--line:#e1e5eb;--accent:#1f56c3;
--ok:#17763f;--bad:#b3261e;--tag:#eef2f8;--warn-bg:#fff2cc;--warn-fg:#6b4a00;--bar:#1f56c3;
--burn:#c2410c}
@media (prefers-color-scheme:dark){:root{--bg:#10141a;--fg:#e4e8ee;--muted:#97a3b3;--card:#171d25;
--line:#29313d;--accent:#7ea8ff;--ok:#5cc98a;--bad:#ff8a80;--tag:#222b37;--warn-bg:#3b2f0c;
--warn-fg:#ffd479;--bar:#7ea8ff;--burn:#fb923c}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
background:var(--bg);color:var(--fg)}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
header{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center;padding:.65rem 1.5rem;
background:var(--card);border-bottom:1px solid var(--line)}
header .brand{font-weight:700;font-size:1.15rem;color:var(--fg)}
header nav{display:flex;flex-wrap:wrap;gap:.2rem .9rem}
.chain{border-radius:999px;padding:.1rem .65rem;font-size:.8rem;font-weight:600;background:var(--tag)}
.chain.devnet{background:var(--warn-bg);color:var(--warn-fg)}
.search{margin-left:auto;display:flex;gap:.3rem;max-width:100%}
.search input{width:22rem;max-width:60vw;min-width:0;padding:.3rem .5rem;border:1px solid var(--line);
border-radius:6px;background:var(--bg);color:var(--fg)}
.search button{padding:.3rem .7rem;border:1px solid var(--line);border-radius:6px;
background:var(--tag);color:var(--fg);cursor:pointer}
.banner{background:var(--warn-bg);color:var(--warn-fg);border-bottom:1px solid var(--line);
padding:.6rem 1.5rem}
.banner:empty{display:none}
main{max-width:1240px;margin:0 auto;padding:.5rem 1.5rem 2.5rem}
h1{font-size:1.45rem;margin:.9rem 0 .8rem;display:flex;align-items:baseline;gap:.8rem;flex-wrap:wrap;
overflow-wrap:anywhere}
h1 .sub{font-size:.95rem;font-weight:400;color:var(--muted)}
h2{font-size:1.02rem;margin:1.4rem 0 .5rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:.7rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.6rem .85rem}
.card .label{color:var(--muted);font-size:.76rem;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:1.12rem;font-weight:600;font-variant-numeric:tabular-nums;
overflow-wrap:anywhere}
.card .unit{font-size:.8rem;color:var(--muted);font-weight:500}
.card .note{font-size:.82rem;color:var(--muted);margin-top:.1rem;overflow-wrap:anywhere}
.scroll{overflow-x:auto}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);
border-radius:8px}
th,td{padding:.38rem .6rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
tr:last-child td{border-bottom:0}
th{color:var(--muted);font-weight:600;font-size:.74rem;text-transform:uppercase;letter-spacing:.04em}
td .mono,td time{white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums}
td.num{overflow-wrap:anywhere}
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
details summary{cursor:pointer;color:var(--muted);margin:.4rem 0}
.live{font-size:.8rem;font-weight:500;color:var(--muted)}
.live.on::before{content:"\25CF  ";color:var(--ok)}
.pager{margin:.9rem 0;display:flex;flex-wrap:wrap;gap:.5rem 1rem}
.error{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--bad);
border-radius:8px;padding:.8rem 1rem}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:.7rem}
figure.chart{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;
padding:.6rem .8rem;min-width:0}
figure.chart figcaption{font-size:.85rem;margin-bottom:.3rem;overflow-wrap:anywhere}
figure.chart svg{display:block;width:100%;height:auto}
#chart-liquidity{max-width:540px}
svg .axis{stroke:var(--line);stroke-width:1}
svg .label{fill:var(--muted);font-size:11px}
svg .bar{fill:var(--bar)}svg .bar.burn{fill:var(--burn)}
svg .line{fill:none;stroke:var(--bar);stroke-width:2}svg .dot{fill:var(--bar)}
svg .now{stroke:var(--burn);stroke-width:2;stroke-dasharray:4 3}
footer{max-width:1240px;margin:0 auto;padding:0 1.5rem 2rem;color:var(--muted);font-size:.8rem}
@media (max-width:760px){
header,.banner{padding:.6rem 1rem}main{padding:.5rem 1rem 2rem}footer{padding:0 1rem 2rem}
.search{margin-left:0;width:100%}.search input{flex:1;width:auto;max-width:none}
dl.kv{grid-template-columns:minmax(0,1fr);gap:.1rem}dl.kv dd{margin-bottom:.45rem}
table.rows,table.rows tbody,table.rows tr,table.rows td{display:block;width:100%}
table.rows thead{display:none}
table.rows tr{border-bottom:1px solid var(--line);padding:.35rem 0}
table.rows tr:last-child{border-bottom:0}
table.rows td{display:flow-root;border:0;padding:.12rem .7rem .12rem 8.4rem;text-align:left;
overflow-wrap:anywhere;min-height:1.6rem}
table.rows td::before{content:attr(data-label);float:left;width:7.3rem;margin-left:-7.7rem;
color:var(--muted);font-size:.72rem;font-weight:600;text-transform:uppercase;letter-spacing:.03em;
padding-top:.15rem;overflow-wrap:normal}
table.rows td.empty{padding-left:.7rem}table.rows td.empty::before{content:none}
}
"#;

/// The live-update script. A live page's `#live` names its fragment in `data-partial` and the
/// height it shows in `data-height`; the script follows `/v1/stream` from the block after that
/// one (so a block committed while the page loaded is not missed, and nothing is fetched
/// before there is news), and on each `block` event (or every second when the stream is
/// unavailable, or without EventSource) fetches the fragment and swaps it in: the pause banner
/// replaces `#banner`, the rest the content of `#live`. Leaving the page closes the stream
/// (Chromium keeps left pages, and their open streams, in its back-forward cache, and allows
/// six connections per host). A fragment that is not 200 (a transaction not
/// yet committed) leaves the page as it is. Fetches never overlap; a burst of blocks costs one
/// extra fetch.
const SCRIPT: &str = r#"
(function(){
  var live=document.getElementById('live'),status=document.getElementById('live-status');
  if(!live||!window.fetch||!live.dataset.partial)return;
  var url=live.dataset.partial,shown=parseInt(live.dataset.height||'0',10),busy=false,again=false,timer=null;
  function mark(text){if(status){status.textContent=text;status.className='live on';}}
  function swap(html){
    var t=document.createElement('template');t.innerHTML=html;
    var nb=t.content.getElementById('banner'),ob=document.getElementById('banner');
    if(nb){if(ob){ob.replaceWith(nb);}else{nb.remove();}}
    live.replaceChildren(t.content);
  }
  function refresh(){
    if(busy){again=true;return;}
    busy=true;
    fetch(url,{cache:'no-store'}).then(function(r){
      if(!r.ok)throw new Error('status '+r.status);return r.text();
    }).then(swap).catch(function(){}).then(function(){
      busy=false;if(again){again=false;refresh();}
    });
  }
  function poll(){if(!timer){timer=setInterval(refresh,1000);mark('live (polling every second)');}}
  if(!window.EventSource){poll();return;}
  var es=new EventSource('/v1/stream?from_height='+(shown+1));
  es.addEventListener('block',refresh);
  es.addEventListener('lagged',refresh);
  es.onopen=function(){if(timer){clearInterval(timer);timer=null;}mark('live');};
  es.onerror=function(){poll();};
  window.addEventListener('pagehide',function(){es.close();if(timer){clearInterval(timer);}});
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
    fn the_stylesheet_stacks_tables_below_the_narrow_width() {
        // Phone-sized screens (up to 760 px) stack the cells as `label: value` rows.
        assert!(STYLE.contains("@media (max-width:760px){"));
        assert!(STYLE.contains("content:attr(data-label)"));
    }

    fn mark(devnet: bool, paused_until: Option<u64>) -> ChainMark {
        ChainMark { chain_id: if devnet { 31337 } else { 7 }, devnet, paused_until }
    }

    #[test]
    fn pages_mark_the_chain_and_escape_the_title() {
        let devnet = page("<x>", mark(true, None), "<p>b</p>", None);
        assert!(devnet.contains("<title>&lt;x&gt; · Hoard devnet · chain 31337</title>"));
        assert!(devnet.contains("class=\"chain devnet\""));
        assert!(devnet.contains("<main><p>b</p></main>") && !devnet.contains("<script>"));
        assert!(devnet.contains("demo name"));
        let live = Live { partial: "/partials/overview".into(), height: 1_234 };
        let other = page("Overview", mark(false, None), "<p>b</p>", Some(&live));
        assert!(other.contains("<span class=\"chain\" id=\"chain\">chain 7</span>"));
        assert!(!other.contains("Hoard devnet") && !other.contains("demo name"));
        assert!(other.contains(
            "<div id=\"live\" data-partial=\"/partials/overview\" data-height=\"1234\"><p>b</p></div>"
        ));
        assert!(other.contains("as of block 1,234; reload for news"));
        assert!(other.contains("<script>"));
    }

    #[test]
    fn a_paused_chain_gets_a_banner_with_the_end_time() {
        let paused = page("x", mark(false, Some(1_700_000_000)), "", None);
        assert!(
            paused
                .contains("The protocol is paused until <time datetime=\"2023-11-14T22:13:20Z\">")
        );
        let running = page("x", mark(false, None), "", None);
        assert!(running.contains("<div id=\"banner\" class=\"banner\" role=\"status\"></div>"));
        assert!(!running.contains("paused"));
        assert!(fragment(&mark(false, Some(0)), "<p>b</p>").ends_with("</div><p>b</p>"));
    }

    #[test]
    fn table_cells_carry_their_column_label() {
        let rows = vec![vec!["1".to_string(), "<b>x</b>".to_string()]];
        let html = table("t", &[("Height", true), ("A<b>", false)], &rows, "none");
        assert!(html.contains("<td data-label=\"Height\" class=\"num\">1</td>"), "{html}");
        assert!(html.contains("<td data-label=\"A&lt;b&gt;\"><b>x</b></td>"), "{html}");
        let empty = table("t", &[("Height", true)], &[], "No <rows>");
        assert!(empty.contains("colspan=\"1\" class=\"muted empty\">No &lt;rows&gt;</td>"));
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
