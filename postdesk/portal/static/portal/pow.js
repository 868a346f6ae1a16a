/* The filing form's proof of work (postdesk/portal/challenge.py): find a solution such
   that SHA-256(challenge + ":" + solution) starts with `bits` zero bits, while the person
   types. crypto.subtle where the page is a secure context (https, localhost); the small
   SHA-256 below where it is not (plain-http intranet pages have no crypto.subtle). */
(function () {
  "use strict";

  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];

  function ror(x, n) { return (x >>> n) | (x << (32 - n)); }

  function sha256(msg) {  // Uint8Array -> Uint8Array(32), FIPS 180-4
    var len = msg.length, blocks = Math.ceil((len + 9) / 64), buf = new Uint8Array(blocks * 64);
    buf.set(msg);
    buf[len] = 0x80;
    var dv = new DataView(buf.buffer);
    dv.setUint32(buf.length - 4, (len * 8) >>> 0);
    dv.setUint32(buf.length - 8, Math.floor(len / 0x20000000));
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64), i;
    for (var off = 0; off < buf.length; off += 64) {
      for (i = 0; i < 16; i++) w[i] = dv.getUint32(off + i * 4);
      for (i = 16; i < 64; i++) {
        var x = w[i - 15], y = w[i - 2];
        w[i] = (w[i - 16] + (ror(x, 7) ^ ror(x, 18) ^ (x >>> 3)) + w[i - 7] +
                (ror(y, 17) ^ ror(y, 19) ^ (y >>> 10))) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (i = 0; i < 64; i++) {
        var t1 = (k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    var out = new Uint8Array(32), odv = new DataView(out.buffer);
    for (i = 0; i < 8; i++) odv.setUint32(i * 4, h[i] >>> 0);
    return out;
  }

  function zeroBits(bytes) {
    var count = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { count += 8; continue; }
      for (var bit = 7; bit >= 0 && !(bytes[i] & (1 << bit)); bit--) count++;
      break;
    }
    return count;
  }

  var subtle = window.isSecureContext && window.crypto && window.crypto.subtle;
  var encoder = new TextEncoder();

  function digest(text) {
    var data = encoder.encode(text);
    if (subtle) return subtle.digest("SHA-256", data).then(function (b) { return new Uint8Array(b); });
    return Promise.resolve(sha256(data));
  }

  function solve(token, bits) {
    var n = 0;
    function next() {
      var chunk = [];
      for (var j = 0; j < 256; j++) chunk.push(digest(token + ":" + (n + j)));
      return Promise.all(chunk).then(function (hashes) {
        for (var j = 0; j < hashes.length; j++) {
          if (zeroBits(hashes[j]) >= bits) return String(n + j);
        }
        n += hashes.length;
        return new Promise(function (resolve) { setTimeout(resolve, 0); }).then(next);
      });
    }
    return next();
  }

  window.postdeskPow = { sha256: sha256, zeroBits: zeroBits, solve: solve };

  var form = document.querySelector("form[data-pow]");
  if (!form) return;
  var token = form.querySelector("input[name=challenge]");
  var answer = form.querySelector("input[name=solution]");
  var status = form.querySelector("[data-pow-status]");
  var button = form.querySelector("button[type=submit]");
  var solved = false, waiting = false, sent = false;

  function say(text) { if (status && text) status.textContent = text; }

  solve(token.value, parseInt(token.dataset.bits, 10) || 0).then(function (solution) {
    answer.value = solution;
    solved = true;
    form.dataset.powReady = "1";
    say(status && status.dataset.ready);
    if (waiting) {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  });

  form.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); return; }
    if (!solved) {
      event.preventDefault();
      if (form.checkValidity && !form.checkValidity()) return;
      waiting = true;
      say(status && status.dataset.wait);
      return;
    }
    sent = true;
    if (button) button.disabled = true;
  });
})();
