//! zh-CN templates (minijinja), read at start from `mail.templates_dir` so an office can edit
//! the wording; a file that is missing falls back to the copy compiled from `config/templates`.

use super::MailError;
use minijinja::Environment;
use serde::Serialize;
use std::path::Path;

/// `(name, built-in text)`. `.html` names are HTML-escaped automatically.
const BUILT_IN: &[(&str, &str)] = &[
    (
        "single.subject.txt",
        include_str!("../../../../config/templates/single.subject.txt"),
    ),
    (
        "single.txt",
        include_str!("../../../../config/templates/single.txt"),
    ),
    (
        "single.html",
        include_str!("../../../../config/templates/single.html"),
    ),
    (
        "digest.subject.txt",
        include_str!("../../../../config/templates/digest.subject.txt"),
    ),
    (
        "digest.txt",
        include_str!("../../../../config/templates/digest.txt"),
    ),
    (
        "digest.html",
        include_str!("../../../../config/templates/digest.html"),
    ),
    (
        "robot.single.md",
        include_str!("../../../../config/templates/robot.single.md"),
    ),
    (
        "robot.digest.md",
        include_str!("../../../../config/templates/robot.digest.md"),
    ),
];

#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// The built-in templates.
    pub fn bundled() -> Templates {
        let mut env = Environment::new();
        for (name, text) in BUILT_IN {
            // The built-in copies are checked by the tests; a syntax error there is a bug.
            env.add_template(name, text)
                .unwrap_or_else(|e| panic!("built-in template {name}: {e}"));
        }
        Templates { env }
    }

    /// Templates from `dir`, each file missing there taken from the built-in copy.
    ///
    /// # Errors
    /// `Template` for an unreadable file or a syntax error, naming the file.
    pub fn load(dir: &Path) -> Result<Templates, MailError> {
        let mut env = Environment::new();
        for (name, text) in BUILT_IN {
            let path = dir.join(name);
            let source = if path.exists() {
                std::fs::read_to_string(&path).map_err(|e| MailError::Template {
                    name: path.display().to_string(),
                    message: e.to_string(),
                })?
            } else {
                (*text).to_owned()
            };
            env.add_template_owned(*name, source)
                .map_err(|e| MailError::Template {
                    name: path.display().to_string(),
                    message: e.to_string(),
                })?;
        }
        Ok(Templates { env })
    }

    /// Render one template.
    ///
    /// # Errors
    /// `Template` when rendering fails (an undefined filter, a type error).
    pub fn render<S: Serialize>(&self, name: &str, ctx: S) -> Result<String, MailError> {
        let t = self
            .env
            .get_template(name)
            .map_err(|e| MailError::Template {
                name: name.into(),
                message: e.to_string(),
            })?;
        t.render(ctx).map_err(|e| MailError::Template {
            name: name.into(),
            message: e.to_string(),
        })
    }
}
