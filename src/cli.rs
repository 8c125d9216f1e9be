//! Command line: `serve` (default), `migrate`, `create-user`, `seed-demo`.

use std::{io::Read, path::PathBuf};

use clap::{Parser, Subcommand};
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
    /// Load the demo data set (idempotent).
    SeedDemo,
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
        Command::Serve => unreachable_serve(),
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
        Command::SeedDemo => {
            settings.app.seed_demo = true;
            let (state, _) = startup::build_state(settings, std::sync::Arc::new(SystemClock)).await?;
            crate::seed::seed_demo(&state).await?;
            crate::seed::print_logins();
            Ok(())
        }
    }
}

fn unreachable_serve() -> anyhow::Result<()> {
    anyhow::bail!("serve is handled by main")
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
