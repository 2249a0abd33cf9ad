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

  // The first tab exists and is shown, so its editor can take a query; the others get theirs when created.
  var first = yasgui.getTab();
  config.examples.forEach(function (example, index) {
    if (index === 0) {
      first.setName(example.name);
      first.setQuery(example.query);
    } else {
      yasgui.addTab(false, { name: example.name, yasqe: { value: example.query },
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
  var container = document.getElementById("yasgui");
  new MutationObserver(function () { localise(container); })
    .observe(container, { childList: true, subtree: true });
  window.jaikgYasgui = yasgui;
})();
