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

/* Long tables (class "sortable"): a click on a column's header sorts the rows by it (again: the
   other way), and a box above the table hides the rows that do not contain what is typed. The
   table is plain HTML: without JavaScript it reads as it is. Nothing is fetched. */
(function () {
  "use strict";
  var EMPTY = { "": true, "—": true, "-": true };

  function cellText(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    var value = cell.getAttribute("data-sort");
    return (value !== null ? value : cell.textContent).trim();
  }

  function asNumber(text) {
    var plain = text.replace(/[,\s%元件]/g, "").replace(/^\+/, "").replace(/^[−–]/, "-");
    return /^-?\d+(\.\d+)?$/.test(plain) ? parseFloat(plain) : null;
  }

  function sortBy(table, index, button) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var header = button.parentNode;
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var texts = rows.map(function (row) { return cellText(row, index); });
    var numeric = texts.every(function (t) { return EMPTY[t] || asNumber(t) !== null; });
    var keyed = rows.map(function (row, i) {
      var t = texts[i];
      return { row: row, i: i, empty: !!EMPTY[t], key: numeric ? asNumber(t) : t };
    });
    keyed.sort(function (a, b) {
      if (a.empty !== b.empty) { return a.empty ? 1 : -1; }  // blanks last, either way
      var order = 0;
      if (!a.empty) {
        order = numeric ? a.key - b.key : a.key.localeCompare(b.key, "zh-CN");
      }
      return (ascending ? order : -order) || a.i - b.i;
    });
    keyed.forEach(function (k) { body.appendChild(k.row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function addFilter(table, number) {
    var body = table.tBodies[0];
    var box = document.createElement("p");
    box.className = "table-filter";
    var label = document.createElement("label");
    var id = "table-filter-" + number;
    label.htmlFor = id;
    label.textContent = "筛选本表";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    var count = document.createElement("span");
    count.className = "muted";
    count.setAttribute("aria-live", "polite");
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(count);
    table.parentNode.insertBefore(box, table);
    input.addEventListener("input", function () {
      var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        var text = row.textContent.toLowerCase();
        var keep = terms.every(function (t) { return text.indexOf(t) >= 0; });
        row.hidden = !keep;
        shown += keep ? 1 : 0;
      });
      count.textContent = terms.length ? "显示 " + shown + " / " + body.rows.length + " 行" : "";
    });
  }

  function enhance(table, number) {
    if (!table.tHead || !table.tBodies.length || table.tHead.rows.length !== 1) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      if (!th.textContent.trim() || th.classList.contains("nosort") || th.querySelector("button")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.title = "按此列排序";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, index, button); });
    });
    if (table.tBodies[0].rows.length > 1) { addFilter(table, number); }
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), enhance);
})();
