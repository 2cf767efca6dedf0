// The live status page (intake/status.html): renders the application and polls until it is final.
(function () {
  const LABELS = JSON.parse(document.getElementById("labels").textContent);
  const LIBRARIES = LABELS.library, STATUS = LABELS.status, OUTCOME = LABELS.outcome, departmentLabels = LABELS.department;
  const el = (tag, attrs, text) => { const n = document.createElement(tag); Object.assign(n, attrs || {}); if (text !== undefined) n.textContent = text; return n; };
  const badge = (value, labels) => el("span", {className: "badge " + (value || "pending")}, labels[value] || value || "—");
  let current = initial();
  function initial() { return JSON.parse(document.getElementById("initial-status").textContent); }
  // The span of the original input that matched, marked in place.
  const highlighted = (f) => {
    const e = f.evidence || {}, field = {company_name: "name", name: "name", address: "address"}[e.field];
    if (!field || !Array.isArray(e.span)) return null;
    const text = current.company[field] || "", [start, end] = e.span;
    if (!(start >= 0 && end > start && end <= text.length)) return null;
    const box = el("div", {className: "evidence-text"});
    box.append(text.slice(0, start), el("mark", {}, text.slice(start, end)), text.slice(end));
    return box;
  };
  const findingNode = (f) => {
    const box = el("div", {className: "finding " + f.outcome});
    const english = document.documentElement.lang.startsWith("en");
    box.appendChild(el("div", {}, english ? f.message_en : f.message));
    const marked = highlighted(f); if (marked) box.appendChild(marked);
    box.appendChild(el("div", {className: "muted"}, (english ? f.message : f.message_en) + " · " + f.rule));
    return box;
  };
  // A department's answer as labelled lines; times in the reader's locale.
  const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
  const show = (value) => Array.isArray(value) ? value.join(LABELS.text.separator)
    : (typeof value === "string" && isoTime.test(value)) ? new Date(value).toLocaleString(document.documentElement.lang)
    : String(value);
  function resultNode(result) {
    const list = el("dl", {className: "result"});
    for (const [key, value] of Object.entries(result || {})) {
      list.appendChild(el("dt", {}, LABELS.result[key] || key));
      const text = (value && typeof value === "object" && !Array.isArray(value))
        ? Object.entries(value).map(([k, v]) => (LABELS.result[k] || k) + " " + show(v)).join(" · ")
        : show(value);
      list.appendChild(el("dd", {}, text));
    }
    return list;
  }
  function render(data) {
    current = data;
    const status = document.getElementById("app-status");
    status.className = "badge " + data.status; status.textContent = STATUS[data.status] || data.status;
    status.dataset.status = data.status;
    document.getElementById("credit-code-box").hidden = !data.credit_code;
    document.getElementById("credit-code").textContent = data.credit_code || "";
    document.getElementById("licence-box").hidden = !data.licence;
    if (data.licence) document.getElementById("licence-verify").href = data.licence.verify_url;
    document.getElementById("review-box").hidden = data.status !== "manual_review";
    const checks = document.getElementById("checks"); checks.replaceChildren();
    for (const c of data.checks) {
      const row = el("tr", {id: "check-" + c.library}); row.dataset.status = c.status;
      row.appendChild(el("td", {}, LIBRARIES[c.library] || c.library));
      const s = el("td"); s.appendChild(badge(c.status, STATUS)); row.appendChild(s);
      const o = el("td"); if (c.outcome) o.appendChild(badge(c.outcome, OUTCOME)); row.appendChild(o);
      const f = el("td"); (c.findings || []).forEach((x) => f.appendChild(findingNode(x))); row.appendChild(f);
      checks.appendChild(row);
    }
    const rejection = document.getElementById("rejection-findings"); rejection.replaceChildren();
    data.checks.flatMap((c) => c.findings || []).filter((f) => f.outcome === "reject").forEach((f) => rejection.appendChild(findingNode(f)));
    document.getElementById("rejection-box").hidden = !(data.status === "rejected" || data.status === "returned");
    document.getElementById("rejection-title").textContent = data.status === "returned" ? LABELS.text.returned : LABELS.text.rejected;
    const shared = document.getElementById("data-shared"); shared.replaceChildren();
    for (const x of data.data_shared || []) {
      const row = el("tr");
      row.appendChild(el("td", {}, new Date(x.at).toLocaleString(document.documentElement.lang)));
      row.appendChild(el("td", {}, departmentLabels[x.department] || x.department));
      row.appendChild(el("td", {}, x.purpose === "citizens/verify" ? LABELS.text.identity_check : LABELS.text.processing));
      row.appendChild(el("td", {}, x.fields.join(LABELS.text.separator)));
      shared.appendChild(row);
    }
    // Which department failed, why, and what happens next.
    const failed = data.departments.filter((d) => d.status === "failed");
    const incomplete = document.getElementById("incomplete-departments"); incomplete.replaceChildren();
    for (const d of failed) {
      const item = el("li", {id: "failed-" + d.department});
      item.appendChild(el("strong", {}, departmentLabels[d.department] || d.department));
      if (d.error) item.appendChild(el("div", {className: "failed-reason"}, LABELS.text.failed_reason + d.error));
      item.appendChild(el("div", {className: "next-step"}, LABELS.text.next_step + (LABELS.text["failure_" + d.failure] || "")));
      incomplete.appendChild(item);
    }
    document.getElementById("incomplete-title").textContent = LABELS.text.incomplete;
    document.getElementById("incomplete-box").hidden = !failed.length;
    const departments = document.getElementById("departments"); departments.replaceChildren();
    for (const d of data.departments) {
      const row = el("tr", {id: "department-" + d.department}); row.dataset.status = d.status;
      row.appendChild(el("td", {}, departmentLabels[d.department] || d.department));
      const s = el("td"); s.appendChild(badge(d.status, STATUS)); row.appendChild(s);
      const r = el("td");
      if (d.status === "done") r.appendChild(resultNode(d.result));
      else if (d.error) r.appendChild(el("span", {className: "muted"}, d.error));
      row.appendChild(r); departments.appendChild(row);
    }
  }
  render(current);
  const terminal = (s) => ["completed", "rejected", "returned", "lapsed"].includes(s);
  // Adaptive polling: quick while things move, backing off while nothing changes. The ETag
  // makes an unchanged answer a bodiless 304.
  const FASTEST = 400, SLOWEST = 10000;
  const pollUrl = document.getElementById("app-status").dataset.pollUrl;
  let etag = null, delay = FASTEST;
  async function poll() {
    try {
      const headers = {Accept: "application/json"};
      if (etag) headers["If-None-Match"] = etag;
      const response = await fetch(pollUrl, {headers, cache: "no-store"});
      if (response.status === 200) {
        etag = response.headers.get("ETag");
        const data = await response.json(); render(data);
        if (terminal(data.status)) return;
        delay = FASTEST;
      } else {
        delay = Math.min(SLOWEST, Math.round(delay * 1.5));
      }
    } catch (e) { delay = Math.min(SLOWEST, delay * 2); /* a dropped poll is retried later */ }
    setTimeout(poll, delay);
  }
  if (!terminal(current.status)) setTimeout(poll, FASTEST);
})();
