//! The registry of official mailboxes (统一公务邮箱): a unit or a staff member applies, the
//! central office issues, changes and cancels, and every step is kept as history and in the
//! audit log. Issued mailboxes marked for listing appear on the site's contact page, so every
//! step that changes that list queues a publish of the site.

use std::collections::HashMap;

use sqlx::{Any, Transaction};

use super::Cols;

use super::audit::{append, Entry};
use super::tenant::Tenant;
use super::workflow::add_job;
use super::{now_unix, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OfficialMailbox {
    pub id: i64,
    pub site_id: i64,
    pub address: String,
    /// The staff member's name; `None` for the unit's own mailbox.
    pub holder: Option<String>,
    pub purpose: String,
    /// `applied`, `issued` or `cancelled`.
    pub status: String,
    /// Listed on the contact page while issued.
    pub listed: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MailboxEvent {
    pub action: String,
    pub actor: String,
    pub at: i64,
    pub detail: String,
}

/// What an application or a change sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxFields {
    pub address: String,
    pub holder: Option<String>,
    pub purpose: String,
    pub listed: bool,
}

/// Who acts, for the history and the audit log.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub name: &'a str,
    pub ip: Option<&'a str>,
    /// The signed-in user, when a person of the group acts (not a citizen, not the system):
    /// what separation of duties checks.
    pub user_id: Option<i64>,
}

const COLUMNS: &str = "id, site_id, address, holder, purpose, status, listed, created_at, updated_at";

fn row(r: &sqlx::any::AnyRow) -> Result<OfficialMailbox> {
    Ok(OfficialMailbox {
        id: r.col("id")?,
        site_id: r.col("site_id")?,
        address: r.col("address")?,
        holder: r.col("holder")?,
        purpose: r.col("purpose")?,
        status: r.col("status")?,
        listed: r.flag("listed")?,
        created_at: r.col("created_at")?,
        updated_at: r.col("updated_at")?,
    })
}

fn describe(f: &MailboxFields) -> String {
    format!(
        "{}（{}，{}{}）",
        f.address,
        f.holder.as_deref().unwrap_or("单位邮箱"),
        f.purpose,
        if f.listed { "，在联系我们页公开" } else { "" }
    )
}

impl Store {
    /// The registry in `scope`, by site then address.
    pub async fn mailboxes(&self, scope: Tenant) -> Result<Vec<OfficialMailbox>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM official_mailboxes WHERE {only}
             ORDER BY site_id, CASE status WHEN 'applied' THEN 0 WHEN 'issued' THEN 1 ELSE 2 END, address, id",
            only = Tenant::filter("site_id", 1)
        ))
        .bind(scope.param())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(row)
        .collect()
    }

    /// One record with its history, oldest step first; outside `scope` it is `NotFound`.
    pub async fn mailbox(&self, scope: Tenant, id: i64) -> Result<(OfficialMailbox, Vec<MailboxEvent>)> {
        let b = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM official_mailboxes WHERE id = $1 AND {only}",
            only = Tenant::filter("site_id", 2)
        ))
        .bind(id)
        .bind(scope.param())
        .fetch_optional(self.pool())
        .await?
        .map(|r| row(&r))
        .transpose()?
        .ok_or(StoreError::NotFound)?;
        let events = sqlx::query(
            "SELECT action, actor, at, detail FROM official_mailbox_events WHERE mailbox_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(MailboxEvent {
                action: r.col("action")?,
                actor: r.col("actor")?,
                at: r.col("at")?,
                detail: r.col("detail")?,
            })
        })
        .collect::<Result<_>>()?;
        Ok((b, events))
    }

    /// A new application for `site_id`; the address must not be live in the registry.
    pub async fn apply_mailbox(&self, scope: Tenant, site_id: i64, f: &MailboxFields, by: Actor<'_>) -> Result<i64> {
        if !scope.covers(site_id) {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.begin_write().await?;
        refuse_taken(&mut tx, &f.address, None).await?;
        let now = now_unix();
        let id: i64 = sqlx::query(
            "INSERT INTO official_mailboxes (site_id, address, holder, purpose, status, listed, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'applied', $5, $6, $6) RETURNING id",
        )
        .bind(site_id)
        .bind(&f.address)
        .bind(&f.holder)
        .bind(&f.purpose)
        .bind(i64::from(f.listed))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .col("id")?;
        step(&mut tx, id, site_id, "apply", &format!("申请 {}", describe(f)), by).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Issues an applied mailbox (central office).
    pub async fn issue_mailbox(&self, tenant: Tenant, id: i64, by: Actor<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let b = locked(&mut tx, id).await?;
        tenant.reach(b.site_id)?;
        if b.status != "applied" {
            return Err(StoreError::Conflict(format!(
                "该邮箱当前状态为“{}”，只有申请中的邮箱可以开通",
                label(&b.status)
            )));
        }
        set_status(&mut tx, id, "issued").await?;
        step(&mut tx, id, b.site_id, "issue", &format!("开通 {}", b.address), by).await?;
        if b.listed {
            add_job(&mut tx, b.site_id, None, None, None, now_unix()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Changes the address, holder, purpose or listing of a live mailbox (central office).
    pub async fn change_mailbox(&self, tenant: Tenant, id: i64, f: &MailboxFields, by: Actor<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let b = locked(&mut tx, id).await?;
        tenant.reach(b.site_id)?;
        if b.status == "cancelled" {
            return Err(StoreError::Conflict("该邮箱已注销，不能变更；如需使用请重新申请".into()));
        }
        let before = MailboxFields {
            address: b.address.clone(),
            holder: b.holder.clone(),
            purpose: b.purpose.clone(),
            listed: b.listed,
        };
        if &before == f {
            return Err(StoreError::Conflict("没有任何变更".into()));
        }
        refuse_taken(&mut tx, &f.address, Some(id)).await?;
        sqlx::query(
            "UPDATE official_mailboxes SET address = $1, holder = $2, purpose = $3, listed = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(&f.address)
        .bind(&f.holder)
        .bind(&f.purpose)
        .bind(i64::from(f.listed))
        .bind(now_unix())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        step(&mut tx, id, b.site_id, "change", &format!("{} → {}", describe(&before), describe(f)), by).await?;
        if b.status == "issued" && (b.listed || f.listed) {
            add_job(&mut tx, b.site_id, None, None, None, now_unix()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Cancels a mailbox (central office): an application refused, or an issued mailbox closed.
    pub async fn cancel_mailbox(&self, tenant: Tenant, id: i64, reason: &str, by: Actor<'_>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let b = locked(&mut tx, id).await?;
        tenant.reach(b.site_id)?;
        if b.status == "cancelled" {
            return Err(StoreError::Conflict("该邮箱已注销".into()));
        }
        set_status(&mut tx, id, "cancelled").await?;
        step(&mut tx, id, b.site_id, "cancel", &format!("注销 {}：{reason}", b.address), by).await?;
        if b.status == "issued" && b.listed {
            add_job(&mut tx, b.site_id, None, None, None, now_unix()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// (holder or purpose, address) of a site's issued mailboxes listed on its contact page.
    pub async fn listed_mailboxes(&self, site_id: i64) -> Result<Vec<(String, String)>> {
        sqlx::query(
            "SELECT COALESCE(holder, purpose) AS who, address, purpose FROM official_mailboxes
             WHERE site_id = $1 AND status = 'issued' AND listed <> 0 ORDER BY holder IS NOT NULL, address",
        )
        .bind(site_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let (who, purpose): (String, String) = (r.col("who")?, r.col("purpose")?);
            let label = if who == purpose { purpose } else { format!("{who}（{purpose}）") };
            Ok((label, r.col("address")?))
        })
        .collect()
    }

    /// Addresses cancelled in the registry and not live again, lower-cased, with the site that
    /// held them: one of these still published is an audit finding.
    pub async fn cancelled_mailboxes(&self, tenant: Tenant) -> Result<HashMap<String, i64>> {
        sqlx::query(&format!(
            "SELECT c.address, c.site_id FROM official_mailboxes c WHERE c.status = 'cancelled' AND {only}
             AND NOT EXISTS (SELECT 1 FROM official_mailboxes l WHERE l.address = c.address AND l.status <> 'cancelled')",
            only = Tenant::filter("c.site_id", 1)
        ))
        .bind(tenant.param())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.col::<String>("address")?.to_lowercase(), r.col("site_id")?)))
        .collect()
    }
}

pub fn label(status: &str) -> &'static str {
    match status {
        "applied" => "申请中",
        "issued" => "已开通",
        "cancelled" => "已注销",
        _ => "未知",
    }
}

/// The mailbox, its row locked until the transaction ends (see `editorial::article_site` for
/// why a no-op UPDATE): two administrators acting on it at once run one after the other.
async fn locked(tx: &mut Transaction<'_, Any>, id: i64) -> Result<OfficialMailbox> {
    sqlx::query("UPDATE official_mailboxes SET updated_at = updated_at WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(&format!("SELECT {COLUMNS} FROM official_mailboxes WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| row(&r))
        .transpose()?
        .ok_or(StoreError::NotFound)
}

async fn refuse_taken(tx: &mut Transaction<'_, Any>, address: &str, except: Option<i64>) -> Result<()> {
    let taken: Option<i64> = sqlx::query(
        "SELECT id FROM official_mailboxes WHERE LOWER(address) = LOWER($1) AND status <> 'cancelled' AND id <> $2",
    )
    .bind(address)
    .bind(except.unwrap_or(0))
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| r.col("id"))
    .transpose()?;
    match taken {
        Some(_) => Err(StoreError::Conflict(format!("邮箱 {address} 已在登记簿中（申请中或已开通），不能重复登记"))),
        None => Ok(()),
    }
}

async fn set_status(tx: &mut Transaction<'_, Any>, id: i64, status: &str) -> Result<()> {
    sqlx::query("UPDATE official_mailboxes SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(now_unix())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn step(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    site_id: i64,
    action: &str,
    detail: &str,
    by: Actor<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO official_mailbox_events (mailbox_id, action, actor, at, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(action)
    .bind(by.name)
    .bind(now_unix())
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    let target = format!("mailbox:{id}");
    append(
        &mut **tx,
        &Entry {
            actor: by.name,
            ip: by.ip,
            site_id: Some(site_id),
            action: &format!("mailbox.{action}"),
            target: &target,
            detail,
        },
    )
    .await
}
