/* tietopankki serve: reload on save, and show build errors over the page until they are fixed.
   Served only by `tietopankki serve`; a built site never contains it. */
(function () {
  "use strict";
  var overlay = null;
  function show(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "tietopankki-virheet";
      overlay.setAttribute("role", "alert");
      overlay.className = "build-errors";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var h = document.createElement("strong");
    h.textContent = "tietopankki: build failed (the page shows the last good build)";
    var pre = document.createElement("pre");
    pre.textContent = text;
    overlay.appendChild(h);
    overlay.appendChild(pre);
  }
  var source = new EventSource("/__tietopankki/events");
  source.addEventListener("reload", function () { location.reload(); });
  source.addEventListener("failed", function (e) { show(JSON.parse(e.data)); });
})();
