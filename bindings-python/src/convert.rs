//! What every module shares: [`record!`], the one declaration of a frozen result class (its
//! fields, getters, equality, hash and `repr` come from one field list filled by one
//! conversion), Python `repr`s, and the argument helpers that hand texts, times and lists to
//! core's rules (`relman::arguments`).

use pyo3::IntoPyObjectExt;
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyString, PyType};

use crate::error::IntoPyResult;

/// Declare a frozen result class: `"Name" PyName from v: CoreType { field: Type = expr, .. }`.
/// Each field is a read-only property (its doc comment is the property's docstring) holding
/// a Python-ready value computed from `v` when the object is made. `, keep inner` also keeps
/// the core value, for methods that need it. Equality is by value (every field and the core
/// value), the hash covers the fields, and `repr` reads `Name(field=repr(value), ...)` unless
/// a `repr(this, py) { .. }` block gives a summary. `methods { .. }` adds Python methods.
macro_rules! record {
    (
        $(#[$meta:meta])*
        $py:literal $name:ident from $v:ident : $core:ty $(, keep $inner:ident)? {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $conv:expr, )*
        }
        $( repr($slf:ident, $pyv:ident) $repr:block )?
        $( methods { $($methods:tt)* } )?
    ) => {
        $(#[$meta])*
        #[pyo3::pyclass(frozen, eq, hash, module = "relman", name = $py)]
        #[derive(Clone, PartialEq)]
        pub struct $name {
            $( $(#[$fmeta])* #[pyo3(get)] pub(crate) $field: $ty, )*
            $( pub(crate) $inner: $core, )?
        }

        impl From<$core> for $name {
            #[allow(unused_variables)]
            fn from(value: $core) -> Self {
                let $v = &value;
                $( let $field: $ty = $conv; )*
                $name { $($field,)* $( $inner: value, )? }
            }
        }

        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                $( std::hash::Hash::hash(&self.$field, state); )*
            }
        }

        #[pyo3::pymethods]
        impl $name {
            fn __repr__(slf: &pyo3::Bound<'_, Self>) -> pyo3::PyResult<String> {
                $( let ($slf, $pyv) = (slf.get(), slf.py()); let text: String = $repr; return Ok(text); )?
                #[allow(unreachable_code)]
                $crate::convert::record_repr(slf.as_any(), $py, &[$(stringify!($field)),*])
            }
            $( $($methods)* )?
        }
    };
}
pub(crate) use record;

/// `Name(field=repr(value), ...)` from the named attributes of `obj`.
pub(crate) fn record_repr(obj: &Bound<'_, PyAny>, name: &str, fields: &[&str]) -> PyResult<String> {
    let parts = fields
        .iter()
        .map(|field| Ok(format!("{field}={}", obj.getattr(*field)?.repr()?)))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(format!("{name}({})", parts.join(", ")))
}

/// Python's `repr()` of a value as Python sees it (`'text'`, `None`, `True`, `['a']`).
pub(crate) fn repr<'py, T: IntoPyObject<'py>>(py: Python<'py>, value: T) -> String {
    value
        .into_bound_py_any(py)
        .and_then(|v| v.repr())
        .ok()
        .map_or_else(|| "<?>".to_string(), |r| r.to_string())
}

/// The Python objects of a list of core values.
pub(crate) fn list<T: Clone, P: From<T>>(items: &[T]) -> Vec<P> {
    items.iter().cloned().map(P::from).collect()
}

static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A time argument as the text core reads: a `str` as given, a `datetime` in ISO 8601 form.
/// Core decides: an aware datetime has its offset, a naive one has none and is refused.
/// Anything else is a `TypeError`.
pub(crate) fn time_text(value: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(text.to_cow()?.into_owned());
    }
    if value.is_instance(DATETIME.import(value.py(), "datetime", "datetime")?)? {
        return value.call_method0("isoformat")?.extract();
    }
    Err(PyTypeError::new_err(format!(
        "{what}: expected an RFC 3339 string or an aware datetime, got {}",
        value.get_type().name()?
    )))
}

/// An optional time argument (`now`, a lock's `until`) through `relman::arguments::timestamp`;
/// `None` stays `None`. Unparsable text or a naive datetime is `InvalidArgument`.
pub(crate) fn time(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<jiff::Timestamp>> {
    match value.filter(|v| !v.is_none()) {
        Some(v) => relman::arguments::timestamp(&time_text(v, what)?, what)
            .py()
            .map(Some),
        None => Ok(None),
    }
}

/// The `now` argument: [`time`], the current time when not given.
pub(crate) fn now(value: Option<&Bound<'_, PyAny>>) -> PyResult<jiff::Timestamp> {
    Ok(time(value, "now")?.unwrap_or_else(jiff::Timestamp::now))
}

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

/// A count or limit as Python gave it, for core's rule
/// (`relman::arguments::whole_number_from_int`): an `int` (or an object with `__index__`, as
/// `range()` takes) of any size. A `bool` is refused with `TypeError` (it is an `int` to
/// Python, but `retries=True` is a mistake), as a `float` is (Python's own counts refuse
/// `1.0`); a negative or too large `int` is `InvalidArgument` with core's message (never
/// `OverflowError`).
#[derive(Clone, Copy)]
pub(crate) struct WholeNumber(Option<i128>);

impl WholeNumber {
    /// A default value.
    pub(crate) const fn of(value: u64) -> WholeNumber {
        WholeNumber(Some(value as i128))
    }

    /// The number if `range` holds it, else `InvalidArgument` naming `what`.
    pub(crate) fn check(self, range: std::ops::RangeInclusive<u64>, what: &str) -> PyResult<u64> {
        relman::arguments::whole_number_from_int(self.0, range, what).py()
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for WholeNumber {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_instance_of::<PyBool>() {
            return Err(PyTypeError::new_err("expected an int, not bool"));
        }
        let overflow = |e: &PyErr| e.is_instance_of::<PyOverflowError>(obj.py());
        // An i64 first: the common case, and it goes through `__index__`.
        match obj.extract::<i64>() {
            Ok(value) => return Ok(WholeNumber(Some(value.into()))),
            Err(e) if !overflow(&e) => return Err(e),
            Err(_) => {}
        }
        // Past i64: the exact int (pyo3's i128 reading does not call `__index__`).
        match obj.call_method0("__index__")?.extract::<i128>() {
            Ok(value) => Ok(WholeNumber(Some(value))),
            // Past i128 (39 digits or more): out of every range, core words it.
            Err(e) if overflow(&e) => Ok(WholeNumber(None)),
            Err(e) => Err(e),
        }
    }
}
