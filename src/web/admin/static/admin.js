// zhanqun admin: the few things a server-rendered page cannot do alone. Everything works
// without this file; with it the editor gets a live preview, autosave, a formatting toolbar
// and uploads without leaving the page.
(function () {
  "use strict";
  var main = document.getElementById("main");
  var csrf = main ? main.getAttribute("data-csrf") : "";

  // Forms that ask before doing something that cannot be undone.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
    });
  });

  // The printable reports' print button.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });

  // “全选本页”: ticks every row's box of the list.
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var name = all.getAttribute("data-select-all");
    all.addEventListener("change", function () {
      document.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (b) { b.checked = all.checked; });
    });
  });

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  var form = document.getElementById("article-form");
  if (!form) return;
  var body = document.getElementById("f-body");
  var preview = document.getElementById("preview");
  var status = document.getElementById("autosave-status");
  var id = form.getAttribute("data-id");
  var backupKey = "zhanqun-draft-" + (id || "new");
  var dirty = false;
  var saving = false;

  function fields() {
    if (window.zqEditor) window.zqEditor.sync();
    var data = new URLSearchParams(new FormData(form));
    data.delete("intent");
    return data;
  }

  function say(text) { if (status) status.textContent = text; }

  // --- Without the rich editor (editor.js), the body is a Markdown textarea ---------
  function insertAtCursor(text) {
    body.setRangeText(text, body.selectionStart, body.selectionEnd, "end");
    body.focus();
    changed();
  }
  body.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); autosave(); }
  });
  // Pasted text keeps its paragraphs: Windows line ends become \n, and text copied from web
  // pages or Word (text/plain) arrives as plain text, which is valid Markdown.
  body.addEventListener("paste", function (e) {
    var text = e.clipboardData && e.clipboardData.getData("text/plain");
    if (!text) return;
    e.preventDefault();
    body.setRangeText(text.replace(/\r\n?/g, "\n").replace(/\u00a0/g, " "), body.selectionStart, body.selectionEnd, "end");
    changed();
  });
  document.querySelectorAll("[data-insert-image]").forEach(function (b) {
    b.addEventListener("click", function () {
      var alt = b.getAttribute("data-alt") || "图片";
      var url = b.getAttribute("data-insert-image");
      if (window.zqEditor) window.zqEditor.insertImage(url, alt);
      else insertAtCursor("\n![" + alt + "](" + url + ")\n");
    });
  });

  // --- Live preview through the site's theme ---------------------------------------
  var previewTimer = null;
  function refreshPreview() {
    var data = fields();
    if (id) data.set("id", id);
    fetch("/admin/articles/preview", {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: data.toString(),
    }).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null && preview) preview.srcdoc = html; })
      .catch(function () {});
  }

  // --- Autosave: to the server every few seconds after a change, and to this browser at
  // once, so that a closed tab or a lost connection loses nothing. ------------------
  var saveTimer = null;
  function changed() {
    dirty = true;
    try { localStorage.setItem(backupKey, JSON.stringify({ at: Date.now(), data: fields().toString() })); } catch (e) {}
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 400);
    clearTimeout(saveTimer);
    saveTimer = setTimeout(autosave, 3000);
    say("有未保存的修改");
  }
  function adopt(newId) {
    id = String(newId);
    form.setAttribute("data-id", id);
    form.action = "/admin/articles/" + id;
    history.replaceState(null, "", "/admin/articles/" + id);
    try { localStorage.removeItem("zhanqun-draft-new"); } catch (e) {}
    backupKey = "zhanqun-draft-" + id;
    var upload = document.getElementById("upload-form");
    if (upload) upload.action = "/admin/articles/" + id + "/attachments";
  }
  // The draft's id, saving it first if it has none yet: files can be added before the first
  // save, and stay with the draft they were added to.
  window.zqEnsureSaved = function () {
    if (id) return Promise.resolve(id);
    return fetch("/admin/articles/autosave", {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: fields().toString(),
    }).then(function (r) { return r.json(); }).then(function (j) {
      if (!j.ok || !j.id) {
        throw new Error("请先保存草稿：" + (j.error || (j.errors || []).map(function (e) { return e.message; }).join("；")));
      }
      adopt(j.id);
      dirty = false;
      return id;
    });
  };
  function autosave() {
    if (!dirty || saving) return Promise.resolve();
    saving = true;
    dirty = false;
    var url = id ? "/admin/articles/" + id + "/autosave" : "/admin/articles/autosave";
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: fields().toString(),
    }).then(function (r) { return r.json().then(function (j) { return { status: r.status, json: j }; }); })
      .then(function (res) {
        saving = false;
        if (res.json.ok) {
          if (!id && res.json.id) adopt(res.json.id);
          try { localStorage.removeItem(backupKey); } catch (e) {}
          say("已自动保存 " + res.json.saved_at);
          if (window.zqChecks) window.zqChecks.update(res.json.panel);
        } else {
          dirty = true;
          var msg = res.json.error || (res.json.errors || []).map(function (e) { return e.message; }).join("；");
          say("未能自动保存：" + msg);
        }
      })
      .catch(function () { saving = false; dirty = true; say("网络中断，修改已暂存在本机，恢复后自动保存"); });
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // The editor writes its body into the form's textarea after a short delay; a submit that
  // comes sooner must still carry the last keystrokes.
  form.addEventListener("submit", function () {
    if (window.zqEditor) window.zqEditor.sync();
    dirty = false;
    clearTimeout(saveTimer);
  });
  // Leaving the page: send what is unsaved with a beacon, which outlives the tab.
  window.addEventListener("pagehide", function () {
    if (!dirty || !id) return;
    var data = fields();
    navigator.sendBeacon("/admin/articles/" + id + "/autosave", new Blob([data.toString()], { type: "application/x-www-form-urlencoded" }));
  });
  setInterval(autosave, 15000);

  // A copy kept in this browser that is newer than the page: offer it back.
  try {
    var saved = JSON.parse(localStorage.getItem(backupKey) || "null");
    if (saved && saved.data && saved.data !== fields().toString() && Date.now() - saved.at < 7 * 864e5) {
      var bar = document.createElement("div");
      bar.className = "flash warn";
      bar.setAttribute("role", "status");
      bar.innerHTML = "本机保存有一份未提交到服务器的修改。 <button type=\"button\" class=\"small\">恢复</button> <button type=\"button\" class=\"small link\">丢弃</button>";
      form.parentNode.insertBefore(bar, form);
      bar.querySelector("button").addEventListener("click", function () {
        new URLSearchParams(saved.data).forEach(function (v, k) {
          var el = form.elements.namedItem(k);
          if (!el || k === "_csrf") return;
          if (el.type === "checkbox") el.checked = true; else if (el.length && !el.tagName) {
            Array.prototype.forEach.call(el, function (r) { r.checked = r.value === v; });
          } else el.value = v;
          if (k === "body" && window.zqEditor) window.zqEditor.setHtml(v);
        });
        bar.remove();
        changed();
      });
      bar.querySelector(".link").addEventListener("click", function () { localStorage.removeItem(backupKey); bar.remove(); });
    }
  } catch (e) {}

  if (preview && !preview.getAttribute("src")) refreshPreview();

  // --- Uploads without leaving the page, before the first save too ------------------
  var upload = document.getElementById("upload-form");
  if (upload) {
    upload.hidden = false;
    var later = document.getElementById("upload-later");
    if (later) later.hidden = true;
    upload.addEventListener("submit", function (e) {
      e.preventDefault();
      var err = document.getElementById("upload-error");
      err.hidden = true;
      var button = upload.querySelector("button");
      button.disabled = true;
      button.textContent = "上传中……";
      window.zqEnsureSaved().then(function (savedId) {
        return fetch("/admin/articles/" + savedId + "/attachments", {
          method: "POST", credentials: "same-origin",
          headers: { "X-CSRF-Token": csrf, "Accept": "application/json" },
          body: new FormData(upload),
        }).then(function (r) { return r.json(); });
      }).then(function (j) {
        if (!j.ok) throw new Error(j.error || "上传失败");
        if (j.attachment.mime.indexOf("image/") === 0) {
          if (window.zqEditor) window.zqEditor.insertImage(j.url, j.attachment.alt || "");
          else insertAtCursor("\n![" + j.attachment.alt + "](" + j.url + ")\n");
        }
        return autosave();
      }).then(function () { window.location.reload(); })
        .catch(function (ex) { err.textContent = ex.message || "上传失败，请检查网络后重试"; err.hidden = false; })
        .finally(function () { button.disabled = false; button.textContent = "上传"; });
    });
  }
})();
