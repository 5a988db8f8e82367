//! Who posted a form on a sheet, and what happens to the form when that
//! session has ended: it is kept (see `app::draft`) only when the post
//! carries this server's own session cookie — of a session that existed,
//! even if it has timed out — and the CSRF token that session had. Anyone
//! else is sent to log in, alike whether the sheet exists or not.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse};

use super::csrf::{csrf_posted, session_token, token_matches};
use super::error::encode_query;
use super::form::field;
use super::session::MaybeUser;
use super::{run_use_case, see_other, AppError, CurrentUser};
use crate::app::draft::{keep, Kept};
use crate::db::DbPool;
use crate::domain::ids::{SheetId, UserId};
use crate::domain::permission::Action;

/// The key under which `session::start` keeps the user id (a test below
/// ties the two together).
const USER_ID: &str = "uid";

const DRAFTS_FULL: &str = "セッションの有効期限が切れました。一時保管できる入力内容の数が上限に達しているため、今回の入力内容は保管できませんでした。ブラウザの「戻る」で入力内容を控えてから、もう一度ログインしてください。";

/// What the session cookie claimed before its timeouts were checked: the
/// user and the CSRF token it was given at login. The cookie is encrypted
/// and signed with the server's key, so a user id in it was put there by
/// this server.
struct SessionClaim {
    user_id: Option<UserId>,
    csrf: Option<String>,
}

impl SessionClaim {
    fn read(session: &Session) -> Self {
        Self {
            user_id: session.get::<UserId>(USER_ID).ok().flatten(),
            csrf: session_token(session),
        }
    }

    /// The user whose session posted `pairs` with that session's own token.
    fn owner(&self, pairs: &[(String, String)]) -> Option<UserId> {
        let token = self.csrf.as_deref()?;
        let posted = field(pairs, "csrf_token");
        self.user_id.filter(|_| token_matches(token, posted))
    }
}

/// The poster of a form on a sheet: the live session's user, or what an
/// ended session's cookie claimed.
pub struct Poster {
    claim: SessionClaim,
    maybe: MaybeUser,
    session: Session,
}

impl FromRequest for Poster {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let session = req.get_session();
        // Read now: `MaybeUser` purges a timed-out session when it runs.
        let claim = SessionClaim::read(&session);
        let maybe = MaybeUser::from_request(req, payload);
        Box::pin(async move {
            Ok(Poster {
                claim,
                maybe: maybe.await?,
                session,
            })
        })
    }
}

/// A sheet form's post: on which sheet, what it would `action`, and where
/// the user comes back to after logging in again.
pub struct SheetPost<'a> {
    pub sheet_id: SheetId,
    pub action: Action,
    pub pairs: &'a [(String, String)],
    pub back: String,
}

impl Poster {
    /// The logged-in user who posted with the session's token. Without a
    /// live session the answer (`Ok(Err)`) sends the user to log in; the form
    /// is kept for them when the post proves whose it is.
    pub async fn user(
        self,
        pool: &DbPool,
        post: SheetPost<'_>,
    ) -> Result<Result<CurrentUser, HttpResponse>, AppError> {
        let Some(user) = self.maybe.user else {
            let owner = self.claim.owner(post.pairs);
            return keep_for_login(pool, owner, self.maybe.expired, post)
                .await
                .map(Err);
        };
        if !csrf_posted(&self.session, post.pairs) {
            return Err(AppError::Csrf);
        }
        Ok(Ok(user))
    }
}

/// Keeps the form for `owner` and sends them to log in; `back` (with
/// `?draft=`) brings it back afterwards. Without an owner, or when the owner
/// may not work on the sheet (or there is none), nothing is kept and the
/// answer is the login page, as for any post without a login.
async fn keep_for_login(
    pool: &DbPool,
    owner: Option<UserId>,
    expired: bool,
    post: SheetPost<'_>,
) -> Result<HttpResponse, AppError> {
    let login = AppError::LoginRequired {
        next: post.back.clone(),
        expired,
    };
    let Some(owner) = owner else {
        return Err(login);
    };
    let (sheet_id, action) = (post.sheet_id, post.action);
    let pairs = post.pairs.to_vec();
    let kept = run_use_case(pool, move |conn| {
        keep(conn, owner, sheet_id, action, &pairs)
    })
    .await?;
    match kept {
        Kept::Kept(token) => {
            let back = post.back;
            let sep = if back.contains('?') { '&' } else { '?' };
            let next = format!("{back}{sep}draft={token}");
            Ok(see_other(&format!(
                "/login?next={}&expired=1&kept=1",
                encode_query(&next)
            )))
        }
        Kept::NotKept => Err(login),
        Kept::Full => Err(AppError::TooMany(DRAFTS_FULL.into())),
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::super::csrf::csrf_token;
    use super::super::session;
    use super::*;

    #[test]
    fn the_claim_reads_what_login_wrote() {
        let config = crate::config::Config::new("sqlite://unused.db").unwrap();
        let config = actix_web::web::Data::new(config);
        let req = TestRequest::default().app_data(config).to_http_request();
        let session = req.get_session();
        session::start(&req, &session, UserId(7)).unwrap();
        let token = csrf_token(&session);
        let claim = SessionClaim::read(&session);
        assert_eq!(claim.user_id, Some(UserId(7)));
        let posted = |t: &str| vec![("csrf_token".to_string(), t.to_string())];
        assert_eq!(claim.owner(&posted(&token)), Some(UserId(7)));
        assert_eq!(claim.owner(&posted("wrong")), None);
        assert_eq!(claim.owner(&[]), None);
    }

    #[test]
    fn no_cookie_claims_no_one() {
        let req = TestRequest::default().to_http_request();
        let claim = SessionClaim::read(&req.get_session());
        assert_eq!(claim.owner(&[("csrf_token".into(), String::new())]), None);
    }
}
