// ektp_routes map.html: draws the plan held in the JSON block #plan-data with Leaflet.
// Every text from the plan reaches the page through textContent (never innerHTML), so an office
// name such as "${alert(1)}" or a closing script tag is shown as text and never runs.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("plan-data").textContent);
  var T = D.labels;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function table(rows) {
    var t = el("table", "popup");
    rows.forEach(function (r) {
      if (r[1] === null || r[1] === undefined || r[1] === "") { return; }
      var tr = el("tr");
      tr.appendChild(el("th", null, r[0]));
      tr.appendChild(el("td", null, r[1]));
      t.appendChild(tr);
    });
    return t;
  }
  function courierColour(c) { return D.palette[(c - 1) % D.palette.length]; }

  var map = L.map("map", { preferCanvas: true, zoomControl: true });
  var canvas = L.canvas({ padding: 0.5 });
  var osm = L.tileLayer(D.tiles.url, { maxZoom: 19, attribution: D.tiles.attribution });

  // Base layer: the desa polygons, shaded by cards, so the map means something without tiles.
  var desa = L.geoJSON(D.desa, {
    renderer: canvas,
    style: function (f) {
      return { color: "#555", weight: 1, fillColor: D.desaColours[f.properties.cls], fillOpacity: 0.55 };
    },
    onEachFeature: function (f, layer) {
      var p = f.properties;
      layer.bindPopup(function () {
        var box = el("div");
        box.appendChild(el("b", null, p.desa));
        box.appendChild(table([[T.kecamatan, p.kecamatan], [T.cards, p.cards], [T.planned, p.planned],
          [T.unserved, p.unserved], [T.courier_days, p.courier_days]]));
        return box;
      });
    }
  }).addTo(map);
  var desaLabels = L.layerGroup();
  D.desa.features.forEach(function (f) {
    var c = f.properties.label;
    if (!c) { return; }
    desaLabels.addLayer(L.marker([c[1], c[0]], {
      interactive: false,
      icon: L.divIcon({ className: "desa-label", html: el("span", null, f.properties.desa), iconSize: null })
    }));
  });
  desaLabels.addTo(map);

  var routeLayer = L.layerGroup().addTo(map);
  var stopLayer = L.layerGroup().addTo(map);
  var officeLayer = L.layerGroup().addTo(map);

  function routePopup(r) {
    var box = el("div");
    box.appendChild(el("b", null, r.id));
    box.appendChild(table([[T.office, r.office], [T.courier, r.courier], [T.day, r.day], [T.date, r.date],
      [T.stops, r.stops], [T.cards, r.cards], [T.km, r.km], [T.hours, r.hours],
      [T.time, r.start + " - " + r.end]]));
    return box;
  }
  var routes = D.routes.map(function (r) {
    // A day that never leaves its office's point has no line (as in the GIS layers); it is still listed.
    if (!r.coords.length) { return null; }
    // A dashed line: the order of blocks/desa visited, not a street path to a known house.
    var line = L.polyline(r.coords.map(function (c) { return [c[1], c[0]]; }),
      { renderer: canvas, color: courierColour(r.courier), weight: 3, opacity: 0.9, dashArray: r.approx ? "8 6" : null });
    line.bindPopup(function () { return routePopup(r); });
    line.bindTooltip(function () { return el("span", null, r.id); }, { sticky: true });
    return line;
  });

  var S = D.stops;
  var many = S.lon.length > 5000;  // thinner dots, so routes stay visible under thousands of stops
  function stopRows(i) {
    var ri = S.route[i], r = ri >= 0 ? D.routes[ri] : null;
    return [[T.route, r ? r.id : ""], [T.sequence, r ? S.seq[i] : ""],
      [T.arrival, S.arrival[i]], [T.cards, S.cards[i]], [T.desa, D.desaNames[S.desa[i]]],
      [T.rw_rt, S.rwrt[i]], [T.precision, D.precisionNames[S.precision[i]]],
      [T.status, D.statusNames[S.status[i]]], [T.reason, S.reason[i]]];
  }
  function stopPopup(i) {
    var box = el("div");
    box.appendChild(el("b", null, S.id[i]));
    box.appendChild(table(stopRows(i)));
    return box;
  }
  function stopColour(i) {
    var ri = S.route[i];
    return ri >= 0 ? courierColour(D.routes[ri].courier) : D.statusColours[S.status[i]];
  }
  // A house a small dot, a street point a ring, a block/settlement pin a large pale dot.
  function kindStyle(kind, colour, onRoute) {
    var small = many ? 1 : 0;
    if (kind === 1) { return { radius: 4 - small, weight: 2.5, color: colour, fillColor: "#fff", fillOpacity: 1 }; }
    if (kind === 2) { return { radius: 6 - small, weight: 1.5, color: "#222", fillColor: colour, fillOpacity: 0.4 }; }
    return { radius: (onRoute ? 3 : 4) - small, weight: many ? 0.5 : 1, color: "#222", fillColor: colour, fillOpacity: 1 };
  }
  var stops = S.lon.map(function (lon, i) {
    if (S.place[i] >= 0) { return null; }  // known only to its desa: drawn once per desa point, below
    var style = kindStyle(S.kind[i], stopColour(i), S.route[i] >= 0);
    style.renderer = canvas;
    var m = L.circleMarker([S.lat[i], lon], style);
    m.bindPopup(function () { return stopPopup(i); });
    return m;
  });
  // Stops known only to their desa: one hollow dashed circle per desa point with the number of stops
  // shown, never a dot per block as if each were a house at that point.
  var desaPoints = [];
  S.lon.forEach(function (lon, i) {
    var k = S.place[i];
    if (k < 0) { return; }
    if (!desaPoints[k]) { desaPoints[k] = { lat: S.lat[i], lon: lon, members: [], shown: [] }; }
    desaPoints[k].members.push(i);
  });
  var groups = desaPoints.map(function (g) {
    g.marker = L.circleMarker([g.lat, g.lon], { renderer: canvas, radius: 9, weight: 2, dashArray: "4 3",
      color: "#333", fillColor: "#fff", fillOpacity: 0.15 });
    g.marker.bindTooltip(function () { return el("span", null, String(g.shown.length)); },
      { permanent: true, direction: "right", offset: [8, 0], className: "desa-count" });
    g.marker.bindPopup(function () {
      var box = el("div", "desa-group");
      box.appendChild(el("b", null, T.desa_group.replace("{n}", g.shown.length)));
      g.shown.forEach(function (i) { box.appendChild(el("div", "member", S.id[i])); box.appendChild(table(stopRows(i))); });
      return box;
    });
    return g;
  });
  function showGroup(g, visible) {
    g.shown = g.members.filter(visible).sort(function (a, b) { return S.route[a] - S.route[b] || S.seq[a] - S.seq[b]; });
    if (!g.shown.length) { return 0; }
    var colours = {};
    g.shown.forEach(function (i) { colours[stopColour(i)] = true; });
    var one = Object.keys(colours);
    g.marker.setStyle({ color: one.length === 1 ? one[0] : "#333", radius: 7 + Math.min(8, 2 * Math.sqrt(g.shown.length)) });
    stopLayer.addLayer(g.marker);
    g.marker.setTooltipContent(el("span", null, String(g.shown.length)));
    return g.shown.length;
  }

  D.offices.forEach(function (o) {
    var icon = L.divIcon({ className: "office-icon", html: el("span", null, T.office_badge), iconSize: null });
    var m = L.marker([o.lat, o.lon], { icon: icon, zIndexOffset: 1000 });
    m.bindTooltip(function () { return el("span", null, o.name); }, { permanent: true, direction: "right", offset: [16, 0] });
    m.bindPopup(function () {
      var box = el("div");
      box.appendChild(el("b", null, o.name));
      box.appendChild(table([[T.office_id, o.id], [T.couriers, o.couriers], [T.cards, o.cards],
        [T.courier_days, o.courier_days], [T.placeholder, o.placeholder ? T.yes : ""]]));
      return box;
    });
    officeLayer.addLayer(m);
  });

  // Filter: one office / courier / day (or all).
  var status = el("div", "status");
  function applyFilter(office, courier, day) {
    routeLayer.clearLayers();
    stopLayer.clearLayers();
    var shown = {}, nRoutes = 0, nStops = 0, all = office === "" && courier === "" && day === "";
    D.routes.forEach(function (r, i) {
      var ok = (office === "" || r.office_id === office) && (courier === "" || String(r.courier) === courier) &&
        (day === "" || String(r.day) === day);
      if (!ok) { return; }
      if (routes[i]) { routeLayer.addLayer(routes[i]); }
      shown[i] = true;
      nRoutes += 1;
    });
    function visible(i) {
      var ri = S.route[i];
      return ri >= 0 ? shown[ri] === true :
        (courier === "" && day === "" && (office === "" || D.officeIds[S.office[i]] === office));
    }
    stops.forEach(function (m, i) {
      if (m && visible(i)) { stopLayer.addLayer(m); nStops += 1; }
    });
    var nDesaPoints = 0;
    groups.forEach(function (g) {
      var n = showGroup(g, visible);
      nStops += n;
      nDesaPoints += n > 0 ? 1 : 0;
    });
    status.textContent = T.showing.replace("{routes}", nRoutes).replace("{stops}", nStops);
    if (!all && nRoutes > 0) {
      var box = L.latLngBounds([]);
      routeLayer.eachLayer(function (l) { box.extend(l.getBounds()); });
      stopLayer.eachLayer(function (l) { box.extend(l.getLatLng()); });  // a day with no line: its stops
      if (box.isValid()) { map.fitBounds(box, { padding: [40, 40], maxZoom: 17 }); }
    }
    document.body.setAttribute("data-routes-shown", String(nRoutes));
    document.body.setAttribute("data-stops-shown", String(nStops));
    document.body.setAttribute("data-desa-points-shown", String(nDesaPoints));
    return all;
  }

  function select(id, label, values) {
    var wrap = el("label", null, label + " ");
    var s = el("select");
    s.id = id;
    var any = el("option", null, T.all);
    any.value = "";
    s.appendChild(any);
    values.forEach(function (v) {
      var o = el("option", null, v[1]);
      o.value = v[0];
      s.appendChild(o);
    });
    wrap.appendChild(s);
    return wrap;
  }
  function uniq(key) {
    var seen = {};
    D.routes.forEach(function (r) { seen[r[key]] = true; });
    return Object.keys(seen).map(Number).sort(function (a, b) { return a - b; });
  }
  var Filter = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      var box = el("div", "leaflet-bar panel filter");
      box.appendChild(el("b", null, T.filter));
      box.appendChild(select("f-office", T.office, D.offices.map(function (o) { return [o.id, o.name]; })));
      box.appendChild(select("f-courier", T.courier, uniq("courier").map(function (c) { return [String(c), String(c)]; })));
      box.appendChild(select("f-day", T.day, uniq("day").map(function (d) { return [String(d), String(d)]; })));
      box.appendChild(status);
      L.DomEvent.disableClickPropagation(box);
      box.addEventListener("change", function () {
        applyFilter(document.getElementById("f-office").value, document.getElementById("f-courier").value,
          document.getElementById("f-day").value);
      });
      return box;
    }
  });
  var Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd: function () {
      var box = el("div", "leaflet-bar panel legend");
      box.appendChild(el("b", null, T.legend));
      function row(colour, text, shape) {
        var r = el("div", "row");
        var sw = el("span", "swatch " + shape);
        if (colour) { sw.style.background = colour; }
        r.appendChild(sw);
        r.appendChild(el("span", null, text));
        box.appendChild(r);
      }
      uniq("courier").slice(0, D.palette.length).forEach(function (c) {
        row(courierColour(c), T.courier + " " + c, "line");
      });
      D.statusNames.forEach(function (name, k) { if (k > 0) { row(D.statusColours[k], name, "dot"); } });
      box.appendChild(el("div", "sub", T.stops_by_kind));
      var used = {};
      S.kind.forEach(function (k) { used[k] = true; });
      D.kindNames.forEach(function (name, k) { if (used[k]) { row("", name, "kind-" + k); } });
      box.appendChild(el("div", "sub", T.desa_cards));
      D.desaClasses.forEach(function (label, k) { row(D.desaColours[k], label, "box"); });
      if (D.notes.length) { D.notes.forEach(function (n) { box.appendChild(el("div", "note", n)); }); }
      return box;
    }
  });
  map.addControl(new Filter());
  map.addControl(new Legend());
  var noTiles = L.layerGroup();
  L.control.layers({ [T.base_desa]: noTiles, [T.base_osm]: osm },
    { [T.layer_desa]: desa, [T.layer_desa_labels]: desaLabels, [T.layer_routes]: routeLayer,
      [T.layer_stops]: stopLayer, [T.layer_offices]: officeLayer }, { collapsed: false }).addTo(map);
  map.attributionControl.addAttribution(D.attribution);

  // OSM tiles only when the browser is online; offline the desa polygons are the base.
  function online() { map.removeLayer(noTiles); osm.addTo(map); osm.bringToBack(); }
  function offline() { map.removeLayer(osm); noTiles.addTo(map); }
  if (navigator.onLine) { online(); } else { offline(); }
  window.addEventListener("online", online);
  window.addEventListener("offline", offline);

  applyFilter("", "", "");
  var b = D.bounds;
  if (b) { map.fitBounds([[b[1], b[0]], [b[3], b[2]]]); } else { map.setView([-6.25, 107.15], 11); }
  document.body.setAttribute("data-ready", "1");
})();
