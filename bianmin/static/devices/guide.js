/* The guide desk (导办台): after each ticket the form is emptied for the next citizen — no
 * items, ID number or phone of the previous one stay on the screen. */
(function () {
  "use strict";
  document.body.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail && e.detail.elt;
    if (!form || !e.detail.successful || !form.matches || !form.matches("#guide-form, [data-clear-after]")) { return; }
    if (!document.querySelector("#guide-result .hall-issued, [data-issued]")) { return; }
    var fresh = document.getElementById(form.id) || form;
    fresh.reset();
    Array.prototype.forEach.call(fresh.querySelectorAll('input[type="checkbox"]'), function (el) { el.checked = false; });
    Array.prototype.forEach.call(fresh.querySelectorAll('input[name="id_number"], input[name="phone"]'), function (el) { el.value = ""; });
    var checklist = document.getElementById("checklist-form");
    if (checklist) { checklist.reset(); }
    var region = document.getElementById("guide-checklist-region");
    if (region) { region.innerHTML = ""; }
  });
})();
