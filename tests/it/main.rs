//! Whole flows: a site group checked, imported, built, swapped and served through nginx.
//! One test binary so that the suite links once; shared fixtures live in `common`.

mod admin;
mod admin_fixture;
mod audit;
mod backup;
mod build;
mod check;
mod cli;
mod columns;
mod common;
mod counter;
mod e2e;
mod hardening;
mod import;
mod layering;
mod load;
mod mailboxes;
mod messages;
mod metrics;
mod migrations;
mod nginx;
mod nodes;
mod notices;
mod own_folders;
mod page_codes;
mod prepublish;
mod publishing;
mod references;
mod search;
mod stats;
mod submissions;
mod upgrade;
mod workflow;
