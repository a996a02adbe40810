// What citizens see, through nginx: every public template at a phone's 390 px and a desktop's
// 1366 px, checked for horizontal scrolling and by axe-core (no serious or critical finding),
// with a screenshot of each; then 关怀版 switched on and off without JavaScript, followed
// across two sites of the group, and a day of mourning turned grey by editing group.yaml while
// the service runs.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { launch, shooter } from "./common.mjs";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const { NGINX_PORT, SHOTS, SITES } = process.env;
const host = (label) => `http://${label}.shili.gov.cn:${NGINX_PORT}`;
/** A link between the group's sites (https, the production host) as this nginx serves it. */
const viaNginx = (href) => {
  const u = new URL(href);
  return `http://${u.hostname}:${NGINX_PORT}${u.pathname}`;
};
const shot = shooter(SHOTS);
const WIDTHS = [
  { name: "390", width: 390, height: 844 },
  { name: "1366", width: 1366, height: 900 },
];
const failures = [];
const fail = (what) => failures.push(what);

const browser = await launch();

/** Overflow and axe findings of the page as it is now. */
async function check(page, label) {
  const overflow = await page.evaluate(() => {
    const doc = document.documentElement;
    const wide = [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > doc.clientWidth + 1)
      .filter((e) => !e.closest(".zq-sr-only, .zq-trap, .zq-menu-toggle, .zq-skip, [hidden]"))
      .slice(0, 3)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    return { scroll: doc.scrollWidth, client: doc.clientWidth, wide };
  });
  if (overflow.scroll > overflow.client) {
    fail(`${label}: page is ${overflow.scroll} px wide in ${overflow.client} px (${overflow.wide.join(", ")})`);
  }
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 2).map((n) => n.target.join(" ")).join("; ")}`);
  });
  for (const v of violations) fail(`${label}: axe ${v}`);
}

// The pages of one template each: portal, department and town home pages, a list, an article
// with the 政府信息公开 table, search (found and not found), the interaction pages, contact,
// the site map and a missing page.
const probe = await browser.newPage();
await probe.goto(host("www") + "/");
const town = await probe.locator(".zq-directory ul").last().locator("a").first().getAttribute("href");
// Article pages of the 发改委 (the earlier flows published some): a policy if there is one.
await probe.goto(host("fgw") + "/");
const articles = await probe.locator(".zq-list a").evaluateAll((links) =>
  links.map((a) => a.getAttribute("href")).filter((h) => /\/t\d+_\d+\.html$/.test(h)),
);
if (articles.length === 0) throw new Error("the 发改委 home page lists no article");
const policy = articles.find((h) => h.startsWith("/zcfg/")) || articles[0];
const news = articles.find((h) => h.startsWith("/gzdt/")) || articles[articles.length - 1];
await probe.goto(host("fgw") + "/hdjl/");
const answer = await probe.locator(".zq-replies a, .zq-message-list a").first().getAttribute("href").catch(() => null);
await probe.close();
const pages = [
  ["portal-home", host("www") + "/"],
  ["department-home", host("fgw") + "/"],
  ["town-home", viaNginx(town)],
  ["list", host("fgw") + "/gzdt/"],
  ["article-policy", host("fgw") + policy],
  ["article-news", host("fgw") + news],
  ["search", host("www") + "/search?q=" + encodeURIComponent("发改委")],
  ["search-none", host("www") + "/search?q=" + encodeURIComponent("发改委员会议程表")],
  ["interaction", host("fgw") + "/hdjl/"],
  ["status", host("fgw") + "/messages/status/"],
  ["contact", host("fgw") + "/lxwm/"],
  ["sitemap", host("www") + "/wzdt/"],
  ["not-found", host("fgw") + "/no-such-page.html"],
];
if (answer) pages.push(["answer", host("fgw") + answer]);

let n = 60;
for (const [name, url] of pages) {
  for (const w of WIDTHS) {
    const context = await browser.newContext({ viewport: { width: w.width, height: w.height }, locale: "zh-CN" });
    const page = await context.newPage();
    await page.goto(url);
    await check(page, `${name} at ${w.name} px`);
    await shot(page, `${n}-${name}-${w.name}`);
    await context.close();
  }
  n += 1;
}

// A query that finds nothing is offered the unit it resembles (tests/it/search.rs checks that
// 发改委 and 发展和改革委员会 find each other's pages).
{
  const page = await browser.newPage();
  await page.goto(host("www") + "/search?q=" + encodeURIComponent("发改委员会议程表"));
  const suggestion = await page.locator(".zq-search-suggestion").textContent().catch(() => "");
  if (!suggestion.includes("您是不是要找") || !suggestion.includes("发展和改革委员会")) {
    fail(`no 您是不是要找 for 发改委员会议程表: ${suggestion}`);
  }
  await page.close();
}

// The phone menu opens and closes without JavaScript.
{
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(host("fgw") + "/");
  const menu = page.locator("#zq-menu-list");
  if (await menu.isVisible()) fail("the phone menu is open before it is pressed");
  await page.getByText("栏目导航", { exact: true }).click();
  if (!(await menu.isVisible())) fail("the phone menu does not open");
  await shot(page, "80-phone-menu-open");
  await context.close();
}

// 关怀版 without JavaScript: on, kept on another site of the group, then off. A reader's
// browser with scripts on measures the same pages (scripts are how the test reads styles).
{
  const noScript = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
  const page = await noScript.newPage();
  const article = host("fgw") + news;
  const isCare = async (p) => ((await p.locator("html").getAttribute("class")) || "").includes("zq-care");
  await page.goto(article);
  if (await isCare(page)) fail("关怀版 is on before it is chosen");
  await page.getByRole("link", { name: "关怀版", exact: true }).click();
  await page.waitForURL(article);
  if (!(await isCare(page))) fail("关怀版 did not mark the page");
  await page.goto(host("www") + "/");
  if (!(await isCare(page))) fail("关怀版 was not kept on the portal");

  const measuring = await browser.newContext({
    viewport: { width: 390, height: 844 },
    storageState: await noScript.storageState(),
  });
  const m = await measuring.newPage();
  const sizes = async () =>
    m.evaluate(() => ({
      body: parseFloat(getComputedStyle(document.body).fontSize),
      text: parseFloat(getComputedStyle(document.querySelector(".zq-article-body")).fontSize),
    }));
  await m.goto(article);
  const care = await sizes();
  await check(m, "关怀版 article at 390 px");
  await shot(m, "81-care-article-390");
  await m.goto(host("www") + "/");
  await check(m, "关怀版 portal at 390 px");
  await shot(m, "82-care-portal-390");
  await measuring.close();

  await page.getByRole("link", { name: "退出关怀版" }).click();
  await page.waitForURL(host("www") + "/");
  if (await isCare(page)) fail("关怀版 did not turn off");
  const plain = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const p = await plain.newPage();
  await p.goto(article);
  const standard = await p.evaluate(() => parseFloat(getComputedStyle(document.querySelector(".zq-article-body")).fontSize));
  if (care.body < 18 || care.text < 18 || care.text <= standard) {
    fail(`关怀版 text is ${care.body}/${care.text} px (standard ${standard} px)`);
  }
  await plain.close();
  await noScript.close();
}

// 关怀版 at desktop width, and 字号 and 打印 on an article with JavaScript.
{
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await page.goto(host("fgw") + `/_care/on?to=${encodeURIComponent("/")}`);
  await check(page, "关怀版 home at 1366 px");
  await shot(page, "83-care-home-1366");
  await page.goto(host("fgw") + "/_care/off?to=/");
  await page.goto(host("fgw") + news);
  const before = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector(".zq-article-body")).fontSize));
  await page.getByRole("button", { name: "大", exact: true }).click();
  const after = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector(".zq-article-body")).fontSize));
  if (!(after > before)) fail(`字号 大 left the text at ${after} px (was ${before} px)`);
  if (!(await page.getByRole("button", { name: "打印本页" }).isVisible())) fail("no 打印 button");
  await shot(page, "84-article-font-large");
  // 扫一扫在手机打开 at a desk, not on a phone (tests/it/page_codes.rs reads the code back).
  const qr = page.locator(".zq-qr img");
  const shown = await qr
    .evaluate((img) => img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width >= 100)
    .catch(() => false);
  if (!shown) fail("the article page shows no 扫一扫 code at 1366 px");
  await shot(page, "86-article-qr-1366");
  await page.setViewportSize({ width: 390, height: 844 });
  if (await qr.isVisible()) fail("the 扫一扫 code is shown on a phone");
  // An open redirect is refused: the switch only returns to a path of the same host.
  const r = await page.request.get(`http://127.0.0.1:${NGINX_PORT}/_care/on?to=//evil.example/`, {
    headers: { Host: "fgw.shili.gov.cn" },
    maxRedirects: 0,
  });
  const to = r.headers()["location"] || "";
  if (r.status() !== 303 || to.includes("evil")) fail(`the switch sent a reader to ${to} (${r.status()})`);
  await context.close();
}

// 哀悼日: group.yaml gains today; within seconds every site is grey, without a build.
{
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  const file = `${SITES}/group.yaml`;
  const original = readFileSync(file, "utf8");
  writeFileSync(file, `${original}\n- {from: ${today}, to: ${today}, reason: 测试}\n`);
  // A reader's browser keeps the stylesheet for minutes; each look is a new reader's.
  const greyAt = async (url, keep) => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await page.goto(url);
    const grey = await page.evaluate(() => getComputedStyle(document.documentElement).filter.includes("grayscale"));
    if (keep) await shot(page, keep);
    await context.close();
    return grey;
  };
  let grey = false;
  for (let i = 0; i < 40 && !grey; i++) {
    grey = await greyAt(host("www") + "/");
    if (!grey) await new Promise((r) => setTimeout(r, 500));
  }
  if (!grey) fail("the portal did not turn grey on a day of mourning");
  await greyAt(host("www") + "/", "85-mourning-portal");
  if (!(await greyAt(host("fgw") + "/"))) fail("a department site did not turn grey");
  writeFileSync(file, original);
  let back = false;
  for (let i = 0; i < 40 && !back; i++) {
    back = !(await greyAt(host("fgw") + "/"));
    if (!back) await new Promise((r) => setTimeout(r, 500));
  }
  if (!back) fail("the site stayed grey after the day was removed");
}

await browser.close();
console.log(JSON.stringify({ ok: failures.length === 0, failures }));
