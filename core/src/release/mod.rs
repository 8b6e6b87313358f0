//! Releases: what the registry offers ([`Catalog`]), what the repo holds ([`Snapshot`]), and
//! the planner that decides which pointers move.

mod catalog;

pub use catalog::{Catalog, ImageInfo};
#[allow(unused_imports)]
pub(crate) use catalog::parse_time;
