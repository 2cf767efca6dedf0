// The status page's verification panel: who still has to verify, updated while the application waits.
(function () {
  "use strict";
  var card = document.getElementById("verifications-card");
  if (!card) return;
  var labels = JSON.parse(document.getElementById("verification-labels").textContent);
  var url = card.dataset.pollUrl;

  function text(tag, value, className) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (className) el.className = className;
    return el;
  }

  function render(body) {
    var tbody = document.getElementById("verifications");
    tbody.textContent = "";
    var missing = [];
    (body.verifications || []).forEach(function (v) {
      var row = document.createElement("tr");
      row.dataset.verification = v.id;
      row.dataset.status = v.status;
      row.appendChild(text("td", v.roles.map(function (r) { return labels.roles[r] || r; }).join("、")));
      row.appendChild(text("td", v.name));
      var cell = document.createElement("td");
      var badge = text("span", labels.statuses[v.status] || v.status, "badge " + v.status);
      badge.setAttribute("data-verification-status", "");
      cell.appendChild(badge);
      if (v.failed_proof) cell.appendChild(text("span", " " + (labels.proofs[v.failed_proof] || v.failed_proof), "muted"));
      row.appendChild(cell);
      var link = document.createElement("td");
      if (v.status === "pending") { var a = text("a", labels.verify); a.href = v.link; link.appendChild(a); }
      row.appendChild(link);
      tbody.appendChild(row);
      if (v.status !== "verified") missing.push(v.name);
    });
    document.getElementById("verifications-missing-names").textContent = missing.join(" ");
    document.getElementById("verifications-missing").hidden = body.status !== "awaiting_verification";
    return body.status === "awaiting_verification";
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        var waiting = body ? render(body) : true;
        if (waiting) setTimeout(poll, 3000);
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, 3000);
})();
