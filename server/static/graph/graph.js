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
  }

  function highlight(cy, nodes) {
    cy.elements().removeClass("faded highlighted");
    if (!nodes || nodes.empty()) { return; }
    var neighbourhood = nodes.closedNeighborhood();
    cy.elements().not(neighbourhood).addClass("faded");
    nodes.addClass("highlighted");
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
    applyFilters(cy);
    cy.on("mouseover", "node", function (event) {
      highlight(cy, event.target);
      event.target.connectedEdges().forEach(function (edge) { edge.style("label", edge.data("relation")); });
    });
    cy.on("mouseout", "node", function (event) {
      event.target.connectedEdges().forEach(function (edge) { edge.removeStyle("label"); });
      search(cy, document.getElementById("network-search").value);
    });
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
