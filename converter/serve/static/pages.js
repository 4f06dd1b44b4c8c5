// hanji serve: the PDF view. Page images come from the server (rendered on demand); each page
// also gets its text (an invisible layer, for find-in-page and for tests). On a new version of
// the PDF, pages are replaced in place, keeping the scroll position: at once the pages on
// screen, the others when they are scrolled to (so the server renders only what is seen).
(function () {
  "use strict";
  var body = document.body;
  var doc = body.dataset.doc;
  var container = document.getElementById("hs-pages");
  var status = document.getElementById("hs-status");
  var visible = new Set();
  var observer = window.IntersectionObserver ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        visible.add(entry.target);
        show(entry.target);
      } else {
        visible.delete(entry.target);
      }
    });
  }, { rootMargin: "200px 0px" }) : null;

  function versionOf(src) {
    return (String(src || "").match(/[?&]v=(\d+)/) || [])[1];
  }

  // The page's image for the version it was last given (data-src), if it shows another; its
  // text is fetched meanwhile.
  function show(figure) {
    var img = figure.querySelector("img");
    var src = figure.dataset.src;
    if (src && img.getAttribute("src") !== src) {
      img.src = src;
      loadText(figure, versionOf(src));
    }
  }

  function setSource(figure, src) {
    figure.dataset.src = src;
    if (!observer || visible.has(figure)) show(figure);
  }

  // A page is loaded (data-loaded) when its image and its text of one version are in.
  function settle(figure) {
    var version = figure.dataset.imageVersion;
    if (version && version === figure.dataset.textVersion) figure.dataset.loaded = version;
  }

  function loadText(figure, version) {
    if (!version || figure.dataset.textAsked === version) return;
    figure.dataset.textAsked = version;
    var page = figure.dataset.page;
    fetch("/" + doc + "/pdf/text/" + page + "?v=" + version).then(function (r) {
      return r.ok ? r.text() : "";
    }).then(function (text) {
      if (String(body.dataset.version) !== String(version)) return;
      var layer = figure.querySelector(".hs-text");
      if (!layer) {
        layer = document.createElement("div");
        layer.className = "hs-text";
        figure.appendChild(layer);
      }
      layer.textContent = text;
      figure.dataset.textVersion = String(version);
      settle(figure);
    });
  }

  function watch(figure) {
    var img = figure.querySelector("img");
    function loaded() {
      var version = versionOf(img.src);
      if (!version) return;
      figure.dataset.imageVersion = version;
      loadText(figure, version);
      settle(figure);
    }
    img.addEventListener("load", loaded);
    if (img.complete && img.naturalWidth) loaded();
  }

  function makePage(number, size, version) {
    var figure = document.createElement("figure");
    figure.className = "hs-page";
    figure.id = "page-" + number;
    figure.dataset.page = String(number);
    figure.style.aspectRatio = size[0] + " / " + size[1];
    var img = document.createElement("img");
    img.alt = "page " + number;
    var caption = document.createElement("figcaption");
    caption.textContent = String(number);
    figure.appendChild(img);
    figure.appendChild(caption);
    watch(figure);
    setSource(figure, "/" + doc + "/pdf/page/" + number + ".png?v=" + version);
    if (observer) observer.observe(figure);
    return figure;
  }

  function update(version) {
    return fetch("/" + doc + "/pdf/pages.json", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (info) {
        if (!info.version) return;
        var first = !container.querySelector(".hs-page");
        var x = window.scrollX, y = window.scrollY;
        body.dataset.version = String(info.version);
        var wait = container.querySelector(".hs-wait");
        if (wait) wait.remove();
        var figures = container.querySelectorAll(".hs-page");
        info.pages.forEach(function (size, i) {
          var number = i + 1;
          var figure = figures[i];
          if (!figure) {
            container.appendChild(makePage(number, size, info.version));
            return;
          }
          figure.style.aspectRatio = size[0] + " / " + size[1];
          setSource(figure, "/" + doc + "/pdf/page/" + number + ".png?v=" + info.version);
        });
        for (var j = info.pages.length; j < figures.length; j++) {
          if (observer) observer.unobserve(figures[j]);
          visible.delete(figures[j]);
          figures[j].remove();
        }
        if (status) status.textContent = info.pages.length + " pages";
        window.scrollTo(x, y);
        if (first) goTo();
        body.dispatchEvent(new CustomEvent("hs:updated", { detail: { view: "pdf" } }));
      });
  }

  function goTo() {
    var params = new URLSearchParams(location.search);
    var chapter = params.get("chapter");
    if (chapter && !location.hash) {
      fetch("/" + doc + "/pdf/pages.json").then(function (r) { return r.json(); }).then(function (info) {
        var page = (info.chapters || {})[chapter + "-title"];
        if (page) location.hash = "#page-" + page;
      });
    }
    var target = location.hash && document.querySelector(location.hash);
    if (target) {
      target.classList.add("hs-target");
      target.scrollIntoView();
    }
  }

  container.querySelectorAll(".hs-page").forEach(function (figure) {
    watch(figure);
    if (observer) observer.observe(figure);
  });
  window.hanjiPages = { update: update };
  if (!container.querySelector(".hs-page")) update(0);
  window.addEventListener("hashchange", goTo);
  goTo();
})();
