// 字号 大/中/小, 打印 and 浏览次数 on article pages. Without this script the tools and the
// count stay hidden and the page reads at the size the reader's browser asks for. The chosen
// size is kept for the site.
(function () {
  var views = document.querySelector("[data-zq-views]");
  if (views && window.fetch) {
    var url = "/api/counter/" + encodeURIComponent(views.getAttribute("data-zq-views")) +
      "/page?p=" + encodeURIComponent(location.pathname);
    fetch(url).then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
      if (!j || typeof j.views !== "number") return;
      // Views as counted so far (up to a minute old); this one is counted after the page loads.
      views.querySelector("[data-zq-views-n]").textContent = j.views.toLocaleString("zh-CN");
      views.hidden = false;
    }).catch(function () { /* no count shown */ });
  }

  var tools = document.querySelector("[data-zq-tools]");
  var body = document.querySelector(".zq-article-body");
  if (!tools || !body) return;
  var KEY = "zq-article-size";
  var sizes = tools.querySelectorAll("[data-size]");
  function choose(size) {
    body.setAttribute("data-size", size);
    for (var i = 0; i < sizes.length; i++) {
      sizes[i].setAttribute("aria-pressed", String(sizes[i].getAttribute("data-size") === size));
    }
  }
  var saved = null;
  try { saved = window.localStorage.getItem(KEY); } catch (e) { /* storage refused: size for this page only */ }
  if (saved === "l" || saved === "s") choose(saved);
  tools.addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b) return;
    if (b.hasAttribute("data-print")) { window.print(); return; }
    var size = b.getAttribute("data-size");
    choose(size);
    try { window.localStorage.setItem(KEY, size); } catch (e) { /* as above */ }
  });
  tools.hidden = false;
})();
