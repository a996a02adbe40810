// 信息报送 in a real browser: fgw's editor writes an article that its reviewer publishes and
// also shows in 通知公告 (引用, read through nginx in both columns); the editor submits it to
// the portal from the article's page; the portal's reviewer accepts it into 部门动态 under
// 信息报送; a citizen reads it on the portal through nginx, with the source credited and
// linked; the editor sees it accepted.
// Run by tests/it/e2e.rs, which starts `zhanqun serve` and nginx and passes:
//   ADMIN (http://127.0.0.1:<port>), NGINX_PORT, SHOTS (folder).
import { launch, login as signIn, shooter } from "./common.mjs";
import assert from "node:assert/strict";

const { ADMIN, NGINX_PORT, SHOTS } = process.env;
const title = "市发展改革委召开重点项目推进会";

const browser = await launch();
const shot = shooter(SHOTS);
const login = (username) => signIn(browser, ADMIN, username);

try {
  // --- fgw writes and publishes. ---------------------------------------------------------
  const editor = await login("editor");
  await editor.getByRole("link", { name: "写稿件" }).first().click();
  await editor.locator("#f-title").fill(title);
  await editor.locator("#f-column").selectOption("gzdt");
  const body = editor.locator(".jodit-wysiwyg");
  await body.click();
  await body.pressSequentially("11月26日，市发展改革委召开全市重点项目推进会，通报前三季度项目建设情况。");
  await editor.waitForURL(/\/admin\/articles\/\d+$/, { timeout: 15000 });
  await editor.waitForLoadState("load");
  await editor.getByRole("button", { name: "提交审核" }).click();
  await editor.getByText("已提交审核").waitFor();
  const articleUrl = editor.url().split("?")[0];
  const reviewer = await login("reviewer");
  await reviewer.goto(articleUrl);
  await reviewer.getByLabel(/已进行保密审查/).check();
  await reviewer.getByRole("button", { name: "审核通过并发布" }).click();
  await reviewer.getByText("已审核通过并发布到网站").waitFor();

  // --- 引用: the reviewer shows it in 通知公告 too; one source, two columns. ---------------
  const refer = reviewer.locator("section", { has: reviewer.getByRole("heading", { name: "引用到其他栏目" }) });
  await refer.getByLabel("栏目").selectOption({ label: "通知公告" });
  await refer.getByRole("button", { name: "引用" }).click();
  await reviewer.getByText("已引用到所选栏目").waitFor();
  await refer.getByRole("link", { name: "通知公告" }).waitFor();
  await shot(reviewer, "40-reviewer-references-in-another-column");
  const reader = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  for (const column of ["gzdt", "tzgg"]) {
    const r = await reader.goto(`http://fgw.shili.gov.cn:${NGINX_PORT}/${column}/`);
    assert.equal(r.status(), 200, `fgw's /${column}/ is served`);
    await reader.getByRole("link", { name: title }).first().waitFor();
  }
  await reader.getByRole("link", { name: title }).first().click();
  await reader.getByRole("heading", { name: title }).waitFor();
  const canonical = await reader.locator('link[rel="canonical"]').getAttribute("href");
  assert.match(canonical, /^https:\/\/fgw\.shili\.gov\.cn\/gzdt\//, "the reference names its source as canonical");
  await reader.context().close();

  // --- The editor submits it to the portal from its page. -----------------------------------
  await editor.goto(articleUrl);
  const offer = editor.locator("section", { has: editor.getByRole("heading", { name: "信息报送" }) });
  await offer.getByLabel("报送至").selectOption({ label: "示例市人民政府" });
  await offer.getByLabel("报送说明").fill("建议在部门动态刊发");
  await offer.getByRole("button", { name: "报送" }).click();
  await editor.getByText("已报送，等待对方审核采用").waitFor();
  await offer.getByText("待采用").waitFor();
  await shot(editor, "41-editor-submitted-to-portal");

  // --- The portal's reviewer accepts it into 部门动态. ------------------------------------
  const portal = await login("portal");
  await portal.getByRole("link", { name: "信息报送" }).click();
  const row = portal.locator("tr", { hasText: title });
  await row.getByText("建议在部门动态刊发").waitFor();
  await shot(portal, "42-portal-submission-queue");
  await row.getByLabel("采用到").selectOption({ label: "部门动态" });
  await row.getByRole("button", { name: "采用", exact: true }).click();
  await portal.getByText("已采用，页面已发布到本站").waitFor();
  await portal.locator("tr", { hasText: title }).getByText("已采用").waitFor();
  await shot(portal, "43-portal-accepted");

  // --- A citizen reads it on the portal, through nginx, with its source credited. ----------
  const citizen = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const list = await citizen.goto(`http://www.shili.gov.cn:${NGINX_PORT}/bmdt/`);
  assert.equal(list.status(), 200, "nginx serves the portal's 部门动态");
  await citizen.getByRole("link", { name: title }).first().click();
  await citizen.getByRole("heading", { name: title }).waitFor();
  assert.match(citizen.url(), /^http:\/\/www\.shili\.gov\.cn:\d+\/bmdt\//, "a page of the portal, under its column");
  const meta = await citizen.locator(".zq-article-meta").innerText();
  assert.match(meta, /来源：示例市发展和改革委员会/, "the department is credited");
  const original = citizen.getByRole("link", { name: "查看示例市发展和改革委员会原文" });
  assert.match(await original.getAttribute("href"), /^https:\/\/fgw\.shili\.gov\.cn\/gzdt\//, "links the original page");
  const indexNo = await citizen.locator(".zq-govinfo tr").first().locator("td").first().innerText();
  await shot(citizen, "44-citizen-reads-on-portal");

  // The source page carries the same 索引号: one document, shown on two sites.
  const sourcePath = new URL(await original.getAttribute("href")).pathname;
  await citizen.goto(`http://fgw.shili.gov.cn:${NGINX_PORT}${sourcePath}`);
  await citizen.getByRole("heading", { name: title }).waitFor();
  assert.equal(await citizen.locator(".zq-govinfo tr").first().locator("td").first().innerText(), indexNo);

  // --- The editor sees the outcome. -------------------------------------------------------
  await editor.getByRole("link", { name: "信息报送" }).click();
  await editor.locator("tr", { hasText: title }).getByText("已采用").waitFor();
  await shot(editor, "45-editor-sees-accepted");
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
