// The badge check page: verifies the signed code in the address's fragment (https://HOST/PATH#CODE) in the browser,
// with WebCrypto Ed25519, against the center keys of the signed keys file shipped beside the page, and checks the
// signed revocation list. Nothing is sent anywhere: the fragment never leaves the phone, and the only requests are
// for this page's own files. The code's format is described in training/include/training/badge_code.hpp.
'use strict';

(() => {
  const byId = (id) => document.getElementById(id);
  const encoder = new TextEncoder();
  const utf8 = new TextDecoder('utf-8', { fatal: true });

  // ---- the code

  /** Digits for a last group of 0..6 bytes; a full group of 7 bytes is 17 digits. */
  const GROUP_DIGITS = [0, 3, 5, 8, 10, 13, 15];

  /** The bytes of a version-2 code, or null when the digits are not what the issuing program writes. */
  function digitsToBytes(digits) {
    if (!/^[0-9]+$/.test(digits)) return null;
    const rest = digits.length % 17;
    const lastBytes = GROUP_DIGITS.indexOf(rest);
    if (lastBytes < 0) return null;
    const out = [];
    for (let i = 0; i < digits.length;) {
      const len = digits.length - i >= 17 ? 17 : rest;
      const n = len === 17 ? 7 : lastBytes;
      const value = BigInt(digits.slice(i, i + len));
      if (value >> BigInt(8 * n)) return null;
      for (let k = n - 1; k >= 0; --k) out.push(Number((value >> BigInt(8 * k)) & 0xFFn));
      i += len;
    }
    return new Uint8Array(out);
  }

  function dayToDate(days) {
    return new Date(days * 86400000).toISOString().slice(0, 10);
  }

  /** The fields, the signed bytes and the signature of a version-2 code; null when it is not one. */
  function parseCode(bytes) {
    if (!bytes || bytes.length < 1 + 64) return null;
    const record = bytes.subarray(0, bytes.length - 64);
    const signature = bytes.subarray(bytes.length - 64);
    let pos = 0;
    const fail = () => { throw new RangeError('truncated'); };
    const byte = () => (pos < record.length ? record[pos++] : fail());
    const text = (n) => {
      if (pos + n > record.length) fail();
      const s = utf8.decode(record.subarray(pos, pos + n));
      pos += n;
      return s;
    };
    const str = () => text(byte());
    const u16 = () => (byte() << 8) | byte();
    try {
      if (byte() !== 2) return null;
      const center = str();
      let number;
      const numberByte = byte();
      if (numberByte === 0xFF) {
        const year = u16();
        const seq = (u16() << 8) | byte();
        number = `${center}-${String(year).padStart(4, '0')}-${String(seq).padStart(6, '0')}`;
      } else if (numberByte < 0x80) {
        number = text(numberByte);
      } else {
        return null;
      }
      const name = str();
      let masked;
      const maskedByte = byte();
      if (maskedByte & 0x80) {
        const head = str();
        const tail = str();
        masked = head + '*'.repeat(maskedByte & 0x7F) + tail;
      } else {
        masked = text(maskedByte);
      }
      const course = str();
      const agency = u16();
      const issued = dayToDate(u16());
      const expires = dayToDate(u16());
      if (pos !== record.length) return null;
      const signed = new Uint8Array(5 + record.length);
      signed.set(encoder.encode('HSB2:'));
      signed.set(record, 5);
      return { center, number, name, masked, course, agency, issued, expires, signed, signature };
    } catch (e) {
      return null;
    }
  }

  // ---- keys and signed files

  function base64UrlDecode(text) {
    let s = String(text).replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) s += '=';
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; ++i) out[i] = bin.charCodeAt(i);
    return out;
  }

  function importKey(base64url) {
    return crypto.subtle.importKey('raw', base64UrlDecode(base64url), { name: 'Ed25519' }, false, ['verify']);
  }

  function verifySignature(key, signature, bytes) {
    return crypto.subtle.verify({ name: 'Ed25519' }, key, signature, bytes);
  }

  /** A signed file of this page ({signed, signature}), checked with the anchor key; its parsed body. */
  async function openSigned(file, anchor, format, fresh) {
    const response = await fetch(file, { cache: fresh ? 'no-cache' : 'default', credentials: 'omit' });
    if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
    const envelope = await response.json();
    if (typeof envelope.signed !== 'string' || typeof envelope.signature !== 'string') throw new Error(`${file}: not signed`);
    const ok = await verifySignature(anchor.key, base64UrlDecode(envelope.signature), encoder.encode(envelope.signed));
    if (!ok) throw new Error(`${file}: the signature does not match`);
    const body = JSON.parse(envelope.signed);
    if (body.format !== format || body.version !== 1 || body.center !== anchor.center) throw new Error(`${file}: unexpected content`);
    return body;
  }

  // ---- the page

  function localToday() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  function show(verdict, zh, en, detail) {
    const box = byId('verdict');
    box.dataset.verdict = verdict;
    byId('verdict-zh').textContent = zh;
    byId('verdict-en').textContent = en;
    byId('verdict-detail').textContent = detail || '';
  }

  function showFields(code, keys) {
    const own = keys && code.center === keys.center;
    const agencyName = own && code.agency ? (keys.agencies || {})[String(code.agency)] : undefined;
    const course = own ? (keys.courses || {})[code.course] : undefined;
    const centerKey = keys ? (keys.keys || []).find((k) => k.center === code.center) : undefined;
    byId('f-name').textContent = code.name;
    byId('f-id').textContent = code.masked;
    byId('f-agency').textContent = agencyName || (code.agency ? `${code.center} / ${code.agency}` : '—');
    byId('f-number').textContent = code.number;
    byId('f-validity').textContent = `${code.issued} — ${code.expires}`;
    byId('f-course').textContent = course ? `${course.zh}（${course.en}）` : code.course;
    byId('f-center').textContent = centerKey && centerKey.name ? `${centerKey.name}（${code.center}）` : code.center;
    byId('fields').hidden = false;
  }

  function showListAge(list, problem) {
    const line = byId('list-age');
    if (!list) {
      line.textContent = `无法读取注销名单，未能核对证书是否已被注销。 Could not read the revocation list: not checked for revocation.${problem ? ` (${problem})` : ''}`;
      return;
    }
    const issued = new Date(list.issued_at);
    const days = Math.max(0, Math.floor((Date.now() - issued.getTime()) / 86400000));
    const when = Number.isNaN(issued.getTime()) ? String(list.issued_at) : issued.toISOString().slice(0, 16).replace('T', ' ');
    line.textContent = `注销名单更新于 ${when} UTC（${days} 天前）。 Revocation list of ${when} UTC (${days} day${days === 1 ? '' : 's'} old).`;
  }

  async function check() {
    let digits;
    try {
      digits = decodeURIComponent(location.hash.replace(/^#/, '')).trim();
    } catch (e) {
      digits = '-';  // a broken %-escape: not a code
    }
    if (!digits) {
      show('', '请用手机扫描证件上的二维码。', 'Scan the QR code on the badge with your phone.', '');
      return;
    }
    const meta = document.querySelector('meta[name="badge-anchor"]');
    const [anchorCenter, anchorKey] = (meta ? meta.content : '').split(' ');
    if (!anchorCenter || !anchorKey || anchorCenter.startsWith('@')) {
      show('unknown-key', '本页未配置信任的培训中心，无法核验。', 'This page has no trusted center: it cannot check badges.',
        'Export it with: kioskctl web export --out DIR');
      return;
    }
    const anchor = { center: anchorCenter, key: await importKey(anchorKey) };

    const code = parseCode(digitsToBytes(digits));
    if (!code) {
      show('forged', '无效：二维码内容被篡改或伪造，请勿接受。', 'Not valid: the code was altered or forged. Do not accept it.', '');
      return;
    }
    let keys;
    try {
      keys = await openSigned('keys.json', anchor, 'badge-web-keys', false);
    } catch (e) {
      show('unknown-key', '无法核验：信任的培训中心名单无法读取或已被改动。', 'Cannot check: the list of trusted centers is missing or was altered.', String(e.message || e));
      return;
    }
    // Every key of the center the file lists (its current key and earlier ones kept for what they signed; revoked
    // keys are never in it): any of them verifies.
    const entries = (keys.keys || []).filter((k) => k.center === code.center);
    if (entries.length === 0) {
      show('unknown-key', `无法核验：发证中心 ${code.center} 不在本页信任的名单中。`,
        `Cannot check: center ${code.center} is not among the centers this page trusts.`, '');
      return;
    }
    let valid = false;
    for (const entry of entries) {
      if (await verifySignature(await importKey(entry.public_key), code.signature, code.signed)) {
        valid = true;
        break;
      }
    }
    if (!valid) {
      show('forged', '无效：二维码内容被篡改或伪造，请勿接受。', 'Not valid: the code was altered or forged. Do not accept it.', '');
      return;
    }
    let list;
    let problem;
    try {
      list = await openSigned('revocations.json', anchor, 'badge-web-revocations', true);
    } catch (e) {
      problem = String(e.message || e);
    }
    showListAge(list, problem);
    showFields(code, keys);
    byId('advice').hidden = false;
    const revoked = list ? (list.revoked || []).find((r) => r.center === code.center && r.number === code.number) : undefined;
    if (revoked) {
      show('revoked', '已注销：此证已被注销，持证人不得凭此证上门服务。', 'Revoked: this badge was cancelled; it does not allow home service.',
        `${revoked.reason}（${String(revoked.revoked_at).slice(0, 10)}）`);
      return;
    }
    if (localToday() > code.expires) {
      show('expired', `已过期：此证有效期至 ${code.expires}。`, `Expired: this badge was valid until ${code.expires}.`,
        '持证人须重新培训换证。 The holder must renew it.');
      return;
    }
    show('valid', '有效：证书由信任的培训中心签发。', 'Valid: issued by a trusted training center.',
      `有效期至 ${code.expires} · Valid until ${code.expires}`);
  }

  function start() {
    check().catch((e) => show('unknown-key', '无法核验：浏览器不支持所需的加密功能。',
      'Cannot check: this browser lacks the cryptography the page needs (Ed25519).', String(e.message || e)));
    if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js').catch(() => {});
  }

  window.addEventListener('hashchange', () => window.location.reload());
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
