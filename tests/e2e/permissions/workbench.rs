//! The office's workbench, role × page × action: who sees the new-item page, the 交办
//! checkboxes, the 编辑/转办/调整时限/交办 forms, and what every other role gets when it
//! posts them anyway — nothing changes, and a unit never sees a draft.

use super::world::{ROLES, World, world};
use reqwest::StatusCode;
use reqwest::redirect::Policy;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn get(w: &World, role: &str, path: &str) -> (u16, String) {
    let mut req = client().get(w.app.url(path));
    if role != "anonymous" {
        req = req.header("cookie", format!("xh_session={}", w.token(role)));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

/// A form post as the browser sends it from our own pages (Origin set).
async fn post(w: &World, role: &str, path: &str, form: &[(&str, String)]) -> (u16, String) {
    let mut req = client()
        .post(w.app.url(path))
        .header("origin", w.app.url(""))
        .form(form);
    if role != "anonymous" {
        req = req.header("cookie", format!("xh_session={}", w.token(role)));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = resp.text().await.unwrap_or_default();
    (status, format!("{location}\n{body}"))
}

const OFFICE_POWERS: [&str; 3] = ["admin", "office", "top_office"];

#[tokio::test]
async fn the_workbench_answers_every_role_as_the_table_says() {
    let w = world().await;
    let (x, d) = (w.item_a, w.draft);
    let store = w.app.t.engine.raw_store();
    let mut wrong = Vec::new();

    // Pages: (path, expected status per role of ROLES).
    let pages: Vec<(String, [u16; 9])> = vec![
        (
            "/items/new".into(),
            [200, 200, 200, 200, 403, 403, 403, 200, 303],
        ),
        (
            "/ledger?state=draft".into(),
            [200, 200, 200, 200, 200, 200, 200, 200, 303],
        ),
        (
            "/ledger?sort=late&dir=desc&level=0&overdue=true".into(),
            [200, 200, 200, 200, 200, 200, 200, 200, 303],
        ),
        (
            "/ledger?sort=password".into(),
            [400, 400, 400, 400, 400, 400, 400, 400, 303],
        ),
    ];
    for (path, expected) in &pages {
        for (col, role) in ROLES.iter().enumerate() {
            let (status, body) = get(&w, role, path).await;
            if status != expected[col] {
                wrong.push(format!(
                    "GET {path} as {role}: {status}, expected {}",
                    expected[col]
                ));
            }
            if path == "/ledger?state=draft" && status == 200 {
                // Units and the leader never see a draft; only an office with jurisdiction
                // over it may tick it for 交办.
                let listed = body.contains("编制石化产业招商图谱");
                let sees_drafts = !matches!(*role, "unit_a" | "unit_b" | "leader");
                if listed != sees_drafts {
                    wrong.push(format!("{path} as {role}: draft listed: {listed}"));
                }
                let tickable = body.contains(&format!("name=\"id\" value=\"{d}\""));
                if tickable != OFFICE_POWERS.contains(role) {
                    wrong.push(format!("{path} as {role}: 交办 checkbox: {tickable}"));
                }
            }
        }
    }

    // The forms on the item pages, offered exactly to the offices with jurisdiction.
    for (col, role) in ROLES.iter().enumerate() {
        let (status, body) = get(&w, role, &format!("/items/{x}")).await;
        if status == 200 {
            for form in ["form-edit", "form-transfer", "form-reschedule"] {
                let offered = body.contains(&format!("id=\"{form}\""));
                if offered != OFFICE_POWERS.contains(role) {
                    wrong.push(format!("/items/{{x}} as {role}: {form} offered: {offered}"));
                }
            }
            if body.contains("id=\"form-assign\"") {
                wrong.push(format!(
                    "/items/{{x}} as {role}: 交办 offered on an assigned item"
                ));
            }
        }
        let (status, body) = get(&w, role, &format!("/items/{d}")).await;
        let sees = [200, 200, 200, 200, 404, 404, 404, 200, 303][col];
        if status != sees {
            wrong.push(format!(
                "/items/{{draft}} as {role}: {status}, expected {sees}"
            ));
        }
        if status == 200 && body.contains("id=\"form-assign\"") != OFFICE_POWERS.contains(role) {
            wrong.push(format!(
                "/items/{{draft}} as {role}: 交办 form offered wrongly"
            ));
        }
    }

    // Every role without office powers posts every form anyway: nothing changes.
    let before_x = store.item(x).await.unwrap();
    let before_d = store.item(d).await.unwrap();
    let items_before = store
        .all_items(&xiaohao_store::ItemFilter::default())
        .await
        .unwrap()
        .len();
    let v = |n: i64| n.to_string();
    for role in ROLES.iter().filter(|r| !OFFICE_POWERS.contains(r)) {
        let tries: Vec<(String, Vec<(&str, String)>)> = vec![
            (
                format!("/items/{x}/edit"),
                vec![
                    ("version", v(before_x.version)),
                    ("title", "改过的标题".into()),
                    ("reason", "越权修改".into()),
                ],
            ),
            (
                format!("/items/{x}/act"),
                vec![
                    ("action", "transfer".into()),
                    ("to", "省科技厅".into()),
                    ("reason", "越权转办".into()),
                ],
            ),
            (
                format!("/items/{x}/act"),
                vec![
                    ("action", "reschedule".into()),
                    ("deadline", "2027-01-01".into()),
                    ("reason", "越权调整".into()),
                ],
            ),
            (
                format!("/items/{d}/act"),
                vec![
                    ("action", "assign".into()),
                    ("deadline", "2026-09-30".into()),
                ],
            ),
            (
                "/ledger/assign".into(),
                vec![("id", d.to_string()), ("deadline", "2026-09-30".into())],
            ),
        ];
        let mut tries = tries;
        // Offices and 督查室 file items; the others may not.
        if matches!(*role, "unit_a" | "unit_b" | "leader" | "anonymous") {
            tries.push((
                "/items/new".into(),
                vec![("title", "越权立项".into()), ("kind", "task".into())],
            ));
        }
        for (path, form) in tries {
            let (status, answer) = post(&w, role, &path, &form).await;
            let refused = match status {
                // Sent back to the item with a refusal, or the bulk result naming it.
                303 => answer.contains("error=") || answer.starts_with("/login"),
                200 => answer.contains("未能交办 1 项"),
                403 | 404 => true,
                _ => false,
            };
            if !refused {
                wrong.push(format!("POST {path} as {role}: {status} {answer}"));
            }
        }
    }
    // Without our Origin, even an office's post is refused.
    let (status, _) = {
        let resp = client()
            .post(w.app.url(&format!("/items/{x}/edit")))
            .header("cookie", format!("xh_session={}", w.token("office")))
            .form(&[("title", "跨站修改"), ("reason", "跨站")])
            .send()
            .await
            .unwrap();
        (resp.status(), ())
    };
    if status != StatusCode::FORBIDDEN {
        wrong.push(format!("cross-site edit: {status}"));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(store.item(x).await.unwrap(), before_x, "item unchanged");
    assert_eq!(store.item(d).await.unwrap(), before_d, "draft unchanged");
    let items_after = store
        .all_items(&xiaohao_store::ItemFilter::default())
        .await
        .unwrap()
        .len();
    assert_eq!(items_after, items_before, "no item filed");

    // The office may: 交办 from the ledger, then 编辑 and 调整时限 the item.
    let (status, answer) = post(
        &w,
        "office",
        "/ledger/assign",
        &[("id", d.to_string()), ("deadline", "2026-09-30".into())],
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("已交办 1 项"), "{answer}");
    let assigned = store.item(d).await.unwrap();
    assert_eq!(assigned.state.as_str(), "assigned");
    assert_eq!(assigned.deadline.unwrap().to_string(), "2026-09-30");
    let (status, answer) = post(
        &w,
        "office",
        &format!("/items/{x}/edit"),
        &[
            ("version", v(before_x.version)),
            ("title", "延伸炼化一体化产业链（修订）".into()),
            ("text", String::new()),
            ("reason", "按方案修订".into()),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert!(
        answer.starts_with(&format!("/items/{x}?ok=edit")),
        "{answer}"
    );
    assert_eq!(
        store.item(x).await.unwrap().title,
        "延伸炼化一体化产业链（修订）"
    );
}
