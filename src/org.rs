//! `unit`, `user` and `calendar`: the organisation, accounts and working-day calendars.

use crate::cli::{CalendarCommand, UnitCommand, UserCommand};
use xiaohao_core::org::{Level, UnitKind};
use xiaohao_engine::{Clock, Engine, Settings};
use xiaohao_store::NewUnit;

use crate::out;
use crate::run::*;

/// `calendar import|show`: files only, no database.
pub(crate) fn calendar(
    settings: &Settings,
    home: &std::path::Path,
    c: &CalendarCommand,
) -> CliResult {
    let dir = home.join(&settings.calendar_dir);
    match c {
        CalendarCommand::Import { file, replace } => {
            let (year, path) =
                xiaohao_engine::calendar::import_calendar_file(file, &dir, *replace)?;
            out!(
                "calendar {} installed as {} ({} holidays, {} working days); restart serve to use it",
                year.year(),
                path.display(),
                year.holidays().len(),
                year.working_day_count()
            );
        }
        CalendarCommand::Show => {
            let cal = xiaohao_engine::calendar::load_calendar(&dir)?;
            let today = xiaohao_engine::SystemClock.now().date_naive();
            out!("covered: {:?}", cal.coverage());
            if let Some(w) =
                xiaohao_engine::calendar::coverage_warning(&cal, chrono::Datelike::year(&today))
            {
                out!("{w}");
            }
        }
    }
    Ok(())
}

pub(crate) async fn user(engine: &Engine, cmd: UserCommand) -> CliResult {
    // `reset` hands out a temporary password; `passwd` sets the user's own.
    let temporary = matches!(cmd, UserCommand::Reset { .. });
    match cmd {
        UserCommand::Add {
            username,
            unit,
            role,
            name,
            person,
            password_stdin,
        } => {
            let role: xiaohao_core::AccountRole = role.parse().map_err(usage)?;
            let (password, generated) = password_input(password_stdin)?;
            let u = engine
                .add_user(
                    &username,
                    name.as_deref(),
                    &unit,
                    role,
                    person.as_deref(),
                    &password,
                )
                .await?;
            out!("user {} ({}) created: {}", u.username, u.role, u.id);
            if generated {
                out!("password: {password}");
                out!("(shown once; store it safely)");
            }
            Ok(())
        }
        UserCommand::List => {
            let units = engine.units().await?;
            for u in engine.users().await? {
                let unit = units
                    .iter()
                    .find(|x| x.id == u.unit)
                    .map(|x| x.name.as_str())
                    .unwrap_or("?");
                out!(
                    "{}\t{}\t{}\t{}{}{}",
                    u.username,
                    u.role,
                    unit,
                    u.display_name,
                    if u.disabled { "\t(disabled)" } else { "" },
                    if u.must_change_password {
                        "\t(must change password)"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
        UserCommand::Revoke { username } => {
            let u = named(engine, &username).await?;
            let n = engine.revoke_user_tokens(u.id).await?;
            out!("revoked {n} session(s)/token(s) of {}", u.username);
            Ok(())
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        }
        | UserCommand::Reset {
            username,
            password_stdin,
        } => {
            let u = named(engine, &username).await?;
            let (password, generated) = password_input(password_stdin)?;
            let n = engine.set_password(u.id, &password, temporary).await?;
            if temporary {
                out!(
                    "password of {} reset; it must be changed at the next login; revoked {n} session(s)/token(s)",
                    u.username
                );
            } else {
                out!(
                    "password of {} set; revoked {n} session(s)/token(s)",
                    u.username
                );
            }
            if generated {
                out!("password: {password}");
                out!("(shown once; store it safely)");
            }
            Ok(())
        }
        UserCommand::Disable { username } => {
            let u = named(engine, &username).await?;
            let n = engine.set_user_disabled(u.id, true).await?;
            out!(
                "user {} disabled; revoked {n} session(s)/token(s)",
                u.username
            );
            Ok(())
        }
        UserCommand::Enable { username } => {
            let u = named(engine, &username).await?;
            engine.set_user_disabled(u.id, false).await?;
            out!("user {} enabled", u.username);
            Ok(())
        }
    }
}

async fn named(engine: &Engine, username: &str) -> CliResult<xiaohao_store::User> {
    engine
        .user_named(username)
        .await?
        .ok_or_else(|| usage(format!("unknown user `{username}`")))
}

/// The password from the first line of stdin, or a generated one (and `true`).
fn password_input(from_stdin: bool) -> CliResult<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| CliError::Failure(format!("cannot read stdin: {e}")))?;
        Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
    } else {
        Ok((xiaohao_engine::new_secret()[..20].to_owned(), true))
    }
}

pub(crate) async fn unit(engine: &Engine, cmd: UnitCommand) -> CliResult {
    let store = engine;
    match cmd {
        UnitCommand::Add {
            name,
            kind,
            level,
            parent,
            emails,
            aliases,
        } => {
            let kind: UnitKind = kind
                .parse()
                .map_err(|e: String| usage(format!("--kind: {e}")))?;
            let level: Option<Level> = level
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e: String| usage(format!("--level: {e}")))?;
            let parent = match parent {
                Some(p) => Some(
                    store
                        .resolve_unit(&p)
                        .await
                        .map_err(|_| usage(format!("--parent: unknown unit `{p}`")))?
                        .id,
                ),
                None => None,
            };
            let unit = store
                .create_unit(NewUnit {
                    name,
                    kind: Some(kind),
                    level,
                    parent,
                    emails,
                    aliases,
                    needs_review: false,
                })
                .await?;
            out!("{}\t{}", unit.id, unit.name);
        }
        UnitCommand::Alias { unit, alias } => {
            let u = store.resolve_unit(&unit).await?;
            store.add_unit_alias(u.id, &alias).await?;
            out!("{} = {}", alias.trim(), u.name);
        }
        UnitCommand::List { json } => {
            let units = store.units().await?;
            if json {
                print_json(&units)?;
            } else {
                for u in units {
                    let aliases = if u.aliases.is_empty() {
                        String::new()
                    } else {
                        format!(" (= {})", u.aliases.join(", "))
                    };
                    out!("{}\t{}\t{}{aliases}", u.id, u.kind, u.name);
                }
            }
        }
    }
    Ok(())
}
