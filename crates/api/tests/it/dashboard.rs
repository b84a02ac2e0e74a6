//! Dashboard tests (in headless Chromium).
