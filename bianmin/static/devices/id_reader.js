/* The ID-card reader (二代证阅读器) of a window PC or kiosk, from the browser.
 *
 * One interface, `BianminIdReader.read()` → Promise of a card
 *   {name, gender: "male"|"female", nation, birthDate: "YYYY-MM-DD", address, idNumber,
 *    authority, validFrom, validTo ("" = 长期), photo (base64 JPEG, 102×126)}
 * with one adapter per local reader-service protocol (docs/readme/devices.md):
 *   cgi   — POST {url}/cgi-bin/readCard → {info: {...}, result: {resultFlag, errorMsg}}
 *   zkidr — GET  {url}/ZKIDROnline/ScanReadIdCardInfo?OP-DEV=1&CMD-URL=4&REPEAT=1&common=1
 *           → {ret, Certificate: {...}}
 * Which one: localStorage "bianmin.idReader" (this PC, e.g. "zkidr=http://127.0.0.1:24010"),
 * else the server's setting (BIANMIN_ID_READER, on `[data-id-reader-config]`), else "auto"
 * (each protocol at its default address in turn).
 *
 * Page glue: a button `[data-id-read]` fills its form: name, gender, id_type, id_number, and
 * the hidden `confirm_method` ("card") and `chip_photo` when the form has them; the status
 * goes to the form's `[data-id-read-status]`. Every read also fires `bianmin:card` on the form.
 */
(function () {
  "use strict";

  function ymd(text) {
    var t = String(text || "").replace(/[^0-9]/g, "");
    return t.length === 8 ? t.slice(0, 4) + "-" + t.slice(4, 6) + "-" + t.slice(6, 8) : "";
  }
  function gender(text) { return /女|^2$|^F/i.test(String(text || "")) ? "female" : "male"; }
  function fail(message) { var e = new Error(message); e.readerMessage = message; return e; }
  function timeoutFetch(url, options, ms) {
    var ctl = new AbortController();
    var timer = setTimeout(function () { ctl.abort(); }, ms || 8000);
    options = options || {};
    options.signal = ctl.signal;
    return fetch(url, options).finally(function () { clearTimeout(timer); });
  }

  var adapters = {
    cgi: {
      label: "cgi-bin/readCard",
      defaultUrl: "http://127.0.0.1:19196",
      read: function (base) {
        return timeoutFetch(base + "/cgi-bin/readCard", { method: "POST" })
          .then(function (r) { return r.json(); })
          .then(function (body) {
            var res = body.result || {};
            if (res.resultFlag !== 0) { throw fail(res.errorMsg || "读卡失败"); }
            var i = body.info || {};
            return {
              name: (i.name || "").trim(), gender: gender(i.sex), nation: i.nation || "",
              birthDate: ymd(i.birthday), address: i.address || "",
              idNumber: (i.idCode || "").trim().toUpperCase(), authority: i.department || "",
              validFrom: ymd(i.startDate), validTo: ymd(i.endDate), photo: i.Photo || ""
            };
          });
      }
    },
    zkidr: {
      label: "ZKIDROnline",
      defaultUrl: "http://127.0.0.1:24010",
      read: function (base) {
        var url = base + "/ZKIDROnline/ScanReadIdCardInfo?OP-DEV=1&CMD-URL=4&REPEAT=1&common=1&random=" + Date.now();
        return timeoutFetch(url, { method: "GET" })
          .then(function (r) { return r.json(); })
          .then(function (body) {
            if (body.ret !== 0) { throw fail(body.ErrorMsg || "读卡失败"); }
            var c = body.Certificate || {};
            return {
              name: (c.Name || "").trim(), gender: gender(c.Sex), nation: c.Nation || "",
              birthDate: ymd(c.Birthday), address: c.Address || "",
              idNumber: (c.IDNumber || "").trim().toUpperCase(), authority: c.IDIssued || "",
              validFrom: ymd(c.IssuedData), validTo: ymd(c.ValidDate), photo: c.Base64Photo || ""
            };
          });
      }
    }
  };

  function configured() {
    var text = "";
    try { text = window.localStorage.getItem("bianmin.idReader") || ""; } catch (e) { text = ""; }
    var holder = document.querySelector("[data-id-reader-config]");
    if (!text && holder) { text = holder.getAttribute("data-id-reader-config") || ""; }
    if (!text || text === "auto") {
      return Object.keys(adapters).map(function (k) { return { protocol: k, url: adapters[k].defaultUrl }; });
    }
    return text.split(",").map(function (part) {
      var bits = part.trim().split("=");
      var protocol = bits[0];
      return { protocol: protocol, url: (bits[1] || (adapters[protocol] || {}).defaultUrl || "").replace(/\/$/, "") };
    }).filter(function (c) { return adapters[c.protocol]; });
  }

  function read() {
    var choices = configured();
    var lastError = fail("未检测到身份证阅读器，请检查读卡器服务是否启动");
    function attempt(i) {
      if (i >= choices.length) { return Promise.reject(lastError); }
      var c = choices[i];
      return adapters[c.protocol].read(c.url).catch(function (err) {
        if (err && err.readerMessage) { throw err; }  // the service answered: no card etc.
        return attempt(i + 1);
      });
    }
    return attempt(0).then(function (card) {
      if (!/^\d{17}[\dX]$/.test(card.idNumber)) { throw fail("读到的证件号码不完整，请重新放卡"); }
      return card;
    });
  }

  function setField(form, name, value) {
    var fields = form.querySelectorAll('[name="' + name + '"]');
    Array.prototype.forEach.call(fields, function (el) {
      if (el.type === "radio" || el.type === "checkbox") { el.checked = el.value === value; }
      else { el.value = value; }
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function fill(form, card) {
    setField(form, "name", card.name);
    setField(form, "gender", card.gender);
    setField(form, "id_type", "resident_id");
    setField(form, "id_number", card.idNumber);
    setField(form, "confirm_method", "card");
    setField(form, "chip_photo", card.photo);
    var idInput = form.querySelector('[name="id_number"]');
    if (idInput) { idInput.dispatchEvent(new Event("input", { bubbles: true })); }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-id-read]");
    if (!button) { return; }
    event.preventDefault();
    var form = button.closest("form") || document;
    var status = form.querySelector("[data-id-read-status]");
    button.disabled = true;
    if (status) { status.textContent = "正在读卡…"; status.className = "muted"; }
    read().then(function (card) {
      if (form !== document) { fill(form, card); }
      if (status) { status.textContent = "已读卡：" + card.name; status.className = "badge ok"; }
      form.dispatchEvent(new CustomEvent("bianmin:card", { bubbles: true, detail: card }));
    }).catch(function (err) {
      if (status) { status.textContent = (err && err.readerMessage) || "读卡失败，请重试"; status.className = "badge alert"; }
    }).finally(function () { button.disabled = false; });
  });

  // The typed method: a hand edit of the ID number after a read is "typed", not "card".
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!el || el.name !== "id_number" || !event.isTrusted) { return; }
    var form = el.closest("form");
    var method = form && form.querySelector('[name="confirm_method"]');
    if (method && method.value === "card") { method.value = "typed"; }
    var ref = form.querySelector('[name="person_ref"]');
    if (ref && ref.value) { ref.value = ""; el.required = true; }
  });

  // The registry fill (cases' window panel): a chosen resident's signed reference, name and
  // gender go into the form; the number stays masked and is not typed.
  document.addEventListener("click", function (event) {
    var pick = event.target.closest && event.target.closest("[data-person-ref]");
    if (!pick) { return; }
    var form = document.getElementById("applicant-form");
    if (!form) { return; }
    setField(form, "person_ref", pick.getAttribute("data-person-ref"));
    setField(form, "name", pick.getAttribute("data-name"));
    setField(form, "gender", pick.getAttribute("data-gender"));
    setField(form, "id_type", "resident_id");
    var idInput = form.querySelector('[name="id_number"]');
    if (idInput) {
      idInput.value = "";
      idInput.required = false;
      idInput.placeholder = pick.getAttribute("data-id-masked") + "（人口信息）";
    }
    var status = form.querySelector("[data-id-read-status]");
    if (status) { status.textContent = "已从人口信息填写：" + pick.getAttribute("data-name"); status.className = "badge ok"; }
  });

  // The face check started from the pickup panel came back passed: pickup by face.
  document.addEventListener("htmx:afterSettle", function () {
    if (document.querySelector('#face-status input[name="face_check_id"]')) {
      var face = document.querySelector('#pickup-form input[name="method"][value="face"]');
      if (face) { face.checked = true; }
    }
  });

  window.BianminIdReader = { read: read, adapters: adapters, configured: configured };
})();
