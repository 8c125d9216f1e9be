//! The admin pages: an admin logs in, follows the 管理 entry, visits each area, adds a department
//! through its form (landing on it with a notice), and sees a duplicate category code refused on
//! the page with what was typed kept.

use hazardline::auth::Role;
use serde_json::json;

use crate::{
    helpers::{spawn_app, STAFF_PASSWORD},
    support::{assert_no_console_errors, browser, login_with_password, screenshots},
    webdriver::Browser,
};

async fn loaded(b: &Browser, path: &str) {
    b.wait_for(path, "return location.pathname === arguments[0] && document.readyState === 'complete'", json!([path]))
        .await;
}

#[tokio::test]
async fn an_admin_visits_every_admin_page_and_adds_a_department_through_its_form() {
    let app = spawn_app().await;
    let Some(b) = browser().await else { return };
    app.with_demo_city().await;
    app.staff("13912370001", Role::Admin).await;

    login_with_password(&b, &app, "13912370001", STAFF_PASSWORD).await;
    b.wait_for("the desk", "return location.pathname === '/desk'", json!([])).await;
    b.click(&b.find("header.top a[href='/admin']").await).await;
    loaded(&b, "/admin").await;
    assert_eq!(b.text("h1").await, "系统管理");
    screenshots(&b, "admin").await;

    for (path, title, shot) in [
        ("/admin/categories", "类别与关键词", "admin-categories"),
        ("/admin/routing-rules", "分派规则", "admin-routing"),
        ("/admin/users", "用户与角色", "admin-users"),
        ("/admin/campaigns", "专项整治", "admin-campaigns"),
        ("/admin/departments", "部门", "admin-departments"),
    ] {
        b.click(&b.find(&format!("nav.admin-areas a[href='{path}']")).await).await;
        loaded(&b, path).await;
        assert_eq!(b.text("h1").await, title);
        screenshots(&b, shot).await;
    }

    // A department through the form: region from the picker, two categories ticked.
    b.type_into(&b.find("#new-name").await, "东湖区燃气管理办公室").await;
    b.js(
        "var s = document.querySelector('#new-region'); s.selectedIndex = 1; \
         document.querySelector('#new-kind').value = 'gas_authority'; \
         document.querySelector('#new input[value=gas]').click(); \
         document.querySelector('#new input[value=hazchem]').click();",
        json!([]),
    )
    .await;
    b.type_into(&b.find("#new-duty_phone").await, "0731-1234567").await;
    b.click(&b.find("#new button[type=submit]").await).await;
    b.wait_for(
        "the new department",
        "return document.querySelector('#done') && document.querySelector('#edit')",
        json!([]),
    )
    .await;
    assert_eq!(b.text("#done").await, "已保存。");
    assert!(b.text("#edit-title").await.contains("东湖区燃气管理办公室"));
    screenshots(&b, "admin-department-saved").await;

    // A duplicate category code: refused next to the form, the typed name kept.
    b.goto(&app.url("/admin/categories")).await;
    loaded(&b, "/admin/categories").await;
    b.type_into(&b.find("#new-code").await, "fire").await;
    b.type_into(&b.find("#new-name_zh").await, "又一个消防").await;
    b.click(&b.find("#new button[type=submit]").await).await;
    b.wait_text("#msg-new", "这个编码已经有类别了，请换一个编码。").await;
    assert_eq!(b.js("return document.querySelector('#new-name_zh').value", json!([])).await, "又一个消防");
    screenshots(&b, "admin-category-refused").await;

    // The English pages.
    b.goto(&app.url("/admin/users?lang=en&q=1391237")).await;
    loaded(&b, "/admin/users").await;
    assert_eq!(b.text("h1").await, "Users and roles");
    assert!(b.text("#u-13912370001").await.contains("Admin"));
    screenshots(&b, "admin-users-en").await;

    // The refused form's 409 is the only thing the browser may log.
    assert_no_console_errors(
        &b,
        &["/admin/categories - Failed to load resource: the server responded with a status of 409"],
    )
    .await;
    b.quit().await;
}
