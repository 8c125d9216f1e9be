//! Command line: `serve` (default), `migrate`, `create-user`, `create-api-key`, `seed-demo`,
//! `import-boundaries`, `eval-intake`, `export-ledger`.

use std::{io::Read, path::PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use secrecy::SecretString;

use crate::{auth::Role, clock::SystemClock, config::Settings, startup};

/// hazardline: safety-hazard reports from phone to close-out.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// Directory holding base.yaml and the overlays.
    #[arg(long, global = true, default_value = "config", env = "HAZARDLINE_CONFIG_DIR")]
    pub config_dir: PathBuf,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an account.
    CreateUser {
        /// Role to grant.
        #[arg(long, value_enum)]
        role: Role,
        /// Mainland mobile number (the login).
        #[arg(long)]
        phone: String,
        /// Name shown to others.
        #[arg(long, default_value = "")]
        name: String,
        /// Read the password from standard input (first line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Make an Open311 API key and print it (only its hash is kept: this is the one time it is shown).
    CreateApiKey {
        /// Who uses the key, e.g. 12345热线.
        #[arg(long)]
        name: String,
    },
    /// Load the demo data set (idempotent).
    SeedDemo,
    /// Evaluate the intake's understanding on a labelled set: category top-1/top-3, emergency
    /// recall/precision, confusions. Uses the seed categories unless `--db` is given.
    EvalIntake {
        /// The labelled set (tab-separated: text, category, E or -, number or -, second category).
        #[arg(long, default_value = "eval/intake-eval.tsv")]
        file: PathBuf,
        /// Use the active categories of the configured database instead of the seed ones.
        #[arg(long)]
        db: bool,
        /// Exit with an error when a target is missed.
        #[arg(long)]
        check: bool,
        /// Also list every message whose category or emergency flag is wrong.
        #[arg(long)]
        verbose: bool,
    },
    /// Import region boundaries from a GeoJSON FeatureCollection (one transaction).
    ImportBoundaries {
        /// The GeoJSON file.
        file: PathBuf,
        /// Level of every feature: district, street, community or grid.
        #[arg(long, value_parser = parse_level)]
        level: crate::geo::region::RegionLevel,
        /// Property holding the name (dotted paths reach into objects).
        #[arg(long, default_value = "name")]
        name_field: String,
        /// Property holding the administrative code.
        #[arg(long, default_value = "code")]
        code_field: String,
        /// Property holding the parent's code, e.g. `parent.adcode`.
        #[arg(long)]
        parent_field: Option<String>,
        /// Code of the parent region of every feature (when the file names none).
        #[arg(long)]
        parent: Option<String>,
        /// Coordinate system of the file: gcj02 or wgs84.
        #[arg(long, default_value = "gcj02", value_parser = parse_crs)]
        crs: crate::geo::point::CoordSystem,
        /// Import the valid features even if some are skipped (default: all or nothing).
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Export the hazard ledger (隐患台账) of every ticket matching the filters, as the API does.
    ExportLedger {
        /// The file to write; `.xlsx` gives a workbook, anything else CSV (unless --format says).
        #[arg(long)]
        out: PathBuf,
        /// `csv` or `xlsx` (default: from the file name).
        #[arg(long)]
        format: Option<String>,
        /// The list filters, as the API takes them (e.g. `--from 2026-01-01T00:00:00+08:00`).
        #[command(flatten)]
        filters: LedgerFilterArgs,
    },
}

/// The ledger's filters on the command line (same names and parsing as the API's query).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LedgerFilterArgs {
    /// Statuses, comma-separated.
    #[arg(long)]
    pub status: Option<String>,
    /// Category code.
    #[arg(long)]
    pub category: Option<String>,
    /// `emergency`, `urgent` or `normal`.
    #[arg(long)]
    pub urgency: Option<String>,
    /// `general` or `major`.
    #[arg(long)]
    pub hazard_level: Option<String>,
    /// Responsible department id.
    #[arg(long)]
    pub department_id: Option<String>,
    /// Region id (with everything below it).
    #[arg(long)]
    pub region_id: Option<String>,
    /// Grid id.
    #[arg(long)]
    pub grid_id: Option<String>,
    /// Campaign id.
    #[arg(long)]
    pub campaign_id: Option<String>,
    /// `true` or `false`.
    #[arg(long)]
    pub overdue: Option<String>,
    /// Reported at or after (RFC 3339).
    #[arg(long)]
    pub from: Option<String>,
    /// Reported before (RFC 3339).
    #[arg(long)]
    pub to: Option<String>,
}

impl From<LedgerFilterArgs> for crate::ledger::dto::LedgerQuery {
    fn from(a: LedgerFilterArgs) -> Self {
        crate::ledger::dto::LedgerQuery {
            status: a.status,
            category: a.category,
            urgency: a.urgency,
            hazard_level: a.hazard_level,
            department_id: a.department_id,
            region_id: a.region_id,
            grid_id: a.grid_id,
            campaign_id: a.campaign_id,
            overdue: a.overdue,
            from: a.from,
            to: a.to,
            q: None,
        }
    }
}

fn parse_level(s: &str) -> Result<crate::geo::region::RegionLevel, String> {
    crate::geo::store::parse_level(s).ok_or_else(|| "expected district, street, community or grid".to_owned())
}

fn parse_crs(s: &str) -> Result<crate::geo::point::CoordSystem, String> {
    match s {
        "gcj02" => Ok(crate::geo::point::CoordSystem::Gcj02),
        "wgs84" => Ok(crate::geo::point::CoordSystem::Wgs84),
        _ => Err("expected gcj02 or wgs84".to_owned()),
    }
}

impl Cli {
    /// Loads settings for this invocation.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        Settings::load_from(&self.config_dir)
    }
}

/// Runs a non-serving subcommand.
pub async fn run_command(command: Command, mut settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => anyhow::bail!("serve is run by main, not as a command"),
        Command::Migrate => {
            let db = crate::infra::db::connect(&settings.database).await?;
            crate::infra::db::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::CreateUser { role, phone, name, password_stdin } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_to_string(&mut line)?;
                let first = line.lines().next().unwrap_or_default().to_owned();
                Some(SecretString::from(first))
            } else {
                None
            };
            let (state, _) = startup::build_state(settings, std::sync::Arc::new(SystemClock)).await?;
            let name = if name.is_empty() { default_name(role).to_owned() } else { name };
            let user = crate::auth::service::create_user(&state, &phone, &name, password, role)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created {} {} ({})", role, user.id, name);
            Ok(())
        }
        Command::ImportBoundaries { file, level, name_field, code_field, parent_field, parent, crs, skip_invalid } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let (state, _) = startup::build_state(settings, std::sync::Arc::new(SystemClock)).await?;
            let mut options = crate::geo::import::ImportOptions::new(level);
            options.name_field = name_field;
            options.code_field = code_field;
            options.parent_code_field = parent_field;
            if let Some(code) = parent {
                let row = entity::region::Entity::find()
                    .filter(entity::region::Column::Code.eq(code.as_str()))
                    .one(state.db())
                    .await?
                    .with_context(|| format!("--parent {code}: no such region"))?;
                options.parent_id = Some(row.id);
            }
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} regions written")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let outcome = crate::geo::import_service::import_boundaries(
                &state,
                &text,
                &options,
                crs,
                !skip_invalid,
                |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("import failed, nothing written: {e}"))?;
            bar.finish_and_clear();
            for s in &outcome.skipped {
                println!(
                    "skipped feature #{} {} {}: {}",
                    s.feature_index,
                    s.code.as_deref().unwrap_or("?"),
                    s.name.as_deref().unwrap_or("?"),
                    s.reason
                );
            }
            if outcome.committed {
                println!("imported {} regions, skipped {}", outcome.imported, outcome.skipped.len());
                Ok(())
            } else {
                anyhow::bail!(
                    "{} feature(s) invalid: nothing imported (fix them, or pass --skip-invalid)",
                    outcome.skipped.len()
                )
            }
        }
        Command::CreateApiKey { name } => {
            let (state, _) = startup::build_state(settings, std::sync::Arc::new(SystemClock)).await?;
            let created =
                crate::open311::keys::create(&state, &name, None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "created API key {} ({}) for {}",
                created.api_key.id, created.api_key.prefix, created.api_key.name
            );
            println!("{}", created.key);
            println!("Keep it now: it is not stored and cannot be shown again.");
            Ok(())
        }
        Command::EvalIntake { file, db, check, verbose } => eval_intake(&file, db, check, verbose, &settings).await,
        Command::ExportLedger { out, format, filters } => {
            let (state, _) = startup::build_state(settings, std::sync::Arc::new(SystemClock)).await?;
            let rows = export_ledger(&state, &out, format.as_deref(), filters).await?;
            println!("wrote {rows} rows to {}", out.display());
            Ok(())
        }
        Command::SeedDemo => {
            settings.app.seed_demo = true;
            let (state, _) = startup::build_state(settings, std::sync::Arc::new(SystemClock)).await?;
            crate::seed::seed_demo(&state).await?;
            crate::seed::print_logins();
            Ok(())
        }
    }
}

async fn eval_intake(
    file: &std::path::Path,
    db: bool,
    check: bool,
    verbose: bool,
    settings: &Settings,
) -> anyhow::Result<()> {
    use crate::intake::{eval, nlu::Lexicon};
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let samples = eval::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let started = std::time::Instant::now();
    let (lexicon, source) = if db {
        let conn = crate::infra::db::connect(&settings.database).await?;
        let rows = entity::category::Entity::find().all(&conn).await?;
        (Lexicon::from_models(&rows), "categories from the database")
    } else {
        (Lexicon::from_seeds(), "seed categories")
    };
    let built = started.elapsed();
    let started = std::time::Instant::now();
    let report = eval::evaluate(&lexicon, &samples);
    let ran = started.elapsed();
    println!("{} ({source})", file.display());
    print!("{report}");
    if verbose {
        print!("{}", eval::misses(&lexicon, &samples));
    }
    println!(
        "lexicon built in {} ms; {} messages understood in {} ms ({:.2} ms each)",
        built.as_millis(),
        samples.len(),
        ran.as_millis(),
        ran.as_secs_f64() * 1000.0 / samples.len().max(1) as f64
    );
    let shortfalls = report.shortfalls(eval::TARGETS);
    if check && !shortfalls.is_empty() {
        anyhow::bail!("targets missed: {}", shortfalls.join("; "));
    }
    Ok(())
}

/// Writes the ledger to `out` with a progress bar; answers the rows written. The command line is
/// the operator's: it sees every ticket (the API scopes the export to the caller).
pub async fn export_ledger(
    state: &crate::state::AppState,
    out: &std::path::Path,
    format: Option<&str>,
    filters: LedgerFilterArgs,
) -> anyhow::Result<u64> {
    use crate::{
        ledger::service::{self, LedgerFormat},
        tickets::{
            access::{DispatchScope, Viewer},
            dto::ListTicketsQuery,
            query::ListParams,
        },
    };
    let format = match format.map(str::to_ascii_lowercase).as_deref() {
        Some("csv") => LedgerFormat::Csv,
        Some("xlsx") => LedgerFormat::Xlsx,
        Some(other) => anyhow::bail!("--format {other}: expected csv or xlsx"),
        None if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) => LedgerFormat::Xlsx,
        None => LedgerFormat::Csv,
    };
    let query = ListTicketsQuery::from(crate::ledger::dto::LedgerQuery::from(filters));
    let filters = ListParams::try_from(query).map_err(|e| anyhow::anyhow!("{e}"))?.filters;
    let operator = Viewer {
        id: uuid::Uuid::nil(),
        roles: vec![Role::Admin],
        departments: Vec::new(),
        grids: Vec::new(),
        dispatch: DispatchScope::All,
    };
    let source = service::open(state, &operator, &filters).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let total = source.count().await?;
    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows {per_sec} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let (file, rows) = service::write(source, format, file, |done| bar.set_position(done))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    file.sync_all()?;
    bar.finish_and_clear();
    Ok(rows)
}

fn default_name(role: Role) -> &'static str {
    match role {
        Role::Resident => "居民",
        Role::GridWorker => "网格员",
        Role::DeptStaff => "部门工作人员",
        Role::Dispatcher => "调度员",
        Role::Admin => "管理员",
    }
}
