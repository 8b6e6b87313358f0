//! Release policies: the Flux v1 annotations on workloads (read into a [`Policy`], written from
//! a [`PolicyChange`]).

pub(crate) mod annotations;
mod constraint;
mod filter;
pub(crate) mod image_info;
mod keel;
mod order;
mod select;
mod version;

pub use annotations::{Ignore, Policy, PolicyChange};
pub use constraint::{Constraint, MAX_COMPARATORS};
pub use filter::{FilterKind, MAX_FILTER_LEN, MAX_REGEX_SIZE, TagFilter};
pub use image_info::ImageInfo;
pub(crate) use image_info::parse_time;
pub(crate) use keel::{Keel, Rule as KeelRule, SlotRule};
pub use order::TagOrder;
pub(crate) use select::choose_index;
pub use select::{CLOCK_SKEW, MAX_REJECTIONS, RejectReason, Rejection, Selection, choose, compare, select};
pub use version::{VersionMode, parse_version};
