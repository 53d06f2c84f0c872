//! Byte-level readers of single fields for the in-place line fast paths of the households and
//! members readers: exact keys and flags, no allocation. Anything they do not accept goes to
//! the full (validating) path.

/// The codes written as their keys (exactly), as bytes: `None` for anything else.
macro_rules! key_parsers {
    ($($fn:ident -> $ty:ident { $($key:literal => $v:ident),+ $(,)? })+) => {
        $(
            #[inline(always)]
            fn $fn(s: &[u8]) -> Option<$ty> {
                Some(match s {
                    $($key => $ty::$v,)+
                    _ => return None,
                })
            }
        )+
    };
}
pub(crate) use key_parsers;

/// A flag written `0` or `1`.
#[inline(always)]
pub(crate) fn flag(s: &[u8]) -> Option<bool> {
    match s {
        b"1" => Some(true),
        b"0" => Some(false),
        _ => None,
    }
}
