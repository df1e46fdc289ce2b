/* The phone intake: fill the optional map point from the phone's location when the worker asks,
   and show how many photos are attached (no inline script: CSP). */
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  var status = document.querySelector("[data-locate-status]");
  if (button && navigator.geolocation) {
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "正在定位…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.querySelector("input[name=latitude]").value = pos.coords.latitude.toFixed(6);
        document.querySelector("input[name=longitude]").value = pos.coords.longitude.toFixed(6);
        status.textContent = "已记录位置";
      }, function () { status.textContent = "无法获取位置，可只填写地点"; }, { timeout: 8000 });
    });
  }
  var photos = document.querySelector("input[name=photos]");
  var count = document.querySelector("[data-photo-count]");
  if (photos && count) {
    photos.addEventListener("change", function () {
      count.textContent = photos.files.length ? "已选择 " + photos.files.length + " 张照片" : "";
    });
  }
})();
