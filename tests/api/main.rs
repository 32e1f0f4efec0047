//! The end-to-end tests, in one binary (the crate is linked once, not once
//! a file): the real server on a random port, or the `sepakat` binary,
//! over a fresh database per test, SQLite and PostgreSQL (`helpers`).
//!
//! The tests run on parallel threads of one process: none of them sets an
//! environment variable or relies on state of the process; each passes
//! what it configures to its server or its child process.

mod helpers;
mod routes;
mod s3;
mod smtp;

mod auth;
mod browser;
mod cli;
mod documents;
mod drafting;
mod feed;
mod input;
mod instances;
mod matrix;
mod obligations;
mod openapi;
mod portal;
mod registry;
mod reminders;
mod web_admin;
mod web_agreement;
mod web_drafting;
mod web_lists;
