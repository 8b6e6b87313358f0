//! A YAML text argument (`Text`), read from JavaScript with one conversion instead of napi-rs's
//! two passes and a fresh zeroed allocation per call.
//!
//! N-API gives no view of a string's characters: V8 keeps a string in one byte per character
//! (Latin-1) or two (UTF-16), never as UTF-8, so a string argument is always copied once into
//! UTF-8. napi-rs's `String` does that with two calls of `napi_get_value_string_utf8`: the first
//! walks the whole string to measure its UTF-8 length (`String::Utf8Length`), the second
//! (`String::WriteUtf8`) converts it into a buffer of exactly that size, allocated zeroed for
//! each argument. Here the length in UTF-16 units is asked instead (constant time: V8 stores it),
//! the buffer is made room for three bytes per unit (the most UTF-8 takes for one UTF-16 unit,
//! which also lets V8 convert without checking the room left character by character), and the
//! string is converted in one pass. The buffer of a text up to [`KEEP`] bytes is kept for the
//! next call on the same thread, so a typical manifest costs no allocation (only the room past
//! the previous text is zeroed); a longer one is allocated for the call (the kernel gives its
//! untouched room as zero pages, for free). What V8 writes is checked as UTF-8 once
//! (`String::from_utf8`), so no trust is placed in it, and the only `unsafe` is the two N-API
//! calls themselves.
//!
//! Behaviour is napi-rs's `String`: a value that is not a string fails with napi-rs's own error
//! (status `StringExpected`), lone surrogates become U+FFFD as V8 writes them.

#![allow(unsafe_code)] // two N-API calls (FFI); each block says why it is sound

use std::cell::Cell;
use std::ops::Deref;
use std::ptr;

use napi::bindgen_prelude::*;
use napi::sys;

/// Buffers up to this many bytes are kept for the next text on the same thread (one per
/// thread: a text argument converted while the kept buffer is in use gets a fresh one).
const KEEP: usize = 256 * 1024;

thread_local! {
    /// The buffer of the last text of at most [`KEEP`] bytes, emptied, for the next one.
    static SPARE: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// A text argument as UTF-8, converted from the JavaScript string once. Its TypeScript type is
/// `string` (given at each parameter with `ts_arg_type`).
pub struct Text {
    /// The text, in the buffer V8 wrote into (checked as UTF-8 once).
    text: String,
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        if self.text.capacity() <= KEEP {
            SPARE.set(std::mem::take(&mut self.text).into_bytes());
        }
    }
}

impl TypeName for Text {
    fn type_name() -> &'static str {
        "String"
    }

    fn value_type() -> ValueType {
        ValueType::String
    }
}

impl ValidateNapiValue for Text {}

impl FromNapiValue for Text {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        match convert(env, value) {
            Some(text) => Ok(text),
            // Not a string (or N-API refused): napi-rs's conversion gives its exact error.
            // SAFETY: the caller's `env` and `value` are passed on unchanged.
            None => unsafe { String::from_napi_value(env, value) }.map(|text| Text { text }),
        }
    }
}

/// `value` as UTF-8 in one pass, or `None` when N-API reports any failure.
fn convert(env: sys::napi_env, value: sys::napi_value) -> Option<Text> {
    let mut units = 0usize;
    // SAFETY: `env` and `value` come from the N-API callback being served; a null buffer asks
    // only for the length (in UTF-16 units), written to `units`, a valid `usize`.
    let status = unsafe { sys::napi_get_value_string_utf16(env, value, ptr::null_mut(), 0, &mut units) };
    if status != sys::Status::napi_ok {
        return None;
    }
    // Three UTF-8 bytes at most per UTF-16 unit (a surrogate pair is four bytes for two units),
    // and one for the terminating NUL that N-API counts in the buffer size.
    let room = units.checked_mul(3)?.checked_add(1)?;
    let mut buffer = if room <= KEEP {
        // The kept buffer keeps its allocation; only the room past the last text is zeroed.
        let mut spare = SPARE.take();
        spare.resize(room, 0);
        spare
    } else {
        // Zeroed by the kernel, page by page, only where V8 writes.
        vec![0; room]
    };
    let mut written = 0usize;
    // SAFETY: `buffer` holds at least `room` initialised bytes that N-API may write (it
    // writes at most `room - 1` bytes and a NUL, and reports the bytes before the NUL in
    // `written`).
    let status = unsafe {
        sys::napi_get_value_string_utf8(env, value, buffer.as_mut_ptr().cast(), room, &mut written)
    };
    if status != sys::Status::napi_ok || written >= room {
        return None;
    }
    buffer.truncate(written);
    match String::from_utf8(buffer) {
        Ok(text) => Some(Text { text }),
        Err(not_utf8) => {
            SPARE.set(not_utf8.into_bytes());
            None
        }
    }
}
