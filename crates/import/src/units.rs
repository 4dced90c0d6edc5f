//! Unit and leader lists: splitting, level-prefix inheritance and the
//! responsibility conventions (`排第一的为牵头单位`, `X牵头,A、B配合`, `分别牵头`).

use std::sync::LazyLock;

use regex::Regex;

use crate::text::{is_han, squeeze_han_spaces};

/// Who does a task, before it is resolved into lead and co-units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Assignment {
    /// Units named as lead (牵头单位, `X牵头`, `分别牵头`).
    pub leads: Vec<String>,
    /// Units named as responsible (责任单位, `…负责`) — the first leads when no lead is named.
    pub responsible: Vec<String>,
    /// Co-operating units (配合单位, `…配合`).
    pub co: Vec<String>,
    /// Leaders (责任领导, 牵头省领导, 链长).
    pub leaders: Vec<String>,
}

impl Assignment {
    pub(crate) fn is_empty(&self) -> bool {
        self.leads.is_empty() && self.responsible.is_empty() && self.co.is_empty()
    }

    /// Apply the convention "first listed unit leads": the first lead unit, or
    /// failing that the first responsible unit, is the lead; everybody else
    /// (further leads, responsible and co-operating units) is a co-unit.
    pub(crate) fn resolve(&self) -> (Option<String>, Vec<String>) {
        let lead = self
            .leads
            .first()
            .or_else(|| self.responsible.first())
            .cloned();
        let mut co = Vec::new();
        for unit in self
            .leads
            .iter()
            .chain(self.responsible.iter())
            .chain(self.co.iter())
        {
            if Some(unit) != lead.as_ref() && !co.contains(unit) {
                co.push(unit.clone());
            }
        }
        (lead, co)
    }

    /// Take `parent`'s lead when this assignment names none (a heading such
    /// as `二、市教育局牵头的工作` leads the items under it).
    pub(crate) fn inherit_lead(&mut self, parent: &Assignment) {
        if self.leads.is_empty() && self.responsible.is_empty() {
            self.leads.clone_from(&parent.leads);
            if self.leads.is_empty() {
                self.responsible.clone_from(&parent.responsible);
            }
            let lead = self.leads.first().or(self.responsible.first()).cloned();
            self.co.retain(|u| Some(u) != lead.as_ref());
        }
    }

    /// Fill whatever this assignment lacks from `parent` (a group heading
    /// whose units apply to all its items).
    pub(crate) fn inherit(&mut self, parent: &Assignment) {
        if self.is_empty() {
            self.leads.clone_from(&parent.leads);
            self.responsible.clone_from(&parent.responsible);
            self.co.clone_from(&parent.co);
        } else {
            self.inherit_lead(parent);
        }
        if self.leaders.is_empty() {
            self.leaders.clone_from(&parent.leaders);
        }
    }
}

/// Split at top-level occurrences of any of `seps` (never inside brackets or quotes).
pub(crate) fn split_top_level<'a>(s: &'a str, seps: &[char]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '〔' | '[' | '【' | '《' | '“' | '‘' => depth += 1,
            ')' | '〕' | ']' | '】' | '》' | '”' | '’' => depth = (depth - 1).max(0),
            _ if depth == 0 && seps.contains(&c) => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

static UNIT_SUFFIXES: &[&str] = &[
    "厅",
    "局",
    "委",
    "办",
    "部",
    "院",
    "府",
    "会",
    "司",
    "行",
    "中心",
    "集团",
    "团",
    "室",
    "所",
    "站",
    "处",
    "科",
    "队",
    "校",
    "馆",
    "社",
    "组",
    "区",
    "县",
    "市",
    "省",
    "州",
    "镇",
    "乡",
    "公司",
    "银行",
    "法院",
    "大学",
    "学院",
    "协会",
    "党委",
    "政府",
    "办公厅",
    "办公室",
    "街道",
    "协",
    "联",
];

/// Group names: `各县(市、区)党委和人民政府`, `相关地市政府`.
const GROUP_PREFIXES: &[&str] = &["各", "相关", "有关"];

static INDEPENDENT_PREFIXES: &[&str] = &[
    "各",
    "相关",
    "有关",
    "中共",
    "共青团",
    "国网",
    "国家",
    "人民银行",
    "人行",
    "中国",
    "全",
    "驻",
    "中央",
    "国务院",
    "本级",
];

static PLACE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\p{Han}{2,8}?(?:省|市|县|区|州|盟|旗)").expect("place regex"));
static BARE_PLACE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\p{Han}{2,8}?(?:市|县|区|州)$").expect("bare place regex"));
static PLACE_GOV_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Han}{2,8}?(?:市|县|区|州)((?:党委和)?(?:人民)?政府|党委|管委会)$")
        .expect("place government regex")
});

/// Whether `name` reads like an organisation (or a group of them).
pub(crate) fn looks_like_unit(name: &str) -> bool {
    let name = name.trim();
    if name.chars().count() < 2 || name.contains(['。', ':']) {
        return false;
    }
    GROUP_PREFIXES.iter().any(|p| name.starts_with(p))
        || UNIT_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// The administrative level a unit name starts with (`省`, `市`, …, or `省委`
/// when a party department follows), unless the name only starts with
/// `市场` and the like.
fn level_prefix(name: &str, next: Option<&str>) -> Option<String> {
    let mut chars = name.chars();
    let first = chars.next()?;
    if !matches!(first, '省' | '市' | '县' | '区' | '乡' | '镇') {
        return None;
    }
    if ["市场", "区域", "县域", "省级", "市级", "县级", "区级"]
        .iter()
        .any(|p| name.starts_with(p))
    {
        return None;
    }
    if chars.next() == Some('委') && next.is_some_and(|n| n.ends_with('部')) {
        return Some(format!("{first}委"));
    }
    Some(first.to_string())
}

/// Names that never take an inherited prefix: groups (`各…`, `相关…`),
/// central bodies, and names that start with their own place (`漳州市政府`).
fn is_independent(name: &str) -> bool {
    INDEPENDENT_PREFIXES.iter().any(|p| name.starts_with(p)) || PLACE_RE.is_match(name)
}

/// Clean one list item: spaces, quotes, trailing `等`/`等单位`, stray punctuation.
fn clean_item(item: &str) -> String {
    let mut s = squeeze_han_spaces(item);
    loop {
        let before = s.len();
        for suffix in [
            "等有关单位",
            "等相关单位",
            "等有关部门",
            "等相关部门",
            "等单位",
            "等部门",
            "等",
            "。",
            ".",
            ":",
            ",",
            ";",
            "按职责分工负责",
            "分别负责",
            "负责",
            "牵头",
            "主办",
            "协办",
        ] {
            if let Some(stripped) = s.strip_suffix(suffix) {
                s = stripped.trim_end().to_owned();
            }
        }
        if s.len() == before {
            break;
        }
    }
    s.trim_matches(|c: char| c.is_whitespace() || matches!(c, '“' | '”' | '"'))
        .to_owned()
}

/// Split a unit list such as
/// `市工信局、科技局、财政局,各县(市、区)党委和人民政府等` into names.
///
/// * `、` separates names within a run, `,` `;` (and spaces between whole
///   unit names) separate runs; nothing is split inside brackets.
/// * Within a run a name without its own level inherits the last level
///   prefix: `市工信局、科技局` → `市科技局`, `省工信厅、科技厅` → `省科技厅`
///   (`市场监管局` has no level of its own, so it becomes `市市场监管局`).
///   Group names (`各…`, `相关…`), central bodies and names that start with
///   a place (`漳州市政府`) are kept as they are.
/// * Bare places share the government suffix of the last name of the run:
///   `泉州市、莆田市政府` → `泉州市政府`, `莆田市政府`.
/// * A trailing `等` is dropped; duplicates are removed.
pub(crate) fn split_units(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for run in split_top_level(s.trim(), &[',', ';', '。', '\n']) {
        for run in split_space_run(run) {
            let items: Vec<String> = split_top_level(&run, &['、', '/'])
                .into_iter()
                .flat_map(split_conjunction)
                .map(|i| clean_item(&i))
                .filter(|i| !i.is_empty())
                .collect();
            for unit in resolve_run(items) {
                if !out.contains(&unit) {
                    out.push(unit);
                }
            }
        }
    }
    out
}

/// `区财政局和区税务局`, `区教育局及各乡镇(街道)`: `和`/`及` join two whole
/// unit names. Not split: `文化和旅游厅`, `人力资源和社会保障厅` (the left
/// part is no unit) and `各县(市、区)党委和人民政府` (a government suffix).
fn split_conjunction(item: &str) -> Vec<String> {
    for (i, c) in item.char_indices() {
        if c != '和' && c != '及' {
            continue;
        }
        let (left, right) = (item[..i].trim(), item[i + c.len_utf8()..].trim());
        let right_clean = clean_item(right);
        let government = ["人民政府", "政府", "党委", "管委会", "人大", "政协"]
            .iter()
            .any(|g| right_clean.starts_with(g));
        if left.chars().count() >= 3
            && !government
            && UNIT_SUFFIXES.iter().any(|s| left.ends_with(s))
            && looks_like_unit(&right_clean)
            && right_clean.chars().count() >= 3
            && left.matches('(').count() == left.matches(')').count()
        {
            let mut out = vec![left.to_owned()];
            out.extend(split_conjunction(right));
            return out;
        }
    }
    vec![item.to_owned()]
}

/// A run like `市工信局 市财政局` is two units; `陈 飞` or `首台 (套)` is one.
fn split_space_run(run: &str) -> Vec<String> {
    let parts: Vec<&str> = split_top_level(run.trim(), &[' '])
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .collect();
    if parts.len() > 1
        && parts
            .iter()
            .all(|p| looks_like_unit(p) && p.chars().count() > 2)
    {
        parts.into_iter().map(str::to_owned).collect()
    } else {
        vec![run.to_owned()]
    }
}

fn resolve_run(mut items: Vec<String>) -> Vec<String> {
    // Bare places share the government suffix of a following name.
    let mut suffix: Option<String> = None;
    for item in items.iter_mut().rev() {
        if let Some(c) = PLACE_GOV_RE.captures(item) {
            suffix = c.get(1).map(|m| m.as_str().to_owned());
        } else if BARE_PLACE_RE.is_match(item) {
            if let Some(sfx) = &suffix {
                item.push_str(sfx);
            }
        } else {
            suffix = None;
        }
    }
    // Level prefixes carry forward within the run.
    let mut prefix: Option<String> = None;
    let mut out = Vec::with_capacity(items.len());
    for i in 0..items.len() {
        let item = &items[i];
        let next = items.get(i + 1).map(String::as_str);
        if let Some(p) = level_prefix(item, next) {
            prefix = Some(p);
            out.push(item.clone());
        } else if is_independent(item) {
            prefix = None;
            out.push(item.clone());
        } else if let Some(p) = &prefix {
            out.push(format!("{p}{item}"));
        } else {
            out.push(item.clone());
        }
    }
    out
}

/// Split a leader list (`郭宁宁、康涛`; `陈 飞` is one name with padding).
pub(crate) fn split_leaders(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in split_top_level(s.trim(), &['、', ',', ';', '。', '/']) {
        let tokens: Vec<&str> = part.split_whitespace().collect();
        let names: Vec<String> = if tokens.len() > 1 && tokens.iter().all(|t| t.chars().count() > 1)
        {
            tokens.into_iter().map(str::to_owned).collect()
        } else {
            vec![tokens.concat()]
        };
        for name in names {
            let name = name
                .trim_end_matches("同志")
                .trim_end_matches('等')
                .trim()
                .to_owned();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝乌谈洪郁粟蔺丰鞠钮皮揭帅练冀";
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙", "长孙", "宇文",
    "司徒", "夏侯", "西门", "独孤", "端木",
];

/// Whether `s` reads like a Chinese personal name (`陈 飞`, `许达哲`).
pub(crate) fn looks_like_person(s: &str) -> bool {
    let name: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let n = name.chars().count();
    if !name.chars().all(is_han) || looks_like_unit(&name) {
        return false;
    }
    if COMPOUND_SURNAMES.iter().any(|c| name.starts_with(c)) {
        return (3..=4).contains(&n);
    }
    (2..=3).contains(&n) && name.chars().next().is_some_and(|c| SURNAMES.contains(c))
}

static DECLARATION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[,;、]?\s*(?:(?:排|列)(?:在)?(?:第一|首)(?:位|个)?的?(?:单位)?(?:为|是)牵头(?:单位|部门)|下同|(?:以下|下列)同)")
        .expect("declaration regex")
});
static LABEL_IN_PAREN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(牵头(?:单位|部门)|责任(?:单位|部门)|配合(?:单位|部门)|协办(?:单位|部门)|参与(?:单位|部门))\s*:\s*(.*)$")
        .expect("label in parenthesis regex")
});

/// Role suffixes of responsibility clauses, longest first.
const LEAD_ALL_SUFFIXES: &[&str] = &["分别牵头负责", "分别牵头"];
const LEAD_SUFFIXES: &[&str] = &[
    "主办",
    "牵头负责",
    "牵头落实",
    "牵头组织",
    "牵头实施",
    "负责牵头",
    "牵头",
];
const CO_SUFFIXES: &[&str] = &[
    "协办",
    "按职责配合",
    "配合落实",
    "参与落实",
    "共同参与",
    "协同配合",
    "配合",
    "参与",
    "协助",
    "协同",
];
const RESPONSIBLE_SUFFIXES: &[&str] = &[
    "按职责分工负责",
    "按职责分工落实",
    "按职能职责负责",
    "按职责负责",
    "分别负责",
    "共同负责",
    "负责落实",
    "负责",
    "落实",
    "实施",
];

fn strip_any<'a>(s: &'a str, suffixes: &[&str]) -> Option<&'a str> {
    suffixes.iter().find_map(|sfx| s.strip_suffix(sfx))
}

static HEADING_LEAD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.{2,40}?)(?:牵头|负责|主办)(?:落实|推进)?的(?:重点)?(?:工作|任务|事项)(?:\(\d+项\))?[。:]?$")
        .expect("heading lead regex")
});

/// The lead units of a heading such as `省发展改革委牵头的工作`.
pub(crate) fn heading_lead(heading: &str) -> Option<Vec<String>> {
    let c = HEADING_LEAD_RE.captures(heading.trim())?;
    let units = split_units(c.get(1)?.as_str());
    (!units.is_empty() && units.iter().all(|u| looks_like_unit(u))).then_some(units)
}

/// Read a responsibility note such as the trailing parenthesis of a task:
/// `省工业和信息化厅、省发展改革委、省国资委负责,排第一的为牵头单位,下同`,
/// `省发改委牵头,省工信厅、省科技厅配合`, `省发改委、省工信厅分别牵头`,
/// `牵头单位:省发改委;配合单位:省工信厅`, or a bare list of units.
///
/// Returns `None` when the text does not read like an assignment (an
/// ordinary parenthetical remark).
pub(crate) fn parse_responsibility(content: &str) -> Option<Assignment> {
    let cleaned = DECLARATION_RE.replace_all(content.trim(), "");
    let mut a = Assignment::default();
    for clause in split_top_level(&cleaned, &[',', ';', '。']) {
        let clause = clause.trim().trim_end_matches(['。', '.']);
        if clause.is_empty() {
            continue;
        }
        if let Some(c) = LABEL_IN_PAREN_RE.captures(clause) {
            let units = split_units(c.get(2).map_or("", |m| m.as_str()));
            match c.get(1).map_or("", |m| m.as_str()) {
                l if l.starts_with("牵头") => a.leads.extend(units),
                l if l.starts_with("责任") => a.responsible.extend(units),
                _ => a.co.extend(units),
            }
        } else if let Some(rest) = strip_any(clause, LEAD_ALL_SUFFIXES) {
            a.leads.extend(split_units(rest));
        } else if let Some(rest) = strip_any(clause, LEAD_SUFFIXES) {
            a.leads.extend(split_units(rest));
        } else if let Some(rest) = strip_any(clause, CO_SUFFIXES) {
            a.co.extend(split_units(rest));
        } else if let Some(rest) = strip_any(clause, RESPONSIBLE_SUFFIXES) {
            a.responsible.extend(split_units(rest));
        } else {
            let units = split_units(clause);
            if units.is_empty() || !units.iter().all(|u| looks_like_unit(u)) {
                return None;
            }
            a.responsible.extend(units);
        }
    }
    let all_units = a.leads.iter().chain(&a.responsible).chain(&a.co);
    let mut any = false;
    for u in all_units {
        if !looks_like_unit(u) {
            return None;
        }
        any = true;
    }
    any.then_some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn inherits_level_prefix() {
        assert_eq!(
            split_units("市工信局、科技局、财政局、金融监管局,各县(市、区)党委和人民政府"),
            v(&[
                "市工信局",
                "市科技局",
                "市财政局",
                "市金融监管局",
                "各县(市、区)党委和人民政府"
            ])
        );
        assert_eq!(
            split_units("省工信厅、科技厅"),
            v(&["省工信厅", "省科技厅"])
        );
        assert_eq!(
            split_units("市金融监管局、国资委、市场监管局,市投资集团"),
            v(&["市金融监管局", "市国资委", "市市场监管局", "市投资集团"])
        );
        assert_eq!(
            split_units("市工信局、商务局、城市管理局、行政服务中心管委会"),
            v(&[
                "市工信局",
                "市商务局",
                "市城市管理局",
                "市行政服务中心管委会"
            ])
        );
    }

    #[test]
    fn keeps_groups_and_places() {
        assert_eq!(
            split_units("省科技厅、国资委,省能化集团,相关地市政府等"),
            v(&["省科技厅", "省国资委", "省能化集团", "相关地市政府"])
        );
        assert_eq!(
            split_units("省发改委、科技厅,泉州市、莆田市政府等"),
            v(&["省发改委", "省科技厅", "泉州市政府", "莆田市政府"])
        );
        assert_eq!(
            split_units("省工信厅,漳州市政府、古雷开发区管委会等"),
            v(&["省工信厅", "漳州市政府", "古雷开发区管委会"])
        );
        assert_eq!(
            split_units("市工信局、发改委,国网三明供电公司,三明经济开发区管委会"),
            v(&[
                "市工信局",
                "市发改委",
                "国网三明供电公司",
                "三明经济开发区管委会"
            ])
        );
        assert_eq!(
            split_units("各县(市、区)党委和人民政府"),
            v(&["各县(市、区)党委和人民政府"])
        );
    }

    #[test]
    fn party_prefix() {
        assert_eq!(
            split_units("省委组织部、宣传部"),
            v(&["省委组织部", "省委宣传部"])
        );
        assert_eq!(
            split_units("市纪委监委、市委统战部"),
            v(&["市纪委监委", "市委统战部"])
        );
    }

    #[test]
    fn responsibility_notes() {
        let a = parse_responsibility(
            "省工业和信息化厅、省发展改革委、省国资委负责,排第一的为牵头单位,下同",
        )
        .expect("assignment");
        assert_eq!(
            a.resolve(),
            (
                Some("省工业和信息化厅".to_owned()),
                v(&["省发展改革委", "省国资委"])
            )
        );
        let a = parse_responsibility("省发改委牵头,省工信厅、科技厅配合").expect("assignment");
        assert_eq!(
            a.resolve(),
            (Some("省发改委".to_owned()), v(&["省工信厅", "省科技厅"]))
        );
        let a = parse_responsibility("省发改委、省工信厅分别牵头").expect("assignment");
        assert_eq!(a.leads, v(&["省发改委", "省工信厅"]));
        assert_eq!(a.resolve(), (Some("省发改委".to_owned()), v(&["省工信厅"])));
        assert_eq!(parse_responsibility("2021-2023年"), None);
        assert_eq!(parse_responsibility("含磁浮"), None);
        assert_eq!(parse_responsibility("套"), None);
    }

    #[test]
    fn people() {
        assert!(looks_like_person("陈 飞"));
        assert!(looks_like_person("许达哲"));
        assert!(looks_like_person("乌 兰"));
        assert!(!looks_like_person("软件"));
        assert!(!looks_like_person("碳基材料"));
        assert!(!looks_like_person("农业机械"));
        assert!(!looks_like_person("5G应用"));
        assert_eq!(split_leaders("郭宁宁、康涛"), v(&["郭宁宁", "康涛"]));
        assert_eq!(split_leaders("陈 飞"), v(&["陈飞"]));
    }
}
