//! Visit statistics (访问统计) from the shared counter's aggregates: one site's report, the
//! group's ranking and the sites gone quiet, for the JSON API, the admin pages and CSV.
//!
//! - `period`: the `from`/`to`/`granularity` of a request, its defaults and bounds.
//! - `report`: the figures, shaped once.
//! - `chart`: server-side SVG charts.

pub mod chart;
pub mod period;
pub mod report;

pub use period::{Granularity, Period, PeriodError, PeriodQuery};
pub use report::{quiet_sites, ranking, site_report, ColumnRef, Quiet, Ranking, SiteRef, SiteReport};
