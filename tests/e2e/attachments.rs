//! Evidence files end to end, on both databases: upload → reference in 申请销号 → verify,
//! the file's SHA-256 in the hash chain; a tampered or missing stored file found by
//! `xiaohao audit verify --files`; another unit's file is 404 exactly as a missing id; a
//! 25 MB file and a program renamed .pdf are refused with 422 naming the field and the
//! limit. The S3 path runs against `XIAOHAO_TEST_S3_URL` when it is set.

use crate::scheduler::{at, d};
use crate::support::TestApp;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use xiaohao_core::org::{Unit, UnitKind};
use xiaohao_core::payload::Payload;
use xiaohao_core::{AccountRole, Command, ItemId};
use xiaohao_engine::{Engine, ItemRequest};

/// A small, real PDF (what `infer` and a browser's viewer take for one).
pub(crate) const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// The start of a Windows program.
const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode.\r\n";

/// [`PDF`] written to a file of that name in a fresh directory (for a browser's file input).
pub(crate) fn pdf_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xiaohao-upload-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, PDF).expect("write pdf");
    path
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `POST /api/items/{id}/attachments` with `bytes` as the field `file`.
pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    item: ItemId,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    let resp = app
        .http
        .post(app.url(&format!("/api/items/{item}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn act(app: &TestApp, token: &str, id: ItemId, body: Value) -> (StatusCode, Value) {
    let resp = app
        .http
        .post(app.url(&format!("/api/items/{id}/transitions")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.http
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// An office, a lead unit, a co-unit and a unit of another item; one accepted item each.
struct World {
    app: TestApp,
    office: String,
    lead: String,
    co: String,
    other: String,
    item: ItemId,
    other_item: ItemId,
}

async fn filed(app: &TestApp, office: &Unit, lead: &Unit, co: Option<&str>) -> ItemId {
    let t = &app.t;
    let id = t
        .engine
        .file_item(
            &Engine::actor_of(office),
            &ItemRequest {
                title: format!("推进古雷石化基地配套项目 {}", lead.name),
                lead_unit: Some(lead.name.clone()),
                co_units: co.map(|c| vec![c.to_owned()]).unwrap_or_default(),
                deadline: Some("2026-06-30".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .item
        .id;
    let assign = Command::Assign {
        lead_unit: None,
        deadline: None,
    };
    t.engine
        .execute(id, &Engine::actor_of(office), &assign, None)
        .await
        .unwrap();
    for c in [Command::Accept, Command::Start] {
        t.engine
            .execute(id, &Engine::actor_of(lead), &c, None)
            .await
            .unwrap();
    }
    id
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let t = &app.t;
    t.clock.set(at(d(2026, 3, 2), 10));
    let office = t.unit("专班办公室", UnitKind::Office).await;
    let lead = t.unit("省工信厅", UnitKind::Department).await;
    let co = t.unit("省科技厅", UnitKind::Department).await;
    let other = t.unit("省商务厅", UnitKind::Department).await;
    let item = filed(&app, &office, &lead, Some("省科技厅")).await;
    let other_item = filed(&app, &office, &other, None).await;
    let office_tok = app.token(office.id, AccountRole::Office).await;
    let lead_tok = app.token(lead.id, AccountRole::Unit).await;
    let co_tok = app.token(co.id, AccountRole::Unit).await;
    let other_tok = app.token(other.id, AccountRole::Unit).await;
    World {
        app,
        office: office_tok,
        lead: lead_tok,
        co: co_tok,
        other: other_tok,
        item,
        other_item,
    }
}

/// Upload [`PDF`] as the lead unit and ask for closure with it; returns the file's JSON.
async fn closure_with_file(w: &World) -> Value {
    let (status, file) = upload(
        &w.app,
        &w.lead,
        w.item,
        "办结报告（盖章）.pdf",
        PDF.to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let (status, out) = act(
        &w.app,
        &w.lead,
        w.item,
        json!({"action": "request_closure", "evidence": "项目已竣工投产，附办结报告",
               "attachments": [file["id"]]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    file
}

#[tokio::test]
async fn a_closure_request_carries_its_file_and_the_chain_covers_its_hash() {
    let w = world().await;
    let app = &w.app;
    let file = closure_with_file(&w).await;
    // The contract: id, sha256, name, size, content_type — told from the bytes.
    assert_eq!(file["sha256"], sha256(PDF));
    assert_eq!(file["name"], "办结报告（盖章）.pdf");
    assert_eq!(file["size"], PDF.len());
    assert_eq!(file["content_type"], "application/pdf");
    let id = file["id"].as_str().unwrap().to_owned();
    // Listed on the item.
    let list: Value = get(app, &w.lead, &format!("/api/items/{}/attachments", w.item))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["id"], id.as_str());

    // The 申请销号 event carries the file's hash, and the chain verifies over it.
    let events = app.t.engine.raw_store().events(w.item).await.unwrap();
    let closure = events.last().unwrap();
    let Ok(Payload::ClosureRequested(c)) = closure.details() else {
        panic!("not a closure request: {:?}", closure.kind);
    };
    let f = c.attachments[0].file().expect("a stored file");
    assert_eq!(
        (f.id.to_string(), f.sha256.clone()),
        (id.clone(), sha256(PDF))
    );
    assert!(closure.payload.contains(&sha256(PDF)));
    xiaohao_core::event::verify_chain(&events).expect("the chain verifies");

    // The office opens it inline, then verifies the closure.
    let resp = get(app, &w.office, &format!("/api/attachments/{id}")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    let cd = h["content-disposition"].to_str().unwrap();
    assert!(cd.starts_with("inline; filename=\""), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''%E5%8A%9E%E7%BB%93%E6%8A%A5%E5%91%8A"),
        "{cd}"
    );
    assert_eq!(resp.bytes().await.unwrap().as_ref(), PDF);
    let (status, out) = act(app, &w.office, w.item, json!({"action": "verify"})).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["item"]["state"], "closed");

    // Every stored file is intact against the hashes the log holds.
    let audit = app.t.engine.verify_files().await.unwrap();
    assert_eq!((audit.files, audit.references), (1, 1));
    assert!(audit.problems.is_empty(), "{:?}", audit.problems);

    // A report carries files too (through /progress), its event naming their hashes.
    let other_item = w.other_item;
    let (status, f2) = upload(app, &w.other, other_item, "现场照片", PDF.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(f2["name"], "现场照片.pdf", "the kind's extension is added");
    let resp = app
        .http
        .post(app.url(&format!("/api/items/{other_item}/progress")))
        .bearer_auth(&w.other)
        .json(&json!({"period": "2026-03", "text": "完成主体工程", "attachments": [f2["id"]]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let events = app.t.engine.raw_store().events(other_item).await.unwrap();
    assert!(events.last().unwrap().payload.contains(&sha256(PDF)));
}

#[tokio::test]
async fn a_tampered_or_missing_stored_file_is_found_by_audit_verify_files() {
    let w = world().await;
    let file = closure_with_file(&w).await;
    let sha = file["sha256"].as_str().unwrap().to_owned();
    let t = &w.app.t;
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_xiaohao"))
            .args(args)
            .env("XIAOHAO_DATABASE_URL", &t.db.url)
            .env("XIAOHAO_HOME", env!("CARGO_MANIFEST_DIR"))
            .env("XIAOHAO_FILES__DIR", &t.files_dir)
            .env("XIAOHAO_LOG", "warn")
            .output()
            .expect("run xiaohao")
    };
    let out = cli(&["audit", "verify", "--files"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 files intact (1 references)"), "{stdout}");

    // Content-addressed: the bytes sit under their hash.
    let stored = t.files_dir.join(&sha[..2]).join(&sha);
    assert_eq!(std::fs::read(&stored).unwrap(), PDF);
    let mut changed = PDF.to_vec();
    changed.extend_from_slice(b"% one line added afterwards\n");
    std::fs::write(&stored, &changed).unwrap();
    let out = cli(&["audit", "verify", "--files"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("file changed") && err.contains(&sha) && err.contains(&sha256(&changed)),
        "{err}"
    );
    assert!(err.contains("办结报告（盖章）.pdf") && err.contains(&w.item.to_string()));
    // The chain itself is intact: without --files the audit passes.
    assert!(cli(&["audit", "verify"]).status.success());

    std::fs::remove_file(&stored).unwrap();
    let out = cli(&["audit", "verify", "--files"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("file missing") && err.contains(&sha), "{err}");
    // The engine says the same.
    let audit = t.engine.verify_files().await.unwrap();
    assert_eq!(audit.problems.len(), 1);
    assert_eq!(audit.problems[0].event_seq, Some(5));
}

#[tokio::test]
async fn a_unit_fetching_another_units_attachment_gets_404() {
    let w = world().await;
    let app = &w.app;
    let file = closure_with_file(&w).await;
    let id = file["id"].as_str().unwrap().to_owned();
    let missing = uuid::Uuid::new_v4();
    let answer = |r: reqwest::Response| async move {
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        (status, body["error"]["code"].clone())
    };
    let (status, code) =
        answer(get(app, &w.other, &format!("/api/attachments/{missing}")).await).await;
    assert_eq!(
        (status, code.clone()),
        (StatusCode::NOT_FOUND, json!("not_found"))
    );
    // A unit of another item, and the item's own co-unit: exactly as a missing id.
    for token in [&w.other, &w.co] {
        let got = answer(get(app, token, &format!("/api/attachments/{id}")).await).await;
        assert_eq!(got, (StatusCode::NOT_FOUND, code.clone()));
    }
    // The co-unit reads the item, not the lead unit's file: its list leaves it out.
    let list: Value = get(app, &w.co, &format!("/api/items/{}/attachments", w.item))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([]));
    // Another unit can neither list nor add to the item, nor reference the file elsewhere.
    let resp = get(app, &w.other, &format!("/api/items/{}/attachments", w.item)).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let (status, _) = upload(app, &w.other, w.item, "a.pdf", PDF.to_vec()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = act(
        app,
        &w.other,
        w.other_item,
        json!({"action": "request_closure", "evidence": "已完成", "attachments": [id]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "attachments");
    for bad in [json!([missing]), json!(["办结报告.pdf"])] {
        let (status, body) = act(
            app,
            &w.other,
            w.other_item,
            json!({"action": "request_closure", "evidence": "已完成", "attachments": bad}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["field"], "attachments");
    }
    // The office and the lead read it.
    for token in [&w.office, &w.lead] {
        assert_eq!(
            get(app, token, &format!("/api/attachments/{id}"))
                .await
                .status(),
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn a_file_too_large_or_a_program_renamed_pdf_is_refused_with_422() {
    let w = world().await;
    let app = &w.app;
    let mut big = PDF.to_vec();
    big.resize(25 * 1024 * 1024, b' ');
    let (status, body) = upload(app, &w.lead, w.item, "扫描件.pdf", big).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "file_refused");
    assert_eq!(body["error"]["field"], "file");
    assert_eq!(body["error"]["limit"], "max_bytes:20971520");
    assert!(body["error"]["message"].as_str().unwrap().contains("20 MB"));

    let (status, body) = upload(app, &w.lead, w.item, "办结报告.pdf", EXE.to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "file");
    let limit = body["error"]["limit"].as_str().unwrap();
    assert!(limit.starts_with("types:pdf,jpeg,png"), "{limit}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("可执行程序"),
        "{body}"
    );
    // Nothing was kept, and JSON is not a file.
    let list: Value = get(app, &w.lead, &format!("/api/items/{}/attachments", w.item))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([]));
    let resp = app
        .http
        .post(app.url(&format!("/api/items/{}/attachments", w.item)))
        .bearer_auth(&w.lead)
        .json(&json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Names lose their paths.
    let (status, body) = upload(app, &w.lead, w.item, "../../etc/会议纪要.pdf", PDF.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["name"], "会议纪要.pdf");
}

/// `XIAOHAO_TEST_S3_URL=http://KEY:SECRET@127.0.0.1:9000/BUCKET` (MinIO or any
/// S3-compatible server; CI sets one up).
#[tokio::test]
async fn files_are_kept_in_an_s3_compatible_store_when_one_is_configured() {
    let Ok(raw) = std::env::var("XIAOHAO_TEST_S3_URL") else {
        eprintln!(
            "SKIPPED files_are_kept_in_an_s3_compatible_store_when_one_is_configured: XIAOHAO_TEST_S3_URL is not set (local file storage is tested by the other attachment tests)"
        );
        return;
    };
    let url = reqwest::Url::parse(&raw).expect("XIAOHAO_TEST_S3_URL is a URL");
    let settings = xiaohao_engine::files::S3Settings {
        endpoint: format!(
            "{}://{}:{}",
            url.scheme(),
            url.host_str().expect("host"),
            url.port_or_known_default().expect("port")
        ),
        bucket: url.path().trim_matches('/').to_owned(),
        region: "us-east-1".into(),
        access_key_id: url.username().to_owned(),
        secret_access_key: url.password().unwrap_or_default().to_owned(),
        allow_http: url.scheme() == "http",
        prefix: format!("xiaohao-test-{}", uuid::Uuid::new_v4()),
    };
    let files = xiaohao_engine::files::Files::s3(&settings, Default::default()).expect("s3");
    let sha = sha256(PDF);
    files.put(&sha, PDF.to_vec()).await.expect("put");
    assert_eq!(files.get(&sha).await.expect("get"), PDF);
    assert_eq!(
        files.check(&sha).await.unwrap(),
        xiaohao_engine::files::FileState::Intact
    );
    assert_eq!(
        files.check(&sha256(b"never stored")).await.unwrap(),
        xiaohao_engine::files::FileState::Missing
    );
    // And the whole path through the API with the store behind the engine.
    let app = TestApp::spawn_with_files(files).await;
    let t = &app.t;
    let office = t.unit("专班办公室", UnitKind::Office).await;
    let lead = t.unit("省工信厅", UnitKind::Department).await;
    let item = filed(&app, &office, &lead, None).await;
    let tok = app.token(lead.id, AccountRole::Unit).await;
    let (status, file) = upload(&app, &tok, item, "办结报告.pdf", PDF.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let resp = get(
        &app,
        &tok,
        &format!("/api/attachments/{}", file["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(resp.bytes().await.unwrap().as_ref(), PDF);
}
