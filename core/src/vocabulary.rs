//! The declaring side of the wire vocabularies (a leaf): the [`Wire`] trait and the
//! [`wire_enum!`] macro that declares an enum with its strings once. The public list of every
//! vocabulary is `relman::wire` (in `lib.rs`, which sees every layer).

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

        impl $crate::vocabulary::Wire for $name {
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
                <Self as $crate::vocabulary::Wire>::code(self)
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
                <Self as $crate::vocabulary::Wire>::from_code(&text).ok_or_else(|| {
                    <D::Error as ::serde::de::Error>::unknown_variant(
                        &text,
                        <Self as $crate::vocabulary::Wire>::CODES,
                    )
                })
            }
        }
    };
}
pub(crate) use wire_enum;
