// A minimal XLSX (Office Open XML spreadsheet) writer and reader, written here
// rather than vendored: the planner needs text and number cells only, and the
// site must make no external request. The writer stores the zip entries
// uncompressed; the reader also inflates entries that Excel or LibreOffice
// compressed, with the browser's own DecompressionStream.
(function (root) {
  "use strict";

  // Text that a spreadsheet would run as a formula is prefixed with an apostrophe.
  function neutralise(text) {
    const s = String(text);
    return /^[=+\-@\t\r]/.test(s) ? "'" + s : s;
  }

  const CRC_TABLE = (() => {
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
    return t;
  })();

  function crc32(bytes) {
    let c = 0xffffffff;
    for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }

  function zip(files) {
    const enc = new TextEncoder();
    const parts = [], central = [];
    let offset = 0;
    for (const [name, text] of files) {
      const nameBytes = enc.encode(name), data = enc.encode(text), crc = crc32(data);
      const local = new DataView(new ArrayBuffer(30));
      local.setUint32(0, 0x04034b50, true); local.setUint16(4, 20, true); local.setUint16(6, 0x0800, true);
      local.setUint32(14, crc, true); local.setUint32(18, data.length, true); local.setUint32(22, data.length, true);
      local.setUint16(26, nameBytes.length, true);
      const cd = new DataView(new ArrayBuffer(46));
      cd.setUint32(0, 0x02014b50, true); cd.setUint16(4, 20, true); cd.setUint16(6, 20, true); cd.setUint16(8, 0x0800, true);
      cd.setUint32(16, crc, true); cd.setUint32(20, data.length, true); cd.setUint32(24, data.length, true);
      cd.setUint16(28, nameBytes.length, true); cd.setUint32(42, offset, true);
      parts.push(new Uint8Array(local.buffer), nameBytes, data);
      central.push(new Uint8Array(cd.buffer), nameBytes);
      offset += 30 + nameBytes.length + data.length;
    }
    const size = central.reduce((n, p) => n + p.length, 0);
    const end = new DataView(new ArrayBuffer(22));
    end.setUint32(0, 0x06054b50, true); end.setUint16(8, files.length, true); end.setUint16(10, files.length, true);
    end.setUint32(12, size, true); end.setUint32(16, offset, true);
    return new Blob([...parts, ...central, new Uint8Array(end.buffer)],
                    {type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"});
  }

  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

  function colName(i) {
    let s = "";
    for (i += 1; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
    return s;
  }

  function sheetXml(rows) {
    const body = rows.map((row, r) => `<row r="${r + 1}">` + row.map((v, c) => {
      const ref = colName(c) + (r + 1);
      if (v === null || v === undefined || v === "") return "";
      if (typeof v === "number" && isFinite(v)) return `<c r="${ref}"><v>${v}</v></c>`;
      return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${esc(neutralise(v))}</t></is></c>`;
    }).join("") + "</row>").join("");
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + body + "</sheetData></worksheet>";
  }

  // sheets: [{name, rows: [[text or number, ...], ...]}]
  function writeXlsx(sheets) {
    const ns = "http://schemas.openxmlformats.org/";
    const files = [
      ["[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="' + ns + 'package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        sheets.map((s, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join("") +
        "</Types>"],
      ["_rels/.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="' + ns + 'package/2006/relationships">' +
        '<Relationship Id="rId1" Type="' + ns + 'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'],
      ["xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="' + ns + 'spreadsheetml/2006/main" xmlns:r="' + ns + 'officeDocument/2006/relationships"><sheets>' +
        sheets.map((s, i) => `<sheet name="${esc(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("") + "</sheets></workbook>"],
      ["xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="' + ns + 'package/2006/relationships">' +
        sheets.map((s, i) => `<Relationship Id="rId${i + 1}" Type="${ns}officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join("") +
        "</Relationships>"],
    ];
    sheets.forEach((s, i) => files.push([`xl/worksheets/sheet${i + 1}.xml`, sheetXml(s.rows)]));
    return zip(files);
  }

  async function unzip(buffer) {
    const view = new DataView(buffer), bytes = new Uint8Array(buffer), dec = new TextDecoder();
    let end = -1;
    for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
      if (view.getUint32(i, true) === 0x06054b50) { end = i; break; }
    }
    if (end < 0) throw new Error("not a zip file");
    const count = view.getUint16(end + 10, true);
    let p = view.getUint32(end + 16, true);
    const out = {};
    for (let n = 0; n < count; n++) {
      if (view.getUint32(p, true) !== 0x02014b50) throw new Error("damaged zip directory");
      const method = view.getUint16(p + 10, true), size = view.getUint32(p + 20, true);
      const nameLen = view.getUint16(p + 28, true), extra = view.getUint16(p + 30, true), comment = view.getUint16(p + 32, true);
      const local = view.getUint32(p + 42, true);
      const name = dec.decode(bytes.subarray(p + 46, p + 46 + nameLen));
      const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      const data = bytes.subarray(start, start + size);
      if (method === 0) out[name] = dec.decode(data);
      else if (method === 8) out[name] = await new Response(new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw"))).text();
      p += 46 + nameLen + extra + comment;
    }
    return out;
  }

  // [{name, rows}] with cells as text or numbers; shared strings are resolved.
  async function readXlsx(buffer) {
    const files = await unzip(buffer);
    const parse = (s) => new DOMParser().parseFromString(s, "application/xml");
    if (!files["xl/workbook.xml"]) throw new Error("not a spreadsheet");
    const shared = files["xl/sharedStrings.xml"] ?
      [...parse(files["xl/sharedStrings.xml"]).getElementsByTagName("si")].map((si) => [...si.getElementsByTagName("t")].map((t) => t.textContent).join("")) : [];
    const rels = parse(files["xl/_rels/workbook.xml.rels"] || "<r/>");
    const target = {};
    for (const r of rels.getElementsByTagName("Relationship")) target[r.getAttribute("Id")] = r.getAttribute("Target");
    const sheets = [];
    for (const s of parse(files["xl/workbook.xml"]).getElementsByTagName("sheet")) {
      const id = s.getAttribute("r:id") || s.getAttributeNS("http://schemas.openxmlformats.org/officeDocument/2006/relationships", "id");
      const path = "xl/" + String(target[id] || "").replace(/^\/?xl\//, "");
      const xml = files[path];
      const rows = [];
      if (xml) for (const row of parse(xml).getElementsByTagName("row")) {
        const cells = [];
        for (const c of row.getElementsByTagName("c")) {
          const ref = c.getAttribute("r") || "";
          const letters = ref.replace(/[0-9]/g, "");
          let col = cells.length;
          if (letters) { col = 0; for (const ch of letters) col = col * 26 + ch.charCodeAt(0) - 64; col -= 1; }
          const type = c.getAttribute("t"), v = c.getElementsByTagName("v")[0];
          let value = null;
          if (type === "inlineStr") value = [...c.getElementsByTagName("t")].map((t) => t.textContent).join("");
          else if (type === "s" && v) value = shared[Number(v.textContent)];
          else if (type === "str" && v) value = v.textContent;
          else if (v) value = Number(v.textContent);
          cells[col] = value;
        }
        rows[Number(row.getAttribute("r") || rows.length + 1) - 1] = cells;
      }
      sheets.push({name: s.getAttribute("name"), rows: Array.from(rows, (r) => r || [])});
    }
    return sheets;
  }

  function csv(rows) {
    const cell = (v) => {
      if (v === null || v === undefined) return "";
      const s = typeof v === "number" ? String(v) : neutralise(v);
      return /[",\n\r;]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    };
    // A byte-order mark so that Excel reads the Vietnamese text as UTF-8.
    return new Blob(["\ufeff" + rows.map((r) => r.map(cell).join(",")).join("\r\n")], {type: "text/csv;charset=utf-8"});
  }

  function download(blob, name) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  root.cpkbXlsx = {writeXlsx, readXlsx, csv, download, neutralise};
})(typeof window !== "undefined" ? window : globalThis);
