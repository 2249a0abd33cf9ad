// The query UI: YASGUI on this server's endpoint, the competency questions as tabs, no request to any other host.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("jaikg-config").textContent);

  // Only completers that stay on this server: variables, and prefixes from our own prefix list
  // (the class and property completers call the LOV API).
  Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
  Yasgui.Yasqe.defaults.prefixCcApi = config.prefixesUrl;

  // No keyboard trap (WCAG 2.1.2): Tab indents in the editor, and Escape then Tab (or Shift+Tab) leaves it, the
  // escape hatch CodeMirror documents. YASQE's own Escape blurs the editor, dropping focus on the page body: that
  // binding goes, so Escape keeps the focus in the editor (and closes a completion list, as before).
  delete Yasgui.Yasqe.defaults.extraKeys.Esc;
  Yasgui.Yasqe.defineInitHook(function (editor) {
    // The hook runs for every CodeMirror made; YASQE makes each query editor's inside its div.yasqe.
    var place = editor.getWrapperElement().parentNode;
    if (!place || !place.classList.contains("yasqe")) { return; }
    var input = editor.getInputField();
    input.setAttribute("aria-label", "SPARQL query");
    input.setAttribute("aria-describedby", "editor-keys");
    var escaped = false;
    editor.on("keydown", function (_editor, event) {
      // CodeMirror leaves an event marked codemirrorIgnore alone: the browser then moves the focus.
      if (event.key === "Tab" && escaped) { event.codemirrorIgnore = true; }
      if (["Shift", "Control", "Alt", "Meta"].indexOf(event.key) < 0) { escaped = event.key === "Escape"; }
    });
    editor.on("blur", function () { escaped = false; });
    watchErrors(editor);
  });

  // A failed query: the server's body is JSON {"error", "message", "line", "column"} or, for a client preferring
  // text, "400 query-syntax-error: message (line 2, column 9)". YASQE passes that body on as the error's text.
  function serverError(text) {
    if (!text) { return null; }
    try {
      var body = JSON.parse(text);
      if (body && typeof body.message === "string") { return body; }
    } catch (_notJson) { /* a text body */ }
    var match = /^\d{3} ([\w-]+): ([\s\S]*?)(?: \(line (\d+), column (\d+)\))?\s*$/.exec(text);
    if (!match) { return null; }
    return { error: match[1], message: match[2], line: match[3] && Number(match[3]),
             column: match[4] && Number(match[4]) };
  }

  // The title of a refusal: what the error's name (jaikg.sparql.SparqlError.error and its kinds) or, for the
  // generic "sparql-error", the HTTP status says; the message below says the rest.
  var ERROR_TITLES = {
    "query-syntax-error": "Query syntax error",
    "query-refused": "Query refused",
    "query-timeout": "The query took too long",
    "not-acceptable": "No answer in the format asked for",
    "update-failed": "The update failed, nothing changed",
    "backend-unavailable": "The SPARQL store cannot be reached",
    "backend-timeout": "The SPARQL store did not answer in time",
    "worker-busy": "The server is busy",
    "query-memory-exceeded": "The query needed too much memory",
    "workers-unavailable": "The server cannot run queries now",
    "too-large": "The request is too large",
    "nesting-too-deep": "The query is nested too deeply",
    "too-many-requests": "Too many requests at once",
    "method-not-allowed": "Method not allowed",
    "not-found": "Not found",
  };
  var STATUS_TITLES = {
    400: "The server could not use the request",
    401: "Not authorized: writes need the server's update token",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    412: "Precondition failed",
    413: "The request is too large",
    415: "Unsupported request type",
    429: "Too many requests at once",
    500: "The server could not answer",
    503: "The server is unavailable",
    504: "The server did not answer in time",
  };
  function errorTitle(code, status) {
    if (Object.prototype.hasOwnProperty.call(ERROR_TITLES, code)) { return ERROR_TITLES[code]; }
    if (Object.prototype.hasOwnProperty.call(STATUS_TITLES, status)) { return STATUS_TITLES[status]; }
    return "The server refused the request";
  }
  // YASQE turns a refusal into an Error holding only the body, so the HTTP status of the endpoint's last answer
  // is noted here for the title of a generic "sparql-error" (401, 403, 500 …).
  var lastEndpointStatus;
  var originalFetch = window.fetch;
  window.fetch = function (resource) {
    var url = typeof resource === "string" ? resource : resource && resource.url;
    var toEndpoint = typeof url === "string" && url.split("?")[0] === config.endpoint;
    return originalFetch.apply(this, arguments).then(function (response) {
      if (toEndpoint) { lastEndpointStatus = response.status; }
      return response;
    });
  };

  // The message in words in the results area, where YASR would print the body as it came.
  Yasgui.Yasr.defaults.errorRenderers = [function (error) {
    var found = serverError(error.text);
    if (!found) { return undefined; }
    var box = document.createElement("div");
    box.className = "jaikg-query-error";
    box.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.className = "jaikg-query-error-title";
    title.textContent = errorTitle(found.error, error.status || lastEndpointStatus) +
      (found.line ? " at line " + found.line + ", column " + found.column + " (marked in the editor)" : "");
    var message = document.createElement("p");
    message.className = "jaikg-query-error-message";
    message.textContent = found.message;
    box.appendChild(title);
    box.appendChild(message);
    return box;
  }];

  // Large answers. YASR's table draws one page (50 rows) at a time, but DataTables first asks every cell of every
  // row for its sort, search and type strings, and for its display HTML to size the columns (autoWidth), and YASR
  // makes each of those with DOMPurify, a parse per call: 10,000 rows froze the tab for 90 s. The columns take
  // the width of the rows drawn instead, and the strings that never become HTML are the values themselves. The
  // search string does become HTML when it holds "&" (DataTables decodes it through innerHTML): escaped, it is
  // inert text there. The rows of the page shown still go through YASR's own render, DOMPurify included.
  var Table = Yasgui.Yasr.plugins.table;
  Table.defaults.tableConfig.autoWidth = false;
  function escapeHtml(text) {
    return /[&<>]/.test(text) ? text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;") : text;
  }
  var tableColumns = Table.prototype.getColumns;
  Table.prototype.getColumns = function () {
    return tableColumns.apply(this, arguments).map(function (column) {
      var render = column.render;
      if (typeof render !== "function") { return column; }
      column.render = function (cell, type) {
        if (cell && typeof cell === "object" && typeof cell.value === "string") {
          if (type === "sort" || type === "type") { return cell.value; }
          if (type === "filter") { return escapeHtml(cell.value); }
        }
        return render.apply(this, arguments);
      };
      return column;
    });
  };

  // Drawing a page costs about 10 ms a row (DOMPurify on each cell, the column resizer's layouts): pages of more
  // than MAX_PAGE_SIZE rows ("1000", "All") are offered only for an answer that short. A longer answer is read
  // page by page, or downloaded whole (the download button above the table).
  var MAX_PAGE_SIZE = 100;
  function tooLong(table) {
    var bindings = table.yasr.results && table.yasr.results.getBindings();
    return Boolean(bindings && bindings.length > MAX_PAGE_SIZE);
  }
  // YASR marks a cell whose value does not fit as expandable by asking DataTables for each cell of the page
  // (a search over all rows per cell) and measuring it between class changes (a layout per cell): the same marks,
  // measured first and then set, without the per-cell look-ups.
  function expandCell(event) {
    this.classList.add("expanded");
    event.preventDefault();
  }
  function markCellsThatDoNotFit(table) {
    if (!table.tableEl) { return; }
    var boxes = table.tableEl.querySelectorAll("tbody > tr > td > div:first-child");
    var overflowing = Array.prototype.map.call(boxes, function (box) {
      var value = box.firstElementChild;
      return (value ? value.getBoundingClientRect().width : 0) > box.getBoundingClientRect().width;
    });
    Array.prototype.forEach.call(boxes, function (box, index) {
      var marked = box.classList.contains("expandable");
      if (overflowing[index] && !marked) {
        box.classList.add("expandable");
        box.addEventListener("click", expandCell, { once: true });
      } else if (!overflowing[index] && marked) {
        box.classList.remove("expandable");
        box.removeEventListener("click", expandCell);
      }
    });
  }
  var tableDraw = Table.prototype.draw;
  Table.prototype.draw = function (config) {
    var table = this;
    table.setEllipsisHandlers = function () { markCellsThatDoNotFit(table); };
    var size = config && config.pageSize;
    if (size && (size < 0 || size > MAX_PAGE_SIZE) && tooLong(table)) {
      config = Object.assign({}, config, { pageSize: MAX_PAGE_SIZE });
    }
    return tableDraw.call(table, config);
  };
  var tableControls = Table.prototype.drawControls;
  Table.prototype.drawControls = function () {
    tableControls.apply(this, arguments);
    // The filter searches every row and draws again on each key released: it waits for a pause in the typing.
    var field = this.tableFilterField, search = this.handleTableSearch;
    if (field && search) {
      var pending = null;
      field.removeEventListener("keyup", search);
      field.addEventListener("keyup", function (event) {
        clearTimeout(pending);
        pending = setTimeout(function () { search(event); }, 250);
      });
    }
    var select = this.tableSizeField;
    if (!select || !tooLong(this)) { return; }
    Array.prototype.slice.call(select.options).forEach(function (option) {
      var size = Number(option.value);
      if (size < 0 || size > MAX_PAGE_SIZE) { option.remove(); }
    });
  };

  // The line the server names is marked in the editor until the query changes or is run again.
  function watchErrors(editor) {
    var marks = [];
    function clear() {
      marks.forEach(function (unmark) { unmark(); });
      marks = [];
    }
    editor.on("change", clear);
    editor.on("queryResponse", function (_editor, response) {
      clear();
      var found = response instanceof Error ? serverError(response.message) : null;
      if (!found || !found.line) { return; }
      var line = Math.min(found.line, editor.lineCount()) - 1;
      var handle = editor.addLineClass(line, "background", "jaikg-error-line");
      marks.push(function () { editor.removeLineClass(handle, "background", "jaikg-error-line"); });
      var length = editor.getLine(line).length;
      if (length > 0) {
        // The word at the column, or the character there when it is not in one.
        var ch = Math.min(Math.max(found.column - 1, 0), length - 1);
        var token = editor.getTokenAt({ line: line, ch: ch + 1 });
        var whole = token.string.trim() && token.start <= ch && ch < token.end;
        var from = whole ? token.start : ch, to = whole ? token.end : ch + 1;
        var at = editor.markText({ line: line, ch: from }, { line: line, ch: to },
                                 { className: "jaikg-error-at", attributes: { title: found.message } });
        marks.push(function () { at.clear(); });
      }
    });
  }

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    persistenceId: null,
    populateFromUrl: false,
    copyEndpointOnNewTab: true,
    autofocus: false,
    tabName: "Query",
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: config.endpoint }]; },
      keys: [],
    },
    yasqe: { autocompleters: ["variables", "prefixes"], prefixCcApi: config.prefixesUrl },
    yasr: { prefixes: config.prefixes },
  });

  // A shared link (the editor's share button, or ?query= by hand) opens its query in the first tab. The endpoint
  // such a link may name is not used: this page queries its own server only. The UI's address is config.uiUrl,
  // also when it is shown at /sparql, where ?query= would run the query instead of showing it.
  function sharedQuery() {
    var params = new URLSearchParams(window.location.search);
    if (!params.get("query") && window.location.hash.length > 1) {
      params = new URLSearchParams(window.location.hash.slice(1));
    }
    var query = params.get("query");
    return query ? { name: params.get("tabTitle") || "Shared query", query: query } : null;
  }
  var shared = sharedQuery();
  var examples = shared ? [shared].concat(config.examples) : config.examples;
  if (window.location.pathname !== new URL(config.uiUrl).pathname) {
    window.history.replaceState(null, "", config.uiUrl);
  }

  // Tab names are the questions, shortened; the whole question heads the query itself.
  function tabName(name) { return name.length > 40 ? name.slice(0, 38) + "…" : name; }

  // The first tab exists and is shown, so its editor can take a query; the others get theirs when created.
  var first = yasgui.getTab();
  examples.forEach(function (example, index) {
    if (index === 0) {
      first.setName(tabName(example.name));
      first.setQuery(example.query);
    } else {
      yasgui.addTab(false, { name: tabName(example.name), yasqe: { value: example.query },
                             requestConfig: { endpoint: config.endpoint, method: "POST" } });
    }
  });

  // Keyboard: the example tabs are one Tab stop (YASGUI's roving tabindex: the selected tab is in the Tab order,
  // the arrow keys move between the others), which YASGUI sets up when a tab is selected, not for tabs added in
  // the background as above. The selected tab is scrolled into view in the row of tabs.
  var tabsList = document.querySelector("#yasgui .tabsList");
  function showSelectedTab() {
    var selected = tabsList && tabsList.querySelector(".tab.active");
    if (!selected) { return; }
    var left = selected.offsetLeft - tabsList.offsetLeft, right = left + selected.offsetWidth;
    if (left < tabsList.scrollLeft || right - left >= tabsList.clientWidth) {  // its start first, if not all fits
      tabsList.scrollLeft = left;
    } else if (right > tabsList.scrollLeft + tabsList.clientWidth) {
      tabsList.scrollLeft = right - tabsList.clientWidth;
    }
  }
  if (yasgui.tabElements && typeof yasgui.tabElements.selectTab === "function") {
    yasgui.tabElements.selectTab(yasgui.getTab().getId());
  }
  yasgui.on("tabSelect", function () { setTimeout(showSelectedTab, 0); });
  showSelectedTab();

  // "Skip to the query editor" (WCAG 2.4.1), the page's first Tab stop, puts the focus in the editor.
  var skip = document.getElementById("skip-to-editor");
  if (skip) {
    skip.addEventListener("click", function (event) {
      var yasqe = yasgui.getTab().getYasqe();
      if (!yasqe) { return; }
      event.preventDefault();
      yasqe.getWrapperElement().scrollIntoView({ block: "center" });
      yasqe.focus();
    });
  }

  // Result IRIs of the graph open their page on this server, not on w3id.org. The path is the IRI's local part
  // percent-encoded as server/links.py encodes it (encode_slug): all but the unreserved characters, the
  // sub-delimiters, ":", "@" and "/", so that "?", "#", "%" and spaces in an IRI stay part of the path.
  function encodeSlug(slug) {
    return encodeURIComponent(slug).replace(/%(2F|3A|40|24|26|2B|2C|3B|3D)/g, function (escaped) {
      return decodeURIComponent(escaped);
    });
  }
  function localHref(iri) {
    if (Object.prototype.hasOwnProperty.call(config.localDocuments, iri)) { return config.localDocuments[iri]; }
    for (var i = 0; i < config.localPrefixes.length; i++) {
      var namespace = config.localPrefixes[i][0];
      if (iri.indexOf(namespace) === 0 && iri.length > namespace.length) {
        try {
          return config.localPrefixes[i][1] + encodeSlug(iri.slice(namespace.length));
        } catch (_notUnicode) {
          return null;  // a lone surrogate: no path names it
        }
      }
    }
    return null;
  }
  // YASR puts the IRI in the link's href as it is; a link already rewritten is left alone.
  function localise(root) {
    root.querySelectorAll("a[href]:not(.jaikg-local)").forEach(function (link) {
      var local = localHref(link.getAttribute("href"));
      if (local) {
        link.setAttribute("href", local);
        link.removeAttribute("target");
        link.classList.add("jaikg-local");
      }
    });
  }
  // An answer cut at the server's row limit says so in its headers (X-JAIKG-Truncated, X-SPARQL-MaxRows); the
  // results table would not: a notice above it does.
  function showTruncation(tab, response) {
    var yasr = tab.getYasr();
    if (!yasr || !yasr.rootEl) { return; }
    var old = yasr.rootEl.parentNode.querySelector(".jaikg-truncated");
    if (old) { old.remove(); }
    var headers = response && response.headers;
    if (!headers || typeof headers.get !== "function" || headers.get("X-JAIKG-Truncated") !== "true") { return; }
    var notice = document.createElement("p");
    notice.className = "jaikg-truncated";
    notice.setAttribute("role", "status");
    notice.textContent = "The answer was cut after " + headers.get("X-SPARQL-MaxRows") + " rows (the server's " +
      "row limit): not every result is shown. Narrow the query, or page through it with LIMIT and OFFSET.";
    yasr.rootEl.parentNode.insertBefore(notice, yasr.rootEl);
  }
  yasgui.on("query", function (_yasgui, tab) {
    var yasqe = tab.getYasqe();
    if (yasqe && !yasqe.jaikgWatched) {
      yasqe.jaikgWatched = true;
      yasqe.on("queryResponse", function (_yasqe, response) { showTruncation(tab, response); });
    }
  });

  var container = document.getElementById("yasgui");
  new MutationObserver(function () { localise(container); })
    .observe(container, { childList: true, subtree: true });
  window.jaikgYasgui = yasgui;
})();
