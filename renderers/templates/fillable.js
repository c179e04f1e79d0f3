/*
 * formengine fillable page: the form's rules live in the browser, with the server's semantics
 * (formengine/semantics.py): defaults, grid totals, computed values in compute order,
 * visibility, required-ness and checks. Submit builds the JSON that Form.validate accepts.
 *
 * Runs inside (function (R, FUNCTIONS) { … }): R is the expression runtime (runtime.js) and
 * FUNCTIONS the form's compiled expressions (index → function (form, row, ctx)). Everything
 * taken from the form's text (labels, options, messages) comes from the JSON block #fe-model
 * and reaches the page only through textContent / value — never through innerHTML or code.
 */
'use strict';

var MODEL = JSON.parse(document.getElementById('fe-model').textContent);
var FORM = document.getElementById('fe-form');
var LANG = MODEL.lang;
var MSG = MODEL.messages;
var FIELDS = MODEL.fields;
var TABLES = MODEL.tables;
var TREES = MODEL.trees;
var GRIDS = MODEL.grids;
var FORMATTED = { phone: 1, mobile: 1, email: 1, url: 1, postcode: 1, id_card: 1, uscc: 1, bank_account: 1,
  plate_number: 1 };
var UPPER = { id_card: 1, uscc: 1, plate_number: 1 };
var INT_TYPES = { integer: 1, rating: 1 };
var DEC_TYPES = { decimal: 1, money: 1, percent: 1 };
var TEXT_TYPES = { text: 1, textarea: 1, choice: 1, year_month: 1, time: 1 };

// ------------------------------------------------------------------ small helpers

function has(obj, key) {
  return obj !== null && obj !== undefined && Object.prototype.hasOwnProperty.call(obj, key);
}

function isNull(v) {
  return v === null || v === undefined;
}

function isEmpty(v) {
  if (isNull(v) || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object' && !R.isDec(v) && !R.isDate(v)) return Object.keys(v).length === 0;
  return false;
}

function call(index, env, row, ctx) {
  if (isNull(index)) return null;
  try {
    var v = FUNCTIONS[index](env, isNull(row) ? null : row, isNull(ctx) ? null : ctx);
    return v === undefined ? null : v;
  } catch (e) {
    return null; // like the server: a rule that cannot run on these values gives no value
  }
}

function holds(list, env, row, ctx) {
  if (!list) return true;
  for (var i = 0; i < list.length; i++) if (call(list[i], env, row, ctx) !== true) return false;
  return true;
}

function qsa(root, selector) {
  return Array.prototype.slice.call(root.querySelectorAll(selector));
}

function template(text, params) {
  return String(text).replace(/\{(\w+)\}/g, function (m, k) {
    return has(params, k) ? String(params[k]) : m;
  });
}

// semantics.coerce: a computed result brought to its field's type (money: 2 places, half up)
function coerce(meta, v) {
  if (isNull(v)) return null;
  try {
    var t = meta.type;
    if (t === 'money') return R.fn.round(v, 2n);
    if (t === 'decimal' || t === 'percent') return R.fn.round(v, BigInt(meta.places || 0));
    if (INT_TYPES[t]) return R.num(R.fn.round(v, 0n), 'int');
    if (TEXT_TYPES[t]) return R.isDec(v) || R.isDate(v) ? R.text(v) : R.str(v);
    return v;
  } catch (e) {
    return null;
  }
}

// A literal from the definition or the data (JSON) → the value expressions see.
function fromJSON(meta, v) {
  if (isNull(v) || v === '') return null;
  var t = meta.type;
  if (INT_TYPES[t]) return R.num(v, 'int');
  if (DEC_TYPES[t]) return R.num(v, 'decimal');
  if (t === 'date' || t === 'datetime') return R.date(String(v).slice(0, 10));
  if (t === 'boolean') return parseBool(v);
  if (t === 'choice') return typeof v === 'object' ? v.value : String(v);
  if (t === 'multi_choice') return v.map(function (x) {
    return typeof x === 'object' ? x.value : String(x);
  });
  return typeof v === 'number' ? String(v) : v;
}

function parseBool(v) {
  if (typeof v === 'boolean') return v;
  var s = String(v).trim().toLowerCase();
  if (['是', 'true', 'yes', 'y', '1', '有', '√'].indexOf(s) >= 0) return true;
  if (['否', 'false', 'no', 'n', '0', '无', '×'].indexOf(s) >= 0) return false;
  return null;
}

function show(v) {
  if (isNull(v)) return '';
  if (R.isDec(v)) return R.text(v);
  if (typeof v === 'bigint') return v.toString();
  if (R.isDate(v)) return v.toString();
  if (typeof v === 'boolean') return LANG === 'zh' ? (v ? '是' : '否') : (v ? 'Yes' : 'No');
  if (typeof v === 'string') return v;
  return R.str(v);
}

// ------------------------------------------------------------------ reading inputs

function controls(box) {
  return qsa(box, 'input[data-path], select[data-path], textarea[data-path]');
}

function part(box, name) {
  return controls(box).filter(function (el) {
    return (el.getAttribute('data-part') || '') === name;
  })[0] || null;
}

function detailInput(box, value) {
  return controls(box).filter(function (el) {
    return el.getAttribute('data-part') === 'detail' && el.getAttribute('data-option') === value;
  })[0] || null;
}

function mainValue(box) {
  var els = controls(box).filter(function (el) {
    return !el.getAttribute('data-part');
  });
  if (!els.length) return '';
  if (els[0].type === 'radio') {
    var on = els.filter(function (el) {
      return el.checked;
    })[0];
    return on ? on.value : '';
  }
  if (els[0].type === 'checkbox' && els.length === 1) return els[0].checked ? els[0].value : '';
  return els[0].value;
}

function optionOf(meta, value) {
  return (meta.options || []).filter(function (o) {
    return o.value === value;
  })[0] || null;
}

function parseDetail(kind, text) {
  if (text === '') return { json: null, bad: false };
  if (kind === 'integer') {
    var i = R.num(text, 'int');
    return { json: i === null ? text : R.toJSON(i), bad: i === null };
  }
  if (kind === 'decimal' || kind === 'money') {
    var d = R.num(text, 'decimal');
    return { json: d === null ? text : R.toJSON(d), bad: d === null };
  }
  return { json: text, bad: false };
}

function choiceItem(box, meta, value) {
  var option = optionOf(meta, value);
  if (!option || !option.blank) return { json: value, bad: false };
  var input = detailInput(box, value);
  var d = parseDetail(option.blank, input ? input.value.trim() : '');
  return { json: d.json === null ? { value: value } : { value: value, detail: d.json }, bad: d.bad };
}

function badInput(el) {
  return el && el.validity && el.validity.badInput;
}

/* One field's value: {json, env, bad} or null when empty. */
function read(box, meta) {
  var t = meta.type;
  var v;
  var el;
  if (t === 'choice') {
    v = mainValue(box);
    if (v === '') return null;
    var item = choiceItem(box, meta, v);
    return { json: item.json, env: v, bad: item.bad };
  }
  if (t === 'multi_choice') {
    var picked = controls(box).filter(function (x) {
      return x.type === 'checkbox' && !x.getAttribute('data-part') && x.checked;
    });
    if (!picked.length) return null;
    var bad = false;
    var items = picked.map(function (x) {
      var it = choiceItem(box, meta, x.value);
      bad = bad || it.bad;
      return it.json;
    });
    return { json: items, env: picked.map(function (x) {
      return x.value;
    }), bad: bad };
  }
  if (t === 'boolean') {
    v = mainValue(box);
    if (v === '') return null;
    return { json: v === 'true', env: v === 'true' };
  }
  if (t === 'date_range' || t === 'year_month_range') {
    var s = part(box, 'start').value;
    var e = part(box, 'end').value;
    if (!s && !e) return null;
    var json = {};
    if (s) json.start = s;
    if (e) json.end = e;
    var conv = t === 'date_range' ? R.date : function (x) {
      return x || null;
    };
    return { json: json, env: { start: conv(s), end: conv(e) } };
  }
  if (t === 'signature') {
    var name = part(box, 'name').value;
    var date = part(box, 'date').value;
    if (!name && !date) return null;
    var sj = {};
    if (name) sj.name = name;
    if (date) sj.date = date;
    return { json: sj, env: { name: name || null, date: R.date(date) } };
  }
  if (t === 'image' || t === 'attachment') {
    el = controls(box)[0];
    var meta2 = el && el.feMeta;
    if (!meta2) return null;
    var env = {};
    Object.keys(meta2).forEach(function (k) {
      env[k] = typeof meta2[k] === 'number' ? R.num(meta2[k], 'int') : meta2[k];
    });
    return { json: meta2, env: env };
  }
  el = controls(box).filter(function (x) {
    return !x.getAttribute('data-part');
  })[0];
  if (!el) return null;
  if (el.type === 'radio' || (el.type === 'checkbox')) v = mainValue(box);
  else v = el.value;
  if (badInput(el)) return { json: null, env: null, bad: true };
  if (INT_TYPES[t]) {
    if (v === '') return null;
    var n = R.num(v, 'int');
    return n === null ? { json: v, env: null, bad: true } : { json: R.toJSON(n), env: n };
  }
  if (DEC_TYPES[t]) {
    if (v === '') return null;
    var d = R.num(v, 'decimal');
    return d === null ? { json: v, env: null, bad: true } : { json: R.toJSON(d), env: d };
  }
  if (t === 'date') {
    if (v === '') return null;
    var dv = R.date(v);
    return { json: v, env: dv, bad: dv === null };
  }
  if (t === 'datetime') {
    if (v === '') return null;
    return { json: v, env: R.date(v.slice(0, 10)) };
  }
  if (t === 'time') {
    if (v === '') return null;
    return { json: v.slice(0, 5), env: v.slice(0, 5) };
  }
  if (FORMATTED[t]) {
    v = v.trim();
    if (t === 'bank_account') v = v.replace(/[\s-]/g, '');
    if (UPPER[t]) v = v.toUpperCase();
  }
  if (v === '') return null;
  return { json: v, env: v };
}

// ------------------------------------------------------------------ writing inputs (setData)

function write(box, meta, v) {
  var t = meta.type;
  var els = controls(box);
  if (t === 'choice' || t === 'multi_choice' || t === 'boolean' || t === 'rating') {
    var list = isNull(v) ? [] : t === 'multi_choice' ? v : [v];
    var chosen = {};
    list.forEach(function (x) {
      if (t === 'boolean') {
        var b = parseBool(x);
        if (b !== null) chosen[String(b)] = null;
      } else if (x !== null && typeof x === 'object') chosen[String(x.value)] = x.detail;
      else chosen[String(x)] = null;
    });
    els.forEach(function (el) {
      if (el.getAttribute('data-part') === 'detail') {
        var o = el.getAttribute('data-option');
        el.value = has(chosen, o) && !isNull(chosen[o]) ? String(chosen[o]) : '';
      } else if (el.type === 'radio' || el.type === 'checkbox') {
        el.checked = has(chosen, el.value);
      } else if (el.tagName === 'SELECT') {
        el.value = Object.keys(chosen)[0] || '';
      }
    });
    return;
  }
  if (t === 'date_range' || t === 'year_month_range' || t === 'signature') {
    var names = t === 'signature' ? ['name', 'date'] : ['start', 'end'];
    names.forEach(function (n) {
      var x = v && typeof v === 'object' ? v[n] : null;
      var input = part(box, n);
      if (!input) return;
      if (isNull(x)) input.value = '';
      else if (input.type === 'date') input.value = dateText(x);
      else if (input.type === 'month') input.value = monthText(x);
      else input.value = String(x);
    });
    return;
  }
  if (t === 'image' || t === 'attachment') {
    if (els[0]) els[0].feMeta = v && typeof v === 'object' ? v : null;
    return;
  }
  var el = els[0];
  if (!el) return;
  if (el.type === 'checkbox') {
    el.checked = !isNull(v) && parseBool(v) === true;
    return;
  }
  if (isNull(v)) el.value = '';
  else if (el.type === 'date') el.value = dateText(v);
  else if (el.type === 'month') el.value = monthText(v);
  else el.value = String(v);
}

function dateText(v) {
  var d = R.date(String(v));
  return d ? d.toString() : String(v);
}

function monthText(v) {
  var m = /^(\d{4})\D+(\d{1,2})/.exec(String(v));
  return m ? m[1] + '-' + (m[2].length < 2 ? '0' : '') + m[2] : String(v);
}

// ------------------------------------------------------------------ the page's parts

var TOP = {};
qsa(FORM, '.fe-field[data-owner=""]').forEach(function (box) {
  TOP[box.getAttribute('data-field')] = box;
});

function tableRows(tid) {
  var body = FORM.querySelector('tbody[data-rows="' + tid + '"]');
  return body ? qsa(body, ':scope > tr.fe-row') : [];
}

function treeRows(tid) {
  var body = FORM.querySelector('tbody[data-nodes="' + tid + '"]');
  return body ? qsa(body, ':scope > tr.fe-node') : [];
}

function rowBoxes(tr) {
  var out = {};
  qsa(tr, '.fe-field').forEach(function (box) {
    out[box.getAttribute('data-field')] = box;
  });
  return out;
}

function boxHidden(box) {
  return box.getAttribute('data-hidden') === '1' || !!box.closest('[hidden]');
}

function wrapperOf(kind, id) {
  return FORM.querySelector('[data-' + kind + '="' + id + '"]');
}

function depthOf(tr) {
  return parseInt(tr.getAttribute('data-depth') || '0', 10);
}

// ------------------------------------------------------------------ collect + evaluate

function readRow(columns, order, boxes) {
  var env = {};
  var json = {};
  var empty = true;
  var bad = [];
  order.forEach(function (cid) {
    var meta = columns[cid];
    var box = boxes[cid];
    env[cid] = null;
    if (!box || !isNull(meta.compute) || boxHidden(box) || isAuto(box)) return;
    var r = read(box, meta);
    if (r === null) return;
    empty = false;
    if (r.bad) bad.push(box);
    env[cid] = r.env;
    if (!isNull(r.json)) json[cid] = r.json;
  });
  return { env: env, json: json, empty: empty, bad: bad, computed: {}, boxes: boxes };
}

function collect() {
  var st = { env: {}, json: {}, computed: {}, tables: {}, trees: {}, grids: {}, bad: [] };
  Object.keys(FIELDS).forEach(function (id) {
    var meta = FIELDS[id];
    var box = TOP[id];
    st.env[id] = null;
    if (!box || !isNull(meta.compute) || boxHidden(box) || isAuto(box)) return;
    var r = read(box, meta);
    if (r === null) return;
    if (r.bad) st.bad.push(box);
    st.env[id] = r.env;
    if (!isNull(r.json)) st.json[id] = r.json;
  });
  Object.keys(TABLES).forEach(function (tid) {
    var t = TABLES[tid];
    var wrap = wrapperOf('table', tid);
    var rows = [];
    tableRows(tid).forEach(function (tr) {
      var r = readRow(t.columns, t.order, rowBoxes(tr));
      r.tr = tr;
      st.bad = st.bad.concat(r.bad);
      if (!r.empty && !(wrap && wrap.hidden)) rows.push(r);
    });
    st.tables[tid] = rows;
    st.env[tid] = rows.map(function (r) {
      return r.env;
    });
  });
  Object.keys(TREES).forEach(function (tid) {
    var t = TREES[tid];
    var wrap = wrapperOf('tree', tid);
    var nodes = [];
    var stack = [];
    treeRows(tid).forEach(function (tr) {
      var depth = depthOf(tr);
      var r = readRow(t.columns, t.order, rowBoxes(tr));
      r.tr = tr;
      r.depth = depth;
      r.children = [];
      st.bad = st.bad.concat(r.bad);
      stack.length = depth;
      r.parent = depth > 0 ? stack[depth - 1] || null : null;
      stack[depth] = r;
      nodes.push(r);
    });
    // keep a node when it or a descendant holds a value
    for (var i = nodes.length - 1; i >= 0; i--) {
      var n = nodes[i];
      n.keep = !n.empty || n.children.length > 0;
      if (n.keep && n.parent) n.parent.children.unshift(n);
    }
    var roots = nodes.filter(function (n) {
      return n.keep && !n.parent;
    });
    var flat = [];
    (function walk(list, outline) {
      list.forEach(function (n, i) {
        n.outline = outline.concat([i]);
        flat.push(n);
        walk(n.children, n.outline);
      });
    })(roots, []);
    st.trees[tid] = { roots: wrap && wrap.hidden ? [] : roots, flat: wrap && wrap.hidden ? [] : flat };
  });
  Object.keys(GRIDS).forEach(function (gid) {
    var g = GRIDS[gid];
    var wrap = wrapperOf('grid', gid);
    var cells = {};
    var any = false;
    if (!(wrap && wrap.hidden)) {
      if (g.one_per_row) {
        qsa(wrap, 'input[type=radio][data-owner]').forEach(function (el) {
          if (el.checked) {
            cells[el.getAttribute('data-row')] = el.value;
            any = true;
          }
        });
      } else {
        qsa(wrap, '.fe-field[data-owner="' + gid + '"]').forEach(function (box) {
          var r = read(box, g.cell);
          if (r === null) return;
          if (r.bad) st.bad.push(box);
          if (isNull(r.env)) return;
          var rk = box.getAttribute('data-row');
          (cells[rk] = cells[rk] || {})[box.getAttribute('data-col')] = r.env;
          any = true;
        });
      }
    }
    st.grids[gid] = { cells: any ? cells : null, totals: {} };
    st.env[gid] = any ? cells : null;
  });
  return st;
}

var NUMERIC_CELLS = { integer: 1, decimal: 1, money: 1, percent: 1 };

function gridTotals(st) {
  Object.keys(GRIDS).forEach(function (gid) {
    var g = GRIDS[gid];
    var gs = st.grids[gid];
    var cells = gs.cells;
    var totals = {};
    if (cells && !g.one_per_row && NUMERIC_CELLS[g.cell.type]) {
      var present = function (list) {
        return list.filter(function (v) {
          return !isNull(v);
        });
      };
      if (g.row_total) {
        g.rows.forEach(function (rk) {
          var row = cells[rk] || {};
          var vals = present(g.columns.map(function (ck) {
            return has(row, ck) ? row[ck] : null;
          }));
          if (vals.length) (totals[rk] = totals[rk] || {})[g.row_total] = R.fn.sum(vals);
        });
      }
      if (g.column_total) {
        g.columns.concat(g.row_total ? [g.row_total] : []).forEach(function (ck) {
          var vals = present(g.rows.map(function (rk) {
            if (ck === g.row_total) return has(totals, rk) ? totals[rk][ck] : null;
            return has(cells, rk) && has(cells[rk], ck) ? cells[rk][ck] : null;
          }));
          if (vals.length) (totals[g.column_total] = totals[g.column_total] || {})[ck] = R.fn.sum(vals);
        });
      }
    }
    gs.totals = totals;
    qsa(wrapperOf('grid', gid), 'output.fe-total').forEach(function (out) {
      var rk = out.getAttribute('data-total-row');
      var ck = out.getAttribute('data-total-col');
      out.textContent = has(totals, rk) && has(totals[rk], ck) ? show(totals[rk][ck]) : '';
    });
  });
}

function defaultValue(meta, env, row) {
  var value = null;
  if (has(meta, 'default')) value = fromJSON(meta, meta['default']);
  if (!isNull(meta.default_expr)) value = coerce(meta, call(meta.default_expr, env, row, null));
  return value;
}

function isAuto(box) {
  return box.getAttribute('data-auto') === '1';
}

/* Show a default in its (empty) input, marked as automatic: it follows the values it is made
 * from until the user types over it. The server would fill in the same default. */
function showDefault(box, meta, v) {
  if (isNull(v)) {
    if (isAuto(box)) {
      write(box, meta, null);
      box.removeAttribute('data-auto');
    }
    return null;
  }
  write(box, meta, R.toJSON(v));
  box.setAttribute('data-auto', '1');
  var r = read(box, meta);
  return r ? r.json : null;
}

function applyDefaults(st) {
  Object.keys(FIELDS).forEach(function (id) {
    var meta = FIELDS[id];
    var box = TOP[id];
    if (!isNull(meta.compute) || !isEmpty(st.env[id])) return;
    if (!has(meta, 'default') && isNull(meta.default_expr)) return;
    var v = box && boxHidden(box) ? null : defaultValue(meta, st.env, null);
    if (!isNull(v)) st.env[id] = v;
    if (box) {
      var json = showDefault(box, meta, v);
      if (!isNull(json)) st.json[id] = json;
    }
  });
  Object.keys(TABLES).forEach(function (tid) {
    var t = TABLES[tid];
    var live = new Set();
    st.tables[tid].forEach(function (r) {
      live.add(r.tr);
      t.order.forEach(function (cid) {
        var meta = t.columns[cid];
        if (!isNull(meta.compute) || !isEmpty(r.env[cid])) return;
        if (!has(meta, 'default') && isNull(meta.default_expr)) return;
        var box = r.boxes[cid];
        var v = box && boxHidden(box) ? null : defaultValue(meta, st.env, r.env);
        if (!isNull(v)) r.env[cid] = v;
        if (box) {
          var json = showDefault(box, meta, v);
          if (!isNull(json)) r.json[cid] = json;
        }
      });
    });
    tableRows(tid).forEach(function (tr) {
      if (live.has(tr)) return;
      qsa(tr, '.fe-field[data-auto="1"]').forEach(function (box) {
        showDefault(box, t.columns[box.getAttribute('data-field')], null); // an empty row stays empty
      });
    });
  });
}

function computes(st) {
  MODEL.compute_order.forEach(function (pair) {
    var owner = pair[0];
    var fid = pair[1];
    if (owner === null) {
      var meta = FIELDS[fid];
      var v = coerce(meta, call(meta.compute, st.env, null, null));
      st.computed[fid] = v;
      if (!isNull(v)) st.env[fid] = v;
      return;
    }
    if (has(TABLES, owner)) {
      var column = TABLES[owner].columns[fid];
      st.tables[owner].forEach(function (r, i) {
        var cv = coerce(column, call(column.compute, st.env, r.env, { index: i }));
        r.computed[fid] = cv;
        if (!isNull(cv)) r.env[fid] = cv;
      });
      return;
    }
    var tcol = TREES[owner].columns[fid];
    st.trees[owner].flat.forEach(function (n) {
      var tv = coerce(tcol, call(tcol.compute, st.env, n.env, { outline: n.outline }));
      n.computed[fid] = tv;
      if (!isNull(tv)) n.env[fid] = tv;
    });
  });
}

// ------------------------------------------------------------------ visibility and required-ness

function setDisabled(box, hidden) {
  var chosen = {};
  controls(box).forEach(function (el) {
    if ((el.type === 'radio' || el.type === 'checkbox') && el.checked && !el.getAttribute('data-part')) {
      chosen[el.value] = true;
    }
    if (el.tagName === 'SELECT' && el.value) chosen[el.value] = true;
  });
  controls(box).forEach(function (el) {
    if (el.getAttribute('data-part') === 'detail') {
      var on = !hidden && has(chosen, el.getAttribute('data-option'));
      el.disabled = !on;
      el.required = on;
      var wrap = el.closest('.fe-detail-wrap');
      if (wrap) wrap.classList.toggle('fe-off', !on);
    } else {
      el.disabled = hidden;
    }
  });
}

function setBoxVisible(box, visible) {
  var was = box.getAttribute('data-hidden') === '1';
  box.setAttribute('data-hidden', visible ? '0' : '1');
  box.classList.toggle('fe-hidden', !visible);
  setDisabled(box, !visible);
  return was === visible; // changed
}

function setTopVisible(id, visible) {
  var changed = false;
  qsa(FORM, '[data-box="' + id + '"]').forEach(function (el) {
    if (el.hidden === visible) changed = true;
    el.hidden = !visible;
    if (el.hasAttribute('data-table') || el.hasAttribute('data-tree') || el.hasAttribute('data-grid')) {
      // a hidden table is not submitted: nothing in it may block the submission
      qsa(el, '.fe-field').forEach(function (box) {
        setDisabled(box, !visible || box.getAttribute('data-hidden') === '1');
      });
      qsa(el, 'input[type=radio][data-owner]').forEach(function (r) {
        r.disabled = !visible;
      });
    }
  });
  if (TOP[id]) setBoxVisible(TOP[id], visible);
  return changed;
}

function setRequired(box, required, labelCell) {
  var els = controls(box).filter(function (el) {
    return !el.getAttribute('data-part') || el.getAttribute('data-part') === 'name';
  });
  if (!els.length) return;
  if (els[0].type === 'checkbox' && els.length > 1) {
    box.feRequired = required; // a multi_choice: checked on submit
  } else {
    els.forEach(function (el) {
      if (!el.readOnly) el.required = required;
    });
  }
  if (labelCell) labelCell.classList.toggle('fe-required', required);
}

function presence(st) {
  var changed = false;
  Object.keys(FIELDS).forEach(function (id) {
    var meta = FIELDS[id];
    var visible = holds(meta.visible_if, st.env, null, null);
    if (setTopVisible(id, visible)) changed = true;
    if (!visible && !isNull(meta.compute)) st.computed[id] = null;
    var box = TOP[id];
    if (!box) return;
    var required = visible && isNull(meta.compute) &&
      (meta.required === true || (!isNull(meta.required_if) && call(meta.required_if, st.env, null, null) === true));
    setRequired(box, required, FORM.querySelector('th[data-label-for="' + id + '"]'));
  });
  function rows(kind, id, conf, list, ctxOf) {
    var visible = holds(conf.visible_if, st.env, null, null);
    if (setTopVisible(id, visible)) changed = true;
    var live = new Set(list);
    list.forEach(function (r, i) {
      conf.order.forEach(function (cid) {
        var meta = conf.columns[cid];
        var box = r.boxes[cid];
        if (!box) return;
        var ctx = ctxOf(r, i);
        var cvis = holds(meta.visible_if, st.env, r.env, ctx);
        if (setBoxVisible(box, cvis)) changed = true;
        if (!cvis && !isNull(meta.compute)) r.computed[cid] = null;
        setRequired(box, cvis && isNull(meta.compute) && (meta.required === true ||
          (!isNull(meta.required_if) && call(meta.required_if, st.env, r.env, ctx) === true)), null);
      });
    });
    // empty rows are not submitted: nothing in them is required
    (kind === 'table' ? tableRows(id) : treeRows(id)).forEach(function (tr) {
      if (live.has(tr.feRecord)) return;
      qsa(tr, '.fe-field').forEach(function (box) {
        setRequired(box, false, null);
      });
    });
  }
  Object.keys(TABLES).forEach(function (tid) {
    st.tables[tid].forEach(function (r) {
      r.tr.feRecord = r;
    });
    rows('table', tid, TABLES[tid], st.tables[tid], function (r, i) {
      return { index: i };
    });
  });
  Object.keys(TREES).forEach(function (tid) {
    st.trees[tid].flat.forEach(function (n) {
      n.tr.feRecord = n;
    });
    rows('tree', tid, TREES[tid], st.trees[tid].flat, function (n) {
      return { outline: n.outline };
    });
  });
  Object.keys(GRIDS).forEach(function (gid) {
    if (setTopVisible(gid, holds(GRIDS[gid].visible_if, st.env, null, null))) changed = true;
  });
  // a section whose every part is hidden is hidden too
  qsa(FORM, 'section.fe-section').forEach(function (sec) {
    var boxes = qsa(sec, '[data-box]');
    sec.hidden = boxes.length > 0 && boxes.every(function (el) {
      return el.hidden;
    });
  });
  return changed;
}

// ------------------------------------------------------------------ messages

function anchors() {
  var map = new Map();
  qsa(FORM, '[data-msg-for]').forEach(function (el) {
    var key = el.getAttribute('data-msg-for');
    if (!map.has(key)) map.set(key, el);
  });
  return map;
}

function parentPath(path) {
  var m = /^(.*?)(\.[^.[\]]+|\[[^\]]*\])$/.exec(path);
  return m ? m[1] : '';
}

// A data path (server row numbers) → the page's path (row numbers as shown).
function pagePath(path, st) {
  var m = /^([a-z][a-z0-9_]*)\[(\d+)\](.*)$/.exec(path);
  if (!m || !st) return path;
  if (has(st.tables, m[1])) {
    var r = st.tables[m[1]][parseInt(m[2], 10)];
    if (r && r.tr) return (r.tr.getAttribute('data-msg-for') || m[1] + '[' + m[2] + ']') + m[3];
  }
  if (has(st.trees, m[1])) {
    var node = null;
    var rest = path.slice(m[1].length);
    var list = st.trees[m[1]].roots;
    var re = /^(?:\.children)?\[(\d+)\]/;
    var k;
    while ((k = re.exec(rest)) && list) {
      node = list[parseInt(k[1], 10)];
      if (!node) break;
      rest = rest.slice(k[0].length);
      list = node.children;
    }
    if (node && node.tr) return node.tr.getAttribute('data-msg-for') + rest;
  }
  return path;
}

function addMessage(path, text, kind, map) {
  map = map || anchors();
  var anchor = null;
  var p = path;
  while (p) {
    if (map.has(p)) {
      anchor = map.get(p);
      break;
    }
    p = parentPath(p);
  }
  var msg = document.createElement('div');
  msg.className = 'fe-msg fe-msg-' + kind;
  msg.setAttribute('data-path', path);
  msg.textContent = text;
  if (!anchor) {
    var list = document.getElementById('fe-errors');
    list.hidden = false;
    list.appendChild(msg);
    return msg;
  }
  if (anchor.tagName === 'TR') anchor = anchor.lastElementChild || anchor;
  anchor.appendChild(msg);
  var input = qsa(anchor, 'input[data-path], select[data-path], textarea[data-path]').filter(function (el) {
    return !el.disabled;
  })[0];
  if (input) input.setAttribute('aria-invalid', 'true');
  return msg;
}

function clearMessages(kind, root) {
  qsa(root || document, '.fe-msg' + (kind ? '.fe-msg-' + kind : '')).forEach(function (el) {
    el.remove();
  });
  if (!kind || kind === 'check') {
    qsa(FORM, '[data-fe-check]').forEach(function (el) {
      el.setCustomValidity('');
      el.removeAttribute('data-fe-check');
    });
  }
  qsa(FORM, '[aria-invalid]').forEach(function (el) {
    el.removeAttribute('aria-invalid');
  });
  var list = document.getElementById('fe-errors');
  if (list && !list.children.length) list.hidden = true;
}

function runCheck(c, st, row, ctx, prefix, map, failed) {
  var path = prefix && c.path.indexOf('.') < 0 ? prefix + c.path : c.path;
  if (!isNull(c.when) && call(c.when, st.env, row, ctx) !== true) return;
  if (call(c.rule, st.env, row, ctx) !== false) return;
  var where = pagePath(path, st);
  var msg = addMessage(where, c.message, 'check', map);
  failed.push({ path: path, code: c.code, zh: c.zh, en: c.en });
  var box = msg.parentNode;
  var input = box && qsa(box, 'input[data-path], select[data-path], textarea[data-path]').filter(function (el) {
    return !el.disabled && !el.readOnly;
  })[0];
  if (input) {
    input.setCustomValidity(c.message);
    input.setAttribute('data-fe-check', '1');
  }
}

function checks(st) {
  clearMessages('check');
  var map = anchors();
  var failed = [];
  Object.keys(TABLES).forEach(function (tid) {
    st.tables[tid].forEach(function (r, i) {
      TABLES[tid].checks.forEach(function (c) {
        runCheck(c, st, r.env, { index: i }, tid + '[' + i + '].', map, failed);
      });
    });
  });
  MODEL.checks.forEach(function (c) {
    runCheck(c, st, null, null, '', map, failed);
  });
  st.failed = failed;
}

// ------------------------------------------------------------------ computed outputs and submission

function showComputed(st) {
  Object.keys(FIELDS).forEach(function (id) {
    if (isNull(FIELDS[id].compute) || !TOP[id]) return;
    var el = controls(TOP[id])[0];
    if (el) el.value = show(st.computed[id]);
  });
  function rowsOut(conf, list) {
    list.forEach(function (r) {
      conf.order.forEach(function (cid) {
        if (isNull(conf.columns[cid].compute) || !r.boxes[cid]) return;
        var el = controls(r.boxes[cid])[0];
        if (el) el.value = show(r.computed[cid]);
      });
    });
  }
  Object.keys(TABLES).forEach(function (tid) {
    var live = new Set(st.tables[tid].map(function (r) {
      return r.tr;
    }));
    tableRows(tid).forEach(function (tr) {
      if (live.has(tr)) return;
      qsa(tr, '.fe-is-computed input').forEach(function (el) {
        el.value = '';
      });
    });
    rowsOut(TABLES[tid], st.tables[tid]);
  });
  Object.keys(TREES).forEach(function (tid) {
    rowsOut(TREES[tid], st.trees[tid].flat);
  });
}

function rowJSON(conf, r) {
  var out = {};
  conf.order.forEach(function (cid) {
    if (!isNull(conf.columns[cid].compute)) {
      if (!isNull(r.computed[cid])) out[cid] = R.toJSON(r.computed[cid]);
    } else if (has(r.json, cid)) {
      out[cid] = r.json[cid];
    }
  });
  return out;
}

function submission(st) {
  var out = {};
  MODEL.members.forEach(function (m) {
    var kind = m[0];
    var id = m[1];
    if (kind === 'field') {
      if (!isNull(FIELDS[id].compute)) {
        if (!isNull(st.computed[id])) out[id] = R.toJSON(st.computed[id]);
      } else if (has(st.json, id)) {
        out[id] = st.json[id];
      }
    } else if (kind === 'table') {
      var rows = st.tables[id].map(function (r) {
        return rowJSON(TABLES[id], r);
      });
      if (rows.length) out[id] = rows;
    } else if (kind === 'tree') {
      var nodes = (function walk(list) {
        return list.map(function (n) {
          var o = rowJSON(TREES[id], n);
          if (n.children.length) o.children = walk(n.children);
          return o;
        });
      })(st.trees[id].roots);
      if (nodes.length) out[id] = nodes;
    } else if (kind === 'grid') {
      var gs = st.grids[id];
      if (!gs.cells) return;
      var g = {};
      Object.keys(gs.cells).forEach(function (rk) {
        var row = gs.cells[rk];
        g[rk] = typeof row === 'string' ? row : R.toJSON(row);
      });
      Object.keys(gs.totals).forEach(function (rk) {
        g[rk] = Object.assign(g[rk] || {}, R.toJSON(gs.totals[rk]));
      });
      out[id] = g;
    }
  });
  return out;
}

var last = null;

function evaluate() {
  var st;
  for (var pass = 0; pass < 5; pass++) {
    st = collect();
    applyDefaults(st);
    gridTotals(st);
    computes(st);
    if (!presence(st)) break;
  }
  showComputed(st);
  checks(st);
  last = st;
  return st;
}

// ------------------------------------------------------------------ rows of tables and trees

function renumberTable(tid) {
  var rows = tableRows(tid);
  rows.forEach(function (tr, i) {
    setRowPath(tr, tid + '[' + i + ']');
    var idx = tr.querySelector('td.idx');
    if (idx) idx.textContent = String(i + 1);
  });
  var t = TABLES[tid];
  var wrap = wrapperOf('table', tid);
  var add = wrap && wrap.querySelector('.fe-add-row');
  if (add) add.disabled = !isNull(t.max_rows) && rows.length >= t.max_rows;
  rows.forEach(function (tr) {
    var rm = tr.querySelector('.fe-remove-row');
    if (rm) rm.disabled = rows.length <= Math.max(t.min_rows || 0, 1) && rows.length <= 1;
  });
}

function setRowPath(tr, base) {
  tr.setAttribute('data-msg-for', base);
  qsa(tr, '.fe-field').forEach(function (box) {
    var path = base + '.' + box.getAttribute('data-field');
    box.setAttribute('data-msg-for', path);
    controls(box).forEach(function (el) {
      var p = el.getAttribute('data-part');
      var full = p && p !== 'detail' ? path + '.' + p : path;
      el.setAttribute('data-path', full);
      el.setAttribute('name', full);
    });
  });
}

function newRow(kind, id) {
  var tpl = FORM.querySelector('template[data-' + kind + '-template="' + id + '"]');
  return tpl.content.firstElementChild.cloneNode(true);
}

function addRow(tid) {
  var t = TABLES[tid];
  var rows = tableRows(tid);
  if (!isNull(t.max_rows) && rows.length >= t.max_rows) {
    addMessage(tid, MSG.max_rows, 'ui');
    return null;
  }
  var tr = newRow('row', tid);
  FORM.querySelector('tbody[data-rows="' + tid + '"]').appendChild(tr);
  qsa(tr, '.fe-field').forEach(function (box) {
    setDisabled(box, false);
  });
  renumberTable(tid);
  return tr;
}

function renumberTree(tid) {
  var counters = [];
  var paths = [];
  treeRows(tid).forEach(function (tr) {
    var depth = depthOf(tr);
    counters.length = depth + 1;
    counters[depth] = isNull(counters[depth]) ? 0 : counters[depth] + 1;
    var base = depth === 0 ? tid + '[' + counters[0] + ']' : paths[depth - 1] + '.children[' + counters[depth] + ']';
    paths.length = depth + 1;
    paths[depth] = base;
    setRowPath(tr, base);
    var cell = tr.querySelector('td.indent');
    if (cell) cell.className = cell.className.replace(/\s*\bd\d+\b/g, '') + ' d' + Math.min(depth, 9);
    var child = tr.querySelector('.fe-add-child');
    if (child) child.disabled = depth + 1 >= (TREES[tid].max_depth || 10);
  });
}

function addNode(tid, parent) {
  var tr = newRow('node', tid);
  var depth = parent ? depthOf(parent) + 1 : 0;
  tr.setAttribute('data-depth', String(depth));
  var body = FORM.querySelector('tbody[data-nodes="' + tid + '"]');
  if (!parent) {
    body.appendChild(tr);
  } else {
    var after = parent;
    var next = parent.nextElementSibling;
    while (next && depthOf(next) > depthOf(parent)) {
      after = next;
      next = next.nextElementSibling;
    }
    after.after(tr);
  }
  qsa(tr, '.fe-field').forEach(function (box) {
    setDisabled(box, false);
  });
  renumberTree(tid);
  return tr;
}

function removeRow(tr) {
  var body = tr.parentNode;
  if (body.hasAttribute('data-nodes')) {
    var depth = depthOf(tr);
    var next = tr.nextElementSibling;
    while (next && depthOf(next) > depth) {
      var gone = next;
      next = next.nextElementSibling;
      gone.remove();
    }
    tr.remove();
    renumberTree(body.getAttribute('data-nodes'));
    return;
  }
  var tid = body.getAttribute('data-rows');
  var t = TABLES[tid];
  var rows = tableRows(tid);
  if (rows.length <= 1 && (t.min_rows || 0) >= 1) {
    // keep one row to fill in: clear it instead
    qsa(tr, 'input, select, textarea').forEach(function (el) {
      if (el.type === 'radio' || el.type === 'checkbox') el.checked = false;
      else el.value = '';
    });
  } else {
    tr.remove();
  }
  renumberTable(tid);
}

function isRowEmpty(tr, conf) {
  var r = readRow(conf.columns, conf.order, rowBoxes(tr));
  return r.empty;
}

function pruneEmptyRows() {
  Object.keys(TABLES).forEach(function (tid) {
    var rows = tableRows(tid);
    rows.forEach(function (tr) {
      if (isRowEmpty(tr, TABLES[tid]) && tableRows(tid).length > 1) tr.remove();
    });
    renumberTable(tid);
  });
  Object.keys(TREES).forEach(function (tid) {
    var rows = treeRows(tid);
    for (var i = rows.length - 1; i >= 0; i--) {
      var tr = rows[i];
      var next = tr.nextElementSibling;
      var leaf = !next || depthOf(next) <= depthOf(tr);
      if (leaf && isRowEmpty(tr, TREES[tid]) && treeRows(tid).length > 1) tr.remove();
    }
    renumberTree(tid);
  });
}

// ------------------------------------------------------------------ public API

function clientProblems(st) {
  var out = [];
  Object.keys(TABLES).forEach(function (tid) {
    var t = TABLES[tid];
    var wrap = wrapperOf('table', tid);
    if (wrap && wrap.hidden) return;
    var n = st.tables[tid].length;
    if (n < (t.min_rows || 0)) {
      out.push({ path: tid, text: n ? template(MSG.min_rows, { n: t.min_rows }) : MSG.required });
    }
    if (!isNull(t.max_rows) && n > t.max_rows) out.push({ path: tid, text: MSG.max_rows });
  });
  Object.keys(TOP).forEach(function (id) {
    var box = TOP[id];
    if (box.feRequired && !boxHidden(box) && isNull(st.env[id])) out.push({ path: id, text: MSG.required });
  });
  return out.concat(st.bad.filter(function (box) {
    return !boxHidden(box);
  }).map(function (box) {
    return { path: box.getAttribute('data-msg-for'), text: MSG.invalid_value };
  }));
}

function showErrors(errors) {
  clearMessages('server');
  var map = anchors();
  var shown = 0;
  (errors || []).forEach(function (e) {
    if (!e) return;
    var text = LANG === 'en' ? (e.en || e.zh || e.message) : (e.zh || e.message || e.en);
    addMessage(pagePath(String(e.path || ''), last), String(text || e.code || ''), 'server', map);
    shown++;
  });
  return shown;
}

function setData(data) {
  data = data || {};
  qsa(FORM, '.fe-field[data-auto]').forEach(function (box) {
    box.removeAttribute('data-auto');
  });
  Object.keys(FIELDS).forEach(function (id) {
    if (TOP[id] && isNull(FIELDS[id].compute)) write(TOP[id], FIELDS[id], has(data, id) ? data[id] : null);
  });
  Object.keys(TABLES).forEach(function (tid) {
    var t = TABLES[tid];
    var list = Array.isArray(data[tid]) ? data[tid] : [];
    tableRows(tid).forEach(function (tr) {
      tr.remove();
    });
    var n = Math.max(list.length, t.min_rows || 0, 1);
    for (var i = 0; i < n; i++) {
      var tr = addRow(tid);
      if (!tr) break;
      var boxes = rowBoxes(tr);
      var row = list[i] || {};
      t.order.forEach(function (cid) {
        if (boxes[cid] && isNull(t.columns[cid].compute)) write(boxes[cid], t.columns[cid], row[cid]);
      });
    }
  });
  Object.keys(TREES).forEach(function (tid) {
    var t = TREES[tid];
    treeRows(tid).forEach(function (tr) {
      tr.remove();
    });
    (function walk(list, parent) {
      (list || []).forEach(function (node) {
        var tr = addNode(tid, parent);
        var boxes = rowBoxes(tr);
        t.order.forEach(function (cid) {
          if (boxes[cid] && isNull(t.columns[cid].compute)) write(boxes[cid], t.columns[cid], node[cid]);
        });
        walk(node.children, tr);
      });
    })(data[tid], null);
    if (!treeRows(tid).length) addNode(tid, null);
  });
  Object.keys(GRIDS).forEach(function (gid) {
    var g = GRIDS[gid];
    var cells = data[gid] || {};
    var wrap = wrapperOf('grid', gid);
    if (g.one_per_row) {
      qsa(wrap, 'input[type=radio][data-owner]').forEach(function (el) {
        el.checked = cells[el.getAttribute('data-row')] === el.value;
      });
      return;
    }
    qsa(wrap, '.fe-field[data-owner="' + gid + '"]').forEach(function (box) {
      var row = cells[box.getAttribute('data-row')] || {};
      write(box, g.cell, row[box.getAttribute('data-col')]);
    });
  });
  qsa(FORM, '.fe-field').forEach(function (box) {
    setDisabled(box, boxHidden(box));
  });
  return evaluate();
}

function submit() {
  pruneEmptyRows();
  clearMessages('server');
  clearMessages('ui');
  var st = evaluate();
  var problems = clientProblems(st);
  var map = anchors();
  problems.forEach(function (p) {
    addMessage(p.path, p.text, 'ui', map);
  });
  var valid = FORM.checkValidity();
  if (!valid || problems.length) {
    if (!valid) FORM.reportValidity();
    var first = FORM.querySelector('.fe-msg, :invalid');
    if (first && first.scrollIntoView) first.scrollIntoView({ block: 'center' });
    return null;
  }
  var data = submission(st);
  document.getElementById('fe-json').textContent = JSON.stringify(data, null, 2);
  FORM.dispatchEvent(new CustomEvent('formengine:submit', { detail: data, bubbles: true }));
  return data;
}

// ------------------------------------------------------------------ events

function fileMeta(el) {
  var file = el.files && el.files[0];
  if (!file) {
    el.feMeta = null;
    return Promise.resolve();
  }
  var ext = (file.name.split('.').pop() || '').toLowerCase();
  var sub = (file.type.split('/')[1] || '').toLowerCase();
  var format = sub === 'jpeg' || ext === 'jpg' ? 'jpeg' : sub || ext;
  var meta = { name: file.name, bytes: file.size, format: format };
  el.feMeta = meta;
  var box = el.closest('.fe-field');
  if (box && box.getAttribute('data-type') === 'image' && window.createImageBitmap) {
    return createImageBitmap(file).then(function (img) {
      meta.width = img.width;
      meta.height = img.height;
    }, function () {});
  }
  return Promise.resolve();
}

var pending = false;

function schedule() {
  if (pending) return;
  pending = true;
  Promise.resolve().then(function () {
    pending = false;
    evaluate();
  });
}

function onChange(ev) {
  var el = ev.target;
  if (!el || !el.closest) return;
  var box = el.closest('.fe-field');
  if (box) {
    box.removeAttribute('data-auto'); // the page never fires input events itself: the user typed
    setDisabled(box, boxHidden(box));
    qsa(box, '.fe-msg-server, .fe-msg-ui').forEach(function (m) {
      m.remove();
    });
  }
  if (el.type === 'file' && ev.type === 'change') {
    fileMeta(el).then(schedule);
    return;
  }
  schedule();
}

FORM.addEventListener('input', onChange);
FORM.addEventListener('change', onChange);
FORM.addEventListener('click', function (ev) {
  var btn = ev.target && ev.target.closest ? ev.target.closest('button') : null;
  if (!btn || !FORM.contains(btn)) return;
  if (btn.classList.contains('fe-add-row')) addRow(btn.getAttribute('data-table'));
  else if (btn.classList.contains('fe-add-node')) addNode(btn.getAttribute('data-tree'), null);
  else if (btn.classList.contains('fe-add-child')) addNode(btn.closest('tbody').getAttribute('data-nodes'), btn.closest('tr'));
  else if (btn.classList.contains('fe-remove-row')) removeRow(btn.closest('tr'));
  else return;
  evaluate();
});
FORM.addEventListener('submit', function (ev) {
  ev.preventDefault();
  submit();
});

// ------------------------------------------------------------------ start

(function start() {
  Object.keys(TABLES).forEach(function (tid) {
    var t = TABLES[tid];
    for (var i = 0; i < Math.max(t.min_rows || 0, 1); i++) addRow(tid);
  });
  Object.keys(TREES).forEach(function (tid) {
    addNode(tid, null);
  });
  qsa(FORM, '.fe-field').forEach(function (box) {
    setDisabled(box, false);
  });
  if (MODEL.initial) setData(MODEL.initial);
  evaluate();
})();

window.FormEngine = {
  showErrors: showErrors,
  clearErrors: function () {
    clearMessages('server');
  },
  setData: function (data) {
    setData(data);
  },
  data: function () {
    return submission(evaluate());
  },
  evaluate: function () {
    evaluate();
  },
  submit: submit,
  model: MODEL,
};
