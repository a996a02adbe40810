// Citizen interaction in a real browser: a citizen writes to a leader mailbox on the static
// site (through nginx), the form's proof of work runs in the page, the citizen gets a query
// code; the site's editor acknowledges and answers, the reviewer approves; the answer shows on
// the site with the writer's name and phone masked, and on the status page, where the citizen
// rates it. The citizen comments on an opinion solicitation, which the site reads. The central
// office's dashboard and monthly report show the demo group's spread.
// Run by tests/it/e2e.rs after admin_flow.mjs, with ADMIN, SITE (the fgw site's base URL,
// through nginx) and SHOTS.
import { launch, login as signIn, shooter } from "./common.mjs";
import assert from "node:assert/strict";

const { ADMIN, SITE, SHOTS } = process.env;
const subject = "关于新能源汽车充电桩安装的咨询";
const writer = "张三丰";
const phone = "13812345678";

const browser = await launch();
const shot = shooter(SHOTS);
const login = (username) => signIn(browser, ADMIN, username);

try {
  // --- The citizen writes to the director's mailbox. ---------------------------------
  const citizen = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" })).newPage();
  const entry = await citizen.goto(`${SITE}/hdjl/?to=${encodeURIComponent("主任信箱")}#write`);
  assert.equal(entry.status(), 200, "nginx serves the interaction page");
  await citizen.getByRole("heading", { name: "我要写信" }).waitFor();
  assert.equal(await citizen.locator("#f-recipient").inputValue(), "主任信箱", "the mailbox link preselects it");
  await shot(citizen, "21-interaction-page");

  // Bad input first: the service names each field, and nothing typed is lost.
  await citizen.locator("#f-subject").fill(subject);
  await citizen.locator("#f-content").fill("太短");
  await citizen.getByRole("button", { name: "提交" }).click();
  await citizen.locator("#err-content").waitFor({ timeout: 30000 });
  await citizen.locator("#err-name").waitFor();
  await citizen.locator("#err-phone").waitFor();
  assert.equal(await citizen.locator("#f-subject").inputValue(), subject, "the subject is kept");
  await shot(citizen, "22-form-errors");

  await citizen.locator("#f-content").fill(
    `我家小区地下车库想安装新能源汽车充电桩，物业说需要供电部门同意。请问申请流程是什么？我是业主${writer}，电话${phone}。`,
  );
  await citizen.locator("#f-name").fill(writer);
  await citizen.locator("#f-phone").fill(phone);
  await citizen.getByRole("button", { name: "提交" }).click();
  await citizen.locator("#zq-message-done").waitFor({ state: "visible", timeout: 60000 });
  const code = (await citizen.locator("#zq-message-done .zq-code").textContent()).trim();
  assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/, "a query code is shown");
  await shot(citizen, "23-message-submitted");

  // Before anyone answers, the status page says it is waiting.
  await citizen.goto(`${SITE}/messages/status/`);
  await citizen.getByLabel("查询码").fill(code.toLowerCase().replaceAll("-", " "));
  await citizen.getByLabel("手机号码").fill(phone);
  await citizen.getByRole("button", { name: "查询" }).click();
  await citizen.locator("#zq-status-result").getByText("待受理").waitFor();

  // --- The editor acknowledges and answers. -------------------------------------------
  const editor = await login("editor");
  await editor.getByRole("link", { name: "留言办理" }).click();
  await editor.getByRole("link", { name: subject }).click();
  await editor.getByText(writer, { exact: true }).waitFor();
  await shot(editor, "24-editor-message");
  await editor.getByRole("button", { name: "受理", exact: true }).click();
  await editor.getByText("已受理，网民可在查询页看到受理意见").waitFor();
  await editor.locator("#reply").fill(
    `${writer}您好！小区内安装充电桩，可携带车位产权或使用证明、物业同意书向供电营业厅申请，供电部门在5个工作日内现场勘查。如物业不予配合，可向街道反映。`,
  );
  await editor.getByRole("button", { name: "保存并提交审核" }).click();
  await editor.getByText("答复已提交审核").waitFor();
  await shot(editor, "25-editor-reply-submitted");

  // --- The reviewer approves: the message is answered and published. -----------------
  const reviewer = await login("reviewer");
  await reviewer.goto(`${ADMIN}/admin/messages?f=review`);
  await reviewer.getByRole("link", { name: subject }).click();
  await reviewer.getByRole("button", { name: "通过" }).click();
  await reviewer.getByText("答复已审核通过并办结").waitFor();
  await shot(reviewer, "26-reviewer-approved");

  // --- The answer on the site, masked, and on the status page. -----------------------
  await citizen.goto(`${SITE}/hdjl/`);
  await citizen.getByRole("link", { name: subject }).click();
  await citizen.getByRole("heading", { name: "答复内容" }).waitFor();
  const html = await citizen.content();
  assert.ok(!html.includes(writer) && !html.includes(phone), "no name or phone on the published page");
  assert.ok(html.includes("张某") && html.includes("138****5678"), "masked instead");
  await shot(citizen, "27-published-answer");

  await citizen.goto(`${SITE}/messages/status/`);
  await citizen.getByLabel("查询码").fill(code);
  await citizen.getByLabel("手机号码").fill(phone);
  await citizen.getByRole("button", { name: "查询" }).click();
  await citizen.locator("#zq-status-result").getByText("已答复").waitFor();
  await citizen.locator(".zq-status-reply").getByText("供电营业厅").waitFor();
  await citizen.getByLabel("满意", { exact: true }).check();
  await citizen.getByRole("button", { name: "提交评价" }).click();
  await citizen.getByText("您的满意度评价：4 分").waitFor();
  await shot(citizen, "28-status-answered-rated");

  // A wrong phone number finds nothing, and says so without saying which part was wrong.
  await citizen.getByLabel("手机号码").fill("13800000000");
  await citizen.getByRole("button", { name: "查询" }).click();
  await citizen.getByText("没有找到对应的留言").waitFor();

  // --- An opinion solicitation: the citizen comments, the site reads it. -------------
  await citizen.goto(`${SITE}/hdjl/`);
  await citizen.getByRole("link", { name: /优化营商环境若干措施/ }).click();
  await citizen.getByText("征集中").first().waitFor();
  await citizen.locator("#c-content").fill("建议把涉企政策“免申即享”的清单在网站上公开，并定期更新。");
  await citizen.locator("#c-name").fill(writer);
  await citizen.locator("#c-phone").fill(phone);
  await citizen.getByRole("button", { name: "提交意见" }).click();
  await citizen.locator("#zq-comment-done").waitFor({ state: "visible", timeout: 60000 });
  await shot(citizen, "31-solicitation-comment");
  await editor.goto(`${ADMIN}/admin/solicitations`);
  await editor.getByRole("link", { name: /优化营商环境若干措施/ }).click();
  await editor.getByText("免申即享”的清单").waitFor();
  await shot(editor, "32-solicitation-admin");

  // --- The central office's oversight. -----------------------------------------------
  const admin = await login("admin");
  await admin.getByRole("link", { name: "互动督办" }).click();
  await admin.getByRole("heading", { name: /政民互动督办/ }).waitFor();
  const overdue = Number(await admin.locator(".stats div").nth(3).locator("strong").textContent());
  assert.ok(overdue > 0, "the demo has overdue messages");
  await shot(admin, "29-interaction-dashboard");
  await admin.goto(`${ADMIN}/admin/reports/messages`);
  await admin.getByRole("heading", { name: /政民互动办理情况月报/ }).waitFor();
  await shot(admin, "30-interaction-report");
  console.log(JSON.stringify({ ok: true, code }));
} finally {
  await browser.close();
}
