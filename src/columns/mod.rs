//! Columns and 专题 managed in the admin. The site's YAML file stays the one definition of its
//! columns: an edit is applied to the list read from the file (`edit`), judged by the group's
//! column rules (`group::columns`) and then by loading the whole group with the new text in
//! place (what `zhanqun check` would say), and only then written (`yaml`, atomically). The
//! running service then takes the new group, the database follows it (`Store::sync_group`,
//! which queues the whole site's publication: every page carries the navigation), and the
//! change is recorded with the list before and after, for the central office to see and veto.
//!
//! Nothing is half-applied: a refused edit writes nothing; a file changed since the form was
//! shown (another administrator, an operator's edit) is a conflict, not an overwrite.

pub mod edit;
pub mod yaml;

use std::collections::HashMap;
use std::path::Path;

use crate::group::columns::{problems, ColumnProblem};
use crate::group::model::{ColumnDef, ColumnKind, SiteFile};
use crate::group::{Group, Problems};
use crate::project::Project;
use crate::store::mailboxes::Actor;
use crate::store::tenant::Tenant;
use crate::store::StoreError;
use edit::{Edit, Refusal};

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum ColumnsError {
    #[error("{}", .0.message())]
    Refused(Refusal),
    /// The new list breaks the column rules; each names its column and field.
    #[error("栏目设置有 {} 处问题", .0.len())]
    Invalid(Vec<ColumnProblem>),
    /// The group as a whole would not load (a problem elsewhere in its files).
    #[error("站群配置未通过校验：{0}")]
    Group(String),
    /// The site's file changed since the form was shown.
    #[error("栏目刚被其他人修改过，请刷新页面后再操作")]
    Stale,
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One edit at a time per service: read, judge, write and reload are one step.
static EDITING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The version of a site file a form was made from: its text's hash.
pub fn version(text: &str) -> String {
    use sha2::Digest;
    crate::hex::hex(&sha2::Sha256::digest(text.as_bytes()))[..16].to_string()
}

/// A site's columns as its file holds them now, with the file's version.
pub fn current(project: &Project, code: &str) -> Result<(Vec<ColumnDef>, String), ColumnsError> {
    let group = project.group();
    let site = group.site(code).ok_or(ColumnsError::Store(StoreError::NotFound))?;
    let text = read(&site.file)?;
    let def = parse(&site.file, &text)?;
    Ok((def.columns, version(&text)))
}

/// Makes `edit` to site `code`'s columns if its file is still at `version`; returns the id of
/// the recorded change.
pub async fn change(
    project: &Project,
    code: &str,
    version_seen: &str,
    edit: &Edit,
    by: Actor<'_>,
) -> Result<i64, ColumnsError> {
    let _one = EDITING.lock().await;
    let group = project.group();
    let site = group.site(code).ok_or(ColumnsError::Store(StoreError::NotFound))?;
    let text = read(&site.file)?;
    if version(&text) != version_seen {
        return Err(ColumnsError::Stale);
    }
    let before = parse(&site.file, &text)?.columns;
    let after = edit::apply(&group.def.base_columns, &before, edit).map_err(ColumnsError::Refused)?;
    let summary = describe(edit, &before, &after);
    let site_id = replace(project, &group, code, &text, &after).await?;
    let (before, after) = (to_json(&before)?, to_json(&after)?);
    Ok(project.store.record_column_change(site_id, by, &summary, &before, &after).await?)
}

/// Puts back the list a change replaced, if the site's columns are still what the change left.
pub async fn veto(project: &Project, scope: Tenant, id: i64, reason: &str, by: Actor<'_>) -> Result<(), ColumnsError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(ColumnsError::Refused(Refusal::Unsupported(
            "请写明撤销的理由（不超过 200 字），站点会看到".into(),
        )));
    }
    let _one = EDITING.lock().await;
    let change = project.store.column_change(scope, id).await?;
    if change.vetoed_at.is_some() {
        return Err(StoreError::Conflict("这项栏目变更已被撤销".into()).into());
    }
    let group = project.group();
    let site = group.site(&change.site_code).ok_or(ColumnsError::Store(StoreError::NotFound))?;
    let text = read(&site.file)?;
    let now = parse(&site.file, &text)?.columns;
    let (before, after): (Vec<ColumnDef>, Vec<ColumnDef>) = (json(&change.before_json)?, json(&change.after_json)?);
    if now != after {
        return Err(StoreError::Conflict("此后本站栏目又有变更，请先撤销较晚的变更".into()).into());
    }
    // A column the veto takes away must not take published articles off the site with it.
    let removed: Vec<&ColumnDef> = now.iter().filter(|c| !before.iter().any(|b| b.slug == c.slug)).collect();
    if !removed.is_empty() {
        let live = project.store.column_activity(scope, change.site_id, "9999-12-31 23:59:59").await?;
        for c in removed {
            if let Some(a) = live.iter().find(|a| a.slug == c.slug && a.live > 0) {
                return Err(StoreError::Conflict(format!(
                    "栏目“{}”已有 {} 篇已发布的稿件，撤销会让它们从网站上消失；请站点先撤稿或把稿件移到其他栏目",
                    c.name, a.live
                ))
                .into());
            }
        }
    }
    let code = change.site_code.clone();
    replace(project, &group, &code, &text, &before).await?;
    project.store.veto_column_change(id, by, reason).await?;
    Ok(())
}

/// Judges `after`, writes it into the site's file and takes the new group into service; returns
/// the site's id.
async fn replace(
    project: &Project,
    group: &Group,
    code: &str,
    text: &str,
    after: &[ColumnDef],
) -> Result<i64, ColumnsError> {
    let found = problems(&group.def.base_columns, after);
    if !found.is_empty() {
        return Err(ColumnsError::Invalid(found));
    }
    let site = group.site(code).ok_or(ColumnsError::Store(StoreError::NotFound))?;
    let new_text = yaml::with_columns(text, after).map_err(ColumnsError::Io)?;
    let (file, paths) = (site.file.clone(), project.paths.clone());
    let texts = HashMap::from([(file.clone(), new_text.clone())]);
    let loaded = tokio::task::spawn_blocking(move || Group::load_with(&paths.sites, Some(&paths.themes), &texts))
        .await
        .map_err(|e| ColumnsError::Io(e.to_string()))?
        .map_err(|p| ColumnsError::Group(first_lines(&p)))?;
    write_atomically(&file, &new_text)?;
    project.store.sync_group(&loaded).await?;
    project.replace_group(loaded);
    let rows = project.store.site_rows().await?;
    rows.get(code).map(|r| r.id).ok_or(ColumnsError::Store(StoreError::NotFound))
}

/// What a change did, in the words the change log shows.
pub fn describe(edit: &Edit, before: &[ColumnDef], after: &[ColumnDef]) -> String {
    let name_of = |list: &[ColumnDef], slug: &str| {
        list.iter().find(|c| c.slug == slug).map_or_else(|| slug.to_string(), |c| c.name.clone())
    };
    match edit {
        Edit::Add(c) => {
            let under = c.parent.as_deref().map(|p| format!("，上级栏目“{}”", name_of(before, p))).unwrap_or_default();
            match c.kind {
                ColumnKind::Topic => format!("新增专题“{}”（代码 {}{under}）", c.name, c.slug),
                kind => format!("新增栏目“{}”（{}类，代码 {}{under}）", c.name, kind.label(), c.slug),
            }
        }
        Edit::Move { slug, up } => format!("栏目“{}”{}", name_of(before, slug), if *up { "上移" } else { "下移" }),
        Edit::Update { slug, .. } => {
            let (Some(old), Some(new)) =
                (before.iter().find(|c| &c.slug == slug), after.iter().find(|c| &c.slug == slug))
            else {
                return format!("修改栏目 {slug}");
            };
            let mut what = Vec::new();
            if old.name != new.name {
                what.push(format!("名称改为“{}”", new.name));
            }
            if old.parent != new.parent {
                what.push(match &new.parent {
                    Some(p) => format!("移到“{}”之下", name_of(after, p)),
                    None => "改为一级栏目".to_string(),
                });
            }
            if old.hidden != new.hidden {
                what.push(if new.hidden { "在导航中隐藏" } else { "在导航中显示" }.to_string());
            }
            if old.ends != new.ends {
                what.push(match &new.ends {
                    Some(e) => format!("结束日期改为 {e}"),
                    None => "取消结束日期".to_string(),
                });
            }
            if old.intro != new.intro {
                what.push("修改导语".to_string());
            }
            if old.archived != new.archived {
                what.push(if new.archived { "归档" } else { "取消归档" }.to_string());
            }
            if what.is_empty() {
                what.push("未改动".to_string());
            }
            format!("栏目“{}”：{}", old.name, what.join("；"))
        }
    }
}

fn read(path: &Path) -> Result<String, ColumnsError> {
    std::fs::read_to_string(path).map_err(|e| ColumnsError::Io(format!("无法读取 {}：{e}", path.display())))
}

fn parse(path: &Path, text: &str) -> Result<SiteFile, ColumnsError> {
    serde_norway::from_str(text).map_err(|e| ColumnsError::Group(format!("{} 无法解析：{e}", path.display())))
}

fn json(text: &str) -> Result<Vec<ColumnDef>, ColumnsError> {
    serde_json::from_str(text).map_err(|e| ColumnsError::Io(format!("变更记录无法读取：{e}")))
}

fn to_json(list: &[ColumnDef]) -> Result<String, ColumnsError> {
    serde_json::to_string(list).map_err(|e| ColumnsError::Io(e.to_string()))
}

/// The first problems of a group that does not load, one per line.
fn first_lines(p: &Problems) -> String {
    let shown: Vec<String> = p.0.iter().take(3).map(|x| x.to_string()).collect();
    let more = if p.len() > 3 { format!("（另有 {} 处）", p.len() - 3) } else { String::new() };
    format!("{}{more}", shown.join("；"))
}

/// Writes beside the file and renames over it: a reader sees the old text or the new, whole.
fn write_atomically(path: &Path, text: &str) -> Result<(), ColumnsError> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("site.yaml");
    let tmp = path.with_file_name(format!(".{name}.writing"));
    let io = |e: std::io::Error| ColumnsError::Io(format!("无法写入 {}：{e}", path.display()));
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(text.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)?;
    if let Some(dir) = path.parent().and_then(|d| std::fs::File::open(d).ok()) {
        let _ = dir.sync_all();
    }
    Ok(())
}
