//! Static files: everything under `static/`, compiled into the binary so it
//! runs from any directory and makes no outside request. The folder is the
//! list; a new file is served without being named anywhere.

use std::borrow::Cow;

use actix_web::http::header::{CacheControl, CacheDirective, ETag, EntityTag, Header, IfNoneMatch};
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::{EmbeddedFile, RustEmbed};

use super::AppError;

/// `debug-embed` is on, so debug builds and tests serve the very bytes a
/// release build ships instead of reading the source folder at run time.
#[derive(RustEmbed)]
#[folder = "static/"]
struct Static;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/static/{file:.*}", web::get().to(serve));
}

async fn serve(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let file = Static::get(&path).ok_or(AppError::NotFound)?;
    let etag = EntityTag::new_strong(hex(&file.metadata.sha256_hash()));
    // The URLs carry no version, so a browser must ask again after an upgrade;
    // the ETag makes asking cheap (304, no body).
    let cache = CacheControl(vec![CacheDirective::Public, CacheDirective::NoCache]);
    if unchanged(&req, &etag) {
        return Ok(HttpResponse::NotModified()
            .insert_header(ETag(etag))
            .insert_header(cache)
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type(content_type(&file))
        .insert_header(ETag(etag))
        .insert_header(cache)
        .body(bytes(file.data)))
}

/// True when the browser's cached copy (If-None-Match) is this one.
fn unchanged(req: &HttpRequest, etag: &EntityTag) -> bool {
    match IfNoneMatch::parse(req) {
        Ok(IfNoneMatch::Any) => true,
        Ok(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(etag)),
        Err(_) => false,
    }
}

/// The type guessed from the extension; text is UTF-8 throughout the app.
fn content_type(file: &EmbeddedFile) -> String {
    let mime = file.metadata.mimetype();
    if mime.starts_with("text/") || mime == "application/javascript" {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

fn bytes(data: Cow<'static, [u8]>) -> Bytes {
    match data {
        Cow::Borrowed(b) => Bytes::from_static(b),
        Cow::Owned(v) => Bytes::from(v),
    }
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use actix_web::http::{header, StatusCode};
    use actix_web::test::{call_service, init_service, TestRequest};
    use actix_web::App;

    const ROOT: &str = env!("CARGO_MANIFEST_DIR");

    fn files_under(dir: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(files_under(&path));
            } else {
                files.push(path);
            }
        }
        files
    }

    /// Every `/static/...` path in a template: in href and src attributes or
    /// anywhere else, without its query or fragment.
    fn template_refs(text: &str) -> Vec<String> {
        text.match_indices("/static/")
            .map(|(at, _)| {
                let rest = &text[at..];
                let end = rest
                    .find(|c: char| "\"'<>()?# \t\r\n".contains(c))
                    .unwrap_or(rest.len());
                rest[..end].to_string()
            })
            .filter(|r| r.len() > "/static/".len())
            .collect()
    }

    /// Every `url(...)` in a stylesheet served at `css_url`, as a site path.
    fn css_refs(css_url: &str, text: &str) -> Vec<String> {
        text.split("url(")
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
            .map(|r| r.trim().trim_matches(|c| c == '"' || c == '\''))
            .filter(|r| !r.starts_with("data:") && !r.contains("://") && !r.starts_with('#'))
            .map(|r| resolve(css_url, r))
            .collect()
    }

    /// `reference` as written in the file at `base` (both site paths).
    fn resolve(base: &str, reference: &str) -> String {
        let reference = reference.split(['?', '#']).next().unwrap_or("");
        if reference.starts_with('/') {
            return reference.to_string();
        }
        let mut parts: Vec<&str> = base.split('/').collect();
        parts.pop();
        for part in reference.split('/') {
            match part {
                "." => {}
                ".." => {
                    parts.pop();
                }
                p => parts.push(p),
            }
        }
        parts.join("/")
    }

    /// What any template or stylesheet asks of `/static/`, sorted, once each.
    fn referenced() -> Vec<String> {
        let mut refs = Vec::new();
        for path in files_under(&Path::new(ROOT).join("templates")) {
            let text = std::fs::read_to_string(&path).unwrap();
            for r in template_refs(&text) {
                assert!(!r.contains('{'), "{}: {r} is computed", path.display());
                refs.push(r);
            }
        }
        let static_dir = Path::new(ROOT).join("static");
        for path in files_under(&static_dir) {
            if path.extension().is_some_and(|e| e == "css") {
                let rel = path.strip_prefix(&static_dir).unwrap().to_string_lossy();
                let url = format!("/static/{}", rel.replace('\\', "/"));
                refs.extend(css_refs(&url, &std::fs::read_to_string(&path).unwrap()));
            }
        }
        refs.sort();
        refs.dedup();
        refs
    }

    /// The type a browser needs (scripts and styles are refused otherwise,
    /// since every answer says `nosniff`).
    fn plausible(path: &str, content_type: &str) -> bool {
        let ext = path.rsplit('.').next().unwrap_or("");
        match ext {
            "css" => content_type == "text/css; charset=utf-8",
            "js" | "mjs" => {
                content_type == "text/javascript; charset=utf-8"
                    || content_type == "application/javascript; charset=utf-8"
            }
            "png" => content_type == "image/png",
            "svg" => content_type == "image/svg+xml",
            "woff2" => content_type == "font/woff2",
            _ => content_type != "application/octet-stream",
        }
    }

    /// Fetches each path through the app's own route table; returns the failures.
    async fn fetch_all(paths: &[String]) -> Vec<String> {
        let app = init_service(App::new().configure(super::super::routes)).await;
        let mut failures = Vec::new();
        for path in paths {
            let req = TestRequest::get().uri(path).to_request();
            let res = call_service(&app, req).await;
            let status = res.status();
            let content_type = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            if status != StatusCode::OK || !plausible(path, &content_type) {
                failures.push(format!("{path}: {status} {content_type}"));
            }
        }
        failures
    }

    #[actix_web::test]
    async fn every_file_a_template_references_is_served() {
        let refs = referenced();
        // The edit page's script once answered 404 (issue 7); the scan must see it.
        assert!(
            refs.iter().any(|r| r.ends_with(".css")) && refs.contains(&"/static/js/form.js".into()),
            "the scan found the stylesheets and scripts: {refs:?}"
        );
        let failures = fetch_all(&refs).await;
        assert!(failures.is_empty(), "not served: {failures:#?}");
    }

    #[actix_web::test]
    async fn every_file_in_the_folder_is_served() {
        let static_dir = Path::new(ROOT).join("static");
        let paths: Vec<String> = files_under(&static_dir)
            .iter()
            .map(|p| {
                let rel = p.strip_prefix(&static_dir).unwrap().to_string_lossy();
                format!("/static/{}", rel.replace('\\', "/"))
            })
            .collect();
        assert!(paths.iter().any(|p| p == "/static/js/form.js"));
        let failures = fetch_all(&paths).await;
        assert!(failures.is_empty(), "not served: {failures:#?}");
    }

    #[actix_web::test]
    async fn a_cached_copy_is_revalidated_by_etag() {
        let app = init_service(App::new().configure(super::super::routes)).await;
        let req = TestRequest::get().uri("/static/js/form.js").to_request();
        let res = call_service(&app, req).await;
        let etag = res.headers().get(header::ETAG).unwrap().clone();
        let cache = res.headers().get(header::CACHE_CONTROL).unwrap();
        assert!(cache.to_str().unwrap().contains("no-cache"));

        let req = TestRequest::get()
            .uri("/static/js/form.js")
            .insert_header((header::IF_NONE_MATCH, etag.clone()))
            .to_request();
        let res = call_service(&app, req).await;
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(res.headers().get(header::ETAG), Some(&etag));

        let req = TestRequest::get()
            .uri("/static/js/form.js")
            .insert_header((header::IF_NONE_MATCH, "\"something-else\""))
            .to_request();
        assert_eq!(call_service(&app, req).await.status(), StatusCode::OK);
    }

    #[actix_web::test]
    async fn unknown_and_escaping_paths_are_not_found() {
        let app = init_service(App::new().configure(super::super::routes)).await;
        for uri in [
            "/static/js/missing.js",
            "/static/../Cargo.toml",
            "/static/%2e%2e/Cargo.toml",
            "/static/",
        ] {
            let req = TestRequest::get().uri(uri).to_request();
            let res = call_service(&app, req).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{uri}");
        }
    }

    #[test]
    fn stylesheet_urls_resolve_against_the_stylesheet() {
        let css = r#"a { background: url("../img/a.png"); } b { src: url(/static/f.woff2) }
                     c { background: url(data:image/png;base64,xx) } d { x: url('b.svg#i') }"#;
        assert_eq!(
            css_refs("/static/css/app.css", css),
            ["/static/img/a.png", "/static/f.woff2", "/static/css/b.svg"]
        );
        assert_eq!(
            template_refs(r#"<link href="/static/css/app.css?v=1"><script src='/static/js/x.js'>"#),
            ["/static/css/app.css", "/static/js/x.js"]
        );
    }
}
