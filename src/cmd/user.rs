//! `zhanqun user add|list`: accounts from the command line (the first central administrator
//! of a real group is made here; its password is read from standard input).

use std::process::ExitCode;

use anyhow::Context;
use zhanqun::store::audit;
use zhanqun::store::tenant::{Job, Tenant};

use super::open;
use crate::UserCommand;

pub async fn run(cmd: UserCommand) -> anyhow::Result<ExitCode> {
    use zhanqun::auth::{password, Role};
    match cmd {
        UserCommand::Add { site, role, username, name, project } => {
            let project = open(project.paths()).await?;
            let role = Role::parse(&role).context("unknown role")?;
            let site_id = match (&site, role) {
                (Some(_), Role::Central) => anyhow::bail!("central admins belong to no site; drop --site"),
                (None, Role::Central) => None,
                (None, _) => anyhow::bail!("--site CODE is required for role {}", role.as_str()),
                (Some(code), _) => {
                    let rows = project.store.site_rows().await?;
                    Some(rows.get(code.as_str()).map(|r| r.id).with_context(|| {
                        format!(
                            "no site `{code}` in the group; codes are the file names in {}",
                            project.paths.sites.display()
                        )
                    })?)
                }
            };
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("cannot read the password from standard input")?;
            let pw = line.trim_end_matches(['\r', '\n']);
            if let Err(m) = password::check_rules(pw, &username) {
                anyhow::bail!("password refused: {m} (at least 8 characters from three of: lower case, upper case, digits, symbols)");
            }
            let display = name.unwrap_or_else(|| username.clone());
            let new = zhanqun::store::users::NewUser {
                username: &username,
                display_name: &display,
                role,
                site_id,
                password: pw,
                must_change_password: true,
            };
            project.store.create_user(Tenant::system(Job::CommandLine), &new, &audit::operator(), None).await?;
            println!(
                "created {} ({}){}; the password must be changed at first login",
                username,
                role.as_str(),
                site.map(|s| format!(" on site {s}")).unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List { project } => {
            let project = open(project.paths()).await?;
            let codes: std::collections::HashMap<i64, String> =
                project.store.site_rows().await?.into_values().map(|r| (r.id, r.code)).collect();
            for u in project.store.users(Tenant::system(Job::CommandLine)).await? {
                let site = u.site_id.and_then(|id| codes.get(&id)).map(String::as_str).unwrap_or("-");
                println!(
                    "{:<20} {:<11} {:<12} {}{}",
                    u.username,
                    u.role.as_str(),
                    site,
                    u.display_name,
                    if u.active { "" } else { " (disabled)" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
