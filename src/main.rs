//! Command line: serve (the default), migrate, import.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};

use hyoka::config::{Config, DEFAULT_BIND, DEFAULT_DATABASE_URL};
use hyoka::domain::account::email_problem;
use hyoka::domain::audit::AuditAction;
use hyoka::domain::ids::DepartmentId;
use hyoka::domain::permission::Role;
use hyoka::domain::text::LOGIN_MAX;
use hyoka::domain::throttle::ADDRESS_WINDOW_MINUTES;
use hyoka::{db, import, Application};

#[derive(Parser)]
#[command(
    name = "hyoka",
    version,
    about = "行政改革推進プラン 取組事業点検・評価票システム"
)]
struct Cli {
    /// sqlite://相対パス, sqlite:///絶対パス, postgres://…
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    database_url: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Webサーバーを起動する（既定）
    Serve(ServeArgs),
    /// データベースのマイグレーションを適用する
    Migrate,
    /// 実績報告書（テキスト形式）を取り込む
    Import {
        /// 取り込むファイル
        file: PathBuf,
    },
    /// 計画ワークブック（.xlsx）を取り込む。内容を表示してから取り込む
    ImportPlan {
        /// 取り込む .xlsx ファイル
        file: PathBuf,
        /// 内容を表示するだけで、取り込まない
        #[arg(long)]
        dry_run: bool,
    },
    /// 性能試験用の合成データを作る（パスワードは標準入力から1行で読み、作る全アカウントに使う）
    Generate {
        /// 1年度あたりの評価票（取組事業）の数
        #[arg(long)]
        sheets: usize,
        /// 年度の数（最後が令和7年度）
        #[arg(long, default_value_t = 1)]
        years: usize,
        /// 乱数の種（同じ種なら同じ内容）
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// 利用者の管理
    #[command(subcommand)]
    User(UserCommand),
    /// 提出期限の督促を送り、送信待ちのメールを送る（cron 用。同じ日に2回実行しても二重には送らない）
    Remind(MailArgs),
}

#[derive(Args)]
struct MailArgs {
    /// メール送信に使う SMTP サーバー（例: smtp://mail.example.lg.jp:25、smtps://user:pass@host:465、smtp://host:587?tls=required）。未指定ならメールは送らない
    #[arg(long, env = "HYOKA_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// メールの差出人
    #[arg(long, env = "HYOKA_MAIL_FROM", default_value = "hyoka@localhost")]
    mail_from: String,
    /// メール内のリンクに使う hyoka のアドレス（例: http://hyoka.example.lg.jp）。既定: http://待ち受けアドレス
    #[arg(long, env = "HYOKA_PUBLIC_URL")]
    public_url: Option<String>,
}

impl MailArgs {
    fn settings(self, bind: &str) -> Option<hyoka::mail::MailSettings> {
        let smtp_url = self.smtp_url.filter(|u| !u.trim().is_empty())?;
        Some(hyoka::mail::MailSettings {
            smtp_url,
            from: self.mail_from,
            public_url: self.public_url.unwrap_or_else(|| format!("http://{bind}")),
        })
    }
}

#[derive(Subcommand)]
enum UserCommand {
    /// 利用者を追加する（パスワードは標準入力から1行で読む）
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// staff（所管課） / hq（推進本部事務局） / admin（管理者）
        #[arg(long)]
        role: String,
        /// 所属課（staff のとき必須）
        #[arg(long)]
        department: Option<String>,
        /// 通知を送るメールアドレス（任意）
        #[arg(long)]
        email: Option<String>,
    },
    /// パスワードを変更する（標準入力から1行で読む）
    Passwd {
        #[arg(long)]
        login: String,
    },
    /// 利用者の一覧
    List,
    /// ログインの制限を解除する
    Unlock {
        #[arg(long)]
        login: String,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// 待ち受けアドレス
    #[arg(long, env = "HYOKA_BIND", default_value = DEFAULT_BIND)]
    bind: String,
    /// 空のデータベースにデモデータを入れる（既定: DATABASE_URL 未指定のときだけ）
    #[arg(long, env = "HYOKA_DEMO", value_parser = BoolishValueParser::new())]
    demo: Option<bool>,
    /// セッションCookieに Secure を付ける（HTTPS で運用するとき）
    #[arg(long, env = "HYOKA_COOKIE_SECURE", value_parser = BoolishValueParser::new(), default_value = "false")]
    cookie_secure: bool,
    /// セッションCookieの署名鍵（64バイト以上）。未指定なら起動ごとに生成
    #[arg(long, env = "HYOKA_SESSION_KEY", hide_env_values = true)]
    session_key: Option<String>,
    /// 操作がないまま経過するとログアウトされる時間（分）
    #[arg(long, env = "HYOKA_IDLE_TIMEOUT_MINUTES", default_value_t = 30)]
    idle_timeout_minutes: u64,
    /// ログインから強制的にログアウトされるまでの時間（時間）
    #[arg(long, env = "HYOKA_SESSION_HOURS", default_value_t = 12)]
    session_hours: u64,
    /// PDF 作成に使う Chromium（既定: /usr/bin/chromium か PATH 上の chromium）。none で PDF 作成を止める
    #[arg(long, env = "HYOKA_CHROMIUM")]
    chromium: Option<PathBuf>,
    /// 同じ接続元からのログイン失敗を数える期間（分、1〜1440）。これより前の失敗は数えない
    #[arg(long, env = "HYOKA_LOGIN_ADDRESS_WINDOW_MINUTES", default_value_t = ADDRESS_WINDOW_MINUTES)]
    login_address_window_minutes: u64,
    /// データベースへの接続数（既定: SQLite 8、PostgreSQL 4。ベンチマークで選んだ値）
    #[arg(long, env = "HYOKA_DB_POOL")]
    db_pool: Option<u32>,
    /// 1人が同時に作成できる PDF の数（超えた分は「しばらくしてから」と答える）
    #[arg(long, env = "HYOKA_PDF_PER_USER", default_value_t = 2)]
    pdf_per_user: usize,
    /// 接続元を X-Forwarded-For から読むリバースプロキシの IP アドレス（カンマ区切り。既定: なし）
    #[arg(long, env = "HYOKA_TRUSTED_PROXIES", default_value = "")]
    trusted_proxies: String,
    /// この時刻（0〜23時）になったら、その日の提出期限の督促を送る
    #[arg(long, env = "HYOKA_REMINDER_HOUR", default_value_t = 8)]
    reminder_hour: u32,
    #[command(flatten)]
    mail: MailArgs,
}

#[derive(Parser)]
struct ServeOnly {
    #[command(flatten)]
    args: ServeArgs,
}

fn main() -> ExitCode {
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        // Colour codes only on a terminal, not in a log file or journal.
        .with_ansi(std::io::stdout().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let command = cli
        .command
        .unwrap_or_else(|| Command::Serve(ServeOnly::parse_from(["hyoka"]).args));
    let result = match command {
        Command::Serve(args) => serve(&cli.database_url, args),
        Command::Migrate => migrate(&cli.database_url),
        Command::Import { file } => import_file(&cli.database_url, &file),
        Command::ImportPlan { file, dry_run } => import_plan(&cli.database_url, &file, dry_run),
        Command::Generate {
            sheets,
            years,
            seed,
        } => generate(&cli.database_url, sheets, years, seed),
        Command::User(cmd) => user_command(&cli.database_url, cmd),
        Command::Remind(mail) => remind(&cli.database_url, mail),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("エラー: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(database_url: &str, args: ServeArgs) -> Result<(), String> {
    let mut config = Config::new(database_url).map_err(|e| e.to_string())?;
    config.bind = args.bind;
    config.demo = args.demo.unwrap_or(database_url == DEFAULT_DATABASE_URL);
    config.cookie_secure = args.cookie_secure;
    config.idle_timeout = std::time::Duration::from_secs(args.idle_timeout_minutes.max(1) * 60);
    config.absolute_timeout = std::time::Duration::from_secs(args.session_hours.max(1) * 3600);
    config.login_address_window =
        std::time::Duration::from_secs(args.login_address_window_minutes.clamp(1, 24 * 60) * 60);
    if let Some(key) = args.session_key {
        if key.len() < 64 {
            return Err("HYOKA_SESSION_KEY は64文字以上にしてください".into());
        }
        config.session_key = Some(key.into_bytes());
    }
    config.pdf_per_user = args.pdf_per_user.max(1);
    config.db_pool = args.db_pool.map(|n| n.max(1));
    config.trusted_proxies = hyoka::web::parse_trusted_proxies(&args.trusted_proxies)?;
    if args.reminder_hour > 23 {
        return Err("HYOKA_REMINDER_HOUR は0〜23の時刻にしてください".into());
    }
    config.reminder_hour = args.reminder_hour;
    config.mail = args.mail.settings(&config.bind);
    if let Some(path) = args.chromium {
        config.chromium = (path != Path::new("none")).then_some(path);
    }
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config.clone())
            .await
            .map_err(|e| e.to_string())?;
        if let Some(accounts) = &app.demo_accounts {
            println!("デモデータ（令和6年度実績報告書と令和7年度の評価票）を読み込みました。");
            println!("ログインID とパスワード（この表示は初回だけです。控えてください）:");
            for a in accounts {
                let who = a
                    .department
                    .clone()
                    .unwrap_or_else(|| a.role.label().to_string());
                println!("  {:<10} {:<14} {}", a.login, a.password, who);
            }
        }
        let host = config.bind.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
        let host = if host == "0.0.0.0" { "127.0.0.1" } else { host };
        match &app.setup_token {
            Some(token) => {
                println!("利用者がまだいません。次のアドレスを開いて最初の管理者を作成してください（この起動の間だけ、1回限り有効）:");
                println!("  http://{host}:{}/setup?token={token}", app.port());
            }
            None => println!(
                "hyoka を起動しました: http://{host}:{}/ をブラウザで開いてください",
                app.port()
            ),
        }
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

fn open(database_url: &str) -> Result<db::PooledConn, String> {
    let location = db::DatabaseLocation::parse(database_url).map_err(|e| e.to_string())?;
    let pool = db::connect(&location, None).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    db::migrate(&mut conn).map_err(|e| e.to_string())?;
    Ok(conn)
}

fn migrate(database_url: &str) -> Result<(), String> {
    open(database_url)?;
    println!("マイグレーションを適用しました。");
    Ok(())
}

fn import_file(database_url: &str, file: &PathBuf) -> Result<(), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{} を読めません: {e}", file.display()))?;
    let report = import::report_text::parse_report_bytes(&bytes)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let mut conn = open(database_url)?;
    let summary = hyoka::app::import::import_report(&mut conn, &report, "import")
        .map_err(|e| e.to_string())?;
    for w in &summary.warnings {
        println!("注意: {w}");
    }
    println!(
        "{} を取り込みました: 新規 {} 件、変更なし {} 件",
        hyoka::domain::fiscal_year::era_name(summary.fiscal_year),
        summary.sheets_created,
        summary.sheets_unchanged
    );
    Ok(())
}

/// `import-plan`: checks the whole workbook, prints what it will do, then
/// imports it (unless `--dry-run`, or when there is any problem).
fn import_plan(database_url: &str, file: &PathBuf, dry_run: bool) -> Result<(), String> {
    use hyoka::app::plan_import;
    let bytes = std::fs::read(file).map_err(|e| format!("{} を読めません: {e}", file.display()))?;
    let book = import::plan_book::parse_plan_book(bytes).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        format!("{} を取り込めません:\n{}", file.display(), lines.join("\n"))
    })?;
    let mut conn = open(database_url)?;
    let preview = plan_import::preview(&mut conn, None, &book).map_err(|e| e.to_string())?;
    print_outcome(&preview);
    if !preview.problems.is_empty() {
        return Err("問題があるため取り込みませんでした".into());
    }
    if dry_run || !preview.changes_anything() {
        println!(
            "{}",
            if dry_run {
                "（--dry-run のため取り込んでいません）"
            } else {
                "変更はありません。"
            }
        );
        return Ok(());
    }
    let logins = plan_import::new_logins(&mut conn, &book).map_err(|e| e.to_string())?;
    let passwords = plan_import::make_passwords(&logins)?;
    let done = plan_import::apply(&mut conn, None, &book, &passwords).map_err(|e| e.to_string())?;
    println!("取り込みました。");
    if !done.accounts.is_empty() {
        println!(
            "新しい利用者の仮パスワード（この表示は一度だけです。控えて本人に伝えてください）:"
        );
        for a in &done.accounts {
            println!("  {:<12} {:<12} {}", a.login, a.name, a.password);
        }
    }
    Ok(())
}

/// `remind`: the reminders due today, then whatever the outbox holds.
fn remind(database_url: &str, mail: MailArgs) -> Result<(), String> {
    let mailer = mail
        .settings(DEFAULT_BIND)
        .map(|s| hyoka::mail::Mailer::new(&s))
        .transpose()?;
    let mut conn = open(database_url)?;
    let now = db::now();
    let reminded = hyoka::app::remind::run(&mut conn, now).map_err(|e| e.to_string())?;
    println!("督促を {reminded} 件の評価票について作成しました。");
    if let Some(mailer) = mailer {
        let claim = format!("remind-{}", std::process::id());
        let sent =
            hyoka::mail::deliver_due(&mut conn, &mailer, &claim, now).map_err(|e| e.to_string())?;
        println!("メールを {sent} 通送信しました。");
    } else {
        println!("HYOKA_SMTP_URL が未設定のため、メールは送信しません。");
    }
    Ok(())
}

fn print_outcome(o: &hyoka::app::plan_import::Outcome) {
    println!(
        "計画「{}」（取組項目・目標は{}の評価票に設定）",
        o.plan_name,
        hyoka::domain::fiscal_year::era_name(o.structure_year)
    );
    for c in &o.created {
        println!("  作成: {c}");
    }
    for c in &o.changed {
        println!("  変更: {}: 「{}」→「{}」", c.what, c.before, c.after);
    }
    println!("  変更なし: {} 件", o.unchanged.len());
    for m in &o.missing {
        println!("  注意: {m}");
    }
    for n in &o.notes {
        println!("  注意: {n}");
    }
    for p in &o.problems {
        println!("  問題: {p}");
    }
}

/// `generate`: a synthetic plan for tests and the benchmark.
fn generate(database_url: &str, sheets: usize, years: usize, seed: u64) -> Result<(), String> {
    if sheets == 0 || years == 0 || years > 10 {
        return Err("--sheets は1以上、--years は1〜10にしてください".into());
    }
    let password = read_password()?;
    let hash = hyoka::password::hash(&password)?;
    let mut conn = open(database_url)?;
    let started = std::time::Instant::now();
    let size = hyoka::generate::Size {
        sheets,
        years,
        seed,
    };
    let made = hyoka::generate::generate(&mut conn, size, &hash).map_err(|e| e.to_string())?;
    println!(
        "「{}」を作りました（id {}）: {} 年度 × {} 件、{:.1} 秒",
        made.plan_name,
        made.plan_id,
        made.years.len(),
        made.sheets,
        started.elapsed().as_secs_f64()
    );
    println!(
        "アカウント: {}（推進本部）、{}〜{}（所管課 {} 課）",
        made.hq_login,
        made.staff_logins.first().map_or("", String::as_str),
        made.staff_logins.last().map_or("", String::as_str),
        made.staff_logins.len()
    );
    Ok(())
}

fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("パスワードを読めません: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    match hyoka::password::length_problem(&password) {
        Some(problem) => Err(problem),
        None => Ok(password),
    }
}

fn cli_audit(
    conn: &mut db::DbConnection,
    action: AuditAction,
    detail: String,
) -> Result<(), String> {
    db::audit::record(conn, db::audit::Entry::general(None, "cli", action, detail))
        .map_err(|e| e.to_string())
}

fn user_command(database_url: &str, cmd: UserCommand) -> Result<(), String> {
    let mut conn = open(database_url)?;
    match cmd {
        UserCommand::Add {
            login,
            name,
            role,
            department,
            email,
        } => add_user(
            &mut conn,
            &login,
            &name,
            &role,
            department.as_deref(),
            email.as_deref(),
        ),
        UserCommand::Passwd { login } => change_password(&mut conn, &login),
        UserCommand::List => list_users(&mut conn),
        UserCommand::Unlock { login } => unlock_user(&mut conn, &login),
    }
}

/// `user add`: role, department and login id are checked before the password is read.
fn add_user(
    conn: &mut db::DbConnection,
    login: &str,
    name: &str,
    role: &str,
    department: Option<&str>,
    email: Option<&str>,
) -> Result<(), String> {
    let email = email.map(str::trim).filter(|e| !e.is_empty());
    if let Some(problem) = email.and_then(email_problem) {
        return Err(problem);
    }
    let role =
        Role::from_code(role).ok_or("--role は staff / hq / admin のいずれかです".to_string())?;
    let department_id = user_department(conn, department, role)?;
    if login.trim().is_empty() || login.chars().any(char::is_whitespace) {
        return Err("ログインIDに空白は使えません".into());
    }
    if login.chars().count() > LOGIN_MAX {
        return Err(format!("ログインIDは{LOGIN_MAX}文字以内にしてください"));
    }
    let password = read_password()?;
    let hash = hyoka::password::hash(&password)?;
    db::write_tx(conn, |conn| {
        db::user::insert(
            conn,
            db::user::NewUser {
                login,
                display_name: name,
                role,
                department_id,
                password_hash: &hash,
                email,
                must_change_password: false,
            },
        )?;
        cli_audit(
            conn,
            AuditAction::UserAdd,
            format!("{login}（{}）を追加", role.label()),
        )
        .map_err(db::DbError::Config)
    })
    .map_err(|e| e.to_string())?;
    println!("利用者 {login} を追加しました。");
    Ok(())
}

/// The department of a new user: required for staff, and it must be registered already.
fn user_department(
    conn: &mut db::DbConnection,
    department: Option<&str>,
    role: Role,
) -> Result<Option<DepartmentId>, String> {
    let Some(d) = department else {
        return match role {
            Role::Staff => Err("staff には --department（所属課）が必要です".into()),
            _ => Ok(None),
        };
    };
    let name = hyoka::domain::department::normalize_department(d);
    let known = db::plan::department_names(conn).map_err(|e| e.to_string())?;
    if !known.contains(&name) {
        return Err(format!(
            "所属課「{d}」は登録されていません。登録済み: {}",
            known.join("、")
        ));
    }
    db::plan::department_id(conn, &name)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// `user passwd`: a new password for an existing user. Every session of the
/// user ends with the old password (whoever knew it is logged out).
fn change_password(conn: &mut db::DbConnection, login: &str) -> Result<(), String> {
    let Some(user) = db::user::find_by_login(conn, login).map_err(|e| e.to_string())? else {
        return Err(format!("利用者 {login} はいません"));
    };
    let password = read_password()?;
    let hash = hyoka::password::hash(&password)?;
    let ended = db::write_tx(conn, |conn| {
        db::user::set_password(conn, login, &hash)?;
        let ended = db::session::delete_for_user(conn, user.id)?;
        let detail =
            format!("{login} のパスワードを変更（ログイン中のセッション {ended} 件を終了）");
        cli_audit(conn, AuditAction::UserPasswd, detail).map_err(db::DbError::Config)?;
        Ok::<_, db::DbError>(ended)
    })
    .map_err(|e| e.to_string())?;
    println!(
        "{login} のパスワードを変更しました。ログイン中の {ended} 件のセッションを終了しました。"
    );
    Ok(())
}

/// `user list`: one line per user, marking those locked out by login throttling.
fn list_users(conn: &mut db::DbConnection) -> Result<(), String> {
    let users = db::user::list(conn).map_err(|e| e.to_string())?;
    let locks = db::throttle::list(conn).map_err(|e| e.to_string())?;
    let now = db::now();
    for u in users {
        let key = hyoka::domain::throttle::login_key(&u.login);
        let locked = locks
            .iter()
            .any(|l| l.key == key && l.locked_until.is_some_and(|t| t > now));
        println!(
            "{:<12} {:<8} {:<20} {:<24} {}{}",
            u.login,
            u.role.code(),
            u.department.unwrap_or_default(),
            u.display_name,
            if u.active { "有効" } else { "無効" },
            if locked {
                "（ログイン制限中）"
            } else {
                ""
            }
        );
    }
    Ok(())
}

/// `user unlock`: clears the login throttle of one login id.
fn unlock_user(conn: &mut db::DbConnection, login: &str) -> Result<(), String> {
    let key = hyoka::domain::throttle::login_key(login);
    let cleared = db::throttle::clear(conn, &key).map_err(|e| e.to_string())?;
    cli_audit(
        conn,
        AuditAction::Unlock,
        format!("ログイン制限を解除: {key}"),
    )?;
    if cleared {
        println!("{login} のログイン制限を解除しました。");
    } else {
        println!("{login} にログイン制限はありません。");
    }
    Ok(())
}
