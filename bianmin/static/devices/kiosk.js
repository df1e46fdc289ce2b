/* The self-service kiosk's shell (templates/kiosk/base.html): voice prompt, on-screen numeric
 * keypad, high-contrast and large-font modes, "call a guide" with the kiosk's number, and the
 * idle reset that returns to the start screen and clears every personal datum the page holds
 * (DOM, sessionStorage, localStorage except this kiosk's own settings). */
(function () {
  "use strict";
  var screen = document.getElementById("kiosk-screen");
  if (!screen) { return; }
  var KEEP = ["bianmin.kiosk.number", "bianmin.idReader"];  // device settings, not personal
  var home = screen.getAttribute("data-kiosk-home");
  var idleSeconds = Math.min(60, Math.max(30, parseInt(screen.getAttribute("data-idle-seconds"), 10) || 45));

  function store(kind) { try { return window[kind]; } catch (e) { return null; } }

  // --- the kiosk's number (launch URL ?k=3), for "call a guide" ---------------------------------
  var params = new URLSearchParams(location.search);
  var local = store("localStorage");
  var session = store("sessionStorage");
  if (params.get("k") && local) { local.setItem("bianmin.kiosk.number", params.get("k").slice(0, 8)); }
  var number = (local && local.getItem("bianmin.kiosk.number")) || "1";
  Array.prototype.forEach.call(document.querySelectorAll("[data-kiosk-number]"), function (el) { el.value = number; });

  // --- voice ---------------------------------------------------------------------------------
  // Without a Mandarin browser voice the server's WAV of the screen's prompt plays instead
  // (the start screen's, or the tile's that opened this page).
  function hasZhVoice() {
    if (!window.speechSynthesis || !window.SpeechSynthesisUtterance) { return false; }
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) { if (/^zh/i.test(voices[i].lang)) { return true; } }
    return false;
  }
  function playServerPrompt() {
    var key = screen.getAttribute("data-voice-key") || (session && session.getItem("bianmin.kiosk.tile"));
    var template = screen.getAttribute("data-voice-audio");
    if (!key || !template) { return; }
    var audio = new Audio(template.replace("KEY", encodeURIComponent(key)));
    audio.play().catch(function () { /* autoplay blocked: see docs */ });
  }
  function speak(text) {
    if (!text) { return; }
    if (!hasZhVoice()) { playServerPrompt(); return; }
    try {
      window.speechSynthesis.cancel();
      var u = new SpeechSynthesisUtterance(text);
      u.lang = "zh-CN";
      var voices = window.speechSynthesis.getVoices() || [];
      for (var i = 0; i < voices.length; i++) {
        if (/^zh/i.test(voices[i].lang)) { try { u.voice = voices[i]; } catch (e) { /* lang is enough */ } break; }
      }
      window.speechSynthesis.speak(u);
    } catch (e) { /* a kiosk without speech still works */ }
  }
  function prompt() { return screen.getAttribute("data-voice") || ""; }
  speak(prompt());
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-kiosk-speak]")) { speak(prompt()); }
    var tile = e.target.closest("[data-tile]");
    if (tile && session) { session.setItem("bianmin.kiosk.tile", tile.getAttribute("data-tile")); }
  });
  document.body.addEventListener("htmx:afterSwap", function (e) {
    var voiced = e.detail && e.detail.target && e.detail.target.querySelector && e.detail.target.querySelector("[data-voice]");
    if (voiced) { speak(voiced.getAttribute("data-voice")); }
  });

  // --- high contrast and large font (for this citizen: cleared with the idle reset) -----------
  function applyModes() {
    ["contrast", "large"].forEach(function (mode) {
      var on = !!(session && session.getItem("bianmin.kiosk.mode." + mode));
      document.body.classList.toggle("kiosk-" + mode, on);
      var b = document.querySelector('[data-kiosk-mode="' + mode + '"]');
      if (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); }
    });
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-kiosk-mode]");
    if (!b || !session) { return; }
    var key = "bianmin.kiosk.mode." + b.getAttribute("data-kiosk-mode");
    if (session.getItem(key)) { session.removeItem(key); } else { session.setItem(key, "1"); }
    applyModes();
  });
  applyModes();

  // --- the on-screen numeric keypad (touch only: no system keyboard) ---------------------------
  var pad = document.getElementById("kiosk-keypad");
  var target = null;
  function showPad(input) {
    target = input;
    pad.hidden = false;
    pad.querySelector("[data-keypad-display]").textContent = input.getAttribute("aria-label") || input.name;
    var kind = input.getAttribute("data-keypad");
    pad.querySelector(".kiosk-key-x").hidden = kind !== "id";
    pad.querySelector(".kiosk-keypad-letters").hidden = kind !== "plate";
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-keypad]"), function (el) {
    el.setAttribute("inputmode", "none");
    el.setAttribute("autocomplete", "off");
  });
  document.addEventListener("focusin", function (e) {
    if (e.target.matches && e.target.matches("input[data-keypad]")) { showPad(e.target); }
  });
  pad.addEventListener("click", function (e) {
    var key = e.target.closest("[data-key]");
    if (!key || !target) { return; }
    var k = key.getAttribute("data-key");
    var max = parseInt(target.getAttribute("maxlength"), 10) || 32;
    if (k === "back") { target.value = target.value.slice(0, -1); }
    else if (k === "clear") { target.value = ""; }
    else if (k === "done") { pad.hidden = true; target.dispatchEvent(new Event("change", { bubbles: true })); target = null; return; }
    else if (target.value.length < max) { target.value += k; }
    target.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // --- a card read on a kiosk form that looks something up submits it at once ---------------
  document.addEventListener("bianmin:card", function (e) {
    var form = e.target && e.target.closest && e.target.closest("[data-kiosk-card-submit]");
    if (form) { form.submit(); }
  });

  // --- idle reset ---------------------------------------------------------------------------
  var warning = document.getElementById("kiosk-idle-warning");
  var warnTimer = null, resetTimer = null;
  function clearPersonal() {
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (f) { f.reset(); });
    Array.prototype.forEach.call(document.querySelectorAll("input, textarea"), function (el) {
      if (el.type !== "hidden" || el.name !== "csrfmiddlewaretoken") { el.value = ""; }
    });
    screen.innerHTML = "";
    var result = document.getElementById("kiosk-call-result");
    if (result) { result.textContent = ""; }
    if (session) { session.clear(); }
    if (local) {
      for (var i = local.length - 1; i >= 0; i--) {
        var key = local.key(i);
        if (KEEP.indexOf(key) < 0) { local.removeItem(key); }
      }
    }
    if (window.speechSynthesis) { try { window.speechSynthesis.cancel(); } catch (e) { /* ignore */ } }
  }
  function reset() {
    clearPersonal();
    document.body.classList.add("kiosk-resetting");
    location.replace(home);
  }
  function arm() {
    clearTimeout(warnTimer); clearTimeout(resetTimer);
    if (warning) { warning.hidden = true; }
    warnTimer = setTimeout(function () { if (warning) { warning.hidden = false; if (hasZhVoice()) { speak("长时间无操作，即将返回首页"); } } }, (idleSeconds - 10) * 1000);
    resetTimer = setTimeout(reset, idleSeconds * 1000);
  }
  ["pointerdown", "touchstart", "keydown", "input", "click"].forEach(function (ev) {
    document.addEventListener(ev, arm, true);
  });
  arm();
  window.addEventListener("pagehide", function () { if (session) { session.removeItem("bianmin.kiosk.card"); } });

  window.BianminKiosk = { speak: speak, reset: reset, clearPersonal: clearPersonal, idleSeconds: idleSeconds };
})();
