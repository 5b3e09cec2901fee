/* geopotential map runtime.
 *
 * Decodes the compact layers written by geopotential/report/encode.py, draws them with
 * Leaflet (canvas renderer), and builds tooltips, popups, legends and the search list.
 * SAFETY: text from source data is only ever put into the DOM with textContent or
 * createTextNode, never innerHTML; the data arrive through JSON.parse of escaped JSON.
 */
(function () {
  "use strict";
  var GP = (window.GP = window.GP || {});
  GP.layers = {};
  GP.order = [];
  GP.ui = {};
  GP.lang = "fr";
  GP.ready = false;

  // ---------------------------------------------------------------- helpers
  function el(tag, cls, text, parent) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (parent) parent.appendChild(e);
    return e;
  }
  GP.el = el;

  var fmtCache = {};
  function fmt(v, digits) {
    var key = GP.lang + ":" + digits;
    var f = fmtCache[key];
    if (!f) {
      f = fmtCache[key] = new Intl.NumberFormat(GP.lang === "fr" ? "fr-FR" : "en-GB", {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
    }
    return f.format(v);
  }
  GP.fmt = fmt;

  function colValue(spec, col, i) {
    var c = spec.data.cols[col];
    if (c === undefined || c === null) return null;
    if (Array.isArray(c)) return c[i];
    var code = c.c[i];
    return code < 0 ? null : c.d[code];
  }
  GP.value = colValue;

  function formatField(spec, f, i) {
    var v = colValue(spec, f.col, i);
    if (v === null || v === undefined || v === "") return "";
    if (f.kind === "text") return String(v);
    if (typeof v !== "number") return String(v);
    if (f.kind === "pct") return fmt(v * 100, f.digits) + "\u00a0%";
    var s = fmt(v, f.digits);
    return f.unit ? s + "\u00a0" + f.unit : s;
  }
  GP.formatField = formatField;

  function normalise(s) {
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // ---------------------------------------------------------------- geometry
  function prepareGeom(spec) {
    var g = spec.data.geom;
    if (g._ready) return g;
    if (spec.data.kind === "polygon") {
      var i, nF = g.feats.length, nP = g.polys.length, nR = g.rings.length;
      g.featPoly = new Int32Array(nF + 1);
      for (i = 0; i < nF; i++) g.featPoly[i + 1] = g.featPoly[i] + g.feats[i];
      g.polyRing = new Int32Array(nP + 1);
      for (i = 0; i < nP; i++) g.polyRing[i + 1] = g.polyRing[i] + g.polys[i];
      g.ringVert = new Int32Array(nR + 1);
      for (i = 0; i < nR; i++) g.ringVert[i + 1] = g.ringVert[i] + g.rings[i];
    }
    g._ready = true;
    return g;
  }

  function featureLatLngs(spec, i) {
    var g = prepareGeom(spec), s = g.scale, ox = g.origin[0], oy = g.origin[1], out = [];
    for (var p = g.featPoly[i]; p < g.featPoly[i + 1]; p++) {
      var poly = [];
      for (var r = g.polyRing[p]; r < g.polyRing[p + 1]; r++) {
        var ring = [], x = ox, y = oy;
        for (var v = g.ringVert[r]; v < g.ringVert[r + 1]; v++) {
          x += g.coords[2 * v];
          y += g.coords[2 * v + 1];
          ring.push([y / s, x / s]);
        }
        poly.push(ring);
      }
      out.push(poly);
    }
    return out.length === 1 ? out[0] : out;
  }

  function pointLatLng(spec, i) {
    var g = spec.data.geom, s = g.scale;
    return L.latLng((g.origin[1] + g.coords[2 * i + 1]) / s, (g.origin[0] + g.coords[2 * i]) / s);
  }

  function featureBounds(spec, i) {
    if (spec.data.kind === "point") {
      var ll = pointLatLng(spec, i);
      return L.latLngBounds(ll, ll);
    }
    return L.polygon(featureLatLngs(spec, i)).getBounds();
  }

  // ---------------------------------------------------------------- style
  function classIndex(st, v) {
    if (v === null || v === undefined) return -1;
    var k;
    if (st.kind === "categorical") {
      for (k = 0; k < st.values.length; k++) if (String(st.values[k]) === String(v)) return k;
      return -1;
    }
    if (st.kind === "graduated") {
      if (typeof v !== "number") return -1;
      for (k = 0; k < st.values.length; k++) if (v <= st.values[k]) return k;
      return st.values.length - 1;
    }
    return 0;
  }

  function featureColor(spec, i) {
    var st = spec.style;
    if (st.kind === "single") return st.single;
    var k = classIndex(st, colValue(spec, st.column, i));
    return k < 0 ? st.missing : st.colors[k];
  }

  function makeFeature(spec, i, renderer) {
    var color = featureColor(spec, i), ps = spec.pathStyle || {}, lyr;
    var opts = L.extend({}, ps, { fillColor: color, color: ps.color || color, renderer: renderer });
    if (spec.data.kind === "point") {
      var r = ps.radius || 6;
      if (spec.radiusBy) {
        var v = colValue(spec, spec.radiusBy, i);
        if (typeof v === "number" && spec.radiusMax > 0) r = Math.max(4, 18 * Math.sqrt(Math.max(v, 0) / spec.radiusMax));
      }
      opts.radius = r;
      lyr = L.circleMarker(pointLatLng(spec, i), opts);
    } else {
      lyr = L.polygon(featureLatLngs(spec, i), opts);
    }
    lyr.gpIndex = i;
    return lyr;
  }

  // ---------------------------------------------------------------- tooltip / popup
  GP.tooltip = function (spec, i) {
    var div = el("div", "gp-tip");
    var title = "";
    for (var t = 0; t < spec.titleCols.length && !title; t++) {
      var tv = colValue(spec, spec.titleCols[t], i);
      if (tv !== null && tv !== undefined && tv !== "") title = String(tv);
    }
    el("strong", null, title || spec.name, div);
    var sep = GP.lang === "fr" ? "\u00a0: " : ": ";
    spec.tooltip.forEach(function (f) {
      var v = formatField(spec, f, i);
      if (v !== "") el("div", null, f.label + sep + v, div);
    });
    return div;
  };

  GP.popup = function (spec, i) {
    var div = el("div", "gp-popup-body");
    el("div", "gp-popup-layer", spec.name, div);
    for (var t = 0; t < spec.titleCols.length; t++) {
      var tv = colValue(spec, spec.titleCols[t], i);
      if (tv !== null && tv !== undefined && tv !== "") { el("div", "gp-popup-title", String(tv), div); break; }
    }
    var table = el("table", "gp-popup-table", null, div);
    spec.fields.forEach(function (f) {
      var v = formatField(spec, f, i);
      if (v === "") return;
      var tr = el("tr", null, null, table);
      el("th", null, f.unit && f.kind === "num" ? f.label : f.label, tr);
      el("td", null, v, tr);
    });
    div.setAttribute("data-gp-layer", spec.id);
    div.setAttribute("data-gp-index", String(i));
    return div;
  };

  // ---------------------------------------------------------------- layer
  GP.Layer = L.FeatureGroup.extend({
    initialize: function (spec) {
      L.FeatureGroup.prototype.initialize.call(this, []);
      this.spec = spec;
      this._shown = {};
      this._cache = {};
      this._renderer = L.canvas({ padding: 0.3 });
      this.bindTooltip(function (layer) { return GP.tooltip(spec, layer.gpIndex); }, { sticky: true, className: "gp-tooltip" });
      this.bindPopup(function (layer) { return GP.popup(spec, layer.gpIndex); }, { maxWidth: 400, className: "gp-popup", autoPanPaddingTopLeft: [60, 110], autoPanPaddingBottomRight: [230, 20] });
    },
    onAdd: function (map) {
      L.FeatureGroup.prototype.onAdd.call(this, map);
      map.on("moveend", this._update, this);
      this._update();
      map.fire("gp:layerchange");
    },
    onRemove: function (map) {
      map.off("moveend", this._update, this);
      this._hideAll();
      L.FeatureGroup.prototype.onRemove.call(this, map);
      map.fire("gp:layerchange");
    },
    _bucketLists: function () {
      if (this._lists) return this._lists;
      var d = this.spec.data, lists = [], i;
      if (!d.bucket) {
        var all = new Array(d.n);
        for (i = 0; i < d.n; i++) all[i] = i;
        lists.push(all);
        this._bounds = null;
      } else {
        var nb = d.bucketBounds.length / 4;
        for (i = 0; i < nb; i++) lists.push([]);
        for (i = 0; i < d.n; i++) lists[d.bucket[i]].push(i);
        this._bounds = [];
        for (i = 0; i < nb; i++) {
          var b = d.bucketBounds;
          this._bounds.push(L.latLngBounds([b[4 * i], b[4 * i + 1]], [b[4 * i + 2], b[4 * i + 3]]));
        }
      }
      this._lists = lists;
      return lists;
    },
    _showBucket: function (b) {
      if (this._shown[b]) return;
      var feats = this._cache[b];
      if (!feats) {
        var idx = this._bucketLists()[b];
        feats = this._cache[b] = new Array(idx.length);
        for (var k = 0; k < idx.length; k++) feats[k] = makeFeature(this.spec, idx[k], this._renderer);
      }
      for (var j = 0; j < feats.length; j++) this.addLayer(feats[j]);
      this._shown[b] = true;
    },
    _hideBucket: function (b) {
      if (!this._shown[b]) return;
      var feats = this._cache[b];
      for (var j = 0; j < feats.length; j++) this.removeLayer(feats[j]);
      delete this._shown[b];
    },
    _hideAll: function () {
      for (var b in this._shown) this._hideBucket(+b);
    },
    _update: function () {
      var map = this._map;
      if (!map) return;
      var spec = this.spec, z = map.getZoom();
      if (spec.minZoom && z < spec.minZoom) { this._hideAll(); return; }
      var lists = this._bucketLists();
      if (!this._bounds) { this._showBucket(0); }
      else {
        var view = map.getBounds().pad(0.25);
        for (var b = 0; b < lists.length; b++) {
          if (view.intersects(this._bounds[b])) this._showBucket(b);
          else this._hideBucket(b);
        }
      }
      if (spec.fadeAtZoom) {
        var fo = z >= spec.fadeAtZoom ? 0.08 : (spec.pathStyle.fillOpacity || 0.6);
        if (this._fo !== fo) { this.setStyle({ fillOpacity: fo }); this._fo = fo; }
      }
    },
    shownCount: function () { return this.getLayers().length; },
    featureLayer: function (i) {
      var found = null;
      this.eachLayer(function (l) { if (l.gpIndex === i) found = l; });
      return found;
    },
  });

  GP.addLayer = function (map, spec) {
    spec.data = JSON.parse(document.getElementById(spec.dataId).textContent);
    var layer = new GP.Layer(spec);
    GP.layers[spec.id] = layer;
    GP.order.push(spec.id);
    return layer;
  };

  // ---------------------------------------------------------------- focus (search)
  GP.focus = function (layerId, i) {
    var layer = GP.layers[layerId], spec = layer.spec, map = GP.map;
    if (!map.hasLayer(layer)) map.addLayer(layer);
    var bounds = featureBounds(spec, i);
    var z = Math.min(map.getBoundsZoom(bounds), 18);
    if (spec.minZoom) z = Math.max(z, spec.minZoom + 2 > 18 ? spec.minZoom : spec.minZoom + 2);
    map.setView(bounds.getCenter(), z, { animate: false });
    layer._update();
    var center = bounds.getCenter();
    L.popup({ maxWidth: 400, className: "gp-popup", autoPanPaddingTopLeft: [60, 110], autoPanPaddingBottomRight: [230, 20] }).setLatLng(center).setContent(GP.popup(spec, i)).openOn(map);
    return center;
  };

  // ---------------------------------------------------------------- legend
  GP.Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd: function (map) {
      this._div = L.DomUtil.create("div", "gp-legend");
      L.DomEvent.disableClickPropagation(this._div);
      L.DomEvent.disableScrollPropagation(this._div);
      map.on("gp:layerchange zoomend", this.update, this);
      this.update();
      return this._div;
    },
    update: function () {
      var div = this._div, map = this._map;
      if (!div || !map) return;
      while (div.firstChild) div.removeChild(div.firstChild);
      el("div", "gp-legend-head", GP.ui.legend, div);
      GP.order.forEach(function (id) {
        var layer = GP.layers[id], spec = layer.spec, st = spec.style;
        if (!map.hasLayer(layer)) return;
        var box = el("div", "gp-legend-layer", null, div);
        box.setAttribute("data-gp-layer", id);
        if (st.kind !== "single") {
          el("div", "gp-legend-title", spec.name, box);
          if (st.title) el("div", "gp-legend-sub", st.title, box);
        }
        if (st.kind === "single") {
          var row = el("div", "gp-legend-row", null, box);
          var sw = el("span", "gp-swatch" + (spec.data.kind === "point" ? " gp-dot" : ""), null, row);
          sw.style.background = st.single;
          el("span", null, spec.name, row);
        } else {
          st.labels.forEach(function (lab, k) {
            var row = el("div", "gp-legend-row", null, box);
            var sw = el("span", "gp-swatch", null, row);
            sw.style.background = st.colors[k];
            el("span", null, lab, row);
          });
          if (st.showMissing) {
            var row2 = el("div", "gp-legend-row", null, box);
            el("span", "gp-swatch", null, row2).style.background = st.missing;
            el("span", null, st.missingLabel, row2);
          }
        }
        if (spec.leftOut > 0) el("div", "gp-legend-note", GP.fmt(spec.leftOut, 0) + " " + GP.ui.truncated, box);
        if (spec.minZoom && map.getZoom() < spec.minZoom) el("div", "gp-legend-note", GP.ui.zoom_hint + " (zoom ≥ " + spec.minZoom + ")", box);
      });
    },
  });

  // ---------------------------------------------------------------- search
  GP.Search = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function (map) {
      var c = L.DomUtil.create("div", "gp-search leaflet-bar");
      var input = (this._input = L.DomUtil.create("input", "gp-search-input", c));
      input.type = "search";
      input.placeholder = GP.ui.search;
      input.setAttribute("aria-label", GP.ui.search);
      var list = (this._list = L.DomUtil.create("ul", "gp-search-results", c));
      L.DomEvent.disableClickPropagation(c);
      L.DomEvent.disableScrollPropagation(c);
      var self = this;
      L.DomEvent.on(input, "input", function () { self._search(input.value); });
      L.DomEvent.on(input, "keydown", function (e) {
        if (e.key === "Enter" && self._results && self._results.length) self._pick(self._results[0]);
      });
      return c;
    },
    _index: function () {
      if (this._idx) return this._idx;
      var idx = [];
      (GP.searchSources || []).forEach(function (src) {
        var layer = GP.layers[src.layer];
        if (!layer) return;
        var spec = layer.spec, n = spec.data.n, norm = new Array(n), raw = new Array(n);
        for (var i = 0; i < n; i++) {
          var parts = [];
          src.cols.forEach(function (col) {
            var v = colValue(spec, col, i);
            if (v !== null && v !== undefined && v !== "") parts.push(String(v));
          });
          raw[i] = parts.join(" – ");
          norm[i] = normalise(raw[i]);
        }
        idx.push({ src: src, raw: raw, norm: norm });
      });
      this._idx = idx;
      return idx;
    },
    _search: function (q) {
      var list = this._list;
      while (list.firstChild) list.removeChild(list.firstChild);
      this._results = [];
      q = normalise(q.trim());
      if (q.length < 2) return;
      var self = this, max = 10;
      this._index().forEach(function (ix) {
        for (var i = 0; i < ix.norm.length && self._results.length < max; i++) {
          if (ix.norm[i].indexOf(q) >= 0) self._results.push({ layer: ix.src.layer, i: i, text: ix.src.prefix + (GP.lang === "fr" ? "\u00a0: " : ": ") + ix.raw[i] });
        }
      });
      this._results.forEach(function (r) {
        var li = el("li", "gp-search-item", r.text, list);
        L.DomEvent.on(li, "click", function () { self._pick(r); });
      });
    },
    _pick: function (r) {
      // after the click has finished bubbling: the list item must still be attached while
      // Leaflet decides whether the click was on the map (which would close the new popup)
      var list = this._list;
      setTimeout(function () {
        while (list.firstChild) list.removeChild(list.firstChild);
        GP.focus(r.layer, r.i);
      }, 0);
    },
  });

  // ---------------------------------------------------------------- finish
  GP.finish = function (map, cfg) {
    GP.map = map;
    GP.searchSources = cfg.search || [];
    new GP.Search().addTo(map);
    GP.legend = new GP.Legend().addTo(map);
    GP.ready = true;
    GP.readyAt = performance.now();
    map.fire("gp:ready");
  };

  GP.init = function (cfg) {
    GP.lang = cfg.lang;
    GP.ui = cfg.ui;
  };
})();
