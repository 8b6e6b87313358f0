//! Errors: a [`relman::Error`] becomes an instance of the `relman.RelmanError` subclass that
//! its code names. The classes and the code-to-class table live in `relman/_errors.py`; this
//! module only carries the fields over.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// `relman._errors._from_native`, looked up once.
static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python exception for a relman error: `code`, `message`, `path`, `line`, `column` and,
/// for a `conflict`, `actual_head`; `str()` of it is the error's display form.
pub(crate) fn to_py(err: relman::Error) -> PyErr {
    Python::attach(|py| {
        let build = || -> PyResult<PyErr> {
            let from_native = FROM_NATIVE.import(py, "relman._errors", "_from_native")?;
            let value = from_native.call1((
                err.code(),
                err.message(),
                err.to_string(),
                err.path(),
                err.line(),
                err.column(),
                err.actual_head(),
            ))?;
            Ok(PyErr::from_value(value))
        };
        build().unwrap_or_else(|e| e)
    })
}

/// `Result<T, relman::Error>` into `PyResult<T>`.
pub(crate) trait IntoPyResult<T> {
    /// Map the error to its Python exception.
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for relman::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}
