use super::*;
use crate::access::Jurisdiction;
use crate::item::{ItemKind, NewItem};
use crate::state::ItemState;
use crate::{AccountRole, Scope, new_item};

pub(crate) const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n";
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0];
/// The start of a Windows program: "MZ", then the DOS stub.
const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode.";
const ZIP: &[u8] = b"PK\x03\x04\x14\x00\x00\x00\x08\x00readme.txt some zipped bytes";

fn rules() -> FileRules {
    FileRules::default()
}

fn refused_limit(r: Result<Admitted, DomainError>) -> String {
    match r {
        Err(DomainError::FileRefused { limit, .. }) => limit,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_kind_is_told_from_the_bytes_not_the_name() {
    let ok = rules().admit("办结报告.pdf", PDF).expect("a pdf");
    assert_eq!(ok.kind, FileKind::Pdf);
    assert_eq!(ok.kind.mime(), "application/pdf");
    assert_eq!(ok.name, "办结报告.pdf");
    assert_eq!(ok.size, PDF.len() as u64);
    assert_eq!(ok.sha256, sha256_hex(PDF));
    assert_eq!(ok.sha256.len(), 64);
    // A program renamed .pdf is refused, naming the allowed types.
    let err = rules().admit("报告.pdf", EXE).unwrap_err();
    assert_eq!(err.field(), Some("file"));
    assert_eq!(err.code(), "file_refused");
    assert!(err.to_string().contains("可执行程序"), "{err}");
    assert!(err.limit().unwrap().starts_with("types:pdf,"));
    // An image named after another image kind, a PDF named .docx: refused.
    assert!(refused_limit(rules().admit("现场.png", JPEG)).starts_with("types:"));
    assert!(refused_limit(rules().admit("方案.docx", PDF)).starts_with("types:"));
    // A name without extension takes the kind's.
    assert_eq!(rules().admit("现场照片", PNG).unwrap().name, "现场照片.png");
    assert_eq!(
        rules().admit("现场.JPG", JPEG).unwrap().kind,
        FileKind::Jpeg
    );
    // A zip is a zip, and may stand for an Office Open XML document.
    assert_eq!(rules().admit("材料.zip", ZIP).unwrap().kind, FileKind::Zip);
    assert_eq!(
        rules().admit("台账.xlsx", ZIP).unwrap().kind,
        FileKind::Xlsx
    );
    // Unknown bytes and empty files are refused.
    assert!(rules().admit("说明.txt", b"plain words").is_err());
    assert!(rules().admit("空.pdf", b"").is_err());
}

#[test]
fn a_file_above_the_limit_is_refused_naming_the_limit() {
    let small = FileRules::new(1024, &["pdf".into()]).unwrap();
    let mut big = PDF.to_vec();
    big.resize(1025, b' ');
    let err = small.admit("大.pdf", &big).unwrap_err();
    assert_eq!(err.limit().as_deref(), Some("max_bytes:1024"));
    assert!(small.check_size(1024).is_ok() && small.check_size(1025).is_err());
    let err = FileRules::default()
        .check_size(25 * 1024 * 1024)
        .unwrap_err();
    assert!(err.to_string().contains("20 MB"), "{err}");
    assert_eq!(err.limit().as_deref(), Some("max_bytes:20971520"));
}

#[test]
fn only_configured_types_are_taken() {
    let pdf_only = FileRules::new(DEFAULT_MAX_BYTES, &["PDF".into()]).unwrap();
    assert!(pdf_only.admit("a.pdf", PDF).is_ok());
    let err = pdf_only.admit("a.png", PNG).unwrap_err();
    assert_eq!(err.limit().as_deref(), Some("types:pdf"));
    assert!(FileRules::new(DEFAULT_MAX_BYTES, &["exe".into()]).is_err());
    assert!(FileRules::new(DEFAULT_MAX_BYTES, &[]).is_err());
    assert!(FileRules::new(0, &["pdf".into()]).is_err());
    // Extensions name their kinds too.
    let jpg = FileRules::new(10, &["jpg".into()]).unwrap();
    assert_eq!(jpg.kinds, vec![FileKind::Jpeg]);
}

#[test]
fn names_lose_paths_and_control_characters_and_keep_chinese() {
    assert_eq!(clean_name("../../etc/passwd"), "passwd");
    assert_eq!(clean_name("C:\\Users\\张三\\办结报告.pdf"), "办结报告.pdf");
    assert_eq!(clean_name("报告\u{0}\n\r\t.pdf"), "报告.pdf");
    assert_eq!(clean_name("a<b>c:d\"e|f?g*h.pdf"), "a_b_c_d_e_f_g_h.pdf");
    assert_eq!(
        clean_name("  关于  进展的   报告 .pdf  "),
        "关于 进展的 报告 .pdf"
    );
    assert_eq!(clean_name(".."), "附件");
    assert_eq!(clean_name(""), "附件");
    assert_eq!(clean_name("/"), "附件");
    assert_eq!(clean_name("\u{202e}fdp.exe"), "fdp.exe");
    let long = format!("{}.pdf", "长".repeat(300));
    let cut = clean_name(&long);
    assert_eq!(cut.chars().count(), MAX_NAME_CHARS);
    assert!(cut.ends_with(".pdf"));
}

fn item_of(owner: UnitId, lead: UnitId, co: UnitId) -> Item {
    let office = AccountRole::Office.actor(owner, "专班");
    let new = NewItem {
        kind: Some(ItemKind::Task),
        title: "x".into(),
        lead_unit: Some(lead),
        co_units: vec![co],
        ..NewItem::default()
    };
    let mut item = new_item(ItemId::new(), &new, &office, DateTime::<Utc>::UNIX_EPOCH)
        .expect("file")
        .item;
    item.state = ItemState::InProgress;
    item
}

fn stored(item: &Item, unit: UnitId, role: AccountRole) -> StoredFile {
    StoredFile {
        file: FileRef {
            id: Uuid::new_v4(),
            name: "报告.pdf".into(),
            sha256: sha256_hex(PDF),
            size: PDF.len() as u64,
            content_type: "application/pdf".into(),
        },
        item_id: item.id,
        uploaded_by_unit: unit,
        uploaded_by_account: None,
        uploader_role: role,
        at: DateTime::<Utc>::UNIX_EPOCH,
    }
}

#[test]
fn a_unit_never_reads_another_units_file() {
    let (office, lead, co, other) = (UnitId::new(), UnitId::new(), UnitId::new(), UnitId::new());
    let item = item_of(office, lead, co);
    let own = &Jurisdiction::OwnUnit;
    let unit_scope = |u| Scope::of(AccountRole::Unit, u, vec![], own);
    let leads = stored(&item, lead, AccountRole::Unit);
    let offices = stored(&item, office, AccountRole::Office);
    let read = |u, f: &StoredFile| may_read(&unit_scope(u), AccountRole::Unit, u, &item, f);
    assert!(read(lead, &leads), "its own file");
    assert!(!read(co, &leads), "a co-unit: another unit's file");
    assert!(!read(other, &leads), "a unit outside the item");
    assert!(
        read(co, &offices),
        "the office's file, on an item it handles"
    );
    assert!(!read(other, &offices), "not outside the item");
    let office_scope = Scope::of(AccountRole::Office, office, vec![], own);
    assert!(may_read(
        &office_scope,
        AccountRole::Office,
        office,
        &item,
        &leads
    ));
    assert!(may_attach(&unit_scope(co), &item) && !may_attach(&unit_scope(other), &item));
    // A file is read through its own item only.
    let elsewhere = item_of(office, lead, co);
    assert!(!may_read(
        &unit_scope(lead),
        AccountRole::Unit,
        lead,
        &elsewhere,
        &leads
    ));
}

#[test]
fn a_command_references_only_files_its_unit_uploaded_on_the_item() {
    let (office, lead, co) = (UnitId::new(), UnitId::new(), UnitId::new());
    let item = item_of(office, lead, co);
    let mine = stored(&item, lead, AccountRole::Unit);
    let cos = stored(&item, co, AccountRole::Unit);
    let found = [mine.clone(), cos.clone()];
    let got = referable(item.id, Some(lead), &[mine.file.id], &found).unwrap();
    assert_eq!(got, vec![Attachment::File(mine.file.clone())]);
    for ids in [
        vec![cos.file.id],
        vec![Uuid::new_v4()],
        vec![mine.file.id, mine.file.id],
    ] {
        let err = referable(item.id, Some(lead), &ids, &found).unwrap_err();
        assert_eq!(err.field(), Some("attachments"), "{ids:?}");
    }
    assert!(referable(ItemId::new(), Some(lead), &[mine.file.id], &found).is_err());
    let many = vec![Uuid::new_v4(); validate::MAX_ATTACHMENTS + 1];
    assert!(
        referable(item.id, Some(lead), &many, &found)
            .unwrap_err()
            .to_string()
            .contains("20")
    );
}

#[test]
fn files_go_only_on_commands_that_carry_them() {
    let file = Attachment::File(FileRef {
        id: Uuid::new_v4(),
        name: "a.pdf".into(),
        sha256: sha256_hex(PDF),
        size: 3,
        content_type: "application/pdf".into(),
    });
    let mut closure = Command::RequestClosure {
        evidence: "已完成".into(),
        attachments: vec![],
    };
    attach(&mut closure, vec![file.clone()]).unwrap();
    assert!(
        matches!(&closure, Command::RequestClosure { attachments, .. } if attachments == &vec![file.clone()])
    );
    let mut accept = Command::Accept;
    assert_eq!(
        attach(&mut accept, vec![file.clone()]).unwrap_err().field(),
        Some("attachments")
    );
    attach(&mut accept, vec![]).unwrap();
    assert!(check_list(&[file.clone(), file.clone()]).is_err());
    // The replies carry files too, and the audit reads the events of every action that does.
    let order = crate::order::OrderRef {
        id: Uuid::new_v4(),
        item: crate::ItemId::new(),
        number: None,
        reply_due: None,
        answered_at: None,
    };
    let mut carriers = vec![
        closure,
        Command::RequestExtension {
            deadline: chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
            reason: "x".into(),
            attachments: vec![],
        },
        Command::AnswerOrder {
            order,
            text: "x".into(),
            attachments: vec![],
        },
        Command::AnswerInstruction {
            text: "x".into(),
            attachments: vec![],
        },
    ];
    for c in &mut carriers {
        attach(c, vec![file.clone()]).unwrap();
        assert!(FILE_ACTIONS.contains(&c.action()), "{:?}", c.action());
    }
}

#[test]
fn a_reply_written_before_files_keeps_its_stored_text() {
    use crate::event::EventKind;
    use crate::payload::Payload;
    use crate::state::Action;
    // 督办回复 stored typed names; 回复批示 stored no attachments at all.
    let order = r#"{"attachments":["整改报告.pdf"],"order":"00000000-0000-0000-0000-000000000000","text":"已整改"}"#;
    let p = Payload::parse(EventKind::Action(Action::AnswerOrder), order).unwrap();
    assert_eq!(
        p.to_json(),
        order,
        "the stored text, hence the hash, is unchanged"
    );
    assert!(p.files().is_empty());
    let answer = r#"{"text":"已落实"}"#;
    let p = Payload::parse(EventKind::Action(Action::AnswerInstruction), answer).unwrap();
    assert_eq!(p.to_json(), answer);
}

#[test]
fn old_payloads_with_typed_names_still_read() {
    let old: Vec<Attachment> = serde_json::from_str(r#"["环评受理通知.pdf"]"#).unwrap();
    assert_eq!(old, vec![Attachment::Named("环评受理通知.pdf".into())]);
    let f = FileRef {
        id: Uuid::nil(),
        name: "a.pdf".into(),
        sha256: "0".repeat(64),
        size: 1,
        content_type: "application/pdf".into(),
    };
    let text = serde_json::to_string(&vec![Attachment::File(f.clone())]).unwrap();
    let back: Vec<Attachment> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, vec![Attachment::File(f)]);
}
