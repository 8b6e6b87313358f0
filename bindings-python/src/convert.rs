//! Conversions shared by the modules: time arguments, enum names, `repr` and hashing helpers.

use std::hash::{Hash, Hasher};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyType};
use serde::Serialize;

static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static EPOCH: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A time argument (`created`, `now`, a lock's `until`): an RFC 3339 string or an aware
/// `datetime.datetime`. A naive datetime or text that is not RFC 3339 is a `ValueError`;
/// anything else a `TypeError`. `what` names the argument in messages.
pub(crate) fn timestamp(value: &Bound<'_, PyAny>, what: &str) -> PyResult<jiff::Timestamp> {
    let py = value.py();
    if let Ok(text) = value.cast::<PyString>() {
        let text = text.to_cow()?;
        return text.parse::<jiff::Timestamp>().map_err(|e| {
            PyValueError::new_err(format!("{what}: `{text}` is not an RFC 3339 timestamp ({e})"))
        });
    }
    let datetime = DATETIME.import(py, "datetime", "datetime")?;
    if !value.is_instance(datetime)? {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected an RFC 3339 string or an aware datetime, got {}",
            value.get_type().name()?
        )));
    }
    if value.call_method0("utcoffset")?.is_none() {
        return Err(PyValueError::new_err(format!(
            "{what}: a naive datetime has no time zone; give an aware one (tzinfo set) or an RFC 3339 string"
        )));
    }
    // Exact to the microsecond: the distance from the Unix epoch as a timedelta.
    let epoch = EPOCH.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        let module = py.import("datetime")?;
        let utc = module.getattr("timezone")?.getattr("utc")?;
        Ok(datetime.call1((1970, 1, 1, 0, 0, 0, 0, utc))?.unbind())
    })?;
    let delta = value.call_method1("__sub__", (epoch.bind(py),))?;
    let days: i64 = delta.getattr("days")?.extract()?;
    let seconds: i64 = delta.getattr("seconds")?.extract()?;
    let micros: i32 = delta.getattr("microseconds")?.extract()?;
    jiff::Timestamp::new(days * 86_400 + seconds, micros * 1_000)
        .map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
}

/// An optional time argument; `None` stays `None`.
pub(crate) fn optional_timestamp(
    value: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Option<jiff::Timestamp>> {
    match value {
        Some(v) if !v.is_none() => timestamp(v, what).map(Some),
        _ => Ok(None),
    }
}

/// The serialised name of a unit enum variant (`SlotKind::InitContainer` -> `init_container`).
pub(crate) fn name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(e) => format!("<{e}>"),
    }
}

/// Python's `repr()` of a string.
pub(crate) fn repr_str(py: Python<'_>, s: &str) -> String {
    PyString::new(py, s)
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| format!("{s:?}"))
}

/// Python's `repr()` of an optional string (`None` or `'text'`).
pub(crate) fn repr_opt(py: Python<'_>, s: Option<&str>) -> String {
    s.map_or_else(|| "None".to_string(), |s| repr_str(py, s))
}

/// Python's `repr()` of a list of strings.
pub(crate) fn repr_list(py: Python<'_>, items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| repr_str(py, s)).collect();
    format!("[{}]", inner.join(", "))
}

/// `True` / `False`.
pub(crate) fn repr_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// Feed the serialised form of `value` to `state`: equal values (by `PartialEq` of relman's
/// types, whose serialisation is deterministic) hash alike.
pub(crate) fn hash_serialized<T: Serialize, H: Hasher>(value: &T, state: &mut H) {
    serde_json::to_string(value).unwrap_or_default().hash(state);
}

/// Declare a frozen wrapper class over a relman value, compared and hashed by value.
macro_rules! wrapper {
    ($(#[$meta:meta])* $py_name:literal, $rust:ident, $inner:ty) => {
        $(#[$meta])*
        #[pyclass(frozen, eq, hash, module = "relman", name = $py_name)]
        #[derive(PartialEq)]
        pub struct $rust {
            pub(crate) inner: $inner,
        }

        impl std::hash::Hash for $rust {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                $crate::convert::hash_serialized(&self.inner, state);
            }
        }

        impl From<$inner> for $rust {
            fn from(inner: $inner) -> Self {
                $rust { inner }
            }
        }
    };
}
pub(crate) use wrapper;

/// The strings of an iterable argument (a list, tuple, set...). A single `str` is refused:
/// iterating it would give its characters.
pub(crate) fn strings(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    if value.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected an iterable of strings, not a single string"
        )));
    }
    value.try_iter()?.map(|item| item?.extract::<String>()).collect()
}
