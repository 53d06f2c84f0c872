//! The registry commands' shared context (database URL, runtime) and the small commands:
//! `db migrate`, `periods`, `reclassify`, `household` (and `household link`), `units`.

use anyhow::{Context, Result};
use std::future::Future;
use std::process::ExitCode;
use vuonlen_core::Class;
use vuonlen_store::chain::{ChainCheck, ChainHead};
use vuonlen_store::link::{HouseholdRef, Lineage, LinkKind, LinkSpec};
use vuonlen_store::{Db, period};

/// Where the registry is, and who runs the command.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub db_url: String,
    /// `--actor` / `VUONLEN_USER`, when given.
    pub actor: Option<String>,
}

impl Ctx {
    /// Runs the async part of a command.
    pub fn block_on<T>(&self, f: impl Future<Output = Result<T>>) -> Result<T> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        rt.block_on(f)
    }

    /// Opens the registry (creating and migrating it on first use).
    pub async fn open(&self) -> Result<Db> {
        self.open_with(vuonlen_store::Timeouts::default()).await
    }

    /// [`Ctx::open`] with other timeouts (the web server's).
    pub async fn open_with(&self, timeouts: vuonlen_store::Timeouts) -> Result<Db> {
        Db::open_with(&self.db_url, timeouts)
            .await
            .with_context(|| format!("opening the registry {}", vuonlen_store::redact(&self.db_url)))
    }
}

impl Ctx {
    /// Who runs the command, for the audit log: `--actor` (or `VUONLEN_USER`), else the
    /// operating system's account of the process (not `$USER`, which a service or a container
    /// may leave unset or set to anything). A command that writes refuses to run when neither
    /// can be had, rather than recording a change by "unknown".
    pub fn actor(&self) -> Result<String> {
        if let Some(a) = self.actor.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            return Ok(a.to_string());
        }
        match whoami::username() {
            Ok(u) if !u.trim().is_empty() => Ok(u.trim().to_string()),
            _ => anyhow::bail!(
                "không xác định được người chạy lệnh; hãy dùng --actor TÊN hoặc đặt VUONLEN_USER / \
                 cannot tell who runs this command, for the audit log: pass --actor NAME or set VUONLEN_USER"
            ),
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// Apply the migrations not yet applied (also done on first use).
    Migrate {
        /// PostgreSQL: also create (or update) the owner role, which owns the tables and runs the
        /// migrations, and the runtime role for the server, which may only read and append to the
        /// audit log (docs/operations.md). Run as a superuser. Idempotent.
        #[arg(long)]
        create_roles: bool,
        /// The owner role (with --create-roles).
        #[arg(long, default_value = vuonlen_store::roles::DEFAULT_OWNER, requires = "create_roles")]
        owner_role: String,
        /// The runtime role (with --create-roles).
        #[arg(long, default_value = vuonlen_store::roles::DEFAULT_APP, requires = "create_roles")]
        app_role: String,
    },
    /// Refresh the planner's statistics (run after a large import when the import could not).
    Analyze,
    /// Check the references the schema leaves to the program (rows without their parent) and
    /// that every report cache equals its data.
    Check {
        /// First rebuild every report cache whole from the data.
        #[arg(long)]
        rebuild_caches: bool,
        /// A head of the audit chain recorded earlier (`SEQ:HASH`, as printed by `db check`):
        /// also check that it is still in the chain (a rewrite of the log from an earlier row on,
        /// head included, is otherwise consistent).
        #[arg(long, value_name = "SEQ:HASH")]
        audit_head: Option<String>,
    },
    /// Write a consistent backup while the registry is in use: SQLite `VACUUM INTO`, PostgreSQL
    /// `pg_dump --format=custom` (a pg_dump of the server's major version or newer).
    Backup {
        /// The backup file.
        #[arg(long)]
        out: std::path::PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Replace the registry by a backup (checked first). Stop the web server before.
    Restore {
        /// The backup file (from `vuonlen db backup`).
        #[arg(long)]
        from: std::path::PathBuf,
        /// Replace a registry that holds data.
        #[arg(long)]
        force: bool,
    },
}

pub fn db(ctx: Ctx, cmd: DbCommand) -> Result<ExitCode> {
    match cmd {
        DbCommand::Analyze => ctx.block_on(async {
            let db = ctx.open().await?;
            db.analyze().await?;
            eprintln!("Đã cập nhật thống kê truy vấn / the planner's statistics are refreshed.");
            Ok(ExitCode::SUCCESS)
        }),
        DbCommand::Backup { out, force } => ctx.block_on(async {
            let db = Db::connect(&ctx.db_url).await?;
            db.backup(&ctx.db_url, &out, force).await?;
            db.close().await;
            eprintln!("Đã sao lưu vào {} / backed up to {}.", out.display(), out.display());
            Ok(ExitCode::SUCCESS)
        }),
        DbCommand::Restore { from, force } => ctx.block_on(async {
            vuonlen_store::backup::restore(&ctx.db_url, &from, force).await?;
            // Newer migrations than the backup's are applied now.
            let db = ctx.open().await?;
            db.close().await;
            eprintln!("Đã khôi phục từ {} / restored from {}.", from.display(), from.display());
            Ok(ExitCode::SUCCESS)
        }),
        DbCommand::Migrate { create_roles, owner_role, app_role } => ctx.block_on(async {
            let db = Db::connect(&ctx.db_url).await?;
            if create_roles && db.engine() == vuonlen_store::Engine::Sqlite {
                anyhow::bail!(
                    "--create-roles chỉ dùng với PostgreSQL; SQLite không có vai trò, hãy bảo vệ tệp bằng quyền của hệ \
                     điều hành / --create-roles is for PostgreSQL only: SQLite has no roles, protect the file with the \
                     operating system's permissions"
                );
            }
            let n = db.migrate().await?;
            eprintln!("Đã áp dụng {n} bản nâng cấp / applied {n} migrations ({:?}).", db.engine());
            if create_roles {
                let done = db.create_roles(&owner_role, &app_role).await?;
                let created = if done.created.is_empty() { "-".to_string() } else { done.created.join(", ") };
                eprintln!(
                    "Vai trò chủ sở hữu {owner_role}, vai trò ứng dụng {app_role} (lược đồ {schema}; mới tạo: {created}) / \
                     owner role {owner_role}, runtime role {app_role} (schema {schema}; created: {created}). \
                     Đặt mật khẩu / set passwords: ALTER ROLE … PASSWORD …",
                    schema = done.schema
                );
            }
            Ok(ExitCode::SUCCESS)
        }),
        DbCommand::Check { rebuild_caches, audit_head } => ctx.block_on(async {
            let recorded = match &audit_head {
                Some(h) => Some(h.parse::<ChainHead>()?),
                None => None,
            };
            let db = ctx.open().await?;
            if rebuild_caches {
                let n = db.rebuild_tallies().await?;
                eprintln!("Đã dựng lại {n} bảng tổng hợp / rebuilt {n} report caches.");
            }
            // SQLite's own check of every page and index.
            let damaged = match db.sqlite_integrity().await? {
                Some(lines) => {
                    println!("sqlite_integrity_check");
                    for l in &lines {
                        println!("{l}");
                    }
                    println!();
                    let bad = lines.first().map(String::as_str) != Some("ok");
                    if bad {
                        eprintln!(
                            "Tệp SQLite bị hỏng — hãy khôi phục từ bản sao lưu (`vuonlen db restore`) / \
                             the SQLite file is damaged — restore it from a backup (`vuonlen db restore`)."
                        );
                    }
                    bad
                }
                None => false,
            };
            let found = db.integrity().await?;
            println!("reference,orphan_rows");
            for o in &found {
                println!("{},{}", o.reference, o.rows);
            }
            let orphans = found.iter().any(|o| o.rows > 0);
            if orphans {
                eprintln!("Có bản ghi mất liên kết / some rows lost their parent.");
            }
            // The report cache must give the answers the data gives.
            let tallies = db.check_tallies().await?;
            println!();
            println!(
                "period,standard,tally,households_cached,households_data,groups_missing,groups_extra,rows_duplicated,rollups_differing"
            );
            for t in &tallies {
                let state = if t.stale {
                    "stale"
                } else if t.holds() {
                    "ok"
                } else {
                    "DIFFERS"
                };
                println!(
                    "{},{},{state},{},{},{},{},{},{}",
                    t.period,
                    t.standard_id,
                    t.households_cached,
                    t.households_data,
                    t.groups_missing,
                    t.groups_extra,
                    t.rows_duplicated,
                    t.rollups_differing
                );
            }
            let differs = tallies.iter().any(|t| !t.holds());
            if differs {
                eprintln!(
                    "Bảng tổng hợp báo cáo khác dữ liệu — `vuonlen db check --rebuild-caches` dựng lại / \
                     a report cache differs from the data — `vuonlen db check --rebuild-caches` rebuilds it."
                );
            }
            // The audit log's hash chain, and the head an operator recorded.
            let chain = db.verify_audit_chain_from(recorded.as_ref()).await?;
            println!();
            println!("audit_chain,rows,head,first_broken_seq,reason");
            let chain_broken = match &chain {
                ChainCheck::Intact { rows, head } => {
                    println!("ok,{rows},{head},,");
                    eprintln!(
                        "Chuỗi nhật ký nguyên vẹn; ghi lại đầu chuỗi ở nơi khác / the audit chain holds; record its head \
                         elsewhere: {head}"
                    );
                    false
                }
                ChainCheck::Broken(b) => {
                    println!("BROKEN,{},,{},\"{}\"", b.rows_checked, b.seq, b.kind.to_string().replace('"', "'"));
                    eprintln!("Nhật ký thay đổi bị can thiệp / the audit log was tampered with: {b}");
                    true
                }
            };
            if orphans || differs || chain_broken || damaged {
                return Ok(ExitCode::from(1));
            }
            eprintln!("Toàn vẹn / all references hold, report caches equal their data, the audit chain holds.");
            Ok(ExitCode::SUCCESS)
        }),
    }
}

pub fn periods(ctx: Ctx) -> Result<ExitCode> {
    ctx.block_on(async {
        let db = ctx.open().await?;
        println!("period,reference_date,standard,unit_list");
        for p in period::list(&db).await? {
            println!(
                "{},{},{},{}",
                p.year,
                p.reference_date,
                p.standard_id,
                vuonlen_store::units::list_key(p.unit_list)
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(Debug, clap::Args)]
pub struct ReclassifyArgs {
    /// Review period.
    #[arg(long)]
    pub period: i64,
    /// Standard to apply (e.g. 2027-2030 for a what-if); default: the period's own.
    #[arg(long)]
    pub standard: Option<String>,
}

pub fn reclassify(ctx: Ctx, a: ReclassifyArgs) -> Result<ExitCode> {
    ctx.block_on(async {
        let db = ctx.open().await?;
        let p = period::get(&db, a.period).await?.with_context(|| format!("kỳ / period {} not found", a.period))?;
        let reg = crate::input::registry(&[])?;
        let std = reg.get(a.standard.as_deref().unwrap_or(&p.standard_id))?;
        let s = db.unscoped().reclassify(&p, &std).await?;
        println!("official\\{},{}", std.id, Class::ALL.iter().map(|c| c.key()).collect::<Vec<_>>().join(","));
        for a in Class::ALL {
            println!(
                "{},{}",
                a.key(),
                Class::ALL.iter().map(|b| s.matrix[a as usize][*b as usize].to_string()).collect::<Vec<_>>().join(",")
            );
        }
        eprintln!(
            "Kỳ {}: {} hộ tính lại theo chuẩn {}, {} hộ đổi loại so với chuẩn chính thức {}, {} hộ không phân loại được / \
             {} households re-classified, {} change class, {} cannot be classified.",
            p.year,
            s.households,
            std.id,
            s.changed(),
            p.standard_id,
            s.unclassified,
            s.households,
            s.changed(),
            s.unclassified
        );
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct HouseholdArgs {
    #[command(subcommand)]
    pub command: Option<HouseholdCommand>,
    /// Commune code as recorded.
    #[arg(long, required = true)]
    pub commune: Option<String>,
    /// Household code (mã hộ).
    #[arg(long, required = true)]
    pub code: Option<String>,
    /// Also list the audit log.
    #[arg(long)]
    pub audit: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum HouseholdCommand {
    /// Tách hộ / nhập hộ — record that a household split off from another or merged into another.
    Link(LinkArgs),
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("kind").required(true).args(["split_from", "merge"])))]
pub struct LinkArgs {
    /// Commune code as recorded of the households (of the first one when --to-commune is given).
    #[arg(long)]
    pub commune: String,
    /// Tách hộ: code of the household the new household split off from.
    #[arg(long, value_name = "CODE", requires = "new")]
    pub split_from: Option<String>,
    /// Code of the household formed by the split.
    #[arg(long, value_name = "CODE", requires = "split_from")]
    pub new: Option<String>,
    /// Nhập hộ: code of the household that merges into another one and ceases.
    #[arg(long, value_name = "CODE", requires = "into")]
    pub merge: Option<String>,
    /// Code of the household it merges into.
    #[arg(long, value_name = "CODE", requires = "merge")]
    pub into: Option<String>,
    /// Commune code as recorded of the new (split) or receiving (merge) household, when it is
    /// not --commune.
    #[arg(long)]
    pub to_commune: Option<String>,
    /// The first review period in which the households are as linked.
    #[arg(long)]
    pub period: i64,
    /// Date of the change (YYYY-MM-DD), when known: within the period.
    #[arg(long)]
    pub date: Option<chrono::NaiveDate>,
}

pub fn household(ctx: Ctx, a: HouseholdArgs) -> Result<ExitCode> {
    if let Some(HouseholdCommand::Link(l)) = a.command {
        return link(ctx, l);
    }
    let (Some(commune), Some(code)) = (a.commune, a.code) else {
        anyhow::bail!("cần --commune và --code / --commune and --code are required");
    };
    ctx.block_on(async {
        let db = ctx.open().await?;
        let v = db.unscoped().household(&commune, &code).await?;
        println!("Hộ {commune}/{code} (id {}), xã hiện nay {} tỉnh {}", v.id, v.commune_code, v.province_code);
        for p in &v.periods {
            println!(
                "  {}: {} — {} nhân khẩu, {} thiếu hụt (xã ghi {})",
                p.year,
                p.class.map(|c| c.label_vi()).unwrap_or("chưa phân loại"),
                p.persons,
                p.deprivations,
                p.commune_code
            );
            if let Some(sc) = db.unscoped().score_of(p.year, v.id).await? {
                println!(
                    "    Điểm A (Phiếu B) / score A: {} — bảng {} vùng {}{}",
                    sc.score_a,
                    sc.table_id,
                    sc.region,
                    if sc.test_table {
                        " [BẢNG THỬ NGHIỆM — không phải số liệu chính thức]"
                    } else {
                        ""
                    }
                );
            }
            if let Some(ic) = db.unscoped().income_survey_of(p.year, v.id).await? {
                println!(
                    "    Phiếu C / income survey: {} đ/người/tháng (thu nhập 12 tháng {} đ, trừ trợ cấp {} đ, {} nhân khẩu), NLNDN {}",
                    ic.income_per_capita,
                    ic.income_12m,
                    ic.allowances_12m,
                    ic.persons,
                    if ic.nlndn { "có" } else { "không" }
                );
            }
        }
        for l in &v.lineage {
            println!("  {}", lineage_line(l));
        }
        let s = &v.status;
        if let Some(y) = s.poor_since {
            println!("  Hộ nghèo từ kỳ {y}");
        }
        if let Some(y) = s.near_poor_since {
            println!("  Hộ cận nghèo từ kỳ {y}");
        }
        if let Some((y, _)) = s.escaped_in {
            println!(
                "  Thoát nghèo/cận nghèo ở kỳ {y}{}",
                if s.newly_escaped { " — hộ mới thoát nghèo (36 tháng)" } else { "" }
            );
        }
        if a.audit {
            println!("at,actor,command,entity,period,member_no,field,old_value,new_value");
            for e in vuonlen_store::audit::for_household_unscoped(&db, v.id).await? {
                println!(
                    "{},{},{},{},{},{},{},{},{}",
                    e.at,
                    e.actor,
                    e.command,
                    e.entity,
                    e.period.map(|x| x.to_string()).unwrap_or_default(),
                    e.member_no.map(|x| x.to_string()).unwrap_or_default(),
                    e.field,
                    e.old_value.unwrap_or_default(),
                    e.new_value.unwrap_or_default()
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// "Tách từ hộ 00004/H1 ở kỳ 2025 (ngày 2025-08-01) / split off from 00004/H1 in 2025".
fn lineage_line(l: &Lineage) -> String {
    let (vi, en) = match &l.other {
        Some(o) => (o.to_string(), o.to_string()),
        None => ("(ngoài phạm vi)".to_string(), "(outside your area)".to_string()),
    };
    let date = l.effective_date.map(|d| format!(" (ngày {d})")).unwrap_or_default();
    format!("{} {vi} ở kỳ {}{date} / {} {en} in {}", l.role.label_vi(), l.period, l.role.label_en(), l.period)
}

/// `vuonlen household link`.
fn link(ctx: Ctx, a: LinkArgs) -> Result<ExitCode> {
    let (kind, first, second) = match (a.split_from, a.new, a.merge, a.into) {
        (Some(f), Some(n), None, None) => (LinkKind::Split, f, n),
        (None, None, Some(m), Some(i)) => (LinkKind::Merge, m, i),
        _ => anyhow::bail!(
            "dùng --split-from CODE --new CODE hoặc --merge CODE --into CODE / \
             use --split-from CODE --new CODE or --merge CODE --into CODE"
        ),
    };
    let to_commune = a.to_commune.unwrap_or_else(|| a.commune.clone());
    let spec = LinkSpec {
        kind,
        from: HouseholdRef::new(&a.commune, first),
        to: HouseholdRef::new(to_commune, second),
        period: a.period,
        effective_date: a.date,
        actor: ctx.actor()?,
        command: "household link".into(),
    };
    ctx.block_on(async {
        let db = ctx.open().await?;
        db.unscoped().link(&spec).await?;
        let (f, t, p) = (&spec.from, &spec.to, spec.period);
        match kind {
            LinkKind::Split => {
                eprintln!("Đã ghi nhận: hộ {t} tách từ hộ {f} từ kỳ {p} / recorded: {t} split off from {f} in {p}.")
            }
            LinkKind::Merge => {
                eprintln!("Đã ghi nhận: hộ {f} nhập vào hộ {t} từ kỳ {p} / recorded: {f} merged into {t} in {p}.")
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(Debug, clap::Subcommand)]
pub enum UnitsCommand {
    /// 2024 communes with no 2025 successor in the lineage.
    Unmapped,
    /// Map a 2024 commune to a 2025 commune (administrator).
    Map {
        #[arg(long)]
        old: String,
        #[arg(long)]
        new: String,
    },
    /// Villages (thôn/tổ dân phố) of a commune.
    Villages {
        #[arg(long)]
        commune: String,
    },
    /// Create a village under a commune.
    AddVillage {
        #[arg(long)]
        commune: String,
        #[arg(long)]
        name: String,
    },
}

pub fn units(ctx: Ctx, cmd: UnitsCommand) -> Result<ExitCode> {
    ctx.block_on(async {
        let db = ctx.open().await?;
        match cmd {
            UnitsCommand::Unmapped => {
                let list = vuonlen_store::units::unmapped(&db).await?;
                println!("code,name,province_code,surveys");
                for u in &list {
                    println!("{},{},{},{}", u.code, u.name, u.province_code, u.surveys);
                }
                eprintln!("{} xã cũ chưa có xã mới / 2024 communes without a 2025 successor.", list.len());
            }
            UnitsCommand::Map { old, new } => {
                let n = vuonlen_store::units::add_mapping(&db, &old, &new, &ctx.actor()?, "units map").await?;
                eprintln!("Đã nối xã {old} → {new}; {n} phiếu được tính vào xã mới / {n} surveys now count in {new}.");
            }
            UnitsCommand::Villages { commune } => {
                println!("id,commune_code,name");
                for v in vuonlen_store::units::villages(&db, &commune).await? {
                    println!("{},{},{}", v.id, v.commune_code, v.name);
                }
            }
            UnitsCommand::AddVillage { commune, name } => {
                let v =
                    vuonlen_store::units::add_village(&db, &commune, &name, &ctx.actor()?, "units add-village").await?;
                eprintln!("Thôn {} (id {}) thuộc xã {}.", v.name, v.id, v.commune_code);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
