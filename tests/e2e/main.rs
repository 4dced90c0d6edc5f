//! End-to-end tests, one binary (one link step). Every scenario that touches storage runs
//! on the database named by `XIAOHAO_TEST_DATABASE_URL` (PostgreSQL: a fresh database per
//! test, dropped afterwards), or on a fresh SQLite file when it is unset. `.ci/run` runs
//! the suite once for each.

mod support;

mod accounts;
mod attachments;
mod browser;
mod browser_accounts;
mod browser_attachments;
mod browser_extension;
mod browser_robots;
mod browser_workbench;
mod bulletin;
mod cli;
mod concurrency;
mod drills;
mod extension;
mod hardening;
mod import_export;
mod instruction;
mod ladder;
mod ledger_sort;
mod ledger_web;
mod ledger_workbench;
mod lifecycle_http;
mod mail;
mod multi_instance;
mod openapi;
mod orders;
mod permissions;
mod plan_web;
mod policy;
mod progress;
mod recon;
mod report;
mod robot_sink;
mod robots;
mod scheduler;
mod scope;
mod score;
mod served;
mod smtp;
mod store_story;
mod units;
mod workbench;
mod writer;
