//! One way to define the small closed sets of the domain (a sheet's state, a
//! role, a round kind…): each value with the code it is stored as and the
//! Japanese label users see. Stored in a text column on either backend
//! (`db::types` maps every `code()`).

/// Defines `enum $name` with `ALL`, `code()`, `label()` and `from_code()`.
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = ($code:literal, $label:literal),)*
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            pub const ALL: [$name; [$(stringify!($variant)),*].len()] = [$($name::$variant),*];

            /// As stored.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            /// As users see it.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)*
                }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.into_iter().find(|v| v.code() == code)
            }
        }
    };
}

pub(crate) use coded_enum;
