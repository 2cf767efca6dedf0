// The one form (intake/apply.html): agent handler, more shareholders, a sample company.
(function () {
  const agent = document.getElementById("handler_is_agent");
  agent.addEventListener("change", () => { document.getElementById("handler-fields").hidden = !agent.checked; });
  const rows = document.getElementById("shareholders"), count = document.getElementById("shareholder_count");
  document.getElementById("add-shareholder").addEventListener("click", () => {
    const index = rows.children.length, row = rows.children[0].cloneNode(true);
    row.querySelectorAll(".field-error").forEach((e) => e.remove());
    row.querySelectorAll("input").forEach((input) => {
      input.name = input.name.replace(/shareholders\.\d+\./, "shareholders." + index + ".");
      input.id = "f-" + input.name; input.value = ""; input.classList.remove("invalid");
    });
    row.querySelectorAll("label").forEach((l) => { l.htmlFor = l.htmlFor.replace(/shareholders\.\d+\./, "shareholders." + index + "."); });
    rows.appendChild(row); count.value = rows.children.length;
  });
  // A sample company with a fresh trade name, so a demo run does not collide with an earlier one.
  const tradeNames = ["云帆", "星河", "青禾", "远峰", "澄明", "知行", "拓新", "朗润", "嘉树", "鸿羽", "润川", "卓越"];
  document.getElementById("sample-company").addEventListener("click", () => {
    const pick = tradeNames[Math.floor(Math.random() * tradeNames.length)] + tradeNames[Math.floor(Math.random() * tradeNames.length)];
    const set = (path, value) => { document.getElementById("f-" + path).value = value; };
    set("company.name", "深圳市" + pick + "科技有限公司");
    set("company.address", "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201");
    set("company.business_scope", "软件开发；信息技术咨询服务");
    set("company.registered_capital", "1000000.00");
    set("company.employees", "5");
    const first = document.getElementById("f-shareholders.0.contribution");
    if (first && !first.value) first.value = "1000000.00";
  });
})();
