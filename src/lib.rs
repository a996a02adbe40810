//! zhanqun (站群): one service that holds a government site group's content in one database,
//! enforces the group's rules, and publishes every site as static HTML for nginx.
//!
//! Data flows one way: `group` (sites/*.yaml) + `store` (database) → `publish::plan` →
//! `publish::render` (rayon) → `publish::output` (atomic swap into publish/).

pub mod audit;
pub mod auth;
pub mod bench;
pub mod bench_audit;
pub mod bench_hits;
pub mod bench_publish;
pub mod bench_search;
pub mod clock;
pub mod content;
pub mod counter;
pub mod csv;
pub mod demo;
pub mod group;
pub mod html;
pub mod interaction;
pub mod mail;
pub mod project;
pub mod publish;
pub mod search;
pub mod seed;
pub mod stats;
pub mod store;
pub mod theme;
pub mod web;
