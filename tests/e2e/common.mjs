// What every browser flow starts with: Debian's Chromium with the demo group's hosts mapped to
// this machine, full-page screenshots, and signing in to the admin as a demo account.
import { chromium } from "playwright-core";

export const launch = () =>
  chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--host-resolver-rules=MAP *.shili.gov.cn 127.0.0.1"],
  });

export const shooter = (dir) => (page, name) => page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });

/** A new admin session of `username` (password of the demo accounts), on its dashboard. */
export async function login(browser, admin, username) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${admin}/admin`);
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill("Zhanqun@2026");
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL(`${admin}/admin`);
  return page;
}
