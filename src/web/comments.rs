//! Comments on the sheet page: the thread grouped by field, the form to
//! write one, replies and 解決済. A refused comment re-shows the sheet page
//! with the text still in the box.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::csrf::CsrfForm;
use super::{run_use_case, see_other, AppError, CurrentUser};
use crate::app::comment::{self, CommentInput, CommentOutcome};
use crate::app::sheet::{self as sheet_use_case, EditContext};
use crate::db::comment::CommentRow;
use crate::db::DbPool;
use crate::domain::field::Field;
use crate::domain::fiscal_year::wareki_datetime;
use crate::domain::ids::{CommentId, SheetId};
use crate::domain::permission::{authorize, Action, Actor, Role};
use crate::report::view::Text;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sheets/{id}/comments", web::post().to(post))
        .route(
            "/sheets/{id}/comments/{comment}/resolve",
            web::post().to(resolve),
        );
}

/// The anchor of a field's comments on the sheet page.
const WHOLE_SHEET: &str = "sheet";

pub struct Reply {
    pub author: String,
    pub at: String,
    pub body: Text,
}

pub struct Item {
    pub id: CommentId,
    pub author: String,
    pub at: String,
    pub body: Text,
    pub resolved: bool,
    pub can_resolve: bool,
    pub replies: Vec<Reply>,
    /// What was typed in this thread's reply box (after a refusal).
    pub reply_typed: String,
}

pub struct Group {
    pub anchor: String,
    pub label: String,
    pub items: Vec<Item>,
}

pub struct FieldOption {
    pub key: String,
    pub label: String,
    pub selected: bool,
}

/// What the comment form had when it was refused.
#[derive(Default, Clone)]
pub struct Typed {
    pub field: String,
    pub parent: Option<CommentId>,
    pub body: String,
    pub error: Option<String>,
}

/// The thread on a sheet page.
#[derive(Default)]
pub struct CommentsView {
    pub can_comment: bool,
    pub groups: Vec<Group>,
    pub fields: Vec<FieldOption>,
    /// The new-comment box (not a reply).
    pub body: String,
    pub error: Option<String>,
    /// Comments and replies per field key, for the counts beside the fields.
    pub counts: HashMap<String, usize>,
}

impl CommentsView {
    pub fn count(&self, key: &str) -> usize {
        self.counts.get(key).copied().unwrap_or(0)
    }
}

fn author(c: &CommentRow) -> String {
    let side = match c.author_role {
        Role::Staff => "所管課",
        Role::Hq | Role::Admin => "推進本部事務局",
    };
    format!("{}（{side}）", c.author_name)
}

pub fn build(
    actor: &Actor,
    ctx: &EditContext,
    rows: Vec<CommentRow>,
    typed: Typed,
) -> CommentsView {
    let access = ctx.access();
    let year = ctx.sheet.fiscal_year;
    let can_comment = authorize(actor, Action::Comment, Some(&access)).is_ok();
    let resolve_any = authorize(actor, Action::ResolveAnyComment, Some(&access)).is_ok();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for c in &rows {
        *counts
            .entry(c.field.clone().unwrap_or_else(|| WHOLE_SHEET.into()))
            .or_default() += 1;
    }
    let (tops, replies): (Vec<_>, Vec<_>) = rows.into_iter().partition(|c| c.parent_id.is_none());
    let mut groups: Vec<Group> = Vec::new();
    for c in tops {
        let key = c.field.clone().unwrap_or_else(|| WHOLE_SHEET.into());
        let item = Item {
            id: c.id,
            author: author(&c),
            at: wareki_datetime(c.created_at),
            body: Text::new(&c.body),
            resolved: c.resolved_at.is_some(),
            can_resolve: c.resolved_at.is_none()
                && (resolve_any || (can_comment && c.author_id == actor.user_id)),
            replies: replies
                .iter()
                .filter(|r| r.parent_id == Some(c.id))
                .map(|r| Reply {
                    author: author(r),
                    at: wareki_datetime(r.created_at),
                    body: Text::new(&r.body),
                })
                .collect(),
            reply_typed: if typed.parent == Some(c.id) {
                typed.body.clone()
            } else {
                String::new()
            },
        };
        match groups.iter_mut().find(|g| g.anchor == key) {
            Some(g) => g.items.push(item),
            None => groups.push(Group {
                label: comment::place(c.field.as_deref(), year),
                anchor: key,
                items: vec![item],
            }),
        }
    }
    // Fields in the sheet's order, the whole sheet first.
    groups.sort_by_key(|g| Field::from_key(&g.anchor));
    let fields = std::iter::once((WHOLE_SHEET.to_string(), "評価票全体".to_string()))
        .chain(Field::all().map(|f| (f.key().to_string(), f.label(year))))
        .map(|(key, label)| FieldOption {
            selected: key == typed.field,
            key,
            label,
        })
        .collect();
    let (body, error) = if typed.parent.is_none() {
        (typed.body, typed.error)
    } else {
        (String::new(), typed.error)
    };
    CommentsView {
        can_comment,
        groups,
        fields,
        body,
        error,
        counts,
    }
}

/// Loads a sheet's thread for its page.
pub async fn load(
    pool: &DbPool,
    user: &CurrentUser,
    ctx: &EditContext,
    typed: Typed,
) -> Result<CommentsView, AppError> {
    let (actor, id, access) = (user.actor.clone(), ctx.sheet.id, ctx.access());
    let rows = run_use_case(pool, move |conn| comment::list(conn, &actor, id, &access)).await?;
    Ok(build(&user.actor, ctx, rows, typed))
}

async fn post(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<SheetId>,
    posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let parent = match posted.get("parent") {
        "" => None,
        p => Some(
            p.parse()
                .map_err(|_| AppError::BadRequest("返信先の指定が正しくありません".into()))?,
        ),
    };
    let field_key = posted.get("field").to_string();
    let field = match field_key.as_str() {
        "" | WHOLE_SHEET => None,
        key => Some(
            Field::from_key(key)
                .ok_or_else(|| AppError::BadRequest("項目の指定が正しくありません".into()))?,
        ),
    };
    let input = CommentInput {
        field,
        parent,
        body: posted.get("body").to_string(),
    };
    let actor = user.actor.clone();
    let typed_input = input.clone();
    let outcome = run_use_case(&pool, move |conn| {
        let outcome = comment::post(conn, &actor, id, &typed_input)?;
        let ctx = match outcome {
            CommentOutcome::Posted(_) => None,
            CommentOutcome::Invalid(_) => Some(sheet_use_case::visible(
                conn,
                &actor,
                id,
                Action::ViewSheet,
            )?),
        };
        Ok((outcome, ctx))
    })
    .await?;
    match outcome {
        (CommentOutcome::Posted(c), _) => Ok(see_other(&format!("/sheets/{id}#comment-{c}"))),
        (CommentOutcome::Invalid(message), Some(ctx)) => {
            let typed = Typed {
                field: field_key,
                parent,
                body: input.body,
                error: Some(message),
            };
            super::sheets::render_with(
                &pool,
                &user,
                ctx,
                typed,
                Default::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        (CommentOutcome::Invalid(_), None) => Err(AppError::NotFound),
    }
}

async fn resolve(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<(SheetId, CommentId)>,
    _posted: CsrfForm,
) -> Result<HttpResponse, AppError> {
    let (id, comment_id) = path.into_inner();
    let actor = user.actor.clone();
    run_use_case(&pool, move |conn| {
        comment::resolve(conn, &actor, id, comment_id)
    })
    .await?;
    Ok(see_other(&format!("/sheets/{id}#comment-{comment_id}")))
}
