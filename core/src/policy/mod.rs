//! Release policies: the Flux v1 annotations on workloads (read into a [`Policy`], written from
//! a [`PolicyChange`]).

pub(crate) mod annotations;

pub use annotations::{Ignore, Policy, PolicyChange};
