//! Persists the demo city (`demo_city`): regions, departments for every category, a safety
//! office per district and street, one routing rule, grid workers with their grids. Idempotent:
//! nothing happens when the city's first district exists.

use std::collections::HashMap;

use chrono::Utc;
use entity::{department, department_category, grid_assignment, region, routing_rule, user, user_role};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use uuid::Uuid;

use super::{
    demo_city::{self, DISTRICTS},
    region::RegionLevel,
    region::RegionShape,
    store::{level_str, new_row},
};
use crate::{
    auth::{service::insert_user_hashed, Phone, Role},
    state::AppState,
};

/// Department kinds of a district and the categories each handles.
pub const DISTRICT_DEPARTMENTS: [(&str, &str, &[&str]); 12] = [
    ("安委办", "safety_office", &["other"]),
    ("应急管理局", "emergency_management", &["hazchem", "fireworks", "enterprise", "mine"]),
    ("消防救援大队", "fire_rescue", &["fire"]),
    ("住房和城乡建设局", "housing", &["building", "construction", "gas"]),
    ("城市管理局", "urban_management", &["road_facility", "city_order"]),
    ("市场监督管理局", "market_regulation", &["special_equipment", "food"]),
    ("交警大队", "traffic_police", &["traffic"]),
    ("公安分局", "police", &["public_order"]),
    ("教育局", "education", &["campus"]),
    ("水利局", "water_resources", &["water"]),
    ("自然资源局", "natural_resources", &["geological"]),
    ("林业局", "forestry", &["forest_fire"]),
];

/// Phone of the grid worker of community `k` (0..18).
pub fn grid_worker_phone(k: usize) -> String {
    format!("1390010{:04}", k + 1)
}

/// Creates the demo city unless it exists; its grid workers get `password`.
pub async fn seed_city(state: &AppState, password: &str) -> anyhow::Result<bool> {
    let db = state.db();
    let first_code = format!("43990{}", 1);
    if region::Entity::find().filter(region::Column::Code.eq(first_code)).one(db).await?.is_some() {
        return Ok(false);
    }
    let password_hash = &crate::auth::password::hash(secrecy::SecretString::from(password.to_owned())).await?;
    let now = Utc::now();
    let txn = db.begin().await?;
    let mut ids: HashMap<String, Uuid> = HashMap::new();
    for r in demo_city::regions() {
        let id = Uuid::now_v7();
        let shape = RegionShape {
            id,
            parent_id: r.parent_code.as_ref().and_then(|c| ids.get(c).copied()),
            level: r.level,
            code: r.code.clone(),
            name: r.name.clone(),
            geometry: r.geometry,
        };
        new_row(&shape, now)?.insert(&txn).await?;
        ids.insert(r.code, id);
    }
    let id_of = |code: &str| ids.get(code).copied().ok_or_else(|| anyhow::anyhow!("demo region {code} missing"));
    let mut departments: HashMap<String, Uuid> = HashMap::new();
    let mut add_department = |name: String, kind: &str, region_id: Uuid, categories: &[&str]| {
        let id = Uuid::now_v7();
        departments.insert(name.clone(), id);
        (
            department::ActiveModel {
                id: Set(id),
                name: Set(name),
                kind: Set(kind.to_owned()),
                region_id: Set(region_id),
                duty_contact: Set(Some("值班室".to_owned())),
                duty_phone: Set(Some("0731-12345678".to_owned())),
                working_hours: Set("周一至周五 08:30-17:30；节假日值班".to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
            },
            categories.iter().map(|c| (id, (*c).to_owned())).collect::<Vec<_>>(),
        )
    };
    let mut rows = Vec::new();
    for (d, (district, streets)) in DISTRICTS.iter().enumerate() {
        let d_code = format!("43990{}", d + 1);
        for (suffix, kind, cats) in DISTRICT_DEPARTMENTS {
            rows.push(add_department(format!("{district}{suffix}"), kind, id_of(&d_code)?, cats));
        }
        for (s, street) in streets.iter().enumerate() {
            rows.push(add_department(
                format!("{street}安委办"),
                "safety_office",
                id_of(&format!("{d_code}{:03}", s + 1))?,
                &[],
            ));
        }
    }
    for (row, links) in rows {
        row.insert(&txn).await?;
        for (department_id, category_code) in links {
            department_category::ActiveModel { department_id: Set(department_id), category_code: Set(category_code) }
                .insert(&txn)
                .await?;
        }
    }
    // 望江街道 has its gas network under the city-management bureau: a routing-rule override.
    let urban = departments.get("东湖区城市管理局").copied().ok_or_else(|| anyhow::anyhow!("department missing"))?;
    routing_rule::ActiveModel {
        id: Set(Uuid::now_v7()),
        category_code: Set("gas".to_owned()),
        region_id: Set(id_of("439901002")?),
        department_id: Set(urban),
        note: Set("望江街道燃气管网由城管局代管".to_owned()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    for (k, name) in demo_city::COMMUNITIES.iter().enumerate() {
        let phone = Phone::parse(&grid_worker_phone(k))?;
        let worker = match user::Entity::find().filter(user::Column::Phone.eq(phone.as_str())).one(&txn).await? {
            Some(u) => u,
            None => insert_user_hashed(
                &txn,
                &phone,
                &format!("{name}网格员"),
                Some(password_hash.to_owned()),
                Role::GridWorker,
            )
            .await
            .map_err(|e| anyhow::anyhow!("demo grid worker: {e}"))?,
        };
        let community_code = community_code(k);
        for g in 0..4 {
            let grid_id = id_of(&format!("{community_code}{:02}", g + 1))?;
            grid_assignment::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(worker.id),
                grid_id: Set(grid_id),
                // The last grid of every community has its worker off duty, to show the fallback.
                on_duty: Set(g != 3),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    scope_demo_staff(state, &departments, id_of("439901")?).await?;
    Ok(true)
}

/// Code of community `k` (0..18).
pub fn community_code(k: usize) -> String {
    format!("43990{}{:03}{:03}", k / 9 + 1, (k % 9) / 3 + 1, k % 3 + 1)
}

async fn scope_demo_staff(state: &AppState, departments: &HashMap<String, Uuid>, district: Uuid) -> anyhow::Result<()> {
    let db = state.db();
    let fire = departments.get("东湖区消防救援大队").copied();
    for (phone, role) in
        [("13900000003", Role::DeptStaff), ("13900000002", Role::Dispatcher), ("13900000004", Role::GridWorker)]
    {
        let Some(account) = user::Entity::find().filter(user::Column::Phone.eq(phone)).one(db).await? else { continue };
        let Some(grant) = user_role::Entity::find()
            .filter(user_role::Column::UserId.eq(account.id))
            .filter(user_role::Column::Role.eq(role.as_str()))
            .one(db)
            .await?
        else {
            continue;
        };
        let mut grant: user_role::ActiveModel = grant.into();
        match role {
            Role::DeptStaff => grant.department_id = Set(fire),
            Role::Dispatcher => grant.region_id = Set(Some(district)),
            _ => {}
        }
        grant.update(db).await?;
        if role == Role::GridWorker {
            // The demo grid worker also covers 幸福社区's first grid.
            let grid = region::Entity::find()
                .filter(region::Column::Code.eq(format!("{}01", community_code(0))))
                .filter(region::Column::Level.eq(level_str(RegionLevel::Grid)))
                .one(db)
                .await?;
            if let Some(grid) = grid {
                grid_assignment::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    user_id: Set(account.id),
                    grid_id: Set(grid.id),
                    on_duty: Set(true),
                    created_at: Set(Utc::now()),
                }
                .insert(db)
                .await?;
            }
        }
    }
    Ok(())
}
