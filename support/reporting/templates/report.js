// Search, filters and sorting of the scenario table. Everything is in the page: no network.
(function () {
  const table = document.getElementById("scenarios");
  if (!table) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const search = document.getElementById("search");
  const filters = {
    status: document.getElementById("filter-status"),
    feature: document.getElementById("filter-feature"),
    tag: document.getElementById("filter-tag"),
    rule: document.getElementById("filter-rule"),
  };
  const count = document.getElementById("shown");

  function matches(row) {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.every((w) => row.dataset.text.includes(w))) return false;
    const status = filters.status.value;
    if (status === "not_passed" ? ["passed", "skipped"].includes(row.dataset.status)
        : status && row.dataset.status !== status) return false;
    if (filters.feature.value && row.dataset.feature !== filters.feature.value) return false;
    if (filters.tag.value && !row.dataset.tags.split(" ").includes(filters.tag.value)) return false;
    if (filters.rule.value && !row.dataset.rules.split(" ").includes(filters.rule.value)) return false;
    return true;
  }

  function apply() {
    let shown = 0;
    for (const row of rows) {
      const visible = matches(row);
      row.classList.toggle("hidden", !visible);
      if (visible) shown += 1;
    }
    count.textContent = shown + " of " + rows.length + " scenarios";
    document.querySelectorAll(".card[data-status]").forEach((card) => {
      card.classList.toggle("active", card.dataset.status === filters.status.value);
    });
  }

  search.addEventListener("input", apply);
  Object.values(filters).forEach((select) => select.addEventListener("change", apply));
  document.querySelectorAll(".card[data-status]").forEach((card) => {
    card.addEventListener("click", () => {
      filters.status.value = filters.status.value === card.dataset.status ? "" : card.dataset.status;
      apply();
      table.scrollIntoView({ behavior: "smooth" });
    });
  });

  table.querySelectorAll("th[data-key]").forEach((th, index) => {
    th.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach((other) => other.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const numeric = th.dataset.type === "number";
      const value = (row) => row.cells[index].dataset.sort;
      rows.sort((a, b) => {
        const x = value(a), y = value(b);
        const order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach((row) => body.appendChild(row));
    });
  });
  apply();
})();
