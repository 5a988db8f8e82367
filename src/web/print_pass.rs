//! How headless Chromium, which has no session, opens this server's print
//! pages: a short-lived pass for exactly one path, accepted from this machine
//! only, and issued only after the user's own permission check.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, HttpRequest};
use serde::Deserialize;

use super::session::MaybeUser;
use super::{AppError, CurrentUser};
use crate::domain::ids::UserId;
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
    /// PDFs in the making (queued or printing) per user, at most `per_user`
    /// each: Chromium prints one at a time, so one user's dozen PDFs would
    /// otherwise make everyone else wait behind them.
    making: Arc<Mutex<HashMap<UserId, usize>>>,
    per_user: usize,
}

impl PrintSettings {
    pub fn new(chromium: Option<PathBuf>, listening: SocketAddr, per_user: usize) -> Self {
        let ip = match listening.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        Self {
            chromium,
            base_url: format!("http://{}", SocketAddr::new(ip, listening.port())),
            passes: Mutex::new(HashMap::new()),
            making: Arc::new(Mutex::new(HashMap::new())),
            per_user: per_user.max(1),
        }
    }

    /// A place among `user`'s PDFs in the making, or None when all are taken.
    fn take_place(&self, user: UserId) -> Option<PdfPlace> {
        let mut making = self.making.lock().unwrap_or_else(|e| e.into_inner());
        let count = making.entry(user).or_insert(0);
        if *count >= self.per_user {
            return None;
        }
        *count += 1;
        Some(PdfPlace {
            making: Arc::clone(&self.making),
            user,
        })
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

    /// Prints one of this app's pages (`path` starts with `/`) to PDF for
    /// `user`, off the async threads: Chromium requests the page from this
    /// very server. Refused at once when the user has `per_user` in the making.
    pub async fn print(&self, path: &str, user: UserId) -> Result<pdf::Pdf, PdfError> {
        let Some(chromium) = self.chromium.clone().filter(|p| pdf::is_executable(p)) else {
            return Err(PdfError::Missing(
                self.chromium
                    .as_ref()
                    .map_or("（未設定）".into(), |p| p.display().to_string()),
            ));
        };
        let place = self.take_place(user).ok_or(PdfError::Busy(self.per_user))?;
        // Chromium opens the page with a pass instead of the user's session.
        let bare = path.split('?').next().unwrap_or(path);
        let token = self.issue_pass(bare);
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = format!("{}{path}{sep}print_pass={token}", self.base_url);
        // The place is given back when Chromium is done, not when the
        // request goes away: a user who closes the tab frees nothing early.
        web::block(move || {
            let _place = place;
            pdf::print_to_pdf(&chromium, &url, pdf::TIMEOUT)
        })
        .await
        .map_err(|e| PdfError::Failed(e.to_string()))?
    }
}

/// One of a user's PDFs in the making; dropping it frees the place.
struct PdfPlace {
    making: Arc<Mutex<HashMap<UserId, usize>>>,
    user: UserId,
}

impl Drop for PdfPlace {
    fn drop(&mut self) {
        let mut making = self.making.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = making.get_mut(&self.user) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                making.remove(&self.user);
            }
        }
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
        let settings = PrintSettings::new(None, "0.0.0.0:8080".parse().unwrap(), 2);
        assert_eq!(settings.base_url, "http://127.0.0.1:8080");
        let token = settings.issue_pass("/sheets/1/print");
        assert!(settings.accepts(&token, "/sheets/1/print"));
        assert!(!settings.accepts(&token, "/sheets/2/print"));
        assert!(!settings.accepts("guess", "/sheets/1/print"));
        assert!(!settings.pdf_available());
    }

    #[test]
    fn chromium_gets_a_pass_for_exactly_the_linked_file() {
        let settings = PrintSettings::new(None, "127.0.0.1:8080".parse().unwrap(), 2);
        let css = "/sheets/1/pages.css";
        let href = settings.linked(css, &None);
        let token = href
            .strip_prefix("/sheets/1/pages.css?print_pass=")
            .unwrap();
        assert!(settings.accepts(token, css));
        assert!(!settings.accepts(token, "/sheets/1/print"));
    }

    #[test]
    fn each_user_has_at_most_per_user_pdfs_in_the_making() {
        let settings = PrintSettings::new(None, "127.0.0.1:8080".parse().unwrap(), 2);
        let (a, b) = (UserId(1), UserId(2));
        let first = settings.take_place(a);
        let second = settings.take_place(a);
        assert!(first.is_some() && second.is_some());
        assert!(settings.take_place(a).is_none(), "a third waits for none");
        assert!(
            settings.take_place(b).is_some(),
            "another user is not held up"
        );
        drop(first);
        assert!(
            settings.take_place(a).is_some(),
            "a finished PDF frees its place"
        );
    }
}
