//! zhanqun (站群): one service that holds a government site group's content in one database,
//! enforces the group's rules, and publishes every site as static HTML for nginx.
//!
//! Data flows one way: `group` (sites/*.yaml) + `store` (database) → `publish::plan` →
//! `publish::render` (rayon) → `publish::output` (atomic swap into publish/).

pub mod audit;
pub mod auth;
pub mod backup;
pub mod bench;
pub mod clock;
pub mod columns;
pub mod content;
pub mod counter;
pub mod csv;
pub mod demo;
pub mod group;
pub mod hex;
pub mod html;
pub mod interaction;
pub mod mail;
pub mod metrics;
pub mod project;
pub mod publish;
pub mod search;
pub mod service;
pub mod stats;
pub mod store;
pub mod theme;
pub mod web;
pub mod workflow;
