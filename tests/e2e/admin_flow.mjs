// The admin in a real browser: an editor writes and submits an article with an attachment,
// a reviewer approves it, the page is read from the static site through nginx and found by
// the shared search there; once withdrawn, the search no longer finds it. A reader's view is
// counted and shows in the central office's statistics.
// Run by tests/it/e2e.rs, which starts `zhanqun serve` and nginx and passes:
//   ADMIN (http://127.0.0.1:<port>), NGINX_PORT, SHOTS (folder), ATTACHMENT (a PDF path).
import { launch, login as signIn, shooter } from "./common.mjs";
import assert from "node:assert/strict";

const { ADMIN, NGINX_PORT, SHOTS, ATTACHMENT } = process.env;
const title = "关于开展2026年网络舆情应对培训的通知";

const browser = await launch();
const shot = shooter(SHOTS);
const login = (username) => signIn(browser, ADMIN, username);

try {
  // --- The editor writes, attaches a file and submits. ---------------------------
  const editor = await login("editor");
  await shot(editor, "01-editor-dashboard");
  await editor.getByRole("link", { name: "写稿件" }).first().click();
  await editor.locator("#f-title").fill(title);
  await editor.locator("#f-column").selectOption("tzgg");
  // The body is written in the rich editor (editor.js); editor_flow.mjs tries it harder.
  const body = editor.locator(".jodit-wysiwyg");
  await body.click();
  await body.pressSequentially("各有关单位：为提高网络舆情应对能力，现将有关事项通知如下。");
  await editor.keyboard.press("Enter");
  await body.pressSequentially("请各单位于11月30日前报名。");
  await editor.locator("#f-doc_number").fill("示发改办〔2026〕12号");
  await editor.locator("#f-issuer").fill("示例市发展和改革委员会");
  // The first autosave creates the draft and moves the page to its own address.
  await editor.waitForURL(/\/admin\/articles\/\d+$/, { timeout: 15000 });
  await editor.waitForLoadState("load");
  assert.equal(await editor.locator("#f-title").inputValue(), title, "autosave kept the title");
  const preview = editor.frameLocator("#preview");
  await preview.getByText(title).first().waitFor({ timeout: 10000 });
  await editor.locator("#u-file").setInputFiles(ATTACHMENT);
  await editor.locator("#upload-form").getByRole("button", { name: "上传", exact: true }).click();
  await editor.getByRole("link", { name: "培训日程.pdf" }).waitFor({ timeout: 10000 });
  await shot(editor, "02-editor-draft-with-attachment");
  await editor.getByRole("button", { name: "提交审核" }).click();
  await editor.getByText("已提交审核").waitFor();
  await shot(editor, "03-editor-submitted");
  const articleUrl = editor.url().split("?")[0];

  // --- The reviewer approves. -------------------------------------------------------
  const reviewer = await login("reviewer");
  await reviewer.getByRole("link", { name: "待我审核" }).click();
  await reviewer.getByRole("link", { name: title }).click();
  await reviewer.frameLocator("#preview").getByText(title).first().waitFor();
  await shot(reviewer, "04-reviewer-review");
  assert.equal(reviewer.url().split("?")[0], articleUrl);
  await reviewer.getByLabel(/已进行保密审查/).check();
  await reviewer.getByRole("button", { name: "审核通过并发布" }).click();
  await reviewer.getByText("已审核通过并发布到网站").waitFor();
  await shot(reviewer, "05-reviewer-published");
  const live = await reviewer.getByRole("link", { name: "查看线上页面" }).getAttribute("href");
  assert.match(live, /^https:\/\/fgw\.shili\.gov\.cn\//, "查看线上页面 is the public address");
  const path = new URL(live).pathname;

  // --- A citizen reads it on the static site, through nginx. -----------------------
  const citizen = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const response = await citizen.goto(`http://fgw.shili.gov.cn:${NGINX_PORT}${path}`);
  assert.equal(response.status(), 200, "nginx serves the approved page");
  await citizen.getByRole("heading", { name: title }).waitFor();
  const attachment = citizen.getByRole("link", { name: /培训日程/ });
  const href = await attachment.getAttribute("href");
  // Fetched by the page itself, so that it goes through the browser's host mapping to nginx.
  const [status, magic] = await citizen.evaluate(async (url) => {
    const r = await fetch(url);
    const bytes = new Uint8Array(await r.arrayBuffer());
    return [r.status, String.fromCharCode(...bytes.slice(0, 5))];
  }, href);
  assert.equal(status, 200, "the attachment is published");
  assert.equal(magic, "%PDF-", "it is the uploaded PDF");
  await shot(citizen, "06-citizen-static-page");
  const home = await citizen.goto(`http://fgw.shili.gov.cn:${NGINX_PORT}/`);
  assert.equal(home.status(), 200);
  await citizen.getByRole("link", { name: title }).first().waitFor();

  // --- The citizen searches through nginx: the subsite's box searches the subsite. -------
  const box = citizen.locator('form[data-zq-locked="search"] input[name="q"]');
  await box.fill("网络舆情 培训");
  await box.press("Enter");
  await citizen.waitForURL(/\/search\?/);
  assert.match(citizen.url(), /site=fgw/, "a subsite searches itself by default");
  const hit = citizen.locator(".zq-hit h2 a", { hasText: "网络舆情应对培训" }).first();
  await hit.waitFor();
  assert.ok((await citizen.locator(".zq-hit mark").count()) > 0, "matches are highlighted");
  await shot(citizen, "07-citizen-search-subsite");
  // One click widens it to the whole group.
  await citizen.getByRole("link", { name: "在全站群中检索" }).click();
  await citizen.waitForURL(/site=all/);
  await hit.waitFor();
  await shot(citizen, "08-citizen-search-group");
  await hit.click();
  await citizen.getByRole("heading", { name: title }).waitFor();

  // The portal searches the whole group; a 文号 typed with other brackets finds its document.
  await citizen.goto(`http://www.shili.gov.cn:${NGINX_PORT}/`);
  await box.fill("示发改办[2026]12号");
  await box.press("Enter");
  await citizen.waitForURL(/\/search\?/);
  assert.match(citizen.url(), /site=all/, "the portal searches the whole group");
  const first = citizen.locator(".zq-hit").first();
  assert.match(await first.locator("h2").innerText(), /网络舆情应对培训/, "the 文号 finds its document first");
  assert.match(await first.locator("h2 a").getAttribute("href"), /^https:\/\/fgw\.shili\.gov\.cn\//, "links to its own site");
  await shot(citizen, "09-portal-search-doc-number");

  // --- The reviewer withdraws it: the search forgets it at once. ---------------------
  await reviewer.goto(articleUrl);
  reviewer.once("dialog", (d) => d.accept());
  await reviewer.locator("#withdraw-reason").fill("测试撤稿");
  await reviewer.getByRole("button", { name: "撤稿" }).click();
  await reviewer.getByText("已撤稿，页面已从网站移除").waitFor();
  const again = await citizen.goto(
    `http://fgw.shili.gov.cn:${NGINX_PORT}/search?q=${encodeURIComponent("网络舆情应对培训")}&site=all`,
  );
  assert.equal(again.status(), 200);
  assert.equal(await citizen.locator(".zq-hit h2 a", { hasText: "网络舆情应对培训" }).count(), 0, "withdrawn: not found");
  await shot(citizen, "10-search-after-withdrawal");
  // --- A reader's browser reports one view of one page to the counter, through nginx. ---
  // (Headless Chromium announces itself as a bot; a reader's browser does not.)
  const reader = await (
    await browser.newContext({
      userAgent:
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
    })
  ).newPage();
  const beacon = reader.waitForRequest((r) => r.url().endsWith("/hit") && r.method() === "POST");
  await reader.goto(`http://fgw.shili.gov.cn:${NGINX_PORT}/bszn/`);
  const sent = await beacon;
  assert.match(sent.postData() ?? "", /"p":"\/bszn\/"/, "the beacon reports the page");
  const answer = await sent.response();
  assert.equal(answer?.status(), 204, "nginx passes the hit to the counter");
  // The footer's 访问量 is filled in from /api/counter/fgw through nginx.
  await reader.waitForFunction(() => /^[\d,]+$/.test(document.querySelector("[data-zq-total]")?.textContent ?? ""));

  // --- The central office reads the statistics: the site's report, the ranking, the console. ---
  await new Promise((r) => setTimeout(r, 1500)); // the counter writes once a second
  const central = await login("admin");
  await central.getByRole("link", { name: "访问统计" }).click();
  await central.waitForURL(/\/admin\/stats/);
  assert.equal(await central.locator("svg.chart").count() >= 2, true, "trend and ranking charts are drawn");
  await shot(central, "11-stats-group");
  // Today only: the demo group's statistics of the last 30 days end yesterday.
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  await central.goto(`${ADMIN}/admin/stats/fgw?from=${today}&to=${today}&granularity=hour`);
  await central.locator("table.list code.path", { hasText: "/bszn/" }).waitFor();
  assert.equal(await central.locator("svg.chart polyline.line").count(), 1, "views by hour");
  await shot(central, "12-stats-site-today");
  await central.goto(`${ADMIN}/admin/stats/fgw`);
  assert.equal(await central.locator("svg.chart polyline.line").count(), 2, "views and visitors lines");
  await shot(central, "12-stats-site");
  const csv = await central.request.get(`${ADMIN}/admin/stats/fgw/export.csv?from=${today}&to=${today}&table=pages`);
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /"\/bszn\/",".*","1"/, "the export lists the page read today");
  await central.goto(`${ADMIN}/admin/sites`);
  await shot(central, "13-console-with-traffic");

  // --- The central audit: a run started from the admin, the group, one site's evidence. ---
  await central.getByRole("link", { name: "监督检查" }).click();
  await central.getByRole("button", { name: "立即检查" }).click();
  await central.waitForURL(/started=1/);
  for (let i = 0; i < 120 && (await central.locator("table.list tbody tr").count()) === 0; i++) {
    await central.waitForTimeout(500);
    await central.goto(`${ADMIN}/admin/inspection`);
  }
  assert.ok((await central.locator("table.list tbody tr").count()) > 100, "every site is listed");
  await shot(central, "14-inspection-group");
  await central.goto(`${ADMIN}/admin/inspection/fgw`);
  await central.locator("h2", { hasText: "发现的问题" }).waitFor();
  await shot(central, "15-inspection-site");

  // --- The demo's deliberate flaws are found: a leader's name written wrong vetoes gxj. ---
  await central.goto(`${ADMIN}/admin/inspection/gxj`);
  await central.getByText("领导姓名疑似写错：“李明化”，应为“李明华”").first().waitFor();
  await central.goto(`${ADMIN}/admin/inspection/gjj`);
  await central.getByText("已在统一公务邮箱登记簿中注销").first().waitFor();

  // --- The printable monthly report: on screen, and as the PDF the print dialog makes. ---
  await central.goto(`${ADMIN}/admin/inspection`);
  await central.getByRole("link", { name: "本月检查通报（可打印）" }).click();
  await central.getByRole("heading", { name: "四、网站排名" }).waitFor();
  assert.ok((await central.locator("table tbody tr").count()) > 100, "every site is ranked");
  await shot(central, "16-report-group");
  await central.emulateMedia({ media: "print" });
  await shot(central, "16-report-group-print");
  await central.pdf({ path: `${SHOTS}/16-report-group.pdf`, format: "A4" });
  await central.emulateMedia({ media: "screen" });
  await central.goto(`${ADMIN}/admin/reports/inspection/gjj`);
  await central.getByText("页面仍公布已注销的公务邮箱").first().waitFor();
  await shot(central, "17-report-site");

  // --- Notices (通报) of the new vetoes. -------------------------------------------------
  await central.goto(`${ADMIN}/admin`);
  await central.getByRole("link", { name: "通报" }).click();
  await central.getByText("【监督检查通报】示例市工业和信息化局新增").first().waitFor();
  await shot(central, "18-notices");

  // --- The official mailbox registry: apply, issue, and the contact page follows. -------
  await central.getByRole("link", { name: "公务邮箱" }).click();
  await central.locator("#site").selectOption("fgw");
  await central.locator("#local").fill("xxgk.fgw");
  await central.locator("#holder").fill("赵敏");
  await central.locator("#purpose").fill("政府信息公开咨询");
  await central.getByLabel("开通后在本站“联系我们”页公开").check();
  await central.getByRole("button", { name: "提交申请" }).click();
  await central.getByText("申请已提交").waitFor();
  await central.getByRole("button", { name: "开通" }).click();
  await central.getByText("已开通。").waitFor();
  await shot(central, "19-mailbox");
  await citizen.goto(`http://fgw.shili.gov.cn:${NGINX_PORT}/`);
  await citizen.getByRole("link", { name: "联系我们" }).click();
  await citizen.getByText("xxgk.fgw@shili.gov.cn").waitFor();
  await shot(citizen, "20-contact-page");
  console.log(JSON.stringify({ ok: true, path }));
} finally {
  await browser.close();
}
