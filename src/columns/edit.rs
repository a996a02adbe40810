//! What a site administrator can do to the site's column list, as pure functions of the list:
//! add a column or a 专题, change one (name, parent, hidden, a 专题's text, end date and
//! archive), move one among its siblings. Base columns (统一基本栏目) are locked. The result is
//! judged afterwards by the group's one set of column rules (`group::columns`).

use std::collections::HashMap;

use crate::group::model::{ColumnDef, ColumnKind};

/// One change to a site's column list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// A new column, placed last among its siblings.
    Add(ColumnDef),
    /// New settings for an existing column; its slug and kind stay.
    Update { slug: String, name: String, parent: Option<String>, hidden: bool, topic: TopicFields },
    /// One place earlier (`up`) or later among the columns with the same parent.
    Move { slug: String, up: bool },
}

/// The fields only a 专题 has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicFields {
    pub intro: Option<String>,
    pub ends: Option<String>,
    pub archived: bool,
}

/// Why an edit cannot be made at all (before the rules judge its result).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No column with that slug.
    NoSuchColumn(String),
    /// A base column: the group sets it for every site.
    Locked(String),
    /// Something the editor does not offer (a 互动 column, a move past the end).
    Unsupported(String),
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::NoSuchColumn(slug) => format!("本站没有代码为“{slug}”的栏目"),
            Refusal::Locked(name) => format!("“{name}”是统一基本栏目，由信息化办统一设置，站点不能修改"),
            Refusal::Unsupported(why) => why.clone(),
        }
    }
}

/// The list after `edit`, or why it cannot be made. The caller checks the result with
/// `group::columns::problems`.
pub fn apply(base: &[ColumnDef], columns: &[ColumnDef], edit: &Edit) -> Result<Vec<ColumnDef>, Refusal> {
    let is_base = |slug: &str| base.iter().any(|b| b.slug == slug);
    let find = |slug: &str| {
        let i = columns.iter().position(|c| c.slug == slug).ok_or_else(|| Refusal::NoSuchColumn(slug.to_string()))?;
        if is_base(slug) {
            return Err(Refusal::Locked(columns[i].name.clone()));
        }
        Ok(i)
    };
    let mut tree = Tree::of(columns);
    match edit {
        Edit::Add(c) => {
            if c.kind == ColumnKind::Interaction {
                return Err(Refusal::Unsupported("互动交流栏目由站群统一提供，不能自行添加".into()));
            }
            let mut list = columns.to_vec();
            list.push(c.clone());
            tree.push(list.len() - 1, c.parent.as_deref());
            Ok(tree.flatten(list))
        }
        Edit::Update { slug, name, parent, hidden, topic } => {
            let i = find(slug)?;
            let mut list = columns.to_vec();
            let c = &mut list[i];
            c.name = name.trim().to_string();
            c.hidden = *hidden;
            c.intro = topic.intro.clone().filter(|t| !t.trim().is_empty());
            c.ends = topic.ends.clone().filter(|t| !t.trim().is_empty());
            c.archived = topic.archived;
            if c.parent != *parent {
                c.parent = parent.clone();
                tree.remove(i);
                tree.push(i, parent.as_deref());
            }
            Ok(tree.flatten(list))
        }
        Edit::Move { slug, up } => {
            let i = find(slug)?;
            let siblings = tree.siblings_mut(columns[i].parent.as_deref());
            let at = siblings.iter().position(|&x| x == i).unwrap_or(0);
            let to = if *up { at.checked_sub(1) } else { Some(at + 1).filter(|&t| t < siblings.len()) };
            let Some(to) = to else {
                let edge = if *up { "最前面" } else { "最后面" };
                return Err(Refusal::Unsupported(format!("“{}”已经排在同级栏目的{edge}", columns[i].name)));
            };
            siblings.swap(at, to);
            Ok(tree.flatten(columns.to_vec()))
        }
    }
}

/// The list as the navigation reads it: top-level columns in order, each with its children in
/// order. Flattened back parent first, children right after, which the rules require anyway.
struct Tree {
    top: Vec<usize>,
    children: HashMap<String, Vec<usize>>,
    slugs: Vec<String>,
}

impl Tree {
    fn of(columns: &[ColumnDef]) -> Tree {
        let mut t = Tree { top: Vec::new(), children: HashMap::new(), slugs: Vec::new() };
        for (i, c) in columns.iter().enumerate() {
            t.slugs.push(c.slug.clone());
            t.push(i, c.parent.as_deref());
        }
        t
    }

    fn siblings_mut(&mut self, parent: Option<&str>) -> &mut Vec<usize> {
        match parent {
            None => &mut self.top,
            Some(p) => self.children.entry(p.to_string()).or_default(),
        }
    }

    fn push(&mut self, i: usize, parent: Option<&str>) {
        self.siblings_mut(parent).push(i);
    }

    fn remove(&mut self, i: usize) {
        self.top.retain(|&x| x != i);
        for list in self.children.values_mut() {
            list.retain(|&x| x != i);
        }
    }

    fn flatten(mut self, list: Vec<ColumnDef>) -> Vec<ColumnDef> {
        let mut order = Vec::with_capacity(list.len());
        let mut seen = vec![false; list.len()];
        fn visit(t: &mut Tree, i: usize, order: &mut Vec<usize>, seen: &mut [bool]) {
            if std::mem::replace(&mut seen[i], true) {
                return;
            }
            order.push(i);
            let slug = t.slugs.get(i).cloned();
            let kids = slug.and_then(|s| t.children.remove(&s)).unwrap_or_default();
            for k in kids {
                visit(t, k, order, seen);
            }
        }
        self.slugs.extend(list.iter().skip(self.slugs.len()).map(|c| c.slug.clone()));
        for i in std::mem::take(&mut self.top) {
            visit(&mut self, i, &mut order, &mut seen);
        }
        // A child whose parent is not in the list keeps its place at the end, for the rules to
        // report rather than to vanish.
        let rest: Vec<usize> = self.children.drain().flat_map(|(_, v)| v).collect();
        let mut rest = rest;
        rest.sort_unstable();
        for i in rest {
            if !seen[i] {
                seen[i] = true;
                order.push(i);
            }
        }
        let mut slots: Vec<Option<ColumnDef>> = list.into_iter().map(Some).collect();
        order.into_iter().filter_map(|i| slots[i].take()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(slug: &str, parent: Option<&str>) -> ColumnDef {
        ColumnDef::new(slug, &format!("栏目{slug}"), ColumnKind::News, parent)
    }

    fn slugs(list: &[ColumnDef]) -> Vec<&str> {
        list.iter().map(|c| c.slug.as_str()).collect()
    }

    fn site() -> (Vec<ColumnDef>, Vec<ColumnDef>) {
        let base = vec![col("gk", None), col("gzdt", None)];
        let list =
            vec![col("gk", None), col("zcfg", None), col("gzdt", None), col("zcjd", Some("zcfg")), col("a", None)];
        (base, list)
    }

    #[test]
    fn adding_places_a_column_last_among_its_siblings() {
        let (base, list) = site();
        let got = apply(&base, &list, &Edit::Add(col("b", Some("zcfg")))).unwrap();
        assert_eq!(slugs(&got), ["gk", "zcfg", "zcjd", "b", "gzdt", "a"]);
        let got = apply(&base, &list, &Edit::Add(col("c", None))).unwrap();
        assert_eq!(slugs(&got), ["gk", "zcfg", "zcjd", "gzdt", "a", "c"]);
        let mut talk = col("hd", None);
        talk.kind = ColumnKind::Interaction;
        assert!(matches!(apply(&base, &list, &Edit::Add(talk)), Err(Refusal::Unsupported(_))));
    }

    #[test]
    fn moving_swaps_with_a_sibling_and_takes_the_children_along() {
        let (base, list) = site();
        let up = |slug: &str| Edit::Move { slug: slug.into(), up: true };
        let got = apply(&base, &list, &up("a")).unwrap();
        assert_eq!(slugs(&got), ["gk", "zcfg", "zcjd", "a", "gzdt"]);
        let got = apply(&base, &got, &up("a")).unwrap();
        assert_eq!(slugs(&got), ["gk", "a", "zcfg", "zcjd", "gzdt"]);
        let down = Edit::Move { slug: "zcfg".into(), up: false };
        let got = apply(&base, &list, &down).unwrap();
        assert_eq!(slugs(&got), ["gk", "gzdt", "zcfg", "zcjd", "a"], "its sub-column moves with it");
        assert!(matches!(apply(&base, &list, &up("zcjd")), Err(Refusal::Unsupported(_))), "already first");
        assert_eq!(apply(&base, &list, &up("gzdt")), Err(Refusal::Locked("栏目gzdt".into())));
        assert_eq!(apply(&base, &list, &up("nope")), Err(Refusal::NoSuchColumn("nope".into())));
    }

    #[test]
    fn an_update_renames_nests_and_keeps_slug_and_kind() {
        let (base, list) = site();
        let edit = Edit::Update {
            slug: "a".into(),
            name: " 新名称 ".into(),
            parent: Some("zcfg".into()),
            hidden: true,
            topic: TopicFields::default(),
        };
        let got = apply(&base, &list, &edit).unwrap();
        assert_eq!(slugs(&got), ["gk", "zcfg", "zcjd", "a", "gzdt"]);
        let a = got.iter().find(|c| c.slug == "a").unwrap();
        assert_eq!(
            (a.name.as_str(), a.parent.as_deref(), a.hidden, a.kind),
            ("新名称", Some("zcfg"), true, ColumnKind::News)
        );
        let base_edit = Edit::Update {
            slug: "gzdt".into(),
            name: "改名".into(),
            parent: None,
            hidden: false,
            topic: TopicFields::default(),
        };
        assert!(matches!(apply(&base, &list, &base_edit), Err(Refusal::Locked(_))));
    }
}
