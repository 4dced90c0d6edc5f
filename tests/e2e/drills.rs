//! Operations drills against the real binary: `kill -9` in the middle of a stream of
//! writes, and a backup taken while `serve` writes, restored into a fresh folder. Both end
//! with every acknowledged write in the audit trail and `xiaohao audit verify` passing.

use crate::served::{Served, Writers, assert_acks_present, assert_audit_verifies, run_cli};
use crate::support::TestDb;
use std::process::Output;
use std::time::Instant;

fn one_line_exit_2(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains(needle), "{err}");
}

/// A few hundred writes from four clients, SIGKILL after 250 were acknowledged (more are
/// in flight), restart: every acknowledged event is there with its hash, every chain holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_mid_stream_loses_no_acknowledged_write() {
    let db = TestDb::new().await;
    let dir = Served::folder("kill9");
    let mut served = Served::start(&dir, &db.url).await;
    let token = served.login("office").await;
    let writers = Writers::start(&served.base, &token, 4, 100);
    writers.wait_for(250).await;
    served.kill9();
    let (sent, acks) = writers.finish().await;
    assert!(acks.len() < 400, "the kill came after the stream had ended");
    assert!(acks.len() >= 250, "{} acknowledged", acks.len());

    served.restart().await;
    let token = served.login("office").await;
    assert_acks_present(&served.base, &token, &acks).await;
    let verified = assert_audit_verifies(&served.dir, &served.db_url);
    eprintln!(
        "kill -9 drill ({}): {sent} requests sent, {} acknowledged, all present; {verified}",
        if db.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        acks.len()
    );
}

/// `backup` while writers keep writing, `restore` into a fresh folder: `audit verify`
/// passes there and every write acknowledged before the backup started is in the copy.
/// On PostgreSQL `backup` and `restore` refuse with one line naming pg_dump / pg_restore.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_under_load_restores_into_a_fresh_folder() {
    let db = TestDb::new().await;
    let dir = Served::folder("backup");
    let served = Served::start(&dir, &db.url).await;
    if db.is_postgres() {
        one_line_exit_2(&served.cli(&["backup", "copy.db"]), "pg_dump");
        one_line_exit_2(&served.cli(&["restore", "copy.db"]), "pg_restore");
        return;
    }
    let token = served.login("office").await;
    let writers = Writers::start(&served.base, &token, 3, 150);
    writers.wait_for(60).await;

    let backup = dir.join("backup.db");
    let started = Instant::now();
    let out = tokio::task::spawn_blocking({
        let (dir, url, file) = (dir.clone(), db.url.clone(), backup.clone());
        move || run_cli(&dir, &url, &["backup", file.to_str().expect("utf-8 path")])
    })
    .await
    .expect("backup task");
    let ended = Instant::now();
    assert!(
        out.status.success(),
        "backup: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    writers.wait_for(writers.acked() + 20).await;
    let (_, acks) = writers.finish().await;
    let before: Vec<_> = acks.iter().filter(|a| a.at < started).cloned().collect();
    let during = acks
        .iter()
        .filter(|a| a.at >= started && a.at <= ended)
        .count();
    assert!(before.len() >= 60, "{}", before.len());

    // A second backup to the same name is refused: a file under that name is never replaced.
    one_line_exit_2(
        &served.cli(&["backup", backup.to_str().expect("utf-8")]),
        "exists",
    );
    // Restoring over the database serve is using is refused even with --force.
    one_line_exit_2(
        &served.cli(&["restore", backup.to_str().expect("utf-8"), "--force"]),
        "serve",
    );

    // A fresh folder, as on a new machine: the default database path under ./data.
    let fresh = Served::folder("restored");
    let fresh_url = "sqlite://data/xiaohao.db?mode=rwc";
    let not_a_db = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/default.toml");
    one_line_exit_2(
        &run_cli(
            &fresh,
            fresh_url,
            &["restore", not_a_db.to_str().expect("utf-8")],
        ),
        "not a SQLite database",
    );
    let out = run_cli(
        &fresh,
        fresh_url,
        &["restore", backup.to_str().expect("utf-8")],
    );
    assert!(
        out.status.success(),
        "restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    one_line_exit_2(
        &run_cli(
            &fresh,
            fresh_url,
            &["restore", backup.to_str().expect("utf-8")],
        ),
        "--force",
    );
    assert_audit_verifies(&fresh, fresh_url);

    let restored = Served::start(&fresh, fresh_url).await;
    let token = restored.login("office").await;
    assert_acks_present(&restored.base, &token, &before).await;
    eprintln!(
        "backup drill: {} writes acknowledged before the backup, {during} while it ran, {} in all; restored copy holds every one before",
        before.len(),
        acks.len()
    );
}

/// `restore` checks the file before anything is replaced: a SQLite database that is not
/// Xiaohao's, and one made by a newer Xiaohao, are refused with one line, and the database
/// in place is untouched.
#[tokio::test]
async fn restore_refuses_a_database_that_is_not_a_sound_xiaohao_one() {
    use sea_orm::{ConnectionTrait, Database};
    let dir = Served::folder("restore-check");
    let url = "sqlite://data/xiaohao.db?mode=rwc";
    let foreign = dir.join("foreign.db");
    let db = Database::connect(format!("sqlite://{}?mode=rwc", foreign.display()))
        .await
        .expect("create a foreign database");
    db.execute_unprepared("CREATE TABLE ledger (x TEXT)")
        .await
        .expect("a table");
    db.close().await.expect("close");
    one_line_exit_2(
        &run_cli(&dir, url, &["restore", foreign.to_str().expect("utf-8")]),
        "not a Xiaohao database",
    );

    // A real one, then marked with a migration this build does not know.
    let out = run_cli(&dir, url, &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_cli(&dir, url, &["backup", "newer.db"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let newer = dir.join("newer.db");
    let db = Database::connect(format!("sqlite://{}", newer.display()))
        .await
        .expect("open the backup");
    db.execute_unprepared(
        "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m29990101_000001_future', 0)",
    )
    .await
    .expect("a future migration");
    db.close().await.expect("close");
    one_line_exit_2(
        &run_cli(&dir, url, &["restore", "newer.db", "--force"]),
        "newer Xiaohao",
    );
    assert_audit_verifies(&dir, url);
    let _ = std::fs::remove_dir_all(&dir);
}
