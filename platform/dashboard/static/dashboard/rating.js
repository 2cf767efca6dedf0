// The status page updates in place; show the rating box once the application is completed.
(function () {
  function watch() {
    var box = document.getElementById("rating-box");
    var status = document.getElementById("app-status");
    if (!box || !status) return;
    var sync = function () { if (status.dataset.status) box.hidden = status.dataset.status !== "completed"; };
    new MutationObserver(sync).observe(status, {attributes: true, attributeFilter: ["data-status"]});
    sync();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch); else watch();
})();
