//! Demo data for `cargo run` on a fresh machine (development mode only): one account per role
//! with a known password, and the demo city 青川市 (`geo::demo_city`) with its departments and
//! grid workers. Idempotent: existing phones and an existing city are left alone.

use secrecy::SecretString;

use crate::{
    auth::{service, service::AuthError, Role},
    config::Mode,
    state::AppState,
};

/// The demo password of every demo account (development mode only).
pub const DEMO_PASSWORD: &str = "hazardline-demo";

/// Demo accounts: phone, name, role.
pub const DEMO_USERS: [(&str, &str, Role); 5] = [
    ("13900000001", "演示管理员", Role::Admin),
    ("13900000002", "演示调度员", Role::Dispatcher),
    ("13900000003", "演示部门人员", Role::DeptStaff),
    ("13900000004", "演示网格员", Role::GridWorker),
    ("13900000005", "演示居民", Role::Resident),
];

/// Creates the demo accounts that do not exist yet.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<()> {
    anyhow::ensure!(
        state.settings().app.mode == Mode::Development,
        "demo data has known passwords and is refused in production mode"
    );
    let mut created = 0;
    for (phone, name, role) in DEMO_USERS {
        match service::create_user(state, phone, name, Some(SecretString::from(DEMO_PASSWORD)), role).await {
            Ok(_) => created += 1,
            Err(AuthError::PhoneTaken) => {}
            Err(e) => return Err(anyhow::anyhow!("creating demo user {phone}: {e}")),
        }
    }
    tracing::info!(created, "demo accounts ready");
    if crate::geo::seed::seed_city(state, DEMO_PASSWORD).await? {
        crate::geo::service::regions_changed(state).await?;
        tracing::info!("demo city 青川市 created: 2 districts, 6 streets, 18 communities, 72 grids");
    }
    Ok(())
}

/// Prints the demo logins.
pub fn print_logins() {
    println!("Demo logins (POST /api/v1/auth/login/password), password `{DEMO_PASSWORD}`:");
    for (phone, name, role) in DEMO_USERS {
        println!("  {role:<12} {phone}  {name}");
    }
    println!("  grid workers of the demo city: 13900100001 … 13900100018 (one per community)");
}
