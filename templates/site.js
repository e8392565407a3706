/* Site search. From file:// (the shared folder) it searches the catalogue of search-data.js,
   which a plain <script> can load; served over HTTP it uses the Pagefind full-text index. */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var query = (params.get("q") || "").trim();
  var box = document.getElementById("q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!box || !list) { return; }
  box.value = query;
  if (!query) { return; }

  function show(items, how) {
    list.textContent = "";
    items.slice(0, 100).forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title;
      li.appendChild(a);
      if (item.detail) {
        var span = document.createElement("span");
        span.className = "muted";
        span.textContent = " " + item.detail;
        li.appendChild(span);
      }
      list.appendChild(li);
    });
    status.textContent = items.length ? "找到 " + items.length + " 项(" + how + ")" : "没有找到与“" + query + "”相符的内容。";
  }

  function fromCatalogue() {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    var found = (window.KAC_SEARCH || []).filter(function (e) {
      var text = (e.n + " " + e.k + " " + e.d + " " + e.u).toLowerCase();
      return terms.every(function (t) { return text.indexOf(t) >= 0; });
    });
    found.sort(function (a, b) { return a.n.length - b.n.length || (a.n < b.n ? -1 : 1); });
    return found.map(function (e) { return { url: e.u, title: e.n, detail: e.k + (e.d ? " · " + e.d : "") }; });
  }

  var named = fromCatalogue();
  if (window.location.protocol === "file:") { show(named, "名称检索"); return; }
  // Served over HTTP: names first, then the pages whose text matches (Pagefind's index).
  import("./pagefind/pagefind.js").then(function (pagefind) {
    return pagefind.search(query).then(function (result) {
      return Promise.all(result.results.slice(0, 50).map(function (r) { return r.data(); }));
    }).then(function (pages) {
      var seen = {};
      named.forEach(function (item) { seen[item.url] = true; });
      var more = pages.map(function (p) {
        return { url: p.url.replace(/^\//, ""), title: p.meta.title, detail: "全文" };
      }).filter(function (item) { return !seen[item.url]; });
      show(named.concat(more), "名称检索 " + named.length + " 项,全文检索 " + more.length + " 项");
    });
  }).catch(function () { show(named, "名称检索"); });
})();
