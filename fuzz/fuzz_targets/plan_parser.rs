//! The work-plan reader: any bytes through the decoder (UTF-8, UTF-16 with BOM, GB18030)
//! and the parser, and the draft out as JSON. Nothing may panic, hang or blow up memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = xiaohao_import::decode(data) else {
        return;
    };
    let draft = xiaohao_import::parse_plan(&text);
    // What `import plan --dry-run --format json` prints must be valid JSON.
    let json = draft.to_json().expect("a draft serialises");
    assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
});
