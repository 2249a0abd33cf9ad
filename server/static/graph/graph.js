/* The interactive network of jaikg: Cytoscape.js over the node-link JSON of `jaikg graph --format json`.
   Used by the /graph page (data fetched from data-source) and by the self-contained HTML export (data inlined in
   <script type="application/json" id="network-data">). No inline handlers: the page runs under a strict CSP.

   Two ways to filter. When the whole network comes (it is within the server's node cap), the type and program
   filters hide and show its nodes here. When the server answers that the network is too large to draw
   (400 "network-too-large", with its count, the cap, the node types and the programs), the page says so and each
   change of the filters asks the server for that view instead. */
(function () {
  "use strict";

  var root = document.getElementById("network");
  var inlined = document.getElementById("network-data");
  var statusBox = document.getElementById("network-status");
  var searchStatus = document.getElementById("search-status");
  var LABEL_FONT = 11;
  var LABEL_FAMILY = "system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif";
  var LABEL_WIDTH = 140;  // text-max-width: longer labels end in an ellipsis
  var LABEL_MIN_PX = 6;   // below this rendered size, only the nodes hovered or found are named
  var view = { cy: null, inverses: {}, serverFilters: false, request: 0, matches: null, measure: null };

  function say(text, kind) {
    if (statusBox.textContent !== text) { statusBox.textContent = text; }
    statusBox.dataset.kind = kind || "";
  }

  function count(number, one, many) {
    return number.toLocaleString("en") + " " + (number === 1 ? one : many);
  }

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
          colour: (data.colours || {})[node.category] || "#444444", degree: degree[node.id] || 0
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

  // --- The controls: filled once, from the network itself or from the server's census of a network too large.

  function fillControls(colours, categories, programs, programsTotal) {
    var types = document.getElementById("type-filters");
    Object.keys(colours).forEach(function (category) {
      if (!categories[category]) { return; }
      var label = document.createElement("label");
      var box = document.createElement("input");
      var swatch = document.createElement("span");
      box.type = "checkbox";
      box.checked = true;
      box.value = category;
      box.className = "type-filter";
      swatch.className = "swatch";
      swatch.style.backgroundColor = colours[category];
      swatch.setAttribute("aria-hidden", "true");
      label.appendChild(box);
      label.appendChild(swatch);
      label.appendChild(document.createTextNode(category + " (" + categories[category].toLocaleString("en") + ")"));
      types.appendChild(label);
    });
    var select = document.getElementById("program-filter");
    programs.forEach(function (program) {
      var option = document.createElement("option");
      option.value = program.id;
      option.textContent = program.label;
      select.appendChild(option);
    });
    var note = document.getElementById("program-note");
    if (programsTotal > programs.length) {
      note.textContent = programs.length.toLocaleString("en") + " of " + count(programsTotal, "program", "programs") +
        " listed, by name.";
      note.hidden = false;
    }
  }

  function controlsOfNetwork(data) {
    var categories = {};
    data.nodes.forEach(function (node) { categories[node.category] = (categories[node.category] || 0) + 1; });
    var programs = data.nodes.filter(function (node) { return node.category === "Program"; })
      .map(function (node) { return { id: node.id, label: node.label }; })
      .sort(function (a, b) { return a.label.localeCompare(b.label); });
    fillControls(data.colours || {}, categories, programs, programs.length);
  }

  function chosenTypes() {
    var all = true, chosen = [];
    document.querySelectorAll("input.type-filter").forEach(function (box) {
      if (box.checked) { chosen.push(box.value); } else { all = false; }
    });
    return all ? null : chosen;
  }

  function filtersChanged() {
    if (view.serverFilters) { askServer(); return; }
    applyFilters();
  }

  // The whole network is here: the filters hide and show its nodes.
  function applyFilters() {
    var cy = view.cy;
    var types = chosenTypes();
    var program = document.getElementById("program-filter").value;
    cy.batch(function () {
      cy.nodes().forEach(function (node) {
        var visible = (!types || types.indexOf(node.data("category")) >= 0) &&
          (!program || node.data("programs").indexOf(program) >= 0);
        node.style("display", visible ? "element" : "none");
      });
    });
    shown();
  }

  // The network is too large to come whole: the server makes each view.
  function askServer() {
    var types = chosenTypes();
    var program = document.getElementById("program-filter").value;
    if (types && !types.length) {
      clearDrawing();
      say("No node type is chosen: choose one or more to draw.", "");
      return;
    }
    var query = [];
    if (types) { query.push("types=" + encodeURIComponent(types.join(","))); }
    if (program) { query.push("program=" + encodeURIComponent(program)); }
    load(root.dataset.source + (query.length ? "?" + query.join("&") : ""));
  }

  // --- Loading.

  function load(url) {
    var ticket = ++view.request;
    say("Loading the network…", "loading");
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.text().then(function (text) {
          var body = null;
          try { body = JSON.parse(text); } catch (error) { body = null; }
          if (ticket !== view.request) { return; }  // a later choice of filters asked again
          if (response.ok && body && body.nodes) {
            show(body);
          } else if (body && body.error === "network-too-large") {
            tooLarge(body);
          } else {
            fail((body && body.message) || (response.status + " " + (response.statusText || "error")));
          }
        });
      })
      .catch(function (error) {
        if (ticket === view.request) { fail(error && error.message ? error.message : String(error)); }
      });
  }

  function fail(message) {
    say("Could not load the network: " + message.replace(/\.$/, "") + ". Reload the page to try again.", "error");
    root.dataset.ready = "true";
  }

  function tooLarge(answer) {
    if (!view.serverFilters && !document.querySelector("input.type-filter")) {
      view.serverFilters = true;
      fillControls(answer.colours || {}, answer.categories, answer.programs, answer.programs_total);
    }
    view.serverFilters = true;
    clearDrawing();
    var filtered = chosenTypes() || document.getElementById("program-filter").value;
    say((filtered ? "These filters leave " : "The network has ") + count(answer.nodes, "node", "nodes") +
        ", more than the " + answer.max_nodes.toLocaleString("en") + " this page draws. Choose a program" +
        (filtered ? " or fewer node types" : ", or fewer node types,") + " to narrow it.", "too-large");
    root.dataset.ready = "true";
  }

  function clearDrawing() {
    if (view.cy) { view.cy.elements().remove(); }
    fillNodeList();
    shown();
  }

  // --- The drawing.

  function show(data) {
    view.inverses = data.inverses || {};
    if (!view.cy) {
      if (!view.serverFilters) { controlsOfNetwork(data); }
      view.cy = createDrawing(data);
      window.jaikgNetwork = view.cy;
    } else {
      view.cy.batch(function () {
        view.cy.elements().remove();
        view.cy.add(elementsOf(data));
      });
    }
    say("", "");
    fillNodeList();
    if (view.serverFilters) { shown(); } else { applyFilters(); }
    firstZoom(view.cy);
    placeLabels();
    root.dataset.ready = "true";
  }

  function createDrawing(data) {
    var cy = cytoscape({
      container: document.getElementById("network-canvas"),
      elements: elementsOf(data),
      layout: { name: "preset", fit: false },
      minZoom: 0.05,
      maxZoom: 4,
      hideEdgesOnViewport: data.nodes.length > 1000,
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", label: "", "font-size": LABEL_FONT, "font-family": LABEL_FAMILY,
          "text-valign": "bottom", "text-max-width": LABEL_WIDTH, "text-wrap": "ellipsis",
          width: "mapData(degree, 0, 12, 10, 34)", height: "mapData(degree, 0, 12, 10, 34)", color: "#222",
          "text-outline-color": "#fff", "text-outline-width": 1.5 } },
        { selector: "node.labelled", style: { label: "data(label)" } },
        { selector: "edge", style: { width: 1, "line-color": "#bbb", "curve-style": "bezier",
                                     "target-arrow-shape": "triangle", "target-arrow-color": "#bbb",
                                     "arrow-scale": 0.6, label: "", "font-size": 7 } },
        { selector: ".faded", style: { opacity: 0.12 } },
        { selector: "node.faded", style: { label: "" } },
        { selector: "node.highlighted", style: { "border-width": 3, "border-color": "#000" } }
      ]
    });
    cy.on("mouseover", "node", function (event) { showNode(event.target); });
    cy.on("mouseout", "node", function (event) { hideNode(event.target); });
    cy.on("tap", "node", function (event) { window.location.assign(resourceUrl(event.target.data("iri"))); });
    var pending = null;
    cy.on("viewport", function () {
      if (pending) { clearTimeout(pending); }
      pending = setTimeout(function () { pending = null; placeLabels(); }, 100);
    });
    return cy;
  }

  function shown() {
    var drawn = view.cy ? view.cy.nodes(":visible").length : 0;
    document.getElementById("visible-count").textContent = drawn.toLocaleString("en");
    search(document.getElementById("network-search").value, false);
  }

  // The first view: everything, unless that makes the nodes specks (a phone, a large network) and one connected
  // part holds much of it; then that part, which the reader can zoom out of.
  function firstZoom(cy) {
    var visible = cy.elements(":visible");
    if (visible.nodes().empty()) { return; }
    if (fitLevel(visible, 24) < 0.6) {
      var largest = visible.components().sort(function (a, b) { return b.nodes().length - a.nodes().length; })[0];
      if (largest.nodes().length * 3 >= visible.nodes().length) { zoomTo(largest, 16, false); return; }
    }
    zoomTo(visible, 24, false);
  }

  var CLOSEST = 1.5;  // a few nodes fill the drawing at this zoom, not one

  function fitLevel(elements, padding) {
    var cy = view.cy, box = elements.boundingBox();
    var level = Math.min((cy.width() - 2 * padding) / Math.max(box.w, 1),
                         (cy.height() - 2 * padding) / Math.max(box.h, 1));
    return Math.max(cy.minZoom(), Math.min(CLOSEST, level));
  }

  // Shows `elements` whole, centred, as close as CLOSEST at most.
  function zoomTo(elements, padding, animate) {
    var cy = view.cy, box = elements.boundingBox(), level = fitLevel(elements, padding);
    var target = { zoom: level, pan: { x: cy.width() / 2 - level * (box.x1 + box.w / 2),
                                       y: cy.height() / 2 - level * (box.y1 + box.h / 2) } };
    if (animate) { cy.animate(target, { duration: 300 }); } else { cy.viewport(target); }
  }

  // Labels without overlaps: at the current zoom, the best-connected nodes in view are named first, and a label
  // that would cover one already placed is left out. While nodes are hovered, focused or found, only they and
  // their neighbours are named, they first, whatever the zoom.
  function placeLabels() {
    var cy = view.cy;
    if (!cy) { return; }
    var named = cy.nodes(".named");
    var zoom = cy.zoom();
    var extent = cy.extent();
    cy.batch(function () {
      cy.nodes(".labelled").removeClass("labelled");
      if (named.empty() && LABEL_FONT * zoom < LABEL_MIN_PX) { return; }
      var placed = [];
      (named.nonempty() ? named : cy.nodes(":visible")).filter(function (node) {
        var at = node.position();
        return at.x >= extent.x1 && at.x <= extent.x2 && at.y >= extent.y1 && at.y <= extent.y2;
      }).sort(function (a, b) {
        return (b.hasClass("highlighted") - a.hasClass("highlighted")) || b.data("degree") - a.data("degree") ||
          (a.data("label") < b.data("label") ? -1 : 1);
      }).forEach(function (node) {
        var box = labelBox(node);
        for (var i = 0; i < placed.length; i++) {
          var other = placed[i];
          if (box.x1 < other.x2 && other.x1 < box.x2 && box.y1 < other.y2 && other.y1 < box.y2) { return; }
        }
        placed.push(box);
        node.addClass("labelled");
      });
    });
  }

  // Where a node's label goes, in model coordinates, with a margin: centred under the node.
  function labelBox(node) {
    if (!view.measure) {
      view.measure = document.createElement("canvas").getContext("2d");
      view.measure.font = LABEL_FONT + "px " + LABEL_FAMILY;
    }
    var width = Math.min(view.measure.measureText(node.data("label")).width, LABEL_WIDTH) + 8;
    var height = LABEL_FONT * 1.4 + 6;
    var at = node.position();
    var top = at.y + node.height() / 2;
    return { x1: at.x - width / 2, x2: at.x + width / 2, y1: top - 2, y2: top - 2 + height };
  }

  // --- The node list: the drawing is a canvas, out of reach of the keyboard, so the nodes shown are also links in
  // a list beside it. The list is one Tab stop (the arrow keys, Home and End move within it); focusing a node shows
  // it as hovering does, Enter opens its page as a click does. A search narrows it to the nodes found.

  function fillNodeList() {
    var list = document.getElementById("node-list");
    list.textContent = "";
    if (!view.cy) { return; }
    view.cy.nodes().sort(function (a, b) { return a.data("label").localeCompare(b.data("label")); })
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
  }

  function listenToNodeList() {
    var list = document.getElementById("node-list");
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
      var cy = view.cy;
      var node = cy && cy.$id(event.target.dataset.node);
      if (!node || node.empty()) { return; }
      showNode(node);
      var box = cy.extent(), at = node.position();
      if (at.x < box.x1 || at.x > box.x2 || at.y < box.y1 || at.y > box.y2) { cy.center(node); }
    });
    list.addEventListener("focusout", function (event) {
      var node = view.cy && view.cy.$id(event.target.dataset.node);
      if (node && node.nonempty()) { hideNode(node); }
    });
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

  // Hidden nodes, and nodes a search did not find, leave the list; the Tab stop stays on a node listed.
  function syncNodeList() {
    var cy = view.cy;
    var found = view.matches;
    document.querySelectorAll("#node-list a").forEach(function (link) {
      var id = link.dataset.node;
      link.parentNode.hidden = !cy || !cy.$id(id).visible() || (found !== null && !found[id]);
    });
    var current = document.querySelector("#node-list a[tabindex='0']");
    var links = shownLinks();
    if ((!current || current.parentNode.hidden) && links.length) {
      if (current) { current.tabIndex = -1; }
      links[0].tabIndex = 0;
    }
  }

  // --- Hovering, focusing, searching.

  function highlight(nodes) {
    var cy = view.cy;
    cy.batch(function () {
      cy.elements().removeClass("faded highlighted named");
      if (!nodes || nodes.empty()) { return; }
      var neighbourhood = nodes.closedNeighborhood();
      cy.elements().not(neighbourhood).addClass("faded");
      neighbourhood.nodes().addClass("named");
      nodes.addClass("highlighted");
    });
    placeLabels();
  }

  // What hovering (or focusing) a node shows: its neighbourhood highlighted and named, the relations on its edges,
  // and in words, for a screen reader too, what the node is and each link, said from the node's side
  // ("developed by AIST", "selected for …").
  function showNode(node) {
    highlight(node);
    node.connectedEdges().forEach(function (edge) { edge.style("label", edge.data("relation")); });
    document.getElementById("node-details").textContent = describe(node);
  }

  function describe(node) {
    var clauses = node.connectedEdges(":visible").map(function (edge) {
      var outgoing = edge.source().same(node);
      var other = outgoing ? edge.target() : edge.source();
      var relation = edge.data("relation");
      return (outgoing ? relation : (view.inverses[relation] || relation + " (reversed)")) + " " +
        other.data("label");
    }).sort();
    var name = node.data("name") && node.data("name") !== node.data("label") ? ", " + node.data("name") : "";
    var head = node.data("label") + " (" + node.data("category") + name + ")";
    if (!clauses.length) { return head + ": no links shown."; }
    var text = head + ": " + clauses.join("; ");
    return /[.!?]$/.test(text) ? text : text + ".";
  }

  function hideNode(node) {
    node.connectedEdges().forEach(function (edge) { edge.removeStyle("label"); });
    document.getElementById("node-details").textContent = "";
    search(document.getElementById("network-search").value, false);
  }

  // Highlights the nodes whose name holds the text, says how many (or that none does), and narrows the node
  // list to them; `zoom`: also zoom to them (as the reader types, not when a hover ends).
  function search(text, zoom) {
    var cy = view.cy;
    var query = text.trim().toLowerCase();
    var found = null;
    if (query && cy) {
      found = cy.nodes(":visible").filter(function (node) {
        return [node.data("label"), node.data("name"), node.data("name_ja")].some(function (name) {
          return name && name.toLowerCase().indexOf(query) >= 0;
        });
      });
    }
    view.matches = null;
    if (found) {
      view.matches = {};
      found.forEach(function (node) { view.matches[node.id()] = true; });
    }
    var message = !query ? "" : !found || found.empty() ? "No node matches “" + text.trim() + "”." :
      count(found.length, "node matches", "nodes match") + " “" + text.trim() + "”; the Nodes list shows " +
      (found.length === 1 ? "it." : "them.");
    if (searchStatus.textContent !== message) { searchStatus.textContent = message; }
    syncNodeList();
    if (!cy) { return; }
    highlight(found);
    if (zoom && found && found.nonempty()) {
      zoomTo(found.closedNeighborhood(), 60, true);
    }
  }

  function listenToControls() {
    document.getElementById("type-filters").addEventListener("change", filtersChanged);
    document.getElementById("program-filter").addEventListener("change", function () {
      filtersChanged();
      if (!view.serverFilters && view.cy && view.cy.nodes(":visible").nonempty()) {
        zoomTo(view.cy.elements(":visible"), 40, true);
      }
    });
    document.getElementById("network-search").addEventListener("input", function (event) {
      search(event.target.value, true);
    });
    listenToNodeList();
  }

  listenToControls();
  if (inlined) {
    show(JSON.parse(inlined.textContent));
  } else {
    load(root.dataset.source);
  }
}());
