// hanji serve: live updates for every preview page (Server-Sent Events from /_events).
// The pages work without this script; it only keeps them current while files are saved.
(function () {
  "use strict";
  var body = document.body;
  var doc = body.dataset.doc || "";
  var view = body.dataset.view || "";

  function showProblems(problems) {
    var overlay = document.getElementById("hs-overlay");
    var list = document.getElementById("hs-problems");
    if (!overlay || !list) return;
    list.textContent = "";
    (problems || []).forEach(function (p) {
      var li = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = p.file + (p.line ? ":" + p.line : "");
      li.appendChild(code);
      li.appendChild(document.createTextNode(" " + p.message));
      list.appendChild(li);
    });
    overlay.hidden = !problems || problems.length === 0;
  }

  // Replace the reading view's chapter with the server's new rendering, keeping the scroll.
  function refreshChapter() {
    return fetch(location.href, { cache: "no-store" }).then(function (r) { return r.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html");
        var content = fresh.getElementById("hs-content");
        var mine = document.getElementById("hs-content");
        if (!content || !mine) return;
        var x = window.scrollX, y = window.scrollY;
        var column = document.getElementById("hs-column");
        var inner = column ? column.scrollTop : 0;
        mine.innerHTML = content.innerHTML;
        body.dataset.version = fresh.body.dataset.version || "";
        window.scrollTo(x, y);
        if (column) column.scrollTop = inner;
        body.dispatchEvent(new CustomEvent("hs:updated", { detail: { view: "epub" } }));
      });
  }

  function refreshStylesheet(version) {
    var link = document.getElementById("hs-theme");
    if (link) link.href = "/_theme.css?v=" + version;
  }

  window.hanjiServe = { refreshChapter: refreshChapter, showProblems: showProblems };

  if (window.EventSource) {
    var source = new EventSource("/_events?doc=" + encodeURIComponent(doc) +
                                 "&view=" + encodeURIComponent(view) +
                                 "&chapter=" + encodeURIComponent(body.dataset.chapter || ""));
    source.onmessage = function (message) {
      var event = JSON.parse(message.data);
      if (event.type === "problems" && (!event.doc || event.doc === doc)) {
        showProblems(event.problems);
      } else if (event.type === "epub" && event.doc === doc && view === "epub") {
        var number = Number(body.dataset.chapter);
        if (!event.chapters.length || event.chapters.indexOf(number) >= 0) refreshChapter();
      } else if (event.type === "style") {
        refreshStylesheet(event.version);
      } else if (event.type === "pdf" && event.doc === doc && window.hanjiPages) {
        window.hanjiPages.update(event.version);
      } else if (event.type === "index" && view === "index") {
        location.reload();
      }
    };
  }

  // Width buttons: change the column without reloading (the links work without script too).
  document.querySelectorAll(".hs-widths a").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      body.className = body.className.replace(/hs-w-\w+/, "hs-w-" + a.dataset.width);
      document.querySelectorAll(".hs-widths a").forEach(function (b) { b.removeAttribute("aria-current"); });
      a.setAttribute("aria-current", "true");
      history.replaceState(null, "", "?w=" + a.dataset.width);
    });
  });

  // "Show in PDF": the words at the top of the reading column and the heading above them.
  var jump = document.getElementById("hs-jump");
  if (jump) {
    jump.addEventListener("click", function (e) {
      var content = document.getElementById("hs-content");
      if (!content) return;
      var blocks = content.querySelectorAll("p, li, h1, h2, h3, h4, h5, h6, figcaption, td, pre");
      var top = null, anchor = "";
      for (var i = 0; i < blocks.length; i++) {
        var box = blocks[i].getBoundingClientRect();
        if (/^H\d$/.test(blocks[i].tagName) && blocks[i].id && box.top < 80) anchor = blocks[i].id;
        if (box.bottom > 60 && (blocks[i].textContent || "").trim().length > 8) { top = blocks[i]; break; }
      }
      if (!top) return;
      e.preventDefault();
      var params = new URLSearchParams({ chapter: body.dataset.chapterId || "", anchor: anchor,
                                         text: top.textContent.trim().slice(0, 60) });
      location.href = "/" + doc + "/locate?" + params.toString();
    });
  }

  // The index's search box filters as one types (the form searches without script).
  var q = document.getElementById("hs-q");
  if (q) {
    q.addEventListener("input", function () {
      var needle = q.value.trim().toLowerCase();
      document.querySelectorAll(".hs-list li[data-title]").forEach(function (li) {
        li.hidden = needle && li.dataset.title.indexOf(needle) < 0;
      });
    });
  }
})();
