//! HTTP integration tests of `efa serve`: the real binary on 127.0.0.1,
//! against SQLite (always) and PostgreSQL (when `EFA_TEST_POSTGRES_URL` is
//! set; `scripts/test-serve.sh` starts a throwaway server for that).

mod api;
mod common;
mod concurrency;
mod crash;
mod lifecycle;
mod tamper;
