//! `cargo run -p migration -- up|down|fresh|status` (reads DATABASE_URL).

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migration::Migrator).await;
}
