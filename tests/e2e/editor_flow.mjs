// The rich editor in a real browser: an editor pastes a notice from Word (mso- markup, a
// table with a merged cell, a right-aligned two-line 落款, an embedded image) into a new,
// never-saved article, names the pasted image, applies 一键排版 and pastes hostile markup on
// top; a reviewer approves; the citizen's page through nginx carries the structure, the
// image once, and no Word residue or live script.
// Run by tests/it/e2e.rs with ADMIN, NGINX_PORT and SHOTS, after admin_flow.mjs.
import { launch, login as signIn, shooter } from "./common.mjs";
import assert from "node:assert/strict";

const { ADMIN, NGINX_PORT, SHOTS, FIXTURES } = process.env;
const title = "关于做好春节期间值班工作的通知";
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAADAAAAAgCAIAAADbtmxLAAAANklEQVR4nO3OQQ0AAAgEIJPYP4qxbOH5YCMANd2vVHwgJCQklB4ICQkJpQdCQkJC6YGQkNCxBcrgGFt1WfHkAAAAAElFTkSuQmCC";

// What Word 2016 puts on the clipboard for such a notice, shortened but with its residue.
const WORD = `<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta name=Generator content="Microsoft Word 15"><style><!-- p.MsoNormal {mso-style-unhide:no; font-family:等线;} --></style>
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml><![endif]--></head>
<body lang=ZH-CN style='tab-interval:21.0pt'><!--StartFragment-->
<p class=MsoNormal align=center style='text-align:center'><b><span style='font-size:22.0pt;font-family:方正小标宋简体;mso-hansi-font-family:"Times New Roman"'>${title}<o:p></o:p></span></b></p>
<p class=MsoNormal><span style='font-family:仿宋_GB2312'>各科室、各直属单位：<o:p></o:p></span></p>
<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0'><span style='font-family:仿宋_GB2312;color:#333333'>为做好春节期间值班工作，确保节日期间各项工作正常运转，现将有关事项通知如下。<o:p></o:p></span></p>
<p class=MsoListParagraph style='margin-left:18.0pt;text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='mso-list:Ignore'>1.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span><![endif]><span>值班人员须保持通讯畅通。<o:p></o:p></span></p>
<p class=MsoListParagraph style='margin-left:18.0pt;text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='mso-list:Ignore'>2.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span><![endif]><span>遇有突发事件及时报告。<o:p></o:p></span></p>
<p class=MsoNormal><span><o:p>&nbsp;</o:p></span></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none;mso-yfti-tbllook:1184'>
 <tr style='mso-yfti-irow:0'><td width=553 colspan=2 valign=top style='width:415.0pt;border:solid windowtext 1.0pt'><p class=MsoNormal align=center style='text-align:center'><b><span>值班安排<o:p></o:p></span></b></p></td></tr>
 <tr><td width=276 style='width:207.5pt'><p class=MsoNormal><span>2月10日<o:p></o:p></span></p></td><td width=276><p class=MsoNormal><span>张　三<o:p></o:p></span></p></td></tr>
 <tr><td width=276><p class=MsoNormal><span>2月11日<o:p></o:p></span></p></td><td width=276><p class=MsoNormal><span>李　四<o:p></o:p></span></p></td></tr>
</table>
<p class=MsoNormal><span><img width=48 height=32 src="data:image/png;base64,${PNG}" v:shapes="图片_x0020_1"></span></p>
<p class=MsoNormal><span><o:p>&nbsp;</o:p></span></p>
<p class=MsoNormal align=right style='text-align:right'><span style='font-family:仿宋_GB2312'>示例市发展和改革委员会<br>2026年1月20日<o:p></o:p></span></p>
<!--EndFragment--></body></html>`;

const HOSTILE = `<p>附：<a href="javascript:alert(1)">恶意链接</a><img src=x onerror="alert(2)"><img src="https://example.com/x.png" alt="外站图片"></p><script>alert(3)</script>
<svg onload="alert(4)"><circle r="5"></circle></svg><p style="width: expression(alert(5)); text-align: left" onclick="alert(6)">结束</p>`;

const browser = await launch();
const shot = shooter(SHOTS);
const dialogs = [];
/** Signed in, with any dialog a script opens recorded (there must be none). */
async function login(username) {
  const page = await signIn(browser, ADMIN, username);
  // Our own “are you sure” questions are answered yes; any other dialog is a script that ran.
  page.on("dialog", (d) => {
    if (d.type() === "confirm") return d.accept();
    dialogs.push(d.message());
    return d.dismiss();
  });
  return page;
}

async function paste(page, html) {
  await page.locator(".jodit-wysiwyg").click();
  await page.keyboard.press("Control+End");
  await page.evaluate((html) => {
    const dt = new DataTransfer();
    dt.setData("text/html", html);
    dt.setData("text/plain", "（纯文本）");
    const target = document.querySelector(".jodit-wysiwyg");
    target.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
  }, html);
}

try {
  const editor = await login("editor");
  await editor.goto(`${ADMIN}/admin/articles/new`);
  await editor.locator(".jodit-wysiwyg").waitFor();
  assert.equal(await editor.locator("#f-body").isVisible(), false, "the Markdown textarea gives way to the editor");
  // Keyboard users reach the toolbar and the text with Tab; screen readers hear what they are.
  assert.equal(await editor.locator(".jodit-wysiwyg").getAttribute("tabindex"), "0");
  assert.equal(await editor.locator(".jodit-wysiwyg").getAttribute("role"), "textbox");
  assert.equal(await editor.getByRole("toolbar", { name: "正文格式" }).getByRole("button", { name: "粗体" }).getAttribute("tabindex"), "0");
  await editor.locator("#f-title").fill(title);
  await editor.locator("#f-column").selectOption("tzgg");

  // --- Paste from Word into a draft that was never saved. ---------------------------
  await paste(editor, WORD);
  const dialog = editor.locator("#image-dialog");
  await dialog.waitFor({ state: "visible" });
  await shot(editor, "e01-pasted-image-asks-for-alt");
  // An empty 图片说明 is refused in the dialog itself.
  await dialog.getByRole("button", { name: "上传并插入" }).click();
  await dialog.getByText("请填写图片说明").waitFor();
  await dialog.getByLabel("图片说明").fill("春节值班安排示意图");
  await dialog.getByRole("button", { name: "上传并插入" }).click();
  await dialog.waitFor({ state: "hidden" });
  await editor.waitForURL(/\/admin\/articles\/\d+$/, { timeout: 15000 });
  const wysiwyg = editor.locator(".jodit-wysiwyg");
  const inEditor = await wysiwyg.innerHTML();
  assert.match(inEditor, /<td[^>]*colspan="2"/, "the merged cell survives the paste");
  assert.match(inEditor, /text-align: right/, "the 落款 stays right-aligned");
  assert.match(inEditor, /<ol>\s*<li>值班人员须保持通讯畅通。/, "Word's numbered paragraphs became a list");
  assert.match(inEditor, /<img [^>]*src="\/admin\/files\/[0-9a-f]{2}\/[0-9a-f]{64}\.png" alt="春节值班安排示意图">/, "the image was uploaded and named");
  for (const residue of ["mso-", "MsoNormal", "<o:p", "font-family", "<span", "StartFragment", "data:image"]) {
    assert.ok(!inEditor.includes(residue), `no ${residue} after the paste: ${inEditor}`);
  }
  await editor.frameLocator("#preview").getByText(title).first().waitFor();
  await shot(editor, "e02-pasted-from-word");

  // --- 一键排版: body paragraphs indented, title centred, 落款 right, blank lines gone. ---
  await editor.getByRole("button", { name: "一键排版" }).click();
  const laidOut = await wysiwyg.innerHTML();
  assert.match(laidOut, /<p style="text-align: center;?"><strong>关于做好春节期间值班工作的通知<\/strong><\/p>/, laidOut);
  assert.match(laidOut, /<p style="text-indent: 0;?">各科室、各直属单位：<\/p>/, "the addressees stand at the margin");
  assert.match(laidOut, /<p style="text-indent: 2em;?">为做好春节期间值班工作/, laidOut);
  assert.match(laidOut, /<p style="text-align: center;?"><img /, "an image on its own is centred");
  assert.match(laidOut, /<p style="text-align: right;?">示例市发展和改革委员会<br>2026年1月20日<\/p>/, laidOut);
  assert.ok(!/<p[^>]*>(&nbsp;|\s)*<\/p>/.test(laidOut), "empty paragraphs removed");
  await shot(editor, "e03-one-key-layout");

  // --- Hostile markup pasted on top runs nothing and is stored clean. ------------------
  await paste(editor, HOSTILE);
  // Images the clipboard does not carry (another site's, a broken one) are left out, and said so.
  await editor.getByText("有 2 张图片无法从剪贴板读取").waitFor();
  assert.equal(await editor.locator(".jodit-wysiwyg img[alt='外站图片']").count(), 0);
  assert.deepEqual(dialogs, [], "nothing pasted ran a script in the editor");
  await editor.getByRole("button", { name: "提交审核" }).click();
  await editor.getByText("已提交审核").waitFor();
  const articleUrl = editor.url().split("?")[0];
  // The image shown in the body is listed with its thumbnail, marked as in the body.
  await editor.locator("#file-list li.with-thumb", { hasText: "已在正文中" }).waitFor();
  await shot(editor, "e04-submitted");

  // --- The reviewer approves; the citizen reads the page through nginx. ---------------
  const reviewer = await login("reviewer");
  await reviewer.goto(articleUrl);
  await reviewer.getByLabel(/已进行保密审查/).check();
  await reviewer.getByRole("button", { name: "审核通过并发布" }).click();
  await reviewer.getByText("已审核通过并发布到网站").waitFor();
  const live = await reviewer.getByRole("link", { name: "查看线上页面" }).getAttribute("href");
  assert.match(live, /^https:\/\/fgw\.shili\.gov\.cn\//, "查看线上页面 is the public address");
  const path = new URL(live).pathname;
  const citizen = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  citizen.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  const response = await citizen.goto(`http://fgw.shili.gov.cn:${NGINX_PORT}${path}`);
  assert.equal(response.status(), 200);
  await citizen.getByRole("heading", { name: title }).first().waitFor();
  const html = await response.text();
  assert.match(html, /<td colspan="2">/, "the merged cell is on the public page");
  assert.match(html, /<p style="text-align: right;?">示例市发展和改革委员会<br>2026年1月20日<\/p>/, "the 落款 is right-aligned, on two lines");
  assert.match(html, /<ol>\s*<li>值班人员须保持通讯畅通。<\/li>/, "the list");
  assert.match(html, /<p style="text-indent: 2em;?">为做好春节期间值班工作/, "first-line indent");
  for (const residue of ["mso-", "MsoNormal", "o:p", "font-family", "StartFragment", "方正小标宋"]) {
    assert.ok(!html.includes(residue), `no ${residue} on the public page`);
  }
  for (const bad of ["<script>alert", "onerror", "onclick", "onload", "javascript:", "expression(", "<svg"]) {
    assert.ok(!html.includes(bad), `no ${bad} on the public page`);
  }
  const image = citizen.locator(".zq-article-body img[alt='春节值班安排示意图']");
  await image.waitFor();
  assert.ok(await image.evaluate((img) => img.complete && img.naturalWidth === 48), "the image loads from the static site");
  assert.equal(await citizen.locator(".zq-attachments").count(), 0, "an image in the body is not listed again as an attachment");
  assert.equal(
    await citizen.evaluate(() => getComputedStyle([...document.querySelectorAll(".zq-article-body p")].find((p) => p.textContent.startsWith("示例市发展和改革委员会"))).textAlign),
    "right",
  );
  assert.equal(
    await citizen.evaluate(() => getComputedStyle([...document.querySelectorAll(".zq-article-body p")].find((p) => p.textContent.startsWith("各科室"))).textIndent),
    "0px",
    "the addressees are not indented on the site either",
  );
  await shot(citizen, "e05-citizen-page-from-word");
  assert.deepEqual(dialogs, [], "no script ran anywhere");

  // --- 导入 Word: a .docx fills an empty body and the title; its image, named in Word, is
  // uploaded as the draft's file without asking; a file that is not a .docx is refused. ---
  await editor.goto(`${ADMIN}/admin/articles/new`);
  await editor.locator(".jodit-wysiwyg").waitFor();
  await editor.locator("#f-column").selectOption("tzgg");
  await editor.locator("#word-file").setInputFiles({ name: "假的.docx", mimeType: "application/octet-stream", buffer: Buffer.from("不是 Word 文件") });
  await editor.getByText("未能导入：这不是 .docx 格式的 Word 文件").waitFor();
  await editor.locator("#word-file").setInputFiles(`${FIXTURES}/notice.docx`);
  await editor.getByText("已导入“notice.docx”，共 1 张图片").waitFor();
  await editor.waitForURL(/\/admin\/articles\/\d+$/, { timeout: 15000 });
  assert.equal(await editor.locator("#f-title").inputValue(), "关于做好2026年春节期间值班工作的通知", "the title comes from the document");
  await editor.locator(".jodit-wysiwyg img[alt='值班室现场照片'][src^='/admin/files/']").waitFor();
  const imported = await editor.locator(".jodit-wysiwyg").innerHTML();
  assert.match(imported, /<td colspan="3">值班安排<\/td>/, imported);
  assert.match(imported, /<td rowspan="2">李四<\/td>/, imported);
  assert.match(imported, /<ol><li>值班人员须保持通讯畅通。<\/li>/, imported);
  assert.match(imported, /<p style="text-align: right;?">示例市发展和改革委员会<br>2026年1月20日<\/p>/, imported);
  assert.equal(await dialog.isVisible(), false, "an image named in Word is not asked about");
  await editor.frameLocator("#preview").getByText("关于做好2026年春节期间值班工作的通知").first().waitFor();
  await shot(editor, "e06-imported-from-word");
  // 图注 under the image, and 首行缩进 set on the addressees' line by hand.
  await editor.locator(".jodit-wysiwyg img[alt='值班室现场照片']").click();
  await editor.getByRole("button", { name: "图注" }).click();
  await editor.locator(".jodit-wysiwyg figure figcaption", { hasText: "值班室现场照片" }).waitFor();
  await editor.locator(".jodit-wysiwyg p", { hasText: "各科室、各直属单位" }).click();
  await editor.getByRole("button", { name: "首行缩进" }).click();
  assert.match(await editor.locator(".jodit-wysiwyg p", { hasText: "各科室、各直属单位" }).getAttribute("style"), /text-indent: 0(px)?/);
  await editor.getByRole("button", { name: "保存草稿" }).click();
  await editor.getByText("草稿已保存").waitFor();
  const withCaption = await editor.locator(".jodit-wysiwyg").innerHTML();
  assert.match(withCaption, /<figure><img [^>]*alt="值班室现场照片"><figcaption>值班室现场照片<\/figcaption><\/figure>/, withCaption);
  const saved = await editor.locator(".jodit-wysiwyg").innerHTML();
  assert.match(saved, /<td colspan="3">值班安排<\/td>/, "kept through a save");
  const wordDraftUrl = editor.url().split("?")[0];

  // --- 回收站: the draft is deleted, found in the bin, and restored. ------------------------
  await editor.getByRole("button", { name: "删除到回收站" }).click();
  await editor.waitForURL(/\/admin\/articles\/trash/);
  await editor.getByText("稿件已删除到回收站").waitFor();
  const binRow = editor.locator("table.list tr", { hasText: "关于做好2026年春节期间值班工作的通知" });
  await binRow.waitFor();
  await shot(editor, "e07-recycle-bin");
  await binRow.getByRole("button", { name: "恢复" }).click();
  await editor.getByText("稿件已从回收站恢复").waitFor();
  assert.equal(editor.url().split("?")[0], wordDraftUrl);
  await editor.getByRole("button", { name: "提交审核" }).click();
  await editor.getByText("已提交审核").waitFor();

  // --- 版本对比: the editor changes the live notice; the reviewer sees what changed. ----------
  await editor.goto(articleUrl);
  await editor.locator("#f-title").fill(`${title}（修订）`);
  await editor.locator(".jodit-wysiwyg p", { hasText: "各科室、各直属单位" }).click();
  await editor.keyboard.press("End");
  await editor.keyboard.type("（含下属事业单位）");
  await editor.getByRole("button", { name: "提交审核" }).click();
  await editor.getByText("已提交审核").waitFor();
  await reviewer.goto(articleUrl);
  const compare = reviewer.locator("section.compare");
  await compare.waitFor();
  assert.equal(await compare.locator("del", { hasText: title }).count() > 0, true, "the old title, struck through");
  await compare.locator("ins", { hasText: "（修订）" }).first().waitFor();
  await compare.locator("li.d-changed ins", { hasText: "含下属事业单位" }).waitFor().catch(async (e) => {
    console.error("COMPARE:", await compare.innerHTML());
    await shot(reviewer, "debug-compare");
    throw e;
  });
  await shot(reviewer, "e08-reviewer-sees-changes");

  // --- 批量审核: the reviewer passes both waiting articles at once. ------------------------
  await reviewer.goto(`${ADMIN}/admin/articles?state=submitted`);
  await reviewer.locator("[data-select-all]").check();
  await reviewer.locator("#b-op").selectOption("approve");
  await reviewer.locator("#b-comment").fill("同意发布");
  await reviewer.locator("#b-secrecy").check();
  await reviewer.getByRole("button", { name: "执行" }).click();
  await reviewer.getByRole("heading", { name: /批量审核通过：完成 2 篇/ }).waitFor();
  await shot(reviewer, "e09-batch-approval");
  const revised = await citizen.goto(`http://fgw.shili.gov.cn:${NGINX_PORT}${path}`);
  assert.match(await revised.text(), /各科室、各直属单位：?（含下属事业单位）|含下属事业单位/, "the revision is live");
  assert.deepEqual(dialogs, [], "no script ran anywhere");

  // --- The check before publishing: a leader's name one character off and a 错敏词 are
  // marked in the editor's text with the fix; the reviewer must confirm in writing. -------
  const slip = await login("editor");
  await slip.goto(`${ADMIN}/admin/articles/new`);
  await slip.locator("#f-title").fill("市长调研工业企业复工复产");
  await paste(slip, "<p>市长李明化一行先后来到多家企业，依据中华人民共合国有关法律，要求做好安全生产。</p>");
  await slip.getByRole("button", { name: "保存草稿" }).click();
  await slip.getByText("草稿已保存").waitFor();
  const panel = slip.locator("#content-checks");
  await panel.getByText("领导姓名疑似写错：“李明化”，应为“李明华”").waitFor();
  await panel.getByText(/须审核员核实/).first().waitFor();
  // The marks are drawn after the panel is filled: wait for them rather than race them.
  await slip.waitForFunction(() => (CSS.highlights.get("zq-veto")?.size ?? 0) >= 2);
  const marked = await slip.evaluate(() => {
    const h = CSS.highlights.get("zq-veto");
    return h ? [...h].map((r) => r.toString()) : [];
  });
  assert.deepEqual(marked.sort(), ["中华人民共合国", "李明化"], "both words are marked in the editor's text");
  await shot(slip, "e10-check-highlighted");
  // "改为" fixes the 错敏词 in place; the leader's slip is left for the reviewer to see.
  await panel.getByRole("button", { name: "改为“中华人民共和国”" }).click();
  assert.match(await slip.locator(".jodit-wysiwyg").innerText(), /依据中华人民共和国有关法律/);
  // Autosave answers with the panel as the server now sees the text: the fixed word is gone.
  await slip.waitForFunction(() => !document.getElementById("checks-slot").textContent.includes("中华人民共合国"));
  await slip.locator("#content-checks").getByText("领导姓名疑似写错").waitFor();
  await slip.getByRole("button", { name: "提交审核" }).click();
  await slip.getByText("已提交审核").waitFor();
  const slipUrl = slip.url().split("?")[0];
  await slip.locator("#content-checks").getByText("领导姓名疑似写错").waitFor();
  assert.equal(await slip.locator("#content-checks").getByText("中华人民共合国").count(), 0, "the fix was saved");

  await reviewer.goto(slipUrl);
  await reviewer.locator("#content-checks").getByText("领导姓名疑似写错").waitFor();
  const reviewMarks = await reviewer.evaluate(() => [...(CSS.highlights.get("zq-veto") || [])].map((r) => r.toString()));
  assert.deepEqual(reviewMarks, ["李明化"], "marked in the reviewer's copy of the body too");
  // Approving without the 保密审查 box and without a reason is refused, with both asked for.
  await reviewer.getByRole("button", { name: "审核通过并发布" }).click();
  await reviewer.locator("#err-secrecy").waitFor();
  await reviewer.getByLabel(/已进行保密审查/).check();
  await reviewer.getByRole("button", { name: "审核通过并发布" }).click();
  await reviewer.locator("#err-confirmation").waitFor();
  await shot(reviewer, "e11-reviewer-must-confirm");
  await reviewer.getByLabel(/已进行保密审查/).check();
  await reviewer.locator("#f-confirmation").fill("已核实，确需发布：引用会议通报原文");
  await reviewer.getByRole("button", { name: "审核通过并发布" }).click();
  await reviewer.getByText("已审核通过并发布到网站").waitFor();
  await reviewer.getByText("核实后发布").first().waitFor();
  await shot(reviewer, "e12-confirmed-and-published");

  // --- At phone width, the list and the editor fit the screen. -------------------------
  await editor.setViewportSize({ width: 390, height: 844 });
  for (const url of [`${ADMIN}/admin/articles`, wordDraftUrl]) {
    await editor.goto(url);
    const [scroll, inner] = await editor.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scroll <= inner, `${url} fits a phone: ${scroll} > ${inner}`);
  }
  await shot(editor, "e13-phone-article");
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
