/* sortable.js — click (or Enter/Space on) a column header of any `table.sortable` to sort it.
   Dependency-free, no network. Cells may carry `data-sort` (the value to sort by); numbers
   (also "1,234.50", "12.5 %") sort numerically, empty values last, otherwise text in the
   page's locale. The sorted header gets aria-sort; a polite live region announces the order.
   Each header's content is wrapped in a <button>, so it is reachable with Tab. */
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    return (raw || "").trim();
  }

  function asNumber(text) {
    if (text === "" || text === "—") return null;
    var cleaned = text.replace(/[\s,%\u00a0]/g, "").replace(/^\u2212/, "-");
    if (!/^[-+]?\d*\.?\d+(e[-+]?\d+)?$/i.test(cleaned)) return NaN;
    return parseFloat(cleaned);
  }

  function compareValues(a, b) {
    var na = asNumber(a), nb = asNumber(b);
    if (na === null || nb === null) {
      if (na === null && nb === null) return 0;
      return na === null ? 1 : -1; // empty values last whatever the direction
    }
    if (!isNaN(na) && !isNaN(nb)) return na - nb;
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function announce(table, text) {
    var live = table._sortLive;
    if (!live) {
      live = document.createElement("div");
      live.className = "visually-hidden";
      live.setAttribute("aria-live", "polite");
      table.parentNode.insertBefore(live, table.nextSibling);
      table._sortLive = live;
    }
    live.textContent = text;
  }

  function sortBy(table, th, index) {
    var body = table.tBodies[0];
    if (!body) return;
    var direction = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    var headers = table.tHead.rows[0].cells;
    for (var i = 0; i < headers.length; i++) headers[i].removeAttribute("aria-sort");
    th.setAttribute("aria-sort", direction);
    var rows = Array.prototype.slice.call(body.rows);
    if (rows.length === 1 && rows[0].cells.length === 1) return; // an "empty" row
    var sign = direction === "ascending" ? 1 : -1;
    var decorated = rows.map(function (row, i) { return { row: row, i: i, v: cellValue(row, index) }; });
    decorated.sort(function (x, y) {
      var ex = asNumber(x.v) === null, ey = asNumber(y.v) === null;
      if (ex !== ey) return ex ? 1 : -1; // empty last in both directions
      return sign * compareValues(x.v, y.v) || x.i - y.i; // stable
    });
    var fragment = document.createDocumentFragment();
    decorated.forEach(function (d) { fragment.appendChild(d.row); });
    body.appendChild(fragment);
    announce(table, "Sorted by " + th.textContent.trim() + ", " + direction);
  }

  function enhance(table) {
    if (table._sortable || !table.tHead || !table.tHead.rows.length) return;
    table._sortable = true;
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      if (th.hasAttribute("data-nosort")) return;
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th, index); });
    });
  }

  function init(root) {
    var tables = (root || document).querySelectorAll("table.sortable");
    Array.prototype.forEach.call(tables, enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
  window.AccordSortable = { init: init };
})();
