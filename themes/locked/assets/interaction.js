// The interaction forms of every site of the group (留言, 办理结果查询, 满意度评价).
// The message form first solves the service's proof-of-work challenge (SHA-256 with leading
// zero bits, computed here because crypto.subtle is missing on plain-HTTP pages), then posts.
// Everything the service sends back is inserted as text, never as HTML.
(function () {
  "use strict";

  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];
  var W = new Int32Array(64);

  // SHA-256 of an ASCII string (challenges and nonces are ASCII); returns 8 words.
  function sha256(text) {
    var n = text.length;
    var blocks = ((n + 9 + 63) >> 6) << 4;
    var m = new Int32Array(blocks);
    for (var i = 0; i < n; i++) m[i >> 2] |= (text.charCodeAt(i) & 0xff) << (24 - (i & 3) * 8);
    m[n >> 2] |= 0x80 << (24 - (n & 3) * 8);
    m[blocks - 1] = n * 8;
    var h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a;
    var h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
    for (var off = 0; off < blocks; off += 16) {
      var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      for (var t = 0; t < 64; t++) {
        if (t < 16) {
          W[t] = m[off + t];
        } else {
          var x = W[t - 15], y = W[t - 2];
          var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
          var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
          W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
        }
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (h + S1 + ch + K[t] + W[t]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
    }
    return [h0, h1, h2, h3, h4, h5, h6, h7];
  }

  function zeroBits(words) {
    var n = 0;
    for (var i = 0; i < words.length; i++) {
      if (words[i] === 0) { n += 32; continue; }
      return n + Math.clz32(words[i]);
    }
    return n;
  }

  // Searches in slices so that the page stays responsive; calls done(nonce).
  function solve(challenge, bits, done) {
    var nonce = 0;
    (function slice() {
      var end = nonce + 20000;
      for (; nonce < end; nonce++) {
        if (zeroBits(sha256(challenge + ":" + nonce)) >= bits) return done(String(nonce));
      }
      setTimeout(slice, 0);
    })();
  }

  function post(url, data, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      done(xhr.status, body || { error: "服务暂时不可用，请稍后再试" });
    };
    xhr.onerror = function () { done(0, { error: "网络连接失败，请检查网络后重试；填写的内容仍保留在页面上" }); };
    xhr.send(data);
  }

  function encode(pairs) {
    return pairs.map(function (p) { return encodeURIComponent(p[0]) + "=" + encodeURIComponent(p[1]); }).join("&");
  }

  function fieldsOf(form) {
    var out = [];
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (!el.name || el.disabled) continue;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) continue;
      out.push([el.name, el.value]);
    }
    return out;
  }

  function say(box, text, kind) {
    box.textContent = text;
    box.className = "zq-form-status" + (kind ? " zq-form-" + kind : "");
  }

  function clearErrors(form) {
    var shown = form.querySelectorAll(".zq-field-error");
    for (var i = 0; i < shown.length; i++) shown[i].parentNode.removeChild(shown[i]);
    var bad = form.querySelectorAll("[aria-invalid]");
    for (var j = 0; j < bad.length; j++) bad[j].removeAttribute("aria-invalid");
  }

  function showErrors(form, fields) {
    var first = null;
    (fields || []).forEach(function (f) {
      var el = form.querySelector("[name='" + f.field + "']");
      if (!el) return;
      var holder = el.closest(".zq-field") || el.parentNode;
      var note = document.createElement("p");
      note.className = "zq-field-error";
      note.id = "err-" + f.field;
      note.textContent = f.message;
      holder.appendChild(note);
      el.setAttribute("aria-invalid", "true");
      el.setAttribute("aria-describedby", note.id);
      if (!first) first = el;
    });
    if (first) first.focus();
  }

  // A form protected by the proof of work: the message form and the solicitation comments.
  function protectedForm(form) {
    var box = form.querySelector(".zq-form-status");
    var button = form.querySelector("button[type=submit]");
    var params = new URLSearchParams(location.search);
    var to = params.get("to");
    if (to) {
      var select = form.querySelector("[name=recipient]");
      for (var i = 0; select && i < select.options.length; i++) {
        if (select.options[i].value === to) select.selectedIndex = i;
      }
    }
    var content = form.querySelector("[name=content]");
    var counter = form.querySelector(".zq-count");
    if (content && counter) {
      var update = function () { counter.textContent = content.value.length + " / " + content.getAttribute("maxlength"); };
      content.addEventListener("input", update);
      update();
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearErrors(form);
      button.disabled = true;
      say(box, "正在进行安全验证，请稍候……", "busy");
      var xhr = new XMLHttpRequest();
      xhr.open("GET", form.getAttribute("data-challenge"));
      xhr.onload = function () {
        var c = null;
        try { c = JSON.parse(xhr.responseText); } catch (e) { c = null; }
        if (xhr.status !== 200 || !c || !c.challenge) {
          button.disabled = false;
          return say(box, (c && c.error) || "安全验证暂时不可用，请稍后再试", "error");
        }
        solve(c.challenge, c.bits, function (nonce) {
          say(box, "正在提交……", "busy");
          var data = fieldsOf(form).concat([["challenge", c.challenge], ["nonce", nonce]]);
          post(form.getAttribute("action"), encode(data), function (status, body) {
            button.disabled = false;
            if (status === 201) {
              form.hidden = true;
              var done = document.getElementById(form.getAttribute("data-done"));
              var code = done.querySelector(".zq-code");
              if (code) code.textContent = body.code;
              var due = done.querySelector(".zq-due");
              if (due) due.textContent = body.due_date;
              done.hidden = false;
              done.focus();
              return;
            }
            say(box, body.error, "error");
            showErrors(form, body.fields);
          });
        });
      };
      xhr.onerror = function () {
        button.disabled = false;
        say(box, "网络连接失败，请检查网络后重试；填写的内容仍保留在页面上", "error");
      };
      xhr.send();
    });
  }

  function row(dl, label, value) {
    if (value === null || value === undefined || value === "") return;
    var dt = document.createElement("dt");
    dt.textContent = label;
    var dd = document.createElement("dd");
    dd.textContent = value;
    dl.appendChild(dt);
    dl.appendChild(dd);
  }

  function statusForm(form) {
    var box = form.querySelector(".zq-form-status");
    var result = document.getElementById("zq-status-result");
    var rating = document.getElementById("zq-rating-form");
    var asked = null;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearErrors(form);
      say(box, "正在查询……", "busy");
      asked = fieldsOf(form);
      post(form.getAttribute("action"), encode(asked), function (status, s) {
        result.hidden = true;
        rating.hidden = true;
        if (status !== 200) return say(box, s.error, "error");
        say(box, "", "");
        var dl = result.querySelector("dl");
        dl.textContent = "";
        row(dl, "查询码", s.code);
        row(dl, "标题", s.subject);
        row(dl, "类别", s.category);
        row(dl, "办理状态", s.status);
        row(dl, "提交时间", s.received);
        row(dl, "承办单位", s.unit + (s.transferred ? "（已转办）" : ""));
        row(dl, "受理时间", s.acknowledged);
        row(dl, "受理意见", s.ack_text);
        row(dl, "答复期限", s.answered ? "" : s.due_date);
        row(dl, "答复时间", s.answered_at);
        var reply = result.querySelector(".zq-status-reply");
        reply.hidden = !s.reply;
        reply.querySelector("div").textContent = s.reply || "";
        result.hidden = false;
        rating.hidden = !(s.answered && !s.rating);
        var rated = result.querySelector(".zq-status-rated");
        rated.hidden = !s.rating;
        rated.textContent = s.rating ? "您的满意度评价：" + s.rating + " 分，感谢您的反馈。" : "";
        result.focus();
      });
    });
    rating.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var rbox = rating.querySelector(".zq-form-status");
      post(rating.getAttribute("action"), encode(asked.concat(fieldsOf(rating))), function (status, body) {
        if (status !== 200) return say(rbox, body.error, "error");
        rating.hidden = true;
        form.dispatchEvent(new Event("submit", { cancelable: true }));
      });
    });
  }

  // Today in Beijing, YYYY-MM-DD, whatever the reader's time zone.
  function beijingToday() {
    return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  }

  // A static page keeps the phase it was published with until the next publish; the reader's
  // clock corrects it in between (the service refuses comments out of time anyway).
  function solicitationPhase() {
    var today = beijingToday();
    var phase = document.querySelector(".zq-phase");
    if (phase && !phase.getAttribute("data-final")) {
      var opens = phase.getAttribute("data-opens"), closes = phase.getAttribute("data-closes");
      phase.textContent = today < opens ? "未开始" : today > closes ? "已结束" : "征集中";
    }
    var windowed = document.querySelector("[data-window]");
    if (windowed && (today < windowed.getAttribute("data-opens") || today > windowed.getAttribute("data-closes"))) {
      windowed.hidden = true;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-challenge]");
    for (var i = 0; i < forms.length; i++) protectedForm(forms[i]);
    solicitationPhase();
    var s = document.getElementById("zq-status-form");
    if (s) statusForm(s);
  });

  // For tests: the same digest the service computes.
  window.zqSha256 = function (text) {
    return sha256(text).map(function (w) { return ("0000000" + (w >>> 0).toString(16)).slice(-8); }).join("");
  };
})();
