/*
 * formengine expression runtime: the JavaScript twin of formengine/expr/to_python.py and
 * formengine/expr/functions.py.  Code emitted by formengine/expr/to_js.py is an expression
 * over `form`, `row`, `ctx` and this object `R`; evaluated in a browser it gives exactly
 * what the server computes (tests/expr_conformance.yaml runs both).
 *
 * Values
 *   null               an empty value (undefined is read as null everywhere)
 *   true / false       booleans (like Python's, they count as 1 / 0 in arithmetic)
 *   BigInt             Python int (exact, unbounded): 3n
 *   R.Dec              Python decimal.Decimal: sign, BigInt coefficient, exponent; every
 *                      operation follows CPython's default context (28 significant digits,
 *                      ROUND_HALF_EVEN), so 1/3, 2/3 and 0.1 + 0.2 print exactly as on the server
 *   R.DateValue        a calendar date (y, m, d); compare with R.eq / R.lt …, never with ===
 *   string, Array      text and lists (a table is an Array of plain row objects)
 *   plain object       a form, a row, a record (date range, signature …) or a grid
 *
 * Inputs: R.num(x, kind) turns what an <input> holds (a JS number or text such as
 * "1,234.50") into an int ('int'), a Decimal ('decimal') or whichever fits (no kind);
 * R.date(x) takes "YYYY-MM-DD" (also 2026/1/5, 2026年1月5日) or a JS Date.
 * Output: R.toJSON(value) gives JSON the server accepts (Decimal → "12.50", date →
 * "2026-01-05", int → number).
 *
 * Errors: where Python raises (an expression that cannot run on these values) the runtime
 * throws; the page treats that like the server does — the value is null.
 */
(function (global) {
  'use strict';

  var PREC = 28;
  var MAX_TEXT = 10000;
  var MAX_INT_BITS = 4096;
  var MAX_POWER = 10;
  var MAX_EXP = 999999; // Python's default Emax; larger exponents are refused on input

  class EvaluationError extends Error {
    constructor(message) {
      super(message);
      this.name = 'EvaluationError';
    }
  }

  function fail(message) {
    throw new EvaluationError(message);
  }

  function isNull(v) {
    return v === null || v === undefined;
  }

  // ------------------------------------------------------------------ BigInt helpers

  var P10 = [1n];

  function pow10(n) {
    if (n < 0) throw new RangeError('pow10 of a negative number');
    if (n < 400) {
      while (P10.length <= n) P10.push(P10[P10.length - 1] * 10n);
      return P10[n];
    }
    return 10n ** BigInt(n);
  }

  function ndigits(c) {
    // number of decimal digits of c >= 0 (0 has one digit)
    return c.toString().length;
  }

  function babs(x) {
    return x < 0n ? -x : x;
  }

  function floorDiv(a, b) {
    var q = a / b;
    if (a % b !== 0n && (a < 0n) !== (b < 0n)) q -= 1n;
    return q;
  }

  function floorMod(a, b) {
    var r = a % b;
    if (r !== 0n && (r < 0n) !== (b < 0n)) r += b;
    return r;
  }

  function bitLength(x) {
    x = babs(x);
    return x === 0n ? 0 : x.toString(2).length;
  }

  // ------------------------------------------------------------------ Decimal

  class Dec {
    constructor(sign, coef, exp) {
      this.sign = sign; // 0 or 1 (negative, also for -0)
      this.coef = coef; // BigInt >= 0
      this.exp = exp; // number
    }

    isZero() {
      return this.coef === 0n;
    }

    adjusted() {
      return this.exp + ndigits(this.coef) - 1;
    }

    toString() {
      return sciString(this);
    }
  }

  var ONE = new Dec(0, 1n, 0);

  // Drop k > 0 low digits of c >= 0, rounding.
  function shiftRound(c, k, mode) {
    var m = pow10(k);
    var q = c / m;
    var r = c % m;
    if (r === 0n) return q;
    var twice = r * 2n;
    if (mode === 'half_up') {
      if (twice >= m) q += 1n;
    } else if (twice > m || (twice === m && (q & 1n) === 1n)) {
      q += 1n; // half_even
    }
    return q;
  }

  // Python's Decimal._fix for finite numbers: round the coefficient to `prec` digits.
  function fix(sign, coef, exp, prec, mode) {
    prec = prec || PREC;
    var d = ndigits(coef);
    if (d > prec) {
      var k = d - prec;
      coef = shiftRound(coef, k, mode || 'half_even');
      exp += k;
      if (ndigits(coef) > prec) {
        coef /= 10n;
        exp += 1;
      }
    }
    return new Dec(sign, coef, exp);
  }

  // Any Unicode decimal digit → its ASCII digit (Python's Decimal() accepts them all).
  function asciiDigits(s) {
    if (!/[^\x00-\x7f]/.test(s)) return s;
    return s.replace(/\p{Nd}/gu, function (ch) {
      var cp = ch.codePointAt(0);
      if (cp < 128) return ch;
      var start = cp;
      while (/^\p{Nd}$/u.test(String.fromCodePoint(start - 1))) start -= 1;
      return String((cp - start) % 10);
    });
  }

  var DEC_RE = /^([+-])?(?:(\d(?:_?\d)*)(?:\.(\d(?:_?\d)*)?)?|\.(\d(?:_?\d)*))(?:[eE]([+-]?\d(?:_?\d)*))?$/;

  // Decimal(text) for finite numbers; null when Python would raise (or for NaN / Infinity).
  function parseDec(text) {
    var s = asciiDigits(String(text).trim());
    var m = DEC_RE.exec(s);
    if (!m) return null;
    var whole = (m[2] || '').replace(/_/g, '');
    var frac = (m[3] || m[4] || '').replace(/_/g, '');
    var exp = -frac.length + (m[5] ? parseInt(m[5].replace(/_/g, ''), 10) : 0);
    if (Math.abs(exp) > MAX_EXP * 2) return null;
    return new Dec(m[1] === '-' ? 1 : 0, BigInt(whole + frac || '0'), exp);
  }

  // str(Decimal): scientific notation where Python uses it (1E+2, 1E-7).
  function sciString(d) {
    var s = d.coef.toString();
    var e = d.exp;
    var left = e + s.length;
    var dot = e <= 0 && left > -6 ? left : 1;
    var ip;
    var fp;
    if (dot <= 0) {
      ip = '0';
      fp = '.' + '0'.repeat(-dot) + s;
    } else if (dot >= s.length) {
      ip = s + '0'.repeat(dot - s.length);
      fp = '';
    } else {
      ip = s.slice(0, dot);
      fp = '.' + s.slice(dot);
    }
    var ex = '';
    if (left !== dot) ex = 'E' + (left - dot >= 0 ? '+' : '-') + Math.abs(left - dot);
    return (d.sign ? '-' : '') + ip + fp + ex;
  }

  // format(Decimal, 'f')
  function fixedString(d) {
    var e = d.exp;
    if (d.coef === 0n && e > 0) e = 0;
    var s = d.coef.toString();
    var left = e + s.length;
    var ip;
    var fp;
    if (left <= 0) {
      ip = '0';
      fp = '0'.repeat(-left) + s;
    } else if (left >= s.length) {
      ip = s + '0'.repeat(left - s.length);
      fp = '';
    } else {
      ip = s.slice(0, left);
      fp = s.slice(left);
    }
    return (d.sign ? '-' : '') + ip + (fp ? '.' + fp : '');
  }

  function cmpDec(a, b) {
    var as = a.coef === 0n ? 0 : a.sign ? -1 : 1;
    var bs = b.coef === 0n ? 0 : b.sign ? -1 : 1;
    if (as !== bs) return as < bs ? -1 : 1;
    if (as === 0) return 0;
    var aa = a.adjusted();
    var ba = b.adjusted();
    var r;
    if (aa !== ba) {
      r = aa < ba ? -1 : 1;
    } else {
      var m = Math.min(a.exp, b.exp);
      var x = a.coef * pow10(a.exp - m);
      var y = b.coef * pow10(b.exp - m);
      r = x === y ? 0 : x < y ? -1 : 1;
    }
    return as < 0 ? -r : r;
  }

  function addDec(a, b, prec) {
    var m = Math.min(a.exp, b.exp);
    if (a.coef === 0n && b.coef === 0n) return fix(a.sign & b.sign, 0n, m, prec);
    var x = a.coef * pow10(a.exp - m);
    var y = b.coef * pow10(b.exp - m);
    var s = (a.sign ? -x : x) + (b.sign ? -y : y);
    return fix(s < 0n ? 1 : 0, babs(s), m, prec);
  }

  function negate(d) {
    return new Dec(1 - d.sign, d.coef, d.exp);
  }

  function mulDec(a, b, prec) {
    return fix(a.sign ^ b.sign, a.coef * b.coef, a.exp + b.exp, prec);
  }

  // Decimal.__truediv__ (divisor not zero)
  function divDec(a, b, prec) {
    prec = prec || PREC;
    var sign = a.sign ^ b.sign;
    var coef;
    var exp;
    if (a.coef === 0n) {
      coef = 0n;
      exp = a.exp - b.exp;
    } else {
      var shift = ndigits(b.coef) - ndigits(a.coef) + prec + 1;
      exp = a.exp - b.exp - shift;
      var q;
      var r;
      if (shift >= 0) {
        var n = a.coef * pow10(shift);
        q = n / b.coef;
        r = n % b.coef;
      } else {
        var dd = b.coef * pow10(-shift);
        q = a.coef / dd;
        r = a.coef % dd;
      }
      if (r !== 0n) {
        if (q % 5n === 0n) q += 1n;
      } else {
        var ideal = a.exp - b.exp;
        while (exp < ideal && q % 10n === 0n) {
          q /= 10n;
          exp += 1;
        }
      }
      coef = q;
    }
    return fix(sign, coef, exp, prec);
  }

  // Decimal._divide: [a // b, a % b] with truncating division (divisor not zero)
  function divmodDec(a, b) {
    var sign = a.sign ^ b.sign;
    var ideal = Math.min(a.exp, b.exp);
    var expdiff = a.adjusted() - b.adjusted();
    if (a.coef === 0n || expdiff <= -2) {
      return [new Dec(sign, 0n, 0), new Dec(a.sign, a.coef * pow10(a.exp - ideal), ideal)];
    }
    if (expdiff <= PREC) {
      var x = a.coef;
      var y = b.coef;
      if (a.exp >= b.exp) x *= pow10(a.exp - b.exp);
      else y *= pow10(b.exp - a.exp);
      var q = x / y;
      if (q < pow10(PREC)) return [new Dec(sign, q, 0), new Dec(a.sign, x % y, ideal)];
    }
    fail('quotient too large in //, % or divmod');
  }

  // Decimal.quantize(Decimal(1).scaleb(exp), rounding=mode)
  function quantize(a, exp, mode) {
    if (a.coef === 0n) return new Dec(a.sign, 0n, exp);
    if (a.adjusted() - exp + 1 > PREC) fail('quantize result has too many digits for current context');
    var r;
    if (a.exp >= exp) r = new Dec(a.sign, a.coef * pow10(a.exp - exp), exp);
    else r = new Dec(a.sign, shiftRound(a.coef, exp - a.exp, mode), exp);
    if (ndigits(r.coef) > PREC) fail('quantize result has too many digits for current context');
    return r;
  }

  function negDec(a) {
    return fix(a.coef === 0n ? 0 : 1 - a.sign, a.coef, a.exp);
  }

  function posDec(a) {
    return fix(a.coef === 0n ? 0 : a.sign, a.coef, a.exp);
  }

  function absDec(a) {
    return fix(0, a.coef, a.exp);
  }

  function isIntegral(d) {
    if (d.exp >= 0 || d.coef === 0n) return true;
    return d.coef % pow10(-d.exp) === 0n;
  }

  // int(Decimal): truncates toward zero
  function truncDec(d) {
    var v = d.exp >= 0 ? d.coef * pow10(d.exp) : d.coef / pow10(-d.exp);
    return d.sign ? -v : v;
  }

  // --- logarithm and exponential, correctly rounded (ported from CPython's _pydecimal)

  function divNearest(a, b) {
    var q = floorDiv(a, b);
    var r = floorMod(a, b);
    return q + (2n * r + (q & 1n) > b ? 1n : 0n);
  }

  function rshiftNearest(x, shift) {
    var s = BigInt(shift);
    var b = 1n << s;
    var q = x >> s;
    return q + (2n * (x & (b - 1n)) + (q & 1n) > b ? 1n : 0n);
  }

  function sqrtNearest(n, a) {
    var b = 0n;
    while (a !== b) {
      var next = (a - floorDiv(-n, a)) >> 1n;
      b = a;
      a = next;
    }
    return a;
  }

  function ilog(x, M) {
    var L = 8;
    var y = x - M;
    var R = 0;
    while ((R <= L && babs(y) << BigInt(L - R) >= M) || (R > L && babs(y) >> BigInt(R - L) >= M)) {
      y = divNearest((M * y) << 1n, M + sqrtNearest(M * (M + rshiftNearest(y, R)), M));
      R += 1;
    }
    var T = Math.ceil((10 * M.toString().length) / (3 * L));
    var yshift = rshiftNearest(y, R);
    var w = divNearest(M, BigInt(T));
    for (var k = T - 1; k > 0; k--) w = divNearest(M, BigInt(k)) - divNearest(yshift * w, M);
    return divNearest(w * y, M);
  }

  var LOG10_DIGITS = '23025850929940456840179914546843642076011014886';

  function log10Digits(p) {
    if (p >= LOG10_DIGITS.length) {
      var extra = 3;
      var digits;
      for (;;) {
        var M = pow10(p + extra + 2);
        digits = divNearest(ilog(10n * M, M), 100n).toString();
        if (digits.slice(-extra) !== '0'.repeat(extra)) break;
        extra += 3;
      }
      LOG10_DIGITS = digits.replace(/0+$/, '').slice(0, -1);
    }
    return BigInt(LOG10_DIGITS.slice(0, p + 1));
  }

  function dlog(c, e, p) {
    p += 2;
    var l = c.toString().length;
    var f = e + l - (e + l >= 1 ? 1 : 0);
    var logD = 0n;
    if (p > 0) {
      var k = e + p - f;
      if (k >= 0) c *= pow10(k);
      else c = divNearest(c, pow10(-k));
      logD = ilog(c, pow10(p));
    }
    var fLogTen = 0n;
    if (f) {
      var extra = String(Math.abs(f)).length - 1;
      if (p + extra >= 0) fLogTen = divNearest(BigInt(f) * log10Digits(p + extra), pow10(extra));
    }
    return divNearest(fLogTen + logD, 100n);
  }

  function lnExpBound(x) {
    var adj = x.exp + ndigits(x.coef) - 1;
    if (adj >= 1) return String(Math.floor((adj * 23) / 10)).length - 1;
    if (adj <= -2) return String(Math.floor(((-1 - adj) * 23) / 10)).length - 1;
    var c = x.coef;
    var e = x.exp;
    if (adj === 0) {
      var num = (c - pow10(-e)).toString();
      var den = c.toString();
      return num.length - den.length - (num < den ? 1 : 0);
    }
    return e + (pow10(-e) - c).toString().length - 1;
  }

  // ln(x) for x > 0, x != 1, correctly rounded to p digits
  function lnDec(x, p) {
    var places = p - lnExpBound(x) + 2;
    var coeff;
    for (;;) {
      coeff = dlog(x.coef, x.exp, places);
      var k = babs(coeff).toString().length - p - 1;
      if (coeff % (5n * pow10(k)) !== 0n) break;
      places += 3;
    }
    return fix(coeff < 0n ? 1 : 0, babs(coeff), -places, p);
  }

  function iexp(x, M) {
    var L = 8;
    var R = bitLength((x << BigInt(L)) / M);
    var T = Math.ceil((10 * M.toString().length) / (3 * L));
    var y = divNearest(x, BigInt(T));
    var Mshift = M << BigInt(R);
    for (var i = T - 1; i > 0; i--) y = divNearest(x * (Mshift + y), Mshift * BigInt(i));
    for (var k = R - 1; k >= 0; k--) {
      Mshift = M << BigInt(k + 2);
      y = divNearest(y * (y + Mshift), Mshift);
    }
    return M + y;
  }

  function dexp(c, e, p) {
    p += 2;
    var extra = Math.max(0, e + c.toString().length - 1);
    var q = p + extra;
    var shift = e + q;
    var cshift = shift >= 0 ? c * pow10(shift) : floorDiv(c, pow10(-shift));
    var l10 = log10Digits(q);
    var quot = floorDiv(cshift, l10);
    var rem = divNearest(floorMod(cshift, l10), pow10(extra));
    return [divNearest(iexp(rem, pow10(p)), 1000n), Number(quot) - p + 3];
  }

  // e ** x correctly rounded to p digits
  function expDec(x, p) {
    if (x.coef === 0n) return ONE;
    var adj = x.adjusted();
    var ans;
    if (adj > 7) fail('exponent overflow');
    if (x.sign === 0 && adj < -p) {
      ans = new Dec(0, pow10(p) + 1n, -p);
    } else if (x.sign === 1 && adj < -p - 1) {
      ans = new Dec(0, pow10(p + 1) - 1n, -p - 1);
    } else {
      var c = x.sign ? -x.coef : x.coef;
      var extra = 3;
      var r;
      for (;;) {
        r = dexp(c, x.exp, p + extra);
        var k = r[0].toString().length - p - 1;
        if (r[0] % (5n * pow10(k)) !== 0n) break;
        extra += 3;
      }
      ans = new Dec(0, r[0], r[1]);
    }
    return fix(ans.sign, ans.coef, ans.exp, p);
  }

  // Decimal ** Decimal, following libmpdec's mpd_qpow (what CPython's decimal module runs).
  function powDec(base, y) {
    var intexp = isIntegral(y);
    var resultsign = 0;
    if (intexp && base.sign && (truncDec(y) & 1n) === 1n) resultsign = 1;
    if (base.coef === 0n) {
      if (y.coef === 0n) fail('0 ** 0 is undefined');
      if (y.sign) fail('zero to a negative power');
      return new Dec(resultsign, 0n, 0);
    }
    if (base.sign && !intexp) fail('x ** y with x negative and y not an integer');
    if (y.coef === 0n) return new Dec(resultsign, 1n, 0);
    if (base.exp <= 0 && base.coef === pow10(-base.exp)) {
      // abs(base) == 1
      var shift;
      if (intexp) {
        if (y.sign) return new Dec(resultsign, 1n, 0);
        var s = truncDec(y) * BigInt(-base.exp);
        shift = s > BigInt(PREC - 1) ? PREC - 1 : Number(s);
      } else {
        shift = PREC - 1;
      }
      return new Dec(resultsign, pow10(shift), -shift);
    }
    if (intexp) {
      var wp = PREC + ndigits(y.coef) + y.exp + 2;
      var tbase = base;
      if (y.sign) {
        wp += 1;
        tbase = divDec(ONE, base, wp);
      }
      var bits = babs(truncDec(y)).toString(2);
      var result = tbase;
      for (var i = 1; i < bits.length; i++) {
        result = mulDec(result, result, wp);
        if (bits[i] === '1') result = mulDec(result, tbase, wp);
      }
      return fix(resultsign, result.coef, result.exp);
    }
    var wp2 = Math.max(ndigits(base.coef), PREC) + 4 + 19;
    var r = expDec(mulDec(lnDec(base, wp2), y, wp2), wp2);
    if (cmpDec(r, ONE) === 0) r = new Dec(0, pow10(PREC - 1), -(PREC - 1));
    return fix(r.sign, r.coef, r.exp);
  }

  // ------------------------------------------------------------------ dates

  var DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  var DAYS_BEFORE_MONTH = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

  function isLeap(y) {
    return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  }

  function daysInMonth(y, m) {
    return m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m];
  }

  class DateValue {
    constructor(y, m, d) {
      this.y = y;
      this.m = m;
      this.d = d;
    }

    toString() {
      return String(this.y).padStart(4, '0') + '-' + String(this.m).padStart(2, '0') + '-' +
        String(this.d).padStart(2, '0');
    }

    toJSON() {
      return this.toString();
    }
  }

  function makeDate(y, m, d) {
    if (!(y >= 1 && y <= 9999)) fail('date value out of range');
    if (!(m >= 1 && m <= 12) || !(d >= 1 && d <= daysInMonth(y, m))) fail('not a valid date');
    return new DateValue(y, m, d);
  }

  function toOrdinal(v) {
    var y = v.y - 1;
    return y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) +
      DAYS_BEFORE_MONTH[v.m] + (v.m > 2 && isLeap(v.y) ? 1 : 0) + v.d;
  }

  function fromOrdinal(n) {
    if (n < 1 || n > 3652059) fail('date value out of range');
    n -= 1;
    var n400 = Math.floor(n / 146097);
    n %= 146097;
    var year = n400 * 400 + 1;
    var n100 = Math.floor(n / 36524);
    n %= 36524;
    var n4 = Math.floor(n / 1461);
    n %= 1461;
    var n1 = Math.floor(n / 365);
    n %= 365;
    year += n100 * 100 + n4 * 4 + n1;
    if (n1 === 4 || n100 === 4) return new DateValue(year - 1, 12, 31);
    var leap = n1 === 3 && (n4 !== 24 || n100 === 3);
    var month = (n + 50) >> 5;
    var preceding = DAYS_BEFORE_MONTH[month] + (month > 2 && leap ? 1 : 0);
    if (preceding > n) {
      month -= 1;
      preceding -= DAYS_IN_MONTH[month] + (month === 2 && leap ? 1 : 0);
    }
    return new DateValue(year, month, n - preceding + 1);
  }

  var FULLWIDTH = { '０': '0', '１': '1', '２': '2', '３': '3', '４': '4', '５': '5', '６': '6',
    '７': '7', '８': '8', '９': '9', '－': '-', '／': '/', '．': '.' };
  var DATE_RES = [
    /^([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})$/,
    /^([0-9]{4})\s*(年)\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]$/,
  ];

  function parseDate(text) {
    var s = String(text).trim().replace(/[０-９－／．]/g, function (ch) {
      return FULLWIDTH[ch];
    });
    for (var i = 0; i < DATE_RES.length; i++) {
      var m = DATE_RES[i].exec(s);
      if (m) {
        var y = parseInt(m[1], 10);
        var mo = parseInt(m[3], 10);
        var d = parseInt(m[4], 10);
        if (y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo)) return new DateValue(y, mo, d);
        return null;
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ Python-like helpers

  function isDec(v) {
    return v instanceof Dec;
  }

  function isDate(v) {
    return v instanceof DateValue;
  }

  function isPlainObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Dec) &&
      !(v instanceof DateValue) && !(v instanceof Map);
  }

  function hasOwn(obj, key) {
    return Object.prototype.hasOwnProperty.call(obj, key);
  }

  function isNumeric(v) {
    return typeof v === 'bigint' || typeof v === 'boolean' || v instanceof Dec;
  }

  function toInt(v) {
    // bool / int as a BigInt
    return typeof v === 'boolean' ? (v ? 1n : 0n) : v;
  }

  function toDec(v) {
    if (v instanceof Dec) return v;
    var i = toInt(v);
    return new Dec(i < 0n ? 1 : 0, babs(i), 0);
  }

  function isZeroNumber(v) {
    // Python's `b == 0`
    if (typeof v === 'bigint') return v === 0n;
    if (typeof v === 'boolean') return v === false;
    if (v instanceof Dec) return v.coef === 0n;
    return false;
  }

  function typeName(v) {
    if (isNull(v)) return 'NoneType';
    if (typeof v === 'boolean') return 'bool';
    if (typeof v === 'bigint') return 'int';
    if (v instanceof Dec) return 'decimal.Decimal';
    if (v instanceof DateValue) return 'datetime.date';
    if (typeof v === 'string') return 'str';
    if (Array.isArray(v)) return 'list';
    if (typeof v === 'number') return 'JS number (use R.num)';
    return 'dict';
  }

  function numCompare(a, b) {
    if (a instanceof Dec || b instanceof Dec) return cmpDec(toDec(a), toDec(b));
    var x = toInt(a);
    var y = toInt(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }

  function codePoints(s) {
    return Array.from(s);
  }

  function textLength(s) {
    var n = s.length;
    if (!/[\uD800-\uDFFF]/.test(s)) return n;
    return codePoints(s).length;
  }

  function strCompare(a, b) {
    if (a === b) return 0;
    if (!/[\uD800-\uDFFF]/.test(a) && !/[\uD800-\uDFFF]/.test(b)) return a < b ? -1 : 1;
    var x = codePoints(a);
    var y = codePoints(b);
    var n = Math.min(x.length, y.length);
    for (var i = 0; i < n; i++) {
      var p = x[i].codePointAt(0);
      var q = y[i].codePointAt(0);
      if (p !== q) return p < q ? -1 : 1;
    }
    return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
  }

  // Python ==
  function pyEq(a, b) {
    if (isNull(a) || isNull(b)) return isNull(a) && isNull(b);
    if (isNumeric(a) && isNumeric(b)) return numCompare(a, b) === 0;
    if (typeof a === 'string' && typeof b === 'string') return a === b;
    if (a instanceof DateValue && b instanceof DateValue) return toOrdinal(a) === toOrdinal(b);
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) return false;
      for (var i = 0; i < a.length; i++) if (!pyEq(a[i], b[i])) return false;
      return true;
    }
    if (isPlainObject(a) && isPlainObject(b)) {
      var ka = Object.keys(a);
      if (ka.length !== Object.keys(b).length) return false;
      for (var j = 0; j < ka.length; j++) {
        if (!hasOwn(b, ka[j]) || !pyEq(a[ka[j]], b[ka[j]])) return false;
      }
      return true;
    }
    return false;
  }

  // Python's a < b etc.; op is one of '<' '<=' '>' '>='
  function pyOrder(a, b, op) {
    var c;
    if (isNumeric(a) && isNumeric(b)) c = numCompare(a, b);
    else if (typeof a === 'string' && typeof b === 'string') c = strCompare(a, b);
    else if (a instanceof DateValue && b instanceof DateValue) c = toOrdinal(a) - toOrdinal(b);
    else if (Array.isArray(a) && Array.isArray(b)) {
      var n = Math.min(a.length, b.length);
      for (var i = 0; i < n; i++) {
        if (!pyEq(a[i], b[i])) return pyOrder(a[i], b[i], op);
      }
      c = a.length - b.length;
    } else {
      fail("'" + op + "' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
    }
    if (op === '<') return c < 0;
    if (op === '<=') return c <= 0;
    if (op === '>') return c > 0;
    return c >= 0;
  }

  // Python truthiness
  function truth(v) {
    if (isNull(v)) return false;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'bigint') return v !== 0n;
    if (v instanceof Dec) return v.coef !== 0n;
    if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
    if (v instanceof DateValue) return true;
    if (v instanceof Map) return v.size > 0;
    if (typeof v === 'object') return Object.keys(v).length > 0;
    return Boolean(v);
  }

  var NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

  function reprText(s) {
    var quote = s.indexOf("'") >= 0 && s.indexOf('"') < 0 ? '"' : "'";
    var out = quote;
    var chars = codePoints(s);
    for (var i = 0; i < chars.length; i++) {
      var ch = chars[i];
      var cp = ch.codePointAt(0);
      if (ch === quote || ch === '\\') out += '\\' + ch;
      else if (ch === '\t') out += '\\t';
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
        if (cp < 0x100) out += '\\x' + cp.toString(16).padStart(2, '0');
        else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
        else out += '\\U' + cp.toString(16).padStart(8, '0');
      } else out += ch;
    }
    return out + quote;
  }

  // Python repr()
  function pyRepr(v) {
    if (typeof v === 'string') return reprText(v);
    if (v instanceof Dec) return "Decimal('" + sciString(v) + "')";
    if (v instanceof DateValue) return 'datetime.date(' + v.y + ', ' + v.m + ', ' + v.d + ')';
    if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
    if (isPlainObject(v)) {
      return '{' + Object.keys(v).map(function (k) {
        return reprText(k) + ': ' + pyRepr(v[k]);
      }).join(', ') + '}';
    }
    return pyStr(v);
  }

  // Python str()
  function pyStr(v) {
    if (isNull(v)) return 'None';
    if (typeof v === 'boolean') return v ? 'True' : 'False';
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Dec) return sciString(v);
    if (v instanceof DateValue) return v.toString();
    if (typeof v === 'string') return v;
    if (Array.isArray(v) || isPlainObject(v)) return pyRepr(v);
    return String(v);
  }

  // functions.py _text: how concat / format show a value
  function text(v) {
    if (isNull(v)) return '';
    if (typeof v === 'boolean') return v ? '是' : '否';
    if (v instanceof Dec) return fixedString(v);
    if (v instanceof DateValue) return v.toString();
    return pyStr(v);
  }

  var INT_RE = /^[+-]?\d(?:_?\d)*$/;

  // Python int(x) for the values functions receive
  function pyInt(v) {
    if (typeof v === 'bigint') return v;
    if (typeof v === 'boolean') return v ? 1n : 0n;
    if (v instanceof Dec) return truncDec(v);
    if (typeof v === 'string') {
      var s = asciiDigits(v.trim());
      if (INT_RE.test(s)) return BigInt(s.replace(/_/g, ''));
      fail("invalid literal for int() with base 10: " + reprText(v));
    }
    fail("int() argument must be a string or a number, not '" + typeName(v) + "'");
  }

  function smallInt(v) {
    var i = pyInt(v);
    if (i > 100000000n || i < -100000000n) fail('value out of range');
    return Number(i);
  }

  function checkText(s) {
    if (s.length > MAX_TEXT && textLength(s) > MAX_TEXT) fail('text too long');
    return s;
  }

  function repeat(seq, times) {
    var n = toInt(times);
    if (n <= 0n) return typeof seq === 'string' ? '' : [];
    if (typeof seq === 'string') {
      if (BigInt(textLength(seq)) * n > BigInt(MAX_TEXT)) fail('text too long');
      return seq.repeat(Number(n));
    }
    if (BigInt(seq.length) * n > 1000000n) fail('list too long');
    var out = [];
    for (var i = 0n; i < n; i++) out = out.concat(seq);
    return out;
  }

  function isIntLike(v) {
    return typeof v === 'bigint' || typeof v === 'boolean';
  }

  function unsupported(op, a, b) {
    fail('unsupported operand type(s) for ' + op + ": '" + typeName(a) + "' and '" + typeName(b) + "'");
  }

  // ------------------------------------------------------------------ the runtime object

  var R = {
    Dec: Dec,
    DateValue: DateValue,
    EvaluationError: EvaluationError,
    MAX_TEXT: MAX_TEXT,
    isDec: isDec,
    isDate: isDate,
    str: pyStr,
    text: text,
    repr: pyRepr,
  };

  // --- constants and inputs

  var DEC_CACHE = new Map();

  // A Decimal constant from its Python str() (emitted code: R.dec("0.1")).
  R.dec = function (s) {
    if (s instanceof Dec) return s;
    var key = String(s);
    var d = DEC_CACHE.get(key);
    if (d === undefined) {
      d = parseDec(key);
      if (d === null) throw new Error('not a decimal: ' + key);
      if (DEC_CACHE.size < 1000) DEC_CACHE.set(key, d);
    }
    return d;
  };

  R.int = function (x) {
    return BigInt(x);
  };

  /*
   * Input value → runtime number.  kind: 'int' (integer / rating fields), 'decimal' (money,
   * decimal, percent: keeps the digits typed, "12.50" stays 12.50 like the server's
   * Decimal), or omitted (integral JS numbers and digit-only text become ints, the rest
   * Decimals).  Text may carry thousands separators and ¥ like the server accepts.
   * Anything that is not a number gives null.
   */
  R.num = function (x, kind) {
    if (isNull(x)) return null;
    if (typeof x === 'boolean') return null;
    if (typeof x === 'bigint') return kind === 'decimal' ? toDec(x) : x;
    if (x instanceof Dec) {
      if (kind !== 'int') return x;
      return isIntegral(x) ? truncDec(x) : null;
    }
    if (typeof x === 'number') {
      if (!isFinite(x)) return null;
      if (kind === 'int') return Number.isInteger(x) ? BigInt(x) : null;
      if (kind !== 'decimal' && Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER) return BigInt(x);
      return parseDec(String(x));
    }
    if (typeof x !== 'string') return null;
    var s = x.trim().replace(/[,，¥￥]/g, '');
    if (!s) return null;
    var d = parseDec(s);
    if (d === null) return null;
    if (kind === 'decimal') return d;
    var plain = INT_RE.test(asciiDigits(s));
    if (kind === 'int') return plain ? truncDec(d) : null;
    return plain ? truncDec(d) : d;
  };

  // Input value → date: "YYYY-MM-DD", 2026/1/5, 2026年1月5日, a JS Date (local day); else null.
  R.date = function (x) {
    if (isNull(x) || x === '') return null;
    if (x instanceof DateValue) return x;
    if (x instanceof Date) {
      if (isNaN(x.getTime())) return null;
      return new DateValue(x.getFullYear(), x.getMonth() + 1, x.getDate());
    }
    if (typeof x === 'string') return parseDate(x);
    return null;
  };

  // Runtime value → JSON value the server accepts.
  R.toJSON = function (v) {
    if (isNull(v)) return null;
    if (typeof v === 'bigint') {
      var n = Number(v);
      return Number.isSafeInteger(n) ? n : v.toString();
    }
    if (v instanceof Dec) return fixedString(v);
    if (v instanceof DateValue) return v.toString();
    if (Array.isArray(v)) return v.map(R.toJSON);
    if (v instanceof Map) {
      var m = {};
      v.forEach(function (value, key) {
        m[key] = R.toJSON(value);
      });
      return m;
    }
    if (typeof v === 'object') {
      var o = {};
      Object.keys(v).forEach(function (k) {
        o[k] = R.toJSON(v[k]);
      });
      return o;
    }
    return v;
  };

  // What kind of runtime value this is.
  R.typeOf = function (v) {
    if (isNull(v)) return 'null';
    if (typeof v === 'boolean') return 'bool';
    if (typeof v === 'bigint') return 'int';
    if (v instanceof Dec) return 'decimal';
    if (v instanceof DateValue) return 'date';
    if (typeof v === 'string') return 'text';
    if (Array.isArray(v)) return 'list';
    return 'object';
  };

  // --- names

  // form.get(name) / row.get(name): plain objects (or Maps); missing and undefined read as null.
  R.get = function (obj, name) {
    if (isNull(obj)) return null;
    if (obj instanceof Map) {
      var got = obj.get(name);
      return got === undefined ? null : got;
    }
    if (typeof obj !== 'object' || !hasOwn(obj, name)) return null;
    var v = obj[name];
    return v === undefined ? null : v;
  };

  R.column = function (rows, name) {
    if (!truth(rows)) return [];
    if (!Array.isArray(rows)) fail("'" + typeName(rows) + "' object is not iterable");
    return rows.map(function (row) {
      return R.get(row, name);
    });
  };

  R.attr = function (value, name) {
    if (isNull(value)) return null;
    if (value instanceof Map || isPlainObject(value)) return R.get(value, name);
    return null;
  };

  // --- arithmetic (null in, null out)

  R.add = function (a, b) {
    if (isNull(a) || isNull(b)) return null;
    if (isNumeric(a) && isNumeric(b)) {
      if (a instanceof Dec || b instanceof Dec) return addDec(toDec(a), toDec(b));
      return toInt(a) + toInt(b);
    }
    if (typeof a === 'string' && typeof b === 'string') return checkText(a + b);
    if (Array.isArray(a) && Array.isArray(b)) return a.concat(b);
    unsupported('+', a, b);
  };

  R.sub = function (a, b) {
    if (isNull(a) || isNull(b)) return null;
    if (isNumeric(a) && isNumeric(b)) {
      if (a instanceof Dec || b instanceof Dec) return addDec(toDec(a), negate(toDec(b)));
      return toInt(a) - toInt(b);
    }
    unsupported('-', a, b);
  };

  R.mul = function (a, b) {
    if (isNull(a) || isNull(b)) return null;
    if (isNumeric(a) && isNumeric(b)) {
      if (a instanceof Dec || b instanceof Dec) return mulDec(toDec(a), toDec(b));
      return toInt(a) * toInt(b);
    }
    if ((typeof a === 'string' || Array.isArray(a)) && isIntLike(b)) return repeat(a, b);
    if ((typeof b === 'string' || Array.isArray(b)) && isIntLike(a)) return repeat(b, a);
    unsupported('*', a, b);
  };

  R.div = function (a, b) {
    if (isNull(a) || isNull(b) || isZeroNumber(b)) return null;
    if (!isNumeric(a) || !isNumeric(b)) unsupported('/', a, b);
    return divDec(toDec(a), toDec(b));
  };

  R.floordiv = function (a, b) {
    if (isNull(a) || isNull(b) || isZeroNumber(b)) return null;
    if (!isNumeric(a) || !isNumeric(b)) unsupported('//', a, b);
    if (a instanceof Dec || b instanceof Dec) return divmodDec(toDec(a), toDec(b))[0];
    return floorDiv(toInt(a), toInt(b));
  };

  R.mod = function (a, b) {
    if (isNull(a) || isNull(b) || isZeroNumber(b)) return null;
    if (!isNumeric(a) || !isNumeric(b)) unsupported('%', a, b);
    if (a instanceof Dec || b instanceof Dec) {
      var r = divmodDec(toDec(a), toDec(b))[1];
      return fix(r.sign, r.coef, r.exp);
    }
    return floorMod(toInt(a), toInt(b));
  };

  R.pow = function (a, b) {
    if (isNull(a) || isNull(b)) return null;
    if (!isNumeric(b)) unsupported('**', a, b);
    if (numCompare(b instanceof Dec ? absDec(b) : babs(toInt(b)), BigInt(MAX_POWER)) > 0) {
      fail('exponent larger than ' + MAX_POWER);
    }
    var negative = numCompare(b, 0n) < 0;
    if (!isNumeric(a)) unsupported('**', a, b);
    if (negative && isZeroNumber(a)) return null; // zero to a negative power: a division by zero
    if (negative || b instanceof Dec) return powDec(toDec(a), toDec(b));
    if (a instanceof Dec) return powDec(a, toDec(b));
    var base = toInt(a);
    if (BigInt(babs(base).toString(2).length) * toInt(b) > BigInt(MAX_INT_BITS) && babs(base) > 1n) {
      fail('number too large'); // ((x ** 10) ** 10) ** 10 …: refused, not computed
    }
    return base ** toInt(b);
  };

  R.neg = function (a) {
    if (isNull(a)) return null;
    if (a instanceof Dec) return negDec(a);
    if (isIntLike(a)) return -toInt(a);
    fail("bad operand type for unary -: '" + typeName(a) + "'");
  };

  R.pos = function (a) {
    if (isNull(a)) return null;
    if (a instanceof Dec) return posDec(a);
    if (isIntLike(a)) return toInt(a);
    fail("bad operand type for unary +: '" + typeName(a) + "'");
  };

  // --- logic: Kleene three-valued, like SQL; and/or take the first value, then thunks

  R.truth = truth;

  R.not = function (a) {
    return isNull(a) ? null : !truth(a);
  };

  R.and = function (first) {
    var unknown = isNull(first);
    if (!unknown && !truth(first)) return false;
    for (var i = 1; i < arguments.length; i++) {
      var value = arguments[i]();
      if (!isNull(value) && !truth(value)) return false;
      unknown = unknown || isNull(value);
    }
    return unknown ? null : true;
  };

  R.or = function (first) {
    var unknown = isNull(first);
    if (truth(first)) return true;
    for (var i = 1; i < arguments.length; i++) {
      var value = arguments[i]();
      if (truth(value)) return true;
      unknown = unknown || isNull(value);
    }
    return unknown ? null : false;
  };

  // --- comparisons (null in, null out)

  R.eq = function (a, b) {
    return isNull(a) || isNull(b) ? null : pyEq(a, b);
  };

  R.ne = function (a, b) {
    return isNull(a) || isNull(b) ? null : !pyEq(a, b);
  };

  R.lt = function (a, b) {
    return isNull(a) || isNull(b) ? null : pyOrder(a, b, '<');
  };

  R.le = function (a, b) {
    return isNull(a) || isNull(b) ? null : pyOrder(a, b, '<=');
  };

  R.gt = function (a, b) {
    return isNull(a) || isNull(b) ? null : pyOrder(a, b, '>');
  };

  R.ge = function (a, b) {
    return isNull(a) || isNull(b) ? null : pyOrder(a, b, '>=');
  };

  function contains(container, item) {
    if (Array.isArray(container)) {
      for (var i = 0; i < container.length; i++) if (pyEq(container[i], item)) return true;
      return false;
    }
    if (typeof container === 'string') {
      if (typeof item !== 'string') fail("'in <string>' requires string as left operand, not " + typeName(item));
      return container.indexOf(item) >= 0;
    }
    if (container instanceof Map) return container.has(item);
    if (isPlainObject(container)) {
      if (Array.isArray(item) || isPlainObject(item)) fail("unhashable type: '" + typeName(item) + "'");
      return typeof item === 'string' && hasOwn(container, item);
    }
    fail("argument of type '" + typeName(container) + "' is not iterable");
  }

  R.in = function (a, b) {
    return isNull(a) || isNull(b) ? null : contains(b, a);
  };

  R.notIn = function (a, b) {
    return isNull(a) || isNull(b) ? null : !contains(b, a);
  };

  // ------------------------------------------------------------------ functions

  function present(values) {
    if (isNull(values)) return [];
    if (Array.isArray(values)) {
      return values.filter(function (v) {
        return !isNull(v) && v !== '';
      });
    }
    return [values];
  }

  function flatten(args) {
    var out = [];
    for (var i = 0; i < args.length; i++) out = out.concat(present(args[i]));
    return out;
  }

  function plainAdd(a, b) {
    // Python's a + b inside sum(): no null handling (nulls are skipped before)
    if (isNumeric(a) && isNumeric(b)) {
      if (a instanceof Dec || b instanceof Dec) return addDec(toDec(a), toDec(b));
      return toInt(a) + toInt(b);
    }
    unsupported('+', a, b);
  }

  function sumList(values) {
    var total = 0n;
    for (var i = 0; i < values.length; i++) total = plainAdd(total, values[i]);
    return total;
  }

  function requireDate(d) {
    if (!(d instanceof DateValue)) fail("'" + typeName(d) + "' is not a date");
    return d;
  }

  function isEmpty(v) {
    if (isNull(v) || v === '') return true;
    if (Array.isArray(v)) return v.length === 0;
    if (v instanceof Map) return v.size === 0;
    if (isPlainObject(v)) return Object.keys(v).length === 0;
    return false;
  }

  function gridOf(grid) {
    if (!truth(grid)) return {};
    if (grid instanceof Map) return Object.fromEntries(grid);
    if (!isPlainObject(grid)) fail("'" + typeName(grid) + "' is not a grid");
    return grid;
  }

  function gridRow(grid, row) {
    var r = R.get(gridOf(grid), pyStr(row));
    if (!truth(r)) return {};
    if (typeof r === 'string') {  // a question-matrix row: the chosen column
      var chosen = {};
      chosen[r] = true;
      return chosen;
    }
    if (r instanceof Map) return Object.fromEntries(r);
    if (!isPlainObject(r)) fail("'" + typeName(r) + "' object has no attribute 'values'");
    return r;
  }

  function values(obj) {
    return Object.keys(obj).map(function (k) {
      return obj[k];
    });
  }

  var DATE_TOKEN = /YYYY|YY|MM|DD/g;
  var NUMBER_PATTERN = /^0+(\.0+)?$/;

  function roundNumber(x, places) {
    var exp = isNull(places) || !truth(places) ? 0 : -smallInt(places);
    var d;
    if (typeof x === 'string') {
      d = parseDec(x);
      if (d === null) fail('[<class \'decimal.ConversionSyntax\'>]');
    } else if (isNumeric(x)) {
      d = toDec(x);
    } else {
      fail('conversion from ' + typeName(x) + ' to Decimal is not supported');
    }
    return quantize(d, exp, 'half_up');
  }

  var UPPER_DIGITS = '零壹贰叁肆伍陆柒捌玖';
  var AMOUNT_LIMIT = new Dec(0, 1n, 12);

  // The 大写 reading of an amount in 分 (see formengine.cn.rmb_upper).
  function rmbText(cents) {
    var yuan = cents / 100n;
    var frac = Number(cents % 100n);
    var jiao = Math.floor(frac / 10);
    var fen = frac % 10;
    var out = '';
    if (yuan > 0n) {
      var groups = yuan.toString().padStart(12, '0');
      var started = false;
      var pendingZero = false;
      var names = ['亿', '万', ''];
      var units = ['仟', '佰', '拾', ''];
      for (var g = 0; g < 3; g++) {
        var group = groups.slice(g * 4, g * 4 + 4);
        if (group === '0000') {
          pendingZero = pendingZero || started;
          continue;
        }
        if (started && (pendingZero || group[0] === '0')) out += '零';
        var part = '';
        var zero = false;
        for (var i = 0; i < 4; i++) {
          var digit = group[i];
          if (digit === '0') {
            zero = true;
            continue;
          }
          if (zero && part) part += '零';
          zero = false;
          part += UPPER_DIGITS[Number(digit)] + units[i];
        }
        out += part + names[g];
        started = true;
        pendingZero = false;
      }
      out += '元';
    }
    if (!jiao && !fen) return (out || '零元') + '整';
    if (jiao) out += UPPER_DIGITS[jiao] + '角';
    else if (yuan > 0n) out += '零';
    if (fen) out += UPPER_DIGITS[fen] + '分';
    return out;
  }

  function rmbUpper(amount) {
    if (typeof amount === 'boolean') fail('amount must be a number, got ' + pyStr(amount));
    var value;
    if (typeof amount === 'string') value = parseDec(amount);
    else if (isNumeric(amount)) value = toDec(amount);
    else value = null;
    if (value === null) fail('amount is not a number: ' + pyRepr(amount));
    if (cmpDec(absDec(value), AMOUNT_LIMIT) >= 0) fail('amount out of range (must be below 1e12)');
    var rounded = quantize(value, -2, 'half_up');
    if (cmpDec(absDec(rounded), AMOUNT_LIMIT) >= 0) fail('amount out of range (must be below 1e12)');
    var body = rmbText(rounded.coef);
    return rounded.sign && rounded.coef !== 0n ? '负' + body : body;
  }

  var PINYIN = null;

  R.setPinyinTable = function (table) {
    var map = Object.create(null);
    Object.keys(table).forEach(function (letter) {
      codePoints(String(table[letter])).forEach(function (ch) {
        map[ch] = letter;
      });
    });
    PINYIN = map;
  };

  function pinyinInitials(s) {
    if (PINYIN === null) fail('pinyin table not loaded: call R.setPinyinTable');
    var out = '';
    var chars = codePoints(s);
    for (var i = 0; i < chars.length; i++) {
      var ch = chars[i];
      if (ch.codePointAt(0) < 128) {
        if (/[A-Za-z0-9]/.test(ch)) out += ch.toUpperCase();
      } else {
        out += PINYIN[ch] || '';
      }
    }
    return out;
  }

  function datePart(name) {
    return function (d) {
      if (isNull(d)) return null;
      if (typeof d === 'string') {
        var parts = d.split('-');
        if (parts.length !== 2) fail('expected a year-month such as 2026-01, got ' + reprText(d));
        return pyInt(name === 'year' ? parts[0] : parts[1]);
      }
      if (d instanceof DateValue) return BigInt(name === 'year' ? d.y : name === 'month' ? d.m : d.d);
      fail("'" + typeName(d) + "' object has no attribute '" + name + "'");
    };
  }

  function pairs(a, b) {
    var xs = isNull(a) ? [] : a;
    var ys = isNull(b) ? [] : b;
    var out = [];
    for (var i = 0; i < Math.min(xs.length, ys.length); i++) {
      var x = xs[i];
      var y = ys[i];
      if (!isNull(x) && !isNull(y) && x !== '' && y !== '') out.push([x, y]);
    }
    return out;
  }

  function ordered(vals, descending) {
    var items = present(vals);
    for (var i = 1; i < items.length; i++) {
      if (descending ? !pyOrder(items[i], items[i - 1], '<=') : !pyOrder(items[i - 1], items[i], '<=')) return false;
    }
    return true;
  }

  function yearMonthOf(d) {
    if (typeof d === 'string') {
      var parts = d.split('-');
      if (parts.length !== 2) fail('expected a year-month such as 2026-01, got ' + reprText(d));
      return [Number(pyInt(parts[0])), Number(pyInt(parts[1]))];
    }
    if (d instanceof DateValue) return [d.y, d.m];
    fail("'" + typeName(d) + "' is not a date or year-month");
  }

  function pick(values, better) {
    if (values.length === 0) return null;
    var best = values[0];
    for (var i = 1; i < values.length; i++) if (better(values[i], best)) best = values[i];
    return best;
  }

  var WEEKDAYS_ZH = '一二三四五六日';

  function weekdayIndex(d) {
    // Python date.weekday(): Monday is 0
    return (toOrdinal(requireDate(d)) + 6) % 7;
  }

  R.fn = {
    sum: function () {
      return sumList(flatten(arguments));
    },
    count: function (x) {
      return BigInt(present(x).length);
    },
    min: function () {
      return pick(flatten(arguments), function (a, b) {
        return pyOrder(a, b, '<');
      });
    },
    max: function () {
      return pick(flatten(arguments), function (a, b) {
        return pyOrder(a, b, '>');
      });
    },
    round: function (x, places) {
      return isNull(x) ? null : roundNumber(x, places);
    },
    abs: function (x) {
      if (isNull(x)) return null;
      if (x instanceof Dec) return absDec(x);
      if (isIntLike(x)) return babs(toInt(x));
      fail("bad operand type for abs(): '" + typeName(x) + "'");
    },
    len: function (x) {
      if (isNull(x)) return null;
      if (typeof x === 'string') return BigInt(textLength(x));
      if (Array.isArray(x)) return BigInt(x.length);
      if (x instanceof Map) return BigInt(x.size);
      if (isPlainObject(x)) return BigInt(Object.keys(x).length);
      fail("object of type '" + typeName(x) + "' has no len()");
    },
    today: function () {
      var now = new Date();
      return new DateValue(now.getFullYear(), now.getMonth() + 1, now.getDate());
    },
    weekday: function (d) {
      return isNull(d) ? null : BigInt(weekdayIndex(d) + 1);
    },
    weekday_zh: function (d) {
      return isNull(d) ? null : '星期' + WEEKDAYS_ZH[weekdayIndex(d)];
    },
    days_between: function (a, b) {
      if (isNull(a) || isNull(b)) return null;
      return BigInt(toOrdinal(requireDate(b)) - toOrdinal(requireDate(a)));
    },
    add_days: function (d, n) {
      if (isNull(d) || isNull(n)) return null;
      var days = pyInt(n);
      requireDate(d);
      if (days > 4000000n || days < -4000000n) fail('date value out of range');
      return fromOrdinal(toOrdinal(d) + Number(days));
    },
    add_months: function (d, n) {
      if (isNull(d) || isNull(n)) return null;
      requireDate(d);
      var months = pyInt(n);
      if (months > 200000n || months < -200000n) fail('year is out of range');
      var index = d.y * 12 + d.m - 1 + Number(months);
      var year = Math.floor(index / 12);
      var month = index - year * 12 + 1;
      if (year < 1 || year > 9999) fail('year ' + year + ' is out of range');
      return new DateValue(year, month, Math.min(d.d, daysInMonth(year, month)));
    },
    year: datePart('year'),
    month: datePart('month'),
    day: datePart('day'),
    rmb_upper: function (x) {
      return isNull(x) ? null : rmbUpper(x);
    },
    pinyin_initials: function (s) {
      return isNull(s) ? null : pinyinInitials(pyStr(s));
    },
    concat: function () {
      // refused as soon as the parts pass MAX_TEXT characters, before they are joined
      var parts = [];
      var size = 0;
      for (var i = 0; i < arguments.length; i++) {
        var part = text(arguments[i]);
        size += textLength(part);
        if (size > MAX_TEXT) fail('text too long');
        parts.push(part);
      }
      return parts.join('');
    },
    format: function (value, pattern) {
      if (isNull(value) || isNull(pattern)) return null;
      pattern = pyStr(pattern);
      if (value instanceof DateValue) {
        var parts = {
          YYYY: String(value.y).padStart(4, '0'),
          YY: String(value.y % 100).padStart(2, '0'),
          MM: String(value.m).padStart(2, '0'),
          DD: String(value.d).padStart(2, '0'),
        };
        return checkText(pattern.replace(DATE_TOKEN, function (token) {
          return parts[token];
        }));
      }
      if ((typeof value === 'bigint' || value instanceof Dec) && NUMBER_PATTERN.test(pattern)) {
        var dot = pattern.indexOf('.');
        var whole = dot < 0 ? pattern : pattern.slice(0, dot);
        var frac = dot < 0 ? '' : pattern.slice(dot + 1);
        var rounded = roundNumber(value, BigInt(frac.length));
        var sign = rounded.sign && rounded.coef !== 0n ? '-' : '';
        var digits = fixedString(absDec(rounded));
        var point = digits.indexOf('.');
        var head = point < 0 ? digits : digits.slice(0, point);
        var tail = point < 0 ? '' : digits.slice(point + 1);
        return checkText(sign + head.padStart(whole.length, '0') + (frac ? '.' + tail : ''));
      }
      return checkText(text(value));
    },
    upper: function (s) {
      return isNull(s) ? null : checkText(pyStr(s).toUpperCase());
    },
    left: function (s, n) {
      if (isNull(s) || isNull(n)) return null;
      return codePoints(pyStr(s)).slice(0, smallInt(n)).join('');
    },
    empty: function (v) {
      return isEmpty(v);
    },
    filled: function (v) {
      return !isEmpty(v);
    },
    coalesce: function () {
      for (var i = 0; i < arguments.length; i++) if (!isEmpty(arguments[i])) return arguments[i];
      return null;
    },
    sumproduct: function (a, b) {
      return sumList(pairs(a, b).map(function (p) {
        return R.mul(p[0], p[1]);
      }));
    },
    sum_if: function (vals, keys, key) {
      return sumList(pairs(vals, keys).filter(function (p) {
        return R.eq(p[1], key) === true;
      }).map(function (p) {
        return p[0];
      }));
    },
    ascending: function (vals) {
      return ordered(vals, false);
    },
    descending: function (vals) {
      return ordered(vals, true);
    },
    days_in_month: function (d) {
      if (isNull(d)) return null;
      var ym = yearMonthOf(d);
      return BigInt(daysInMonth(ym[0], ym[1]));
    },
    date_of: function (ym, day) {
      if (isNull(ym) || isNull(day)) return null;
      var parts = yearMonthOf(ym);
      var n = pyInt(day);
      if (n < 1n || n > BigInt(daysInMonth(parts[0], parts[1]))) return null;
      return new DateValue(parts[0], parts[1], Number(n));
    },
    row_total: function (grid, row) {
      return sumList(present(values(gridRow(grid, row))));
    },
    column_total: function (grid, column) {
      var key = pyStr(column);
      var g = gridOf(grid);
      var cells = [];
      values(g).forEach(function (r) {
        if (r instanceof Map) cells.push(r.has(key) ? r.get(key) : null);
        else if (isPlainObject(r)) cells.push(R.get(r, key));
        else if (typeof r === 'string') cells.push(r === key ? true : null);
      });
      return sumList(present(cells));
    },
    grid_total: function (grid) {
      var cells = [];
      values(gridOf(grid)).forEach(function (r) {
        if (r instanceof Map) r.forEach(function (v) {
          cells.push(v);
        });
        else if (isPlainObject(r)) cells = cells.concat(values(r));
        else if (typeof r === 'string') cells.push(true);
      });
      return sumList(present(cells));
    },
    cell: function (grid, row, column) {
      return R.get(gridRow(grid, row), pyStr(column));
    },
    row_number: function (ctx) {
      if (isNull(ctx) || isNull(R.get(ctx, 'index'))) fail('row_number() outside a table row');
      var index = R.get(ctx, 'index');
      return pyInt(typeof index === 'number' ? BigInt(index) : index) + 1n;
    },
    level: function (ctx) {
      if (isNull(ctx) || !Array.isArray(ctx.outline)) fail('level() outside a tree node');
      return BigInt(ctx.outline.length);
    },
    outline: function (ctx) {
      if (isNull(ctx) || !Array.isArray(ctx.outline)) fail('outline() outside a tree node');
      return ctx.outline.map(function (i) {
        return String(BigInt(i) + 1n);
      }).join('.');
    },
  };

  global.FormEngineRuntime = R;
  if (typeof module !== 'undefined' && module.exports) module.exports = R;
})(typeof globalThis !== 'undefined' ? globalThis : this);
