//! The administrator's accounts: search and filter, add with a one-time
//! password, change role, department and e-mail, reset a password. (The
//! on/off switch and login locks post to `admin`.)

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::csrf::CsrfForm;
use super::error::{page, page_with_status};
use super::{require_page, run_use_case, see_other, with_conn, AppError, CurrentUser, Nav};
use crate::app::account::AccountInput;
use crate::app::{self, Refusal};
use crate::db::user::{UserFilter, UserListing};
use crate::db::{self, DbPool};
use crate::domain::ids::{DepartmentId, UserId};
use crate::domain::permission::{Action, Role};

/// Length of the one-time password an administrator hands over.
const ONE_TIME_LEN: usize = 12;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/users", web::get().to(list))
        .route("/admin/users/new", web::get().to(new_form))
        .route("/admin/users/new", web::post().to(create))
        .route("/admin/users/{id}", web::get().to(edit_form))
        .route("/admin/users/{id}", web::post().to(update))
        .route("/admin/users/{id}/reset", web::post().to(reset));
}

/// (id, name) of the departments offered in a select.
type Options = Vec<(DepartmentId, String)>;

async fn departments(pool: &DbPool, only_active: bool) -> Result<Options, AppError> {
    let all = with_conn(pool, db::department::all).await?;
    Ok(all
        .into_iter()
        .filter(|d| d.active || !only_active)
        .map(|d| (d.id, d.name))
        .collect())
}

#[derive(Deserialize, Default)]
struct Search {
    q: Option<String>,
    role: Option<String>,
    department: Option<String>,
    active: Option<String>,
}

struct LockView {
    key: String,
    what: String,
    failures: i32,
    locked_until: String,
    locked: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    nav: Option<Nav>,
    csrf: String,
    users: Vec<UserListing>,
    locks: Vec<LockView>,
    departments: Options,
    q: String,
    role: String,
    department: String,
    active: String,
    roles: [Role; 3],
}

async fn list(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<Search>,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManageUsers)?;
    let query = query.into_inner();
    let filter = UserFilter {
        text: query.q.clone().unwrap_or_default().trim().to_string(),
        role: query.role.as_deref().and_then(Role::from_code),
        department_id: query.department.as_deref().and_then(|d| d.parse().ok()),
        active: match query.active.as_deref() {
            Some("1") => Some(true),
            Some("0") => Some(false),
            _ => None,
        },
    };
    let (users, locks) = with_conn(&pool, move |conn| {
        Ok((db::user::search(conn, &filter)?, db::throttle::list(conn)?))
    })
    .await?;
    let now = db::now();
    page(&UsersPage {
        nav: Nav::of(&user),
        csrf: user.csrf.clone(),
        users,
        locks: locks
            .into_iter()
            .map(|l| LockView {
                what: match l.key.split_once(':') {
                    Some(("login", id)) => format!("ログインID {id}"),
                    Some(("addr", a)) => format!("接続元 {a}"),
                    _ => l.key.clone(),
                },
                key: l.key,
                failures: l.failures,
                locked: l.locked_until.is_some_and(|t| t > now),
                locked_until: l
                    .locked_until
                    .map_or(String::new(), |t| t.format("%Y-%m-%d %H:%M").to_string()),
            })
            .collect(),
        departments: departments(&pool, false).await?,
        q: query.q.unwrap_or_default(),
        role: query.role.unwrap_or_default(),
        department: query.department.unwrap_or_default(),
        active: query.active.unwrap_or_default(),
        roles: Role::ALL,
    })
}

#[derive(Template)]
#[template(path = "admin/user_form.html")]
struct UserForm {
    nav: Option<Nav>,
    csrf: String,
    /// None: a new account.
    id: Option<UserId>,
    login: String,
    name: String,
    role: String,
    department: String,
    email: String,
    active: bool,
    must_change_password: bool,
    departments: Options,
    roles: [Role; 3],
    refusal: Option<Refusal>,
}

impl UserForm {
    fn error(&self, field: &str) -> Option<&str> {
        self.refusal
            .as_ref()
            .filter(|r| r.field == field)
            .map(|r| r.message.as_str())
    }
}

fn posted_input(form: &CsrfForm) -> AccountInput {
    AccountInput {
        login: form.get("login").trim().to_string(),
        name: form.get("name").trim().to_string(),
        role: Role::from_code(form.get("role")),
        department_id: form.get("department").parse().ok(),
        email: form.get("email").trim().to_string(),
    }
}

async fn show_form(
    user: &CurrentUser,
    pool: &DbPool,
    form: UserForm,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let form = UserForm {
        nav: Nav::of(user),
        csrf: user.csrf.clone(),
        departments: departments(pool, true).await?,
        ..form
    };
    page_with_status(&form, status)
}

fn blank_form() -> UserForm {
    UserForm {
        nav: None,
        csrf: String::new(),
        id: None,
        login: String::new(),
        name: String::new(),
        role: String::new(),
        department: String::new(),
        email: String::new(),
        active: true,
        must_change_password: false,
        departments: Vec::new(),
        roles: Role::ALL,
        refusal: None,
    }
}

async fn new_form(user: CurrentUser, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManageUsers)?;
    show_form(&user, &pool, blank_form(), StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "admin/one_time.html")]
struct OneTimePage {
    nav: Option<Nav>,
    login: String,
    password: String,
    created: bool,
}

async fn one_time_hash() -> Result<(String, String), AppError> {
    let password = crate::password::random_password(ONE_TIME_LEN);
    let typed = password.clone();
    let hash = actix_web::rt::task::spawn_blocking(move || crate::password::hash(&typed))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    Ok((password, hash))
}

/// The one-time password is shown once, on this answer, never stored in
/// clear nor shown again (a reload asks to post again).
fn show_one_time(
    user: &CurrentUser,
    login: String,
    password: String,
    created: bool,
) -> Result<HttpResponse, AppError> {
    page(&OneTimePage {
        nav: Nav::of(user),
        login,
        password,
        created,
    })
}

async fn create(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManageUsers)?;
    let input = posted_input(&form);
    let (password, hash) = one_time_hash().await?;
    let (actor, made) = (user.actor.clone(), input.clone());
    let result = run_use_case(&pool, move |conn| {
        app::account::add_account(conn, &actor, &made, &hash)
    })
    .await?;
    match result {
        Ok(_) => show_one_time(&user, input.login, password, true),
        Err(refusal) => {
            let again = UserForm {
                login: input.login,
                name: input.name,
                role: form.get("role").to_string(),
                department: form.get("department").to_string(),
                email: input.email,
                refusal: Some(refusal),
                ..blank_form()
            };
            show_form(&user, &pool, again, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn edit_form(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<UserId>,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManageUsers)?;
    let id = path.into_inner();
    let row = with_conn(&pool, move |conn| db::user::find(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    let form = UserForm {
        id: Some(id),
        login: row.login,
        name: row.display_name,
        role: row.role.code().to_string(),
        department: row.department_id.map_or(String::new(), |d| d.to_string()),
        email: row.email.unwrap_or_default(),
        active: row.active,
        must_change_password: row.must_change_password,
        ..blank_form()
    };
    show_form(&user, &pool, form, StatusCode::OK).await
}

async fn update(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<UserId>,
    form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManageUsers)?;
    let id = path.into_inner();
    let input = posted_input(&form);
    let actor = user.actor.clone();
    let email = input.email.clone();
    let result = run_use_case(&pool, move |conn| {
        app::account::update_account(conn, &actor, id, input.role, input.department_id, &email)
    })
    .await?;
    if let Err(refusal) = result {
        let row = with_conn(&pool, move |conn| db::user::find(conn, id))
            .await?
            .ok_or(AppError::NotFound)?;
        let again = UserForm {
            id: Some(id),
            login: row.login,
            name: row.display_name,
            role: form.get("role").to_string(),
            department: form.get("department").to_string(),
            email: input.email,
            active: row.active,
            must_change_password: row.must_change_password,
            refusal: Some(refusal),
            ..blank_form()
        };
        return show_form(&user, &pool, again, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    Ok(see_other("/admin/users"))
}

async fn reset(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<UserId>,
    _form: CsrfForm,
) -> Result<HttpResponse, AppError> {
    require_page(&user, Action::ManageUsers)?;
    let id = path.into_inner();
    let (password, hash) = one_time_hash().await?;
    let actor = user.actor.clone();
    let login = run_use_case(&pool, move |conn| {
        app::account::reset_password(conn, &actor, id, &hash)
    })
    .await?;
    show_one_time(&user, login, password, false)
}
