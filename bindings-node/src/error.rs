//! relman errors as JavaScript `Error` objects.
//!
//! Every relman error reaches JavaScript as a plain `Error` whose `message` is the core error's
//! display text and whose properties carry what a program needs to act on it:
//!
//! - `code`: the stable snake_case code of core's `ErrorKind` (`invalid_yaml`, `conflict`...),
//!   taken from core as is (the `ErrorCode` union of `index.d.ts` is checked against it);
//! - `path`, `line`, `column`: where the problem is, when known (absent otherwise);
//! - `actualHead`: for a `conflict`, the commit the branch points at now.
//!
//! The error object is built here, on the calling thread, and thrown as is.

use napi::bindgen_prelude::*;

/// Build the JavaScript error for a relman error.
pub(crate) fn js_error(env: &Env, err: relman::Error) -> Error {
    let build = || -> Result<Error> {
        let mut object = env.create_error(Error::new(Status::GenericFailure, err.to_string()))?;
        object.set_named_property("code", err.code())?;
        if let Some(path) = err.path() {
            object.set_named_property("path", path)?;
        }
        if let Some(line) = err.line() {
            object.set_named_property("line", line as u32)?;
        }
        if let Some(column) = err.column() {
            object.set_named_property("column", column as u32)?;
        }
        if let Some(head) = err.actual_head() {
            object.set_named_property("actualHead", head)?;
        }
        Ok(Error::from(object.to_unknown()))
    };
    build().unwrap_or_else(|e| e)
}

/// `?` for relman results inside binding functions: the error becomes the JavaScript error.
pub(crate) trait OrThrow<T> {
    /// The value, or the relman error converted for JavaScript.
    fn or_throw(self, env: &Env) -> Result<T>;
}

impl<T> OrThrow<T> for relman::Result<T> {
    fn or_throw(self, env: &Env) -> Result<T> {
        self.map_err(|e| js_error(env, e))
    }
}
