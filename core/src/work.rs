//! Counters of the work a plan does, per thread, for tests that bound that work without
//! timing it (DESIGN.md section 15: planning linear in environments; section 8: a filter
//! compiled once per plan). Read through `relman::release::planning_work`.

use std::cell::Cell;

/// Work done on this thread since it started.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanningWork {
    /// Environment walks (the files an environment reads, worked out from its paths).
    pub walks: u64,
    /// Files looked at: listed under an environment path, read as kustomizations, parsed as
    /// manifests of a model.
    pub files_visited: u64,
    /// Environment models built (parsed, scanned and placed).
    pub models: u64,
    /// Tag filters parsed and compiled (`TagFilter::parse`, wherever it is called).
    pub filters_compiled: u64,
}

thread_local! {
    static WORK: Cell<PlanningWork> = const {
        Cell::new(PlanningWork { walks: 0, files_visited: 0, models: 0, filters_compiled: 0 })
    };
}

/// Add to this thread's counters.
pub(crate) fn count(f: impl FnOnce(&mut PlanningWork)) {
    WORK.with(|cell| {
        let mut work = cell.get();
        f(&mut work);
        cell.set(work);
    });
}

/// This thread's counters (see [`PlanningWork`]).
#[doc(hidden)]
pub fn planning_work() -> PlanningWork {
    WORK.with(Cell::get)
}
