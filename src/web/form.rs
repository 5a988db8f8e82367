//! Posted forms, decoded strictly: a field whose bytes are not UTF-8 is named
//! in `bad_fields` so the form is shown again with a message, instead of the
//! typed text being silently changed.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use percent_encoding::percent_decode;

use super::AppError;

pub const BAD_ENCODING: &str =
    "送信された内容に読み取れない文字が含まれています（文字コードは UTF-8 で送信してください）";

/// Largest form body accepted (a whole sheet of long prose fits many times).
pub const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// A urlencoded form body. A field in `bad_fields` is kept in `pairs` with its
/// undecodable bytes replaced, only so the form can be shown again.
pub struct PostedForm {
    pub pairs: Vec<(String, String)>,
    pub bad_fields: Vec<String>,
}

/// The value of a posted field; empty when it was not posted.
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
                .map_err(|_| AppError::BadRequest("送信された内容が大きすぎます".into()))?;
            if bytes.len() > FORM_LIMIT {
                return Err(AppError::BadRequest("送信された内容が大きすぎます".into()));
            }
            Ok(decode(&bytes))
        })
    }
}

/// Splits and decodes `application/x-www-form-urlencoded`, one pass over the
/// body. `form_urlencoded::parse` is not used because it decodes lossily and
/// would hide which field held bytes that are not UTF-8.
fn decode(body: &[u8]) -> PostedForm {
    let mut pairs = Vec::new();
    let mut bad_fields = Vec::new();
    for part in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match part.iter().position(|b| *b == b'=') {
            Some(i) => (&part[..i], &part[i + 1..]),
            None => (part, &b""[..]),
        };
        // A key is one of our own names: an undecodable one matches nothing.
        let key = component(k).unwrap_or_else(|lossy| lossy);
        let value = component(v).unwrap_or_else(|lossy| {
            bad_fields.push(key.clone());
            lossy
        });
        pairs.push((key, value));
    }
    PostedForm { pairs, bad_fields }
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
    use super::*;

    fn pairs(form: &PostedForm) -> Vec<(&str, &str)> {
        form.pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    #[test]
    fn decodes_names_values_spaces_and_percent() {
        let form = decode(b"a=1&b=x+y%2By&&c&%E8%A9%95%E4%BE%A1=%E7%A5%A8&d=100%&e=%zz");
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
        let form = decode(b"ok=%E7%A5%A8&effects=%95%5D%89%BF&last=1");
        assert_eq!(form.bad_fields, ["effects"]);
        assert_eq!(field(&form.pairs, "ok"), "票");
        assert_eq!(field(&form.pairs, "last"), "1");
        assert!(field(&form.pairs, "effects").contains('\u{FFFD}'));
    }

    #[test]
    fn field_is_empty_when_absent_and_first_when_repeated() {
        let form = decode(b"x=1&x=2");
        assert_eq!(field(&form.pairs, "x"), "1");
        assert_eq!(field(&form.pairs, "y"), "");
    }
}
