//! `vuonlen serve` (the web application), `vuonlen demo` (a synthetic province with demo users,
//! then the server) and `vuonlen user add` (the first administrator, or any user).

use crate::commands::registry::Ctx;
use anyhow::{Context, Result, bail};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use vuonlen_core::Standard;
use vuonlen_io::HouseholdRecord;
use vuonlen_store::import::{ImportSpec, Importer};
use vuonlen_store::users::{self, NewUser, Role};
use vuonlen_store::{Db, Scope};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "VUONLEN_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
}

/// Logs on stderr (of the server; of any command when `VUONLEN_LOG` is set): the web crate's events (failed requests, without personal data) and
/// warnings of the rest; never the database driver's, whose statements can hold personal data.
/// `VUONLEN_LOG` overrides the filter (`tracing_subscriber::EnvFilter` syntax).
pub(crate) fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("VUONLEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,vuonlen_web=info,sqlx=off"));
    // Already set (a second server in the same process): keep the first.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

async fn run_server(db: Db, addr: SocketAddr) -> Result<()> {
    init_logs();
    let standards = crate::input::registry(&[])?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))?;
    let state = vuonlen_web::AppState::new(db, standards, vuonlen_web::secure_cookies_for(&addr));
    vuonlen_web::serve(listener, state).await.context("serving")?;
    Ok(())
}

pub fn serve(ctx: Ctx, a: ServeArgs) -> Result<ExitCode> {
    ctx.block_on(async {
        let db = ctx.open_with(vuonlen_store::Timeouts::server()).await?;
        eprintln!("vuonlen: http://{} ({})", a.addr, vuonlen_store::redact(&ctx.db_url));
        run_server(db, a.addr).await?;
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, env = "VUONLEN_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Households of the synthetic province.
    #[arg(long, default_value_t = 20_000)]
    pub households: u64,
    /// Province (2025 code).
    #[arg(long, default_value = "14")]
    pub province: String,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Only prepare the database (no server).
    #[arg(long)]
    pub no_serve: bool,
}

/// The password of every demo account (printed; a demo database only).
pub const DEMO_PASSWORD: &str = "vuonlen-demo";

/// The 2025 answers of a 2024 household: recorded in its 2025 commune, incomes move (a fifth rise
/// by a third, a few fall by almost half, the rest by 6 %), one in a hundred households is gone;
/// children who reach school age (3) get the school answer the format then requires.
fn next_year(s: &vuonlen_synth::Synthetic) -> Option<HouseholdRecord> {
    let mut r = s.record.clone();
    r.commune_code = s.commune_2025.to_string();
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 12, 31)?;
    for m in &mut r.household.members {
        if m.school_on_track.is_none() && (3..=15).contains(&m.birth.age_years(as_of)) {
            m.school_on_track = Some(true);
        }
    }
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    r.household_code.hash(&mut h);
    let bucket = h.finish() % 100;
    if bucket == 99 {
        return None;
    }
    let factor = match bucket {
        0..=19 => 1.35,
        20..=22 => 0.55,
        _ => 1.06,
    };
    if let Some(i) = r.household.income_per_capita.as_mut() {
        *i = ((*i as f64 * factor) / 1000.0).round() as i64 * 1000;
    }
    if let Some(a) = r.household.score_a.as_mut() {
        *a = (f64::from(*a) * (0.5 + factor / 2.0)).round() as i32;
    }
    Some(r)
}

async fn import_period(db: &Db, year: i64, std: &Arc<Standard>, records: Vec<HouseholdRecord>) -> Result<u64> {
    let as_of = chrono::NaiveDate::from_ymd_opt(i32::try_from(year)?, 12, 31).context("date")?;
    let spec = ImportSpec {
        period: year,
        reference_date: as_of,
        standard: std.clone(),
        actor: "demo".into(),
        command: "demo".into(),
        files: "synthetic".into(),
        file_hash: format!("demo-{year}"),
        scope: Scope::unscoped_all(),
        expected_households: u64::try_from(records.len()).ok(),
    };
    let mut imp = Importer::begin_unscoped(db, spec).await?;
    for chunk in records.chunks(5_000) {
        imp.push(chunk).await?;
    }
    let s = imp.finish().await?;
    if !s.conflicts.is_empty() {
        bail!("the synthetic period {year} was refused: {} conflicts", s.conflicts.len());
    }
    Ok(s.inserted + s.updated)
}

/// Resident households and persons per commune (as recorded) of a synthetic population.
fn residents(records: &[HouseholdRecord]) -> Vec<vuonlen_store::coverage::ResidentTotal> {
    let mut by: std::collections::BTreeMap<&str, (u64, u64)> = std::collections::BTreeMap::new();
    for r in records {
        let e = by.entry(r.commune_code.as_str()).or_default();
        e.0 += 1;
        e.1 += r.household.members.len() as u64;
    }
    by.into_iter()
        .map(|(c, (households, persons))| vuonlen_store::coverage::ResidentTotal {
            commune_code: c.to_string(),
            households,
            persons,
            source: Some("dữ liệu mẫu: toàn bộ hộ của xã".into()),
        })
        .collect()
}

/// The demo accounts: (username, display name, role, unit).
fn demo_users(province: &str, communes: &[String]) -> Vec<(String, String, Role, Option<String>)> {
    let mut v = vec![
        ("admin".to_string(), "Quản trị hệ thống".to_string(), Role::Admin, None),
        ("trunguong".to_string(), "Văn phòng Quốc gia về giảm nghèo".to_string(), Role::NationalViewer, None),
        ("kiemtra".to_string(), "Thanh tra".to_string(), Role::Auditor, None),
        (
            format!("tinh.{province}"),
            format!("Sở Nông nghiệp và Môi trường tỉnh {province}"),
            Role::ProvinceOfficer,
            Some(province.to_string()),
        ),
    ];
    let units = vuonlen_core::units::AdminUnits::get();
    for c in communes.iter().take(2) {
        let name = units.y2025.communes.get(c.as_str()).map_or_else(|| c.clone(), |u| u.name.to_string());
        v.push((format!("xa.{c}"), format!("Cán bộ {name}"), Role::CommuneOfficer, Some(c.clone())));
    }
    v
}

pub fn demo(ctx: Ctx, a: DemoArgs) -> Result<ExitCode> {
    ctx.block_on(async {
        let db = ctx.open().await?;
        let standards = crate::input::registry(&[])?;
        let std = standards.get("2022-2025")?;
        let periods = vuonlen_store::period::list(&db).await?;
        if periods.is_empty() {
            eprintln!(
                "Đang sinh dữ liệu mẫu {} hộ, tỉnh {} … / generating {} households …",
                a.households, a.province, a.households
            );
            let cfg = vuonlen_synth::SynthConfig {
                households: a.households,
                seed: a.seed,
                province: Some(a.province.clone()),
                as_of: chrono::NaiveDate::from_ymd_opt(2024, 12, 31).context("date")?,
            };
            let generated: Vec<vuonlen_synth::Synthetic> = vuonlen_synth::generate(&cfg)?.collect();
            let second: Vec<HouseholdRecord> = generated.iter().filter_map(next_year).collect();
            let first: Vec<HouseholdRecord> = generated.into_iter().map(|s| s.record).collect();
            let (t1, t2) = (residents(&first), residents(&second));
            let n1 = import_period(&db, 2024, &std, first).await?;
            let n2 = import_period(&db, 2025, &std, second).await?;
            // The synthetic province is its whole population: every household is a resident one.
            for (year, totals) in [(2024, t1), (2025, t2)] {
                let p = vuonlen_store::period::get(&db, year).await?.context("period")?;
                if let Err(refused) = db.unscoped().record_resident_totals(&p, &totals, "demo", "demo").await? {
                    bail!("the demo's resident totals were refused: {}", refused[0].message_en);
                }
            }
            eprintln!("Kỳ 2024: {n1} hộ; kỳ 2025: {n2} hộ / periods imported");
        }
        let communes: Vec<String> = vuonlen_store::browse::largest_communes(&db, &a.province, 2).await?;
        let hash = tokio::task::spawn_blocking(|| vuonlen_web::password::hash(DEMO_PASSWORD)).await??;
        let accounts = demo_users(&a.province, &communes);
        for (username, name, role, unit) in &accounts {
            if users::by_username(&db, username).await?.is_none() {
                let new = NewUser {
                    username: username.clone(),
                    display_name: name.clone(),
                    password_hash: hash.clone(),
                    role: *role,
                    unit_code: unit.clone(),
                };
                users::create_unscoped(&db, &new, "demo", "demo").await?;
            }
        }
        println!("Cơ sở dữ liệu / database: {}", vuonlen_store::redact(&ctx.db_url));
        println!("Tài khoản mẫu (mật khẩu: {DEMO_PASSWORD}) / demo accounts (password: {DEMO_PASSWORD}):");
        for (username, _, role, unit) in &accounts {
            println!(
                "  {username:<16} {} / {}{}",
                role.label_vi(),
                role.label_en(),
                unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default()
            );
        }
        if a.no_serve {
            return Ok(ExitCode::SUCCESS);
        }
        println!("Mở / open: http://{}", a.addr);
        // The server's connections give up early on a stuck database (the preparation's did not).
        db.close().await;
        run_server(ctx.open_with(vuonlen_store::Timeouts::server()).await?, a.addr).await?;
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add a user; the password comes from VUONLEN_PASSWORD or the first line of standard input.
    Add {
        #[arg(long)]
        username: String,
        /// commune_officer, province_officer, national_viewer, auditor, admin.
        #[arg(long)]
        role: String,
        /// Commune (5 digits) or province (2 digits) code, as the role needs.
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        name: Option<String>,
    },
    /// Make an API token of a user (printed once: only its hash is stored).
    Token {
        #[arg(long)]
        username: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
        /// Days it lives (0: until revoked).
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// List a user's API tokens (an administrator's: everyone's).
    Tokens {
        #[arg(long)]
        username: String,
    },
    /// Revoke an API token, as a user who may (its owner or an administrator).
    RevokeToken {
        #[arg(long)]
        username: String,
        #[arg(long)]
        id: i64,
    },
}

/// The access of an active user, for the token commands.
async fn access_of(db: &vuonlen_store::Db, username: &str) -> Result<vuonlen_store::users::Access> {
    let (u, _) = users::by_username(db, username)
        .await?
        .with_context(|| format!("không có người dùng / no user '{username}'"))?;
    anyhow::ensure!(u.active, "người dùng đã bị khóa / the user is inactive: {username}");
    Ok(u.access())
}

fn tokens(ctx: &Ctx, c: UserCommand) -> Result<ExitCode> {
    ctx.block_on(async {
        let db = ctx.open().await?;
        match c {
            UserCommand::Token { username, name, days } => {
                anyhow::ensure!(days >= 0, "--days: 0 or more / 0 trở lên");
                let access = access_of(&db, &username).await?;
                let token = vuonlen_web::password::token();
                let expires = (days > 0).then(|| vuonlen_store::hours_from_now(days * 24));
                let id = access
                    .create_token(&db, &name, &vuonlen_web::password::token_hash(&token), expires.as_deref())
                    .await?;
                println!("{token}");
                eprintln!(
                    "Mã #{id} của {username}, hết hạn {} — chỉ hiện một lần / token #{id} of {username}, expires {} — shown only once",
                    expires.as_deref().unwrap_or("—"),
                    expires.as_deref().unwrap_or("never (until revoked)")
                );
            }
            UserCommand::Tokens { username } => {
                let access = access_of(&db, &username).await?;
                let now = vuonlen_store::now_text();
                println!("id,username,name,created_at,expires_at,revoked_at,valid");
                for t in access.tokens(&db).await? {
                    println!(
                        "{},{},{},{},{},{},{}",
                        t.id,
                        t.username,
                        t.name.replace(',', " "),
                        t.created_at,
                        t.expires_at.as_deref().unwrap_or(""),
                        t.revoked_at.as_deref().unwrap_or(""),
                        t.is_valid_at(&now)
                    );
                }
            }
            UserCommand::RevokeToken { username, id } => {
                let access = access_of(&db, &username).await?;
                let t = access.revoke_token(&db, id).await?;
                eprintln!("Đã thu hồi mã #{} ({}) / revoked token #{}", t.id, t.username, t.id);
            }
            UserCommand::Add { .. } => unreachable!("handled by user()"),
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn user(ctx: Ctx, c: UserCommand) -> Result<ExitCode> {
    let UserCommand::Add { username, role, unit, name } = c else { return tokens(&ctx, c) };
    let role = Role::parse(&role).with_context(|| format!("vai trò không hợp lệ / unknown role '{role}'"))?;
    let password = match std::env::var("VUONLEN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let hash = vuonlen_web::password::hash(&password)?;
    ctx.block_on(async {
        let db = ctx.open().await?;
        let new = NewUser {
            display_name: name.unwrap_or_else(|| username.clone()),
            username,
            password_hash: hash,
            role,
            unit_code: unit,
        };
        let u = users::create_unscoped(&db, &new, &ctx.actor()?, "user add").await?;
        eprintln!("Đã tạo / created {} ({})", u.username, u.role.label_vi());
        Ok(ExitCode::SUCCESS)
    })
}
