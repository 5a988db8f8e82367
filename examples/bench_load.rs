//! The benchmark's own client (`bench/run.sh` drives it; wrk does the plain
//! GETs). An example, so its dependencies are the dev-dependencies and stay
//! out of the server's build.
//!
//!   bench_load login URL LOGIN PASSWORD
//!       logs in and prints the Cookie header value for wrk
//!   bench_load saves URL PASSWORD SECONDS LOGIN:SHEET... [--second URL]
//!       one editor per LOGIN:SHEET, all at once, each saving its sheet over
//!       and over for SECONDS; prints "saves_per_s conflicts errors p50_ms
//!       p99_ms acked". A conflict (409, someone saved in between) reloads the
//!       form and goes on; anything but 303 or 409 is an error. With
//!       `--second`, every other editor talks to that (second) instance.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use scraper::{Html, Selector};

type Pairs = Vec<(String, String)>;

struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Browser {
    fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            cookie: String::new(),
        }
    }

    fn keep_cookie(&mut self, resp: &reqwest::Response) {
        for v in resp.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap_or("");
            if let Some(pair) = v
                .split(';')
                .next()
                .filter(|p| p.starts_with("hyoka_session="))
            {
                self.cookie = pair.to_string();
            }
        }
    }

    async fn get(&mut self, path: &str) -> (u16, String) {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .header("Cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        self.keep_cookie(&resp);
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap_or_default())
    }

    async fn post(&mut self, path: &str, form: &Pairs) -> u16 {
        let body = form_body(form);
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header("Cookie", &self.cookie)
            .header("Origin", &self.base)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.keep_cookie(&resp);
        let status = resp.status().as_u16();
        let _ = resp.bytes().await;
        status
    }

    async fn login(&mut self, login: &str, password: &str) {
        let (_, html) = self.get("/login").await;
        let mut form = form_of(&html, "form[action='/login']");
        set(&mut form, "login", login);
        set(&mut form, "password", password);
        let status = self.post("/login", &form).await;
        assert_eq!(status, 303, "login {login} refused");
    }
}

/// application/x-www-form-urlencoded, as a browser encodes a form.
fn form_body(form: &Pairs) -> String {
    fn enc(s: &str) -> String {
        let mut out = String::new();
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                    out.push(b as char)
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    }
    form.iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

/// A form's fields as a browser posts them.
fn form_of(html: &str, css: &str) -> Pairs {
    let doc = Html::parse_document(html);
    let Some(form) = doc.select(&sel(css)).next() else {
        panic!("no {css} on the page");
    };
    let mut fields = Vec::new();
    for el in form.select(&sel("input, textarea, select")) {
        let v = el.value();
        let Some(name) = v.attr("name") else { continue };
        let value = match v.name() {
            "textarea" => el.text().collect(),
            "select" => {
                let options: Vec<_> = el.select(&sel("option")).collect();
                options
                    .iter()
                    .find(|o| o.value().attr("selected").is_some())
                    .or(options.first())
                    .map(|o| o.value().attr("value").unwrap_or("").to_string())
                    .unwrap_or_default()
            }
            _ if v.attr("type") == Some("submit") => continue,
            _ if v.attr("type") == Some("checkbox") && v.attr("checked").is_none() => continue,
            _ => v.attr("value").unwrap_or("").to_string(),
        };
        fields.push((name.to_string(), value));
    }
    fields
}

fn set(form: &mut Pairs, name: &str, value: &str) {
    match form.iter_mut().find(|(k, _)| k == name) {
        Some(f) => f.1 = value.to_string(),
        None => form.push((name.to_string(), value.to_string())),
    }
}

#[derive(Default)]
struct Tally {
    acked: u64,
    conflicts: u64,
    errors: u64,
    latencies: Vec<Duration>,
}

/// One editor: saves its sheet until the time is up.
async fn edit(mut b: Browser, login: String, sheet: u32, start: Instant, until: Instant) -> Tally {
    let path = format!("/sheets/{sheet}/edit");
    let form_css = format!("form[action='{path}']");
    let mut tally = Tally::default();
    let mut form = form_of(&b.get(&path).await.1, &form_css);
    tokio::time::sleep_until(start.into()).await;
    let mut n = 0u64;
    while Instant::now() < until {
        n += 1;
        set(&mut form, "op", "save");
        set(
            &mut form,
            "plan_for_year",
            &format!("{login} の {n} 回目の一時保存。業務手順を見直し、関係課と調整した。"),
        );
        let started = Instant::now();
        let status = b.post(&path, &form).await;
        tally.latencies.push(started.elapsed());
        match status {
            303 => {
                tally.acked += 1;
                let version: i32 = form
                    .iter()
                    .find(|(k, _)| k == "version")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                set(&mut form, "version", &(version + 1).to_string());
            }
            409 => {
                tally.conflicts += 1;
                // Reloads the form as a person would; of what it holds only
                // the version differs from this editor's own form (the other
                // editor changed the same field), so it is read without
                // parsing the page: the client's CPU is the server's too.
                let page = b.get(&path).await.1;
                match version_in(&page) {
                    Some(version) => set(&mut form, "version", &version),
                    None => form = form_of(&page, &form_css),
                }
            }
            other => {
                tally.errors += 1;
                eprintln!("{login} sheet {sheet}: status {other}");
                form = form_of(&b.get(&path).await.1, &form_css);
            }
        }
    }
    tally
}

/// The `version` field's value in an edit page.
fn version_in(page: &str) -> Option<String> {
    let at = page.find("name=\"version\"")?;
    let rest = &page[at..];
    let value = &rest[rest.find("value=\"")? + 7..];
    let version = &value[..value.find('"')?];
    version
        .chars()
        .all(|c| c.is_ascii_digit())
        .then(|| version.to_string())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn saves(args: &[String]) {
    let (base, password) = (args[0].clone(), args[1].clone());
    let seconds: u64 = args[2].parse().unwrap();
    // `--second URL`: every other editor uses a second instance.
    let mut rest: Vec<&String> = args[3..].iter().collect();
    let mut second = None;
    if let Some(i) = rest.iter().position(|a| *a == "--second") {
        second = Some(rest[i + 1].clone());
        rest.drain(i..i + 2);
    }
    let mut editors = Vec::new();
    // Logging in (argon2) happens before the clock starts, one at a time.
    for (n, a) in rest.into_iter().enumerate() {
        let (login, sheet) = a.split_once(':').unwrap();
        let url = match &second {
            Some(s) if n % 2 == 1 => s.clone(),
            _ => base.clone(),
        };
        let mut b = Browser::new(&url);
        b.login(login, &password).await;
        editors.push((b, login.to_string(), sheet.parse::<u32>().unwrap()));
    }
    let start = Instant::now() + Duration::from_secs(1);
    let until = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (b, login, sheet) in editors {
        tasks.push(tokio::spawn(edit(b, login, sheet, start, until)));
    }
    let mut all = Tally::default();
    for t in tasks {
        let t = t.await.unwrap();
        all.acked += t.acked;
        all.conflicts += t.conflicts;
        all.errors += t.errors;
        all.latencies.extend(t.latencies);
    }
    all.latencies.sort();
    println!(
        "{:.0} {} {} {:.1} {:.1} {}",
        all.acked as f64 / seconds as f64,
        all.conflicts,
        all.errors,
        percentile(&all.latencies, 0.5),
        percentile(&all.latencies, 0.99),
        all.acked
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("login") => {
            let mut b = Browser::new(&args[1]);
            b.login(&args[2], &args[3]).await;
            println!("{}", b.cookie);
        }
        Some("saves") => saves(&args[1..]).await,
        _ => {
            eprintln!(
                "usage: bench_load login URL LOGIN PASSWORD | saves URL PASSWORD SECONDS LOGIN:SHEET..."
            );
            std::process::exit(2);
        }
    }
}
