//! Users, their sessions and the login-failure record behind the lockout.

use super::Cols;

use super::audit::{self, Entry};
use super::tenant::Tenant;
use super::{now_unix, Result, Store, StoreError};
use crate::auth::{self, Role};

/// Idle time after which a session ends.
pub const DEFAULT_IDLE_SECONDS: i64 = 30 * 60;
/// Passwords checked for one account within `LOCKOUT_SECONDS`; past that, the account waits
/// for the window to end, however the guesses arrive (they are counted before checking).
pub const MAX_FAILURES: i64 = 5;
pub const LOCKOUT_SECONDS: i64 = 15 * 60;
/// Failed logins from one address within `LOCKOUT_SECONDS` before it is refused, one attempt
/// coming free as each failure ages out of the window: a limit on the rate of guessing across
/// accounts, high enough that an office behind one NAT address is never stopped by its typos.
pub const MAX_ADDRESS_FAILURES: i64 = 30;
/// A session ends this long after sign-in, however active it stays.
pub const SESSION_LIFETIME_SECONDS: i64 = 12 * 3600;

/// An account as stored. Only this module makes one (the private field): a `User` handed to
/// `set_password` or `update_user` was read through a session or a tenant, never made up.
// `#[non_exhaustive]` would seal it only outside the crate; the web is inside it.
#[allow(clippy::manual_non_exhaustive)]
#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub site_id: Option<i64>,
    pub must_change_password: bool,
    pub active: bool,
    #[serde(skip)]
    _from_db: (),
}

/// A new account as the CLI or the user form hands it over, already authorised.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub site_id: Option<i64>,
    pub password: &'a str,
    pub must_change_password: bool,
}

/// A live session with its user.
/// A live session, as read from its cookie. Only this module makes one (the private field),
/// so `Tenant::of` can trust it came from a signed-in person.
#[allow(clippy::manual_non_exhaustive)]
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub csrf: String,
    pub last_seen: i64,
    _from_cookie: (),
}

const USER_COLUMNS: &str = "id, username, display_name, role, site_id, must_change_password, active";

fn user_from(r: &sqlx::any::AnyRow) -> Result<User> {
    Ok(User {
        id: r.col("id")?,
        username: r.col("username")?,
        display_name: r.col("display_name")?,
        role: Role::parse(&r.col::<String>("role")?).unwrap_or(Role::Editor),
        site_id: r.col("site_id")?,
        must_change_password: r.flag("must_change_password")?,
        active: r.flag("active")?,
        _from_db: (),
    })
}

/// Checks a user name: 3 to 32 letters, digits, `.`, `_` or `-`, starting with a letter.
pub fn check_username(name: &str) -> std::result::Result<(), &'static str> {
    let ok_len = (3..=32).contains(&name.len());
    let ok_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    let ok_start = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    if ok_len && ok_chars && ok_start {
        Ok(())
    } else {
        Err("用户名须为 3–32 位英文字母、数字、点、下划线或连字符，并以字母开头")
    }
}

impl Store {
    /// Creates an account; the caller has checked that the actor may grant `u.role` on `u.site_id`.
    pub async fn create_user(&self, tenant: Tenant, u: &NewUser<'_>, actor: &str, ip: Option<&str>) -> Result<i64> {
        // A site's administrator adds accounts to that site only; central ones only the office.
        match u.site_id {
            Some(site) => tenant.reach(site)?,
            None if tenant.site_id().is_some() => return Err(StoreError::NotFound),
            None => {}
        }
        check_username(u.username).map_err(|m| StoreError::Invalid(m.into()))?;
        if (u.role == Role::Central) != u.site_id.is_none() {
            return Err(StoreError::Invalid("系统管理员不属于任何站点，其他角色必须属于一个站点".into()));
        }
        let now = now_unix();
        let hash = auth::password::hash(u.password);
        let mut tx = self.begin_write().await?;
        let taken = sqlx::query("SELECT 1 FROM users WHERE lower(username) = $1")
            .bind(u.username.to_ascii_lowercase())
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if taken {
            return Err(StoreError::Invalid(format!("用户名 {} 已被使用（用户名不区分大小写）", u.username)));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO users (username, display_name, role, site_id, password_hash, must_change_password, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id",
        )
        .bind(u.username)
        .bind(u.display_name)
        .bind(u.role.as_str())
        .bind(u.site_id)
        .bind(&hash)
        .bind(i64::from(u.must_change_password))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .col("id")?;
        let detail = format!("role {}", u.role.as_str());
        let entry = Entry { actor, ip, site_id: u.site_id, action: "user.create", target: u.username, detail: &detail };
        audit::append(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An account the tenant may manage: one of its sites' users; central administrators (who
    /// belong to no site) only in the central office's tenant.
    pub async fn user_by_id(&self, tenant: Tenant, id: i64) -> Result<Option<User>> {
        let user = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(user_from)
            .transpose()?;
        Ok(user.filter(|u| match u.site_id {
            Some(site) => tenant.covers(site),
            None => tenant.site_id().is_none(),
        }))
    }

    /// The users of the tenant's sites (every account for the central office), central admins first.
    pub async fn users(&self, tenant: Tenant) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE {only} ORDER BY site_id IS NOT NULL, site_id, role, username",
            only = Tenant::filter("site_id", 1)
        ))
        .bind(tenant.param())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(user_from).collect()
    }

    /// Checks a login. Returns the user on success. The attempt is counted against the account
    /// before its password is checked, in one atomic upsert, so parallel guesses cannot verify
    /// more than `MAX_FAILURES` passwords per window; a failure is also counted against the
    /// address. A locked account or a throttled address fails without checking.
    pub async fn login(&self, username: &str, password: &str, ip: &str) -> Result<LoginOutcome> {
        let now = now_unix();
        let window = now - LOCKOUT_SECONDS;
        let ip_key = format!("ip:{ip}");
        let row = sqlx::query("SELECT COUNT(*) AS n, MIN(at) AS first FROM login_failures WHERE key = $1 AND at > $2")
            .bind(&ip_key)
            .bind(window)
            .fetch_one(self.pool())
            .await?;
        let (count, first): (i64, Option<i64>) = (row.col("n")?, row.col("first")?);
        if count >= MAX_ADDRESS_FAILURES {
            self.audit_login("login.throttled", username, ip, None).await?;
            let seconds = (first.unwrap_or(now) + LOCKOUT_SECONDS - now).max(1);
            return Ok(LoginOutcome::Throttled { seconds });
        }
        let account = username.to_ascii_lowercase();
        let row = sqlx::query(
            "INSERT INTO login_attempts (key, window_start, attempts) VALUES ($1, $2, 1)
             ON CONFLICT (key) DO UPDATE SET
                attempts = CASE WHEN login_attempts.window_start <= $3 THEN 1 ELSE login_attempts.attempts + 1 END,
                window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 ELSE login_attempts.window_start END
             RETURNING attempts, window_start",
        )
        .bind(&account)
        .bind(now)
        .bind(window)
        .fetch_one(self.pool())
        .await?;
        let (attempts, started): (i64, i64) = (row.col("attempts")?, row.col("window_start")?);
        if attempts > MAX_FAILURES {
            self.audit_login("login.locked", username, ip, None).await?;
            return Ok(LoginOutcome::Locked { seconds: (started + LOCKOUT_SECONDS - now).max(1) });
        }
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE lower(username) = $1"))
            .bind(&account)
            .fetch_optional(self.pool())
            .await?;
        let (user, hash) = match &row {
            Some(r) => (Some(user_from(r)?), r.col::<String>("password_hash")?),
            None => (None, auth::password::decoy_hash().to_string()),
        };
        // argon2 takes tens of milliseconds: off the async workers.
        let (pw, h) = (password.to_string(), hash);
        let matches = tokio::task::spawn_blocking(move || auth::password::verify(&pw, &h)).await.unwrap_or(false);
        match user {
            Some(u) if matches && u.active => {
                sqlx::query("DELETE FROM login_attempts WHERE key = $1").bind(&account).execute(self.pool()).await?;
                Ok(LoginOutcome::Ok(u))
            }
            Some(u) if matches => {
                self.audit_login("login.disabled", username, ip, u.site_id).await?;
                Ok(LoginOutcome::Disabled)
            }
            other => {
                sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                    .bind(&ip_key)
                    .bind(now)
                    .execute(self.pool())
                    .await?;
                self.audit_login("login.failed", username, ip, other.and_then(|u| u.site_id)).await?;
                Ok(LoginOutcome::Failed)
            }
        }
    }

    async fn audit_login(&self, action: &str, username: &str, ip: &str, site_id: Option<i64>) -> Result<()> {
        let entry = Entry { actor: username, ip: Some(ip), site_id, action, target: username, detail: "" };
        audit::append(self.pool(), &entry).await
    }

    /// Opens a session; returns the cookie token (only its hash is stored) and the CSRF token.
    pub async fn create_session(&self, user: &User, ip: &str) -> Result<(String, String)> {
        let (token, csrf, now) = (auth::token(), auth::token(), now_unix());
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, ip, created_at, last_seen) VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(auth::token_hash(&token))
        .bind(user.id)
        .bind(&csrf)
        .bind(ip)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let entry = Entry {
            actor: &user.username,
            ip: Some(ip),
            site_id: user.site_id,
            action: "login",
            target: &user.username,
            detail: user.role.as_str(),
        };
        audit::append(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok((token, csrf))
    }

    /// The session of a cookie token if it is live: its user is active and it was used within
    /// `idle` seconds. A live session's last use is moved forward (at most once a minute, to
    /// spare the database a write per request).
    pub async fn session(&self, token: &str, idle: i64) -> Result<Option<SessionRecord>> {
        let now = now_unix();
        let hash = auth::token_hash(token);
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.site_id, u.must_change_password, u.active, s.csrf, s.last_seen,
                    s.created_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND u.active = 1",
        )
        .bind(&hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let last_seen: i64 = r.col("last_seen")?;
        let created: i64 = r.col("created_at")?;
        // Idle too long, or signed in too long ago: a stolen cookie does not live for ever.
        if now - last_seen > idle || now - created > SESSION_LIFETIME_SECONDS {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(&hash).execute(self.pool()).await?;
            return Ok(None);
        }
        if now - last_seen >= 60 {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(self.pool())
                .await?;
        }
        Ok(Some(SessionRecord { user: user_from(&r)?, csrf: r.col("csrf")?, last_seen, _from_cookie: () }))
    }

    pub async fn end_session(&self, token: &str, user: &User, ip: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(auth::token_hash(token))
            .execute(&mut *tx)
            .await?;
        let entry = Entry {
            actor: &user.username,
            ip: Some(ip),
            site_id: user.site_id,
            action: "logout",
            target: &user.username,
            detail: "",
        };
        audit::append(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password and ends the user's sessions. `own` is the cookie token of the user
    /// changing their own password (that session stays; the forced change is cleared); None is
    /// an administrator's reset, which ends every session and forces a change at next login.
    /// Either way a session opened with the old password elsewhere ends now.
    pub async fn set_password(
        &self,
        user: &User,
        password: &str,
        own: Option<&str>,
        actor: &str,
        ip: &str,
    ) -> Result<()> {
        let pw = password.to_string();
        let hash = tokio::task::spawn_blocking(move || auth::password::hash(&pw))
            .await
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3 WHERE id = $4")
            .bind(&hash)
            .bind(i64::from(own.is_none()))
            .bind(now_unix())
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user.id)
            .bind(own.map(auth::token_hash).unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        let action = if own.is_some() { "password.change" } else { "password.reset" };
        let entry = Entry { actor, ip: Some(ip), site_id: user.site_id, action, target: &user.username, detail: "" };
        audit::append(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes a user's role or enables/disables them. Disabling, or any role change, ends
    /// their sessions at once so that the new rights apply to the next request.
    pub async fn update_user(
        &self,
        user: &User,
        role: Role,
        display_name: &str,
        active: bool,
        actor: &str,
        ip: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET role = $1, display_name = $2, active = $3, updated_at = $4 WHERE id = $5")
            .bind(role.as_str())
            .bind(display_name)
            .bind(i64::from(active))
            .bind(now_unix())
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        if !active || role != user.role {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?;
        }
        let mut changes = Vec::new();
        if role != user.role {
            changes.push(format!("role {} → {}", user.role.as_str(), role.as_str()));
        }
        if active != user.active {
            changes.push(if active { "enabled".to_string() } else { "disabled".to_string() });
        }
        if display_name != user.display_name {
            changes.push(format!("name → {display_name}"));
        }
        let detail = changes.join("; ");
        let entry = Entry {
            actor,
            ip: Some(ip),
            site_id: user.site_id,
            action: "user.update",
            target: &user.username,
            detail: &detail,
        };
        audit::append(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets failures older than the lockout window and sessions idle for longer than `idle`.
    pub async fn expire_auth_records(&self, idle: i64) -> Result<()> {
        let now = now_unix();
        sqlx::query("DELETE FROM login_failures WHERE at <= $1")
            .bind(now - LOCKOUT_SECONDS)
            .execute(self.pool())
            .await?;
        sqlx::query("DELETE FROM login_attempts WHERE window_start <= $1")
            .bind(now - LOCKOUT_SECONDS)
            .execute(self.pool())
            .await?;
        sqlx::query("DELETE FROM sessions WHERE created_at < $1")
            .bind(now - SESSION_LIFETIME_SECONDS)
            .execute(self.pool())
            .await?;
        sqlx::query("DELETE FROM sessions WHERE last_seen < $1").bind(now - idle).execute(self.pool()).await?;
        Ok(())
    }

    pub async fn user_count(&self) -> Result<i64> {
        sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(self.pool()).await?.col("n")
    }
}

#[derive(Debug)]
pub enum LoginOutcome {
    Ok(User),
    Failed,
    Disabled,
    /// The account had its guesses for this window.
    Locked {
        seconds: i64,
    },
    /// The address failed too often lately.
    Throttled {
        seconds: i64,
    },
}
