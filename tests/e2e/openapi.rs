//! The OpenAPI document is true: every documented GET is called as each role (items in
//! several states, a progress report, chains, units, a plan), and every answer is validated
//! against the schema the document gives for its status (JSON Schema 2020-12, `jsonschema`).
//! An undocumented status or a body that does not match fails. Error answers (400, 401,
//! 403, 404, 422) are checked against the error schema the same way.

use crate::permissions::world::{ROLES, World, world};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The schema of `path` `method` for `status` (JSON), resolvable on its own: the document's
/// components travel with it, so `#/components/schemas/…` references resolve.
fn response_schema(doc: &Value, path: &str, method: &str, status: u16) -> Option<Value> {
    let response = &doc["paths"][path][method]["responses"][status.to_string()];
    if response.is_null() {
        return None;
    }
    let mut schema = response["content"]["application/json"]["schema"].clone();
    if schema.is_null() {
        // Documented without a JSON body (204, a file download).
        return Some(json!(true));
    }
    schema["components"] = doc["components"].clone();
    Some(schema)
}

/// Call and check one request against the document; returns the status.
async fn conforms(
    w: &World,
    doc: &Value,
    (method, template, path): (Method, &str, &str),
    token: Option<&str>,
    body: Option<Value>,
) -> StatusCode {
    let app = &w.app;
    let mut req = app.http.request(method.clone(), app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let json_body = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let text = resp.text().await.unwrap_or_default();
    let m = method.as_str().to_lowercase();
    let schema = response_schema(doc, template, &m, status.as_u16()).unwrap_or_else(|| {
        panic!("{method} {path} answered {status}, which the document does not list: {text}")
    });
    if json_body {
        let instance: Value = serde_json::from_str(&text).expect("a JSON body");
        let validator = jsonschema::draft202012::new(&schema)
            .unwrap_or_else(|e| panic!("schema of {method} {template} {status}: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {path} ({status}) does not match its schema: {errors:#?}\n{}",
            &text[..text.len().min(2000)]
        );
    }
    status
}

#[tokio::test]
async fn every_documented_get_answers_as_its_schema_says() {
    let w = world().await;
    let app = &w.app;
    let doc: Value = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .expect("openapi.json")
        .json()
        .await
        .expect("openapi json");
    // A progress report from unit A with a file, so the progress and file lists are not
    // empty and a file can be fetched.
    let item = w.item_a.to_string();
    let (status, file) = crate::attachments::upload(
        app,
        &w.token("unit_a"),
        w.item_a,
        "备案表.pdf",
        crate::attachments::PDF.to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let upload_schema = response_schema(&doc, "/api/items/{id}/attachments", "post", 201)
        .expect("the upload's 201 is documented");
    assert!(
        jsonschema::draft202012::new(&upload_schema)
            .unwrap()
            .is_valid(&file)
    );
    let file_id = file["id"].as_str().expect("file id").to_owned();
    let report = json!({"period": "2026-03", "text": "已完成备案", "percent": 40,
        "actuals": [{"metric": "产值", "value": 12.5}], "attachments": [file_id]});
    let status = conforms(
        &w,
        &doc,
        (
            Method::POST,
            "/api/items/{id}/progress",
            &format!("/api/items/{item}/progress"),
        ),
        Some(&w.token("unit_a")),
        Some(report),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // The validation is not vacuous: an object where the list is, or an item without its
    // state, is refused.
    let chains = response_schema(&doc, "/api/chains", "get", 200).expect("chains schema");
    assert!(
        !jsonschema::draft202012::new(&chains)
            .unwrap()
            .is_valid(&json!({}))
    );
    let page = response_schema(&doc, "/api/items", "get", 200).expect("items schema");
    let v = jsonschema::draft202012::new(&page).unwrap();
    let listed: Value = app
        .http
        .get(app.url("/api/items"))
        .bearer_auth(w.token("office"))
        .send()
        .await
        .expect("items")
        .json()
        .await
        .expect("items json");
    assert!(v.is_valid(&listed));
    let mut broken = listed.clone();
    broken["items"][0]
        .as_object_mut()
        .expect("an item")
        .remove("state");
    assert!(!v.is_valid(&broken));

    let mut ok: BTreeMap<String, usize> = BTreeMap::new();
    let paths = doc["paths"].as_object().expect("paths");
    for (template, ops) in paths {
        if ops.get("get").is_none() || template.starts_with("/health") {
            continue;
        }
        let path = template
            .replace("/api/units/{id}", &format!("/api/units/{}", w.unit_a))
            .replace(
                "/api/attachments/{id}",
                &format!("/api/attachments/{file_id}"),
            )
            .replace("{id}", &item);
        for role in ROLES {
            let token = (role != "anonymous").then(|| w.token(role));
            let status = conforms(
                &w,
                &doc,
                (Method::GET, template, &path),
                token.as_deref(),
                None,
            )
            .await;
            if status == StatusCode::OK {
                *ok.entry(template.clone()).or_default() += 1;
            }
        }
        // This world opens no reconciliation cycle: a statement id answers 404 (checked
        // against its schema above); the recon tests read real statements.
        let needs_a_statement = template.starts_with("/api/statements/{id}");
        assert!(
            needs_a_statement || ok.get(template).is_some_and(|n| *n > 0),
            "no role got a 200 from {template}"
        );
    }
    assert!(ok.len() >= 15, "{ok:?}");
    eprintln!("200s validated per GET: {ok:?}");

    // Errors answer in the documented error schema.
    let office = w.token("office");
    let get = |template: &'static str, path: String| (Method::GET, template, path);
    for (template, path, token, expected) in [
        (
            "/api/items/{id}",
            "/api/items/not-an-id".to_owned(),
            Some(&office),
            400,
        ),
        (
            "/api/items",
            "/api/items?offset=9223372036854775808".to_owned(),
            Some(&office),
            400,
        ),
        (
            "/api/items",
            "/api/items?state=nonsense".to_owned(),
            Some(&office),
            400,
        ),
        (
            "/api/items/{id}",
            format!("/api/items/{}", w.item_c),
            Some(&office),
            404,
        ),
        ("/api/items", "/api/items".to_owned(), None, 401),
        (
            "/api/supervision",
            "/api/supervision".to_owned(),
            Some(&office),
            403,
        ),
    ] {
        let (m, t, p) = get(template, path);
        let status = conforms(&w, &doc, (m, t, &p), token.map(String::as_str), None).await;
        assert_eq!(status.as_u16(), expected, "{p}");
    }
    let status = conforms(
        &w,
        &doc,
        (Method::POST, "/api/items", "/api/items"),
        Some(&office),
        Some(json!({"title": "", "lead_unit": "省工信厅"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let status = conforms(
        &w,
        &doc,
        (
            Method::POST,
            "/api/items/{id}/transitions",
            &format!("/api/items/{item}/transitions"),
        ),
        Some(&office),
        Some(json!({"action": "verify", "version": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

/// A JSON body sent without its content type is refused with 415, so every operation that
/// takes a body must say so (schemathesis sends such requests and fails on an undocumented
/// status).
#[tokio::test]
async fn every_operation_with_a_body_documents_415() {
    let w = world().await;
    let app = &w.app;
    let doc: Value = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .expect("openapi.json")
        .json()
        .await
        .expect("openapi json");
    let mut missing = Vec::new();
    let mut with_body = 0;
    for (template, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            if op.get("requestBody").is_none() {
                continue;
            }
            with_body += 1;
            if op["responses"].get("415").is_none() {
                missing.push(format!("{method} {template}"));
            }
        }
    }
    assert!(with_body >= 10, "only {with_body} operations take a body");
    assert!(missing.is_empty(), "415 undocumented on {missing:?}");

    // And the server does answer 415 (with the error schema) for such a request.
    let status = conforms(
        &w,
        &doc,
        (Method::POST, "/api/auth/password", "/api/auth/password"),
        Some(&w.token("office")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
