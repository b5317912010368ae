// The ops dashboard: fetches /dashboard/data (the sign-in cookie goes with it) and draws the
// tiles, tables and SVG charts itself, with no library and nothing from the internet.
"use strict";

const STATE_NAMES = {
  received: "已受理", pending_review: "待审核", dispatched: "已派单", claimed: "办理中", resolved: "已办结待评",
  closed: "已关闭", redirected: "转紧急", merged: "已合并", invalid: "无效", withdrawn: "已撤回",
};
const STATE_ORDER = Object.keys(STATE_NAMES);
const LEVEL_NAMES = { village: "村/社区", township: "乡镇/街道", county: "县级部门" };
const LEVEL_COLOURS = { village: "#2e7d32", township: "#1565c0", county: "#ef6c00" };
const WEIGHT_NAMES = { response: "响应", solution: "解决", satisfaction: "满意" };
const SVG = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== "") node.textContent = text;
  return node;
}

function svg(tag, attrs = {}, text = "") {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== "") node.textContent = text;
  return node;
}

const pct = (v) => (v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%");

function tile(label, value, sub = "", id = "") {
  const t = el("div", { class: "tile" });
  if (id) t.id = id;
  t.append(el("div", { class: "label" }, label), el("div", { class: "value" }, String(value)));
  if (sub) t.append(el("div", { class: "sub" }, sub));
  return t;
}

function drawStates(states) {
  const box = document.getElementById("states");
  box.replaceChildren();
  const total = Object.values(states).reduce((a, b) => a + b, 0);
  box.append(tile("全部工单", total, "", "state-total"));
  for (const s of STATE_ORDER) box.append(tile(STATE_NAMES[s], states[s] || 0, "", "state-" + s));
}

function draw631(r) {
  const box = document.getElementById("r631");
  box.replaceChildren();
  box.append(el("div", { class: "note", id: "r631-total" }, `本月关闭 ${r.total} 件`));
  for (const l of r.levels) {
    const row = el("div", { class: "bar-row", id: "r631-" + l.level });
    const bar = el("div", { class: "bar" });
    bar.append(el("div", { class: "fill", style: `width:${l.share * 100}%;background:${LEVEL_COLOURS[l.level]}` }),
               el("div", { class: "target", style: `left:${l.target * 100}%`, title: "目标" }));
    const gap = el("span", { class: l.gap < 0 && l.level !== "county" || l.gap > 0 && l.level === "county"
      ? "gap-bad" : "gap-good" }, ` ${l.gap >= 0 ? "+" : ""}${(l.gap * 100).toFixed(1)}`);
    const figure = el("div", { class: "num" }, `${l.count} 件 ${pct(l.share)}`);
    figure.append(gap);
    row.append(el("div", {}, LEVEL_NAMES[l.level]), bar, figure);
    box.append(row);
  }
  document.getElementById("r631-def").textContent = r.definition;
}

function drawRates(r) {
  const box = document.getElementById("rates");
  box.replaceChildren();
  const o = r.overall;
  box.append(tile("响应率", pct(o.response.value), `${o.response.numerator}/${o.response.denominator}`, "rate-response"),
             tile("解决率", pct(o.solution.value), `${o.solution.numerator}/${o.solution.denominator}`, "rate-solution"),
             tile("满意率", pct(o.satisfaction.value), `${o.satisfaction.numerator}/${o.satisfaction.denominator}`,
                  "rate-satisfaction"),
             tile("综合得分", pct(o.composite),
                  Object.entries(r.weights).map(([k, w]) => `${WEIGHT_NAMES[k] || k} ${w}`).join(" · "),
                  "rate-composite"));
  const defs = document.getElementById("rates-def");
  defs.replaceChildren();
  for (const k of ["response", "solution", "satisfaction", "composite"]) defs.append(el("dd", {}, r.definitions[k]));
}

function rows(tableId, items, cells, empty) {
  const body = document.querySelector(`#${tableId} tbody`);
  body.replaceChildren();
  if (!items.length) {
    const tr = el("tr");
    tr.append(el("td", { colspan: "6", class: "empty" }, empty));
    body.append(tr);
    return;
  }
  for (const item of items) {
    const tr = el("tr");
    for (const [text, cls] of cells(item)) tr.append(el("td", cls ? { class: cls } : {}, String(text)));
    body.append(tr);
  }
}

function drawTables(d) {
  const whose = (o) => o.role === "summoned" ? o.unit_name + "（吹哨报到）" : o.unit_name;
  rows("overdue", d.supervision.orders, (o) => [[o.work_order_id], [whose(o)], [o.level_name, "level-" + o.level],
    [o.handed_over || "—"], [STATE_NAMES[o.state] || o.state]], "当前没有超时或督办中的工单");
  rows("ranking", d.ranking, (u) => [[u.rank, "num"], [u.unit_name], [u.handed_over, "num"],
    [pct(u.claimed_on_time.value), "num"], [pct(u.satisfaction.value), "num"], [pct(u.score), "num"]], "本月暂无数据");
  rows("hotspots", d.hotspots, (h) => [[h.village === "" ? h.township_name : h.village_name], [h.matter_name],
    [h.count, "num"], [h.trend === "new" ? "新出现" : (h.change >= 0 ? "+" : "") + h.change, "num"]], "本月暂无热点");
}

function axis(chart, width, height, pad, max, labels) {
  chart.append(svg("line", { x1: pad, y1: height - pad, x2: width - 4, y2: height - pad, stroke: "#999" }));
  chart.append(svg("text", { x: 2, y: pad, }, String(max)));
  labels.forEach(([x, text]) => chart.append(svg("text", { x, y: height - 4, "text-anchor": "middle" }, text)));
}

function drawDays(days) {
  const width = 600, height = 180, pad = 24;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, id: "svg-days", role: "img",
                             "aria-label": "每日受理量" });
  const max = Math.max(1, ...days.map((d) => d.count));
  const step = (width - pad - 8) / days.length;
  days.forEach((d, i) => {
    const h = (d.count / max) * (height - 2 * pad);
    const bar = svg("rect", { x: pad + i * step + 1, y: height - pad - h, width: Math.max(1, step - 2), height: h,
                              fill: "#1565c0" });
    bar.append(svg("title", {}, `${d.day}：${d.count} 件`));
    chart.append(bar);
  });
  const labels = days.map((d, i) => [pad + i * step + step / 2, d.day.slice(5)]).filter((_, i) => i % 5 === 0);
  axis(chart, width, height, pad, max, labels);
  document.getElementById("chart-days").replaceChildren(chart);
}

function drawWeeks(weeks) {
  const width = 600, height = 180, pad = 24;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, id: "svg-weeks", role: "img",
                             "aria-label": "631 周占比" });
  const legend = 76;  // room right of the bars for the target's label, which sat on the last week's bar
  const step = (width - pad - legend) / weeks.length;
  weeks.forEach((w, i) => {
    let y = height - pad;
    for (const level of ["village", "township", "county"]) {
      const h = w[level] * (height - 2 * pad);
      const part = svg("rect", { x: pad + i * step + 2, y: y - h, width: Math.max(1, step - 4), height: h,
                                 fill: LEVEL_COLOURS[level] });
      part.append(svg("title", {}, `${w.week} ${LEVEL_NAMES[level]} ${pct(w[level])}（共 ${w.total} 件）`));
      chart.append(part);
      y -= h;
    }
  });
  const target = height - pad - 0.6 * (height - 2 * pad);
  chart.append(svg("line", { x1: pad, x2: width - legend + 4, y1: target, y2: target, stroke: "#1d2733",
                             "stroke-dasharray": "4 3" }));
  chart.append(svg("text", { x: width - legend + 8, y: target + 4 }, "村级目标 60%"));
  axis(chart, width, height, pad, "100%", weeks.map((w, i) => [pad + i * step + step / 2, w.week.slice(5)]));
  document.getElementById("chart-weeks").replaceChildren(chart);
}

async function refresh() {
  let response;
  try {
    response = await fetch("/dashboard/data", { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch (err) {
    document.getElementById("updated").textContent = "连接失败，稍后重试";
    return;
  }
  if (response.status === 401 || response.status === 403) {
    window.location.assign("/dashboard/login");
    return;
  }
  const d = await response.json();
  document.getElementById("period").textContent = `${d.period_from} 至 ${d.period_to}`;
  drawStates(d.states);
  draw631(d.report_631);
  drawRates(d.rates);
  drawDays(d.trend.orders_per_day);
  drawWeeks(d.trend.shares_631_per_week);
  drawTables(d);
  document.getElementById("updated").textContent = d.generated_at.replace("T", " ").slice(0, 19);
  document.body.dataset.ready = d.generated_at;
}

refresh();
setInterval(refresh, Math.max(5, Number(document.body.dataset.refresh || 30)) * 1000);
