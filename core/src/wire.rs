//! The closed vocabularies that cross to JSON, Python and Node as snake_case strings: error
//! codes, result statuses and reasons, history causes, slot kinds and the rest.
//!
//! Each is declared once, here or beside its type, with [`wire_enum!`]: the variants, their
//! strings, the parser and the list of all values come from that one declaration. The bindings
//! derive their tables from [`vocabularies`] and test against it, so a new code is one edit and
//! a binding that misses one fails its tests.
//!
//! ```
//! use relman::wire::{Wire, vocabularies};
//! use relman::release::Reason;
//!
//! assert_eq!(Reason::UpToDate.code(), "up_to_date");
//! assert_eq!(Reason::from_code("up_to_date"), Some(Reason::UpToDate));
//! assert!(Reason::CODES.contains(&"shared_file"));
//! let all = vocabularies();
//! assert!(all.iter().any(|(name, codes)| *name == "ErrorKind" && codes.contains(&"invalid_yaml")));
//! ```

/// A closed set of values with one stable string each.
pub trait Wire: Copy + Eq + Sized + 'static {
    /// The vocabulary's name, the Rust type's name (`"Reason"`).
    const NAME: &'static str;
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// Every value's string, in declaration order.
    const CODES: &'static [&'static str];

    /// The stable snake_case string of this value.
    fn code(self) -> &'static str;

    /// The value `code` names, or `None` for a string outside the vocabulary.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|value| value.code() == code)
    }
}

/// Declare a wire vocabulary: an enum whose variants each carry their stable string. Generates
/// the enum (with `Debug, Clone, Copy, PartialEq, Eq, Hash`), [`Wire`], an inherent `code()`,
/// `Display` (the code) and serde (the code; an unknown string is serde's `unknown variant`).
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $crate::wire::Wire for $name {
            const NAME: &'static str = stringify!($name);
            const ALL: &'static [Self] = &[$($name::$variant),+];
            const CODES: &'static [&'static str] = &[$($code),+];

            fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }
        }

        impl $name {
            /// The stable snake_case string of this value, as JSON, Python and Node spell it.
            pub fn code(self) -> &'static str {
                <Self as $crate::wire::Wire>::code(self)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                <Self as $crate::wire::Wire>::from_code(&text).ok_or_else(|| {
                    <D::Error as ::serde::de::Error>::unknown_variant(
                        &text,
                        <Self as $crate::wire::Wire>::CODES,
                    )
                })
            }
        }
    };
}
pub(crate) use wire_enum;

/// Every wire vocabulary of the library, by name, with its strings in declaration order:
/// what the bindings build their tables from and test against.
pub fn vocabularies() -> Vec<(&'static str, &'static [&'static str])> {
    fn entry<T: Wire>() -> (&'static str, &'static [&'static str]) {
        (T::NAME, T::CODES)
    }
    vec![
        entry::<crate::error::ErrorKind>(),
        entry::<crate::release::Status>(),
        entry::<crate::release::Reason>(),
        entry::<crate::release::ReleaseKind>(),
        entry::<crate::release::MoveCause>(),
        entry::<crate::release::HistorySource>(),
        entry::<crate::manifest::SlotKind>(),
        entry::<crate::config::ReleaseMode>(),
        entry::<crate::policy::FilterKind>(),
        entry::<crate::policy::VersionMode>(),
        entry::<crate::policy::Ignore>(),
        entry::<crate::policy::RejectReason>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vocabulary_is_distinct_snake_case_and_round_trips() {
        let all = vocabularies();
        let mut names: Vec<_> = all.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len(), "vocabulary names repeat");
        for (name, codes) in all {
            let mut seen = std::collections::HashSet::new();
            for code in codes {
                assert!(seen.insert(code), "{name}: `{code}` twice");
                assert!(
                    !code.is_empty()
                        && code
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                    "{name}: `{code}` is not snake_case"
                );
                let json = format!("\"{code}\"");
                let back: serde_json::Value = serde_json::from_str(&json).unwrap();
                assert_eq!(back, serde_json::Value::String(code.to_string()));
            }
        }
        let reason: crate::release::Reason = serde_json::from_str("\"shared_file\"").unwrap();
        assert_eq!(serde_json::to_string(&reason).unwrap(), "\"shared_file\"");
        let unknown = serde_json::from_str::<crate::release::Reason>("\"sharedfile\"").unwrap_err();
        assert!(unknown.to_string().contains("unknown variant"), "{unknown}");
    }
}
