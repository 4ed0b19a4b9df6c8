// The link graph page (graph.html): draws the neighbourhood the API gives, adds a node's
// neighbours on "Expand", shows a record's or a link's details. Every text is set with
// textContent; the data never becomes markup.
(function () {
  var box = document.getElementById("graph");
  if (!box || !window.cytoscape) return;
  var details = document.getElementById("details");
  var filters = document.getElementById("graph-filters");
  var shapes = {"persons": "ellipse", "travel-documents": "rectangle", "vehicles": "round-rectangle",
                "indicators": "diamond", "assets": "hexagon", "firearms": "triangle",
                "hit": "star", "operation": "octagon"};
  var cy = window.cytoscape({
    container: box,
    minZoom: 0.2, maxZoom: 3,
    style: [
      {selector: "node", style: {"label": "data(label)", "font-size": 10, "text-wrap": "ellipsis",
        "text-max-width": 120, "background-color": "#3182bd", "shape": "data(shape)",
        "width": 22, "height": 22, "color": "#1b1b1b", "text-valign": "bottom", "text-margin-y": 3}},
      {selector: "node.start", style: {"background-color": "#08519c", "border-width": 3, "border-color": "#000"}},
      {selector: "edge", style: {"width": 2, "line-color": "#7a8793", "label": "data(label)",
        "font-size": 8, "curve-style": "bezier", "text-rotation": "autorotate"}},
      {selector: "edge.derived", style: {"line-style": "dashed", "line-color": "#b35806"}},
      {selector: ":selected", style: {"border-width": 3, "border-color": "#d94801", "line-color": "#d94801"}}
    ]
  });
  window.interlinkGraph = cy;  // for the browser tests

  function url(record, depth) {
    var params = new URLSearchParams({depth: String(depth)});
    var kind = filters.elements.kind.value, country = filters.elements.country.value.trim();
    if (kind) params.append("kind", kind);
    if (country) params.append("country", country);
    return "/api/v1/analysis/graph/records/" + record + "?" + params.toString();
  }

  function add(data) {
    data.nodes.forEach(function (n) {
      if (cy.getElementById(n.id).length) return;
      cy.add({group: "nodes", data: {id: n.id, label: n.title, kind: n.kind, owner: n.owner,
        href: n.href, shape: shapes[n.kind] || (/ notice$/.test(n.kind) ? "tag" : "ellipse")}});
    });
    data.edges.forEach(function (e) {
      if (cy.getElementById(e.id).length) return;
      cy.add({group: "edges", classes: e.origin, data: {id: e.id, source: e.source, target: e.target,
        label: e.relation, because: e.explanation.because || "",
        owners: (e.explanation.owners || []).join(" and "), origin: e.origin}});
    });
    cy.layout({name: "cose", animate: false, randomize: false}).run();
  }

  function load(record, depth) {
    return fetch(url(record, depth), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (answer) { if (!answer.ok) throw new Error(answer.status); return answer.json(); })
      .then(add)
      .catch(function () { say([["p", "The graph could not be loaded: reload the page."]]); });
  }

  function say(parts) {
    details.replaceChildren();
    parts.forEach(function (part) {
      var el = document.createElement(part[0]);
      el.textContent = part[1];
      if (part[2]) Object.keys(part[2]).forEach(function (k) { el.setAttribute(k, part[2][k]); });
      details.appendChild(el);
    });
    return details;
  }

  cy.on("tap", "node", function (event) {
    var n = event.target.data();
    var record = n.href.indexOf("/records/") === 0;
    if (!record) {  // a notice, hit or operation around the records: opened, not expanded
      say([["h3", n.label], ["p", n.kind], ["a", "Open it", {href: n.href}]]);
      return;
    }
    say([["h3", n.label], ["p", n.kind + " · owned by " + n.owner],
         ["a", "Open the record", {href: n.href}], ["button", "Expand", {type: "button", id: "expand"}]]);
    document.getElementById("expand").addEventListener("click", function () { load(n.id, 1); });
  });
  cy.on("tap", "edge", function (event) {
    var e = event.target.data();
    say([["h3", e.label], ["p", e.origin + ": " + e.because + (e.owners ? " (" + e.owners + ")" : "")]]);
  });

  load(box.dataset.record, box.dataset.depth).then(function () {
    cy.getElementById(box.dataset.record).addClass("start");
  });
})();
