//! Static files compiled into the binary, so it runs from any directory and
//! makes no outside request.

use actix_web::{web, HttpResponse};

use super::AppError;

const ASSETS: &[(&str, &str, &str)] = &[
    (
        "css/app.css",
        "text/css; charset=utf-8",
        include_str!("../../static/css/app.css"),
    ),
    (
        "css/sheet.css",
        "text/css; charset=utf-8",
        include_str!("../../static/css/sheet.css"),
    ),
    (
        "css/print.css",
        "text/css; charset=utf-8",
        include_str!("../../static/css/print.css"),
    ),
    (
        "css/report.css",
        "text/css; charset=utf-8",
        include_str!("../../static/css/report.css"),
    ),
    (
        "js/print.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/js/print.js"),
    ),
];

pub async fn serve(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (_, mime, body) = ASSETS
        .iter()
        .find(|(name, _, _)| *name == path.as_str())
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(*mime)
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(*body))
}
