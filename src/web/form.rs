//! Posted forms, decoded strictly in one linear pass: a field whose bytes are
//! not UTF-8, or that holds a control character, is named in `bad_fields` so
//! the form is shown again with a message at that field, instead of the typed
//! text being silently changed (or failing in the database).

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use percent_encoding::percent_decode;

use super::AppError;
use crate::domain::text::has_refused_control;

pub const BAD_ENCODING: &str =
    "送信された内容に読み取れない文字が含まれています（文字コードは UTF-8 で送信してください）";
pub const CONTROL_CHARACTER: &str =
    "使用できない制御文字（NUL など）が含まれています。取り除いてからもう一度送信してください";
const TOO_LARGE: &str = "送信された内容が大きすぎます";
const TOO_MANY_FIELDS: &str = "送信された項目の数が多すぎます";

/// Largest form body accepted (a whole sheet of long prose fits many times).
pub const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// Most name=value pairs in one form. The edit form at its row limit has
/// about a thousand; a body of 2 MiB could hold 700,000, each costing an
/// allocation or two, so a larger count is refused before it is decoded.
pub const MAX_PAIRS: usize = 5_000;

/// Bodies larger than this are decoded on the blocking pool, off the async
/// threads that answer everyone else.
const DECODE_INLINE_MAX: usize = 64 * 1024;

/// Most refused fields named (a form has far fewer inputs; more would only
/// make the page that names them large).
const MAX_BAD_FIELDS: usize = 100;

/// Why a posted field is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Bytes that are not UTF-8.
    NotUtf8,
    /// A control character other than tab, CR, LF (see `domain::text`).
    Control,
}

impl Problem {
    pub fn message(self) -> &'static str {
        match self {
            Problem::NotUtf8 => BAD_ENCODING,
            Problem::Control => CONTROL_CHARACTER,
        }
    }
}

/// A field whose value cannot be taken as typed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadField {
    pub name: String,
    pub problem: Problem,
}

/// A urlencoded form body. A field in `bad_fields` is kept in `pairs` (with
/// undecodable bytes replaced) only so the form can be shown again.
pub struct PostedForm {
    pub pairs: Vec<(String, String)>,
    pub bad_fields: Vec<BadField>,
}

impl PostedForm {
    /// The message refusing the form, when a field is bad.
    pub fn refusal(&self) -> Option<&'static str> {
        self.bad_fields.first().map(|b| b.problem.message())
    }
}

/// The value of a posted field; empty when it was not posted. One scan: a
/// handler looks up a fixed handful of names, so a request stays linear in
/// its size (`sheet_form::parse`, which reads every input, indexes once).
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

impl FromRequest for PostedForm {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_form = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_form {
                return Err(AppError::BadRequest(
                    "フォームの形式で送信してください".into(),
                ));
            }
            let bytes = body
                .await
                .map_err(|_| AppError::BadRequest(TOO_LARGE.into()))?;
            if bytes.len() > FORM_LIMIT {
                return Err(AppError::BadRequest(TOO_LARGE.into()));
            }
            let decoded = if bytes.len() <= DECODE_INLINE_MAX {
                decode(&bytes)
            } else {
                web::block(move || decode(&bytes))
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?
            };
            decoded.map_err(|message| AppError::BadRequest(message.into()))
        })
    }
}

/// Splits and decodes `application/x-www-form-urlencoded`, one pass over the
/// body; more than [`MAX_PAIRS`] pairs are refused as soon as they are seen.
/// `form_urlencoded::parse` is not used because it decodes lossily and would
/// hide which field held bytes that are not UTF-8.
fn decode(body: &[u8]) -> Result<PostedForm, &'static str> {
    let mut pairs = Vec::new();
    let mut bad_fields: Vec<BadField> = Vec::new();
    for part in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        if pairs.len() == MAX_PAIRS {
            return Err(TOO_MANY_FIELDS);
        }
        let (k, v) = match part.iter().position(|b| *b == b'=') {
            Some(i) => (&part[..i], &part[i + 1..]),
            None => (part, &b""[..]),
        };
        // A key is one of our own names: an undecodable one matches nothing.
        let key = component(k).unwrap_or_else(|lossy| lossy);
        let (value, problem) = match component(v) {
            Ok(value) if has_refused_control(&value) => (value, Some(Problem::Control)),
            Ok(value) => (value, None),
            Err(lossy) => (lossy, Some(Problem::NotUtf8)),
        };
        if let Some(problem) = problem {
            let named = bad_fields.iter().any(|b| b.name == key);
            if !named && bad_fields.len() < MAX_BAD_FIELDS {
                bad_fields.push(BadField {
                    name: key.clone(),
                    problem,
                });
            }
        }
        pairs.push((key, value));
    }
    Ok(PostedForm { pairs, bad_fields })
}

/// One name or value: `+` is a space, then percent-decoding. `Err` carries a
/// lossy rendering when the bytes are not UTF-8.
fn component(raw: &[u8]) -> Result<String, String> {
    let spaced: Cow<[u8]> = if raw.contains(&b'+') {
        Cow::Owned(
            raw.iter()
                .map(|&b| if b == b'+' { b' ' } else { b })
                .collect(),
        )
    } else {
        Cow::Borrowed(raw)
    };
    let bytes: Vec<u8> = percent_decode(&spaced).collect();
    String::from_utf8(bytes).map_err(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
    use proptest::prelude::*;

    use super::*;

    fn decoded(body: &[u8]) -> PostedForm {
        decode(body).expect("within the pair limit")
    }

    fn pairs(form: &PostedForm) -> Vec<(&str, &str)> {
        form.pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    fn bad(form: &PostedForm) -> Vec<(&str, Problem)> {
        form.bad_fields
            .iter()
            .map(|b| (b.name.as_str(), b.problem))
            .collect()
    }

    #[test]
    fn decodes_names_values_spaces_and_percent() {
        let form = decoded(b"a=1&b=x+y%2By&&c&%E8%A9%95%E4%BE%A1=%E7%A5%A8&d=100%&e=%zz");
        assert_eq!(
            pairs(&form),
            [
                ("a", "1"),
                ("b", "x y+y"),
                ("c", ""),
                ("評価", "票"),
                ("d", "100%"),
                ("e", "%zz"),
            ]
        );
        assert!(form.bad_fields.is_empty());
    }

    #[test]
    fn names_the_field_that_is_not_utf8() {
        // 「評価」 in Shift_JIS, as an old browser setting might send it.
        let form = decoded(b"ok=%E7%A5%A8&remark=%95%5D%89%BF&last=1");
        assert_eq!(bad(&form), [("remark", Problem::NotUtf8)]);
        assert_eq!(form.refusal(), Some(BAD_ENCODING));
        assert_eq!(field(&form.pairs, "ok"), "票");
        assert_eq!(field(&form.pairs, "last"), "1");
        assert!(field(&form.pairs, "remark").contains('\u{FFFD}'));
    }

    #[test]
    fn names_the_field_that_holds_a_control_character_once() {
        let form = decoded(b"text=%E3%81%82%00&ok=a%0D%0Ab%09c&text=%1B&esc=%1B");
        assert_eq!(
            bad(&form),
            [("text", Problem::Control), ("esc", Problem::Control)]
        );
        assert_eq!(form.refusal(), Some(CONTROL_CHARACTER));
        // Kept as typed, so the form can be shown again.
        assert_eq!(field(&form.pairs, "text"), "あ\0");
        assert_eq!(field(&form.pairs, "ok"), "a\r\nb\tc");
    }

    #[test]
    fn field_is_empty_when_absent_and_first_when_repeated() {
        let form = decoded(b"x=1&x=2");
        assert_eq!(field(&form.pairs, "x"), "1");
        assert_eq!(field(&form.pairs, "y"), "");
    }

    #[test]
    fn too_many_pairs_are_refused_and_the_limit_itself_is_not() {
        let at_limit = "a=1&".repeat(MAX_PAIRS);
        assert_eq!(decoded(at_limit.as_bytes()).pairs.len(), MAX_PAIRS);
        let over = format!("{at_limit}b=2");
        assert_eq!(decode(over.as_bytes()).err(), Some(TOO_MANY_FIELDS));
        // Empty parts are not pairs.
        assert!(decode(&b"&".repeat(FORM_LIMIT)).is_ok());
    }

    /// How a browser encodes a form (every byte but letters and digits
    /// percent-encoded is one valid choice).
    fn encode(pairs: &[(String, String)]) -> String {
        pairs
            .iter()
            .map(|(k, v)| {
                let k = utf8_percent_encode(k, NON_ALPHANUMERIC);
                let v = utf8_percent_encode(v, NON_ALPHANUMERIC);
                format!("{k}={v}")
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Bytes that look like a form body more often than random ones do.
    fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
        let byte = prop_oneof![
            4 => any::<u8>(),
            2 => prop::sample::select(b"&=%+".to_vec()),
            2 => prop::sample::select(b"0123456789abcdefABCDEF".to_vec()),
        ];
        prop::collection::vec(byte, 0..400)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Any body decodes without panicking, and every value holding a
        /// refused character is named.
        #[test]
        fn any_body_decodes_or_is_refused(body in body_bytes()) {
            let form = decoded(&body);
            for (k, v) in &form.pairs {
                if has_refused_control(v) {
                    prop_assert!(form.bad_fields.iter().any(|b| &b.name == k));
                }
            }
            prop_assert!(form.bad_fields.len() <= MAX_BAD_FIELDS);
        }

        /// What a browser sends comes back exactly, flagged where it holds a
        /// control character.
        #[test]
        fn an_encoded_form_reads_back(
            sent in prop::collection::vec((any::<String>(), any::<String>()), 0..20)
        ) {
            let form = decoded(encode(&sent).as_bytes());
            // `k=` with an empty name and value is still a pair; only `&&` is skipped.
            prop_assert_eq!(&form.pairs, &sent);
            for (k, v) in &sent {
                let named = form.bad_fields.iter().any(|b| &b.name == k);
                if has_refused_control(v) {
                    prop_assert!(named, "{:?} not named", k);
                }
            }
        }
    }
}
