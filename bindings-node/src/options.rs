//! Options objects whose keys are checked: [`Checked`] reads the keys of the object JavaScript
//! passed and hands them to core's rule (`relman::arguments::known_keys`) before napi reads the
//! fields, so a misspelt key (`maxage`, a snake_case `max_age`) throws `invalid_argument`
//! naming it and listing the fields instead of being ignored, as Python refuses an unknown
//! keyword argument. A value that is not an object at all is a type error.
//!
//! `unsafe` here is what implementing napi-rs's `FromNapiValue` (an `unsafe` trait method)
//! needs, and the four N-API calls of the allocation-free fast path (`setImage` options are
//! read on a hot path).
#![allow(unsafe_code)] // FromNapiValue is an unsafe method; each block says why it is sound

use napi::bindgen_prelude::*;

use crate::error::OrThrow;

/// The keys an options object accepts, spelt as JavaScript reads them (napi's camelCase of the
/// Rust fields; `test/options.test.mjs` checks each list against `index.d.ts`).
pub trait OptionKeys {
    /// Every field of the object.
    const KEYS: &'static [&'static str];
}

/// An options object of type `T` whose keys were checked against `T::KEYS`; the error names
/// the object by its TypeScript type (`RegistryOptions: unknown key "maxage" ...`). A value
/// that is not an object (a string, a number, a function) is a type error (`ObjectExpected`);
/// `undefined` and `null` never reach it (an optional argument is an `Option<Checked<T>>`).
/// Functions taking one declare its TypeScript type with `ts_arg_type`.
pub struct Checked<T>(pub T);

impl<T: FromNapiValue + TypeName + OptionKeys> FromNapiValue for Checked<T> {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        // SAFETY: `env` and `value` are the caller's, from the N-API call being served.
        let unknown = unsafe { Unknown::from_napi_value(env, value)? };
        let kind = unknown.get_type()?;
        if kind != ValueType::Object {
            // napi-rs's object conversion would read the fields of a string or a number as
            // absent: a type error instead, as napi-rs gives for a number that is no number.
            return Err(Error::new(
                Status::ObjectExpected,
                match kind {
                    ValueType::Unknown => format!("{}: expected an object", T::type_name()),
                    _ => format!(
                        "{}: expected an object, not a {}",
                        T::type_name(),
                        kind.to_string().to_lowercase()
                    ),
                },
            ));
        }
        if !all_known(env, value, T::KEYS) {
            // SAFETY: as above; `value` is an object, checked just now.
            let object = unsafe { Object::from_napi_value(env, value)? };
            let keys = Object::keys(&object)?;
            relman::arguments::known_keys(keys.iter().map(String::as_str), T::KEYS, T::type_name())
                .or_throw(&Env::from_raw(env))?;
        }
        // SAFETY: as above, passed on unchanged.
        Ok(Checked(unsafe { T::from_napi_value(env, value)? }))
    }
}

/// The fast path of the check: whether every key of `object` (its enumerable string keys, as
/// `Object::keys` lists them) is one of `accepted`, compared in a stack buffer without
/// allocating. `false` when any is not, or when N-API fails or a key is too long to compare:
/// then the caller lists the keys and core's rule decides (and words the error).
fn all_known(env: sys::napi_env, object: sys::napi_value, accepted: &[&str]) -> bool {
    let mut names = std::ptr::null_mut();
    // SAFETY: `env` and `object` come from the N-API call being served and `object` is an
    // object; `names` is a valid out-pointer.
    if unsafe { sys::napi_get_property_names(env, object, &mut names) } != sys::Status::napi_ok {
        return false;
    }
    let mut count = 0u32;
    // SAFETY: `names` is the array N-API just returned; `count` is a valid out-pointer.
    if unsafe { sys::napi_get_array_length(env, names, &mut count) } != sys::Status::napi_ok {
        return false;
    }
    // Longer than any accepted key (they are short identifiers) is unknown in any case.
    let mut buffer = [0u8; 64];
    (0..count).all(|i| {
        let mut key = std::ptr::null_mut();
        let mut written = 0usize;
        // SAFETY: `i` is below the array's length; `key` is a valid out-pointer.
        let got = unsafe { sys::napi_get_element(env, names, i, &mut key) } == sys::Status::napi_ok
            // SAFETY: `buffer` is writable for its length, which is passed; N-API writes at
            // most `len - 1` bytes and a NUL, and the count of bytes to `written`.
            && unsafe {
                sys::napi_get_value_string_utf8(env, key, buffer.as_mut_ptr().cast(), buffer.len(), &mut written)
            } == sys::Status::napi_ok;
        got && written < buffer.len() - 1 && accepted.iter().any(|a| a.as_bytes() == &buffer[..written])
    })
}

impl<T: TypeName> TypeName for Checked<T> {
    fn type_name() -> &'static str {
        T::type_name()
    }

    fn value_type() -> ValueType {
        T::value_type()
    }
}
