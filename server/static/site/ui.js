// The query UI: YASGUI on this server's endpoint, the competency questions as tabs, no request to any other host.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("jaikg-config").textContent);

  // Only completers that stay on this server: variables, and prefixes from our own prefix list
  // (the class and property completers call the LOV API).
  Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
  Yasgui.Yasqe.defaults.prefixCcApi = config.prefixesUrl;

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
