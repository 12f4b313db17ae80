// briefing: small enhancements; every page works without this script.
(function () {
  "use strict";
  var results = document.getElementById("search-results");
  if (!results) return;
  var input = document.getElementById("search-input");
  var root = results.getAttribute("data-root") || "";
  var offline = location.protocol === "file:";
  var params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  function norm(s) { return (s || "").normalize("NFKC").toLowerCase(); }
  function show(entries) {
    var q = norm(input.value.trim());
    results.textContent = "";
    if (!q) return;
    var words = q.split(/\s+/);
    var hits = entries.filter(function (e) {
      var hay = norm(e.t + " " + (e.n || []).join(" "));
      return words.every(function (w) { return hay.indexOf(w) !== -1; });
    }).slice(0, 100);
    var p = document.createElement("p");
    p.textContent = hits.length + (hits.length === 1 ? " result" : " results");
    results.appendChild(p);
    var ol = document.createElement("ol");
    hits.forEach(function (e) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + e.u + (offline ? "index.html" : "");
      a.textContent = e.t;
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = " " + e.k + (e.d ? ", " + e.d : "");
      li.appendChild(meta);
      ol.appendChild(li);
    });
    results.appendChild(ol);
  }
  fetch(results.getAttribute("data-index")).then(function (r) { return r.json(); }).then(function (data) {
    show(data.entries);
    input.addEventListener("input", function () { show(data.entries); });
  }).catch(function () {
    results.textContent = "The search index could not be loaded.";
  });
})();
