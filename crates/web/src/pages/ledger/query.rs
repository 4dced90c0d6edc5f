//! The ledger page's query string: filters, sort and page, so a link can be shared. The
//! filters are the API's ([`ItemQuery`]), so the page, its Excel download and `/api/items`
//! select the same rows.

use crate::ApiError;
use crate::api::ItemQuery;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use xiaohao_engine::workbench::{LedgerSort, SortKey};

/// Rows per page.
pub(super) const PAGE: u64 = 50;

#[derive(Deserialize, Serialize, Default, Clone, Debug)]
pub(crate) struct LedgerQuery {
    pub state: Option<String>,
    pub light: Option<String>,
    pub chain: Option<String>,
    pub unit: Option<String>,
    pub plan: Option<String>,
    pub level: Option<String>,
    pub q: Option<String>,
    pub overdue: Option<String>,
    /// A column of [`SortKey`].
    pub sort: Option<String>,
    /// `desc` for descending.
    pub dir: Option<String>,
    pub offset: Option<u64>,
    // Flash codes after a form came back here (read by the page, never echoed).
    pub error: Option<String>,
    pub field: Option<String>,
}

impl LedgerQuery {
    /// A filter's value as the form shows it ("" when not set).
    pub fn value(&self, name: &str) -> &str {
        let v = match name {
            "state" => &self.state,
            "light" => &self.light,
            "chain" => &self.chain,
            "unit" => &self.unit,
            "plan" => &self.plan,
            "level" => &self.level,
            "q" => &self.q,
            _ => return "",
        };
        v.as_deref().unwrap_or("")
    }

    pub fn overdue(&self) -> bool {
        self.overdue.as_deref() == Some("true")
    }

    /// The filters as the API reads them, for one page of `PAGE` rows at `offset`.
    pub fn item_query(&self, limit: Option<u64>, offset: Option<u64>) -> ItemQuery {
        ItemQuery {
            state: self.state.clone(),
            unit: self.unit.clone(),
            chain: self.chain.clone(),
            light: self.light.clone(),
            plan: self.plan.clone(),
            level: self.level.clone(),
            overdue: Some(self.overdue()),
            q: self.q.clone(),
            limit,
            offset,
        }
    }

    /// The column and direction asked for; an unknown column is a 400 naming `sort`.
    pub fn sort(&self) -> Result<Option<LedgerSort>, ApiError> {
        let Some(raw) = self.sort.as_deref().filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        let key: SortKey = raw.parse().map_err(|_| {
            let shown: String = raw.chars().take(20).collect();
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("台账没有“{shown}”这一排序列，请点击表头排序。"),
            )
            .field("sort")
        })?;
        Ok(Some(LedgerSort {
            key,
            descending: self.dir.as_deref() == Some("desc"),
        }))
    }

    /// The filters alone, as a query string (the download and the sort links start here).
    pub fn filters(&self) -> String {
        let mut parts = Vec::new();
        let mut push = |k: &str, v: &Option<String>| {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", crate::auth::url_encode(v)));
            }
        };
        push("state", &self.state);
        push("light", &self.light);
        push("chain", &self.chain);
        push("unit", &self.unit);
        push("plan", &self.plan);
        push("level", &self.level);
        push("q", &self.q);
        if self.overdue() {
            parts.push("overdue=true".into());
        }
        parts.join("&")
    }

    /// Filters and sort (what a page link keeps).
    pub fn filters_and_sort(&self) -> String {
        let mut out = self.filters();
        if let Ok(Some(s)) = self.sort() {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(&format!("sort={}", s.key.as_str()));
            if s.descending {
                out.push_str("&dir=desc");
            }
        }
        out
    }

    /// The link of page `offset`, keeping filters and sort.
    pub fn page_link(&self, offset: u64) -> String {
        let base = self.filters_and_sort();
        if base.is_empty() {
            format!("offset={offset}")
        } else {
            format!("{base}&offset={offset}")
        }
    }
}

/// A sortable column heading: the link sorts by it (ascending first, then the reverse),
/// keeping the filters and starting at the first page.
pub struct Heading {
    pub key: &'static str,
    pub label: &'static str,
    pub href: String,
    /// `ascending`, `descending` or `none` (the `aria-sort` value).
    pub aria: &'static str,
    pub mark: &'static str,
    pub numeric: bool,
}

pub(super) fn headings(q: &LedgerQuery) -> Vec<Heading> {
    let current = q.sort().ok().flatten();
    let filters = q.filters();
    let cols: [(SortKey, &str, bool); 10] = [
        (SortKey::Number, "序号", false),
        (SortKey::Title, "事项", false),
        (SortKey::Lead, "牵头单位", false),
        (SortKey::Chain, "产业链(链长)", false),
        (SortKey::State, "状态", false),
        (SortKey::Deadline, "完成时限", false),
        (SortKey::DaysLate, "逾期(工作日)", true),
        (SortKey::Light, "灯", false),
        (SortKey::Level, "督办级别", true),
        (SortKey::Percent, "进度", true),
    ];
    cols.into_iter()
        .map(|(key, label, numeric)| {
            let active = current.filter(|s| s.key == key);
            let descending_next = active.is_some_and(|s| !s.descending);
            let mut href = filters.clone();
            if !href.is_empty() {
                href.push('&');
            }
            href.push_str(&format!("sort={}", key.as_str()));
            if descending_next {
                href.push_str("&dir=desc");
            }
            let (aria, mark) = match active {
                Some(s) if s.descending => ("descending", "▼"),
                Some(_) => ("ascending", "▲"),
                None => ("none", ""),
            };
            Heading {
                key: key.as_str(),
                label,
                href,
                aria,
                mark,
                numeric,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_filters_and_sort_and_encode_text() {
        let q = LedgerQuery {
            chain: Some("石化 产业链".into()),
            overdue: Some("true".into()),
            sort: Some("late".into()),
            dir: Some("desc".into()),
            offset: Some(50),
            ..Default::default()
        };
        assert_eq!(
            q.filters(),
            "chain=%E7%9F%B3%E5%8C%96%20%E4%BA%A7%E4%B8%9A%E9%93%BE&overdue=true"
        );
        assert!(q.page_link(100).ends_with("&sort=late&dir=desc&offset=100"));
        let late = headings(&q).into_iter().find(|h| h.key == "late").unwrap();
        assert_eq!(late.aria, "descending");
        assert!(late.href.ends_with("sort=late"), "{}", late.href);
        let title = headings(&q).into_iter().find(|h| h.key == "title").unwrap();
        assert!(title.href.ends_with("sort=title") && title.aria == "none");
    }

    #[test]
    fn an_unknown_column_names_the_sort_field() {
        let q = LedgerQuery {
            sort: Some("password".into()),
            ..Default::default()
        };
        assert_eq!(q.sort().unwrap_err().field.as_deref(), Some("sort"));
    }
}
