//! The administrator's 所管課 page: list in order, add, rename, merge,
//! deactivate. A refusal is shown at the field with what was typed.

use std::borrow::Borrow;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::csrf::CsrfForm;
use super::error::page_with_status;
use super::{require_page, run_use_case, see_other, with_conn, AppError, CurrentUser, Nav};
use crate::app::{self, Checked, Refusal};
use crate::db::{self, DbPool};
use crate::domain::ids::DepartmentId;
use crate::domain::permission::Action;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/departments", web::get().to(list))
        .route("/admin/departments/add", web::post().to(add))
        .route("/admin/departments/{id}/rename", web::post().to(rename))
        .route("/admin/departments/{id}/merge", web::post().to(merge))
        .route("/admin/departments/{id}/active", web::post().to(set_active))
        .route(
            "/admin/departments/{id}/move",
            web::post().to(move_in_order),
        );
}

struct DepartmentView {
    id: DepartmentId,
    name: String,
    active: bool,
    merged_into: String,
    own: i64,
    related: i64,
}

/// A refused form: which row (None: the add form), and what was typed.
struct Refused {
    row: Option<DepartmentId>,
    refusal: Refusal,
    typed: String,
}

#[derive(Template)]
#[template(path = "admin/departments.html")]
struct DepartmentsPage {
    nav: Option<Nav>,
    csrf: String,
    departments: Vec<DepartmentView>,
    /// (id, name) of active departments, merge targets.
    targets: Vec<(DepartmentId, String)>,
    refused: Option<Refused>,
}

impl DepartmentsPage {
    /// Was the form of `row` (0: the add form) refused at `field`?
    fn refused_at(&self, row: i32, field: &str) -> Option<&Refused> {
        self.refused
            .as_ref()
            .filter(|r| r.row.map_or(0, |id| id.0) == row && r.refusal.field == field)
    }

    /// The message for `field` of `row` (0: the add form), if refused there.
    fn error(&self, row: impl Borrow<i32>, field: &str) -> Option<&str> {
        self.refused_at(*row.borrow(), field)
            .map(|r| r.refusal.message.as_str())
    }

    /// What to show in a row's name input: what was typed when refused.
    fn name_value<'a>(&'a self, row: impl Borrow<i32>, stored: &'a str) -> &'a str {
        self.refused_at(*row.borrow(), "name")
            .map_or(stored, |r| r.typed.as_str())
    }
}

async fn list(user: CurrentUser, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManageDepartments)?;
    render(&user, &pool, None).await
}

async fn render(
    user: &CurrentUser,
    pool: &DbPool,
    refused: Option<Refused>,
) -> Result<HttpResponse, AppError> {
    let rows = with_conn(pool, |conn| {
        let all = db::department::all(conn)?;
        let mut out = Vec::new();
        for d in &all {
            let usage = db::department::usage(conn, d.id)?;
            out.push((d.clone(), usage));
        }
        Ok(out)
    })
    .await?;
    let name_of = |id: DepartmentId| {
        rows.iter()
            .find(|(d, _)| d.id == id)
            .map_or(String::new(), |(d, _)| d.name.clone())
    };
    let departments = rows
        .iter()
        .map(|(d, (own, related))| DepartmentView {
            id: d.id,
            name: d.name.clone(),
            active: d.active,
            merged_into: d.merged_into.map(name_of).unwrap_or_default(),
            own: *own,
            related: *related,
        })
        .collect();
    let targets = rows
        .iter()
        .filter(|(d, _)| d.active)
        .map(|(d, _)| (d.id, d.name.clone()))
        .collect();
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page_with_status(
        &DepartmentsPage {
            nav: Nav::of(user),
            csrf: user.csrf.clone(),
            departments,
            targets,
            refused,
        },
        status,
    )
}

/// After a use case: back to the list, or the list again with the refusal.
async fn done(
    user: &CurrentUser,
    pool: &DbPool,
    row: Option<DepartmentId>,
    typed: String,
    result: Checked<impl Sized>,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(_) => Ok(see_other("/admin/departments")),
        Err(refusal) => {
            let refused = Refused {
                row,
                refusal,
                typed,
            };
            render(user, pool, Some(refused)).await
        }
    }
}

async fn add(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManageDepartments)?;
    let name = form.get("name").to_string();
    let (actor, typed) = (user.actor.clone(), name.clone());
    let result = run_use_case(&pool, move |conn| app::department::add(conn, &actor, &name)).await?;
    done(&user, &pool, None, typed, result).await
}

async fn rename(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<DepartmentId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManageDepartments)?;
    let id = path.into_inner();
    let name = form.get("name").to_string();
    let (actor, typed) = (user.actor.clone(), name.clone());
    let result = run_use_case(&pool, move |conn| {
        app::department::rename(conn, &actor, id, &name)
    })
    .await?;
    done(&user, &pool, Some(id), typed, result).await
}

async fn merge(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<DepartmentId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManageDepartments)?;
    let id = path.into_inner();
    let into = form.get("into").parse::<DepartmentId>().ok();
    let actor = user.actor.clone();
    let result = if form.get("confirm") == "1" {
        run_use_case(&pool, move |conn| {
            app::department::merge(conn, &actor, id, into)
        })
        .await?
    } else {
        Err(Refusal {
            field: "into",
            message: "統合する前に、確認欄にチェックを入れてください".into(),
        })
    };
    done(&user, &pool, Some(id), String::new(), result).await
}

async fn set_active(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<DepartmentId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManageDepartments)?;
    let id = path.into_inner();
    let active = form.get("active") == "1";
    let actor = user.actor.clone();
    let result = run_use_case(&pool, move |conn| {
        app::department::set_active(conn, &actor, id, active)
    })
    .await?;
    done(&user, &pool, Some(id), String::new(), result).await
}

async fn move_in_order(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<DepartmentId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManageDepartments)?;
    let id = path.into_inner();
    let up = form.get("direction") == "up";
    let actor = user.actor.clone();
    run_use_case(&pool, move |conn| {
        app::department::move_in_order(conn, &actor, id, up)
    })
    .await?;
    Ok(see_other("/admin/departments"))
}
