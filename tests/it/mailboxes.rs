//! The official mailbox registry (统一公务邮箱): applied for by a site, issued, changed and
//! cancelled by the central office with history; the contact page follows it, and a cancelled
//! address still on a page is an audit finding.

use zhanqun::audit;

use crate::admin_fixture::{self as fx, signed_in, OWN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registry_drives_the_contact_page_and_the_audit() {
    for (label, env) in fx::envs(1800).await {
        let sa = signed_in(&env, "sa1").await;
        let central = signed_in(&env, "cadmin").await;
        let group = env.project.group();
        let site = group.site(OWN).unwrap();
        let contact = env.project.paths.out.join(&site.host).join("lxwm/index.html");
        let page = std::fs::read_to_string(&contact).unwrap();
        assert!(page.contains("联系我们") && page.contains(&site.def.contact.email), "{label}: built with the site");

        // Bad input is refused field by field and keeps what was typed.
        let (s, page) =
            sa.post("/admin/mailboxes", &[("local", "Zhang San!"), ("purpose", ""), ("listed", "on")]).await;
        assert_eq!(s, 400, "{label}");
        assert!(page.contains("邮箱名只能用") && page.contains("请填写用途") && page.contains("Zhang San!"), "{label}");
        let (s, page) = sa.post("/admin/mailboxes", &[("local", "x@qq.com"), ("purpose", "办公室")]).await;
        assert_eq!(s, 400, "{label}: another domain: {page}");

        let (s, loc) = sa
            .post(
                "/admin/mailboxes",
                &[("local", "li.xinxi"), ("holder", "李信息"), ("purpose", "信息公开"), ("listed", "on")],
            )
            .await;
        assert_eq!(s, 303, "{label}: {loc}");
        let id: i64 = loc.trim_start_matches("/admin/mailboxes/").split('?').next().unwrap().parse().unwrap();
        let address = format!("li.xinxi@{}", env.project.group().def.mail_domain);
        let (s, page) = sa.post("/admin/mailboxes", &[("local", "LI.XINXI"), ("purpose", "重复")]).await;
        assert_eq!(s, 400, "{label}");
        assert!(page.contains("已在登记簿中"), "{label}: one live record per address");

        // Only the central office issues; another site cannot even see the record.
        let (s, _) = sa.post(&format!("/admin/mailboxes/{id}/issue"), &[]).await;
        assert_eq!(s, 403, "{label}");
        let (s, _) = signed_in(&env, "xsa").await.get(&format!("/admin/mailboxes/{id}")).await;
        assert_eq!(s, 404, "{label}");
        assert!(!std::fs::read_to_string(&contact).unwrap().contains(&address), "{label}: not before it is issued");
        let (s, _) = central.post(&format!("/admin/mailboxes/{id}/issue"), &[]).await;
        assert_eq!(s, 303, "{label}");
        let page = std::fs::read_to_string(&contact).unwrap();
        assert!(page.contains(&address) && page.contains("李信息（信息公开）"), "{label}: listed once issued");
        let (s, _) = central.post(&format!("/admin/mailboxes/{id}/issue"), &[]).await;
        assert_eq!(s, 409, "{label}: issued twice");

        // A page that still shows the address after it is cancelled is a finding.
        let column = env.project.paths.out.join(&site.host).join("gzdt/index.html");
        let html = std::fs::read_to_string(&column).unwrap();
        std::fs::write(&column, html.replacen("</main>", &format!("<p>联系：{address}</p></main>"), 1)).unwrap();
        let now = zhanqun::content::now_local();
        let rules = |r: &audit::AuditReport| -> Vec<String> {
            r.sites[0]
                .findings
                .iter()
                .filter(|f| f.rule.starts_with("unify.mailbox"))
                .map(|f| f.found.clone())
                .collect()
        };
        let r = audit::run(&env.project, Some(OWN), &now, zhanqun::store::now_unix()).await.unwrap();
        assert_eq!(rules(&r), Vec::<String>::new(), "{label}: an issued address is fine");
        let (s, body) = central.post(&format!("/admin/mailboxes/{id}/cancel"), &[("reason", "")]).await;
        assert_eq!(s, 409, "{label}: a reason is required: {body}");
        let (s, _) = central.post(&format!("/admin/mailboxes/{id}/cancel"), &[("reason", "人员调离")]).await;
        assert_eq!(s, 303, "{label}");
        assert!(!std::fs::read_to_string(&contact).unwrap().contains(&address), "{label}: off the contact page");
        let r = audit::run(&env.project, Some(OWN), &now, zhanqun::store::now_unix()).await.unwrap();
        assert_eq!(rules(&r), [format!("公布的邮箱 {address} 已在统一公务邮箱登记簿中注销")], "{label}");
        let (s, _) =
            central.post(&format!("/admin/mailboxes/{id}/change"), &[("local", "li2"), ("purpose", "x")]).await;
        assert_eq!(s, 409, "{label}: a cancelled mailbox does not change");

        // The history, and the audit log.
        let (s, page) = sa.get(&format!("/admin/mailboxes/{id}")).await;
        assert_eq!(s, 200, "{label}");
        for step in ["申请", "开通", "注销", "人员调离", "已注销"] {
            assert!(page.contains(step), "{label}: {step}");
        }
        let log = env.project.store.audit_tail(crate::common::whole_group(), 50).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).filter(|a| a.starts_with("mailbox.")).collect();
        assert_eq!(actions.len(), 3, "{label}: {actions:?}");

        // The address may be applied for again once cancelled; a change is recorded old → new.
        let (s, loc) = sa.post("/admin/mailboxes", &[("local", "li.xinxi"), ("purpose", "信息公开")]).await;
        assert_eq!(s, 303, "{label}: {loc}");
        let again: i64 = loc.trim_start_matches("/admin/mailboxes/").split('?').next().unwrap().parse().unwrap();
        let (s, _) = central
            .post(&format!("/admin/mailboxes/{again}/change"), &[("local", "xinxi.gk"), ("purpose", "信息公开")])
            .await;
        assert_eq!(s, 303, "{label}");
        let (_, page) = central.get(&format!("/admin/mailboxes/{again}")).await;
        assert!(page.contains("li.xinxi@") && page.contains("→ xinxi.gk@"), "{label}");
        let (_, list) = sa.get("/admin/mailboxes").await;
        assert!(list.contains("xinxi.gk@") && list.contains("申请中"), "{label}");
    }
}
