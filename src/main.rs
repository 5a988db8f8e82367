//! Command line: serve (the default), migrate, import.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};

use hyoka::config::{Config, DEFAULT_BIND, DEFAULT_DATABASE_URL};
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
    /// PDF 作成に使う Chromium（既定: /usr/bin/chromium か PATH 上の chromium）。none で PDF 作成を止める
    #[arg(long, env = "HYOKA_CHROMIUM")]
    chromium: Option<PathBuf>,
}

#[derive(Parser)]
struct ServeOnly {
    #[command(flatten)]
    args: ServeArgs,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
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
    if let Some(key) = args.session_key {
        if key.len() < 64 {
            return Err("HYOKA_SESSION_KEY は64文字以上にしてください".into());
        }
        config.session_key = Some(key.into_bytes());
    }
    if let Some(path) = args.chromium {
        config.chromium = (path != Path::new("none")).then_some(path);
    }
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config.clone())
            .await
            .map_err(|e| e.to_string())?;
        if app.demo_loaded {
            println!("デモデータ（令和6年度実績報告書と令和7年度の評価票）を読み込みました。");
        }
        let host = config.bind.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
        let host = if host == "0.0.0.0" { "127.0.0.1" } else { host };
        println!(
            "hyoka を起動しました: http://{host}:{}/ をブラウザで開いてください",
            app.port()
        );
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

fn open(database_url: &str) -> Result<db::PooledConn, String> {
    let location = db::DatabaseLocation::parse(database_url).map_err(|e| e.to_string())?;
    let pool = db::connect(&location).map_err(|e| e.to_string())?;
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
    let summary =
        db::import::import_report(&mut conn, &report, "import").map_err(|e| e.to_string())?;
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
