//! How headless Chromium, which has no session, opens this server's print
//! pages: a short-lived pass for exactly one path, accepted from this machine
//! only, and issued only after the user's own permission check.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::{web, HttpRequest};
use serde::Deserialize;

use super::session::MaybeUser;
use super::{AppError, CurrentUser};
use crate::report::pdf::{self, PdfError};

/// How long Chromium may use a print pass.
const PASS_LIFETIME: Duration = Duration::from_secs(120);

/// Where Chromium is and how it reaches this server's own print pages.
pub struct PrintSettings {
    chromium: Option<PathBuf>,
    /// `http://127.0.0.1:PORT`: the address the server listens on, loopback
    /// when it listens on every interface.
    base_url: String,
    /// One-off passes for Chromium, which has no session: token → (the one
    /// path it opens, until when). Issued only after the user's own check.
    passes: Mutex<HashMap<String, (String, Instant)>>,
}

impl PrintSettings {
    pub fn new(chromium: Option<PathBuf>, listening: SocketAddr) -> Self {
        let ip = match listening.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        Self {
            chromium,
            base_url: format!("http://{}", SocketAddr::new(ip, listening.port())),
            passes: Mutex::new(HashMap::new()),
        }
    }

    fn issue_pass(&self, path: &str) -> String {
        let token = crate::password::random_password(40);
        if let Ok(mut passes) = self.passes.lock() {
            let now = Instant::now();
            passes.retain(|_, (_, until)| *until > now);
            passes.insert(token.clone(), (path.to_string(), now + PASS_LIFETIME));
        }
        token
    }

    fn accepts(&self, token: &str, path: &str) -> bool {
        self.passes.lock().is_ok_and(|passes| {
            passes
                .get(token)
                .is_some_and(|(p, until)| p == path && *until > Instant::now())
        })
    }

    /// The address of a file a print page links to, such as its running
    /// headers: for Chromium (`viewer` None), which has no session, with a
    /// pass of its own for exactly that path; for a user, the bare path.
    pub fn linked(&self, path: &str, viewer: &Option<CurrentUser>) -> String {
        match viewer {
            Some(_) => path.to_string(),
            None => format!("{path}?print_pass={}", self.issue_pass(path)),
        }
    }

    pub fn pdf_available(&self) -> bool {
        self.chromium.as_deref().is_some_and(pdf::is_executable)
    }

    /// Prints one of this app's pages (`path` starts with `/`) to PDF, off the
    /// async threads: Chromium requests the page from this very server.
    pub async fn print(&self, path: &str) -> Result<Vec<u8>, PdfError> {
        let Some(chromium) = self.chromium.clone().filter(|p| pdf::is_executable(p)) else {
            return Err(PdfError::Missing(
                self.chromium
                    .as_ref()
                    .map_or("（未設定）".into(), |p| p.display().to_string()),
            ));
        };
        // Chromium opens the page with a pass instead of the user's session.
        let bare = path.split('?').next().unwrap_or(path);
        let token = self.issue_pass(bare);
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = format!("{}{path}{sep}print_pass={token}", self.base_url);
        web::block(move || pdf::print_to_pdf(&chromium, &url, pdf::TIMEOUT))
            .await
            .map_err(|e| PdfError::Failed(e.to_string()))?
    }
}

#[derive(Deserialize)]
struct PassQuery {
    print_pass: Option<String>,
}

/// True when the request comes from this machine (where Chromium runs).
fn is_loopback(req: &HttpRequest) -> bool {
    req.peer_addr().is_some_and(|a| a.ip().is_loopback())
}

/// Who is looking at a print page (or a file it links to): a logged-in user,
/// or Chromium with a pass for exactly this path (from this machine only),
/// which gives None. Anyone else is asked to log in.
pub async fn print_viewer(
    req: &HttpRequest,
    maybe: MaybeUser,
    settings: &PrintSettings,
) -> Result<Option<CurrentUser>, AppError> {
    let pass = web::Query::<PassQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().print_pass);
    if let Some(token) = pass {
        if is_loopback(req) && settings.accepts(&token, req.path()) {
            return Ok(None);
        }
    }
    maybe.user.map(Some).ok_or_else(|| AppError::LoginRequired {
        next: req
            .uri()
            .path_and_query()
            .map_or("/".into(), |p| p.to_string()),
        expired: maybe.expired,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_opens_only_its_own_path() {
        let settings = PrintSettings::new(None, "0.0.0.0:8080".parse().unwrap());
        assert_eq!(settings.base_url, "http://127.0.0.1:8080");
        let token = settings.issue_pass("/sheets/1/print");
        assert!(settings.accepts(&token, "/sheets/1/print"));
        assert!(!settings.accepts(&token, "/sheets/2/print"));
        assert!(!settings.accepts("guess", "/sheets/1/print"));
        assert!(!settings.pdf_available());
    }

    #[test]
    fn chromium_gets_a_pass_for_exactly_the_linked_file() {
        let settings = PrintSettings::new(None, "127.0.0.1:8080".parse().unwrap());
        let css = "/sheets/1/pages.css";
        let href = settings.linked(css, &None);
        let token = href
            .strip_prefix("/sheets/1/pages.css?print_pass=")
            .unwrap();
        assert!(settings.accepts(token, css));
        assert!(!settings.accepts(token, "/sheets/1/print"));
    }
}
