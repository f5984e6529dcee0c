/* bpm-rpa-scanner report site: language toggle, sortable tables, filters, print.
   Plain ES2015, no libraries, no network; works when opened from file://. */
(function () {
  "use strict";

  var STORAGE_KEY = "bpm-site-lang";
  var root = document.documentElement;

  /* localStorage may be missing or throw for file:// pages (browser settings, privacy modes). */
  function storedLang() {
    try {
      return window.localStorage.getItem(STORAGE_KEY);
    } catch (error) {
      return null;
    }
  }

  function storeLang(lang) {
    try {
      window.localStorage.setItem(STORAGE_KEY, lang);
    } catch (error) {
      /* not remembered; the page still switches */
    }
  }

  function applyLang(lang) {
    var active = lang === "en" ? "en" : "ja";
    root.setAttribute("data-lang", active);
    root.setAttribute("lang", active);
    var title = root.getAttribute("data-title-" + active);
    if (title) {
      document.title = title;
    }
    /* <option> cannot hold language spans: swap its text instead. */
    var options = document.querySelectorAll("option[data-ja][data-en]");
    for (var o = 0; o < options.length; o += 1) {
      options[o].textContent = options[o].getAttribute("data-" + active);
    }
    var toggles = document.querySelectorAll("[data-lang-toggle]");
    for (var i = 0; i < toggles.length; i += 1) {
      toggles[i].setAttribute("aria-pressed", active === "en" ? "true" : "false");
    }
  }

  /* Runs in <head>: switch before the first paint so the page does not flicker. */
  applyLang(storedLang() || root.getAttribute("data-lang") || "ja");

  /* ------------------------------------------------------------ sorting */

  var collator = typeof Intl !== "undefined" ? new Intl.Collator(["ja", "en"], { numeric: true }) : null;

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) {
      return "";
    }
    var sortValue = cell.getAttribute("data-sort");
    return (sortValue !== null ? sortValue : cell.textContent).trim();
  }

  function compareValues(a, b, numeric) {
    if (numeric) {
      return parseFloat(a) - parseFloat(b);
    }
    return collator ? collator.compare(a, b) : a < b ? -1 : a > b ? 1 : 0;
  }

  function sortBy(table, header) {
    var headers = header.parentNode.children;
    var index = Array.prototype.indexOf.call(headers, header);
    var numeric = header.getAttribute("data-type") === "number";
    var direction = header.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    for (var h = 0; h < headers.length; h += 1) {
      if (headers[h].hasAttribute("aria-sort")) {
        headers[h].setAttribute("aria-sort", "none");
      }
    }
    header.setAttribute("aria-sort", direction);
    var body = table.tBodies[0];
    var keyed = Array.prototype.map.call(body.rows, function (row, position) {
      return { row: row, position: position, value: cellValue(row, index) };
    });
    keyed.sort(function (a, b) {
      /* Missing values (—) stay at the bottom in both directions. */
      if (a.value === "" || b.value === "") {
        return (a.value === "") - (b.value === "") || a.position - b.position;
      }
      var order = compareValues(a.value, b.value, numeric);
      if (direction === "descending") {
        order = -order;
      }
      return order || a.position - b.position;
    });
    keyed.forEach(function (item) {
      body.appendChild(item.row);
    });
  }

  function setUpSorting() {
    var tables = document.querySelectorAll("table.sortable");
    Array.prototype.forEach.call(tables, function (table) {
      var buttons = table.querySelectorAll("thead .sort-button");
      Array.prototype.forEach.call(buttons, function (button) {
        button.addEventListener("click", function () {
          sortBy(table, button.closest("th"));
        });
      });
    });
  }

  /* ------------------------------------------------------------ filters */

  function setUpFilters() {
    var forms = document.querySelectorAll("form.filters");
    Array.prototype.forEach.call(forms, function (form) {
      var table = document.getElementById(form.getAttribute("data-filter-for"));
      if (!table) {
        return;
      }
      var counter = form.querySelector("[data-filter-count]");
      var empty = document.querySelector("[data-filter-empty]");

      function run() {
        var wanted = {};
        var controls = form.querySelectorAll("[data-filter]");
        Array.prototype.forEach.call(controls, function (control) {
          wanted[control.getAttribute("data-filter")] = control.value.trim().toLowerCase();
        });
        var shown = 0;
        Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
          var nameCell = row.querySelector("td.name");
          var name = (nameCell ? nameCell.textContent : row.textContent).toLowerCase();
          var visible =
            (!wanted.flow || row.getAttribute("data-flow").toLowerCase() === wanted.flow) &&
            (!wanted.lane || row.getAttribute("data-lane").toLowerCase() === wanted.lane) &&
            (!wanted.disposition || row.getAttribute("data-disposition") === wanted.disposition) &&
            (!wanted.text || name.indexOf(wanted.text) !== -1);
          row.hidden = !visible;
          if (visible) {
            shown += 1;
          }
        });
        if (counter) {
          counter.textContent = String(shown);
        }
        if (empty) {
          empty.hidden = shown !== 0;
        }
      }

      form.addEventListener("input", run);
      form.addEventListener("change", run);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        run();
      });
      run();
    });
  }

  /* ------------------------------------------------------------ diagram → table */

  function setUpDiagramLinks() {
    var rows = {};
    Array.prototype.forEach.call(document.querySelectorAll("tr[data-element-id]"), function (row) {
      rows[row.getAttribute("data-element-id")] = row;
    });
    var shapes = document.querySelectorAll("figure.diagram [data-element-id]");
    Array.prototype.forEach.call(shapes, function (shape) {
      var row = rows[shape.getAttribute("data-element-id")];
      if (!row) {
        return;
      }
      shape.classList.add("has-row");
      shape.addEventListener("click", function () {
        window.location.hash = row.id;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    applyLang(root.getAttribute("data-lang"));
    Array.prototype.forEach.call(document.querySelectorAll("[data-lang-toggle]"), function (button) {
      button.addEventListener("click", function () {
        var next = root.getAttribute("data-lang") === "en" ? "ja" : "en";
        applyLang(next);
        storeLang(next);
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-zoom]"), function (button) {
      button.addEventListener("click", function () {
        var figure = button.closest("figure");
        var actual = figure.classList.toggle("actual-size");
        button.setAttribute("aria-pressed", actual ? "true" : "false");
      });
    });
    setUpSorting();
    setUpFilters();
    setUpDiagramLinks();
  });
})();
