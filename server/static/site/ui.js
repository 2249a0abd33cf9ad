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

  // The message in words in the results area, where YASR would print the body as it came.
  Yasgui.Yasr.defaults.errorRenderers = [function (error) {
    var found = serverError(error.text);
    if (!found) { return undefined; }
    var box = document.createElement("div");
    box.className = "jaikg-query-error";
    box.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.className = "jaikg-query-error-title";
    var name = (found.error || "error").replace(/-/g, " ");
    title.textContent = name.charAt(0).toUpperCase() + name.slice(1) +
      (found.line ? " at line " + found.line + ", column " + found.column + " (marked in the editor)" : "");
    var message = document.createElement("p");
    message.className = "jaikg-query-error-message";
    message.textContent = found.message;
    box.appendChild(title);
    box.appendChild(message);
    return box;
  }];

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

  // Result IRIs of the graph open their page on this server, not on w3id.org.
  function localHref(iri) {
    if (Object.prototype.hasOwnProperty.call(config.localDocuments, iri)) { return config.localDocuments[iri]; }
    for (var i = 0; i < config.localPrefixes.length; i++) {
      var namespace = config.localPrefixes[i][0];
      if (iri.indexOf(namespace) === 0 && iri.length > namespace.length) {
        return config.localPrefixes[i][1] + iri.slice(namespace.length);
      }
    }
    return null;
  }
  function localise(root) {
    root.querySelectorAll("a[href]").forEach(function (link) {
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
