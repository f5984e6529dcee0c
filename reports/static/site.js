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

  /* ------------------------------------------------------------ filters (kept in the URL) */

  /* The filter state lives in the fragment (#disposition=rpa&q=本人) so a filtered list can be bookmarked
     and sent round, also from file:// where a query string would mean another file. */
  function filterState() {
    var hash = window.location.hash.replace(/^#/, "");
    var state = {};
    if (hash.indexOf("=") === -1) {
      return state;
    }
    hash.split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) {
        try {
          state[decodeURIComponent(pair.slice(0, at))] = decodeURIComponent(pair.slice(at + 1).replace(/\+/g, " "));
        } catch (error) {
          /* a malformed escape is ignored, the rest still applies */
        }
      }
    });
    return state;
  }

  function writeFilterState(wanted) {
    var parts = [];
    Object.keys(wanted).sort().forEach(function (key) {
      if (wanted[key]) {
        parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(wanted[key]));
      }
    });
    var fragment = parts.length ? "#" + parts.join("&") : "";
    if (fragment === window.location.hash || (!fragment && !window.location.hash)) {
      return;
    }
    try {
      window.history.replaceState(null, "", window.location.pathname + window.location.search + fragment);
    } catch (error) {
      window.location.replace(fragment || "#");
    }
  }

  function setUpFilters() {
    var forms = document.querySelectorAll("form.filters");
    Array.prototype.forEach.call(forms, function (form) {
      var table = document.getElementById(form.getAttribute("data-filter-for"));
      if (!table) {
        return;
      }
      var counter = form.querySelector("[data-filter-count]");
      var empty = document.querySelector("[data-filter-empty]");
      var controls = form.querySelectorAll("[data-filter]");

      function restore() {
        var state = filterState();
        Array.prototype.forEach.call(controls, function (control) {
          var value = state[control.getAttribute("data-filter")] || "";
          if (control.tagName === "SELECT") {
            var known = Array.prototype.some.call(control.options, function (option) {
              return option.value === value;
            });
            control.value = known ? value : "";
          } else {
            control.value = value;
          }
        });
      }

      function run() {
        var wanted = {};
        var kept = {};
        Array.prototype.forEach.call(controls, function (control) {
          var key = control.getAttribute("data-filter");
          kept[key] = control.value.trim();
          wanted[key] = kept[key].toLowerCase();
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
        return kept;
      }

      function runAndKeep() {
        writeFilterState(run());
      }

      form.addEventListener("input", runAndKeep);
      form.addEventListener("change", runAndKeep);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        runAndKeep();
      });
      window.addEventListener("hashchange", function () {
        restore();
        run();
      });
      restore();
      run();
    });
  }

  /* ------------------------------------------------------------ tables on small screens */

  /* Every data table scrolls inside its own box, so a phone never scrolls the whole page sideways.
     A box that does scroll gets a tab stop, so keyboard users can scroll it too. */
  function setUpTableScroll() {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), function (table) {
      if (table.closest(".table-wrap, .scroll, .details-body, .diagram-viewport")) {
        return;
      }
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
    markScrollable();
    window.addEventListener("resize", markScrollable);
  }

  function markScrollable() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        var heading = wrap.closest("section");
        heading = heading ? heading.querySelector("h2, h3") : null;
        var caption = wrap.querySelector("caption");
        wrap.setAttribute("aria-label", caption ? visibleText(caption) : heading ? visibleText(heading) : "table");
        wrap.setAttribute("data-scroll-tab", "");
      } else if (!scrolls && wrap.hasAttribute("data-scroll-tab")) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        wrap.removeAttribute("data-scroll-tab");
      }
    });
  }

  /* ------------------------------------------------------------ diagram: zoom, pan, steps */

  var ZOOM_STEP = 1.25;

  function setUpDiagram(figure) {
    var viewport = figure.querySelector("[data-diagram-viewport]");
    var svg = viewport ? viewport.querySelector("svg") : null;
    if (!svg) {
      return;
    }
    var box = svg.viewBox && svg.viewBox.baseVal;
    var natural = parseFloat(figure.getAttribute("data-natural-width")) || svg.getBoundingClientRect().width;
    var minWidth = parseFloat(figure.getAttribute("data-min-width")) || natural;
    var aspect = box && box.width ? box.height / box.width : svg.getBoundingClientRect().height / natural;
    var tools = figure.querySelector("[data-diagram-tools]");
    var level = figure.querySelector("[data-zoom-level]");
    var mode = "fit";

    function fitWidth() {
      return Math.max(minWidth, Math.min(natural, viewport.clientWidth));
    }

    function apply(width, anchorX, anchorY) {
      var lowest = Math.min(minWidth, viewport.clientWidth || minWidth);
      var target = Math.max(lowest, Math.min(natural * 4, width));
      var old = svg.getBoundingClientRect();
      var ax = anchorX === undefined ? viewport.clientWidth / 2 : anchorX;
      var ay = anchorY === undefined ? viewport.clientHeight / 2 : anchorY;
      var fx = old.width ? (viewport.scrollLeft + ax) / old.width : 0;
      var fy = old.height ? (viewport.scrollTop + ay) / old.height : 0;
      svg.style.maxWidth = "none";
      svg.style.minWidth = "0";
      svg.style.width = target + "px";
      svg.style.height = target * aspect + "px";
      viewport.scrollLeft = fx * target - ax;
      viewport.scrollTop = fy * target * aspect - ay;
      if (level) {
        level.textContent = Math.round((target / natural) * 100) + "%";
      }
      Array.prototype.forEach.call(figure.querySelectorAll("[data-zoom]"), function (button) {
        var kind = button.getAttribute("data-zoom");
        if (kind === "fit" || kind === "actual") {
          button.setAttribute("aria-pressed", kind === mode ? "true" : "false");
        }
      });
    }

    function zoom(kind, anchorX, anchorY) {
      var current = svg.getBoundingClientRect().width;
      if (kind === "fit") {
        mode = "fit";
        apply(fitWidth());
      } else if (kind === "actual") {
        mode = "actual";
        apply(natural);
      } else {
        mode = "free";
        apply(kind === "in" ? current * ZOOM_STEP : current / ZOOM_STEP, anchorX, anchorY);
      }
    }

    if (tools) {
      tools.hidden = false;
    }
    viewport.setAttribute("tabindex", "0");
    viewport.setAttribute("role", "region");
    var heading = document.getElementById("diagram");
    var title = svg.querySelector("title");
    viewport.setAttribute(
      "aria-label",
      (heading ? visibleText(heading) : "BPMN") + (title && title.textContent ? ": " + title.textContent : "")
    );
    Array.prototype.forEach.call(figure.querySelectorAll("[data-zoom]"), function (button) {
      button.addEventListener("click", function () {
        zoom(button.getAttribute("data-zoom"));
      });
    });
    viewport.addEventListener("keydown", function (event) {
      var keys = { "+": "in", "=": "in", "-": "out", "_": "out", "0": "fit", "1": "actual" };
      var kind = keys[event.key];
      if (kind && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        zoom(kind);
      }
    });
    viewport.addEventListener(
      "wheel",
      function (event) {
        if (!event.ctrlKey) {
          return; /* plain wheel scrolls; Ctrl+wheel (and a trackpad pinch) zooms at the pointer */
        }
        event.preventDefault();
        var rect = viewport.getBoundingClientRect();
        zoom(event.deltaY < 0 ? "in" : "out", event.clientX - rect.left, event.clientY - rect.top);
      },
      { passive: false }
    );
    setUpPanning(figure, viewport, svg, apply, function () {
      mode = "free";
    });
    window.addEventListener("resize", function () {
      if (mode === "fit") {
        apply(fitWidth());
      }
    });
    apply(fitWidth());
    setUpSteps(figure, svg);
    setUpPrintSlices(figure, svg, natural);
  }

  /* Mouse: drag to pan.  Touch: one finger scrolls natively; two fingers pinch-zoom. */
  function setUpPanning(figure, viewport, svg, apply, freed) {
    var pointers = {};
    var drag = null;
    var pinch = null;
    var moved = false;

    function distance() {
      var ids = Object.keys(pointers);
      var a = pointers[ids[0]];
      var b = pointers[ids[1]];
      return { length: Math.hypot(a.x - b.x, a.y - b.y), x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    }

    viewport.addEventListener("pointerdown", function (event) {
      pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
      moved = false;
      if (event.pointerType === "mouse" && event.button === 0) {
        drag = { x: event.clientX, y: event.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
      } else if (Object.keys(pointers).length === 2) {
        var now = distance();
        pinch = { length: now.length, width: svg.getBoundingClientRect().width };
      }
    });
    viewport.addEventListener("pointermove", function (event) {
      if (!pointers[event.pointerId]) {
        return;
      }
      pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
      if (drag) {
        var dx = event.clientX - drag.x;
        var dy = event.clientY - drag.y;
        if (moved || Math.abs(dx) + Math.abs(dy) > 4) {
          moved = true;
          viewport.classList.add("is-panning");
          viewport.scrollLeft = drag.left - dx;
          viewport.scrollTop = drag.top - dy;
        }
      } else if (pinch && Object.keys(pointers).length === 2) {
        var now = distance();
        if (pinch.length > 0) {
          var rect = viewport.getBoundingClientRect();
          moved = true;
          freed();
          apply(pinch.width * (now.length / pinch.length), now.x - rect.left, now.y - rect.top);
        }
      }
    });
    function release(event) {
      delete pointers[event.pointerId];
      drag = null;
      if (Object.keys(pointers).length < 2) {
        pinch = null;
      }
      viewport.classList.remove("is-panning");
    }
    viewport.addEventListener("pointerup", release);
    viewport.addEventListener("pointercancel", release);
    viewport.addEventListener("pointerleave", function (event) {
      if (event.pointerType === "mouse") {
        release(event);
      }
    });
    /* A drag that ends on a step is a pan, not a click on the step. */
    viewport.addEventListener(
      "click",
      function (event) {
        if (moved) {
          event.stopPropagation();
          event.preventDefault();
          moved = false;
        }
      },
      true
    );
  }

  function rowsByElement() {
    var rows = {};
    Array.prototype.forEach.call(document.querySelectorAll("tr[data-element-id]"), function (row) {
      rows[row.getAttribute("data-element-id")] = row;
    });
    return rows;
  }

  /* Each step with a row is a link for the keyboard too: Tab reaches it, Enter (or Space) opens its row. */
  function setUpSteps(figure, svg) {
    var rows = rowsByElement();
    var seen = {};
    var any = false;
    Array.prototype.forEach.call(svg.querySelectorAll("[data-element-id]"), function (shape) {
      var id = shape.getAttribute("data-element-id");
      var row = rows[id];
      if (!row) {
        return;
      }
      function open(event) {
        event.preventDefault();
        var details = row.querySelector("details");
        if (details) {
          details.open = true;
        }
        if (window.location.hash === "#" + row.id) {
          row.scrollIntoView();
          markTarget();
        } else {
          window.location.hash = row.id;
        }
      }
      shape.classList.add("has-row");
      shape.addEventListener("click", open);
      if (seen[id]) {
        return;
      }
      seen[id] = true;
      any = true;
      /* The accessible name is the shape's own <title> (its tooltip: name, disposition, hours) or its text. */
      shape.setAttribute("tabindex", "0");
      shape.setAttribute("role", "link");
      shape.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          open(event);
        }
      });
    });
    if (any) {
      /* An image may not hold links: the picture becomes a group of steps. */
      var title = svg.querySelector("title");
      svg.setAttribute("role", "group");
      svg.setAttribute("aria-label", title ? title.textContent : "BPMN");
    }
  }

  function visibleText(element) {
    var active = root.getAttribute("data-lang") === "en" ? "en" : "ja";
    var part = element.querySelector('[lang="' + active + '"]');
    return (part || element).textContent.trim();
  }

  /* #step-… deep links: the row is the target; its shapes in the diagram are highlighted and shown. */
  function markTarget() {
    var id = "";
    try {
      id = decodeURIComponent(window.location.hash.replace(/^#/, ""));
    } catch (error) {
      id = "";
    }
    Array.prototype.forEach.call(document.querySelectorAll("figure.diagram .is-target"), function (shape) {
      shape.classList.remove("is-target");
    });
    var row = id ? document.getElementById(id) : null;
    var element = row ? row.getAttribute("data-element-id") : null;
    if (!element) {
      return;
    }
    var details = row.querySelector("details");
    if (details) {
      details.open = true;
    }
    var shapes = document.querySelectorAll("figure.diagram [data-diagram-viewport] [data-element-id]");
    Array.prototype.forEach.call(shapes, function (shape) {
      if (shape.getAttribute("data-element-id") !== element) {
        return;
      }
      shape.classList.add("is-target");
      var viewport = shape.closest("[data-diagram-viewport]");
      var frame = viewport.getBoundingClientRect();
      var rect = shape.getBoundingClientRect();
      if (rect.left < frame.left || rect.right > frame.right || rect.top < frame.top || rect.bottom > frame.bottom) {
        viewport.scrollLeft += rect.left - frame.left - (frame.width - rect.width) / 2;
        viewport.scrollTop += rect.top - frame.top - (frame.height - rect.height) / 2;
      }
    });
  }

  /* ------------------------------------------------------------ print: the diagram on one or two pages */

  /* The page says how to cut the diagram (reports/zoom.py: 1 page, or left/right or top/bottom halves,
     never below a readable label size); each part is a copy of the picture showing part of its viewBox. */
  function setUpPrintSlices(figure, svg, natural) {
    var box = svg.viewBox && svg.viewBox.baseVal;
    var columns = parseInt(figure.getAttribute("data-print-columns"), 10) || 1;
    var rows = parseInt(figure.getAttribute("data-print-rows"), 10) || 1;
    var scale = parseFloat(figure.getAttribute("data-print-scale")) || 1;
    if (!box || !box.width || !box.height || !natural) {
      return;
    }
    var pxPerUnit = (natural / box.width) * scale;
    var overlap = parseFloat(figure.getAttribute("data-print-overlap")) || 0; /* reports/zoom.py plans with it */
    var sliceW = box.width / columns;
    var sliceH = box.height / rows;
    var holder = document.createElement("div");
    holder.className = "print-slices";
    holder.setAttribute("aria-hidden", "true");
    var count = columns * rows;
    for (var r = 0; r < rows; r += 1) {
      for (var c = 0; c < columns; c += 1) {
        var x = box.x + c * sliceW - (c > 0 ? overlap : 0);
        var y = box.y + r * sliceH - (r > 0 ? overlap : 0);
        var w = sliceW + (columns > 1 ? overlap : 0);
        var h = sliceH + (rows > 1 ? overlap : 0);
        var copy = svg.cloneNode(true);
        Array.prototype.forEach.call(copy.querySelectorAll("style, title"), function (node) {
          node.parentNode.removeChild(node);
        });
        Array.prototype.forEach.call(copy.querySelectorAll("[id], [data-element-id], [tabindex], [role], [aria-label]"), function (node) {
          ["id", "data-element-id", "tabindex", "role", "aria-label"].forEach(function (name) {
            node.removeAttribute(name);
          });
        });
        ["role", "aria-label", "style", "width", "height"].forEach(function (name) {
          copy.removeAttribute(name);
        });
        copy.setAttribute("viewBox", [x, y, w, h].join(" "));
        copy.setAttribute("focusable", "false");
        copy.style.width = w * pxPerUnit + "px";
        copy.style.height = h * pxPerUnit + "px";
        var slice = document.createElement("div");
        slice.className = "print-slice";
        slice.appendChild(copy);
        /* One caption line under each part: the heading in both languages (the page shows one), the part
           number, and on the last part the colour legend; it fits under a part cut to the page height. */
        var label = document.createElement("div");
        label.className = "print-slice-label";
        var heading = figure.closest("section") ? figure.closest("section").querySelector("h2") : null;
        var title = document.querySelector("main h1");
        if (title) {
          var name = document.createElement("strong");
          name.textContent = title.textContent + " — ";
          label.appendChild(name);
        }
        if (heading) {
          Array.prototype.forEach.call(heading.childNodes, function (node) {
            label.appendChild(node.cloneNode(true));
          });
        }
        if (count > 1) {
          label.appendChild(document.createTextNode(" (" + (r * columns + c + 1) + "/" + count + ")"));
        }
        /* A diagram that cannot print readably on two A4 pages says so on its first page (reports/zoom.py). */
        var warning = figure.querySelector("[data-print-warning]");
        if (warning && r === 0 && c === 0) {
          var said = warning.cloneNode(true);
          said.removeAttribute("data-print-warning");
          label.appendChild(said);
        }
        var legend = figure.querySelector("figcaption ul.legend");
        if (legend && r * columns + c + 1 === count) {
          var key = legend.cloneNode(true);
          key.removeAttribute("aria-label");
          label.appendChild(key);
        }
        slice.appendChild(label);
        holder.appendChild(slice);
      }
    }
    /* Outside the figure ("figure.diagram svg" still means the one picture on screen), and first on paper:
       a flow printed is its diagram on pages 1–2 (each part captioned with the flow's name), then the
       tables, so the tables start on a fresh page instead of leaving one nearly empty before the picture. */
    var main = document.querySelector("main");
    if (main && document.body.classList.contains("page-flow") && figure.closest("main") === main) {
      var placed = main.querySelectorAll(":scope > .print-slices");
      main.insertBefore(holder, placed.length ? placed[placed.length - 1].nextSibling : main.firstChild);
    } else {
      figure.parentNode.insertBefore(holder, figure.nextSibling);
    }
    figure.setAttribute("data-sliced", String(count));
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
    setUpSorting();
    setUpFilters();
    setUpTableScroll();
    Array.prototype.forEach.call(document.querySelectorAll("figure[data-diagram]"), setUpDiagram);
    markTarget();
    window.addEventListener("hashchange", markTarget);
  });
})();
