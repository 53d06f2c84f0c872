// vuonlen: small progressive enhancements; every page works without this file.
"use strict";

// Controls without inline handlers (the Content-Security-Policy allows no inline script):
// `data-action="print"` prints the page; a `data-autosubmit` select submits its form on change.
document.addEventListener("click", (ev) => {
  if (ev.target.closest("[data-action=print]")) window.print();
});
document.addEventListener("change", (ev) => {
  const el = ev.target.closest("select[data-autosubmit]");
  if (el && el.form) el.form.submit();
});

// Sortable tables: click a header to sort by it (numbers by data-v, text by its Vietnamese key).
document.addEventListener("click", (ev) => {
  const th = ev.target.closest("table.sortable th");
  if (!th) return;
  const table = th.closest("table");
  const idx = Array.from(th.parentNode.children).indexOf(th);
  const numeric = th.dataset.type === "num";
  const asc = th.dataset.dir !== "asc";
  table.querySelectorAll("th").forEach((h) => delete h.dataset.dir);
  th.dataset.dir = asc ? "asc" : "desc";
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const key = (r) => {
    const c = r.cells[idx];
    const v = c.dataset.v !== undefined ? c.dataset.v : c.textContent;
    return numeric ? parseFloat(v) : v;
  };
  rows.sort((a, b) => {
    const x = key(a), y = key(b);
    const d = numeric ? x - y : (x < y ? -1 : x > y ? 1 : 0);
    return asc ? d : -d;
  });
  rows.forEach((r) => body.appendChild(r));
});

// The household form: re-classify as answers change, before saving.
(function () {
  const form = document.getElementById("household-form");
  if (!form) return;
  const csrf = form.querySelector("input[name=_csrf]").value;
  const period = form.dataset.period;
  const label = document.getElementById("preview-class");
  const text = document.getElementById("preview-explanation");
  const box = document.getElementById("preview");
  let timer = null;
  function fields() {
    const household = {};
    const members = {};
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.name.startsWith("h.")) household[el.name.slice(2)] = el.value;
      const m = /^m\.(\d+)\.(.+)$/.exec(el.name);
      if (m) (members[m[1]] = members[m[1]] || {})[m[2]] = el.value;
    }
    const list = Object.keys(members).sort((a, b) => a - b).map((k) => members[k])
      .filter((m) => Object.entries(m).some(([k, v]) => k !== "member_no" && v.trim() !== ""));
    return { household, members: list };
  }
  async function preview() {
    const res = await fetch("/api/v1/classify?period=" + encodeURIComponent(period), {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(fields()),
      credentials: "same-origin",
    });
    if (!res.ok) return;
    const p = await res.json();
    box.className = "verdict " + (p.class || "none");
    if (p.class) {
      label.textContent = p.class_label;
      text.textContent = p.explanation;
    } else {
      const errs = p.problems.filter((x) => !x.warning);
      label.textContent = document.documentElement.lang === "en" ? "Not classified yet" : "Chưa phân loại được";
      text.textContent = errs.slice(0, 3).map((x) => (document.documentElement.lang === "en" ? x.message_en : x.message_vi)).join(" · ");
    }
  }
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(preview, 300); });
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(preview, 100); });
})();
