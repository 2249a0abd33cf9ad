/* The interactive network of jaikg: Cytoscape.js over the node-link JSON of `jaikg graph --format json`.
   Used by the /graph page (data fetched from data-source) and by the self-contained HTML export (data inlined in
   <script type="application/json" id="network-data">). No inline handlers: the page runs under a strict CSP. */
(function () {
  "use strict";

  var root = document.getElementById("network");
  var inlined = document.getElementById("network-data");

  function resourceUrl(iri) {
    var namespace = root.dataset.resourceNamespace || "";
    var base = root.dataset.resourceBase || "";
    if (base && namespace && iri.indexOf(namespace) === 0) {
      return base + encodeURI(iri.slice(namespace.length));
    }
    return iri;
  }

  function elementsOf(data) {
    var degree = {};
    data.links.forEach(function (link) {
      degree[link.source] = (degree[link.source] || 0) + 1;
      degree[link.target] = (degree[link.target] || 0) + 1;
    });
    var nodes = data.nodes.map(function (node) {
      return {
        group: "nodes",
        data: {
          id: node.id, label: node.label, name: node.label_en, name_ja: node.label_ja, type: node.type,
          category: node.category, iri: node.iri, programs: (node.programs || "").split(" ").filter(Boolean),
          colour: data.colours[node.category] || "#444444", degree: degree[node.id] || 0
        },
        position: { x: node.x, y: node.y }
      };
    });
    var edges = data.links.map(function (link, index) {
      return { group: "edges", data: { id: "e" + index, source: link.source, target: link.target,
                                        relation: link.relation } };
    });
    return nodes.concat(edges);
  }

  function fillControls(data, cy) {
    var types = document.getElementById("type-filters");
    Object.keys(data.colours).forEach(function (category) {
      var count = cy.nodes().filter(function (n) { return n.data("category") === category; }).length;
      if (!count) { return; }
      var label = document.createElement("label");
      var box = document.createElement("input");
      var swatch = document.createElement("span");
      box.type = "checkbox";
      box.checked = true;
      box.value = category;
      box.className = "type-filter";
      swatch.className = "swatch";
      swatch.style.backgroundColor = data.colours[category];
      label.appendChild(box);
      label.appendChild(swatch);
      label.appendChild(document.createTextNode(category + " (" + count + ")"));
      types.appendChild(label);
    });
    var programs = document.getElementById("program-filter");
    cy.nodes().filter(function (n) { return n.data("category") === "Program"; })
      .sort(function (a, b) { return a.data("label").localeCompare(b.data("label")); })
      .forEach(function (node) {
        var option = document.createElement("option");
        option.value = node.id();
        option.textContent = node.data("label");
        programs.appendChild(option);
      });
  }

  function applyFilters(cy) {
    var shown = {};
    document.querySelectorAll("input.type-filter").forEach(function (box) { shown[box.value] = box.checked; });
    var program = document.getElementById("program-filter").value;
    cy.batch(function () {
      cy.nodes().forEach(function (node) {
        var visible = shown[node.data("category")] !== false &&
          (!program || node.data("programs").indexOf(program) >= 0);
        node.style("display", visible ? "element" : "none");
      });
    });
    document.getElementById("visible-count").textContent = String(cy.nodes(":visible").length);
    syncNodeList(cy);
  }

  // The drawing is a canvas, out of reach of the keyboard: the nodes shown are also links in a list beside it.
  // The list is one Tab stop (the arrow keys, Home and End move within it); focusing a node shows it as hovering
  // does, Enter opens its page as a click does.
  function fillNodeList(cy) {
    var list = document.getElementById("node-list");
    cy.nodes().sort(function (a, b) { return a.data("label").localeCompare(b.data("label")); })
      .forEach(function (node) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        var swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.backgroundColor = node.data("colour");
        swatch.setAttribute("aria-hidden", "true");
        link.href = resourceUrl(node.data("iri"));
        link.tabIndex = -1;
        link.dataset.node = node.id();
        link.appendChild(swatch);
        link.appendChild(document.createTextNode(node.data("label")));
        item.appendChild(link);
        list.appendChild(item);
      });
    list.addEventListener("keydown", function (event) {
      var links = shownLinks();
      var index = links.indexOf(event.target);
      var next = { ArrowDown: index + 1, ArrowRight: index + 1, ArrowUp: index - 1, ArrowLeft: index - 1,
                   Home: 0, End: links.length - 1 }[event.key];
      if (next === undefined || index < 0) { return; }
      event.preventDefault();
      focusLink(links[Math.max(0, Math.min(next, links.length - 1))]);
    });
    list.addEventListener("focusin", function (event) {
      var node = cy.$id(event.target.dataset.node);
      showNode(cy, node);
      var box = cy.extent(), at = node.position();
      if (at.x < box.x1 || at.x > box.x2 || at.y < box.y1 || at.y > box.y2) { cy.center(node); }
    });
    list.addEventListener("focusout", function (event) { hideNode(cy, cy.$id(event.target.dataset.node)); });
  }

  function shownLinks() {
    return Array.prototype.filter.call(document.querySelectorAll("#node-list a"), function (link) {
      return !link.parentNode.hidden;
    });
  }

  function focusLink(link) {
    document.querySelectorAll("#node-list a[tabindex='0']").forEach(function (old) { old.tabIndex = -1; });
    link.tabIndex = 0;
    link.focus();
  }

  // Hidden nodes leave the list; the Tab stop stays on a node shown.
  function syncNodeList(cy) {
    document.querySelectorAll("#node-list a").forEach(function (link) {
      link.parentNode.hidden = !cy.$id(link.dataset.node).visible();
    });
    var current = document.querySelector("#node-list a[tabindex='0']");
    var links = shownLinks();
    if ((!current || current.parentNode.hidden) && links.length) {
      if (current) { current.tabIndex = -1; }
      links[0].tabIndex = 0;
    }
  }

  function highlight(cy, nodes) {
    cy.elements().removeClass("faded highlighted");
    if (!nodes || nodes.empty()) { return; }
    var neighbourhood = nodes.closedNeighborhood();
    cy.elements().not(neighbourhood).addClass("faded");
    nodes.addClass("highlighted");
  }

  // What hovering (or focusing) a node shows: its neighbourhood highlighted, the relations on its edges, and in
  // words, for a screen reader too, what the node is and what it is linked to.
  function showNode(cy, node) {
    highlight(cy, node);
    node.connectedEdges().forEach(function (edge) { edge.style("label", edge.data("relation")); });
    var links = node.connectedEdges(":visible").map(function (edge) {
      var outgoing = edge.source().same(node);
      var other = outgoing ? edge.target() : edge.source();
      return outgoing ? edge.data("relation") + " " + other.data("label")
                      : other.data("label") + " " + edge.data("relation") + " it";
    });
    var name = node.data("name") && node.data("name") !== node.data("label") ? ", " + node.data("name") : "";
    document.getElementById("node-details").textContent = node.data("label") + " (" + node.data("category") +
      name + ")" + (links.length ? ": " + links.join("; ") + "." : ", with no links shown.");
  }

  function hideNode(cy, node) {
    node.connectedEdges().forEach(function (edge) { edge.removeStyle("label"); });
    document.getElementById("node-details").textContent = "";
    search(cy, document.getElementById("network-search").value);
  }

  function search(cy, text) {
    var query = text.trim().toLowerCase();
    if (!query) { highlight(cy, null); return; }
    var found = cy.nodes(":visible").filter(function (node) {
      return [node.data("label"), node.data("name"), node.data("name_ja")].some(function (name) {
        return name && name.toLowerCase().indexOf(query) >= 0;
      });
    });
    highlight(cy, found);
    if (found.nonempty()) { cy.animate({ fit: { eles: found.closedNeighborhood(), padding: 60 } }, { duration: 300 }); }
  }

  function start(data) {
    var cy = cytoscape({
      container: document.getElementById("network-canvas"),
      elements: elementsOf(data),
      layout: { name: "preset", fit: true, padding: 30 },
      minZoom: 0.1,
      maxZoom: 4,
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", label: "data(label)", "font-size": 9, "text-valign": "bottom",
          "text-max-width": 140, "text-wrap": "ellipsis", width: "mapData(degree, 0, 12, 10, 34)",
          height: "mapData(degree, 0, 12, 10, 34)", color: "#222", "text-outline-color": "#fff",
          "text-outline-width": 1.5 } },
        { selector: "edge", style: { width: 1, "line-color": "#bbb", "curve-style": "bezier",
                                     "target-arrow-shape": "triangle", "target-arrow-color": "#bbb",
                                     "arrow-scale": 0.6, label: "", "font-size": 7 } },
        { selector: ".faded", style: { opacity: 0.12 } },
        { selector: "node.highlighted", style: { "border-width": 3, "border-color": "#000" } }
      ]
    });
    fillControls(data, cy);
    fillNodeList(cy);
    applyFilters(cy);
    cy.on("mouseover", "node", function (event) { showNode(cy, event.target); });
    cy.on("mouseout", "node", function (event) { hideNode(cy, event.target); });
    cy.on("tap", "node", function (event) { window.location.assign(resourceUrl(event.target.data("iri"))); });
    document.getElementById("type-filters").addEventListener("change", function () { applyFilters(cy); });
    document.getElementById("program-filter").addEventListener("change", function () {
      applyFilters(cy);
      cy.animate({ fit: { eles: cy.nodes(":visible"), padding: 40 } }, { duration: 300 });
    });
    document.getElementById("network-search").addEventListener("input", function (event) {
      search(cy, event.target.value);
    });
    root.dataset.ready = "true";
    window.jaikgNetwork = cy;
  }

  if (inlined) {
    start(JSON.parse(inlined.textContent));
  } else {
    fetch(root.dataset.source, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(start);
  }
}());
