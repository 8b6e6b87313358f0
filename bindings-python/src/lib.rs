//! The Python binding of relman: the native module `relman._native`, wrapped by the curated
//! package `relman` (`python/relman/__init__.py`) and typed by `python/relman/_native.pyi`.
//!
//! The binding converts types and maps errors, nothing more: every behaviour lives in the
//! core crate, so the Rust, Python and Node surfaces cannot disagree. Its modules mirror
//! core's: `image`, `manifest`, `policy`, `config`, `release` (and `git`, `registry`), plus `error` (the
//! exception mapping) and `convert` (the `record!` declaration of result classes and the
//! argument helpers).
//!
//! Result objects are frozen classes declared with `record!`: their properties hold
//! Python-ready values filled from the core value by one conversion; they are compared and
//! hashed by value, with a `repr` generated from the declared fields. Wire strings (codes,
//! statuses, reasons, kinds) are core's (`relman::wire`), exposed by [`vocabularies`] for the
//! tests that check the package against them.

use pyo3::prelude::*;
use pyo3::types::PyDict;

mod config;
mod convert;
mod error;
mod git;
mod image;
mod manifest;
mod policy;
mod registry;
mod release;

/// Every wire vocabulary of core (``relman::wire::vocabularies``): its name (``"ErrorKind"``,
/// ``"Reason"``...) to its strings, in declaration order. The tests check the exception table
/// and the ``Literal`` types of the stubs against it.
#[pyfunction]
fn vocabularies(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    for (name, codes) in relman::wire::vocabularies() {
        dict.set_item(name, codes)?;
    }
    Ok(dict)
}

/// Run the ``relman`` command with ``argv`` (the program name first) and return its exit code:
/// the same Rust code as ``cargo install --path cli`` (``relman_cli::run``), with the GIL
/// released. Output goes to the process's standard output and error. The ``relman`` console
/// script and ``python -m relman`` call it.
#[pyfunction]
fn main(py: Python<'_>, argv: Vec<String>) -> i32 {
    py.detach(|| relman_cli::run(argv))
}

/// The native part of the ``relman`` package. Import ``relman`` rather than this module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(vocabularies, m)?)?;
    m.add_function(wrap_pyfunction!(main, m)?)?;

    m.add_class::<image::PyImageRef>()?;

    m.add_class::<manifest::PyImageSlot>()?;
    m.add_function(wrap_pyfunction!(manifest::list_images, m)?)?;
    m.add_function(wrap_pyfunction!(manifest::set_image, m)?)?;
    m.add_function(wrap_pyfunction!(manifest::update_policy, m)?)?;
    m.add_function(wrap_pyfunction!(manifest::read_policy, m)?)?;

    m.add_class::<policy::PyPolicy>()?;
    m.add_class::<policy::PyTagFilter>()?;
    m.add_class::<policy::PyRejection>()?;
    m.add_class::<policy::PySelection>()?;
    m.add_function(wrap_pyfunction!(policy::select, m)?)?;
    m.add_function(wrap_pyfunction!(policy::compare, m)?)?;
    m.add_function(wrap_pyfunction!(policy::parse_version, m)?)?;

    m.add_class::<config::PyConfig>()?;
    m.add_class::<config::PyEnvironment>()?;
    m.add_class::<config::PyEnvironmentLock>()?;
    m.add_class::<config::PyService>()?;
    m.add_function(wrap_pyfunction!(config::lock_environment, m)?)?;
    m.add_function(wrap_pyfunction!(config::unlock_environment, m)?)?;

    m.add_class::<release::PySnapshot>()?;
    m.add_class::<release::PyImageInfo>()?;
    m.add_class::<release::PyCatalog>()?;
    m.add_class::<release::PyContainerUpdate>()?;
    m.add_class::<release::PyContainerSkip>()?;
    m.add_class::<release::PyWorkloadResult>()?;
    m.add_class::<release::PyFileChange>()?;
    m.add_class::<release::PyReleasePlan>()?;
    m.add_class::<release::PyRecordedChange>()?;
    m.add_class::<release::PyReleaseRecord>()?;
    m.add_class::<release::PyPointerMove>()?;
    m.add_class::<release::PyHistory>()?;
    m.add_function(wrap_pyfunction!(release::plan_release, m)?)?;
    m.add_function(wrap_pyfunction!(release::plan_automation, m)?)?;
    m.add_class::<release::PyDriftEntry>()?;
    m.add_class::<release::PyDriftReport>()?;
    m.add_function(wrap_pyfunction!(release::drift, m)?)?;

    m.add_class::<git::PyRepository>()?;
    m.add_class::<registry::PyRegistry>()?;
    Ok(())
}
