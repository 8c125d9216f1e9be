//! The accessibility check every screenshot runs finds what it is meant to find.

use crate::support::{accessibility_problems, browser};

#[tokio::test]
async fn the_check_names_each_kind_of_problem_and_passes_a_clean_page() {
    let Some(b) = browser().await else { return };
    let bad = r#"<!doctype html><html><body>
        <h1>One</h1><h1>Two</h1>
        <input id="x" type="text"><input id="x" type="text" aria-label="named">
        <img src="data:,">
        <button type="button"></button>
        <p style="color:#888;background:#fff">faint words</p>
        <p style="color:#888;background:#fff;font-size:30px">large grey words</p>
        </body></html>"#;
    b.goto(&format!("data:text/html;charset=utf-8,{}", urlencoding(bad))).await;
    let found = accessibility_problems(&b).await;
    let has = |what: &str| found.iter().any(|p| p.contains(what));
    assert!(has("html without lang") && has("2 h1 elements"), "{found:#?}");
    assert!(has("control without a label: input#x"), "{found:#?}");
    assert!(
        has("duplicate id: x") && has("img without alt") && has("link or button without a name: button"),
        "{found:#?}"
    );
    assert!(has("\"faint words\""), "{found:#?}");
    assert!(!has("large grey words"), "3.5:1 is enough for large text: {found:#?}");

    let good = r#"<!doctype html><html lang="en"><body><h1>Page</h1>
        <label for="a">Name</label><input id="a" type="text">
        <img src="data:," alt=""><button type="button">Send</button>
        <p style="color:#333;background:#fff">readable words</p></body></html>"#;
    b.goto(&format!("data:text/html;charset=utf-8,{}", urlencoding(good))).await;
    assert_eq!(accessibility_problems(&b).await, Vec::<String>::new());
    b.quit().await;
}

fn urlencoding(html: &str) -> String {
    url::form_urlencoded::byte_serialize(html.as_bytes()).collect::<String>().replace('+', "%20")
}
