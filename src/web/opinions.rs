//! 推進委員会意見 on the sheet page: HQ records the committee's opinion, the
//! department writes its reply (対応・今後の方針), HQ closes it. A refused
//! post re-shows the sheet page with the text still in its box.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::csrf::CsrfForm;
use super::{run_use_case, see_other, AppError, CurrentUser};
use crate::app::opinion;
use crate::app::sheet::{self as sheet_use_case, EditContext};
use crate::db::DbPool;
use crate::domain::fiscal_year::wareki_datetime;
use crate::domain::ids::{OpinionId, SheetId};
use crate::domain::permission::{authorize, Action, Actor};
use crate::report::view::Text;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sheets/{id}/opinions", web::post().to(record))
        .route(
            "/sheets/{id}/opinions/{opinion}/reply",
            web::post().to(reply),
        )
        .route(
            "/sheets/{id}/opinions/{opinion}/close",
            web::post().to(close),
        );
}

pub struct Item {
    pub id: OpinionId,
    pub at: String,
    pub opinion: Text,
    pub reply: Text,
    /// No reply written yet (「未記入」).
    pub reply_empty: bool,
    /// The reply box's text: the stored reply, or what was typed.
    pub reply_value: String,
    pub closed: bool,
    pub can_reply: bool,
    pub can_close: bool,
}

/// What was typed when a post was refused.
#[derive(Default, Clone)]
pub struct Typed {
    /// Which opinion's reply (None: a new opinion).
    pub reply_to: Option<OpinionId>,
    pub text: String,
    pub error: Option<String>,
}

#[derive(Default)]
pub struct OpinionsView {
    pub visible: bool,
    pub can_record: bool,
    pub items: Vec<Item>,
    /// The new-opinion box.
    pub text: String,
    pub error: Option<String>,
}

pub fn build(
    actor: &Actor,
    ctx: &EditContext,
    rows: Vec<crate::db::opinion::OpinionRow>,
    typed: Typed,
) -> OpinionsView {
    let access = ctx.access();
    let can_record = authorize(actor, Action::RecordOpinion, Some(&access)).is_ok();
    // The reply follows the round rules: only while a round is open.
    let may_reply =
        ctx.round.is_some() && authorize(actor, Action::ReplyOpinion, Some(&access)).is_ok();
    let items = rows
        .into_iter()
        .map(|o| Item {
            reply_value: if typed.reply_to == Some(o.id) {
                typed.text.clone()
            } else {
                o.reply.clone()
            },
            reply_empty: o.reply.trim().is_empty(),
            id: o.id,
            at: wareki_datetime(o.created_at),
            opinion: Text::new(&o.opinion),
            reply: Text::new(&o.reply),
            closed: o.closed,
            can_reply: may_reply && !o.closed,
            can_close: can_record && !o.closed,
        })
        .collect();
    let (text, error) = match typed.reply_to {
        None => (typed.text, typed.error),
        Some(_) => (String::new(), typed.error),
    };
    OpinionsView {
        visible: authorize(actor, Action::ViewOpinions, Some(&access)).is_ok(),
        can_record,
        items,
        text,
        error,
    }
}

/// The sheet page again with what was typed and why it was refused.
async fn refused(
    pool: &DbPool,
    user: &CurrentUser,
    id: SheetId,
    typed: Typed,
) -> Result<HttpResponse, AppError> {
    let actor = user.actor.clone();
    let ctx = run_use_case(pool, move |conn| {
        sheet_use_case::visible(conn, &actor, id, Action::ViewSheet)
    })
    .await?;
    super::sheets::render_with(
        pool,
        user,
        ctx,
        Default::default(),
        typed,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn record(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<SheetId>,
    posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let text = posted.get("opinion").to_string();
    let (actor, typed) = (user.actor.clone(), text.clone());
    let result = run_use_case(&pool, move |conn| opinion::record(conn, &actor, id, &typed)).await?;
    match result {
        Ok(o) => Ok(see_other(&format!("/sheets/{id}#opinion-{o}"))),
        Err(error) => {
            let typed = Typed {
                reply_to: None,
                text,
                error: Some(error),
            };
            refused(&pool, &user, id, typed).await
        }
    }
}

async fn reply(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<(SheetId, OpinionId)>,
    posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let (id, o) = path.into_inner();
    let text = posted.get("reply").to_string();
    let (actor, typed) = (user.actor.clone(), text.clone());
    let result = run_use_case(&pool, move |conn| {
        opinion::reply(conn, &actor, id, o, &typed)
    })
    .await?;
    match result {
        Ok(()) => Ok(see_other(&format!("/sheets/{id}#opinion-{o}"))),
        Err(error) => {
            let typed = Typed {
                reply_to: Some(o),
                text,
                error: Some(error),
            };
            refused(&pool, &user, id, typed).await
        }
    }
}

async fn close(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<(SheetId, OpinionId)>,
    _posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let (id, o) = path.into_inner();
    let actor = user.actor.clone();
    run_use_case(&pool, move |conn| opinion::close(conn, &actor, id, o)).await?;
    Ok(see_other(&format!("/sheets/{id}#opinion-{o}")))
}
