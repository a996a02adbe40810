// The content check on the article page: marks each finding in the body (the rich editor's
// text, or the reviewer's read-only copy) without touching the text itself, through the CSS
// Custom Highlight API; "改为" replaces the words as written with the suggested form; autosave
// answers refresh the list. Without script the list is still there, each finding quoted.
(function () {
  "use strict";
  var slot = document.getElementById("checks-slot");
  if (!slot) return;
  var editable = slot.getAttribute("data-editable") === "1";

  function root() {
    if (window.zqEditor && window.zqEditor.instance) return window.zqEditor.instance.editor;
    return document.getElementById("read-body");
  }

  function findings() {
    return Array.prototype.map.call(slot.querySelectorAll("li[data-found]"), function (li) {
      return { found: li.getAttribute("data-found"), fix: li.getAttribute("data-fix"), field: li.getAttribute("data-field"), veto: li.classList.contains("veto") };
    });
  }

  // Every occurrence of `word` in the text nodes under `el`, as ranges.
  function ranges(el, word) {
    var out = [];
    if (!el || !word) return out;
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (var n = walker.nextNode(); n; n = walker.nextNode()) {
      var at = n.data.indexOf(word);
      while (at >= 0) {
        var r = document.createRange();
        r.setStart(n, at);
        r.setEnd(n, at + word.length);
        out.push(r);
        at = n.data.indexOf(word, at + word.length);
      }
    }
    return out;
  }

  function highlight() {
    if (!window.CSS || !CSS.highlights || typeof Highlight === "undefined") return;
    var el = root();
    var veto = new Highlight(), warn = new Highlight();
    findings().forEach(function (f) {
      if (f.field !== "body") return;
      ranges(el, f.found).forEach(function (r) { (f.veto ? veto : warn).add(r); });
    });
    CSS.highlights.set("zq-veto", veto);
    CSS.highlights.set("zq-warn", warn);
  }

  function applyFix(found, fix) {
    var el = root();
    if (!el || !editable) return;
    ranges(el, found).reverse().forEach(function (r) {
      r.deleteContents();
      r.insertNode(document.createTextNode(fix));
    });
    var title = document.getElementById("f-title");
    if (title && title.value.indexOf(found) >= 0) title.value = title.value.split(found).join(fix);
    if (window.zqEditor) window.zqEditor.sync();
    var body = document.getElementById("f-body");
    if (body) body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function wire() {
    slot.querySelectorAll("[data-apply-fix]").forEach(function (b) {
      b.addEventListener("click", function () {
        var li = b.closest("li");
        applyFix(li.getAttribute("data-found"), li.getAttribute("data-fix"));
        li.classList.add("fixed");
        b.disabled = true;
        b.textContent = "已改为“" + li.getAttribute("data-fix") + "”，保存后生效";
        highlight();
      });
    });
    highlight();
  }

  // Puts the panel of an autosave answer in place (rendered by the server from the same
  // template as the page).
  function update(panel) {
    if (typeof panel !== "string") return;
    slot.innerHTML = panel;
    wire();
  }

  window.zqChecks = { update: update, highlight: highlight };
  if (window.zqEditor && window.zqEditor.instance) {
    var timer = null;
    window.zqEditor.instance.events.on("change", function () {
      clearTimeout(timer);
      timer = setTimeout(highlight, 400);
    });
  }
  wire();
})();
