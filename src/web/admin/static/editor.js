// zhanqun admin: the rich body editor. Turns the article form's Markdown textarea into a
// Jodit editor (vendored, see vendor/jodit/README.md), cleans what is pasted from Word and
// WPS, lays a document out the way official documents are laid out (一键排版), and inserts
// images at the cursor after uploading them. Without script the textarea keeps working as
// plain Markdown. Whatever this file lets through, the server sanitises again
// (src/content/richtext.rs): nothing here is a security boundary.
(function () {
  "use strict";
  var textarea = document.getElementById("f-body");
  var source = document.getElementById("f-body-html");
  var format = document.getElementById("f-body_format");
  if (!textarea || !source || !format || !window.Jodit) return;

  var KEEP_STYLE = { "text-align": /^(left|right|center|justify)$/, "text-indent": /^[\d.]+(em|pt|px|cm)$/, "margin-left": /^[\d.]+(em|pt|px|cm)$/ };
  var KEEP_ATTRS = { A: ["href", "title"], IMG: ["src", "alt", "width", "height"], TD: ["colspan", "rowspan"], TH: ["colspan", "rowspan", "scope"], OL: ["start"] };
  var DROP = ["SCRIPT", "STYLE", "META", "LINK", "TITLE", "XML", "HEAD", "OBJECT", "EMBED", "IFRAME", "SVG", "MATH", "FORM", "INPUT", "BUTTON", "SELECT", "TEXTAREA", "CANVAS", "VIDEO", "AUDIO", "NOSCRIPT", "TEMPLATE"];
  var UNWRAP = ["SPAN", "FONT", "SECTION", "ARTICLE", "HEADER", "FOOTER", "MAIN", "CENTER", "ABBR", "ACRONYM", "BIG", "SMALL", "MARK", "INS", "LABEL", "NOBR"];
  var BLOCKS = "P,DIV,H1,H2,H3,H4,H5,H6,UL,OL,BLOCKQUOTE,TABLE,FIGURE,HR,PRE";

  // --- Word and WPS clipboards -------------------------------------------------------
  // Word marks list paragraphs with `mso-list` and writes the bullet or number itself in a
  // span marked `mso-list:Ignore`; they become real lists here.
  function wordLists(root) {
    var paras = Array.prototype.slice.call(root.querySelectorAll("p"));
    var list = null;
    paras.forEach(function (p) {
      var style = p.getAttribute("style") || "";
      var isItem = /mso-list:\s*l\d/i.test(style) || /MsoListParagraph/i.test(p.className);
      if (!isItem) { list = null; return; }
      var marker = p.querySelector("[style*='mso-list:Ignore'], [style*='mso-list: Ignore']");
      var numbered = marker ? /^[\s\u00a0]*[(（]?[\dA-Za-z一二三四五六七八九十]+[.、)）]/.test(marker.textContent) : false;
      if (marker) marker.remove();
      var kind = numbered ? "OL" : "UL";
      var prev = p.previousElementSibling;
      if (!list || prev !== list || list.tagName !== kind) {
        list = root.ownerDocument.createElement(kind);
        p.parentNode.insertBefore(list, p);
      }
      var li = root.ownerDocument.createElement("li");
      while (p.firstChild) li.appendChild(p.firstChild);
      list.appendChild(li);
      p.remove();
    });
  }

  function keepStyle(el) {
    var kept = [];
    var align = el.getAttribute("align");
    var style = el.getAttribute("style") || "";
    if (align && KEEP_STYLE["text-align"].test(align.toLowerCase())) kept.push("text-align: " + align.toLowerCase());
    style.split(";").forEach(function (decl) {
      var i = decl.indexOf(":");
      if (i < 0) return;
      var prop = decl.slice(0, i).trim().toLowerCase();
      var val = decl.slice(i + 1).trim().toLowerCase();
      if (KEEP_STYLE[prop] && KEEP_STYLE[prop].test(val) && !(prop !== "text-align" && parseFloat(val) === 0)) {
        kept = kept.filter(function (k) { return k.indexOf(prop + ":") !== 0; });
        kept.push(prop + ": " + val);
      }
    });
    return kept.join("; ");
  }

  function cleanElement(el) {
    var tag = el.tagName;
    var keep = KEEP_ATTRS[tag] || [];
    var style = /^(P|DIV|H[1-6]|LI|TD|TH)$/.test(tag) ? keepStyle(el) : "";
    Array.prototype.slice.call(el.attributes).forEach(function (a) {
      if (keep.indexOf(a.name.toLowerCase()) < 0) el.removeAttribute(a.name);
    });
    if (style) el.setAttribute("style", style);
    if (tag === "A" && /^\s*(javascript|vbscript|data):/i.test(el.getAttribute("href") || "")) el.removeAttribute("href");
  }

  function unwrap(el) {
    var parent = el.parentNode;
    while (el.firstChild) parent.insertBefore(el.firstChild, el);
    parent.removeChild(el);
  }

  /** Cleans HTML from the clipboard (or anywhere) and returns a fragment container. */
  function clean(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var root = doc.body;
    // Comments, including Word's conditional ones, go first.
    var walker = doc.createTreeWalker(root, NodeFilter.SHOW_COMMENT);
    var comments = [];
    while (walker.nextNode()) comments.push(walker.currentNode);
    comments.forEach(function (c) { c.remove(); });
    wordLists(root);
    var all = Array.prototype.slice.call(root.querySelectorAll("*")).reverse();
    all.forEach(function (el) {
      var tag = el.tagName.toUpperCase();
      if (tag === "O:P" || DROP.indexOf(tag) >= 0) { el.remove(); return; }
      if (tag.indexOf(":") >= 0 || UNWRAP.indexOf(tag) >= 0) { unwrap(el); return; }
      if (tag === "B" || tag === "I") {
        // Word writes <b> around whole headings; kept as strong/em so screen readers say it.
        var repl = doc.createElement(tag === "B" ? "strong" : "em");
        while (el.firstChild) repl.appendChild(el.firstChild);
        el.parentNode.replaceChild(repl, el);
        return;
      }
      cleanElement(el);
      // Only images the clipboard carries can be uploaded; one that lives on the writer's
      // disk (file:) or on another site (which the public pages may not load) cannot.
      if (tag === "IMG" && !/^(data:image\/(png|jpeg|gif);|\/(admin\/)?files\/)/i.test(el.getAttribute("src") || "")) {
        el.setAttribute("data-unreadable", "1");
      }
    });
    // Inline wrappers left empty by the cleaning go.
    Array.prototype.slice.call(root.querySelectorAll("strong,em,u,a,sub,sup")).forEach(function (el) {
      if (!el.textContent.replace(/[\s\u00a0]/g, "") && !el.querySelector("img")) unwrap(el);
    });
    return root;
  }

  // --- 一键排版 ----------------------------------------------------------------------
  var SIGNATURE = /^(.{2,30}(局|委|委员会|办|办公室|政府|中心|院|所|站|队|部|厅|处|会|公司|小组|领导小组|（盖章）))$|^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$|^[二〇○零一二三四五六七八九十]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日$/;
  function isEmptyBlock(el) {
    return !el.textContent.replace(/[\s\u00a0\u3000]/g, "") && !el.querySelector("img,table,hr");
  }
  function layout(root) {
    var doc = root.ownerDocument;
    Array.prototype.slice.call(root.querySelectorAll("span,font")).forEach(unwrap);
    Array.prototype.slice.call(root.querySelectorAll("[style]")).forEach(function (el) {
      var style = keepStyle(el).split("; ").filter(function (s) { return s.indexOf("text-align") === 0; }).join("; ");
      if (style) el.setAttribute("style", style); else el.removeAttribute("style");
    });
    var blocks = Array.prototype.slice.call(root.children);
    blocks.forEach(function (el) { if (/^(P|DIV)$/.test(el.tagName) && isEmptyBlock(el)) el.remove(); });
    blocks = Array.prototype.slice.call(root.children).filter(function (el) { return el.tagName === "P" || el.tagName === "DIV"; });
    // Leading full-width spaces typed for indentation give way to the first-line indent.
    blocks.forEach(function (p) {
      var first = p.firstChild;
      if (first && first.nodeType === 3) first.nodeValue = first.nodeValue.replace(/^[\s\u00a0\u3000]+/, "");
    });
    // The signature: the last short lines that name an office or a date.
    var signature = [];
    for (var i = blocks.length - 1; i >= 0 && signature.length < 3; i--) {
      var lines = blocks[i].innerText.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
      if (lines.length && lines.every(function (l) { return SIGNATURE.test(l); })) signature.push(blocks[i]); else break;
    }
    var title = blocks[0];
    var titleLike = title && signature.indexOf(title) < 0 && title.textContent.trim().length <= 40 &&
      (/text-align:\s*center/.test(title.getAttribute("style") || "") || (title.querySelector("strong,b") && title.querySelector("strong,b").textContent.trim() === title.textContent.trim()));
    // The addressees (主送机关, "各科室：") stand at the margin, right under the title.
    var addressee = blocks[titleLike ? 1 : 0];
    var isAddressee = addressee && signature.indexOf(addressee) < 0 && /[：:]$/.test(addressee.textContent.trim()) && addressee.textContent.trim().length <= 60;
    blocks.forEach(function (p) {
      var onlyImages = !p.textContent.replace(/[\s\u00a0\u3000\ufeff]/g, "") && p.querySelector("img");
      if (signature.indexOf(p) >= 0) p.setAttribute("style", "text-align: right");
      else if ((titleLike && p === title) || onlyImages) p.setAttribute("style", "text-align: center");
      else if (isAddressee && p === addressee) p.setAttribute("style", "text-indent: 0");
      else if (/text-align:\s*(center|right)/.test(p.getAttribute("style") || "")) return;
      else p.setAttribute("style", "text-indent: 2em");
    });
    Array.prototype.slice.call(root.querySelectorAll("h1,h2")).forEach(function (h) { h.setAttribute("style", "text-align: center"); });
    return doc;
  }

  // --- The editor ------------------------------------------------------------------
  var main = document.getElementById("main");
  var csrf = main ? main.getAttribute("data-csrf") : "";
  textarea.value = source.value;
  format.value = "html";

  var imageDialog = document.getElementById("image-dialog");
  var editor = Jodit.make(textarea, {
    language: "zh_cn",
    i18n: { zh_cn: {
      "Alternative text": "图片说明（替代文字）", "Alternative": "图片说明", "Title": "标题", "Src": "图片地址",
      "Link": "链接", "Break": "换行", "Classes": "样式类", "Anchor": "锚点",
    } },
    toolbarAdaptive: false,
    // Keyboard users reach every toolbar button and the text with Tab (Jodit's default keeps
    // both out of the tab order).
    allowTabNavigation: true,
    tabIndex: 0,
    toolbarSticky: true,
    height: 460,
    minHeight: 260,
    placeholder: "在此输入正文，或从 Word、WPS 复制粘贴",
    showCharsCounter: true,
    showWordsCounter: false,
    showXPathInStatusbar: false,
    askBeforePasteHTML: false,
    askBeforePasteFromWord: false,
    beautifyHTML: false,
    sourceEditor: "area",
    sourceEditorCDNUrlsJS: [],
    beautifyHTMLCDNUrlsJS: [],
    disablePlugins: ["speech-recognize", "video", "file", "iframe", "print", "about", "powered-by-jodit", "ai-assistant", "spellcheck", "media", "font", "color", "classSpan", "lineHeight", "xpath", "drag-and-drop-element", "copyformat"],
    uploader: { insertImageAsBase64URI: false, url: "" },
    // Pasted data: images stay as they are until editor.js uploads them.
    imageProcessor: { replaceDataURIToBlobIdInView: false },
    link: { noFollowCheckbox: false, openInNewTabCheckbox: false },
    image: { editSrc: false, editClass: false, editStyle: false, editId: false, editBorderRadius: false, editMargins: false, editLink: false, useImageEditor: false },
    controls: {
      paragraph: { list: { p: "正文", h2: "标题", h3: "小标题", h4: "三级标题", blockquote: "引用" } },
    },
    buttons: [
      "paragraph", "bold", "italic", "underline", "|", "ul", "ol", "outdent", "indent", "|", "left", "center", "right", "justify", "|",
      { name: "zqindent", text: "首行缩进", tooltip: "光标所在段落首行缩进 2 字，再点一次取消", exec: function (ed) { toggleFirstLineIndent(ed); } },
      "link", "table",
      { name: "zqheader", text: "表头行", tooltip: "把光标所在表格的第一行设为表头（读屏软件据此朗读列名）", exec: function (ed) { toggleHeaderRow(ed); } },
      { name: "zqimage", icon: "image", tooltip: "插入图片（上传后插入到光标处）", exec: function () { openImageDialog(); } },
      { name: "zqcaption", text: "图注", tooltip: "为选中的图片加上图注（图片下方的说明文字），再点一次去掉", exec: function (ed) { toggleCaption(ed); } },
      "hr", "|", "undo", "redo", "eraser", "|",
      { name: "zqlayout", text: "一键排版", tooltip: "首行缩进 2 字、标题居中、落款右对齐，清除多余空行与格式", exec: function (ed) { oneKeyLayout(ed); } },
      { name: "zqword", text: "导入 Word", tooltip: "从 Word 文档（.docx）导入正文和图片", exec: function () { wordInput.click(); } },
      "fullsize",
    ],
  });
  // The editing area says what it is to screen readers.
  editor.editor.setAttribute("role", "textbox");
  editor.editor.setAttribute("aria-multiline", "true");
  editor.editor.setAttribute("aria-labelledby", "l-body");
  var toolbarBox = editor.container.querySelector(".jodit-toolbar__box");
  if (toolbarBox) {
    toolbarBox.setAttribute("role", "toolbar");
    toolbarBox.setAttribute("aria-label", "正文格式");
  }

  // Jodit's synchronizeValues() is throttled and may skip the last keystrokes;
  // setEditorValue() with no value writes the body into the textarea at once.
  function syncNow() { editor.setEditorValue(); }
  window.zqEditor = {
    sync: syncNow,
    setHtml: function (html) { editor.value = html; },
    insertImage: function (url, alt) {
      editor.s.insertHTML(imgHtml("/admin" + url, alt));
      syncNow();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
    instance: editor,
  };

  editor.events.on("change", function () {
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  });

  function say(text) {
    var status = document.getElementById("editor-status");
    if (status) status.textContent = text;
  }

  // Paste: ours, not Jodit's. Caught on the way down to the editing area, before Jodit's own
  // handlers (whose Word handling keeps fonts and classes): Word and WPS HTML is cleaned,
  // plain text keeps its paragraphs.
  editor.container.addEventListener("paste", function (e) {
    var dt = e.clipboardData;
    if (!dt || !editor.editor.contains(e.target)) return;
    var html = dt.getData("text/html");
    var files = Array.prototype.filter.call(dt.files || [], function (f) { return /^image\//.test(f.type); });
    var root;
    if (html) {
      root = clean(html);
    } else {
      var text = dt.getData("text/plain");
      if (!text && !files.length) return;
      root = document.implementation.createHTMLDocument("").body;
      (text || "").replace(/\r\n?/g, "\n").split(/\n/).forEach(function (line) {
        if (!line.trim()) return;
        var p = root.ownerDocument.createElement("p");
        p.textContent = line.replace(/\u00a0/g, " ");
        root.appendChild(p);
      });
      if (!text) files.forEach(function () {
        var img = root.ownerDocument.createElement("img");
        img.setAttribute("data-unreadable", "1");
        root.appendChild(img);
      });
    }
    e.preventDefault();
    e.stopImmediatePropagation();
    var stamp = "zq" + Date.now();
    var pending = Array.prototype.slice.call(root.querySelectorAll("img"));
    pending.forEach(function (img, i) { img.setAttribute("data-paste", stamp + "-" + i); });
    insertPasted(root);
    syncNow();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    collectPastedImages(stamp, pending.length, files);
  }, true);

  // Blocks (paragraphs, tables, lists) never land inside the paragraph holding the cursor:
  // they replace it when it is empty and follow it otherwise. Inline text goes at the cursor.
  function insertPasted(root) {
    var hasBlocks = Array.prototype.some.call(root.children, function (c) { return c.matches(BLOCKS); });
    var node = editor.s.current();
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    var block = el && el.closest(BLOCKS);
    if (!hasBlocks || !block || !editor.editor.contains(block) || block === editor.editor) {
      editor.s.insertHTML(root.innerHTML);
      return;
    }
    while (block.parentElement !== editor.editor && editor.editor.contains(block.parentElement)) block = block.parentElement;
    var nodes = Array.prototype.slice.call(root.childNodes).filter(function (n) { return n.nodeType === 1 || n.textContent.trim(); });
    var last = null;
    var anchor = block.nextSibling;
    nodes.forEach(function (n) {
      var imported = editor.ed.importNode(n, true);
      if (imported.nodeType === 3) { var p = editor.ed.createElement("p"); p.appendChild(imported); imported = p; }
      editor.editor.insertBefore(imported, anchor);
      last = imported;
    });
    if (isEmptyBlock(block)) block.remove();
    if (last) editor.s.setCursorAfter(last);
  }

  // Pasted images: those the clipboard carries (data: or as files) are uploaded after the
  // editor names them; the ones Word only refers to on its own disk cannot be read and are
  // taken out with a note saying so. With `trustAlt` (a Word document's images), an image that
  // already has alt text is uploaded without asking.
  function collectPastedImages(stamp, count, files, trustAlt) {
    var queue = [];
    var lost = 0;
    var fileIndex = 0;
    for (var i = 0; i < count; i++) {
      var img = editor.editor.querySelector("img[data-paste='" + stamp + "-" + i + "']");
      if (!img) continue;
      var src = img.getAttribute("src") || "";
      var blob = null;
      if (/^data:image\/(png|jpeg|gif);base64,/i.test(src)) blob = dataUrlToBlob(src);
      else if (img.getAttribute("data-unreadable") && fileIndex < files.length) blob = files[fileIndex++];
      if (blob) queue.push({ img: img, blob: blob });
      else if (img.getAttribute("data-unreadable") || !/^\/(admin\/)?files\//.test(src)) { img.remove(); lost++; }
      else { img.removeAttribute("data-paste"); }
    }
    if (lost) say("有 " + lost + " 张图片无法从剪贴板读取（只存在于原文档所在的电脑上，或来自其他网站），已略去，请用“插入图片”逐张上传。");
    function next() {
      var item = queue.shift();
      if (!item) { syncNow(); textarea.dispatchEvent(new Event("input", { bubbles: true })); return; }
      var alt = (item.img.getAttribute("alt") || "").trim();
      if (trustAlt && alt) {
        uploadImage(item.blob, alt).then(function (src) { placeImage(item.img, src, alt); next(); })
          .catch(function (ex) { item.img.remove(); say(ex.message || "图片上传失败"); next(); });
      } else {
        openImageDialog({ blob: item.blob, img: item.img, done: next });
      }
    }
    next();
  }

  function imgHtml(src, alt) {
    var attr = function (v) { return v.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;"); };
    return "<img src=\"" + attr(src) + "\" alt=\"" + attr(alt) + "\">";
  }

  function placeImage(img, src, alt) {
    img.setAttribute("src", src);
    img.setAttribute("alt", alt);
    img.removeAttribute("data-paste");
    img.removeAttribute("data-unreadable");
  }

  /** Uploads an image as a file of the draft (saving a new draft first); its admin address. */
  function uploadImage(blob, alt, keepOriginal) {
    var data = new FormData();
    var name = blob.name || ("粘贴的图片." + (blob.type.split("/")[1] || "png").replace("jpeg", "jpg"));
    data.append("file", blob, name);
    data.append("alt", alt);
    if (keepOriginal) data.append("keep_original", "on");
    return window.zqEnsureSaved().then(function (id) {
      return fetch("/admin/articles/" + id + "/attachments", {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }, body: data,
      }).then(function (r) { return r.json(); });
    }).then(function (j) {
      if (!j.ok) throw new Error(j.error || "上传失败");
      return "/admin" + j.url;
    });
  }

  function dataUrlToBlob(url) {
    var comma = url.indexOf(",");
    var mime = url.slice(5, url.indexOf(";"));
    var bin = atob(url.slice(comma + 1));
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Blob([bytes], { type: mime });
  }

  // --- Images: one dialog for the toolbar and for pasted images ------------------------
  // The alt text is asked for every image; the upload lands the image at the cursor (or in
  // place of the pasted one), once.
  var dialogState = null;
  var savedRange = null;
  function openImageDialog(opts) {
    opts = opts || {};
    if (!imageDialog) return;
    savedRange = editor.s.range ? editor.s.range.cloneRange() : null;
    dialogState = opts;
    var file = imageDialog.querySelector("#img-file");
    var alt = imageDialog.querySelector("#img-alt");
    var thumb = imageDialog.querySelector("#img-thumb");
    var err = imageDialog.querySelector("#img-error");
    err.hidden = true;
    alt.value = "";
    file.value = "";
    file.closest("p").hidden = Boolean(opts.blob);
    imageDialog.querySelector("#img-original").checked = false;
    thumb.hidden = !opts.blob;
    if (opts.blob) thumb.src = URL.createObjectURL(opts.blob);
    imageDialog.showModal();
    (opts.blob ? alt : file).focus();
  }
  if (imageDialog) {
    imageDialog.addEventListener("close", function () {
      var st = dialogState;
      dialogState = null;
      if (!st) return;
      if (imageDialog.returnValue !== "ok") {
        if (st.img) st.img.remove();
        if (st.done) st.done();
      }
    });
    imageDialog.querySelector("#img-cancel").addEventListener("click", function () { imageDialog.close("cancel"); });
    imageDialog.querySelector("form").addEventListener("submit", function (e) {
      e.preventDefault();
      var st = dialogState;
      var err = imageDialog.querySelector("#img-error");
      var alt = imageDialog.querySelector("#img-alt").value.trim();
      var fileInput = imageDialog.querySelector("#img-file");
      var blob = st && st.blob ? st.blob : fileInput.files[0];
      if (!blob) { err.textContent = "请选择图片文件"; err.hidden = false; return; }
      if (!alt) { err.textContent = "请填写图片说明：读屏软件会把它读给视障读者"; err.hidden = false; return; }
      var button = imageDialog.querySelector("button[value=ok]");
      button.disabled = true;
      button.textContent = "上传中……";
      uploadImage(blob, alt, imageDialog.querySelector("#img-original").checked).then(function (src) {
        if (st && st.img) {
          placeImage(st.img, src, alt);
        } else {
          if (savedRange) editor.s.selectRange(savedRange);
          editor.s.insertHTML(imgHtml(src, alt));
        }
        syncNow();
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
        dialogState = null;
        imageDialog.close("ok");
        if (st && st.done) st.done();
      }).catch(function (ex) {
        err.textContent = ex.message || "上传失败，请检查网络后重试";
        err.hidden = false;
      }).finally(function () {
        button.disabled = false;
        button.textContent = "上传并插入";
      });
    });
  }

  // --- 导入 Word: the server converts (content::docx), the images arrive as a paste's ------
  var wordInput = document.createElement("input");
  wordInput.type = "file";
  wordInput.accept = ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  wordInput.hidden = true;
  wordInput.id = "word-file";
  wordInput.setAttribute("aria-label", "选择要导入的 Word 文件");
  textarea.parentNode.insertBefore(wordInput, textarea);
  wordInput.addEventListener("change", function () {
    var file = wordInput.files[0];
    if (!file) return;
    var data = new FormData();
    data.append("file", file, file.name);
    say("正在导入“" + file.name + "”……");
    fetch("/admin/articles/word", {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }, body: data,
    }).then(function (r) { return r.json(); }).then(function (j) {
      wordInput.value = "";
      if (!j.ok) { say("未能导入：" + (j.error || "文档无法读取")); return; }
      var title = document.getElementById("f-title");
      if (title && !title.value.trim() && j.title) title.value = j.title;
      var root = document.implementation.createHTMLDocument("").body;
      root.innerHTML = j.html;
      var stamp = "zqw" + Date.now();
      var imgs = Array.prototype.slice.call(root.querySelectorAll("img"));
      imgs.forEach(function (img, i) {
        var n = Number((img.getAttribute("src") || "").replace("zq-docx-image-", ""));
        var image = j.images[n];
        if (image) img.setAttribute("src", image.data); else img.remove();
        img.setAttribute("data-paste", stamp + "-" + i);
      });
      if (isEmptyBlock(editor.editor)) editor.value = ""; // an empty body is filled, not appended to
      editor.s.focus();
      insertPasted(root);
      syncNow();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      say("已导入“" + file.name + "”" + (imgs.length ? "，共 " + imgs.length + " 张图片" : "") + "。请核对格式，必要时使用“一键排版”。");
      collectPastedImages(stamp, imgs.length, [], true);
    }).catch(function () { wordInput.value = ""; say("导入失败，请检查网络后重试"); });
  });

  // --- Tables: the header row ---------------------------------------------------------
  function toggleHeaderRow(ed) {
    var node = ed.s.current();
    var table = node && (node.nodeType === 1 ? node : node.parentElement).closest("table");
    if (!table || !ed.editor.contains(table)) { say("请先把光标放在表格中"); return; }
    var row = table.rows[0];
    if (!row) return;
    var toHeader = row.cells[0] && row.cells[0].tagName === "TD";
    Array.prototype.slice.call(row.cells).forEach(function (cell) {
      var repl = ed.ed.createElement(toHeader ? "th" : "td");
      Array.prototype.forEach.call(cell.attributes, function (a) { repl.setAttribute(a.name, a.value); });
      if (toHeader) repl.setAttribute("scope", "col"); else repl.removeAttribute("scope");
      while (cell.firstChild) repl.appendChild(cell.firstChild);
      cell.parentNode.replaceChild(repl, cell);
    });
    syncNow();
    say(toHeader ? "已把第一行设为表头" : "已取消表头");
  }

  function currentBlock(ed) {
    var node = ed.s.current();
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    var block = el && el.closest("p,h2,h3,h4,li,div");
    return block && ed.editor.contains(block) && block !== ed.editor ? block : null;
  }

  // The default theme indents every paragraph; this sets or clears it for one explicitly.
  function toggleFirstLineIndent(ed) {
    var p = currentBlock(ed);
    if (!p || p.tagName !== "P") { say("请先把光标放在要缩进的段落中"); return; }
    var indented = p.style.textIndent !== "0px" && p.style.textIndent !== "0";
    p.style.textIndent = indented ? "0" : "2em";
    syncNow();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    say(indented ? "已取消该段首行缩进" : "该段已首行缩进 2 字");
  }

  // An image with a caption is a <figure> with a <figcaption>, which the caption's text is
  // typed into in place.
  function toggleCaption(ed) {
    var node = ed.s.current();
    var img = node && node.nodeType === 1 && node.tagName === "IMG" ? node : (node && node.nodeType === 1 ? node.querySelector("img") : null);
    if (!img || !ed.editor.contains(img)) { say("请先点选一张图片"); return; }
    var figure = img.closest("figure");
    if (figure) {
      var p = ed.ed.createElement("p");
      p.setAttribute("style", "text-align: center");
      p.appendChild(img);
      figure.parentNode.replaceChild(p, figure);
      say("已去掉图注");
    } else {
      var block = img.closest("p,div");
      figure = ed.ed.createElement("figure");
      var caption = ed.ed.createElement("figcaption");
      caption.textContent = img.getAttribute("alt") || "图注";
      figure.appendChild(img);
      figure.appendChild(caption);
      if (block && ed.editor.contains(block) && block !== ed.editor) {
        block.parentNode.insertBefore(figure, block.nextSibling);
        if (isEmptyBlock(block)) block.remove();
      } else {
        ed.s.insertNode(figure);
      }
      ed.s.select(caption, true);
      say("已加图注，可直接修改图片下方的文字");
    }
    syncNow();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function oneKeyLayout(ed) {
    var doc = document.implementation.createHTMLDocument("");
    doc.body.innerHTML = ed.value;
    layout(doc.body);
    ed.value = doc.body.innerHTML;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    say("已排版：正文首行缩进 2 字，标题居中，落款右对齐，多余空行和格式已清除");
  }

  // Exposed for the browser tests and for the Word import.
  window.zqRich = { clean: function (html) { return clean(html).innerHTML; }, layout: function (html) {
    var doc = document.implementation.createHTMLDocument("");
    doc.body.innerHTML = html;
    return layout(doc.body).body.innerHTML;
  } };
})();
