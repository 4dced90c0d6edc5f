//! The organisation: units with aliases, people, chains and plans.

use crate::ids::{ChainId, PersonId, PlanId, UnitId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What kind of body a unit is. The kind also decides in which capacity its users act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 省/市直部门
    Department,
    /// 市/县/区人民政府
    Government,
    /// 企业 (state-owned groups, grid company…)
    Enterprise,
    /// 工作专班办公室 / 领导小组办公室: keeps the ledger, verifies closures.
    Office,
    /// 督查室 / 效能办
    Supervision,
    /// A named group such as 各县(市、区)党委和人民政府 or 相关地市政府.
    Group,
}

impl UnitKind {
    pub const ALL: [UnitKind; 6] = [
        Self::Department,
        Self::Government,
        Self::Enterprise,
        Self::Office,
        Self::Supervision,
        Self::Group,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Department => "department",
            Self::Government => "government",
            Self::Enterprise => "enterprise",
            Self::Office => "office",
            Self::Supervision => "supervision",
            Self::Group => "group",
        }
    }

    /// The kind as an office reads it.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Department => "部门",
            Self::Government => "人民政府",
            Self::Enterprise => "企业",
            Self::Office => "工作专班办公室",
            Self::Supervision => "督查室",
            Self::Group => "单位群组",
        }
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UnitKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown unit kind `{s}`; expected one of department, government, enterprise, office, supervision, group"
                )
            })
    }
}

/// Administrative level: 省, 市, 县, 区.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province,
    City,
    County,
    District,
}

impl Level {
    pub const ALL: [Level; 4] = [Self::Province, Self::City, Self::County, Self::District];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
            Self::District => "district",
        }
    }
    /// The prefix by which Chinese documents name a unit's level.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Province => "省",
            Self::City => "市",
            Self::County => "县",
            Self::District => "区",
        }
    }
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "province" | "省" => Ok(Self::Province),
            "city" | "市" => Ok(Self::City),
            "county" | "县" => Ok(Self::County),
            "district" | "区" => Ok(Self::District),
            _ => Err(format!(
                "unknown level `{s}`; expected province, city, county or district (省/市/县/区)"
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    pub name: String,
    pub kind: UnitKind,
    pub level: Option<Level>,
    pub parent: Option<UnitId>,
    pub emails: Vec<String>,
    pub aliases: Vec<String>,
    /// Created by an import from a name nobody confirmed yet.
    pub needs_review: bool,
    /// Who to call there (联系人 and telephone, as the office writes it).
    #[serde(default)]
    pub contact: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    pub title: Option<String>,
    pub unit: Option<UnitId>,
    pub email: Option<String>,
}

/// Membership of a unit in a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainRole {
    /// 牵头单位
    Lead,
    /// 责任单位
    Responsible,
}

impl ChainRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Responsible => "responsible",
        }
    }
}

impl FromStr for ChainRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "lead" => Ok(Self::Lead),
            "responsible" => Ok(Self::Responsible),
            _ => Err(format!("unknown chain role `{s}`")),
        }
    }
}

/// An industry chain or special project (产业链/专项), nested to any depth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chain {
    pub id: ChainId,
    pub name: String,
    pub parent: Option<ChainId>,
    pub plan: Option<PlanId>,
    pub leaders: Vec<PersonId>,
    pub lead_units: Vec<UnitId>,
    pub units: Vec<UnitId>,
}

/// The source document of a ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub id: PlanId,
    pub title: String,
    /// e.g. 闽发改工业〔2022〕193号
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
}

/// Normalise a unit name or alias for lookup: full-width and ASCII punctuation and
/// white space are folded, so `省工信厅` typed with a stray space still resolves.
pub fn normalize_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '(',
            ')' => ')',
            ',' => ',',
            ':' => ':',
            other => other,
        })
        .collect()
}

/// Guess the kind of a unit from its name, for units an import creates:
/// `…政府`/`…管委会` → government, `…集团`/`…公司` → enterprise, `各…`/`相关…` → group,
/// else department.
pub fn guess_kind(name: &str) -> UnitKind {
    let n = name.trim();
    if n.starts_with('各') || n.starts_with("相关") {
        UnitKind::Group
    } else if n.ends_with("政府") || n.ends_with("管委会") {
        UnitKind::Government
    } else if n.ends_with("集团") || n.ends_with("公司") || n.contains("集团") {
        UnitKind::Enterprise
    } else {
        UnitKind::Department
    }
}

/// Guess the level of a unit from its 省/市/县/区 prefix (`省工信厅` → province); a name
/// starting with a place (`三明市…`, `永安县…`) gets the level of the place when the
/// place is short enough to be one.
pub fn guess_level(name: &str) -> Option<Level> {
    let n = name.trim();
    let first = n.chars().next()?;
    match first {
        '省' => return Some(Level::Province),
        '市' => return Some(Level::City),
        '县' => return Some(Level::County),
        '区' => return Some(Level::District),
        _ => {}
    }
    // A place name of two or three characters followed by its level: 三明市…, 福建省….
    for c in n.chars().skip(2).take(2) {
        let level = match c {
            '省' => Level::Province,
            '市' => Level::City,
            '县' => Level::County,
            '区' => Level::District,
            _ => continue,
        };
        return Some(level);
    }
    None
}

/// Validate a unit name as typed by a person.
pub fn validate_unit_name(name: &str) -> Result<String, crate::DomainError> {
    let n = normalize_name(name);
    if n.is_empty() {
        return Err(crate::DomainError::invalid("name", "must not be empty"));
    }
    crate::validate::check(crate::validate::UNIT_NAME, &n)?;
    Ok(n)
}

/// A light e-mail check: one `@`, something on both sides, a dot in the domain.
pub fn validate_email(email: &str) -> Result<String, crate::DomainError> {
    let e = email.trim();
    crate::validate::check(crate::validate::EMAIL, e)?;
    let ok = match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !e.contains(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(e.to_owned())
    } else {
        Err(crate::DomainError::invalid(
            "email",
            format!("`{email}` is not an e-mail address"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_punctuation_and_space() {
        assert_eq!(normalize_name(" 省 工信厅 "), "省工信厅");
        assert_eq!(
            normalize_name("各县(市、区)人民政府"),
            "各县(市、区)人民政府"
        );
    }

    #[test]
    fn kinds_and_levels_are_guessed_from_names() {
        assert_eq!(guess_kind("泉州市政府"), UnitKind::Government);
        assert_eq!(guess_kind("古雷港经济开发区管委会"), UnitKind::Government);
        assert_eq!(guess_kind("省能源集团"), UnitKind::Enterprise);
        assert_eq!(guess_kind("国网福建省电力有限公司"), UnitKind::Enterprise);
        assert_eq!(guess_kind("各县(市、区)人民政府"), UnitKind::Group);
        assert_eq!(guess_kind("相关地市政府"), UnitKind::Group);
        assert_eq!(guess_kind("省工信厅"), UnitKind::Department);
        assert_eq!(guess_level("省工信厅"), Some(Level::Province));
        assert_eq!(guess_level("市发改委"), Some(Level::City));
        assert_eq!(guess_level("县委办"), Some(Level::County));
        assert_eq!(guess_level("区政府"), Some(Level::District));
        assert_eq!(guess_level("三明市工信局"), Some(Level::City));
        assert_eq!(guess_level("国网福建省电力有限公司"), None);
        assert_eq!(guess_level("人民银行"), None);
    }

    #[test]
    fn emails() {
        assert!(validate_email("gxt@fujian.gov.cn").is_ok());
        assert!(validate_email("nobody").is_err());
        assert!(validate_email("a@b").is_err());
        assert!(validate_email("a b@c.cn").is_err());
    }
}
