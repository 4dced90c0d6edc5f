//! The command line, run as a user would: exit 0 on success, 2 with one clear line on bad
//! input, and nothing half-written.

use crate::support::TestDb;
use std::process::{Command, Output};

struct Cli {
    db: TestDb,
}

impl Cli {
    async fn new() -> Cli {
        // Only serve, migrate, demo and import create the database; start from a migrated one.
        let db = TestDb::new().await;
        db.store().await;
        Cli { db }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xiaohao"))
            .args(args)
            .env("XIAOHAO_DATABASE_URL", &self.db.url)
            .env("XIAOHAO_HOME", env!("CARGO_MANIFEST_DIR"))
            .env("XIAOHAO_LOG", "warn")
            .output()
            .expect("run xiaohao")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Expect exit 2 and exactly one line on stderr containing `needle`.
    fn refused(&self, args: &[&str], needle: &str) {
        let out = self.run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{args:?}: {err}");
        assert!(lines[0].contains(needle), "{args:?}: {err}");
    }
}

#[tokio::test]
async fn the_cli_walks_an_item_through_its_life() {
    let cli = Cli::new().await;
    cli.ok(&["migrate"]);
    cli.ok(&["unit", "add", "专班办公室", "--kind", "office"]);
    cli.ok(&[
        "unit",
        "add",
        "省政府督查室",
        "--kind",
        "supervision",
        "--alias",
        "督查室",
    ]);
    cli.ok(&[
        "unit",
        "add",
        "省工业和信息化厅",
        "--alias",
        "省工信厅",
        "--alias",
        "工信厅",
        "--email",
        "gxt@fujian.gov.cn",
        "--level",
        "province",
    ]);
    let units = cli.ok(&["unit", "list"]);
    assert!(
        units.contains("省工业和信息化厅 (= 工信厅, 省工信厅)"),
        "{units}"
    );

    let added = cli.ok(&[
        "item",
        "add",
        "--as",
        "专班办公室",
        "--title",
        "推进园区标准化试点",
        "--lead",
        "工信厅",
        "--deadline",
        "2026-09-30",
        "--number",
        "(六)",
    ]);
    let id = added.split('\t').next().unwrap().trim().to_owned();

    cli.ok(&["item", "do", &id, "assign", "--as", "专班办公室"]);
    cli.ok(&["item", "do", &id, "accept", "--as", "省工信厅"]);
    cli.ok(&[
        "item",
        "do",
        &id,
        "report",
        "--as",
        "工信厅",
        "--period",
        "2026-05",
        "--text",
        "已印发试点方案",
        "--percent",
        "60",
    ]);
    cli.ok(&[
        "item",
        "do",
        &id,
        "request_closure",
        "--as",
        "工信厅",
        "--evidence",
        "试点验收通过",
    ]);
    cli.refused(
        &["item", "do", &id, "verify", "--as", "工信厅"],
        "may only be done by office or supervision",
    );
    let done = cli.ok(&[
        "item",
        "do",
        &id,
        "verify",
        "--as",
        "督查室",
        "--version",
        "5",
    ]);
    assert!(done.contains("已销号"), "{done}");

    let shown = cli.ok(&["item", "show", &id]);
    assert!(shown.contains("已销号") && shown.contains("#6"), "{shown}");
    let listed = cli.ok(&["item", "list", "--state", "closed"]);
    assert!(
        listed.contains("推进园区标准化试点") && listed.contains("1 of 1 items"),
        "{listed}"
    );
    let audit = cli.ok(&["audit", "verify"]);
    assert!(audit.starts_with("ok: 1 items, 6 events"), "{audit}");
}

#[tokio::test]
async fn bad_input_exits_2_with_one_line_and_writes_nothing() {
    let cli = Cli::new().await;
    cli.ok(&["unit", "add", "专班办公室", "--kind", "office"]);
    cli.refused(&["unit", "add", "某单位", "--kind", "club"], "--kind");
    cli.refused(
        &["unit", "add", "某单位", "--email", "not-an-address"],
        "email",
    );
    cli.refused(&["unit", "add", "专班办公室"], "already exists");
    cli.refused(
        &[
            "item",
            "add",
            "--as",
            "专班办公室",
            "--title",
            "x",
            "--lead",
            "无此单位",
        ],
        "lead_unit: unknown unit",
    );
    cli.refused(
        &[
            "item",
            "add",
            "--as",
            "专班办公室",
            "--title",
            "x",
            "--deadline",
            "明年",
        ],
        "deadline",
    );
    cli.refused(
        &["item", "add", "--as", "无此单位", "--title", "x"],
        "unknown unit",
    );
    cli.refused(
        &["item", "do", "123", "accept", "--as", "专班办公室"],
        "not an item id",
    );
    cli.refused(&["item", "list", "--state", "sleeping"], "--state");
    // clap's own usage errors exit 2 as well.
    let out = cli.run(&["item", "frobnicate"]);
    assert_eq!(out.status.code(), Some(2));

    let listed = cli.ok(&["item", "list"]);
    assert!(listed.contains("0 of 0 items"), "{listed}");
    let units = cli.ok(&["unit", "list", "--json"]);
    let units: serde_json::Value = serde_json::from_str(&units).unwrap();
    assert_eq!(units.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_first_admin_is_created_from_the_command_line() {
    let cli = Cli::new().await;
    cli.ok(&["unit", "add", "信息中心", "--kind", "office"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_xiaohao"))
        .args([
            "user",
            "add",
            "admin",
            "--unit",
            "信息中心",
            "--role",
            "admin",
            "--password-stdin",
        ])
        .env("XIAOHAO_DATABASE_URL", &cli.db.url)
        .env("XIAOHAO_HOME", env!("CARGO_MANIFEST_DIR"))
        .env("XIAOHAO_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"a good long password\n").expect("write");
    }
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("user admin (admin) created"), "{stdout}");
    assert!(
        !stdout.contains("password:"),
        "no generated password: {stdout}"
    );
    // The password works.
    let store = cli.db.store().await;
    let engine = xiaohao_engine::Engine::new(
        store,
        std::sync::Arc::new(xiaohao_engine::ManualClock::new(
            crate::support::start_time(),
        )),
        crate::support::policy(),
    );
    let (user, _) = engine
        .login(
            "admin",
            "a good long password",
            xiaohao_store::TokenKind::Api,
        )
        .await
        .expect("login");
    assert_eq!(user.role.as_str(), "admin");

    // Without --password-stdin a password is generated and shown once.
    let listed = cli.ok(&[
        "user",
        "add",
        "ops",
        "--unit",
        "信息中心",
        "--role",
        "office",
    ]);
    assert!(listed.contains("password: "), "{listed}");
    assert!(cli.ok(&["user", "list"]).contains("ops\toffice\t信息中心"));
    cli.refused(
        &["user", "add", "x", "--unit", "信息中心", "--role", "king"],
        "unknown role `king`",
    );
    cli.refused(
        &["user", "add", "y", "--unit", "不存在", "--role", "unit"],
        "unknown unit",
    );
    cli.refused(
        &[
            "user",
            "add",
            "admin",
            "--unit",
            "信息中心",
            "--role",
            "unit",
        ],
        "already exists",
    );
    assert!(cli.ok(&["user", "revoke", "admin"]).contains("revoked 1"));
}

impl Cli {
    /// Run with `input` on stdin.
    fn run_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write as _;
        let mut child = Command::new(env!("CARGO_BIN_EXE_xiaohao"))
            .args(args)
            .env("XIAOHAO_DATABASE_URL", &self.db.url)
            .env("XIAOHAO_HOME", env!("CARGO_MANIFEST_DIR"))
            .env("XIAOHAO_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
        child.wait_with_output().expect("wait")
    }
}

#[tokio::test]
async fn passwords_are_set_reset_and_accounts_disabled_from_the_command_line() {
    let cli = Cli::new().await;
    cli.ok(&["unit", "add", "信息中心", "--kind", "office"]);
    cli.ok(&[
        "user",
        "add",
        "ops",
        "--unit",
        "信息中心",
        "--role",
        "office",
    ]);
    // Weak passwords: exit 2, one line naming the rule.
    for (pw, needle) in [("short\n", "10 个字符"), ("password123\n", "常用密码")] {
        let out = cli.run_stdin(&["user", "passwd", "ops", "--password-stdin"], pw);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{err}");
    }
    let out = cli.run_stdin(
        &["user", "passwd", "ops", "--password-stdin"],
        "ops own long secret\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("password of ops set"));
    let reset = cli.ok(&["user", "reset", "ops"]);
    assert!(
        reset.contains("must be changed at the next login"),
        "{reset}"
    );
    let temp = reset
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("generated password shown once")
        .to_owned();
    assert!(cli.ok(&["user", "list"]).contains("(must change password)"));
    assert!(
        cli.ok(&["user", "disable", "ops"])
            .contains("user ops disabled")
    );
    assert!(cli.ok(&["user", "list"]).contains("(disabled)"));
    cli.refused(&["user", "disable", "nobody"], "unknown user `nobody`");
    cli.refused(&["user", "reset", "nobody"], "unknown user `nobody`");

    let store = cli.db.store().await;
    let engine = xiaohao_engine::Engine::new(
        store,
        std::sync::Arc::new(xiaohao_engine::ManualClock::new(
            crate::support::start_time(),
        )),
        crate::support::policy(),
    );
    let refused = engine
        .login("ops", &temp, xiaohao_store::TokenKind::Api)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("停用"), "{refused}");
    assert!(
        cli.ok(&["user", "enable", "ops"])
            .contains("user ops enabled")
    );
    let (user, _) = engine
        .login("ops", &temp, xiaohao_store::TokenKind::Api)
        .await
        .expect("the temporary password signs in");
    assert!(user.must_change_password);
}

/// `xiaohao bench` exists only in a build with the `bench` feature (the default); a
/// production build (`--no-default-features`) does not know the subcommand.
#[test]
fn bench_is_a_subcommand_only_with_the_bench_feature() {
    let out = Command::new(env!("CARGO_BIN_EXE_xiaohao"))
        .args(["bench", "--help"])
        .output()
        .expect("run xiaohao");
    let err = String::from_utf8_lossy(&out.stderr);
    if cfg!(feature = "bench") {
        assert!(out.status.success(), "{err}");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            help.contains("outbox") && help.contains("--items"),
            "{help}"
        );
    } else {
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("unrecognized subcommand 'bench'"), "{err}");
    }
}
