//! API integration tests: the JSON API in-process and over real HTTP, and the dashboard in
//! headless Chromium.

mod dashboard;
mod support;
mod v1;
