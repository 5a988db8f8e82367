//! One browser (its own cookies) and what a user does with it, one helper
//! per route. Every helper returns the response; asserting is the test's job.

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::{RequestBuilder, Response};

use super::html::{attr_of, csrf_of, text_of, Form};

/// The edit form on `/sheets/{id}/edit`.
pub const EDIT_FORM: &str = "form.sheet-form";

pub struct Client {
    address: String,
    http: reqwest::Client,
    cookies: Arc<Jar>,
}

impl Client {
    /// A new browser for the app at `address` (`http://127.0.0.1:port`).
    pub fn new(address: &str) -> Self {
        Self::build(address, None, Arc::default())
    }

    /// A new browser that names itself `user_agent`.
    pub fn with_user_agent(address: &str, user_agent: &str) -> Self {
        Self::build(address, Some(user_agent), Arc::default())
    }

    fn build(address: &str, user_agent: Option<&str>, cookies: Arc<Jar>) -> Self {
        let mut http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // The server drops a keep-alive connection after 5 idle seconds;
            // reusing one just then fails with IncompleteMessage on a loaded
            // machine. Dropping idle connections first makes that impossible.
            .pool_idle_timeout(std::time::Duration::from_secs(1))
            .cookie_provider(cookies.clone());
        if let Some(agent) = user_agent {
            http = http.user_agent(agent);
        }
        Self {
            address: address.trim_end_matches('/').to_string(),
            http: http.build().expect("client"),
            cookies,
        }
    }

    /// Another browser holding a copy of this one's cookies as they are now
    /// (what someone who copied the cookie has), talking to the app at
    /// `address` (this one's, or another server's on the same database).
    pub fn cookie_copy_for(&self, address: &str) -> Client {
        let copy = Self::new(address);
        let url = self.address.parse().expect("url");
        for pair in self.cookie_pairs() {
            copy.cookies.add_cookie_str(&pair, &url);
        }
        copy
    }

    /// A copy of this browser's cookies, for the same app.
    pub fn cookie_copy(&self) -> Client {
        self.cookie_copy_for(&self.address)
    }

    /// The value of this browser's cookie `name`, as the server set it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookie_pairs().into_iter().find_map(|pair| {
            let (n, v) = pair.split_once('=')?;
            (n == name).then(|| v.to_string())
        })
    }

    /// Sets a cookie as if the server had (a cookie made by the test).
    pub fn set_cookie(&self, name: &str, value: &str) {
        let url = self.address.parse().expect("url");
        self.cookies
            .add_cookie_str(&format!("{name}={value}"), &url);
    }

    fn cookie_pairs(&self) -> Vec<String> {
        let url = self.address.parse().expect("url");
        let Some(header) = self.cookies.cookies(&url) else {
            return Vec::new();
        };
        let header = header.to_str().expect("cookie header").to_string();
        header.split("; ").map(str::to_string).collect()
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    // ---- plain requests ----

    pub async fn get(&self, path: &str) -> Response {
        self.http.get(self.url(path)).send().await.expect("request")
    }

    /// The status of a GET.
    pub async fn status_of(&self, path: &str) -> u16 {
        self.get(path).await.status().as_u16()
    }

    /// GET a page that must answer 200; returns its HTML.
    pub async fn page(&self, path: &str) -> String {
        let resp = self.get(path).await;
        assert_eq!(resp.status().as_u16(), 200, "GET {path}");
        resp.text().await.expect("body")
    }

    /// The visible text of a page that must answer 200, whitespace squashed.
    pub async fn page_text(&self, path: &str) -> String {
        text_of(&self.page(path).await)
    }

    /// A POST request as this browser's pages send it (with an Origin
    /// header), for a test that sets the body or headers itself.
    pub fn post_request(&self, path: &str) -> RequestBuilder {
        self.http
            .post(self.url(path))
            .header("Origin", self.address.clone())
    }

    /// A POST without an Origin or Referer header (as a script would send it).
    pub fn bare_post_request(&self, path: &str) -> RequestBuilder {
        self.http.post(self.url(path))
    }

    /// POSTs form fields as a browser would.
    pub async fn post_form<K, V>(&self, path: &str, fields: &[(K, V)]) -> Response
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_ref(), v.as_ref()))
            .collect();
        self.post_request(path)
            .form(&pairs)
            .send()
            .await
            .expect("request")
    }

    /// POSTs a multipart form with `fields` and one file (`file` field), as a
    /// browser's file upload sends it.
    pub async fn post_file(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: &[u8],
    ) -> Response {
        let boundary = "----hyokaTestBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.post_request(path)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// The CSRF token of this browser's session, from the page at `path`.
    pub async fn csrf(&self, path: &str) -> String {
        csrf_of(&self.page(path).await)
    }

    /// The CSRF token of this (logged-in) session, from the home page.
    pub async fn csrf_token(&self) -> String {
        self.csrf("/").await
    }

    /// POSTs `fields` with this session's CSRF token, taken from `page` as a
    /// browser would.
    pub async fn post_from_page(
        &self,
        page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let token = self.csrf(page).await;
        let mut form = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        self.post_form(path, &form).await
    }

    // ---- login ----

    pub async fn login(&self, login: &str, password: &str) -> Response {
        self.login_then(login, password, "/").await
    }

    /// Logs in from the login page, asking to go to `next` afterwards.
    pub async fn login_then(&self, login: &str, password: &str, next: &str) -> Response {
        self.login_from("/login", login, password, next).await
    }

    /// Logs in with the form of the login page at `login_page` (e.g. the one
    /// an expired session was sent to).
    pub async fn login_from(
        &self,
        login_page: &str,
        login: &str,
        password: &str,
        next: &str,
    ) -> Response {
        let fields = [("login", login), ("password", password), ("next", next)];
        self.post_from_page(login_page, "/login", &fields).await
    }

    /// Logs in and expects success.
    pub async fn login_ok(&self, login: &str, password: &str) {
        let resp = self.login(login, password).await;
        assert_eq!(resp.status().as_u16(), 303, "login {login}");
    }

    pub async fn logout(&self) -> Response {
        self.post_from_page("/", "/logout", &[]).await
    }

    // ---- the sheet's edit form ----

    /// The edit form of sheet `id` as the page fills it.
    pub async fn edit_form(&self, id: i32) -> Form {
        Form::from_page(&self.page(&format!("/sheets/{id}/edit")).await, EDIT_FORM)
    }

    /// Posts the edit form as it is (its `op` says which button).
    pub async fn post_edit(&self, id: i32, form: &Form) -> Response {
        self.post_form(&format!("/sheets/{id}/edit"), form.pairs())
            .await
    }

    /// Posts the edit form with the button `op` pressed (`save`, `submit`,
    /// `add_action`, `up_action:1`…).
    /// Pressing 提出 means its confirmation box was ticked first.
    pub async fn press(&self, id: i32, form: &Form, op: &str) -> Response {
        let mut form = form.clone().with("op", op);
        if op == "submit" {
            form.set("confirm", "1");
        }
        self.post_edit(id, &form).await
    }

    /// 一時保存.
    pub async fn save_sheet(&self, id: i32, form: &Form) -> Response {
        self.press(id, form, "save").await
    }

    /// 提出.
    pub async fn submit_sheet(&self, id: i32, form: &Form) -> Response {
        self.press(id, form, "submit").await
    }

    /// Opens the edit form, types `fields`, presses `op`.
    pub async fn fill_and_press(&self, id: i32, fields: &[(&str, &str)], op: &str) -> Response {
        let mut form = self.edit_form(id).await;
        for (k, v) in fields {
            form.set(k, v);
        }
        self.press(id, &form, op).await
    }

    /// Opens the edit form, types `fields`, saves.
    pub async fn fill_and_save(&self, id: i32, fields: &[(&str, &str)]) -> Response {
        self.fill_and_press(id, fields, "save").await
    }

    /// Opens the edit form, types `fields`, submits.
    pub async fn fill_and_submit(&self, id: i32, fields: &[(&str, &str)]) -> Response {
        self.fill_and_press(id, fields, "submit").await
    }

    // ---- HQ's review ----

    /// Presses review button `op` on the sheet page (its token and version),
    /// with `fields` (`reason`, `hq_evaluation`, `hq_comment`).
    pub async fn review(&self, id: i32, op: &str, fields: &[(&str, &str)]) -> Response {
        let html = self.page(&format!("/sheets/{id}")).await;
        let token = csrf_of(&html);
        let version = attr_of(&html, "form.review-form input[name=version]", "value")
            .unwrap_or_else(|| "0".into());
        let mut form = vec![
            ("csrf_token", token.as_str()),
            ("op", op),
            ("version", version.as_str()),
        ];
        form.extend_from_slice(fields);
        self.post_review(id, &form).await
    }

    /// Posts the review form with exactly `fields` (token and version included).
    pub async fn post_review(&self, id: i32, fields: &[(&str, &str)]) -> Response {
        self.post_form(&format!("/sheets/{id}/review"), fields)
            .await
    }

    /// 差し戻し, with the reason the department will read.
    pub async fn return_sheet(&self, id: i32, reason: &str) -> Response {
        self.review(id, "return", &[("reason", reason)]).await
    }

    /// 確認 (上半期).
    pub async fn confirm_sheet(&self, id: i32) -> Response {
        self.review(id, "confirm", &[]).await
    }

    /// 評価 (年度末): 推進本部評価 from the list, and a comment.
    pub async fn evaluate_sheet(&self, id: i32, evaluation: &str, comment: &str) -> Response {
        let fields = [("hq_evaluation", evaluation), ("hq_comment", comment)];
        self.review(id, "evaluate", &fields).await
    }

    /// 確定.
    pub async fn finalize_sheet(&self, id: i32) -> Response {
        self.review(id, "finalize", &[("confirm", "1")]).await
    }

    /// 再開, with a reason.
    pub async fn reopen_sheet(&self, id: i32, reason: &str) -> Response {
        self.review(id, "reopen", &[("reason", reason), ("confirm", "1")])
            .await
    }

    // ---- comments ----

    /// Writes a comment on sheet `id`, pinned to `field` (a field key, or
    /// `sheet` for the whole sheet).
    pub async fn comment(&self, id: i32, field: &str, body: &str) -> Response {
        let page = format!("/sheets/{id}");
        let path = format!("/sheets/{id}/comments");
        self.post_from_page(&page, &path, &[("field", field), ("body", body)])
            .await
    }

    /// Answers comment `parent` on sheet `id`.
    pub async fn reply(&self, id: i32, parent: i32, body: &str) -> Response {
        let (page, path) = (format!("/sheets/{id}"), format!("/sheets/{id}/comments"));
        let parent = parent.to_string();
        self.post_from_page(&page, &path, &[("parent", parent.as_str()), ("body", body)])
            .await
    }

    pub async fn resolve_comment(&self, id: i32, comment: i32) -> Response {
        let path = format!("/sheets/{id}/comments/{comment}/resolve");
        self.post_from_page("/", &path, &[]).await
    }

    // ---- HQ's and the administrator's settings ----

    /// Opens (or re-opens with a new deadline) a round: `kind` is `h1` or `year_end`.
    pub async fn open_round(&self, year: i32, kind: &str, deadline: &str) -> Response {
        let year = year.to_string();
        let fields = [
            ("year", year.as_str()),
            ("kind", kind),
            ("deadline", deadline),
        ];
        self.post_from_page("/rounds", "/rounds/open", &fields)
            .await
    }

    /// Adds a value to a dropdown list (`progress`, `evaluation`…).
    pub async fn add_choice(&self, list: &str, value: &str) -> Response {
        let fields = [("list", list), ("value", value)];
        self.post_from_page("/choices", "/choices/add", &fields)
            .await
    }

    /// Activates (`true`) or deactivates an account from the users page.
    pub async fn set_user_active(&self, user_id: i32, active: bool) -> Response {
        let path = format!("/admin/users/{user_id}/active");
        let active = if active { "1" } else { "0" };
        self.post_from_page("/admin/users", &path, &[("active", active)])
            .await
    }

    // ---- one's own sessions ----

    /// 「他の端末をすべてログアウト」 on the sessions page.
    pub async fn end_other_sessions(&self) -> Response {
        self.post_from_page("/sessions", "/sessions/end-others", &[])
            .await
    }

    /// Lifts a login lock (`key` as on the users page, e.g. `login:shokuin`).
    pub async fn unlock(&self, key: &str) -> Response {
        self.post_from_page("/admin/users", "/admin/unlock", &[("key", key)])
            .await
    }
}

/// Where a redirect points.
pub fn location(resp: &Response) -> String {
    resp.headers()["location"]
        .to_str()
        .expect("location")
        .to_string()
}

/// Asserts a 303 to a path starting with `to`.
pub fn assert_redirect(resp: &Response, to: &str) {
    assert_eq!(resp.status().as_u16(), 303, "expected a redirect to {to}");
    let location = location(resp);
    assert!(location.starts_with(to), "{location} is not {to}");
}
