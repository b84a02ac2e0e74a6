//! End-to-end tests of hoard-webdriver against a tiny HTTP server started here on 127.0.0.1.
//! Each test that needs a browser prints "skipped: chromium/chromedriver not installed" and
//! passes when chromium or chromedriver is missing.

// Helpers outside `#[test]` functions panic on purpose: a panic is a test failure.
#![allow(clippy::unwrap_used)]

mod server;

use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use hoard_webdriver::{Browser, Config, Error, available};
use serde_json::json;

fn skip() -> bool {
    if available() {
        return false;
    }
    // Written to the stderr handle, which libtest does not capture, so a skip is always visible.
    let _ = std::io::Write::write_fmt(
        &mut std::io::stderr(),
        format_args!(
            "skipped: {}: chromium/chromedriver not installed\n",
            std::thread::current().name().unwrap_or("a test")
        ),
    );
    true
}

#[test]
fn drives_a_page_end_to_end() {
    if skip() {
        return;
    }
    let server = server::start();
    let browser = Browser::launch().unwrap();
    let url = server.url("/");
    browser.navigate(&url).unwrap();

    assert_eq!(browser.current_url().unwrap(), url);
    assert_eq!(browser.title().unwrap(), "Hoard WebDriver test");

    // The script changes the greeting 300 ms after load: wait for it.
    let greeting = browser
        .wait_until(Duration::from_secs(10), |b| {
            let text = b.find("#greeting")?.text()?;
            Ok((text != "loading").then_some(text))
        })
        .unwrap();
    assert_eq!(greeting, "ready");

    let items: Vec<String> =
        browser.find_all("ul.items > li").unwrap().iter().map(|e| e.text().unwrap()).collect();
    assert_eq!(items, ["one", "two", "three"]);
    assert!(browser.find_all(".nothing-matches").unwrap().is_empty());

    let button = browser.find("#counter-button").unwrap();
    assert_eq!(button.attribute("data-role").unwrap().as_deref(), Some("counter"));
    assert_eq!(button.attribute("data-absent").unwrap(), None);
    button.click().unwrap();
    button.click().unwrap();
    assert_eq!(browser.find("#count").unwrap().text().unwrap(), "2");

    let sum = browser
        .execute("return arguments[0] + document.querySelectorAll('li').length;", &[json!(10)])
        .unwrap();
    assert_eq!(sum, json!(13));
    let tag = browser
        .execute("return arguments[0].tagName;", &[browser.find("#count").unwrap().to_json()])
        .unwrap();
    assert_eq!(tag, json!("DIV"));
    let thrown = browser.execute("throw new Error('boom');", &[]).unwrap_err();
    assert!(matches!(&thrown, Error::Command { error, .. } if error == "javascript error"));

    let source = browser.page_source().unwrap();
    assert!(source.contains("id=\"counter-button\""), "{source}");

    let png = browser.screenshot_png().unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG: {:?}", &png[..png.len().min(8)]);
    assert!(png.len() > 1000, "a 1280x800 page is more than {} bytes", png.len());

    let missing = browser.find("#does-not-exist").unwrap_err();
    assert!(missing.is_no_such_element(), "{missing:?}");
    assert_eq!(missing.code(), "WEBDRIVER_COMMAND");

    let start = Instant::now();
    let never = browser
        .wait_until(Duration::from_millis(300), |b| {
            // A transient error (no such element) is "not yet", not a failure.
            b.find("#never-appears").map(|_| Some(()))
        })
        .unwrap_err();
    assert!(matches!(never, Error::WaitTimeout { .. }), "{never:?}");
    assert!(start.elapsed() >= Duration::from_millis(300));

    // The served page was fetched by the browser, not by us.
    assert!(server.requests() >= 1);
}

#[test]
fn drop_ends_chromedriver() {
    if skip() {
        return;
    }
    let browser = Browser::launch().unwrap();
    let port = browser.driver_port();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
    drop(browser);
    // chromedriver is gone: its port no longer accepts connections.
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(Instant::now() < deadline, "chromedriver still listens on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn missing_programs_are_reported_not_started() {
    let mut config = Config::from_env();
    config.chromedriver = PathBuf::from("/nonexistent/chromedriver");
    assert!(!config.available());
    let e = Browser::launch_with(config.clone()).unwrap_err();
    assert_eq!(e.code(), "WEBDRIVER_NOT_INSTALLED");
    assert!(e.to_string().contains("HOARD_CHROMEDRIVER"), "{e}");

    config.chromium = PathBuf::from("/nonexistent/chromium");
    let e = Browser::launch_with(config).unwrap_err();
    assert!(matches!(e, Error::NotInstalled { what: "chromium", .. }), "{e:?}");
}
