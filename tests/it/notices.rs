//! Notices of new vetoes (通报): in the admin for the site concerned, and by mail through SMTP
//! (here a local sink that speaks just enough SMTP), queued so that a relay that is down
//! delays a mail but loses none.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use zhanqun::audit;
use zhanqun::mail::{send_due, Mailer, SmtpSettings};

use crate::admin_fixture::{self as fx, signed_in, FOREIGN, OWN};

/// A local SMTP sink: every message as (recipients, data).
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<(Vec<String>, String)>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let sink = sink.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let (mut rcpt, mut data, mut in_data) = (Vec::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            sink.lock().unwrap().push((std::mem::take(&mut rcpt), std::mem::take(&mut data)));
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                        b"250 ok\r\n"
                    } else if upper == "DATA" {
                        in_data = true;
                        b"354 go on\r\n"
                    } else if upper == "QUIT" {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_vetoes_are_announced_in_the_admin_and_by_mail() {
    for (label, env) in fx::envs(1800).await {
        let (port, got) = smtp_sink().await;
        let settings = SmtpSettings {
            url: format!("smtp://127.0.0.1:{port}"),
            from: "站群监督检查 <zqjc@shili.gov.cn>".into(),
            admin_url: "https://admin.example.cn/".into(),
        };
        let mut project = env.project.clone();
        project.smtp = Some(Arc::new(settings.clone()));
        let now = zhanqun::content::now_local();
        let unix = zhanqun::store::now_unix();
        let report = audit::run(&project, None, &now, unix).await.unwrap();
        let saved = audit::save(&project, &report, "cli", unix).await.unwrap();
        let vetoed: std::collections::BTreeSet<&str> = saved.new_vetoes.iter().map(|v| v.0.as_str()).collect();
        assert!(vetoed.contains(OWN) && vetoed.contains(FOREIGN), "{label}: {vetoed:?}");

        // The relay is down: the mail waits, is not lost, and is tried again later.
        let down = Mailer::new(&SmtpSettings { url: "smtp://127.0.0.1:9".into(), ..settings.clone() }).unwrap();
        while !project.store.due_mail(zhanqun::store::now_unix(), 1).await.unwrap().is_empty() {
            assert_eq!(send_due(&project.store, &down).await.unwrap(), 0, "{label}");
        }
        let (waiting, failed) = project.store.mail_backlog().await.unwrap();
        assert_eq!((waiting, failed), (vetoed.len() as i64, vetoed.len() as i64), "{label}");
        assert!(project.store.due_mail(unix + 5, 500).await.unwrap().is_empty(), "{label}: backing off");
        let later = project.store.due_mail(unix + 3600, 500).await.unwrap();
        assert_eq!(later.len(), vetoed.len(), "{label}");

        // The relay is back (the next attempt is due): every mail goes, once.
        sqlx::query("UPDATE mail_outbox SET next_at = 0").execute(project.store.pool()).await.unwrap();
        let up = Mailer::new(&settings).unwrap();
        let mut sent = 0;
        loop {
            let n = send_due(&project.store, &up).await.unwrap();
            if n == 0 {
                break;
            }
            sent += n;
        }
        assert_eq!(sent, vetoed.len(), "{label}: every mail, once");
        let own_mail = project.group().site(OWN).unwrap().def.contact.email.clone();
        {
            let got = got.lock().unwrap();
            assert_eq!(got.len(), vetoed.len(), "{label}");
            let (_, data) = got
                .iter()
                .find(|(to, _)| to.as_slice() == std::slice::from_ref(&own_mail))
                .expect("a mail to the own site");
            assert!(data.contains("Subject:") && data.contains("zqjc@shili.gov.cn"), "{label}: {data}");
        }

        // In the admin: each site's administrator sees their own notice only.
        let sa = signed_in(&env, "sa1").await;
        let (s, page) = sa.get("/admin/notices").await;
        assert_eq!(s, 200, "{label}");
        let group = project.group();
        let own_name = &group.site(OWN).unwrap().def.name;
        let foreign_name = &group.site(FOREIGN).unwrap().def.name;
        assert!(page.contains(&format!("【监督检查通报】{own_name}新增")), "{label}");
        assert!(!page.contains(foreign_name.as_str()) && page.contains("1 条未读"), "{label}");
        let all = project.store.notices(crate::common::whole_group(), 500).await.unwrap();
        let own_id = all.iter().find(|n| n.site_id == env.sites[OWN]).unwrap().id;
        let foreign_id = all.iter().find(|n| n.site_id == env.sites[FOREIGN]).unwrap().id;
        let (s, _) = sa.post(&format!("/admin/notices/{foreign_id}/read"), &[]).await;
        assert_eq!(s, 404, "{label}: another site's notice");
        let (s, _) = sa.post(&format!("/admin/notices/{own_id}/read"), &[]).await;
        assert_eq!(s, 303, "{label}");
        let (_, page) = sa.get("/admin/notices").await;
        assert!(page.contains("0 条未读") && page.contains("已于"), "{label}");
        let central = signed_in(&env, "cadmin").await;
        let (_, page) = central.get("/admin/notices").await;
        assert!(page.contains(own_name.as_str()) && page.contains(foreign_name.as_str()), "{label}");
        let (s, _) = signed_in(&env, "ed1").await.get("/admin/notices").await;
        assert_eq!(s, 403, "{label}: editors do not read notices");

        // The same vetoes again announce nothing.
        let again = audit::save(&project, &report, "cli", unix + 60).await.unwrap();
        assert!(again.new_vetoes.is_empty(), "{label}");
        assert_eq!(project.store.notices(crate::common::whole_group(), 500).await.unwrap().len(), all.len());
    }
}
