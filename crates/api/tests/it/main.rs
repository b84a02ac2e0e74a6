//! API integration tests: the JSON API in-process and over real HTTP, the server under hostile
//! clients, server-sent events, and the dashboard in headless Chromium.

mod browser;
mod commands;
mod dashboard;
mod errors;
mod hostile;
mod openapi;
mod pages;
mod pools;
mod server;
mod sse;
mod support;
mod v1;
