// Columns and 专题 in a real browser: fgw's site administrator adds a 专题 with its landing text
// and last day; a reserved code is refused with the reason and the form keeps what was typed; a
// citizen finds the 专题 in fgw's navigation through nginx and reads its landing page; the
// central office sees the change in the log and vetoes it, and the 专题 leaves the site again.
// Run by tests/it/e2e.rs, which starts `zhanqun serve` and nginx and passes:
//   ADMIN (http://127.0.0.1:<port>), NGINX_PORT, SHOTS (folder).
import { launch, login, shooter } from "./common.mjs";
import assert from "node:assert/strict";

const { ADMIN, NGINX_PORT, SHOTS } = process.env;
const name = "优化营商环境专题";
const site = `http://fgw.shili.gov.cn:${NGINX_PORT}`;

const browser = await launch();
const shot = shooter(SHOTS);

/** Reloads fgw's home page until its navigation does (or does not) link the 专题. */
async function navShows(page, wanted) {
  for (let i = 0; i < 40; i++) {
    const r = await page.goto(`${site}/`);
    assert.equal(r.status(), 200, "nginx serves fgw");
    const links = await page.locator("nav a", { hasText: name }).count();
    if ((links > 0) === wanted) return;
    await page.waitForTimeout(500);
  }
  assert.fail(`the navigation ${wanted ? "never showed" : "kept"} ${name}`);
}

try {
  // --- The site administrator adds a 专题. --------------------------------------------------
  const admin = await login(browser, ADMIN, "siteadmin");
  await admin.getByRole("link", { name: "栏目", exact: true }).click();
  await admin.getByRole("heading", { name: /栏目 · / }).waitFor();
  const add = admin.locator("section", { has: admin.getByRole("heading", { name: "新增栏目或专题" }) });
  await add.getByLabel("栏目名称").fill(name);
  await add.getByLabel("栏目代码").fill("search");
  await add.getByLabel("类型").selectOption({ label: "专题" });
  await add.getByLabel("专题结束日期（仅专题）").fill("2099-12-31");
  await add.getByLabel(/专题导语/).fill("围绕优化营商环境，集中发布政策措施、工作动态和典型经验。");
  await add.getByRole("button", { name: "新增" }).click();
  // A reserved code: refused with the reason, nothing written, what was typed kept.
  await admin.getByRole("alert").getByText(/公共服务/).waitFor();
  assert.equal(await add.getByLabel("栏目名称").inputValue(), name, "the form keeps the name");
  await shot(admin, "50-column-refused-reserved-code");
  await add.getByLabel("栏目代码").fill("zt-yshj");
  await add.getByRole("button", { name: "新增" }).click();
  await admin.getByText("栏目已修改").waitFor();
  const row = admin.locator("tr", { hasText: "/zt-yshj/" });
  await row.getByText("至 2099-12-31").waitFor();
  await shot(admin, "51-column-topic-added");

  // --- A citizen finds it on fgw's site through nginx. ------------------------------------
  const citizen = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await navShows(citizen, true);
  await citizen.locator("nav a", { hasText: name }).first().click();
  await citizen.getByRole("heading", { name }).waitFor();
  await citizen.getByText("围绕优化营商环境").waitFor();
  await citizen.getByText("专题时间：至 2099-12-31").waitFor();
  await shot(citizen, "52-citizen-reads-topic");

  // --- The central office vetoes it. ------------------------------------------------------
  const central = await login(browser, ADMIN, "admin");
  await central.goto(`${ADMIN}/admin/columns?site=fgw`);
  const change = central.locator("tr", { hasText: `新增专题“${name}”` });
  await change.getByLabel("理由").fill("专题设置须先报信息化办备案");
  await change.getByRole("button", { name: "撤销" }).click();
  await central.getByText("已撤销该项栏目变更").waitFor();
  await central.locator("tr", { hasText: "专题设置须先报信息化办备案" }).getByText("已撤销").waitFor();
  await shot(central, "53-central-vetoed-column-change");
  await navShows(citizen, false);
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
